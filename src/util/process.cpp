#include "util/process.h"

#include <fstream>
#include <sstream>
#include <string>

namespace sqlflow::util {

std::optional<uint64_t> ProcessStartTime(int64_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!file || !std::getline(file, stat)) return std::nullopt;
  // pid (comm) state ppid ...: comm may hold spaces and parentheses, so fields count from the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  // state is field 3, starttime field 22.
  for (int index = 3; index <= 22; ++index) {
    if (!(fields >> field)) return std::nullopt;
  }
  if (field.empty() || field.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(field);
}

}  // namespace sqlflow::util
