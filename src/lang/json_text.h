#pragma once
// Checks on JSON text users write (PARAMS, OPTIONS, --vars) before it is parsed. The parser keeps
// the last of two equal keys without a word and everything that walks a parsed value recurses, so
// both are caught on the text, where each has an exact offset.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sqlflow::lang {

// Arrays and objects may nest this deep (the top-level object is level 1).
constexpr int kMaxJsonDepth = 64;

struct JsonProblem {
  enum class Kind { kTooDeep, kDuplicateKey };
  Kind kind;
  size_t offset;    // of the '[' or '{' one level too deep, or of the second key's opening quote
  std::string key;  // kDuplicateKey: the key as written, without its quotes
  std::string Message() const;
};

// The first problem in `text`, if any. Malformed JSON is left to the parser.
std::optional<JsonProblem> FindJsonProblem(std::string_view text);

}  // namespace sqlflow::lang
