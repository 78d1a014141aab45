#include "lang/lexer.h"

#include <cctype>

#include "util/strings.h"

namespace sqlflow::lang {

bool Token::IsWord(std::string_view upper_keyword) const {
  return kind == Kind::kWord && util::EqualsIgnoreCase(text, upper_keyword);
}

std::string Token::Unquoted() const {
  std::string_view inner = text.substr(1, text.size() - 2);
  char quote = text.front();
  std::string out;
  for (size_t i = 0; i < inner.size(); ++i) {
    out += inner[i];
    if (inner[i] == quote && i + 1 < inner.size() && inner[i + 1] == quote) ++i;
  }
  return out;
}

namespace {

bool IsWordStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool IsWordChar(char c) {
  return IsWordStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

class Lexer {
 public:
  explicit Lexer(const std::shared_ptr<const common::SourceFile>& file) : file_(file), text_(file->text()) {}

  LexResult Run() {
    // Editors on Windows start UTF-8 files with a byte-order mark; it is not part of the text.
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      LexToken();
    }
    result_.tokens.push_back(Token{Token::Kind::kEnd, text_.size(), 0, std::string_view()});
    return std::move(result_);
  }

 private:
  void Error(size_t offset, std::string code, std::string message, std::string hint) {
    result_.diagnostics.push_back(common::Diagnostic{
        std::move(code), std::move(message), common::Location{file_, offset}, std::move(hint), {}});
  }

  void Emit(Token::Kind kind, size_t start) {
    result_.tokens.push_back(Token{kind, start, pos_ - start, text_.substr(start, pos_ - start)});
  }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && Peek(1) == '*') {
        size_t start = pos_;
        size_t close = text_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) {
          Error(start, "SF-LEX-003", "unterminated block comment", "close it with '*/'");
          pos_ = text_.size();
        } else {
          pos_ = close + 2;
        }
      } else {
        return;
      }
    }
  }

  char Peek(size_t ahead) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

  // A quoted run where the quote character is escaped by doubling it.
  // `start` is where the token begins (before an E prefix); pos_ is at the opening quote.
  void LexQuoted(char quote, Token::Kind kind, const char* code, const char* what, size_t start,
                 bool backslash) {
    ++pos_;
    while (pos_ < text_.size()) {
      if (text_[pos_] == quote) {
        if (Peek(1) == quote) {
          pos_ += 2;
          continue;
        }
        ++pos_;
        Emit(kind, start);
        return;
      }
      // JSON strings and DuckDB's E'...' strings escape quotes with a backslash.
      if (text_[pos_] == '\\' && backslash && pos_ + 1 < text_.size()) ++pos_;
      ++pos_;
    }
    Error(start, code, std::string("unterminated ") + what, std::string("close it with ") + quote);
    Emit(kind, start);
  }

  void LexToken() {
    size_t start = pos_;
    char c = text_[pos_];
    if (c == '\'') return LexQuoted('\'', Token::Kind::kString, "SF-LEX-001", "string literal", start, false);
    if ((c == 'E' || c == 'e') && Peek(1) == '\'') {
      ++pos_;
      return LexQuoted('\'', Token::Kind::kString, "SF-LEX-001", "string literal", start, true);
    }
    if (c == '"')
      return LexQuoted('"', Token::Kind::kQuotedIdent, "SF-LEX-002", "quoted identifier", start, true);
    if (c == '$' && Peek(1) == '{') {
      size_t close = text_.find('}', pos_);
      size_t newline = text_.find('\n', pos_);
      if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close)) {
        Error(start, "SF-LEX-004", "unterminated variable reference",
              "write it as ${name} or ${name|default}");
        pos_ += 2;
        Emit(Token::Kind::kVariable, start);
        return;
      }
      pos_ = close + 1;
      Emit(Token::Kind::kVariable, start);
      return;
    }
    if (c == '$' && (Peek(1) == '$' || IsWordStart(Peek(1)))) {
      // $tag$ ... $tag$ (dollar quoting); a lone $name is a positional/prepared parameter.
      size_t tag_end = pos_ + 1;
      while (tag_end < text_.size() && IsWordChar(text_[tag_end]) && text_[tag_end] != '$') ++tag_end;
      if (tag_end < text_.size() && text_[tag_end] == '$') {
        std::string_view tag = text_.substr(pos_, tag_end - pos_ + 1);
        size_t close = text_.find(tag, tag_end + 1);
        if (close == std::string_view::npos) {
          Error(start, "SF-LEX-005", "unterminated dollar-quoted string",
                std::string("close it with ") + std::string(tag));
          pos_ = text_.size();
        } else {
          pos_ = close + tag.size();
        }
        Emit(Token::Kind::kDollarString, start);
        return;
      }
    }
    if (IsWordStart(c)) {
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
      Emit(Token::Kind::kWord, start);
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      LexNumber();
      Emit(Token::Kind::kNumber, start);
      return;
    }
    static constexpr std::string_view kTwoCharPunct[] = {"::", "<>", "!=", "<=", ">=", "->",
                                                         "==", "||", "=>", ">>", "<<", "**",
                                                         "//", "~~", "!~", "@>", "<@", "&&"};
    for (std::string_view punct : kTwoCharPunct) {
      if (text_.substr(pos_, 2) == punct) {
        pos_ += 2;
        Emit(Token::Kind::kPunct, start);
        return;
      }
    }
    ++pos_;
    Emit(Token::Kind::kPunct, start);
  }

  void LexNumber() {
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.' && Peek(1) != '.') {
      ++pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t save = pos_++;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      } else {
        pos_ = save;
      }
    }
  }

  std::shared_ptr<const common::SourceFile> file_;
  std::string_view text_;
  size_t pos_ = 0;
  LexResult result_;
};

}  // namespace

LexResult Tokenize(const std::shared_ptr<const common::SourceFile>& file) {
  return Lexer(file).Run();
}

}  // namespace sqlflow::lang
