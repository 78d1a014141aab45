#pragma once
// IF conditions (SPEC section 5): a tiny expression language over variable values, evaluated once
// at planning. A hand-written tokenizer and recursive-descent parser, so nothing a user writes is
// ever executed and every error can point at the token that caused it.
//
// Error codes thrown (each as a SqlflowError with one Diagnostic located at the offending token):
//   SF-COND-001  syntax: empty condition, unexpected or missing token, unbalanced parentheses,
//                chained comparison, unterminated string or `${`
//   SF-COND-002  a construct conditions do not allow: function call, attribute access, arithmetic
//   SF-COND-003  a lone operand that is not boolean-like (`IF ${count} THEN`)
//   SF-COND-004  an ordering comparison (<, <=, >, >=) on booleans or null
//   SF-VAR-001   a variable with no value and no default

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/diagnostic.h"
#include "lang/value.h"

namespace sqlflow::lang {

// Looks up a variable by name; std::nullopt when it has no value from any source.
using VariableLookup = std::function<std::optional<Value>(const std::string& name)>;

// Evaluates an IF condition once, at planning. `text` is the condition's source text (between IF /
// ELSE IF and THEN), `start` the Location of its first byte (so the location of text[i] is
// start.Advanced(i)). Throws SqlflowError with one Diagnostic pointing at the offending token on
// any error. Every variable in the condition is resolved (no short-circuit), so a misspelt name is
// reported even when the other side of an AND/OR already decides the result.
bool EvaluateCondition(std::string_view text, const common::Location& start, const VariableLookup& lookup);

}  // namespace sqlflow::lang
