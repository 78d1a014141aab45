// Exports to local files: DuckDB writes a temporary file (or folder of partitions) beside the
// target, which is renamed over it once complete, so a failed export never leaves a half file.

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <fmt/format.h>

#include "connectors/files.h"
#include "util/strings.h"

namespace sqlflow::connectors {

namespace fs = std::filesystem;

namespace {

// Moves `from` over `to`, also when `to` is an existing directory (partitioned exports).
void ReplacePath(const fs::path& from, const fs::path& to) {
  if (fs::is_directory(to)) {
    fs::path backup =
        to.parent_path() / (".sqlflow-old-" + std::to_string(::getpid()) + "-" + to.filename().string());
    fs::rename(to, backup);
    try {
      fs::rename(from, to);
    } catch (...) {
      fs::rename(backup, to);
      throw;
    }
    fs::remove_all(backup);
    return;
  }
  fs::rename(from, to);
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

class LocalWrite : public FileWrite {
 public:
  explicit LocalWrite(fs::path target) : target_(std::move(target)) {
    if (target_.has_parent_path()) fs::create_directories(target_.parent_path());
    // Unique per process and per export (workers of one run export at the same time); the
    // extension stays last so DuckDB's compression detection still sees it.
    static std::atomic<uint64_t> counter{0};
    temporary_ = target_.parent_path() /
                 fmt::format(".sqlflow-tmp-{}-{}-{}", ::getpid(), ++counter, target_.filename().string());
  }
  ~LocalWrite() override {
    if (finished_) return;
    std::error_code ignored;
    fs::remove_all(temporary_, ignored);
  }
  const fs::path& path() const override { return temporary_; }
  uint64_t Finish() override {
    uint64_t bytes = SizeOnDisk(temporary_);
    ReplacePath(temporary_, target_);
    finished_ = true;
    return bytes;
  }

 private:
  fs::path target_;
  fs::path temporary_;
  bool finished_ = false;
};

class LocalDestination : public FileDestination {
 public:
  bool Claims(std::string_view uri) const override {
    return uri.find("://") == std::string_view::npos || util::StartsWith(uri, "file://");
  }
  const std::vector<ParamSpec>& options() const override {
    static const std::vector<ParamSpec> none;
    return none;
  }
  std::unique_ptr<FileWrite> Open(const std::string& uri, const nlohmann::json&, const std::string& root,
                                  std::stop_token) const override {
    std::string path = util::StartsWith(uri, "file://") ? uri.substr(7) : uri;
    return std::make_unique<LocalWrite>(ResolvePath(path, root));
  }
};

}  // namespace

std::unique_ptr<FileDestination> MakeLocalDestination() {
  return std::make_unique<LocalDestination>();
}

}  // namespace sqlflow::connectors
