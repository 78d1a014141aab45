#pragma once
// Prints one line per step (what, target, rows, time) and the run's summary.

#include <cstdio>
#include <string>

#include "run/executor.h"

namespace sqlflow::run {

class ConsoleReporter : public Reporter {
 public:
  enum class Verbosity { kFailuresOnly, kSteps, kWithSql };
  ConsoleReporter(std::FILE* out, bool color, size_t total_steps, Verbosity verbosity = Verbosity::kSteps);
  void StepStarted(const plan::Step& step) override;
  void StepFinished(const plan::Step& step, const StepOutcome& outcome) override;
  void PrintSummary(const plan::Plan& plan, const RunSummary& summary);

 private:
  std::string Paint(const char* code, const std::string& text) const;

  std::FILE* out_;
  bool color_;
  size_t total_;
  Verbosity verbosity_;
  size_t index_ = 0;
};

// What a step does, for humans: "CSV data/x.csv", "customers", "output/x.csv".
std::string DescribeStep(const plan::Step& step);

}  // namespace sqlflow::run
