#pragma once
// Prints one line per step (what, target, rows, time) in plan order, whatever order the workers
// finish in, and the run's summary. On a terminal a live line shows steps done and running.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "run/outcome.h"

namespace sqlflow::run {

class ConsoleReporter : public Reporter {
 public:
  enum class Verbosity { kFailuresOnly, kSteps, kWithSql };
  // `live`: redraw a progress line (only on a terminal).
  ConsoleReporter(std::FILE* out, bool color, const plan::Plan& plan, Verbosity verbosity = Verbosity::kSteps,
                  bool live = false);
  void StepStarted(const plan::Step& step, const StepOutcome& outcome) override;
  void StepRetrying(const plan::Step& step, const StepOutcome& outcome, double delay_seconds) override;
  void StepFinished(const plan::Step& step, const StepOutcome& outcome) override;
  void PrintSummary(const RunSummary& summary);

 private:
  std::string Paint(const char* code, const std::string& text) const;
  // Every line goes out through here, secret values masked.
  void Print(const std::string& text);
  void PrintLine(size_t index);
  void ClearLive();
  void DrawLive();

  std::FILE* out_;
  bool color_;
  const plan::Plan& plan_;
  Verbosity verbosity_;
  bool live_;
  std::mutex mutex_;
  std::vector<std::optional<StepOutcome>> finished_;  // by plan position
  std::vector<bool> running_;
  size_t printed_ = 0;  // every step before this one has its line
  size_t done_ = 0;
  bool live_shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// What a step does, for humans: "CSV data/x.csv", "customers", "output/x.csv".
std::string DescribeStep(const plan::Step& step);

}  // namespace sqlflow::run
