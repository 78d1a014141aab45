#include "util/cancel.h"

#include <atomic>

namespace sqlflow::util {

namespace {
std::atomic<bool> cancel{false};
}  // namespace

void RequestCancel() {
  cancel = true;
}

void ClearCancel() {
  cancel = false;
}

bool CancelRequested() {
  return cancel;
}

}  // namespace sqlflow::util
