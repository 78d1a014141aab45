// Plain SQL: run verbatim.

#include "run/steps/steps.h"

namespace sqlflow::run::steps {

namespace {

class SqlRunner : public StepRunner {
 public:
  explicit SqlRunner(StepEnv& env) : env_(env) {}
  void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) override {
    engine::Connection& connection = env_.connection(context.worker);
    outcome.rows_read = RowsOfTables(connection, step.reads);
    outcome.rows = connection.Query(step.sql).AffectedRows();
  }

 private:
  StepEnv& env_;
};

}  // namespace

std::unique_ptr<StepRunner> MakeSqlRunner(StepEnv& env) {
  return std::make_unique<SqlRunner>(env);
}

}  // namespace sqlflow::run::steps
