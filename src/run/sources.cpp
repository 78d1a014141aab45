#include "run/sources.h"

#include "connectors/files.h"
#include "run/step_runner.h"
#include "util/strings.h"

namespace sqlflow::run {

SourceDefinition DefineSource(const plan::Step& step, const std::string& root) {
  const connectors::Connector* connector = connectors::FindConnector(step.connector_type);
  if (!connector) throw StepError("SF-RUN-003", "unknown connector type " + step.connector_type);
  SourceDefinition source;
  source.name = step.source_name;
  source.connector = connector;
  source.params = step.params;
  // Every SOURCE's own key, never the connector's business.
  source.schema_policy = util::ToLower(source.params.value(connectors::kSchemaPolicyParam, std::string()));
  source.params.erase(connectors::kSchemaPolicyParam);
  if (const auto* query = connector->query_source()) source.query = query->SourceQuery(source.params, root);
  // One named file (not a glob or a list): its size is what a load of it reads.
  if (step.params.contains("path") && step.params["path"].is_string()) {
    std::string path = step.params["path"].get<std::string>();
    if (path.find_first_of("*?[") == std::string::npos) source.file = connectors::ResolvePath(path, root);
  }
  std::string cursor = source.params.value("cursor_field", std::string());
  if (util::EqualsIgnoreCase(source.params.value("sync_mode", std::string()), "incremental"))
    source.cursor_field = cursor;
  return source;
}

void SourceRegistry::Define(SourceDefinition definition) {
  std::lock_guard lock(mutex_);
  std::string key = util::ToLower(definition.name);
  sources_[key] = std::move(definition);
}

SourceDefinition SourceRegistry::Find(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = sources_.find(util::ToLower(name));
  if (it == sources_.end()) throw StepError("SF-RUN-004", "source '" + name + "' was not defined");
  return it->second;
}

std::optional<std::string> SourceRegistry::Watermark(const std::string& name) {
  if (!store_) return std::nullopt;
  std::lock_guard lock(mutex_);
  std::string key = util::ToLower(name);
  auto it = watermarks_.find(key);
  if (it == watermarks_.end()) it = watermarks_.emplace(key, store_->Watermark(pipeline_, key)).first;
  return it->second;
}

void SourceRegistry::SaveWatermark(const std::string& name, const std::string& cursor_field,
                                   const std::string& value, const std::string& run_id) {
  if (!store_) return;
  std::lock_guard lock(mutex_);
  store_->SaveWatermark(pipeline_, util::ToLower(name), cursor_field, value, run_id);
}

}  // namespace sqlflow::run
