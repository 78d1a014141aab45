#pragma once
// Planning and running a pipeline, between the CLI (arguments, rendering, exit codes) and the
// core: which database to open and how, whether Python is needed, the run's options from flags
// and profile, step selection, the recorder.

#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "app/context.h"
#include "engine/duckdb.h"
#include "plan/plan.h"
#include "run/outcome.h"
#include "run/scheduler.h"
#include "run/step_runners.h"
#include "state/store.h"

namespace sqlflow::app {

// The database a pipeline command plans against (and runs on). Validation and compilation never
// create a persistent database; they read it when it exists.
struct OpenDatabase {
  std::optional<engine::Database> database;
  std::optional<engine::Connection> connection;
};
OpenDatabase OpenForPlanning(const Context& context);
OpenDatabase OpenForRun(const Context& context);

// Plans a pipeline. Python starts only when the pipeline needs it: it writes PYTHON_FUNC, or its
// SQL calls a function named like one in python_udfs/ (then the plan is made again with the UDFs).
plan::Plan PlanPipeline(const Context& context, const std::string& name, engine::Connection* connection,
                        std::optional<PythonUdfs>& python);
// Plans pipeline `name` against the profile's database (read-only when it exists, else in memory).
plan::Plan PlanForCommand(const Context& context, const std::string& name);

// The steps a partial run selects (empty: all), from --only, --from or --resume. `persistent` is
// the persistent database (null: in memory), whose commit ledger --resume also reads.
std::set<std::string> SelectSteps(const plan::Plan& plan, const RunOptions& run, state::Store& store,
                                  engine::Connection* persistent);

// One `pipeline run`: made ready (database open, plan made, options resolved, run recorded as
// RUNNING) by the constructor, then Run().
class PipelineRun {
 public:
  PipelineRun(const Context& context, const std::string& name, const RunOptions& run);
  ~PipelineRun();

  const plan::Plan& plan() const { return plan_; }
  const std::string& run_id() const;
  int workers() const { return scheduling_.workers; }
  bool in_memory() const { return database_.database->in_memory(); }
  // Why the run uses fewer workers than asked (steps that change their connection's session).
  const std::vector<std::string>& notes() const { return notes_; }

  // Runs the plan; `reporters` are told besides the recorder. Once `stop` is requested, running
  // statements are interrupted and nothing new starts. The run's final record is written before
  // it returns.
  run::RunSummary Run(const std::vector<run::Reporter*>& reporters, std::stop_token stop);

 private:
  OpenDatabase database_;
  std::optional<PythonUdfs> python_;
  plan::Plan plan_;
  run::SchedulerOptions scheduling_;
  std::vector<std::string> notes_;
  std::unique_ptr<state::Store> store_;
  struct Recording;
  std::unique_ptr<Recording> recording_;
};

}  // namespace sqlflow::app
