#pragma once
// `${name}` and `${name|default}` references inside any text (SQL bodies, JSON, paths, conditions).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lang/lexer.h"

namespace sqlflow::lang {

struct VariableReference {
  size_t offset = 0;  // of the '$' within the scanned text
  size_t length = 0;  // through the closing '}'
  std::string name;
  std::optional<std::string> default_value;  // quotes around the default are removed
};

// Every reference in `text`, in order. An unterminated `${` is reported as a reference with
// length 0 so the caller can point at it.
std::vector<VariableReference> FindVariableReferences(std::string_view text);

// What encloses a reference in SQL text, which decides how its value is written there.
enum class SqlQuoting {
  kRaw,           // outside quotes (also in comments and $$...$$): the value's text as it is
  kString,        // inside '...': ' doubled
  kEscapeString,  // inside E'...': ' and \ doubled
  kIdentifier,    // inside "...": " doubled
};
// The quoting at byte `offset` of the SQL text that `tokens` (lang::Tokenize of it) came from.
SqlQuoting SqlQuotingAt(const std::vector<Token>& tokens, size_t offset);
// `value` written so that it stays inside its quotes: it can never end the string early.
std::string QuoteForSql(std::string_view value, SqlQuoting quoting);

}  // namespace sqlflow::lang
