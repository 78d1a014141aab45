#pragma once
// How a step's exception becomes a status, a stable code and a retry decision: the one place
// that knows every error type a runner may throw.

#include <exception>
#include <string>

#include "run/outcome.h"

namespace sqlflow::run {

struct Failure {
  StepStatus status = StepStatus::kFailed;  // kFailed or kInterrupted
  std::string code;
  std::string message;
  bool transient = false;  // worth another attempt
};

// `stopping`: the run was asked to stop, so a failure caused by the interruption reads as such.
Failure ClassifyFailure(const std::exception_ptr& error, bool stopping);

}  // namespace sqlflow::run
