#pragma once
// Splits a .sf file into tokens. Comments and whitespace are skipped, but every token keeps its
// byte offset so the parser can hand SQL bodies to DuckDB verbatim.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"

namespace sqlflow::lang {

struct Token {
  enum class Kind {
    kWord,          // identifier or keyword
    kQuotedIdent,   // "name" (also JSON strings)
    kString,        // 'text'
    kDollarString,  // $$text$$ or $tag$text$tag$
    kVariable,      // ${name} or ${name|default}
    kNumber,
    kPunct,  // operators and punctuation, longest match: :: <> != <= >= -> == || ; ( ) { } ...
    kEnd,
  };
  Kind kind = Kind::kEnd;
  size_t offset = 0;
  size_t length = 0;
  std::string_view text;  // view into the common::SourceFile's text

  bool IsWord(std::string_view upper_keyword) const;  // case-insensitive keyword test
  bool IsPunct(std::string_view punct) const { return kind == Kind::kPunct && text == punct; }
  // A kString or kQuotedIdent's content: without its quotes, doubled quotes un-doubled ('it''s').
  std::string Unquoted() const;
  size_t end() const { return offset + length; }
};

struct LexResult {
  std::vector<Token> tokens;  // always ends with kEnd
  std::vector<common::Diagnostic> diagnostics;
};

LexResult Tokenize(const std::shared_ptr<const common::SourceFile>& file);

}  // namespace sqlflow::lang
