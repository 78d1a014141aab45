// Feeds arbitrary bytes to the profile reader as the YAML of profiles/dev.yml. Whatever the text
// (malformed YAML, wrong types, aliases, deep nesting, `${…}` references), it must come back as a
// Profile or as one SqlflowError whose diagnostics point into the text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "diagnostics_check.h"
#include "project/project.h"

using namespace sqlflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const project::Environment env = [] {
    project::Environment environment;  // not the process's: the same inputs, the same outcome
    environment.Set("HOME", "/home/fuzz");
    environment.Set("API_TOKEN", "secret");
    environment.Set("PGPASSWORD", "");
    return environment;
  }();
  try {
    project::Profile profile = project::ParseProfile(std::string(reinterpret_cast<const char*>(data), size),
                                                     "/fuzz/profiles/dev.yml", "/fuzz", "dev", env);
    for (const auto& [name, connector] : profile.connectors) {
      if (!connector.params.is_object()) __builtin_trap();  // documented: always an object
      (void)connector.params.dump();
    }
  } catch (const common::SqlflowError& error) {
    if (error.diagnostics().empty()) __builtin_trap();
    fuzz::CheckDiagnostics(error.diagnostics(), size);
  }
  return 0;
}
