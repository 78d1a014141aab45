#pragma once
// Ctrl-C (SIGINT) and SIGTERM during `pipeline run`. The signals are blocked before DuckDB starts
// its threads (they inherit the mask) and taken by one thread of ours, which acts by phase:
//   planning  nothing to roll back: the process exits with 130 at once;
//   running   the run's stop is requested: running statements are interrupted, nothing new
//             starts; every further signal says that the run is stopping;
//   finishing the run is over and its record is being written: signals are noted, not acted on,
//             so the record always ends the run (exit 130 follows when a stop was requested).

#include <atomic>
#include <stop_token>

namespace sqlflow::app {

class InterruptWatcher {
 public:
  // The process's one watcher, started on first use.
  static InterruptWatcher& Get();

  std::stop_token token() const { return source_.get_token(); }
  // What a first signal does while running, synchronously (the SQLFLOW_FAULT_INJECT stop hook).
  void RequestStop() { source_.request_stop(); }
  void Running() { phase_ = Phase::kRunning; }
  void Finishing() { phase_ = Phase::kFinishing; }
  int signals() const { return signals_; }

 private:
  enum class Phase { kPlanning, kRunning, kFinishing };
  InterruptWatcher();
  void Watch();

  std::stop_source source_;
  std::atomic<Phase> phase_{Phase::kPlanning};
  std::atomic<int> signals_{0};
};

}  // namespace sqlflow::app
