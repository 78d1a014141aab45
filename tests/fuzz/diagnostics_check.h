#pragma once
// What every fuzz target over a text format checks of the errors it gets back: each diagnostic
// points inside the text it came from and can be printed.

#include <vector>

#include "common/diagnostic.h"

namespace sqlflow::fuzz {

inline void CheckDiagnostics(const std::vector<common::Diagnostic>& diagnostics, size_t text_size) {
  for (const auto& diagnostic : diagnostics) {
    if (diagnostic.location.valid() && diagnostic.location.offset > text_size) __builtin_trap();
    (void)common::FormatDiagnostic(diagnostic);
  }
}

}  // namespace sqlflow::fuzz
