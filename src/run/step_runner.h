#pragma once
// The one interface the scheduler knows: something that runs a step. One runner per step kind
// (run/steps/), behind run::StepRunners which dispatches on the kind.

#include <stdexcept>
#include <stop_token>
#include <string>

#include "plan/plan.h"
#include "run/outcome.h"

namespace sqlflow::run {

struct StepContext {
  int worker = 0;   // the worker thread's index: runners keep one DuckDB connection per worker
  int attempt = 0;  // 0 for the first try, 1 for the first retry, ...
  std::stop_token stop;
};

class StepRunner {
 public:
  virtual ~StepRunner() = default;
  // Runs `step`, filling `outcome`'s counters and warnings. A failure is thrown; the scheduler
  // classifies it (ClassifyFailure) and decides about retries.
  virtual void Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) = 0;
};

// A step's failure that is not DuckDB's or a connector's own error: a stable code and whether it
// is worth retrying.
class StepError : public std::runtime_error {
 public:
  StepError(std::string code, const std::string& message, bool transient = false)
      : std::runtime_error(message), code_(std::move(code)), transient_(transient) {}
  const std::string& code() const { return code_; }
  bool transient() const { return transient_; }

 private:
  std::string code_;
  bool transient_;
};

}  // namespace sqlflow::run
