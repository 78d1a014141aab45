#include "util/process.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace sqlflow::util {
namespace {

TEST(ProcessTest, StartTimeNamesAProcess) {
  auto mine = ProcessStartTime(::getpid());
  ASSERT_TRUE(mine);
  EXPECT_GT(*mine, 0u);
  EXPECT_EQ(ProcessStartTime(::getpid()), mine);
  auto parent = ProcessStartTime(::getppid());
  ASSERT_TRUE(parent);
  EXPECT_LE(*parent, *mine) << "a parent cannot start after its child";
}

TEST(ProcessTest, NoStartTimeWithoutAProcess) {
  EXPECT_FALSE(ProcessStartTime(4194999));  // above the kernel's pid_max
  EXPECT_FALSE(ProcessStartTime(-1));
  EXPECT_FALSE(ProcessStartTime(0));
}

}  // namespace
}  // namespace sqlflow::util
