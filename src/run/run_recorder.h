#pragma once
// Records a run as it happens: the state store (runs and steps, for `sqlflow status` from another
// process) and a JSON-lines event log under target/runs/<run id>/events.jsonl.

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include "run/outcome.h"
#include "state/store.h"

namespace sqlflow::run {

class RunRecorder : public Reporter {
 public:
  RunRecorder(state::Store& store, const plan::Plan& plan, state::RunRecord run,
              const std::filesystem::path& log_dir);
  ~RunRecorder() override;

  const std::string& run_id() const { return run_.run_id; }
  std::filesystem::path log_path() const { return log_path_; }

  // The run as RUNNING and every step as PENDING.
  void Begin();
  void StepStarted(const plan::Step& step, const StepOutcome& outcome) override;
  void StepRetrying(const plan::Step& step, const StepOutcome& outcome, double delay_seconds) override;
  void StepFinished(const plan::Step& step, const StepOutcome& outcome) override;
  // The run's outcome, with the first failure's error and location.
  void End(const RunSummary& summary);

 private:
  state::StepRecord Record(const plan::Step& step, const StepOutcome& outcome, const char* status) const;
  void Log(const nlohmann::json& event);

  state::Store& store_;
  const plan::Plan& plan_;
  state::RunRecord run_;
  std::filesystem::path log_path_;
  std::FILE* log_ = nullptr;
  std::mutex mutex_;
};

// The process's peak resident memory so far, in bytes.
int64_t PeakMemoryBytes();

}  // namespace sqlflow::run
