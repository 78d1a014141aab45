#include "engine/sql.h"

#include <vector>

namespace sqlflow::engine {

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

// Splits on dots outside double quotes and removes the quotes.
std::vector<std::string> SplitTableName(std::string_view name) {
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '"') {
      if (quoted && i + 1 < name.size() && name[i + 1] == '"') {
        current += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

// Quoted parts keep their case; unquoted parts are case-insensitive in DuckDB, so quoting them as
// written is equivalent.
std::string QuoteTableName(std::string_view name) {
  std::string out;
  for (const auto& part : SplitTableName(name)) {
    if (!out.empty()) out += '.';
    out += QuoteIdentifier(part);
  }
  return out;
}

std::string DisplayTableName(std::string_view name) {
  std::string out;
  for (const auto& part : SplitTableName(name)) {
    if (!out.empty()) out += '.';
    out += part;
  }
  return out;
}

}  // namespace sqlflow::engine
