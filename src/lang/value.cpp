#include "lang/value.h"

#include <cstdlib>

#include "util/strings.h"

namespace sqlflow::lang {

Value ValueFromText(const std::string& text) {
  // Booleans keep their spelling: a k=v flag TRUE splices into SQL as TRUE.
  if (util::EqualsIgnoreCase(text, "true") || util::EqualsIgnoreCase(text, "false")) {
    return Value{Value::Kind::kBool, text};
  }
  // Only plain decimal spellings: strtod alone would also take "nan", "inf" and hex.
  bool numeric_chars = !text.empty() && text.find_first_not_of("0123456789+-.eE") == std::string::npos &&
                       text.find_first_of("0123456789") != std::string::npos;
  if (numeric_chars) {
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    if (end && *end == '\0') return Value::Number(text);
  }
  return Value::Text(text);
}

}  // namespace sqlflow::lang
