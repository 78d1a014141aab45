#pragma once
// Parses a .sf file into statements. Every error of the file is collected; the parser
// re-synchronizes at the next ';' so one mistake does not hide the others.

#include <memory>
#include <vector>

#include "lang/ast.h"
#include "lang/diagnostic.h"

namespace sqlflow::lang {

struct ParseResult {
  std::vector<Statement> statements;
  std::vector<Diagnostic> diagnostics;  // lexer and parser errors, in file order
};

ParseResult Parse(const std::shared_ptr<const SourceFile>& file);

// Parses and throws SqlflowError with every diagnostic when there is any.
std::vector<Statement> ParseOrThrow(const std::shared_ptr<const SourceFile>& file);

}  // namespace sqlflow::lang
