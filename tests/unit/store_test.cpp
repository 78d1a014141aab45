// The state store (.sqlflow/state.db): what it leaves behind when it cannot be opened.
#include "state/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "util/process.h"

namespace sqlflow::state {
namespace {

namespace fs = std::filesystem;

// How many of this process's file descriptors are open on `file`.
int OpenDescriptorsOn(const fs::path& file) {
  int count = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", error)) {
    std::error_code link_error;
    fs::path target = fs::read_symlink(entry.path(), link_error);
    if (!link_error && target == file) ++count;
  }
  return count;
}

TEST(StoreTest, AFileThatIsNotADatabaseFailsWithoutLeavingItOpen) {
  fs::path root = fs::temp_directory_path() / ("sqlflow-store-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / ".sqlflow");
  fs::path file = fs::canonical(root / ".sqlflow") / "state.db";
  std::ofstream(file, std::ios::binary) << std::string(4096, 'x');
  // SQLite opens the file at once but reads it only with the first statement, which then fails:
  // the constructor throws after the handle exists.
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_THROW(Store store(root), std::runtime_error);
  }
  EXPECT_EQ(OpenDescriptorsOn(file), 0) << "the failed constructor left the database open";
  fs::remove_all(root);
}

TEST(StoreTest, OpensCreatesAndReopens) {
  fs::path root = fs::temp_directory_path() / ("sqlflow-store-reopen-" + std::to_string(::getpid()));
  fs::remove_all(root);
  {
    Store store(root);
    RunRecord run;
    run.run_id = "r1";
    run.pipeline = "p";
    run.status = "SUCCEEDED";
    store.SaveRun(run);
  }
  EXPECT_TRUE(Store::Exists(root));
  {
    Store store(root);
    ASSERT_TRUE(store.FindRun("r1").has_value());
    EXPECT_EQ(store.FindRun("r1")->pipeline, "p");
  }
  EXPECT_EQ(OpenDescriptorsOn(fs::canonical(root / ".sqlflow") / "state.db"), 0);
  fs::remove_all(root);
}

// A scratch project folder, removed afterwards.
struct ScratchProject {
  explicit ScratchProject(const std::string& name)
      : root(fs::temp_directory_path() / ("sqlflow-store-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~ScratchProject() { fs::remove_all(root); }
  fs::path root;
};

RunRecord RunningRun(int64_t pid, int64_t pid_start) {
  RunRecord run;
  run.run_id = "r1";
  run.pipeline = "p";
  run.status = "RUNNING";
  run.started_at = 1;
  run.pid = pid;
  run.pid_start = pid_start;
  return run;
}

TEST(StoreTest, ARunningRunIsAbandonedWhenItsProcessIdNowBelongsToAnotherProcess) {
  auto started = static_cast<int64_t>(util::ProcessStartTime(::getpid()).value_or(0));
  EXPECT_EQ(EffectiveStatus(RunningRun(::getpid(), started)), "RUNNING");
  EXPECT_EQ(EffectiveStatus(RunningRun(::getpid(), started + 1)), "ABANDONED");
  EXPECT_EQ(EffectiveStatus(RunningRun(::getpid(), 0)), "RUNNING") << "stores without start times";
  RunRecord done = RunningRun(::getpid(), started + 1);
  done.status = "SUCCEEDED";
  EXPECT_EQ(EffectiveStatus(done), "SUCCEEDED");
}

TEST(StoreTest, StepsStillRunningInAnAbandonedRunAreAbandoned) {
  RunRecord abandoned =
      RunningRun(::getpid(), static_cast<int64_t>(util::ProcessStartTime(::getpid()).value_or(0)) + 1);
  StepRecord step;
  step.status = "RUNNING";
  EXPECT_EQ(EffectiveStepStatus(abandoned, step), "ABANDONED");
  step.status = "SUCCEEDED";
  EXPECT_EQ(EffectiveStepStatus(abandoned, step), "SUCCEEDED");
  step.status = "RUNNING";
  EXPECT_EQ(EffectiveStepStatus(RunningRun(::getpid(), 0), step), "RUNNING");
}

TEST(StoreTest, ThePidStartTimeIsKept) {
  ScratchProject project("pid-start");
  Store(project.root).SaveRun(RunningRun(42, 12345));
  auto run = Store(project.root, Store::Access::kReadOnly).FindRun("r1");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->pid, 42);
  EXPECT_EQ(run->pid_start, 12345);
}

TEST(StoreTest, ReadOnlyAccessCreatesNothingAndWritesNothing) {
  ScratchProject project("read-only");
  EXPECT_THROW(Store(project.root, Store::Access::kReadOnly), StoreError);
  EXPECT_FALSE(fs::exists(project.root / ".sqlflow" / "state.db"));
  Store(project.root).SaveRun(RunningRun(1, 1));
  Store reader(project.root, Store::Access::kReadOnly);
  EXPECT_EQ(reader.ListRuns().size(), 1u);
  try {
    reader.SaveRun(RunningRun(2, 2));
    FAIL() << "a read-only store wrote";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.code(), "SF-STATE-002");
    EXPECT_NE(std::string(error.what()).find("cannot be written"), std::string::npos) << error.what();
  }
}

TEST(StoreTest, AnInjectedWriteFailureIsAStoreError) {
  ScratchProject project("fail-after");
  ::setenv("SQLFLOW_STATE_FAIL_AFTER", "1", 1);
  Store store(project.root);
  ::unsetenv("SQLFLOW_STATE_FAIL_AFTER");
  store.SaveRun(RunningRun(1, 1));
  StepRecord step;
  step.run_id = "r1";
  step.step_id = "s";
  step.status = "RUNNING";
  try {
    store.SaveStep(step);
    FAIL() << "the second write succeeded";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("disk is full"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(store.ListSteps("r1").empty());
}

}  // namespace
}  // namespace sqlflow::state
