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

namespace sqlflow::cli {

struct GlobalOptions {
  std::string project_dir;
  std::string profile = "dev";
  std::string vars;
  bool json = false;
  bool verbose = false;
  bool quiet = false;
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

// Plan options for this context; `connection` (may be null) answers whether tables exist.
plan::PlanOptions MakePlanOptions(const Context& context, engine::Connection* connection);

}  // namespace sqlflow::cli
