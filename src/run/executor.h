#pragma once
// Runs a plan's steps as a DAG on a pool of workers, each with its own DuckDB connection to the
// same database. A step starts as soon as every step it depends on has succeeded.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/registry.h"
#include "engine/duckdb.h"
#include "plan/plan.h"
#include "state/store.h"
#include "udf/catalog.h"
#include "udf/runtime.h"

namespace sqlflow::run {

enum class StepStatus { kPending, kRunning, kSucceeded, kFailed, kSkipped, kRetrying, kInterrupted };
const char* StepStatusName(StepStatus status);

enum class FailurePolicy {
  kFailFast,  // after a failure no new step starts; running ones finish; the rest are SKIPPED
  kContinue,  // everything not downstream of a failure still runs
};
const char* FailurePolicyName(FailurePolicy policy);

struct StepOutcome {
  std::string id;
  StepStatus status = StepStatus::kPending;
  uint64_t rows = 0;      // rows written (or changed, for plain SQL)
  uint64_t inserted = 0;  // table writes: rows inserted and updated (MERGE)
  uint64_t updated = 0;
  uint64_t rows_read = 0;
  uint64_t bytes = 0;  // bytes written to files by exports, read from files by loads
  int retries = 0;
  double started_at = 0;  // seconds since the epoch
  double ended_at = 0;
  double seconds = 0;
  std::string error;                  // DuckDB's or the connector's message
  std::string code;                   // stable error code
  std::string note;                   // why a step was skipped
  std::vector<std::string> warnings;  // "CODE: message": worth telling, not failing the step
  double schema_check_seconds = 0;    // LOAD: capturing and comparing the source's schema
  // LOAD: the schema snapshot that becomes the accepted one once the load has committed (the
  // first run's baseline, or an evolved schema); 0 for none.
  int64_t accept_snapshot = 0;
};

struct RunSummary {
  std::vector<StepOutcome> steps;  // in plan order
  double seconds = 0;
  bool interrupted = false;
  bool success() const;
};

// Receives progress from the executor's threads; implementations serialize themselves.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void StepStarted(const plan::Step& step, const StepOutcome& outcome) = 0;
  virtual void StepRetrying(const plan::Step& step, const StepOutcome& outcome, double delay_seconds) = 0;
  virtual void StepFinished(const plan::Step& step, const StepOutcome& outcome) = 0;
};

struct ExecutorOptions {
  std::string project_root;  // relative file paths in sources and exports resolve against it
  // Defaults for APPEND and MERGE when a statement's OPTIONS do not say (profile key `load`).
  bool strict_schema = false;
  bool add_columns = false;
  // What a LOAD does when its source's schema drifted from the accepted one, unless the SOURCE's
  // PARAMS say (`on_schema_change`): fail, warn, evolve or ignore; "" is fail (profile key
  // `schema.on_schema_change`). Needs `store`.
  std::string on_schema_change;
  // The project's Python UDFs, when it has any: scalar ones are registered before the first
  // step, table ones run before the steps that call them.
  udf::PythonRuntime* python = nullptr;
  const udf::UdfCatalog* udfs = nullptr;
  int workers = 1;
  FailurePolicy policy = FailurePolicy::kFailFast;
  int retries = 0;           // further attempts after a transient failure
  double retry_delay = 1.0;  // seconds before the first retry; doubled each time, with jitter
  // Where incremental sources keep their watermarks (null: no incremental reads).
  state::Store* store = nullptr;
  std::string pipeline;
  std::string run_id;
  // When not empty, only these steps run; the others count as done (their tables exist).
  // SOURCE steps always run: they only define how to read.
  std::set<std::string> selected;
};

// The default number of workers: DuckDB parallelizes each query itself, so running more steps
// than half the cores at once mostly adds contention; at least two keep I/O-bound steps overlapping.
int DefaultWorkers();

class Executor {
 public:
  Executor(const engine::Database& database, ExecutorOptions options);
  // Runs the plan; reporters may be empty.
  RunSummary Run(const plan::Plan& plan, const std::vector<Reporter*>& reporters);
  // Stops the run: running statements are interrupted and no further step starts.
  void Interrupt();

 private:
  void RunStep(engine::Connection& connection, const plan::Step& step, StepOutcome& outcome,
               const std::vector<Reporter*>& reporters);
  void Execute(engine::Connection& connection, const plan::Step& step, StepOutcome& outcome);
  // `check_new_rows`: engine::WriteMode::check_new_rows (the schema drift check of a LOAD).
  void WriteTable(engine::Connection& connection, const plan::Step& step, const std::string& query,
                  StepOutcome& outcome,
                  std::function<bool(const std::vector<engine::Column>&)> check_new_rows = {});
  struct SourceDefinition;
  // Compares the source's schema with the accepted one and applies its policy (see
  // docs/schema_management.md): `columns` as the load's own read found them, or, for a streaming
  // source that did not report them, those of `staging`, the table it was read into. Returns
  // whether the load may add new columns (evolve). Throws a step error (SF-RUN-009) when the
  // policy fails the step.
  bool CheckSourceSchema(engine::Connection& connection, const plan::Step& step,
                         const SourceDefinition& source, StepOutcome& outcome,
                         const std::vector<engine::Column>* columns, const std::string& staging = "");
  // Whether the LOADs of `source` check its schema (a state store, a policy other than ignore).
  bool ChecksSchema(const SourceDefinition& source) const;
  void AcceptCommittedSchema(StepOutcome& outcome);
  uint64_t Export(engine::Connection& connection, const plan::Step& step, uint64_t& bytes);
  static uint64_t CopyTo(engine::Connection& connection, const plan::Step& step,
                         const connectors::Connector& connector, const std::filesystem::path& file);
  uint64_t ExportToS3(engine::Connection& connection, const plan::Step& step,
                      const connectors::Connector& connector, uint64_t& bytes);
  void RegisterScalarUdfs(engine::Connection& connection);
  void RunTableUdfs(engine::Connection& connection, const plan::Step& step);
  void DropTableUdfResults(engine::Connection& connection, const plan::Step& step);
  uint64_t RowsOfTables(engine::Connection& connection, const std::vector<std::string>& tables);

  const engine::Database& database_;
  ExecutorOptions options_;
  std::vector<std::unique_ptr<engine::Connection>> connections_;
  std::mutex sources_mutex_;
  // What each SOURCE defined, by lower-case name: its connector, parameters and query.
  struct SourceDefinition {
    const connectors::Connector* connector = nullptr;
    nlohmann::json params;
    std::string query;          // for connectors DuckDB reads itself
    std::string file;           // a single named file, for the bytes metric
    std::string schema_policy;  // on_schema_change of its PARAMS, lower case; "" = the default
  };
  std::mutex schema_mutex_;  // one drift check at a time: loads of one source share a baseline
  std::map<std::string, SourceDefinition> sources_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace sqlflow::run
