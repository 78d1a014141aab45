#include <ctime>

#include <fmt/format.h>

#include "cli/commands.h"
#include "state/store.h"

namespace sqlflow::cli {

namespace {

std::string FormatTime(double epoch_seconds) {
  if (epoch_seconds <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &utc);
  return text;
}

std::string Duration(double started, double ended) {
  if (started <= 0) return "-";
  double end = ended > 0 ? ended : state::Now();
  return fmt::format("{:.2f}s{}", end - started, ended > 0 ? "" : " so far");
}

nlohmann::json RunJson(const state::RunRecord& run) {
  return {{"run_id", run.run_id},
          {"pipeline", run.pipeline},
          {"profile", run.profile},
          {"status", run.status},
          {"started_at", run.started_at},
          {"ended_at", run.ended_at},
          {"variables",
           nlohmann::json::parse(run.variables_json.empty() ? "{}" : run.variables_json, nullptr, false)},
          {"error", run.error},
          {"error_code", run.error_code},
          {"error_location", run.error_location},
          {"peak_memory_bytes", run.peak_memory_bytes},
          {"threads", run.threads},
          {"policy", run.policy}};
}

nlohmann::json StepJson(const state::StepRecord& step) {
  return {{"step_id", step.step_id},
          {"position", step.position},
          {"kind", step.kind},
          {"target", step.target},
          {"depends_on", nlohmann::json::parse(step.depends_on_json, nullptr, false)},
          {"status", step.status},
          {"started_at", step.started_at},
          {"ended_at", step.ended_at},
          {"rows_read", step.rows_read},
          {"rows_written", step.rows_written},
          {"bytes", step.bytes},
          {"retries", step.retries},
          {"error", step.error},
          {"error_code", step.error_code},
          {"location", step.location}};
}

}  // namespace

int StatusCommand(const std::string& run_id, const GlobalOptions& options) {
  Context context = LoadContext(options);
  state::Store store(context.root);
  auto run = run_id.empty() ? store.LatestRun() : store.FindRun(run_id);
  if (!run) {
    throw lang::UsageError("SF-STATE-001", run_id.empty() ? "no runs recorded yet" : "no run " + run_id,
                           "see `sqlflow runs`");
  }
  std::vector<state::StepRecord> steps = store.ListSteps(run->run_id);
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& step : steps) list.push_back(StepJson(step));
    fmt::print("{}\n", nlohmann::json{{"run", RunJson(*run)}, {"steps", list}}.dump(2));
    return 0;
  }
  fmt::print("Run {}: {} (profile {}) {}\n", run->run_id, run->pipeline, run->profile, run->status);
  fmt::print("  started {} UTC, {}, {} worker{}, {}\n", FormatTime(run->started_at),
             Duration(run->started_at, run->ended_at), run->threads, run->threads == 1 ? "" : "s",
             run->policy);
  if (run->peak_memory_bytes > 0)
    fmt::print("  peak memory {:.1f} MiB\n", run->peak_memory_bytes / 1048576.0);
  fmt::print("\n  {:<32} {:<11} {:>12} {:>10} {:>8}\n", "step", "status", "rows", "time", "retries");
  for (const auto& step : steps) {
    std::string time = step.started_at > 0 ? Duration(step.started_at, step.ended_at) : "";
    fmt::print("  {:<32} {:<11} {:>12} {:>10} {:>8}\n", step.step_id, step.status,
               step.status == "SUCCEEDED" ? std::to_string(step.rows_written) : "", time,
               step.retries ? std::to_string(step.retries) : "");
  }
  if (!run->error.empty()) {
    fmt::print("\n  {}: error[{}]: {}\n", run->error_location, run->error_code, run->error);
  }
  return 0;
}

int RunsCommand(const std::string& pipeline, int limit, const GlobalOptions& options) {
  Context context = LoadContext(options);
  state::Store store(context.root);
  std::vector<state::RunRecord> runs = store.ListRuns(pipeline, limit);
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& run : runs) list.push_back(RunJson(run));
    fmt::print("{}\n", list.dump(2));
    return 0;
  }
  if (runs.empty()) {
    fmt::print("No runs recorded{}\n", pipeline.empty() ? "" : " for " + pipeline);
    return 0;
  }
  fmt::print("{:<40} {:<24} {:<12} {:<20} {:>10}\n", "run", "pipeline", "status", "started (UTC)",
             "duration");
  for (const auto& run : runs) {
    fmt::print("{:<40} {:<24} {:<12} {:<20} {:>10}\n", run.run_id, run.pipeline, run.status,
               FormatTime(run.started_at), Duration(run.started_at, run.ended_at));
  }
  return 0;
}

}  // namespace sqlflow::cli
