#pragma once
// `${name}` and `${name|default}` references inside any text (SQL bodies, JSON, paths, conditions).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace sqlflow::lang
