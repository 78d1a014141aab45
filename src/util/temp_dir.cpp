#include "util/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace sqlflow::util {

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) {
    // A file-system error like any other: SF-RUN-002 in a step, SF-IO-001 outside one.
    throw std::filesystem::filesystem_error("cannot create a temporary folder",
                                            std::filesystem::temp_directory_path(),
                                            std::error_code(errno, std::generic_category()));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace sqlflow::util
