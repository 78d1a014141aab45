// Feeds arbitrary bytes to the .env parser. A malformed file must come back as one SqlflowError
// whose diagnostics point into the text; nothing may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "diagnostics_check.h"
#include "project/project.h"

using namespace sqlflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  common::SourceFile file(".env", std::string(reinterpret_cast<const char*>(data), size));
  try {
    for (const auto& [name, value] : project::ParseDotEnv(file)) {
      // A name is letters, digits and '_', never empty and never starting with a digit.
      if (name.empty() || (name[0] >= '0' && name[0] <= '9')) __builtin_trap();
      (void)value;
    }
  } catch (const common::SqlflowError& error) {
    if (error.diagnostics().empty()) __builtin_trap();
    fuzz::CheckDiagnostics(error.diagnostics(), size);
  }
  return 0;
}
