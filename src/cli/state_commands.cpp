#include <algorithm>
#include <ctime>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "app/metrics.h"
#include "cli/commands.h"
#include "state/store.h"

namespace sqlflow::cli {

std::string FormatTime(double epoch_seconds) {
  if (epoch_seconds <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &utc);
  return text;
}

namespace {

// `live`: the run is still going, so an unfinished duration is "so far"; an abandoned run's has no end.
std::string Duration(double started, double ended, bool live) {
  if (started <= 0) return "-";
  if (ended <= 0 && !live) return "-";
  double end = ended > 0 ? ended : state::Now();
  return fmt::format("{:.2f}s{}", end - started, ended > 0 ? "" : " so far");
}

nlohmann::json RunJson(const state::RunRecord& run) {
  return {{"run_id", run.run_id},
          {"pipeline", run.pipeline},
          {"profile", run.profile},
          {"status", state::EffectiveStatus(run)},
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

nlohmann::json StepJson(const state::RunRecord& run, const state::StepRecord& step) {
  return {{"step_id", step.step_id},
          {"position", step.position},
          {"kind", step.kind},
          {"target", step.target},
          {"depends_on", nlohmann::json::parse(step.depends_on_json, nullptr, false)},
          {"status", state::EffectiveStepStatus(run, step)},
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
  if (!state::Store::Exists(context.root)) {
    throw common::UsageError("SF-STATE-001", "no runs recorded yet",
                             "run a pipeline first: sqlflow pipeline run NAME");
  }
  state::Store store(context.root, state::Store::Access::kReadOnly);
  auto run = run_id.empty() ? store.LatestRun() : store.FindRun(run_id);
  if (!run) {
    throw common::UsageError("SF-STATE-001", run_id.empty() ? "no runs recorded yet" : "no run " + run_id,
                             "see `sqlflow runs`");
  }
  std::vector<state::StepRecord> steps = store.ListSteps(run->run_id);
  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& step : steps) list.push_back(StepJson(*run, step));
    fmt::print("{}\n", nlohmann::json{{"run", RunJson(*run)}, {"steps", list}}.dump(2));
    return 0;
  }
  std::string status = state::EffectiveStatus(*run);
  bool live = status == "RUNNING";
  fmt::print("Run {}: {} (profile {}) {}\n", run->run_id, run->pipeline, run->profile, status);
  fmt::print("  started {} UTC, {}, {} worker{}, {}\n", FormatTime(run->started_at),
             Duration(run->started_at, run->ended_at, live), run->threads, run->threads == 1 ? "" : "s",
             run->policy);
  if (run->peak_memory_bytes > 0)
    fmt::print("  peak memory {:.1f} MiB\n", run->peak_memory_bytes / 1048576.0);
  fmt::print("\n  {:<32} {:<11} {:>12} {:>10} {:>8}\n", "step", "status", "rows", "time", "retries");
  for (const auto& step : steps) {
    std::string time = step.started_at > 0 ? Duration(step.started_at, step.ended_at, live) : "";
    fmt::print("  {:<32} {:<11} {:>12} {:>10} {:>8}\n", step.step_id, state::EffectiveStepStatus(*run, step),
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
  std::vector<state::RunRecord> runs;
  if (state::Store::Exists(context.root))
    runs = state::Store(context.root, state::Store::Access::kReadOnly).ListRuns(pipeline, limit);
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
    std::string status = state::EffectiveStatus(run);
    fmt::print("{:<40} {:<24} {:<12} {:<20} {:>10}\n", run.run_id, run.pipeline, status,
               FormatTime(run.started_at), Duration(run.started_at, run.ended_at, status == "RUNNING"));
  }
  return 0;
}

}  // namespace sqlflow::cli

namespace sqlflow::cli {

namespace {

using app::RunMetrics;

std::string Label(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string Prometheus(const std::vector<RunMetrics>& all, bool openmetrics) {
  // The latest run of each pipeline: a textfile collector wants current values.
  std::map<std::string, const RunMetrics*> latest;
  for (const auto& metrics : all) latest.emplace(metrics.run.pipeline, &metrics);
  std::string out;
  auto family = [&](const char* name, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
  };
  auto each_run = [&](const char* name, const char* help, auto value) {
    family(name, help);
    for (const auto& [pipeline, metrics] : latest) {
      out += fmt::format("{}{{pipeline=\"{}\"}} {}\n", name, Label(pipeline), value(*metrics));
    }
  };
  each_run("sqlflow_run_duration_seconds", "Wall time of the latest run.",
           [](const RunMetrics& m) { return m.seconds; });
  each_run("sqlflow_run_success", "1 when the latest run succeeded, else 0.",
           [](const RunMetrics& m) { return m.run.status == "SUCCEEDED" ? 1 : 0; });
  each_run("sqlflow_run_timestamp_seconds", "When the latest run started (Unix time).",
           [](const RunMetrics& m) { return fmt::format("{:.3f}", m.run.started_at); });
  each_run("sqlflow_run_rows_written", "Rows written by the latest run.",
           [](const RunMetrics& m) { return m.rows_written; });
  each_run("sqlflow_run_rows_read", "Rows read by the latest run.",
           [](const RunMetrics& m) { return m.rows_read; });
  each_run("sqlflow_run_bytes", "Bytes read from and written to files by the latest run.",
           [](const RunMetrics& m) { return m.bytes; });
  each_run("sqlflow_run_retries", "Step retries in the latest run.",
           [](const RunMetrics& m) { return m.retries; });
  each_run("sqlflow_run_peak_memory_bytes", "Peak resident memory of the latest run.",
           [](const RunMetrics& m) { return m.run.peak_memory_bytes; });
  family("sqlflow_step_duration_seconds", "Wall time of each step of the latest run.");
  for (const auto& [pipeline, metrics] : latest) {
    for (const auto& step : metrics->steps) {
      double seconds = step.ended_at > 0 && step.started_at > 0 ? step.ended_at - step.started_at : 0;
      out += fmt::format("sqlflow_step_duration_seconds{{pipeline=\"{}\",step=\"{}\",status=\"{}\"}} {}\n",
                         Label(pipeline), Label(step.step_id), step.status, seconds);
    }
  }
  family("sqlflow_step_rows_written", "Rows written by each step of the latest run.");
  for (const auto& [pipeline, metrics] : latest) {
    for (const auto& step : metrics->steps) {
      out += fmt::format("sqlflow_step_rows_written{{pipeline=\"{}\",step=\"{}\"}} {}\n", Label(pipeline),
                         Label(step.step_id), step.rows_written);
    }
  }
  if (openmetrics) out += "# EOF\n";
  return out;
}

}  // namespace

int MetricsCommand(const std::string& pipeline, const std::string& format, int limit,
                   const GlobalOptions& options) {
  Context context = LoadContext(options);
  if (!state::Store::Exists(context.root)) {
    fmt::print("{}", options.json || format == "json" ? "[]\n"
                     : format == "table"              ? "No runs recorded\n"
                                                      : "");
    return 0;
  }
  state::Store store(context.root, state::Store::Access::kReadOnly);
  // A textfile collector wants every pipeline's latest run, not only the newest runs overall.
  if (format == "prometheus" || format == "openmetrics") limit = std::max(limit, 100000);
  std::vector<RunMetrics> all = app::CollectMetrics(store, pipeline, limit);
  std::string wanted = options.json ? "json" : format;
  if (wanted == "prometheus" || wanted == "openmetrics") {
    fmt::print("{}", Prometheus(all, wanted == "openmetrics"));
    return 0;
  }
  if (wanted == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : all) {
      list.push_back({{"run_id", m.run.run_id},
                      {"pipeline", m.run.pipeline},
                      {"status", m.run.status},
                      {"started_at", m.run.started_at},
                      {"seconds", m.seconds},
                      {"rows_read", m.rows_read},
                      {"rows_written", m.rows_written},
                      {"bytes", m.bytes},
                      {"retries", m.retries},
                      {"peak_memory_bytes", m.run.peak_memory_bytes},
                      {"change", m.change ? nlohmann::json(*m.change) : nlohmann::json()},
                      {"regression", m.regression}});
    }
    fmt::print("{}\n", list.dump(2));
    return 0;
  }
  if (wanted == "csv") {
    fmt::print(
        "run_id,pipeline,status,started_at,seconds,change,rows_read,rows_written,bytes,retries,peak_memory_"
        "bytes,"
        "regression\n");
    for (const auto& m : all) {
      fmt::print("{},{},{},{:.3f},{:.3f},{},{},{},{},{},{},{}\n", m.run.run_id, m.run.pipeline, m.run.status,
                 m.run.started_at, m.seconds, m.change ? fmt::format("{:.4f}", *m.change) : "", m.rows_read,
                 m.rows_written, m.bytes, m.retries, m.run.peak_memory_bytes,
                 m.regression ? "true" : "false");
    }
    return 0;
  }
  if (all.empty()) {
    fmt::print("No runs recorded{}\n", pipeline.empty() ? "" : " for " + pipeline);
    return 0;
  }
  fmt::print("{:<40} {:<11} {:>9} {:>8} {:>12} {:>12} {:>10} {:>7} {:>9}\n", "run", "status", "time",
             "change", "rows read", "rows written", "bytes", "retries", "peak MiB");
  for (const auto& m : all) {
    std::string change = m.change ? fmt::format("{:+.0f}%", *m.change * 100) : "";
    fmt::print("{:<40} {:<11} {:>8.2f}s {:>8} {:>12} {:>12} {:>10} {:>7} {:>9.1f}{}\n", m.run.run_id,
               m.run.status, m.seconds, change, m.rows_read, m.rows_written, m.bytes, m.retries,
               m.run.peak_memory_bytes / 1048576.0, m.regression ? "  REGRESSION" : "");
  }
  return 0;
}

}  // namespace sqlflow::cli
