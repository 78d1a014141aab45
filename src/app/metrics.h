#pragma once
// The metrics model: each recorded run's totals and its change against the previous successful
// run of its pipeline. The CLI renders it (table, CSV, JSON, Prometheus).

#include <optional>
#include <string>
#include <vector>

#include "state/store.h"

namespace sqlflow::app {

struct RunMetrics {
  state::RunRecord run;
  std::vector<state::StepRecord> steps;
  double seconds = 0;
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  int64_t bytes = 0;
  int retries = 0;
  std::optional<double> change;  // of the wall time against the previous successful run
  // Over a quarter longer than that run, and at least 0.1 s more (tiny runs jitter).
  bool regression = false;
};

// The newest `limit` runs (of `pipeline`, or of all when empty), newest first.
std::vector<RunMetrics> CollectMetrics(state::Store& store, const std::string& pipeline, int limit);

}  // namespace sqlflow::app
