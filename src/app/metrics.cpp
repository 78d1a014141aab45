#include "app/metrics.h"

#include <algorithm>
#include <map>

namespace sqlflow::app {

namespace {

RunMetrics Measure(state::Store& store, const state::RunRecord& run) {
  RunMetrics metrics;
  metrics.run = run;
  metrics.run.status = state::EffectiveStatus(run);  // a killed run is ABANDONED, as in `runs`
  metrics.steps = store.ListSteps(run.run_id);
  metrics.seconds = run.ended_at > 0 ? run.ended_at - run.started_at : 0;
  for (const auto& step : metrics.steps) {
    metrics.rows_read += step.rows_read;
    metrics.rows_written += step.rows_written;
    metrics.bytes += step.bytes;
    metrics.retries += step.retries;
  }
  return metrics;
}

void Compare(RunMetrics& current, const RunMetrics& previous) {
  if (previous.seconds <= 0 || current.seconds <= 0) return;
  current.change = current.seconds / previous.seconds - 1.0;
  current.regression =
      current.run.status == "SUCCEEDED" && *current.change > 0.25 && current.seconds - previous.seconds > 0.1;
}

}  // namespace

std::vector<RunMetrics> CollectMetrics(state::Store& store, const std::string& pipeline, int limit) {
  std::vector<RunMetrics> all;
  std::map<std::string, std::vector<state::RunRecord>> history;  // per pipeline, newest first
  for (const auto& run : store.ListRuns(pipeline, limit)) {
    RunMetrics metrics = Measure(store, run);
    auto& runs = history[run.pipeline];
    if (runs.empty()) runs = store.ListRuns(run.pipeline, 10000);
    auto self = std::find_if(runs.begin(), runs.end(), [&](const auto& r) { return r.run_id == run.run_id; });
    auto previous = self == runs.end() ? runs.end() : std::find_if(self + 1, runs.end(), [](const auto& r) {
      return r.status == "SUCCEEDED";
    });
    if (previous != runs.end()) Compare(metrics, Measure(store, *previous));
    all.push_back(std::move(metrics));
  }
  return all;
}

}  // namespace sqlflow::app
