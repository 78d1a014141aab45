#include "lang/variables.h"

#include "util/strings.h"

namespace sqlflow::lang {

static std::string Unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front()) {
    return std::string(text.substr(1, text.size() - 2));
  }
  return std::string(text);
}

SqlQuoting SqlQuotingAt(const std::vector<Token>& tokens, size_t offset) {
  for (const Token& token : tokens) {
    if (token.offset > offset) break;
    if (offset >= token.end()) continue;
    if (token.kind == Token::Kind::kQuotedIdent) return SqlQuoting::kIdentifier;
    if (token.kind != Token::Kind::kString) return SqlQuoting::kRaw;
    return token.text.front() == '\'' ? SqlQuoting::kString : SqlQuoting::kEscapeString;
  }
  return SqlQuoting::kRaw;
}

std::string QuoteForSql(std::string_view value, SqlQuoting quoting) {
  std::string out;
  for (char c : value) {
    out += c;
    bool doubled = (c == '\'' && (quoting == SqlQuoting::kString || quoting == SqlQuoting::kEscapeString)) ||
                   (c == '\\' && quoting == SqlQuoting::kEscapeString) ||
                   (c == '"' && quoting == SqlQuoting::kIdentifier);
    if (doubled) out += c;
  }
  return out;
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
