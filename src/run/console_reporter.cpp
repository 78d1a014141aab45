#include "run/console_reporter.h"

#include <fmt/format.h>

#include "util/strings.h"

namespace sqlflow::run {

std::string DescribeStep(const plan::Step& step) {
  switch (step.kind) {
    case plan::Step::Kind::kSource: {
      std::string where;
      if (step.params.contains("path") && step.params["path"].is_string())
        where = step.params["path"].get<std::string>();
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

ConsoleReporter::ConsoleReporter(std::FILE* out, bool color, size_t total_steps, Verbosity verbosity)
    : out_(out), color_(color), total_(total_steps), verbosity_(verbosity) {}

std::string ConsoleReporter::Paint(const char* code, const std::string& text) const {
  return color_ ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

void ConsoleReporter::StepStarted(const plan::Step&) {}

void ConsoleReporter::StepFinished(const plan::Step& step, const StepOutcome& outcome) {
  ++index_;
  bool failed = outcome.status == StepStatus::kFailed || outcome.status == StepStatus::kInterrupted;
  if (verbosity_ == Verbosity::kFailuresOnly && !failed) return;
  std::string status;
  switch (outcome.status) {
    case StepStatus::kSucceeded:
      status = Paint("32", "ok");
      break;
    case StepStatus::kFailed:
      status = Paint("1;31", "FAILED");
      break;
    case StepStatus::kSkipped:
      status = Paint("33", "skipped");
      break;
    case StepStatus::kInterrupted:
      status = Paint("1;31", "INTERRUPTED");
      break;
  }
  std::string rows = step.kind == plan::Step::Kind::kSource || outcome.status != StepStatus::kSucceeded
                         ? std::string()
                         : fmt::format("{} {}", outcome.rows, outcome.rows == 1 ? "row" : "rows");
  if (step.mode.kind == lang::LoadMode::Kind::kMerge && outcome.status == StepStatus::kSucceeded) {
    rows = fmt::format("{} ins, {} upd", outcome.inserted, outcome.updated);
  }
  std::string time =
      outcome.status == StepStatus::kSkipped ? std::string() : fmt::format("{:.2f}s", outcome.seconds);
  fmt::print(out_, "[{}/{}] {:<28} {:<44} {:>12} {:>7}  {}\n", index_, total_, step.id, DescribeStep(step),
             rows, time, status);
  if (verbosity_ == Verbosity::kWithSql && !step.sql.empty()) {
    for (const auto& line : util::Split(step.sql, '\n')) fmt::print(out_, "      | {}\n", line);
  }
  if (failed)
    fmt::print(out_, "      {}: error[{}]: {}\n", step.location.ToString(), outcome.code, outcome.error);
  std::fflush(out_);
}

void ConsoleReporter::PrintSummary(const plan::Plan& plan, const RunSummary& summary) {
  size_t succeeded = 0, failed = 0, skipped = 0;
  for (const auto& step : summary.steps) {
    if (step.status == StepStatus::kSucceeded) ++succeeded;
    if (step.status == StepStatus::kFailed || step.status == StepStatus::kInterrupted) ++failed;
    if (step.status == StepStatus::kSkipped) ++skipped;
  }
  std::string verdict = summary.interrupted ? Paint("1;31", "interrupted")
                        : summary.success() ? Paint("1;32", "succeeded")
                                            : Paint("1;31", "failed");
  fmt::print(out_, "Pipeline {} {} in {:.2f}s: {} succeeded, {} failed, {} skipped\n", plan.pipeline, verdict,
             summary.seconds, succeeded, failed, skipped);
  std::fflush(out_);
}

}  // namespace sqlflow::run
