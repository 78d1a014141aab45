#pragma once
// A private temporary folder (mode 0700 under $TMPDIR) removed with everything in it when the
// object goes, on every path out.

#include <filesystem>
#include <string_view>

namespace sqlflow::util {

class TempDir {
 public:
  // `prefix` names the folder: <tmp>/<prefix>-XXXXXX. Throws std::runtime_error.
  explicit TempDir(std::string_view prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sqlflow::util
