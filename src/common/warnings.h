#pragma once
// One sink for warnings, configured once by the CLI from -q and --json, safe to call from any
// thread. Every warning is collected (a command may add them to its JSON output); what reaches
// the console depends on the mode:
//   default   "warning[CODE]: message" on stderr
//   --json    one JSON object a line on stderr: {"warning": {"code": …, "message": …}}, so that
//             stdout holds only the command's JSON document and stderr stays machine-readable
//   -q        nothing on the console (still collected)

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::common {

struct Warning {
  std::string code;  // declared in error_codes.cpp, with exit code 0 or the code of its error twin
  std::string message;
};

struct WarningOptions {
  bool quiet = false;
  bool json = false;
  std::FILE* console = stderr;
};

// Sets the mode for the rest of the process (the CLI calls it once, after parsing its flags).
void ConfigureWarnings(const WarningOptions& options);

// Emits one warning.
void Warn(std::string_view code, std::string message);

// Every warning emitted since the start (or the last ClearWarnings), in order.
std::vector<Warning> CollectedWarnings();
void ClearWarnings();

}  // namespace sqlflow::common
