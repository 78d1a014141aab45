#pragma once
// Telling processes apart: a process id may be reused once its process is gone, so a process is
// named by its id and its start time together (stale-run and stale-temporary detection).

#include <cstdint>
#include <optional>

namespace sqlflow::util {

// When process `pid` started (Linux: clock ticks since boot, /proc/<pid>/stat field 22); nullopt
// when there is no such process or its start time cannot be read.
std::optional<uint64_t> ProcessStartTime(int64_t pid);

}  // namespace sqlflow::util
