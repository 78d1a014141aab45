#include "run/console_reporter.h"

#include <fmt/format.h>

#include "util/secrets.h"
#include "util/strings.h"

namespace sqlflow::run {

std::string DescribeStep(const plan::Step& step) {
  switch (step.kind) {
    case plan::Step::Kind::kSource: {
      // Where it reads: a file path, an S3 URI, or bucket with key or prefix.
      auto text = [&](const char* key) {
        return step.params.contains(key) && step.params[key].is_string() ? step.params[key].get<std::string>()
                                                                         : std::string();
      };
      std::string where = text("path");
      if (where.empty()) where = text("uri");
      if (where.empty() && !text("bucket").empty())
        where = "s3://" + text("bucket") + "/" + (text("key").empty() ? text("prefix") : text("key"));
      return fmt::format("{} {}", step.connector_type, where);
    }
    case plan::Step::Kind::kLoad:
      return fmt::format("{} <- {} ({})", step.target, step.load_source, lang::LoadModeName(step.mode.kind));
    case plan::Step::Kind::kTransform:
      return fmt::format("{} ({})", step.target, lang::LoadModeName(step.mode.kind));
    case plan::Step::Kind::kExport:
      return fmt::format("{} {}", step.export_type, step.target);
    case plan::Step::Kind::kSql: {
      std::string first_line = step.sql.substr(0, step.sql.find('\n'));
      return first_line.size() > 40 ? first_line.substr(0, 37) + "..." : first_line;
    }
  }
  return "";
}

ConsoleReporter::ConsoleReporter(std::FILE* out, bool color, const plan::Plan& plan, Verbosity verbosity,
                                 bool live)
    : out_(out),
      color_(color),
      plan_(plan),
      verbosity_(verbosity),
      live_(live),
      finished_(plan.steps.size()),
      running_(plan.steps.size(), false) {}

void ConsoleReporter::Print(const std::string& text) {
  fmt::print(out_, "{}", util::Redact(text));
}

std::string ConsoleReporter::Paint(const char* code, const std::string& text) const {
  return color_ ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

void ConsoleReporter::ClearLive() {
  if (!live_shown_) return;
  Print("\r\033[K");
  live_shown_ = false;
}

void ConsoleReporter::DrawLive() {
  if (!live_ || verbosity_ == Verbosity::kFailuresOnly) return;
  std::vector<std::string> running;
  for (size_t i = 0; i < running_.size(); ++i) {
    if (running_[i]) running.push_back(plan_.steps[i].id);
  }
  if (running.empty()) return ClearLive();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = fmt::format("[{}/{} done, {:.1f}s] running: {}", done_, plan_.steps.size(), elapsed,
                                 util::Join(running, ", "));
  if (line.size() > 100) line = line.substr(0, 97) + "...";
  Print(fmt::format("\r\033[K{}", Paint("2", line)));
  live_shown_ = true;
  std::fflush(out_);
}

static size_t IndexOf(const plan::Plan& plan, const plan::Step& step) {
  return static_cast<size_t>(&step - plan.steps.data());
}

void ConsoleReporter::StepStarted(const plan::Step& step, const StepOutcome&) {
  std::lock_guard lock(mutex_);
  running_[IndexOf(plan_, step)] = true;
  DrawLive();
}

void ConsoleReporter::StepRetrying(const plan::Step& step, const StepOutcome& outcome, double delay_seconds) {
  std::lock_guard lock(mutex_);
  if (verbosity_ == Verbosity::kFailuresOnly) return;
  ClearLive();
  Print(fmt::format("      {} {} failed (attempt {}): {}; retrying in {:.1f}s\n", Paint("33", "retry"),
                    step.id, outcome.retries, outcome.error.substr(0, outcome.error.find('\n')),
                    delay_seconds));
  DrawLive();
}

void ConsoleReporter::StepFinished(const plan::Step& step, const StepOutcome& outcome) {
  std::lock_guard lock(mutex_);
  size_t index = IndexOf(plan_, step);
  running_[index] = false;
  finished_[index] = outcome;
  ++done_;
  ClearLive();
  // Lines come out in plan order, so the output is the same whatever the timing.
  while (printed_ < finished_.size() && finished_[printed_]) PrintLine(printed_++);
  DrawLive();
  std::fflush(out_);
}

void ConsoleReporter::PrintLine(size_t index) {
  const plan::Step& step = plan_.steps[index];
  const StepOutcome& outcome = *finished_[index];
  bool failed = outcome.status == StepStatus::kFailed || outcome.status == StepStatus::kInterrupted;
  if (verbosity_ == Verbosity::kFailuresOnly && !failed && outcome.warnings.empty()) return;
  std::string status;
  switch (outcome.status) {
    case StepStatus::kSucceeded:
      status = Paint("32", "ok");
      break;
    case StepStatus::kFailed:
      status = Paint("1;31", "FAILED");
      break;
    case StepStatus::kInterrupted:
      status = Paint("1;31", "INTERRUPTED");
      break;
    case StepStatus::kSkipped:
      status = Paint("33", outcome.note.empty() ? "skipped" : "skipped (" + outcome.note + ")");
      break;
    default:
      status = StepStatusName(outcome.status);
  }
  std::string rows;
  if (step.kind != plan::Step::Kind::kSource && outcome.status == StepStatus::kSucceeded) {
    rows = fmt::format("{} {}", outcome.rows, outcome.rows == 1 ? "row" : "rows");
    std::string export_mode =
        step.kind == plan::Step::Kind::kExport ? util::ToLower(step.params.value("mode", "")) : "";
    if (step.mode.kind == lang::LoadMode::Kind::kMerge || export_mode == "merge" || export_mode == "upsert")
      rows = fmt::format("{} ins, {} upd", outcome.inserted, outcome.updated);
  }
  std::string time =
      outcome.status == StepStatus::kSkipped ? std::string() : fmt::format("{:.2f}s", outcome.seconds);
  if (outcome.retries > 0 && outcome.status != StepStatus::kSkipped)
    time += fmt::format(" ({} retries)", outcome.retries);
  // The index is padded to the width of the total so columns stay put from step 10 on.
  size_t digits = std::to_string(plan_.steps.size()).size();
  Print(fmt::format("[{:>{}}/{}] {:<28} {:<44} {:>12} {:>7}  {}\n", index + 1, digits, plan_.steps.size(),
                    step.id, DescribeStep(step), rows, time, status));
  if (verbosity_ == Verbosity::kWithSql && !step.sql.empty()) {
    for (const auto& line : util::Split(step.sql, '\n')) Print(fmt::format("      | {}\n", line));
  }
  for (const auto& warning : outcome.warnings) {
    // "CODE: message"; printed even when quiet: a drifting source is worth a line.
    size_t colon = warning.find(": ");
    Print(fmt::format("      {}: {}[{}]: {}\n", step.location.ToString(), Paint("33", "warning"),
                      warning.substr(0, colon), warning.substr(colon + 2)));
  }
  if (failed)
    Print(fmt::format("      {}: error[{}]: {}\n", step.location.ToString(), outcome.code, outcome.error));
}

void ConsoleReporter::PrintSummary(const RunSummary& summary) {
  std::lock_guard lock(mutex_);
  ClearLive();
  size_t succeeded = 0, failed = 0, skipped = 0;
  for (const auto& step : summary.steps) {
    if (step.status == StepStatus::kSucceeded) ++succeeded;
    if (step.status == StepStatus::kFailed || step.status == StepStatus::kInterrupted) ++failed;
    if (step.status == StepStatus::kSkipped) ++skipped;
  }
  std::string verdict = summary.interrupted ? Paint("1;31", "interrupted")
                        : summary.success() ? Paint("1;32", "succeeded")
                                            : Paint("1;31", "failed");
  Print(fmt::format("Pipeline {} {} in {:.2f}s: {} succeeded, {} failed, {} skipped\n", plan_.pipeline,
                    verdict, summary.seconds, succeeded, failed, skipped));
  std::fflush(out_);
}

}  // namespace sqlflow::run
