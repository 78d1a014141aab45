#pragma once
// What each SOURCE step defined, for the LOADs that read it: its connector, parameters, the query
// DuckDB runs for it, and (for incremental sources) the watermark, read once per run.

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/registry.h"
#include "plan/plan.h"
#include "state/store.h"

namespace sqlflow::run {

struct SourceDefinition {
  std::string name;  // as the SOURCE wrote it
  const connectors::Connector* connector = nullptr;
  nlohmann::json params;
  std::string query;          // for a QuerySource: what DuckDB runs to read it
  std::string file;           // a single named file, for the bytes metric
  std::string schema_policy;  // on_schema_change of its PARAMS, lower case; "" = the default
  // Incremental (sync_mode incremental with a cursor_field): the column that only grows.
  std::string cursor_field;
};

// A SOURCE step's definition, as a run makes it (also for `schema compare`, so a source is
// prepared exactly as a run prepares it). Relative paths resolve against `root`. Throws StepError.
SourceDefinition DefineSource(const plan::Step& step, const std::string& root);

// The definitions of one run, by case-insensitive name; thread-safe.
class SourceRegistry {
 public:
  SourceRegistry(state::Store* store, std::string pipeline) : store_(store), pipeline_(std::move(pipeline)) {}
  void Define(SourceDefinition definition);
  // Throws StepError (SF-RUN-004) when no SOURCE of that name ran.
  SourceDefinition Find(const std::string& name);
  // The watermark an incremental source's loads start from: the one the store held when this run
  // first asked, so every LOAD of the source in the run reads the same rows.
  std::optional<std::string> Watermark(const std::string& name);
  // Records the watermark a committed load reached.
  void SaveWatermark(const std::string& name, const std::string& cursor_field, const std::string& value,
                     const std::string& run_id);

 private:
  state::Store* store_;
  std::string pipeline_;
  std::mutex mutex_;
  std::map<std::string, SourceDefinition> sources_;
  std::map<std::string, std::optional<std::string>> watermarks_;
};

}  // namespace sqlflow::run
