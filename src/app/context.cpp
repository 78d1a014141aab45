#include "app/context.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/warnings.h"
#include "connectors/plugins.h"
#include "lang/json_text.h"
#include "lang/parser.h"
#include "state/store.h"
#include "udf/loader.h"
#include "util/secrets.h"
#include "util/strings.h"

namespace sqlflow::app {

namespace fs = std::filesystem;
using common::UsageError;
using lang::Value;

namespace {

Value ValueFromJson(const nlohmann::json& value) {
  if (value.is_null()) return Value::Null();
  if (value.is_boolean()) return Value::Bool(value.get<bool>());
  if (value.is_number()) return Value::Number(value.dump());
  if (value.is_string()) return Value::Text(value.get<std::string>());
  return Value::Text(value.dump());
}

bool IsSecretVariable(const Context& context, const std::string& name) {
  return util::IsSecretName(name) || context.profile.secret_variables.count(name) > 0;
}

// The command's secret values, known before anything is planned or run, go to the process's
// redactor: secret variables from --vars and the profile, the profile connectors' secret parameters,
// secret environment values. Secret variables from SET and inline defaults join when planned.
void CollectSecretValues(const Context& context) {
  for (const auto* variables : {&context.variables, &context.profile.variables}) {
    for (const auto& [name, value] : *variables) {
      if (IsSecretVariable(context, name)) util::AddSecretValue(value.text);
    }
  }
  for (const auto& [name, connector] : context.profile.connectors) util::AddSecretsOf(connector.params);
  for (const std::string& name : context.environment.Names()) {
    if (IsSecretVariable(context, name)) util::AddSecretValue(*context.environment.Get(name));
  }
}

}  // namespace

std::map<std::string, Value> ParseVariables(const std::string& text) {
  std::map<std::string, Value> variables;
  std::string_view trimmed = util::Trim(text);
  if (trimmed.empty()) return variables;
  if (trimmed.front() == '{') {
    if (auto problem = lang::FindJsonProblem(trimmed)) {
      throw UsageError("SF-CLI-001",
                       fmt::format("--vars: {} (at character {})", problem->Message(), problem->offset + 1),
                       "give each variable once, as a flat JSON object of values");
    }
    nlohmann::json parsed = nlohmann::json::parse(trimmed, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      throw UsageError("SF-CLI-001", "--vars is not a valid JSON object: " + std::string(trimmed),
                       "write --vars '{\"env\": \"prod\", \"limit\": 10}' or --vars env=prod,limit=10");
    }
    for (const auto& [key, value] : parsed.items()) variables[key] = ValueFromJson(value);
    return variables;
  }
  for (const std::string& pair : util::Split(trimmed, ',')) {
    size_t equals = pair.find('=');
    std::string key(util::Trim(pair.substr(0, equals)));
    if (equals == std::string::npos || key.empty()) {
      throw UsageError("SF-CLI-001", fmt::format("--vars entry '{}' is not key=value", pair),
                       "write --vars env=prod,limit=10 or a JSON object");
    }
    variables[key] = lang::ValueFromText(std::string(util::Trim(pair.substr(equals + 1))));
  }
  return variables;
}

Context LoadContext(const GlobalOptions& options) {
  Context context;
  std::optional<fs::path> explicit_dir;
  if (!options.project_dir.empty()) explicit_dir = fs::path(options.project_dir);
  context.root = fs::absolute(project::FindProjectRoot(fs::current_path(), explicit_dir)).lexically_normal();
  context.environment = project::Environment::FromProcess();
  context.environment.LoadDotEnv(context.root / ".env");
  // Plugins first: the profile's connectors and the pipelines may name their TYPEs.
  for (const auto& warning : connectors::LoadPlugins(connectors::PluginFolders(context.root))) {
    common::Warn("SF-CONN-005", warning);
  }
  context.profile = project::LoadProfile(context.root, options.profile, context.environment);
  context.variables = ParseVariables(options.vars);
  CollectSecretValues(context);
  return context;
}

std::vector<std::string> ListPipelines(const Context& context) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(context.profile.pipelines_dir, error)) {
    std::error_code unreadable;  // a broken link or a link loop is no pipeline to list
    if (entry.is_regular_file(unreadable) && entry.path().extension() == ".sf")
      names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// Whether a pipeline file exists; SF-CLI-003 when it exists but is no readable file (a folder, a
// symbolic link loop, a folder on the way that cannot be searched).
bool PipelineFileExists(const fs::path& path) {
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return false;
  if (error) {
    throw UsageError("SF-CLI-003",
                     fmt::format("cannot read pipeline file '{}': {}", path.string(), error.message()));
  }
  if (!fs::is_regular_file(status)) {
    throw UsageError("SF-CLI-003",
                     fmt::format("cannot read pipeline file '{}': it is not a file", path.string()),
                     "a pipeline is one .sf file");
  }
  if (fs::file_size(path, error) > lang::kMaxSourceFileBytes) {
    throw UsageError("SF-CLI-003", fmt::format("cannot read pipeline file '{}': it is larger than {} MiB",
                                               path.string(), lang::kMaxSourceFileBytes >> 20));
  }
  return true;
}

}  // namespace

fs::path ResolvePipeline(const Context& context, const std::string& name) {
  if (util::EndsWith(name, ".sf") || name.find('/') != std::string::npos) {
    fs::path path = fs::absolute(name);
    if (!PipelineFileExists(path))
      throw UsageError("SF-CLI-002", fmt::format("pipeline file '{}' does not exist", name));
    return path;
  }
  fs::path path = context.profile.pipelines_dir / (name + ".sf");
  if (PipelineFileExists(path)) return path;
  std::vector<std::string> names = ListPipelines(context);
  std::string hint = util::DidYouMean(name, names);
  if (hint.empty()) hint = names.empty() ? "no pipelines found" : "available: " + util::Join(names, ", ");
  throw UsageError("SF-CLI-002", fmt::format("unknown pipeline '{}' (looked for {})", name, path.string()),
                   hint);
}

engine::DatabaseOptions DatabaseOptionsFor(const project::Profile& profile) {
  engine::DatabaseOptions options;
  if (profile.engine.mode == project::EngineConfig::Mode::kPersistent) options.path = profile.engine.path;
  options.memory_limit = profile.engine.memory_limit;
  options.threads = profile.engine.threads;
  options.temp_directory = profile.engine.temp_directory;
  return options;
}

std::optional<PythonUdfs> LoadPythonUdfs(const Context& context, bool required) {
  if (!required && !udf::HasPythonUdfs(context.root)) return std::nullopt;
  PythonUdfs python;
  python.runtime = &udf::LoadPythonRuntime();
  try {
    python.catalog =
        udf::UdfCatalog::FromDiscovery(python.runtime->Discover((context.root / "python_udfs").string()));
  } catch (const std::runtime_error& error) {
    throw UsageError("SF-UDF-004", error.what());
  }
  return python;
}

bool MentionsPythonFunc(const fs::path& pipeline_file) {
  std::ifstream in(pipeline_file);
  std::stringstream text;
  text << in.rdbuf();
  return util::ToUpper(text.str()).find("PYTHON_FUNC") != std::string::npos;
}

plan::PlanOptions MakePlanOptions(const Context& context, engine::Connection* connection,
                                  const PythonUdfs* python) {
  plan::PlanOptions options;
  options.cli_variables = context.variables;
  options.profile_variables = context.profile.variables;
  options.secret_variables = context.profile.secret_variables;
  const project::Environment* environment = &context.environment;
  options.environment = [environment](const std::string& name) { return environment->Get(name); };
  for (const auto& [name, connector] : context.profile.connectors) {
    options.connectors[name] = plan::ConnectorDefinition{connector.type, connector.params};
  }
  if (connection) {
    options.table_exists = [connection](const std::string& name) { return connection->TableExists(name); };
  }
  options.project_root = context.root;
  // The export ledger is read only when a local destination exists; a project without a state
  // store has recorded nothing.
  options.export_output = [root = context.root, store = std::shared_ptr<state::Store>()](
                              const std::string& path) mutable -> std::optional<state::ExportOutput> {
    if (!store && !state::Store::Exists(root)) return std::nullopt;
    if (!store) store = std::make_shared<state::Store>(root);
    return store->FindExportOutput(path);
  };
  if (python) options.udfs = &python->catalog;
  return options;
}

}  // namespace sqlflow::app
