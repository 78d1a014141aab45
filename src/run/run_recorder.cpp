#include "run/run_recorder.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/process.h"
#include "util/secrets.h"

namespace sqlflow::run {

int64_t PeakMemoryBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

RunRecorder::RunRecorder(state::Store& store, const plan::Plan& plan, state::RunRecord run,
                         const std::filesystem::path& log_dir)
    : store_(store), plan_(plan), run_(std::move(run)) {
  std::filesystem::path folder = log_dir / run_.run_id;
  std::filesystem::create_directories(folder);
  log_path_ = folder / "events.jsonl";
  log_ = std::fopen(log_path_.c_str(), "a");
}

RunRecorder::~RunRecorder() {
  if (log_) std::fclose(log_);
}

void RunRecorder::Log(const nlohmann::json& event) {
  if (!log_) return;
  nlohmann::json line = util::RedactJson(event);
  line["ts"] = state::Now();
  line["run_id"] = run_.run_id;
  // Never throws: a full disk must not stop the run from recording what it can in the store.
  std::string text = line.dump() + "\n";
  if (std::fwrite(text.data(), 1, text.size(), log_) == text.size()) std::fflush(log_);
}

state::StepRecord RunRecorder::Record(const plan::Step& step, const StepOutcome& outcome,
                                      const char* status) const {
  state::StepRecord record;
  record.run_id = run_.run_id;
  record.step_id = step.id;
  record.position = static_cast<int>(&step - plan_.steps.data());
  record.kind = plan::StepKindName(step.kind);
  record.target = util::Redact(step.target);
  record.depends_on_json = nlohmann::json(step.depends_on).dump();
  record.status = status;
  record.started_at = outcome.started_at;
  record.ended_at = outcome.ended_at;
  record.rows_read = static_cast<int64_t>(outcome.rows_read);
  record.rows_written = static_cast<int64_t>(outcome.rows);
  record.bytes = static_cast<int64_t>(outcome.bytes);
  record.retries = outcome.retries;
  record.error = util::Redact(outcome.error.empty() ? outcome.note : outcome.error);
  record.error_code = outcome.code;
  record.location = step.location.ToString();
  return record;
}

void RunRecorder::Begin() {
  std::lock_guard lock(mutex_);
  run_.status = "RUNNING";
  run_.started_at = state::Now();
  run_.pid = ::getpid();
  run_.pid_start = static_cast<int64_t>(util::ProcessStartTime(run_.pid).value_or(0));
  store_.SaveRun(run_);
  for (const auto& step : plan_.steps) store_.SaveStep(Record(step, StepOutcome{}, "PENDING"));
  Log({{"event", "run_started"},
       {"pipeline", run_.pipeline},
       {"profile", run_.profile},
       {"steps", plan_.steps.size()},
       {"threads", run_.threads},
       {"policy", run_.policy}});
}

void RunRecorder::StepStarted(const plan::Step& step, const StepOutcome& outcome) {
  std::lock_guard lock(mutex_);
  Log({{"event", "step_started"}, {"step", step.id}});
  store_.SaveStep(Record(step, outcome, "RUNNING"));
}

void RunRecorder::StepRetrying(const plan::Step& step, const StepOutcome& outcome, double delay_seconds) {
  std::lock_guard lock(mutex_);
  Log({{"event", "step_retrying"},
       {"step", step.id},
       {"attempt", outcome.retries},
       {"error", outcome.error},
       {"delay", delay_seconds}});
  store_.SaveStep(Record(step, outcome, "RETRYING"));
}

void RunRecorder::StepFinished(const plan::Step& step, const StepOutcome& outcome) {
  std::lock_guard lock(mutex_);
  nlohmann::json event = {{"event", "step_finished"},
                          {"step", step.id},
                          {"status", StepStatusName(outcome.status)},
                          {"seconds", outcome.seconds},
                          {"rows_written", outcome.rows},
                          {"rows_read", outcome.rows_read},
                          {"bytes", outcome.bytes},
                          {"retries", outcome.retries}};
  if (!outcome.error.empty()) {
    event["error"] = outcome.error;
    event["code"] = outcome.code;
  }
  // The event log first: it tells the truth even when the store cannot be written.
  Log(event);
  store_.SaveStep(Record(step, outcome, StepStatusName(outcome.status)));
}

void RunRecorder::End(const RunSummary& summary) {
  std::lock_guard lock(mutex_);
  run_.status = summary.interrupted ? "INTERRUPTED" : summary.success() ? "SUCCEEDED" : "FAILED";
  run_.ended_at = state::Now();
  run_.peak_memory_bytes = PeakMemoryBytes();
  for (size_t i = 0; i < summary.steps.size(); ++i) {
    const auto& outcome = summary.steps[i];
    if (outcome.status != StepStatus::kFailed && outcome.status != StepStatus::kInterrupted) continue;
    run_.error = util::Redact(fmt::format("{}: {}", outcome.id, outcome.error));
    run_.error_code = outcome.code;
    run_.error_location = plan_.steps[i].location.ToString();
    break;
  }
  if (run_.error.empty() && !summary.reporter_error.empty()) {
    run_.error =
        util::Redact("the run stopped because its progress could not be recorded: " + summary.reporter_error);
    run_.error_code = "SF-STATE-002";
  }
  Log({{"event", "run_finished"},
       {"status", run_.status},
       {"seconds", summary.seconds},
       {"peak_memory_bytes", run_.peak_memory_bytes}});
  try {
    store_.SaveRun(run_);
  } catch (const state::StoreError& error) {
    Log({{"event", "record_failed"}, {"error", error.what()}});
    throw;
  }
}

}  // namespace sqlflow::run
