// CREATE TABLE ... AS: the query's rows written to the target with the statement's mode.

#include "run/steps/steps.h"

namespace sqlflow::run::steps {

namespace {

class TransformRunner : public StepRunner {
 public:
  explicit TransformRunner(StepEnv& env) : env_(env) {}
  void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) override {
    engine::Connection& connection = env_.connection(context.worker);
    outcome.rows_read = RowsOfTables(connection, step.reads);
    WriteTable(connection, step, env_.options(), step.sql, outcome);
  }

 private:
  StepEnv& env_;
};

}  // namespace

std::unique_ptr<StepRunner> MakeTransformRunner(StepEnv& env) {
  return std::make_unique<TransformRunner>(env);
}

}  // namespace sqlflow::run::steps
