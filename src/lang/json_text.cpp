#include "lang/json_text.h"

#include <set>
#include <vector>

#include <fmt/format.h>

namespace sqlflow::lang {

std::string JsonProblem::Message() const {
  if (kind == Kind::kTooDeep) return fmt::format("JSON nested more than {} levels deep", kMaxJsonDepth);
  return fmt::format("key \"{}\" is given twice in one object", key);
}

std::optional<JsonProblem> FindJsonProblem(std::string_view text) {
  // One entry per open array or object; an object's entry holds the keys seen so far.
  struct Open {
    bool object;
    std::set<std::string_view> keys;
  };
  std::vector<Open> open;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' || c == '[') {
      if (open.size() == kMaxJsonDepth) return JsonProblem{JsonProblem::Kind::kTooDeep, i, ""};
      open.push_back(Open{c == '{', {}});
    } else if ((c == '}' || c == ']') && !open.empty()) {
      open.pop_back();
    } else if (c == '"') {
      size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      std::string_view key = text.substr(start + 1, i - start - 1);
      size_t next = text.find_first_not_of(" \t\r\n", i + 1);
      bool is_key =
          !open.empty() && open.back().object && next != std::string_view::npos && text[next] == ':';
      if (is_key && !open.back().keys.insert(key).second) {
        return JsonProblem{JsonProblem::Kind::kDuplicateKey, start, std::string(key)};
      }
    }
  }
  return std::nullopt;
}

}  // namespace sqlflow::lang
