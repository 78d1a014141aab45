#include "lang/lexer.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sqlflow::lang {
namespace {

using Kind = Token::Kind;

class LexerTest : public ::testing::Test {
 protected:
  // Tokenizes `text`; the SourceFile is kept alive so token views stay valid.
  LexResult Lex(const std::string& text) {
    file_ = std::make_shared<const common::SourceFile>("p.sf", text);
    return Tokenize(file_);
  }

  // The tokens without the trailing kEnd.
  std::vector<Token> Tokens(const std::string& text) {
    LexResult result = Lex(text);
    EXPECT_TRUE(result.diagnostics.empty()) << "unexpected diagnostic: " << result.diagnostics[0].message;
    EXPECT_FALSE(result.tokens.empty());
    EXPECT_EQ(result.tokens.back().kind, Kind::kEnd);
    result.tokens.pop_back();
    return result.tokens;
  }

  std::vector<std::string> Texts(const std::string& text) {
    std::vector<std::string> out;
    for (const Token& token : Tokens(text)) out.emplace_back(token.text);
    return out;
  }

  std::shared_ptr<const common::SourceFile> file_;
};

TEST_F(LexerTest, WordsNumbersAndPunctuationWithOffsets) {
  auto tokens = Tokens("SELECT a, 1 FROM t;");
  ASSERT_EQ(tokens.size(), 7u);
  EXPECT_EQ(tokens[0].kind, Kind::kWord);
  EXPECT_EQ(tokens[0].offset, 0u);
  EXPECT_EQ(tokens[0].length, 6u);
  EXPECT_EQ(tokens[1].kind, Kind::kWord);
  EXPECT_EQ(tokens[1].offset, 7u);
  EXPECT_EQ(tokens[2].kind, Kind::kPunct);
  EXPECT_EQ(tokens[2].text, ",");
  EXPECT_EQ(tokens[2].offset, 8u);
  EXPECT_EQ(tokens[3].kind, Kind::kNumber);
  EXPECT_EQ(tokens[3].offset, 10u);
  EXPECT_EQ(tokens[4].offset, 12u);
  EXPECT_EQ(tokens[5].text, "t");
  EXPECT_EQ(tokens[5].offset, 17u);
  EXPECT_TRUE(tokens[6].IsPunct(";"));
  EXPECT_EQ(tokens[6].offset, 18u);
  EXPECT_EQ(tokens[6].end(), 19u);
}

TEST_F(LexerTest, LeadingByteOrderMarkIsSkipped) {
  auto tokens = Tokens("\xEF\xBB\xBFSOURCE s;");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "SOURCE");
  EXPECT_EQ(tokens[0].offset, 3u);
}

TEST_F(LexerTest, UnquotedUndoublesTheQuoteCharacter) {
  auto tokens = Tokens("'it''s' \"a \"\"b\"\"\" ''''");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].Unquoted(), "it's");
  EXPECT_EQ(tokens[1].Unquoted(), "a \"b\"");
  EXPECT_EQ(tokens[2].Unquoted(), "'");
}

TEST_F(LexerTest, EndTokenSitsAtEndOfText) {
  LexResult result = Lex("a  ");
  ASSERT_EQ(result.tokens.size(), 2u);
  EXPECT_EQ(result.tokens[1].kind, Kind::kEnd);
  EXPECT_EQ(result.tokens[1].offset, 3u);
  EXPECT_EQ(Lex("").tokens.size(), 1u);
}

TEST_F(LexerTest, KeywordTestIsCaseInsensitive) {
  auto tokens = Tokens("source Source SOURCE");
  for (const Token& token : tokens) EXPECT_TRUE(token.IsWord("SOURCE"));
  EXPECT_FALSE(tokens[0].IsWord("SOURCES"));
}

TEST_F(LexerTest, LineCommentsAreSkipped) {
  auto tokens = Tokens("-- it's a comment; with 'quotes'\nSELECT 1 -- tail ; \n;");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "SELECT");
  EXPECT_EQ(tokens[0].offset, 33u);
  EXPECT_EQ(tokens[1].text, "1");
  EXPECT_TRUE(tokens[2].IsPunct(";"));
}

TEST_F(LexerTest, BlockCommentsAreSkipped) {
  auto tokens = Tokens("a /* b; 'c' -- d\n e */ f");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].text, "a");
  EXPECT_EQ(tokens[1].text, "f");
  EXPECT_EQ(tokens[1].offset, 23u);
}

TEST_F(LexerTest, DoubleColonIsOneToken) {
  auto tokens = Tokens("a::INT");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_TRUE(tokens[1].IsPunct("::"));
  EXPECT_EQ(tokens[1].offset, 1u);
  EXPECT_EQ(tokens[2].text, "INT");
}

TEST_F(LexerTest, TwoCharacterComparisonOperators) {
  EXPECT_EQ(Texts("a <> b"), (std::vector<std::string>{"a", "<>", "b"}));
  EXPECT_EQ(Texts("a!=b"), (std::vector<std::string>{"a", "!=", "b"}));
  EXPECT_EQ(Texts("a<=b>=c"), (std::vector<std::string>{"a", "<=", "b", ">=", "c"}));
  EXPECT_EQ(Texts("a==b||c"), (std::vector<std::string>{"a", "==", "b", "||", "c"}));
  auto tokens = Tokens("x <> y");
  EXPECT_EQ(tokens[1].kind, Kind::kPunct);
}

TEST_F(LexerTest, JsonArrowOperatorsKeepTheirBytes) {
  // `->>` must not swallow the following string and its pieces must cover exactly its bytes.
  auto tokens = Tokens("j->>'k'");
  ASSERT_GE(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "j");
  EXPECT_EQ(tokens[1].offset, 1u);
  std::string op;
  size_t i = 1;
  for (; i < tokens.size() && tokens[i].kind == Kind::kPunct; ++i) op += std::string(tokens[i].text);
  EXPECT_EQ(op, "->>");
  ASSERT_LT(i, tokens.size());
  EXPECT_EQ(tokens[i].kind, Kind::kString);
  EXPECT_EQ(tokens[i].text, "'k'");
  EXPECT_EQ(tokens[i].offset, 4u);

  auto arrow = Tokens("j->'k'");
  ASSERT_EQ(arrow.size(), 3u);
  EXPECT_TRUE(arrow[1].IsPunct("->"));
}

TEST_F(LexerTest, SingleQuotedStringsWithDoubledQuotes) {
  auto tokens = Tokens("'it''s; -- not a comment' x");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].kind, Kind::kString);
  EXPECT_EQ(tokens[0].text, "'it''s; -- not a comment'");
  EXPECT_EQ(tokens[1].text, "x");
}

TEST_F(LexerTest, DollarQuotedString) {
  auto tokens = Tokens("SELECT $$it's; here$$;");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].kind, Kind::kDollarString);
  EXPECT_EQ(tokens[1].text, "$$it's; here$$");
  EXPECT_EQ(tokens[1].offset, 7u);
  EXPECT_TRUE(tokens[2].IsPunct(";"));
}

TEST_F(LexerTest, TaggedDollarQuotedStringMayContainDoubleDollar) {
  auto tokens = Tokens("$fn$ a $$ b; 'c $fn$ d");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].kind, Kind::kDollarString);
  EXPECT_EQ(tokens[0].text, "$fn$ a $$ b; 'c $fn$");
  EXPECT_EQ(tokens[1].text, "d");
}

TEST_F(LexerTest, VariableReferences) {
  auto tokens = Tokens("${name} ${region|'us-east'}x");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].kind, Kind::kVariable);
  EXPECT_EQ(tokens[0].text, "${name}");
  EXPECT_EQ(tokens[1].kind, Kind::kVariable);
  EXPECT_EQ(tokens[1].text, "${region|'us-east'}");
  EXPECT_EQ(tokens[1].offset, 8u);
  EXPECT_EQ(tokens[2].text, "x");
}

TEST_F(LexerTest, VariableInsideStringStaysInString) {
  auto tokens = Tokens("'${region}'");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].kind, Kind::kString);
}

TEST_F(LexerTest, NumbersWithExponentsAndFractions) {
  auto tokens = Tokens("1e5 1.5e-3 .5 42 2E+10");
  ASSERT_EQ(tokens.size(), 5u);
  for (const Token& token : tokens) EXPECT_EQ(token.kind, Kind::kNumber) << token.text;
  EXPECT_EQ(tokens[0].text, "1e5");
  EXPECT_EQ(tokens[1].text, "1.5e-3");
  EXPECT_EQ(tokens[2].text, ".5");
  EXPECT_EQ(tokens[4].text, "2E+10");
}

TEST_F(LexerTest, ExponentWithoutDigitsIsNotPartOfNumber) {
  EXPECT_EQ(Texts("2e"), (std::vector<std::string>{"2", "e"}));
  auto range = Tokens("1..2");
  ASSERT_GE(range.size(), 2u);
  EXPECT_EQ(range[0].text, "1");
}

TEST_F(LexerTest, QuotedIdentifierWithDoubledQuotes) {
  auto tokens = Tokens("\"My \"\"odd\"\" name\".x");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].kind, Kind::kQuotedIdent);
  EXPECT_EQ(tokens[0].text, "\"My \"\"odd\"\" name\"");
  EXPECT_TRUE(tokens[1].IsPunct("."));
  EXPECT_EQ(tokens[2].text, "x");
}

TEST_F(LexerTest, JsonStringWithBackslashEscapedQuote) {
  auto tokens = Tokens(R"({"a": "x\"y"})");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[3].kind, Kind::kQuotedIdent);
  EXPECT_EQ(tokens[3].text, R"("x\"y")");
  EXPECT_TRUE(tokens[4].IsPunct("}"));
}

TEST_F(LexerTest, UnterminatedStringReportsItsStart) {
  LexResult result = Lex("SELECT 1;\n\n  SELECT 'abc\n;");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  const common::Diagnostic& d = result.diagnostics[0];
  EXPECT_EQ(d.code, "SF-LEX-001");
  EXPECT_NE(d.message.find("unterminated string"), std::string::npos);
  EXPECT_EQ(d.location.line(), 3);
  EXPECT_EQ(d.location.column(), 10);
  EXPECT_EQ(result.tokens.back().kind, Kind::kEnd);
}

TEST_F(LexerTest, UnterminatedQuotedIdentifier) {
  LexResult result = Lex("x \"abc");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-LEX-002");
  EXPECT_EQ(result.diagnostics[0].location.column(), 3);
}

TEST_F(LexerTest, UnterminatedBlockCommentReportsItsStart) {
  LexResult result = Lex("SELECT 1;\n  /* never closed\nSELECT 2;");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-LEX-003");
  EXPECT_EQ(result.diagnostics[0].location.line(), 2);
  EXPECT_EQ(result.diagnostics[0].location.column(), 3);
  EXPECT_EQ(result.diagnostics[0].location.ToString(), "p.sf:2:3");
}

TEST_F(LexerTest, UnterminatedDollarString) {
  LexResult result = Lex("SELECT $tag$ abc");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-LEX-005");
  EXPECT_EQ(result.diagnostics[0].location.column(), 8);
  EXPECT_NE(result.diagnostics[0].hint.find("$tag$"), std::string::npos);
}

TEST_F(LexerTest, UnterminatedVariableReference) {
  LexResult result = Lex("a ${name\n}");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-LEX-004");
  EXPECT_EQ(result.diagnostics[0].location.line(), 1);
  EXPECT_EQ(result.diagnostics[0].location.column(), 3);
}

TEST_F(LexerTest, TokensCoverTheSourceVerbatim) {
  std::string text = "SELECT a::INT, b <> 1e5 FROM \"T\" WHERE c = 'x' AND d = ${v};";
  auto tokens = Tokens(text);
  for (const Token& token : tokens) EXPECT_EQ(token.text, text.substr(token.offset, token.length));
}

}  // namespace
}  // namespace sqlflow::lang
