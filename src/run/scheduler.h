#pragma once
// Runs a plan's steps as a DAG on a pool of workers. It knows only StepRunner: readiness (a step
// starts once every step it depends on succeeded, lowest plan position first), the failure
// policy, retries of transient failures and interruption. Time comes from a util::Clock, so tests
// decide it.

#include <cstdint>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "run/outcome.h"
#include "run/step_runner.h"
#include "util/clock.h"

namespace sqlflow::run {

struct RetryPolicy {
  int retries = 0;           // further attempts after a transient failure
  double first_delay = 1.0;  // seconds before the first retry; doubled each time
  double jitter = 0.25;      // up to this fraction is added at random
  // The wait before retry number `retry` (1-based); `unit` is a random number in [0, 1).
  double Delay(int retry, double unit) const;
};

struct SchedulerOptions {
  int workers = 1;
  FailurePolicy policy = FailurePolicy::kFailFast;
  RetryPolicy retry;
  // When not empty, only these steps run; the others count as done (their tables exist). SOURCE
  // steps always run: they only define how to read.
  std::set<std::string> selected;
  util::Clock* clock = nullptr;  // null: util::SystemClock()
  uint32_t jitter_seed = 0;      // 0: random
  // A test hook (SQLFLOW_THREAD_LIMIT): worker threads beyond this many fail to start, as when the
  // system refuses them (RLIMIT_NPROC); negative: no limit.
  int thread_limit = -1;
};

// The default number of workers: DuckDB parallelizes each query itself, so running more steps
// than half the cores at once mostly adds contention; at least two keep I/O-bound steps overlapping.
int DefaultWorkers();

class Scheduler {
 public:
  Scheduler(StepRunner& runner, SchedulerOptions options);
  // Runs the plan; reporters may be empty. Once `stop` is requested no step starts, retries end,
  // and the summary says interrupted.
  RunSummary Run(const plan::Plan& plan, const std::vector<Reporter*>& reporters, std::stop_token stop);

 private:
  StepRunner& runner_;
  SchedulerOptions options_;
};

}  // namespace sqlflow::run
