// SOURCE: defines how to read; nothing is read until a LOAD of it runs.

#include "run/steps/steps.h"

namespace sqlflow::run::steps {

namespace {

class SourceRunner : public StepRunner {
 public:
  explicit SourceRunner(StepEnv& env) : env_(env) {}
  void Run(StepContext&, const plan::Step& step, StepOutcome&) override {
    env_.sources().Define(DefineSource(step, env_.options().project_root));
  }

 private:
  StepEnv& env_;
};

}  // namespace

std::unique_ptr<StepRunner> MakeSourceRunner(StepEnv& env) {
  return std::make_unique<SourceRunner>(env);
}

}  // namespace sqlflow::run::steps
