#pragma once
// One runner per step kind, each in its own file.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "run/step_runner.h"
#include "run/step_runners.h"

namespace sqlflow::run::steps {

std::unique_ptr<StepRunner> MakeSourceRunner(StepEnv& env);
std::unique_ptr<StepRunner> MakeLoadRunner(StepEnv& env);
std::unique_ptr<StepRunner> MakeTransformRunner(StepEnv& env);
std::unique_ptr<StepRunner> MakeExportRunner(StepEnv& env);
std::unique_ptr<StepRunner> MakeSqlRunner(StepEnv& env);

// LOAD and CREATE TABLE: writes `query`'s rows to the step's target with the step's mode (MODE
// ... OPTIONS over the profile's defaults) in one transaction; fills the outcome's counters.
void WriteTable(engine::Connection& connection, const plan::Step& step, const RunOptions& options,
                const std::string& query, StepOutcome& outcome,
                std::function<bool(const std::vector<engine::Column>&)> check_new_rows = {});
// What a step's write does right before its transaction commits: records the step in the commit
// ledger when the run keeps one (RunOptions::commit_ledger), else nothing.
std::function<void()> RecordCommit(engine::Connection& connection, const plan::Step& step,
                                   const RunOptions& options);
// The estimated size of the tables a step reads (a metric; 0 when unknown).
uint64_t RowsOfTables(engine::Connection& connection, const std::vector<std::string>& tables);

}  // namespace sqlflow::run::steps
