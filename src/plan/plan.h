#pragma once
// A pipeline's plan: the active statements after INCLUDE, variables and IF, as steps with ids,
// dependencies and an execution order.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lang/ast.h"
#include "lang/value.h"
#include "plan/python_func.h"
#include "state/store.h"
#include "udf/catalog.h"
#include "util/secrets.h"

namespace sqlflow::plan {

struct Step {
  enum class Kind { kSource, kLoad, kTransform, kExport, kSql };
  std::string id;
  Kind kind = Kind::kSql;
  common::Location location;
  std::string sql;     // transform and export: the query; sql: the statement (variables substituted)
  std::string target;  // table written (load, transform, plain SQL that creates), or the export URI
  std::vector<std::string> reads;       // table keys read
  std::vector<std::string> depends_on;  // step ids
  bool barrier = false;                 // plain SQL DuckDB cannot serialize: orders everything around it
  // Plain SQL that changes its connection's session (temporary objects, SET, USE): later steps
  // only see it on the same connection, so the run uses one worker.
  bool session_state = false;

  // source: connector type and merged parameters (profile connector + OPTIONS, or PARAMS)
  std::string source_name;
  std::string connector_type;
  nlohmann::json params = nlohmann::json::object();
  // load: the source it reads; load and transform: the mode
  std::string load_source;
  lang::LoadMode mode;
  nlohmann::json mode_options = nlohmann::json::object();  // validated MODE ... OPTIONS
  // table UDF calls to run, in order, before the step's SQL (PYTHON_FUNC in FROM)
  std::vector<TableUdfCall> table_udfs;
  // export
  std::string export_type;
  bool export_is_table = false;
};

const char* StepKindName(Step::Kind kind);

struct Plan {
  std::string pipeline;
  std::filesystem::path file;
  std::vector<Step> steps;                       // in execution order
  std::map<std::string, lang::Value> variables;  // every variable with a value, as resolved
  std::set<std::string> secret_variables;        // declared secret (PlanOptions::secret_variables)
};

struct ConnectorDefinition {
  std::string type;
  nlohmann::json params;
};

struct PlanOptions {
  std::map<std::string, lang::Value> cli_variables;
  std::map<std::string, lang::Value> profile_variables;
  // Variables declared secret (the profile's `secrets:`), besides those whose name is secret
  // (util::IsSecretName): their values are masked wherever they would be written or printed.
  std::set<std::string> secret_variables;
  // The environment (process, then .env); nullopt when unset.
  std::function<std::optional<std::string>(const std::string&)> environment;
  std::map<std::string, ConnectorDefinition> connectors;  // the profile's
  // Whether the target database already holds a table; unknown references are errors otherwise.
  std::function<bool(const std::string& name)> table_exists;
  std::filesystem::path project_root;
  // The export ledger (state::Store::FindExportOutput): who wrote an existing local destination.
  // Unset: nothing is recorded, so any existing destination counts as foreign.
  std::function<std::optional<state::ExportOutput>(const std::string& path)> export_output;
  // The project's Python UDFs; null when it has none (PYTHON_FUNC is then an error).
  const udf::UdfCatalog* udfs = nullptr;
};

// Parses, expands and validates the pipeline; throws common::SqlflowError carrying every problem.
Plan BuildPlan(const std::filesystem::path& pipeline_file, const PlanOptions& options);

// The JSON that `pipeline compile` writes; secrets masked.
nlohmann::json PlanToJson(const Plan& plan);

using util::IsSecretName;
using util::MaskSecrets;

}  // namespace sqlflow::plan
