#include "lang/variables.h"

#include "util/strings.h"

namespace sqlflow::lang {

static std::string Unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front()) {
    return std::string(text.substr(1, text.size() - 2));
  }
  return std::string(text);
}

std::vector<VariableReference> FindVariableReferences(std::string_view text) {
  std::vector<VariableReference> references;
  size_t pos = 0;
  while ((pos = text.find("${", pos)) != std::string_view::npos) {
    size_t close = text.find('}', pos + 2);
    VariableReference reference;
    reference.offset = pos;
    if (close == std::string_view::npos) {
      reference.length = 0;
      references.push_back(std::move(reference));
      break;
    }
    reference.length = close + 1 - pos;
    std::string_view inner = text.substr(pos + 2, close - pos - 2);
    size_t bar = inner.find('|');
    if (bar == std::string_view::npos) {
      reference.name = std::string(util::Trim(inner));
    } else {
      reference.name = std::string(util::Trim(inner.substr(0, bar)));
      reference.default_value = Unquote(util::Trim(inner.substr(bar + 1)));
    }
    references.push_back(std::move(reference));
    pos = close + 1;
  }
  return references;
}

}  // namespace sqlflow::lang
