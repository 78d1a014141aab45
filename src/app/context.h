#pragma once
// What every pipeline command needs before it can act: the project, its environment, the
// profile, the CLI variables, and the way to open the profile's database.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/duckdb.h"
#include "lang/value.h"
#include "plan/plan.h"
#include "project/project.h"
#include "udf/catalog.h"
#include "udf/runtime.h"

namespace sqlflow::app {

struct GlobalOptions {
  std::string project_dir;
  std::string profile = "dev";
  std::string vars;
  bool json = false;
  bool verbose = false;
  bool quiet = false;
};

// `pipeline run` flags; unset ones come from the profile's `execution` key.
struct RunOptions {
  std::optional<int> threads;
  std::string on_failure;
  std::optional<int> retries;
  std::optional<double> retry_delay;
  std::vector<std::string> only;
  std::string from;
  bool resume = false;
};

struct Context {
  std::filesystem::path root;
  project::Environment environment;
  project::Profile profile;
  std::map<std::string, lang::Value> variables;  // from --vars
};

// `--vars` as a JSON object ({"a": 1}) or k=v pairs (a=1,b=x). Throws UsageError when malformed.
std::map<std::string, lang::Value> ParseVariables(const std::string& text);

Context LoadContext(const GlobalOptions& options);

// Pipeline names (without .sf) in the profile's pipelines folder, sorted.
std::vector<std::string> ListPipelines(const Context& context);
// The file of pipeline `name` (a name, or a path to a .sf file); UsageError with suggestions.
std::filesystem::path ResolvePipeline(const Context& context, const std::string& name);

engine::DatabaseOptions DatabaseOptionsFor(const project::Profile& profile);

// The project's Python UDFs, discovered by the embedded runtime.
struct PythonUdfs {
  udf::PythonRuntime* runtime = nullptr;
  udf::UdfCatalog catalog;
};

// Starts Python and discovers python_udfs/ when the project has UDF files or `required` (a
// pipeline that uses PYTHON_FUNC, a udf command); nullopt otherwise. Throws UsageError when
// Python is needed but cannot be loaded.
std::optional<PythonUdfs> LoadPythonUdfs(const Context& context, bool required);

// Whether a pipeline file mentions PYTHON_FUNC (so it needs Python even without UDF files).
bool MentionsPythonFunc(const std::filesystem::path& pipeline_file);

// Plan options for this context; `connection` (may be null) answers whether tables exist.
plan::PlanOptions MakePlanOptions(const Context& context, engine::Connection* connection,
                                  const PythonUdfs* python = nullptr);

}  // namespace sqlflow::app
