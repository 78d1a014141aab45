#pragma once
// Runs a plan's steps in order on one DuckDB connection, fail-fast.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/duckdb.h"
#include "plan/plan.h"
#include "udf/catalog.h"
#include "udf/runtime.h"

namespace sqlflow::run {

enum class StepStatus { kSucceeded, kFailed, kSkipped, kInterrupted };
const char* StepStatusName(StepStatus status);

struct StepOutcome {
  std::string id;
  StepStatus status = StepStatus::kSkipped;
  uint64_t rows = 0;
  uint64_t inserted = 0;  // table writes: rows inserted and updated (MERGE)
  uint64_t updated = 0;
  double seconds = 0;
  std::string error;  // DuckDB's or the connector's message
  std::string code;   // stable error code
};

struct RunSummary {
  std::vector<StepOutcome> steps;  // in plan order
  double seconds = 0;
  bool interrupted = false;
  bool success() const;
};

// Receives progress; the CLI prints it, tests record it.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void StepStarted(const plan::Step& step) = 0;
  virtual void StepFinished(const plan::Step& step, const StepOutcome& outcome) = 0;
};

struct ExecutorOptions {
  std::string project_root;  // relative file paths in sources and exports resolve against it
  // Defaults for APPEND and MERGE when a statement's OPTIONS do not say (profile key `load`).
  bool strict_schema = false;
  bool add_columns = false;
  // The project's Python UDFs, when it has any: scalar ones are registered before the first
  // step, table ones run before the steps that call them.
  udf::PythonRuntime* python = nullptr;
  const udf::UdfCatalog* udfs = nullptr;
};

class Executor {
 public:
  Executor(engine::Connection& connection, ExecutorOptions options);
  RunSummary Run(const plan::Plan& plan, Reporter* reporter);
  // Stops the run: the running statement is interrupted and no further step starts.
  void Interrupt();

 private:
  void Execute(const plan::Step& step, StepOutcome& outcome);
  void WriteTable(const plan::Step& step, const std::string& query, StepOutcome& outcome);
  void RegisterScalarUdfs();
  void RunTableUdfs(const plan::Step& step);
  void DropTableUdfResults(const plan::Step& step);
  uint64_t Export(const plan::Step& step);

  engine::Connection& connection_;
  ExecutorOptions options_;
  std::map<std::string, std::string> source_queries_;  // source name (lower case) -> query
  std::atomic<bool> interrupted_{false};
};

}  // namespace sqlflow::run
