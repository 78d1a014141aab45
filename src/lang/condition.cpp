#include "lang/condition.h"

#include <cctype>
#include <charconv>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "lang/variables.h"
#include "util/strings.h"

namespace sqlflow::lang {
namespace {

constexpr const char* kSyntaxError = "SF-COND-001";
constexpr const char* kForbiddenConstruct = "SF-COND-002";
constexpr const char* kNotBoolean = "SF-COND-003";
constexpr const char* kCannotOrder = "SF-COND-004";
constexpr const char* kUndefinedVariable = "SF-VAR-001";

// ---------------------------------------------------------------------------------------------
// Errors

class ConditionErrors {
 public:
  explicit ConditionErrors(const common::Location& start) : start_(start) {}

  [[noreturn]] void Fail(size_t offset, std::string code, std::string message, std::string hint = "") const {
    common::Diagnostic diagnostic;
    diagnostic.code = std::move(code);
    diagnostic.message = std::move(message);
    diagnostic.location = start_.Advanced(offset);
    diagnostic.hint = std::move(hint);
    throw common::SqlflowError(std::move(diagnostic));
  }

 private:
  const common::Location& start_;
};

// Long tokens (a whole quoted paragraph) would drown the message; the caret shows the rest.
std::string Shown(std::string_view spelling) {
  constexpr size_t kMax = 40;
  if (spelling.size() <= kMax) return std::string(spelling);
  return std::string(spelling.substr(0, kMax)) + "...";
}

// A token as a message shows it: 'foo', but a string token already carries its quotes.
std::string Quoted(std::string_view spelling) {
  if (!spelling.empty() && (spelling.front() == '\'' || spelling.front() == '"')) return Shown(spelling);
  return "'" + Shown(spelling) + "'";
}

// ---------------------------------------------------------------------------------------------
// Character classes and numbers

bool IsDigit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Bytes >= 0x80 are UTF-8 letters as far as barewords are concerned (région, zürich).
bool IsWordChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || u >= 0x80;
}

// End of the longest number spelling at `pos` (optional sign, digits, fraction, exponent), or
// `pos` when there is none. Shared by the tokenizer and by "is this text numeric".
size_t MatchNumber(std::string_view text, size_t pos) {
  size_t i = pos;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return pos;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && IsDigit(text[j])) {
      while (j < text.size() && IsDigit(text[j])) ++j;
      i = j;
    }
  }
  return i;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || MatchNumber(text, 0) != text.size()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);  // from_chars rejects a leading '+'
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Tokens

enum class TokenKind {
  kString,  // 'text' or "text"; may hold ${...} references, interpolated as text
  kNumber,  // 123, -4.5, 1e3
  kWord,    // bareword text: prod, us-east-1, v1.2
  kTrue,
  kFalse,
  kNull,
  kVariable,  // ${name} or ${name|default}
  kAnd,
  kOr,
  kNot,
  kCompare,
  kLeftParen,
  kRightParen,
  kArithmetic,  // + - * / %
  kDot,         // attribute access
  kOther,       // anything else: , ; ! && || [ ] ...
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;
  std::string_view text;  // the source spelling
};

bool IsOperand(TokenKind kind) {
  switch (kind) {
    case TokenKind::kString:
    case TokenKind::kNumber:
    case TokenKind::kWord:
    case TokenKind::kTrue:
    case TokenKind::kFalse:
    case TokenKind::kNull:
    case TokenKind::kVariable:
      return true;
    default:
      return false;
  }
}

class Tokenizer {
 public:
  Tokenizer(std::string_view text, const ConditionErrors& errors) : text_(text), errors_(errors) {}

  std::vector<Token> Run() {
    while (true) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      if (pos_ >= text_.size()) break;
      ScanToken();
    }
    // The end token sits just after the last character, where a missing operand would go.
    size_t end = text_.size();
    while (end > 0 && std::isspace(static_cast<unsigned char>(text_[end - 1]))) --end;
    tokens_.push_back(Token{TokenKind::kEnd, end, {}});
    return std::move(tokens_);
  }

 private:
  void ScanToken() {
    char c = text_[pos_];
    char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (c == '\'' || c == '"') return ScanString();
    if (c == '$' && next == '{') return ScanVariable();
    if (c == '(') return Emit(TokenKind::kLeftParen, 1);
    if (c == ')') return Emit(TokenKind::kRightParen, 1);
    if (c == '=' || c == '<' || c == '>' || (c == '!' && next == '=')) return ScanComparison();
    // A sign directly before a number literal is part of it (-4.5), but only where a value is
    // expected: after a value, `${x} -1` is subtraction.
    if ((c == '-' || c == '+') && !AfterOperand() && IsDigitOrDotDigit(pos_ + 1)) return ScanSignedNumber();
    if (c == '-' || c == '+' || c == '*' || c == '/' || c == '%') return Emit(TokenKind::kArithmetic, 1);
    if (c == '.' && !AfterOperand() && IsDigitOrDotDigit(pos_) && TryNumber()) return;
    if (c == '.') return Emit(TokenKind::kDot, 1);
    if (IsWordChar(c)) return ScanWordOrNumber();
    if ((c == '&' && next == '&') || (c == '|' && next == '|')) return Emit(TokenKind::kOther, 2);
    Emit(TokenKind::kOther, 1);
  }

  void Emit(TokenKind kind, size_t length) {
    tokens_.push_back(Token{kind, pos_, text_.substr(pos_, length)});
    pos_ += length;
  }

  bool AfterOperand() const {
    return !tokens_.empty() &&
           (IsOperand(tokens_.back().kind) || tokens_.back().kind == TokenKind::kRightParen);
  }

  bool IsDigitOrDotDigit(size_t i) const {
    if (i < text_.size() && IsDigit(text_[i])) return true;
    return i + 1 < text_.size() && text_[i] == '.' && IsDigit(text_[i + 1]);
  }

  // Whether a bareword goes on at `i`: word characters, and '-' or '.' joining two of them, which
  // is what makes us-east-1, my-value and v1.2 single words rather than arithmetic.
  bool ContinuesWord(size_t i) const {
    if (i >= text_.size()) return false;
    if (IsWordChar(text_[i])) return true;
    return (text_[i] == '-' || text_[i] == '.') && i + 1 < text_.size() && IsWordChar(text_[i + 1]);
  }

  // A number literal at pos_ that is not the start of a longer word (2024-01-01, 1.2.3, 1e3x).
  bool TryNumber() {
    size_t end = MatchNumber(text_, pos_);
    if (end == pos_ || ContinuesWord(end)) return false;
    Emit(TokenKind::kNumber, end - pos_);
    return true;
  }

  void ScanSignedNumber() {
    if (!TryNumber()) Emit(TokenKind::kArithmetic, 1);  // -4abc: the '-' is not a sign
  }

  void ScanWordOrNumber() {
    if (TryNumber()) return;
    size_t end = pos_;
    while (ContinuesWord(end)) ++end;
    std::string_view word = text_.substr(pos_, end - pos_);
    TokenKind kind = TokenKind::kWord;
    if (util::EqualsIgnoreCase(word, "and")) kind = TokenKind::kAnd;
    if (util::EqualsIgnoreCase(word, "or")) kind = TokenKind::kOr;
    if (util::EqualsIgnoreCase(word, "not")) kind = TokenKind::kNot;
    if (util::EqualsIgnoreCase(word, "true")) kind = TokenKind::kTrue;
    if (util::EqualsIgnoreCase(word, "false")) kind = TokenKind::kFalse;
    if (util::EqualsIgnoreCase(word, "null")) kind = TokenKind::kNull;
    Emit(kind, end - pos_);
  }

  void ScanComparison() {
    std::string_view two = text_.substr(pos_, 2);
    bool is_two = two == "==" || two == "!=" || two == "<>" || two == "<=" || two == ">=";
    Emit(TokenKind::kCompare, is_two ? 2 : 1);
  }

  // Quotes are escaped by doubling ('it''s'). A `${...}` inside is skipped whole so that a quoted
  // default ('${region|'us'}') does not end the string early.
  void ScanString() {
    char quote = text_[pos_];
    size_t i = pos_ + 1;
    while (true) {
      if (i >= text_.size()) {
        errors_.Fail(pos_, kSyntaxError,
                     fmt::format("unterminated string in condition: missing closing {}", quote),
                     fmt::format("close the string with {}", quote));
      }
      if (text_[i] == quote) {
        if (i + 1 < text_.size() && text_[i + 1] == quote) {
          i += 2;
          continue;
        }
        break;
      }
      if (text_[i] == '$' && i + 1 < text_.size() && text_[i + 1] == '{') {
        size_t close = text_.find('}', i);
        if (close == std::string_view::npos) FailUnterminatedReference(i);
        CheckReferenceName(text_.substr(i, close + 1 - i), i);
        i = close + 1;
        continue;
      }
      ++i;
    }
    Emit(TokenKind::kString, i + 1 - pos_);
  }

  void ScanVariable() {
    std::vector<VariableReference> references = FindVariableReferences(text_.substr(pos_));
    if (references.empty() || references.front().length == 0) FailUnterminatedReference(pos_);
    CheckReferenceName(text_.substr(pos_, references.front().length), pos_);
    Emit(TokenKind::kVariable, references.front().length);
  }

  [[noreturn]] void FailUnterminatedReference(size_t offset) const {
    errors_.Fail(offset, kSyntaxError, "unterminated '${' in condition",
                 "close the variable reference with '}'");
  }

  void CheckReferenceName(std::string_view reference, size_t offset) const {
    std::vector<VariableReference> references = FindVariableReferences(reference);
    if (references.empty() || references.front().name.empty()) {
      errors_.Fail(offset, kSyntaxError, "empty variable name in condition",
                   "write ${name} or ${name|default}");
    }
  }

  std::string_view text_;
  const ConditionErrors& errors_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
};

// ---------------------------------------------------------------------------------------------
// Syntax tree

struct Node {
  enum class Kind { kOperand, kCompare, kNot, kAnd, kOr };
  Kind kind = Kind::kOperand;
  Token token;  // the operand, or the operator (for its location in errors)
  std::unique_ptr<Node> left;
  std::unique_ptr<Node> right;
};

std::unique_ptr<Node> MakeNode(Node::Kind kind, const Token& token, std::unique_ptr<Node> left = nullptr,
                               std::unique_ptr<Node> right = nullptr) {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  node->token = token;
  node->left = std::move(left);
  node->right = std::move(right);
  return node;
}

// Grammar, loosest first (comparisons bind tighter than NOT, as in SQL):
//   or         := and (OR and)*
//   and        := not (AND not)*
//   not        := NOT not | comparison
//   comparison := '(' or ')' | operand [compare-op operand]
class Parser {
 public:
  Parser(std::vector<Token> tokens, const ConditionErrors& errors)
      : tokens_(std::move(tokens)), errors_(errors) {}

  std::unique_ptr<Node> Run() {
    if (Peek().kind == TokenKind::kEnd) {
      errors_.Fail(0, kSyntaxError, "empty condition",
                   "write a condition between IF and THEN: ${env} == 'prod'");
    }
    std::unique_ptr<Node> root = ParseOr();
    if (Peek().kind != TokenKind::kEnd) FailTrailing(Peek());
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[index_]; }
  const Token& Take() { return tokens_[index_++]; }

  // Parsing, evaluating and freeing the tree recurse: parentheses and NOTs may nest 64 deep, and a
  // condition has at most 1,000 operators and operands (an AND chain is as deep as it is long).
  static constexpr int kMaxDepth = 64;
  static constexpr int kMaxNodes = 1000;
  struct Nesting {
    Nesting(Parser& parser, const Token& at) : depth(parser.depth_) {
      if (++depth > kMaxDepth) {
        parser.errors_.Fail(at.offset, kSyntaxError,
                            fmt::format("condition nested more than {} levels deep", kMaxDepth),
                            "remove redundant parentheses and NOTs");
      }
    }
    ~Nesting() { --depth; }
    int& depth;
  };
  std::unique_ptr<Node> Make(Node::Kind kind, const Token& token, std::unique_ptr<Node> left = nullptr,
                             std::unique_ptr<Node> right = nullptr) {
    if (++nodes_ > kMaxNodes) {
      errors_.Fail(token.offset, kSyntaxError,
                   fmt::format("condition has more than {} operators and values", kMaxNodes),
                   "decide such a choice in a variable, and test that one value");
    }
    return MakeNode(kind, token, std::move(left), std::move(right));
  }

  std::unique_ptr<Node> ParseOr() {
    std::unique_ptr<Node> left = ParseAnd();
    while (Peek().kind == TokenKind::kOr) {
      const Token& op = Take();
      left = Make(Node::Kind::kOr, op, std::move(left), ParseAnd());
    }
    return left;
  }

  std::unique_ptr<Node> ParseAnd() {
    std::unique_ptr<Node> left = ParseNot();
    while (Peek().kind == TokenKind::kAnd) {
      const Token& op = Take();
      left = Make(Node::Kind::kAnd, op, std::move(left), ParseNot());
    }
    return left;
  }

  std::unique_ptr<Node> ParseNot() {
    if (Peek().kind != TokenKind::kNot) return ParseComparison();
    const Token& op = Take();
    Nesting nesting(*this, op);
    return Make(Node::Kind::kNot, op, ParseNot());
  }

  std::unique_ptr<Node> ParseComparison() {
    if (Peek().kind == TokenKind::kLeftParen) return ParseGroup();
    std::unique_ptr<Node> left = ParseOperand();
    if (Peek().kind != TokenKind::kCompare) return left;
    const Token& op = Take();
    std::unique_ptr<Node> node = Make(Node::Kind::kCompare, op, std::move(left), ParseOperand());
    if (Peek().kind == TokenKind::kCompare) {
      errors_.Fail(
          Peek().offset, kSyntaxError,
          fmt::format("unexpected '{}' in condition: chained comparisons are not allowed", Peek().text),
          "join the comparisons with AND: ${a} < ${b} AND ${b} < ${c}");
    }
    return node;
  }

  std::unique_ptr<Node> ParseGroup() {
    const Token& open = Take();
    Nesting nesting(*this, open);
    std::unique_ptr<Node> inner = ParseOr();
    if (Peek().kind == TokenKind::kEnd) {
      errors_.Fail(open.offset, kSyntaxError, "unclosed '(' in condition", "add the matching ')'");
    }
    if (Peek().kind != TokenKind::kRightParen) FailTrailing(Peek());
    Take();
    if (Peek().kind == TokenKind::kCompare) {
      errors_.Fail(Peek().offset, kSyntaxError,
                   fmt::format("unexpected '{}' in condition: a parenthesized condition cannot be compared",
                               Peek().text),
                   "compare single values: ${a} == 'x'");
    }
    return inner;
  }

  std::unique_ptr<Node> ParseOperand() {
    const Token& token = Peek();
    if (!IsOperand(token.kind)) FailExpectedValue(token);
    Take();
    if (Peek().kind == TokenKind::kLeftParen) FailCall(token, Peek());
    return Make(Node::Kind::kOperand, token);
  }

  [[noreturn]] void FailCall(const Token& callee, const Token& paren) const {
    bool method = callee.kind == TokenKind::kWord && callee.text.find('.') != std::string_view::npos;
    errors_.Fail(
        paren.offset, kForbiddenConstruct,
        fmt::format("unexpected '(' in condition: {} calls are not allowed", method ? "method" : "function"),
        "conditions only compare values; compute the value in SQL or pass it as a variable");
  }

  // Arithmetic and attribute access get their own message wherever they appear.
  void FailForbidden(const Token& token) const {
    if (token.kind == TokenKind::kArithmetic) {
      errors_.Fail(token.offset, kForbiddenConstruct,
                   fmt::format("unexpected '{}' in condition: arithmetic is not allowed", token.text),
                   "conditions only compare values; quote text that contains it: 'a-b'");
    }
    if (token.kind == TokenKind::kDot) {
      errors_.Fail(token.offset, kForbiddenConstruct,
                   "unexpected '.' in condition: attribute access is not allowed",
                   "conditions only compare values; quote dotted text: 'a.b'");
    }
  }

  static std::string HintFor(const Token& token) {
    if (token.text == "&&") return "write AND";
    if (token.text == "||") return "write OR";
    if (token.text == "!") return "write NOT, or != for inequality";
    if (token.text == "$") return "write variables as ${name}";
    return "";
  }

  [[noreturn]] void FailExpectedValue(const Token& token) const {
    FailForbidden(token);
    const Token* previous = index_ > 0 ? &tokens_[index_ - 1] : nullptr;
    std::string expected =
        previous ? fmt::format("expected a value after '{}'", Shown(previous->text)) : "expected a value";
    std::string found = token.kind == TokenKind::kEnd ? "end of condition" : Quoted(token.text);
    errors_.Fail(token.offset, kSyntaxError, fmt::format("{}, found {}", expected, found),
                 HintFor(token).empty()
                     ? "a value is a 'string', a number, true, false, null, a bareword or ${var}"
                     : HintFor(token));
  }

  // A token left over where AND, OR, ')' or the end should be.
  [[noreturn]] void FailTrailing(const Token& token) const {
    FailForbidden(token);
    if (token.kind == TokenKind::kRightParen) {
      errors_.Fail(token.offset, kSyntaxError, "unexpected ')' in condition: no matching '('",
                   "remove it or add the matching '('");
    }
    std::string hint = HintFor(token);
    if (hint.empty() && token.kind == TokenKind::kWord && token.text.size() >= 3) {
      // ANDD, NOTT: suggest the keyword only for a one-letter slip, not for every short word.
      std::string keyword = util::ClosestMatch(token.text, {"AND", "OR", "NOT"});
      if (!keyword.empty() && util::EditDistance(token.text, keyword) <= 1)
        hint = util::DidYouMean(token.text, {keyword});
    }
    if (hint.empty()) hint = "join conditions with AND or OR, and quote text that contains spaces: 'a b'";
    errors_.Fail(token.offset, kSyntaxError, fmt::format("unexpected {} in condition", Quoted(token.text)),
                 hint);
  }

  std::vector<Token> tokens_;
  const ConditionErrors& errors_;
  int depth_ = 0;
  int nodes_ = 0;
  size_t index_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

bool IsBooleanText(std::string_view text) {
  return util::EqualsIgnoreCase(text, "true") || util::EqualsIgnoreCase(text, "false");
}

// A bool, or text spelling one: variables from the environment or k=v flags arrive as text.
std::optional<bool> AsBoolean(const Value& value) {
  if (value.kind == Value::Kind::kBool || (value.kind == Value::Kind::kText && IsBooleanText(value.text))) {
    return util::EqualsIgnoreCase(value.text, "true");
  }
  return std::nullopt;
}

std::optional<double> AsNumber(const Value& value) {
  if (value.kind != Value::Kind::kNumber && value.kind != Value::Kind::kText) return std::nullopt;
  return ParseNumber(value.text);
}

// An inline default is written as text; give it the type a user would expect from its spelling.
Value TypedDefault(const std::string& text) {
  if (IsBooleanText(text)) return Value::Bool(util::EqualsIgnoreCase(text, "true"));
  if (ParseNumber(text)) return Value::Number(text);
  return Value::Text(text);
}

bool IsOrdering(std::string_view op) {
  return op == "<" || op == "<=" || op == ">" || op == ">=";
}

// Maps a three-way comparison result onto the operator.
bool Holds(std::string_view op, int order) {
  if (op == "==" || op == "=") return order == 0;
  if (op == "!=" || op == "<>") return order != 0;
  if (op == "<") return order < 0;
  if (op == "<=") return order <= 0;
  if (op == ">") return order > 0;
  return order >= 0;
}

template <typename T>
int ThreeWay(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

class Evaluator {
 public:
  Evaluator(const VariableLookup& lookup, const ConditionErrors& errors) : lookup_(lookup), errors_(errors) {}

  // Both sides of AND/OR are always evaluated so every reference and type error surfaces.
  bool Truth(const Node& node) const {
    switch (node.kind) {
      case Node::Kind::kOperand:
        return LoneOperand(node.token);
      case Node::Kind::kCompare:
        return Compare(node.token, Resolve(node.left->token), Resolve(node.right->token));
      case Node::Kind::kNot:
        return !Truth(*node.left);
      case Node::Kind::kAnd: {
        bool left = Truth(*node.left);
        bool right = Truth(*node.right);
        return left && right;
      }
      case Node::Kind::kOr: {
        bool left = Truth(*node.left);
        bool right = Truth(*node.right);
        return left || right;
      }
    }
    return false;
  }

 private:
  bool LoneOperand(const Token& token) const {
    Value value = Resolve(token);
    if (std::optional<bool> truth = AsBoolean(value)) return *truth;
    std::string shown = value.kind == Value::Kind::kNull ? "null" : Shown(value.text);
    errors_.Fail(token.offset, kNotBoolean, fmt::format("condition value '{}' is not a boolean", shown),
                 fmt::format("compare it: {} == 'value'", Shown(token.text)));
  }

  bool Compare(const Token& op, const Value& left, const Value& right) const {
    bool left_null = left.kind == Value::Kind::kNull;
    bool right_null = right.kind == Value::Kind::kNull;
    if (left_null || right_null) {
      if (IsOrdering(op.text)) FailOrdering(op, "null");
      return Holds(op.text, left_null && right_null ? 0 : 1);  // null equals only null
    }
    std::optional<double> left_number = AsNumber(left);
    std::optional<double> right_number = AsNumber(right);
    if (left_number && right_number) return Holds(op.text, ThreeWay(*left_number, *right_number));
    bool has_bool = left.kind == Value::Kind::kBool || right.kind == Value::Kind::kBool;
    if (has_bool && IsOrdering(op.text)) FailOrdering(op, "a boolean");
    std::optional<bool> left_bool = AsBoolean(left);
    std::optional<bool> right_bool = AsBoolean(right);
    if (left_bool && right_bool) {
      if (IsOrdering(op.text)) FailOrdering(op, "a boolean");
      return Holds(op.text, *left_bool == *right_bool ? 0 : 1);
    }
    return Holds(op.text, ThreeWay(left.text, right.text));
  }

  [[noreturn]] void FailOrdering(const Token& op, std::string_view what) const {
    errors_.Fail(op.offset, kCannotOrder,
                 fmt::format("cannot order {} with '{}' in condition", what, op.text),
                 "use == or != to test it");
  }

  Value Resolve(const Token& token) const {
    switch (token.kind) {
      case TokenKind::kString:
        return Value::Text(Interpolate(token));
      case TokenKind::kNumber:
        return Value::Number(std::string(token.text));
      case TokenKind::kTrue:
        return Value::Bool(true);
      case TokenKind::kFalse:
        return Value::Bool(false);
      case TokenKind::kNull:
        return Value::Null();
      case TokenKind::kVariable: {
        VariableReference reference = FindVariableReferences(token.text).front();
        return Lookup(reference, token.offset);
      }
      default:
        return Value::Text(std::string(token.text));
    }
  }

  // A quoted string's ${...} references become the variables' text, as users write
  // '${env}' == 'prod' out of SQL habit; the result is always text, never re-tokenized.
  std::string Interpolate(const Token& token) const {
    std::string_view raw = token.text.substr(1, token.text.size() - 2);
    size_t inner_offset = token.offset + 1;
    std::string out;
    size_t done = 0;
    for (const VariableReference& reference : FindVariableReferences(raw)) {
      if (reference.length == 0) break;  // the tokenizer already rejected this
      out += Unescape(raw.substr(done, reference.offset - done), token.text.front());
      out += Lookup(reference, inner_offset + reference.offset).text;
      done = reference.offset + reference.length;
    }
    out += Unescape(raw.substr(done), token.text.front());
    return out;
  }

  static std::string Unescape(std::string_view text, char quote) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      out += text[i];
      if (text[i] == quote && i + 1 < text.size() && text[i + 1] == quote) ++i;
    }
    return out;
  }

  Value Lookup(const VariableReference& reference, size_t offset) const {
    if (lookup_) {
      if (std::optional<Value> value = lookup_(reference.name)) return *value;
    }
    if (reference.default_value) return TypedDefault(*reference.default_value);
    errors_.Fail(offset, kUndefinedVariable, fmt::format("undefined variable '{}'", reference.name),
                 fmt::format("pass it with --vars {0}=value, SET {0} = value; before the IF, or give it a "
                             "default: ${{{0}|value}}",
                             reference.name));
  }

  const VariableLookup& lookup_;
  const ConditionErrors& errors_;
};

}  // namespace

bool EvaluateCondition(std::string_view text, const common::Location& start, const VariableLookup& lookup) {
  ConditionErrors errors(start);
  std::unique_ptr<Node> root = Parser(Tokenizer(text, errors).Run(), errors).Run();
  return Evaluator(lookup, errors).Truth(*root);
}

}  // namespace sqlflow::lang
