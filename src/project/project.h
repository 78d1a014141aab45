#pragma once
// The project around a pipeline: its root directory, its environment (process plus `.env`) and
// its profiles (`profiles/<name>.yml`: engine settings, variables, connectors, paths).

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/diagnostic.h"
#include "lang/value.h"

namespace sqlflow::project {

// Process environment first, then the project's .env (which never overrides the real environment).
class Environment {
 public:
  static Environment FromProcess();  // reads environ
  // A missing file is fine; a malformed line is a SqlflowError (SF-ENV-001) with file:line:col.
  void LoadDotEnv(const std::filesystem::path& file);
  std::optional<std::string> Get(const std::string& name) const;
  // Every name set in the process or in .env, sorted, without duplicates.
  std::vector<std::string> Names() const;
  void Set(const std::string& name, std::string value);  // for tests; acts like the process environment

 private:
  std::map<std::string, std::string> process_;
  std::map<std::string, std::string> dotenv_;
};

// Parses .env text: KEY=value, `export KEY=value`, comments (#), blank lines, single/double quoted
// values (double quotes allow \n \" escapes), inline ' #' comments after unquoted values.
// Quoted values may span lines. Every malformed line is reported together (SF-ENV-001).
std::vector<std::pair<std::string, std::string>> ParseDotEnv(const common::SourceFile& file);

struct EngineConfig {
  enum class Mode { kMemory, kPersistent };
  Mode mode = Mode::kMemory;
  std::filesystem::path path;  // absolute (resolved against the project root); required when persistent
  std::string memory_limit;    // "" = DuckDB default
  std::optional<int> threads;
  std::filesystem::path temp_directory;  // absolute or empty
};

struct ConnectorConfig {
  std::string name;
  std::string type;       // upper-cased: POSTGRES, S3, CSV, ...
  nlohmann::json params;  // always an object
};

// How APPEND and MERGE treat schema differences unless a statement says otherwise (profile key
// `load`).
struct LoadDefaults {
  bool strict = false;       // schema: strict (types equal) | widen (safe widening allowed)
  bool add_columns = false;  // new source columns are added to the target instead of failing
};

// How a LOAD treats a change of its source's schema unless the SOURCE says (profile key `schema`).
struct SchemaDefaults {
  std::string on_schema_change;  // fail | warn | evolve | ignore; empty: fail
};

// How runs execute unless the command line says otherwise (profile key `execution`).
struct ExecutionDefaults {
  std::optional<int> threads;  // workers running steps at once
  std::string on_failure;      // fail_fast | continue; empty: fail_fast
  int retries = 0;             // further attempts after a transient failure
  double retry_delay = 1.0;    // seconds before the first retry
};

struct Profile {
  std::string name;
  std::filesystem::path file;
  EngineConfig engine;
  std::map<std::string, lang::Value> variables;  // YAML scalars typed: bool/number/text/null
  std::set<std::string> secret_variables;        // `secrets:`: variables whose values are secret
  std::map<std::string, ConnectorConfig> connectors;
  LoadDefaults load;
  SchemaDefaults schema;
  ExecutionDefaults execution;
  std::filesystem::path pipelines_dir;  // absolute; profile key paths.pipelines, default <root>/pipelines
};

// The project root: `explicit_dir` when given (must contain profiles/, else UsageError SF-PROJECT-001),
// else the first of `start` and its parents that holds a profiles/ folder; UsageError SF-PROJECT-002
// when none. The result is absolute and lexically normal.
std::filesystem::path FindProjectRoot(const std::filesystem::path& start,
                                      const std::optional<std::filesystem::path>& explicit_dir);

// Loads <root>/profiles/<name>.yml. Missing → UsageError SF-PROFILE-001 listing available profiles
// (and did-you-mean). `${NAME}` and `${NAME|default}` in any scalar value are expanded from `env`
// before interpretation (a plain scalar is typed after expansion, a quoted one stays text); an unset
// name with no default is an error. All problems of the file are reported together as one
// SqlflowError whose diagnostics (SF-PROFILE-0xx) point into the YAML text.
Profile LoadProfile(const std::filesystem::path& root, const std::string& name, const Environment& env);

// The profile `name` from `text`, the YAML of its `file`, as LoadProfile reads it (relative paths
// resolve against `root`); throws SqlflowError as LoadProfile does.
Profile ParseProfile(std::string text, const std::filesystem::path& file, const std::filesystem::path& root,
                     const std::string& name, const Environment& env);

// Sorted profile names (files profiles/*.yml, without the extension); empty when there are none.
std::vector<std::string> ListProfiles(const std::filesystem::path& root);

}  // namespace sqlflow::project
