// Exports to local files: what may be replaced (with the export ledger of the state store), where
// temporaries go, the removal of stale ones, and the swap into place.
#include "connectors/local_destination.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "connectors/registry.h"
#include "util/process.h"
#include "util/temp_dir.h"

namespace sqlflow::connectors {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::optional<state::ExportOutput> Nothing() {
  return std::nullopt;
}

const FileDestination& Local() {
  const FileDestination* destination = FindDestination("output/x.csv");
  EXPECT_NE(destination, nullptr);
  return *destination;
}

// Names of the entries of `folder`, sorted.
std::vector<std::string> Entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(LocalDestinationTest, NothingThereMayBeWritten) {
  util::TempDir dir("sqlflow-local-test");
  bool asked = false;
  auto earlier = [&]() -> std::optional<state::ExportOutput> {
    asked = true;
    return std::nullopt;
  };
  EXPECT_FALSE(RefuseReplace(dir.path() / "new.csv", "p", false, earlier));
  EXPECT_FALSE(asked) << "the ledger is read only when something is there";
}

TEST(LocalDestinationTest, AFolderIsReplacedOnlyWhenThisPipelineWroteIt) {
  util::TempDir dir("sqlflow-local-test");
  fs::create_directories(dir.path() / "parts");
  state::ExportOutput mine{(dir.path() / "parts").string(), "p", "export_parquet_parts", "folder", "r", 1};
  EXPECT_FALSE(RefuseReplace(dir.path() / "parts", "p", false, [&] { return std::optional(mine); }));
  auto refusal = RefuseReplace(dir.path() / "parts", "q", true, [&] { return std::optional(mine); });
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->message.find("is a folder that no export of pipeline q wrote"), std::string::npos);
  mine.kind = "file";  // p wrote a file there; the folder is someone else's
  EXPECT_TRUE(RefuseReplace(dir.path() / "parts", "p", true, [&] { return std::optional(mine); }));
  EXPECT_TRUE(RefuseReplace(dir.path() / "parts", "p", true, Nothing));
}

TEST(LocalDestinationTest, AForeignFileNeedsOverwrite) {
  util::TempDir dir("sqlflow-local-test");
  Write(dir.path() / "a.csv", "x");
  auto refusal = RefuseReplace(dir.path() / "a.csv", "p", false, Nothing);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->message.find("not written by an export of pipeline p"), std::string::npos);
  EXPECT_NE(refusal->hint.find("\"overwrite\": true"), std::string::npos);
  EXPECT_FALSE(RefuseReplace(dir.path() / "a.csv", "p", true, Nothing));
  state::ExportOutput theirs{(dir.path() / "a.csv").string(), "q", "export_csv_a", "file", "r", 1};
  refusal = RefuseReplace(dir.path() / "a.csv", "p", false, [&] { return std::optional(theirs); });
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->message.find("written by export_csv_a of pipeline q"), std::string::npos);
  theirs.pipeline = "p";
  EXPECT_FALSE(RefuseReplace(dir.path() / "a.csv", "p", false, [&] { return std::optional(theirs); }));
}

TEST(LocalDestinationTest, LedgerRoundTrip) {
  util::TempDir dir("sqlflow-local-test");
  state::Store store(dir.path());
  EXPECT_FALSE(store.FindExportOutput("/x/a.csv"));
  store.SaveExportOutput({"/x/a.csv", "p", "export_csv_a", "file", "r1", 0});
  store.SaveExportOutput({"/x/a.csv", "p", "export_csv_a", "folder", "r2", 0});
  auto found = store.FindExportOutput("/x/a.csv");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pipeline, "p");
  EXPECT_EQ(found->kind, "folder");
  EXPECT_EQ(found->run_id, "r2");
  EXPECT_GT(found->written_at, 0);
}

TEST(LocalDestinationTest, LocalPathIsAbsoluteAndResolvesTheFoldersLinks) {
  util::TempDir dir("sqlflow-local-test");
  fs::create_directories(dir.path() / "real");
  fs::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  fs::path root = fs::canonical(dir.path());
  EXPECT_EQ(*Local().LocalPath("link/a.csv", dir.path().string()), root / "real" / "a.csv");
  EXPECT_EQ(*Local().LocalPath("file://" + (root / "b.csv").string(), ""), root / "b.csv");
  EXPECT_FALSE(FindDestination("s3://bucket/a.csv")->LocalPath("s3://bucket/a.csv", ""));
}

TEST(LocalDestinationTest, TemporariesLiveInTargetTmpAndAreRemovedOnEveryPath) {
  util::TempDir dir("sqlflow-local-test");
  std::string root = dir.path().string();
  {
    auto write = Local().Open("output/a.csv", {}, root, {});
    // Under target/tmp (same file system), in this process's private folder, with the same name.
    EXPECT_EQ(write->path().filename(), "a.csv");
    EXPECT_EQ(write->path().parent_path().parent_path().parent_path(), dir.path() / "target" / "tmp");
    Write(write->path(), "half");
    // Destroyed without Finish (the COPY failed): nothing at the destination, nothing left.
  }
  EXPECT_FALSE(fs::exists(dir.path() / "output" / "a.csv"));
  EXPECT_TRUE(Entries(dir.path() / "target" / "tmp").empty());
  std::vector<std::string> points;
  {
    auto write = Local().Open("output/a.csv", {}, root, {});
    Write(write->path(), "whole");
    EXPECT_EQ(write->Finish([&](std::string_view point) { points.emplace_back(point); }), 5u);
  }
  EXPECT_EQ(points, (std::vector<std::string>{"ready", "replaced"}));
  EXPECT_EQ(Read(dir.path() / "output" / "a.csv"), "whole");
  EXPECT_TRUE(Entries(dir.path() / "target" / "tmp").empty());
  EXPECT_EQ(Entries(dir.path() / "output"), std::vector<std::string>{"a.csv"});
}

TEST(LocalDestinationTest, ConcurrentExportsOfOneProcessShareItsFolderButNotTheirFiles) {
  util::TempDir dir("sqlflow-local-test");
  auto a = Local().Open("out/x.csv", {}, dir.path().string(), {});
  auto b = Local().Open("out/x.csv", {}, dir.path().string(), {});
  EXPECT_NE(a->path(), b->path());
  EXPECT_EQ(a->path().parent_path().parent_path(), b->path().parent_path().parent_path());
  Write(a->path(), "x\n1\n");
  Write(b->path(), "half");
  EXPECT_EQ(a->Finish([](std::string_view) {}), 4u);
  a.reset();
  EXPECT_TRUE(fs::exists(b->path())) << "one export's cleanup removed another's file";
  b.reset();
  EXPECT_EQ(Read(dir.path() / "out" / "x.csv"), "x\n1\n");
  EXPECT_TRUE(Entries(dir.path() / "target" / "tmp").empty());
}

TEST(LocalDestinationTest, ARefusalAtReadyLeavesTheDestinationAsItWas) {
  util::TempDir dir("sqlflow-local-test");
  Write(dir.path() / "output" / "a.csv", "old");
  {
    auto write = Local().Open("output/a.csv", {}, dir.path().string(), {});
    Write(write->path(), "new");
    EXPECT_THROW(write->Finish([](std::string_view point) {
      if (point == "ready") throw std::runtime_error("refused");
    }),
                 std::runtime_error);
  }
  EXPECT_EQ(Read(dir.path() / "output" / "a.csv"), "old");
  EXPECT_TRUE(Entries(dir.path() / "target" / "tmp").empty());
}

TEST(LocalDestinationTest, WithoutAProjectTheTemporaryIsAHiddenFolderBesideTheDestination) {
  util::TempDir dir("sqlflow-local-test");
  auto write = Local().Open((dir.path() / "out" / "a.csv").string(), {}, "", {});
  fs::path private_folder = write->path().parent_path().parent_path();
  EXPECT_EQ(private_folder.parent_path(), fs::canonical(dir.path() / "out"));
  EXPECT_EQ(private_folder.filename().string().rfind(".sqlflow-tmp-" + std::to_string(::getpid()) + "-", 0),
            0u);
}

TEST(LocalDestinationTest, MoveIntoPlaceSwapsFoldersAndLeavesTheOldOneBehind) {
  util::TempDir dir("sqlflow-local-test");
  Write(dir.path() / "new" / "k=1" / "data.csv", "new");
  Write(dir.path() / "dest" / "k=2" / "data.csv", "old");
  MoveIntoPlace(dir.path() / "new", dir.path() / "dest");
  EXPECT_EQ(Read(dir.path() / "dest" / "k=1" / "data.csv"), "new");
  EXPECT_EQ(Read(dir.path() / "new" / "k=2" / "data.csv"), "old");
  // A file over a file is a plain rename; a folder over a file is swapped too.
  Write(dir.path() / "f1", "1");
  Write(dir.path() / "f2", "2");
  MoveIntoPlace(dir.path() / "f1", dir.path() / "f2");
  EXPECT_EQ(Read(dir.path() / "f2"), "1");
  EXPECT_FALSE(fs::exists(dir.path() / "f1"));
  MoveIntoPlace(dir.path() / "dest", dir.path() / "f2");
  EXPECT_EQ(Read(dir.path() / "f2" / "k=1" / "data.csv"), "new");
  EXPECT_EQ(Read(dir.path() / "dest"), "1");
}

TEST(LocalDestinationTest, SyncTreeSyncsFilesAndFoldersAndFailsOnWhatIsMissing) {
  util::TempDir dir("sqlflow-local-test");
  Write(dir.path() / "tree" / "a" / "b.csv", "x");
  EXPECT_NO_THROW(SyncTree(dir.path() / "tree"));
  EXPECT_NO_THROW(SyncTree(dir.path() / "tree" / "a" / "b.csv"));
  EXPECT_THROW(SyncTree(dir.path() / "missing"), fs::filesystem_error);
}

TEST(LocalDestinationTest, StaleTemporariesGoLiveOnesStay) {
  util::TempDir dir("sqlflow-local-test");
  std::string me = std::to_string(::getpid());
  std::string started = std::to_string(*util::ProcessStartTime(::getpid()));
  std::vector<std::string> names = {".sqlflow-tmp-" + me + "-" + started,
                                    ".sqlflow-tmp-" + me + "-1",
                                    ".sqlflow-tmp-4194999-" + started,
                                    ".sqlflow-tmp-4194999-3-a.csv",
                                    ".sqlflow-old-4194999-parts",
                                    ".sqlflow-tmp-" + me + "-3-a.csv",
                                    "4194999-1",
                                    ".sqlflow-tmp-x",
                                    "data.csv"};
  for (const std::string& name : names) {
    Write(dir.path() / name / "f", "x");
  }
  RemoveStaleTemporaries(dir.path());
  // This process with another start time (a reused pid) is stale; an earlier version's name with
  // only a live pid is kept; names not of this form are never touched.
  EXPECT_EQ(Entries(dir.path()),
            (std::vector<std::string>{".sqlflow-tmp-" + me + "-" + started, ".sqlflow-tmp-" + me + "-3-a.csv",
                                      ".sqlflow-tmp-x", "4194999-1", "data.csv"}));
}

}  // namespace
}  // namespace sqlflow::connectors
