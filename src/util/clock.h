#pragma once
// Time as a seam: whatever waits or measures takes a Clock, so tests decide time instead of
// sleeping. SystemClock() is the real one.

#include <stop_token>

namespace sqlflow::util {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds on a monotonic scale (only differences mean something).
  virtual double Now() = 0;
  // Waits `seconds`, or less when `stop` is requested; returns false when it was stopped.
  virtual bool WaitFor(double seconds, const std::stop_token& stop) = 0;
};

Clock& SystemClock();

}  // namespace sqlflow::util
