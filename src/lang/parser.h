#pragma once
// Parses a .sf file into statements. Every error of the file is collected; the parser
// re-synchronizes at the next ';' so one mistake does not hide the others.

#include <cstddef>
#include <memory>
#include <vector>

#include "common/diagnostic.h"
#include "lang/ast.h"

namespace sqlflow::lang {

// Limits on what a pipeline may make the planner read and walk: the largest pipeline or included
// file, and how many files deep INCLUDEs may nest.
constexpr size_t kMaxSourceFileBytes = size_t{16} << 20;
constexpr size_t kMaxIncludeDepth = 64;

struct ParseResult {
  std::vector<Statement> statements;
  std::vector<common::Diagnostic> diagnostics;  // lexer and parser errors, in file order
};

ParseResult Parse(const std::shared_ptr<const common::SourceFile>& file);

// Parses and throws SqlflowError with every diagnostic when there is any.
std::vector<Statement> ParseOrThrow(const std::shared_ptr<const common::SourceFile>& file);

}  // namespace sqlflow::lang
