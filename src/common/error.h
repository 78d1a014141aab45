#pragma once
// An expected failure with a declared code (error_codes.h): something the user wrote or the outside
// world refused, not a bug. The CLI prints "error[CODE]: message" and the hint, and exits with the
// code's exit code. Modules derive their own typed errors from it (common::UsageError,
// state::StoreError), so that nothing expected reaches the user as SF-INTERNAL-001.

#include <stdexcept>
#include <string>

namespace sqlflow::common {

class Error : public std::runtime_error {
 public:
  // `code` must be declared in error_codes.cpp (checked in debug builds).
  Error(std::string code, const std::string& message, std::string hint = "");
  const std::string& code() const { return code_; }
  const std::string& hint() const { return hint_; }
  // The declared exit code of code().
  int exit_code() const;

 private:
  std::string code_;
  std::string hint_;
};

}  // namespace sqlflow::common
