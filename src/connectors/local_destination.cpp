// Exports to local files. DuckDB writes into a private folder of this process: inside the
// project's target/tmp/ when that is on the destination's file system, else a hidden folder beside
// the destination. DuckDB's glob skips no name (hidden files included), so a temporary *file*
// beside the destination would be read by `output/*.csv`; a file inside a folder is not.
// Once complete, the output and its folders are fsynced and it is renamed into place (a folder of
// partitions is swapped with the old one atomically), then the parent folder is fsynced. The
// private folder is removed on every path; those of killed runs are removed by the next export.

#include "connectors/local_destination.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <system_error>

#include <fmt/format.h>

#include "connectors/files.h"
#include "util/process.h"
#include "util/strings.h"

namespace sqlflow::connectors {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTmpPrefix = ".sqlflow-tmp-";
constexpr std::string_view kOldPrefix = ".sqlflow-old-";

// "<pid>-<start time>": names this process's private folders.
const std::string& ProcessTag() {
  static const std::string tag =
      fmt::format("{}-{}", ::getpid(), util::ProcessStartTime(::getpid()).value_or(0));
  return tag;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// Whether the temporary `name` (its prefix removed: "<pid>-<start>" or, from earlier versions,
// "<pid>-<anything>") belongs to a process that still runs.
bool OwnerRuns(std::string_view name) {
  size_t dash = name.find('-');
  if (!AllDigits(name.substr(0, dash))) return true;  // not ours to judge
  pid_t pid = static_cast<pid_t>(std::stoll(std::string(name.substr(0, dash))));
  std::optional<uint64_t> started = util::ProcessStartTime(pid);
  if (!started) return false;
  std::string_view rest = dash == std::string_view::npos ? "" : name.substr(dash + 1);
  if (!AllDigits(rest)) return true;  // an earlier version's name: the pid is all there is
  return std::to_string(*started) == rest;
}

void SyncPath(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw fs::filesystem_error("cannot open to sync", path, std::error_code(errno, std::generic_category()));
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0)
    throw fs::filesystem_error("cannot sync", path, std::error_code(error, std::generic_category()));
}

uint64_t SizeOnDisk(const fs::path& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return fs::file_size(path, error);
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(path, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error)) total += it->file_size(error);
  }
  return total;
}

bool SameFileSystem(const fs::path& a, const fs::path& b) {
  struct stat first {};
  struct stat second {};
  return ::stat(a.c_str(), &first) == 0 && ::stat(b.c_str(), &second) == 0 && first.st_dev == second.st_dev;
}

// Creating and removing the per-process folder: workers of one run export at the same time.
std::mutex private_folders;

class LocalWrite : public FileWrite {
 public:
  LocalWrite(fs::path target, const std::string& root) : target_(std::move(target)) {
    fs::path parent = target_.parent_path();
    fs::create_directories(parent);
    RemoveStaleTemporaries(parent);
    fs::path shared = root.empty() ? fs::path() : fs::path(root) / "target" / "tmp";
    if (!shared.empty()) {
      fs::create_directories(shared);
      RemoveStaleTemporaries(shared);
    }
    std::string name = std::string(kTmpPrefix) + ProcessTag();
    private_ = !shared.empty() && SameFileSystem(shared, parent) ? shared / name : parent / name;
    static std::atomic<uint64_t> counter{0};
    folder_ = private_ / std::to_string(++counter);
    temporary_ = folder_ / target_.filename();
    std::lock_guard lock(private_folders);
    fs::create_directories(folder_);
  }
  ~LocalWrite() override {
    std::error_code ignored;
    std::lock_guard lock(private_folders);
    fs::remove_all(folder_, ignored);
    fs::remove(private_, ignored);  // only when no other export of this process uses it
  }
  const fs::path& path() const override { return temporary_; }
  uint64_t Finish(const FinishHook& hook) override {
    uint64_t bytes = SizeOnDisk(temporary_);
    SyncTree(temporary_);
    SyncPath(folder_, O_DIRECTORY);
    hook("ready");
    MoveIntoPlace(temporary_, target_);
    SyncPath(target_.parent_path(), O_DIRECTORY);
    hook("replaced");
    return bytes;
  }

 private:
  fs::path target_;
  fs::path private_;    // this process's private folder
  fs::path folder_;     // this export's, inside it
  fs::path temporary_;  // what DuckDB writes, inside that
};

class LocalDestination : public FileDestination {
 public:
  bool Claims(std::string_view uri) const override {
    return uri.find("://") == std::string_view::npos || util::StartsWith(uri, "file://");
  }
  const std::vector<ParamSpec>& options() const override {
    static const std::vector<ParamSpec> specs = {{"overwrite", ParamType::kBool, false, {}, {}}};
    return specs;
  }
  std::unique_ptr<FileWrite> Open(const std::string& uri, const nlohmann::json&, const std::string& root,
                                  std::stop_token) const override {
    return std::make_unique<LocalWrite>(*LocalPath(uri, root), root);
  }
  std::optional<fs::path> LocalPath(const std::string& uri, const std::string& root) const override {
    fs::path path = fs::absolute(ResolvePath(util::StartsWith(uri, "file://") ? uri.substr(7) : uri, root));
    // The folder's symbolic links resolved, the destination's own name kept (a rename replaces a
    // link, not what it points to).
    return fs::weakly_canonical(path.parent_path()) / path.filename();
  }
};

}  // namespace

std::optional<ParamIssue> RefuseReplace(const fs::path& path, const std::string& pipeline, bool overwrite,
                                        const std::function<std::optional<state::ExportOutput>()>& earlier) {
  std::error_code error;
  fs::file_status status = fs::symlink_status(path, error);
  if (!fs::exists(status)) return std::nullopt;
  std::string kind = fs::is_directory(status) ? "folder" : "file";
  std::optional<state::ExportOutput> record = earlier();
  if (record && record->pipeline == pipeline && record->kind == kind) return std::nullopt;
  if (kind == "folder") {
    return ParamIssue{"",
                      fmt::format("the destination {} is a folder that no export of pipeline {} wrote",
                                  path.string(), pipeline),
                      "an export replaces only a file, or a folder of partitions it wrote itself: export to "
                      "a file inside the folder, or to another path"};
  }
  if (overwrite) return std::nullopt;
  std::string writer = record ? fmt::format("written by {} of pipeline {}", record->step_id, record->pipeline)
                              : fmt::format("not written by an export of pipeline {}", pipeline);
  return ParamIssue{
      "", fmt::format("the destination {} already exists and was {}", path.string(), writer),
      "add \"overwrite\": true to the EXPORT's OPTIONS to replace it, or export to another path"};
}

bool OverwriteRequested(const nlohmann::json& options) {
  auto overwrite = options.find("overwrite");
  return overwrite != options.end() && overwrite->is_boolean() && overwrite->get<bool>();
}

std::string OutputKind(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(fs::symlink_status(path, error)) ? "folder" : "file";
}

void RemoveStaleTemporaries(const fs::path& folder) {
  std::error_code error;
  for (auto it = fs::directory_iterator(folder, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    std::string name = it->path().filename().string();
    std::string_view owner = name;
    if (util::StartsWith(name, kTmpPrefix)) {
      owner.remove_prefix(kTmpPrefix.size());
    } else if (util::StartsWith(name, kOldPrefix)) {
      owner.remove_prefix(kOldPrefix.size());
    } else {
      continue;
    }
    if (OwnerRuns(owner)) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

void SyncTree(const fs::path& path) {
  if (!fs::is_directory(fs::symlink_status(path))) {
    SyncPath(path, 0);
    return;
  }
  for (const auto& entry : fs::directory_iterator(path)) SyncTree(entry.path());
  SyncPath(path, O_DIRECTORY);
}

void MoveIntoPlace(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::file_status existing = fs::symlink_status(to, error);
  if (!fs::exists(existing) || (!fs::is_directory(existing) && !fs::is_directory(from))) {
    fs::rename(from, to);
    return;
  }
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) == 0) return;
  if (errno != EINVAL) {
    throw fs::filesystem_error("cannot swap the export into place", from, to,
                               std::error_code(errno, std::generic_category()));
  }
  // A file system without the exchange (NFS): the old output steps aside first, so for a moment
  // the destination is missing.
  fs::path old = from.parent_path() / (std::string(kOldPrefix) + from.filename().string());
  fs::rename(to, old);
  fs::rename(from, to);
  fs::rename(old, from);
}

std::unique_ptr<FileDestination> MakeLocalDestination() {
  return std::make_unique<LocalDestination>();
}

}  // namespace sqlflow::connectors
