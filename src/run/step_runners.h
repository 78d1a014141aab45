#pragma once
// The runners of a run's steps: one per step kind (run/steps/), sharing a StepEnv (a DuckDB
// connection per worker, the sources defined so far, the schema guard). StepRunners is the
// StepRunner the scheduler calls: it runs a step's Python table UDFs, then the step's own runner.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "engine/duckdb.h"
#include "plan/plan.h"
#include "run/schema_guard.h"
#include "run/sources.h"
#include "run/step_runner.h"
#include "state/store.h"
#include "udf/catalog.h"
#include "udf/runtime.h"

namespace sqlflow::run {

struct RunOptions {
  std::string project_root;  // relative file paths in sources and exports resolve against it
  // Defaults for APPEND and MERGE when a statement's OPTIONS do not say (profile key `load`).
  bool strict_schema = false;
  bool add_columns = false;
  // The profile's schema.on_schema_change ("" is fail); checks need `store`.
  std::string on_schema_change;
  // The project's Python UDFs, when it has any: scalar ones are registered before the first
  // step, table ones run before the steps that call them.
  udf::PythonRuntime* python = nullptr;
  const udf::UdfCatalog* udfs = nullptr;
  // Watermarks and schema snapshots (null: no incremental reads, no drift checks).
  state::Store* store = nullptr;
  std::string pipeline;
  std::string run_id;
  // Record each committed LOAD and CREATE TABLE in the database's commit ledger (CommitLedger), in
  // the step's own transaction: a persistent database, where `--resume` may follow.
  bool commit_ledger = false;
  // A test hook (SQLFLOW_FAULT_INJECT="step_id=N,..."): the first N attempts of a step fail with a
  // transient error, so retries are tested for real. "step_id@point=kill" instead kills the process
  // (SIGKILL) when the step reaches that named point (KillAtInjectedPoint).
  std::map<std::string, int> injected_faults;
  // The same hook's "step_id=stop@POINT" entries: the run's stop is requested (request_stop) when
  // the step's commit reaches POINT (engine::CommitPointName), so a signal at that very moment is
  // tested for real.
  std::map<std::string, std::string> injected_stops;
  std::function<void()> request_stop;
};

// Parses SQLFLOW_FAULT_INJECT's value: its "step_id=N" entries, then its "step_id=stop@POINT" ones.
std::map<std::string, int> ParseFaultInjection(const std::string& spec);
std::map<std::string, std::string> ParseStopInjection(const std::string& spec);

// The test hook's named points: SIGKILLs this process when `options` name `step_id@point`.
void KillAtInjectedPoint(const RunOptions& options, const std::string& step_id, std::string_view point);

// What the runners of one run share.
class StepEnv {
 public:
  StepEnv(const engine::Database& database, RunOptions options, int workers);
  engine::Connection& connection(int worker) { return *connections_.at(static_cast<size_t>(worker)); }
  const RunOptions& options() const { return options_; }
  SourceRegistry& sources() { return sources_; }
  SchemaGuard& schema_guard() { return schema_guard_; }
  // Interrupts the statement running on every connection (callable from any thread).
  void Interrupt();

 private:
  RunOptions options_;
  std::vector<std::unique_ptr<engine::Connection>> connections_;
  SourceRegistry sources_;
  SchemaGuard schema_guard_;
};

class StepRunners : public StepRunner {
 public:
  // Opens one connection per worker, registers the scalar UDFs and drops staging tables that
  // killed runs left. Once `stop` is requested, running statements are interrupted.
  StepRunners(const engine::Database& database, RunOptions options, int workers, std::stop_token stop);
  ~StepRunners() override;
  void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) override;

 private:
  // The injected stop of a step (RunOptions::injected_stops), watching its connection's commits
  // while the step runs.
  class StopAtCommitPoint {
   public:
    StopAtCommitPoint(const RunOptions& options, const plan::Step& step, engine::Connection& connection);
    StopAtCommitPoint(const StopAtCommitPoint&) = delete;
    StopAtCommitPoint& operator=(const StopAtCommitPoint&) = delete;
    ~StopAtCommitPoint();

   private:
    engine::Connection& connection_;
  };

  void RegisterScalarUdfs();
  void RunTableUdfs(engine::Connection& connection, const plan::Step& step);
  void DropTableUdfResults(engine::Connection& connection, const plan::Step& step);

  StepEnv env_;
  std::map<plan::Step::Kind, std::unique_ptr<StepRunner>> runners_;
  std::optional<std::stop_callback<std::function<void()>>> on_stop_;
};

}  // namespace sqlflow::run
