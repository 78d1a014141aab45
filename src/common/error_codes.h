#pragma once
// Every SF-… code, declared once: its exit code and one line of documentation. Messages, the
// docs' error table (docs/error_codes.md, from ErrorCodesMarkdown) and the tests that keep code,
// declaration and docs in step all read this one table (error_codes.cpp).

#include <span>
#include <string>
#include <string_view>

namespace sqlflow::common {

struct ErrorCode {
  std::string_view code;     // "SF-PARSE-001": stable, searchable
  int exit_code;             // of the command it stops: 2 usage/validation, 1 a failed run, 0 a warning
  std::string_view meaning;  // one line, Markdown
  bool reserved = false;     // declared for the docs or a future use; no source raises it today
};

// The whole table, in declaration order (grouped by family).
std::span<const ErrorCode> AllErrorCodes();

// The declaration of `code`, or nullptr when it is not declared.
const ErrorCode* FindErrorCode(std::string_view code);

// The exit code of `code`; 2 for an undeclared one.
int ExitCodeOf(std::string_view code);

// docs/error_codes.md, exactly: a heading, how to regenerate it, and one table.
std::string ErrorCodesMarkdown();

// One line a code: "CODE<TAB>EXIT<TAB>MEANING" (for scripts, e.g. scripts/check_docs).
std::string ErrorCodesText();

}  // namespace sqlflow::common
