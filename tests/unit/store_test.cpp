// The state store (.sqlflow/state.db): what it leaves behind when it cannot be opened.
#include "state/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

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

}  // namespace
}  // namespace sqlflow::state
