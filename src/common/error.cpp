#include "common/error.h"

#include <cassert>

#include "common/error_codes.h"

namespace sqlflow::common {

Error::Error(std::string code, const std::string& message, std::string hint)
    : std::runtime_error(message), code_(std::move(code)), hint_(std::move(hint)) {
  assert(FindErrorCode(code_) != nullptr && "undeclared error code: add it to src/common/error_codes.cpp");
}

int Error::exit_code() const {
  return ExitCodeOf(code_);
}

}  // namespace sqlflow::common
