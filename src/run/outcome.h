#pragma once
// What a run reports: each step's status and counters, the run's summary, and the Reporter
// interface through which the scheduler tells the console and the recorder.

#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan.h"

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
};

struct RunSummary {
  std::vector<StepOutcome> steps;  // in plan order
  double seconds = 0;
  bool interrupted = false;
  // A reporter (the run recorder) failed: the run stopped starting steps and fails.
  std::string reporter_error;
  bool success() const;
};

// Receives progress from the scheduler's threads; implementations serialize themselves. An
// exception from a reporter never ends the process: the scheduler stops the run and records it in
// RunSummary::reporter_error.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void StepStarted(const plan::Step& step, const StepOutcome& outcome) = 0;
  virtual void StepRetrying(const plan::Step& step, const StepOutcome& outcome, double delay_seconds) = 0;
  virtual void StepFinished(const plan::Step& step, const StepOutcome& outcome) = 0;
};

}  // namespace sqlflow::run
