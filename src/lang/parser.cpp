#include "lang/parser.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "lang/lexer.h"
#include "util/strings.h"

namespace sqlflow::lang {

const char* LoadModeName(LoadMode::Kind kind) {
  switch (kind) {
    case LoadMode::Kind::kReplace:
      return "REPLACE";
    case LoadMode::Kind::kAppend:
      return "APPEND";
    case LoadMode::Kind::kMerge:
      return "MERGE";
  }
  return "?";
}

const char* StatementKindName(Statement::Kind kind) {
  switch (kind) {
    case Statement::Kind::kSource:
      return "source";
    case Statement::Kind::kLoad:
      return "load";
    case Statement::Kind::kCreateTable:
      return "transform";
    case Statement::Kind::kExport:
      return "export";
    case Statement::Kind::kSet:
      return "set";
    case Statement::Kind::kInclude:
      return "include";
    case Statement::Kind::kIf:
      return "if";
    case Statement::Kind::kSql:
      return "sql";
  }
  return "?";
}

namespace {

// Thrown after a diagnostic is recorded, to abandon the current statement.
struct ParseFailure {};
// Thrown after a diagnostic is recorded, to abandon the rest of the file.
struct ParseAbort {};

// First words of statements DuckDB accepts; a near-miss of a directive keyword that is one of
// these is plain SQL, not a typo.
constexpr std::array kSqlKeywords = {
    "ABORT",   "ALTER",  "ANALYZE", "ATTACH",     "BEGIN",     "CALL",     "CHECKPOINT", "COMMENT",
    "COMMIT",  "COPY",   "CREATE",  "DEALLOCATE", "DELETE",    "DESC",     "DESCRIBE",   "DETACH",
    "DROP",    "END",    "EXECUTE", "EXPLAIN",    "EXPORT",    "FROM",     "IMPORT",     "INSERT",
    "INSTALL", "LOAD",   "MERGE",   "PIVOT",      "PRAGMA",    "PREPARE",  "RESET",      "ROLLBACK",
    "SELECT",  "SET",    "SHOW",    "START",      "SUMMARIZE", "TRUNCATE", "UNPIVOT",    "UPDATE",
    "USE",     "VACUUM", "VALUES",  "WITH",       "FORCE",     "UPSERT",   "TABLE",      "GRANT"};

constexpr int kMaxIfDepth = 64;

constexpr std::array kDirectives = {"SOURCE", "LOAD", "EXPORT", "INCLUDE", "CREATE", "SET", "IF"};

class Parser {
 public:
  explicit Parser(std::shared_ptr<const common::SourceFile> file) : file_(std::move(file)) {
    LexResult lexed = Tokenize(file_);
    tokens_ = std::move(lexed.tokens);
    result_.diagnostics = std::move(lexed.diagnostics);
    for (const auto& diagnostic : result_.diagnostics) {
      first_lex_error_ = std::min(first_lex_error_, diagnostic.location.offset);
    }
  }

  ParseResult Run() {
    try {
      result_.statements = ParseBlock(nullptr);
    } catch (const ParseAbort&) {
      // Nothing after the reported limit is parsed: its END IFs would each be one more error.
    }
    // After an unterminated string or comment the rest of the file is one token; what the parser
    // says about it is noise.
    std::erase_if(result_.diagnostics, [this](const common::Diagnostic& d) {
      return d.code.rfind("SF-LEX", 0) != 0 && d.location.offset >= first_lex_error_;
    });
    std::stable_sort(result_.diagnostics.begin(), result_.diagnostics.end(),
                     [](const common::Diagnostic& a, const common::Diagnostic& b) {
                       return a.location.offset < b.location.offset;
                     });
    return std::move(result_);
  }

 private:
  // ---- token access ------------------------------------------------------------------------
  const Token& Cur() const { return tokens_[pos_]; }
  const Token& At(size_t index) const { return tokens_[std::min(index, tokens_.size() - 1)]; }
  bool AtEnd() const { return Cur().kind == Token::Kind::kEnd; }
  common::Location LocOf(const Token& token) const { return common::Location{file_, token.offset}; }
  common::Location EndOfPrevious() const {
    return common::Location{file_, pos_ > 0 ? tokens_[pos_ - 1].end() : 0};
  }

  std::string Describe(const Token& token) const {
    if (token.kind == Token::Kind::kEnd) return "end of file";
    std::string text(token.text.substr(0, 40));
    return "'" + text + "'";
  }

  void Report(common::Location location, std::string code, std::string message, std::string hint = "") {
    result_.diagnostics.push_back(
        common::Diagnostic{std::move(code), std::move(message), location, std::move(hint), {}});
  }

  [[noreturn]] void Fail(common::Location location, std::string code, std::string message,
                         std::string hint = "") {
    Report(std::move(location), std::move(code), std::move(message), std::move(hint));
    throw ParseFailure{};
  }

  // A directive keyword that starts a line: inside a SQL body it means the previous statement
  // lacks its ';'. SET and ELSE are left out: they start lines in UPDATE and CASE.
  bool IsLineStartDirective(size_t index) const {
    const Token& token = At(index);
    if (token.kind != Token::Kind::kWord || index == 0) return false;
    if (file_->LineOf(tokens_[index - 1].offset) == file_->LineOf(token.offset)) return false;
    if (token.IsWord("SOURCE") || token.IsWord("EXPORT") || token.IsWord("INCLUDE") ||
        token.IsWord("ENDIF") || token.IsWord("ELSEIF")) {
      return true;
    }
    if (token.IsWord("END")) return At(index + 1).IsWord("IF");
    if (token.IsWord("IF")) return !At(index + 1).IsPunct("(");
    if (token.IsWord("CREATE")) return At(index + 1).IsWord("TABLE") || At(index + 1).IsWord("OR");
    if (token.IsWord("LOAD")) return NameEnd(index + 1) > index + 1 && At(NameEnd(index + 1)).IsWord("FROM");
    return false;
  }

  void ExpectWord(std::string_view keyword, std::string_view context, std::string_view hint) {
    if (!Cur().IsWord(keyword)) {
      Fail(LocOf(Cur()), "SF-PARSE-002",
           fmt::format("expected {} {}, found {}", keyword, context, Describe(Cur())), std::string(hint));
    }
    ++pos_;
  }

  void ExpectSemicolon(std::string_view what) {
    if (Cur().IsPunct(";")) {
      ++pos_;
      return;
    }
    if (AtEnd() || IsLineStartDirective(pos_)) {
      Fail(EndOfPrevious(), "SF-PARSE-001", fmt::format("missing ';' at the end of the {} statement", what),
           "end every statement with ';'");
    }
    Fail(LocOf(Cur()), "SF-PARSE-001",
         fmt::format("expected ';' after the {} statement, found {}", what, Describe(Cur())),
         "end every statement with ';'");
  }

  // Skips to just past the next ';' outside braces, so parsing resumes at the next statement.
  void Synchronize() {
    int depth = 0;
    while (!AtEnd()) {
      const Token& token = Cur();
      ++pos_;
      if (token.IsPunct("{")) ++depth;
      if (token.IsPunct("}")) depth = std::max(0, depth - 1);
      if (token.IsPunct(";") && depth == 0) return;
    }
  }

  // Index of the ';' ending the statement that starts at pos_ (or the kEnd token).
  size_t FindStatementEnd(size_t from) const {
    int depth = 0;
    for (size_t i = from; i < tokens_.size(); ++i) {
      const Token& token = tokens_[i];
      if (token.kind == Token::Kind::kEnd) return i;
      if (token.IsPunct("(") || token.IsPunct("{") || token.IsPunct("[")) ++depth;
      if (token.IsPunct(")") || token.IsPunct("}") || token.IsPunct("]")) depth = std::max(0, depth - 1);
      if (token.IsPunct(";") && depth == 0) return i;
      if (i > from && depth == 0 && IsLineStartDirective(i)) return i;
    }
    return tokens_.size() - 1;
  }

  Text SpanText(size_t first, size_t end_exclusive) const {
    if (end_exclusive <= first) return Text{"", LocOf(At(first))};
    size_t begin = tokens_[first].offset;
    size_t end = tokens_[end_exclusive - 1].end();
    return Text{file_->text().substr(begin, end - begin), common::Location{file_, begin}};
  }

  static bool IsNamePart(const Token& token) {
    return token.kind == Token::Kind::kWord || token.kind == Token::Kind::kQuotedIdent ||
           token.kind == Token::Kind::kVariable;
  }

  // Index just past a dotted name starting at `index`, or `index` when there is none.
  size_t NameEnd(size_t index) const {
    if (!IsNamePart(At(index))) return index;
    size_t end = index + 1;
    while (At(end).IsPunct(".") && IsNamePart(At(end + 1))) end += 2;
    return end;
  }

  Name ParseName(std::string_view what, std::string_view hint) {
    size_t end = NameEnd(pos_);
    if (end == pos_) {
      Fail(LocOf(Cur()), "SF-PARSE-003", fmt::format("expected {}, found {}", what, Describe(Cur())),
           std::string(hint));
    }
    Text text = SpanText(pos_, end);
    pos_ = end;
    return Name{text.raw, text.location};
  }

  Text ParseJsonObject(std::string_view keyword) {
    if (!Cur().IsPunct("{")) {
      Fail(LocOf(Cur()), "SF-PARSE-004",
           fmt::format("expected a JSON object after {}, found {}", keyword, Describe(Cur())),
           fmt::format("write {} {{\"key\": \"value\"}}", keyword));
    }
    size_t first = pos_;
    int depth = 0;
    while (!AtEnd()) {
      if (Cur().IsPunct("{")) ++depth;
      if (Cur().IsPunct("}") && --depth == 0) {
        ++pos_;
        return SpanText(first, pos_);
      }
      if (Cur().IsPunct(";") && depth > 0 && At(pos_ + 1).kind != Token::Kind::kEnd &&
          At(pos_ + 1).kind == Token::Kind::kWord && IsDirectiveStart(At(pos_ + 1))) {
        break;
      }
      ++pos_;
    }
    Fail(LocOf(tokens_[first]), "SF-PARSE-005", fmt::format("unbalanced braces in the {} object", keyword),
         "every '{' needs a matching '}'");
  }

  static bool IsDirectiveStart(const Token& token) {
    for (const char* directive : kDirectives) {
      if (token.IsWord(directive)) return true;
    }
    return false;
  }

  // ---- statements --------------------------------------------------------------------------
  std::vector<Statement> ParseBlock(const Token* opening_if) {
    std::vector<Statement> statements;
    while (!AtEnd()) {
      if (opening_if && (Cur().IsWord("ELSE") || Cur().IsWord("ELSEIF") || Cur().IsWord("ENDIF") ||
                         (Cur().IsWord("END") && At(pos_ + 1).IsWord("IF")))) {
        return statements;
      }
      if (Cur().IsPunct(";")) {
        ++pos_;
        continue;
      }
      size_t start = pos_;
      try {
        statements.push_back(ParseStatement());
      } catch (const ParseFailure&) {
        // Resume at the next statement; a directive starting a line is one already.
        bool at_next_statement = pos_ > start && (At(pos_ - 1).IsPunct(";") || IsLineStartDirective(pos_));
        if (!at_next_statement) Synchronize();
      }
    }
    return statements;
  }

  Statement Begin(Statement::Kind kind) const {
    Statement statement;
    statement.kind = kind;
    statement.location = LocOf(Cur());
    return statement;
  }

  // Records the statement's verbatim text from its first token to the one before the ';'.
  void Finish(Statement& statement, size_t first) const {
    size_t last = pos_;
    if (last > first && At(last - 1).IsPunct(";")) --last;
    statement.text = SpanText(first, last);
  }

  Statement ParseStatement() {
    const Token& token = Cur();
    size_t first = pos_;
    Statement statement = Begin(Statement::Kind::kSql);
    if (token.kind == Token::Kind::kWord) {
      std::string keyword = util::ToUpper(token.text);
      if (keyword == "SOURCE") {
        statement = ParseSource();
      } else if (keyword == "LOAD" && LooksLikeLoadDirective()) {
        statement = ParseLoad();
      } else if (keyword == "CREATE" && LooksLikeTransform()) {
        statement = ParseCreateTable();
      } else if (keyword == "EXPORT" && !At(pos_ + 1).IsWord("DATABASE")) {
        statement = ParseExport();
      } else if (keyword == "SET" && !IsDuckdbSet()) {
        statement = ParseSet();
      } else if (keyword == "INCLUDE") {
        statement = ParseInclude();
      } else if (keyword == "IF") {
        statement = ParseIf();
      } else if (keyword == "ELSE" || keyword == "ELSEIF" || keyword == "ENDIF" ||
                 (keyword == "END" && At(pos_ + 1).IsWord("IF"))) {
        Fail(LocOf(token), "SF-PARSE-010",
             fmt::format("{} without a matching IF", keyword == "END" ? "END IF" : keyword),
             "conditional blocks read IF cond THEN ... [ELSE IF cond THEN ...] [ELSE ...] END IF;");
      } else {
        CheckNotMisspelledDirective(token, keyword);
        statement = ParseSql();
      }
    } else {
      statement = ParseSql();
    }
    Finish(statement, first);
    return statement;
  }

  void CheckNotMisspelledDirective(const Token& token, const std::string& keyword) {
    for (const char* sql : kSqlKeywords) {
      if (keyword == sql) return;
    }
    std::vector<std::string> directives = {"SOURCE", "LOAD",   "EXPORT", "INCLUDE",
                                           "CREATE", "SELECT", "INSERT"};
    std::string match = util::ClosestMatch(keyword, directives);
    if (!match.empty() && keyword.size() >= 3) {
      Fail(LocOf(token), "SF-PARSE-011", fmt::format("unknown statement '{}'", token.text),
           fmt::format("did you mean {}?", match));
    }
  }

  bool LooksLikeLoadDirective() const {
    size_t end = FindStatementEnd(pos_);
    for (size_t i = pos_ + 1; i < end; ++i) {
      if (tokens_[i].IsWord("FROM")) return true;
    }
    return false;
  }

  bool IsDuckdbSet() const {
    const Token& next = At(pos_ + 1);
    return next.IsWord("GLOBAL") || next.IsWord("SESSION") || next.IsWord("LOCAL") || next.IsWord("VARIABLE");
  }

  // CREATE [OR REPLACE] TABLE name [MODE ...] AS ... is a transform; any other CREATE is plain SQL.
  bool LooksLikeTransform() const {
    size_t i = pos_ + 1;
    if (At(i).IsWord("OR") && At(i + 1).IsWord("REPLACE")) i += 2;
    if (!At(i).IsWord("TABLE")) return false;
    size_t end = NameEnd(i + 1);
    if (end == i + 1) return false;
    return At(end).IsWord("AS") || At(end).IsWord("MODE");
  }

  Statement ParseSource() {
    Statement statement = Begin(Statement::Kind::kSource);
    auto source = std::make_shared<SourceStatement>();
    ++pos_;
    source->name =
        ParseName("a source name after SOURCE", "SOURCE name TYPE CSV PARAMS {\"path\": \"data/x.csv\"};");
    if (Cur().IsWord("TYPE")) {
      ++pos_;
      if (Cur().kind != Token::Kind::kWord) {
        Fail(LocOf(Cur()), "SF-PARSE-003",
             fmt::format("expected a connector type after TYPE, found {}", Describe(Cur())),
             "for example TYPE CSV, TYPE PARQUET, TYPE POSTGRES");
      }
      source->type = util::ToUpper(Cur().text);
      source->type_location = LocOf(Cur());
      ++pos_;
      ExpectWord("PARAMS", "after the source type",
                 "SOURCE name TYPE CSV PARAMS {\"path\": \"data/x.csv\"};");
      source->params = ParseJsonObject("PARAMS");
    } else if (Cur().IsWord("FROM")) {
      ++pos_;
      if (Cur().kind != Token::Kind::kQuotedIdent && Cur().kind != Token::Kind::kString &&
          Cur().kind != Token::Kind::kWord) {
        Fail(LocOf(Cur()), "SF-PARSE-003",
             fmt::format("expected a connector name after FROM, found {}", Describe(Cur())),
             "SOURCE name FROM \"connector\" OPTIONS {...}; names a connector of the profile");
      }
      std::string raw = Cur().kind == Token::Kind::kWord ? std::string(Cur().text) : Cur().Unquoted();
      source->connector = Name{std::move(raw), LocOf(Cur())};
      ++pos_;
      if (Cur().IsWord("OPTIONS")) {
        ++pos_;
        source->options = ParseJsonObject("OPTIONS");
      }
    } else {
      Fail(LocOf(Cur()), "SF-PARSE-002",
           fmt::format("expected TYPE or FROM after the source name, found {}", Describe(Cur())),
           "SOURCE name TYPE CSV PARAMS {...}; or SOURCE name FROM \"connector\" OPTIONS {...};");
    }
    ExpectSemicolon("SOURCE");
    statement.source = std::move(source);
    return statement;
  }

  LoadMode ParseMode() {
    LoadMode mode;
    mode.location = LocOf(Cur());
    ++pos_;  // MODE
    const Token& word = Cur();
    if (word.IsWord("REPLACE") || word.IsWord("OVERWRITE")) {
      mode.kind = LoadMode::Kind::kReplace;
      ++pos_;
    } else if (word.IsWord("APPEND")) {
      mode.kind = LoadMode::Kind::kAppend;
      ++pos_;
    } else if (word.IsWord("MERGE") || word.IsWord("UPSERT") || word.IsWord("MERGE_KEYS")) {
      mode.kind = LoadMode::Kind::kMerge;
      bool keyword_given = word.IsWord("MERGE_KEYS");
      ++pos_;
      if (Cur().IsWord("KEY") || Cur().IsWord("KEYS") || Cur().IsWord("MERGE_KEYS")) {
        keyword_given = true;
        ++pos_;
      }
      mode.keys = ParseKeys(keyword_given);
    } else {
      Fail(LocOf(word), "SF-PARSE-006", fmt::format("unknown load mode {}", Describe(word)),
           "the modes are REPLACE, APPEND and MERGE KEY (column, ...)");
    }
    if (Cur().IsWord("OPTIONS")) {
      ++pos_;
      mode.options = ParseJsonObject("OPTIONS");
    }
    return mode;
  }

  std::vector<std::string> ParseKeys(bool keyword_given) {
    std::vector<std::string> keys;
    auto key_error = [&]() {
      Fail(LocOf(Cur()), "SF-PARSE-007", fmt::format("MERGE needs key columns, found {}", Describe(Cur())),
           "write MODE MERGE KEY (id) or MODE MERGE KEY (a, b)");
    };
    auto take_key = [&]() {
      if (Cur().kind != Token::Kind::kWord && Cur().kind != Token::Kind::kQuotedIdent) key_error();
      keys.push_back(Cur().kind == Token::Kind::kQuotedIdent ? Cur().Unquoted() : std::string(Cur().text));
      ++pos_;
    };
    if (Cur().IsPunct("(")) {
      ++pos_;
      take_key();
      while (Cur().IsPunct(",")) {
        ++pos_;
        take_key();
      }
      if (!Cur().IsPunct(")")) {
        Fail(LocOf(Cur()), "SF-PARSE-007",
             fmt::format("expected ',' or ')' in the key list, found {}", Describe(Cur())),
             "write MODE MERGE KEY (a, b)");
      }
      ++pos_;
    } else if (keyword_given || Cur().kind == Token::Kind::kWord || Cur().kind == Token::Kind::kQuotedIdent) {
      if (Cur().IsWord("AS") || Cur().IsWord("OPTIONS") || Cur().IsPunct(";")) key_error();
      take_key();
    } else {
      key_error();
    }
    return keys;
  }

  Statement ParseLoad() {
    Statement statement = Begin(Statement::Kind::kLoad);
    auto load = std::make_shared<LoadStatement>();
    ++pos_;
    load->table = ParseName("a table name after LOAD", "LOAD table FROM source;");
    ExpectWord("FROM", "after the table name", "LOAD table FROM source [MODE REPLACE|APPEND|MERGE KEY (k)];");
    load->source = ParseName("a source name after FROM", "LOAD table FROM source;");
    if (Cur().IsWord("MODE")) load->mode = ParseMode();
    ExpectSemicolon("LOAD");
    statement.load = std::move(load);
    return statement;
  }

  Text ParseQueryUntilSemicolon(std::string_view what, std::string_view hint) {
    size_t end = FindStatementEnd(pos_);
    if (end == pos_) {
      Fail(LocOf(Cur()), "SF-PARSE-008", fmt::format("expected a query {}, found {}", what, Describe(Cur())),
           std::string(hint));
    }
    Text text = SpanText(pos_, end);
    pos_ = end;
    return text;
  }

  Statement ParseCreateTable() {
    Statement statement = Begin(Statement::Kind::kCreateTable);
    auto create = std::make_shared<CreateTableStatement>();
    ++pos_;  // CREATE
    if (Cur().IsWord("OR")) {
      create->or_replace = true;
      pos_ += 2;
    }
    ++pos_;  // TABLE
    create->table = ParseName("a table name", "CREATE TABLE name AS SELECT ...;");
    if (Cur().IsWord("MODE")) create->mode = ParseMode();
    ExpectWord("AS", "before the query", "CREATE TABLE name [MODE mode] AS SELECT ...;");
    create->query = ParseQueryUntilSemicolon("after AS", "CREATE TABLE name AS SELECT ...;");
    ExpectSemicolon("CREATE TABLE");
    statement.create_table = std::move(create);
    return statement;
  }

  Statement ParseExport() {
    Statement statement = Begin(Statement::Kind::kExport);
    auto exported = std::make_shared<ExportStatement>();
    size_t first = ++pos_;
    size_t end = FindStatementEnd(first);
    // The destination is the last top-level TO followed by a quoted string.
    size_t to = 0;
    int depth = 0;
    for (size_t i = first; i < end; ++i) {
      if (tokens_[i].IsPunct("(")) ++depth;
      if (tokens_[i].IsPunct(")")) --depth;
      if (depth == 0 && tokens_[i].IsWord("TO") &&
          (At(i + 1).kind == Token::Kind::kString || At(i + 1).kind == Token::Kind::kQuotedIdent)) {
        to = i;
      }
    }
    if (to == 0) {
      pos_ = end;
      Fail(to == 0 && end > first ? LocOf(tokens_[end - 1]) : LocOf(Cur()), "SF-PARSE-009",
           "EXPORT needs a destination: TO 'path' TYPE type",
           "EXPORT SELECT ... TO 'output/x.csv' TYPE CSV;");
    }
    if (to == first) {
      Fail(LocOf(tokens_[first]), "SF-PARSE-008", "EXPORT needs a query or a table name before TO",
           "EXPORT SELECT * FROM t TO 'output/t.csv' TYPE CSV;");
    }
    exported->query = SpanText(first, to);
    exported->is_table = NameEnd(first) == to;
    const Token& uri = tokens_[to + 1];
    exported->uri = Text{uri.Unquoted(), LocOf(uri).Advanced(1)};
    pos_ = to + 2;
    if (!Cur().IsWord("TYPE")) {
      Fail(LocOf(Cur()), "SF-PARSE-002",
           fmt::format("expected TYPE after the export destination, found {}", Describe(Cur())),
           "for example TO 'output/x.csv' TYPE CSV (CSV, PARQUET, JSON)");
    }
    ++pos_;
    if (Cur().kind != Token::Kind::kWord) {
      Fail(LocOf(Cur()), "SF-PARSE-003",
           fmt::format("expected an export type after TYPE, found {}", Describe(Cur())),
           "CSV, PARQUET or JSON");
    }
    exported->type = util::ToUpper(Cur().text);
    exported->type_location = LocOf(Cur());
    ++pos_;
    if (Cur().IsWord("OPTIONS")) {
      ++pos_;
      exported->options = ParseJsonObject("OPTIONS");
    }
    ExpectSemicolon("EXPORT");
    statement.export_ = std::move(exported);
    return statement;
  }

  Statement ParseSet() {
    Statement statement = Begin(Statement::Kind::kSet);
    auto set = std::make_shared<SetStatement>();
    ++pos_;
    if (Cur().kind != Token::Kind::kWord) {
      Fail(LocOf(Cur()), "SF-PARSE-003",
           fmt::format("expected a variable name after SET, found {}", Describe(Cur())),
           "SET name = 'value';");
    }
    set->name = Name{std::string(Cur().text), LocOf(Cur())};
    ++pos_;
    if (!Cur().IsPunct("=")) {
      Fail(LocOf(Cur()), "SF-PARSE-002",
           fmt::format("expected '=' after the variable name, found {}", Describe(Cur())),
           "SET name = 'value';");
    }
    ++pos_;
    size_t value_first = pos_;
    if (Cur().IsPunct("-") && At(pos_ + 1).kind == Token::Kind::kNumber) ++pos_;
    const Token& value = Cur();
    bool ok = value.kind == Token::Kind::kString || value.kind == Token::Kind::kNumber ||
              value.kind == Token::Kind::kVariable || value.kind == Token::Kind::kQuotedIdent ||
              value.IsWord("TRUE") || value.IsWord("FALSE") || value.IsWord("NULL");
    if (!ok) {
      Fail(LocOf(value), "SF-PARSE-012",
           fmt::format("a SET value must be a quoted string, a number, true/false or ${{...}}, found {}",
                       Describe(value)),
           fmt::format("quote text values: SET {} = '{}';", set->name.raw, value.text.substr(0, 20)));
    }
    ++pos_;
    set->value = SpanText(value_first, pos_);
    ExpectSemicolon("SET");
    statement.set = std::move(set);
    return statement;
  }

  Statement ParseInclude() {
    Statement statement = Begin(Statement::Kind::kInclude);
    auto include = std::make_shared<IncludeStatement>();
    ++pos_;
    if (Cur().kind != Token::Kind::kString && Cur().kind != Token::Kind::kQuotedIdent) {
      Fail(LocOf(Cur()), "SF-PARSE-003",
           fmt::format("expected a quoted file path after INCLUDE, found {}", Describe(Cur())),
           "INCLUDE 'common/sources.sf';");
    }
    include->path = Text{Cur().Unquoted(), LocOf(Cur()).Advanced(1)};
    ++pos_;
    if (Cur().IsWord("AS")) {
      ++pos_;
      if (Cur().kind != Token::Kind::kWord) {
        Fail(LocOf(Cur()), "SF-PARSE-003",
             fmt::format("expected an alias after AS, found {}", Describe(Cur())),
             "INCLUDE 'file.sf' AS name;");
      }
      include->alias = std::string(Cur().text);
      ++pos_;
    }
    ExpectSemicolon("INCLUDE");
    statement.include = std::move(include);
    return statement;
  }

  Text ParseCondition(const Token& keyword) {
    size_t first = pos_;
    int depth = 0;
    while (!AtEnd() && !Cur().IsPunct(";") && !(pos_ > first && IsLineStartDirective(pos_))) {
      if (Cur().IsPunct("(")) ++depth;
      if (Cur().IsPunct(")")) --depth;
      if (depth <= 0 && Cur().IsWord("THEN")) break;
      ++pos_;
    }
    Text condition = SpanText(first, pos_);
    if (pos_ == first)
      Fail(LocOf(Cur()), "SF-PARSE-014", "empty condition", "IF ${env} == 'prod' THEN ... END IF;");
    if (!Cur().IsWord("THEN")) {
      // Reported, then parsed as if THEN were there, so the block's END IF still matches.
      Report(LocOf(Cur()), "SF-PARSE-013",
             fmt::format("expected THEN after the {} condition, found {}", util::ToUpper(keyword.text),
                         Describe(Cur())),
             "IF ${env} == 'prod' THEN ... END IF;");
      if (Cur().IsPunct(";")) ++pos_;
      return condition;
    }
    ++pos_;  // THEN
    return condition;
  }

  Statement ParseIf() {
    Statement statement = Begin(Statement::Kind::kIf);
    auto conditional = std::make_shared<IfStatement>();
    const Token& opening = Cur();
    // Blocks are parsed (and later walked) recursively: the limit keeps the stack bounded.
    if (if_depth_ == kMaxIfDepth) {
      Report(LocOf(opening), "SF-PARSE-017", fmt::format("IF blocks nested more than {} deep", kMaxIfDepth),
             "flatten the conditions: combine them with AND, or use ELSE IF");
      throw ParseAbort{};
    }
    ++if_depth_;
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{if_depth_};
    ++pos_;
    ConditionalBranch branch;
    branch.condition = ParseCondition(opening);
    branch.body = ParseBlock(&opening);
    conditional->branches.push_back(std::move(branch));
    while (true) {
      if (AtEnd()) {
        Fail(LocOf(opening), "SF-PARSE-015", "IF without END IF", "close the block with END IF;");
      }
      const Token& keyword = Cur();
      if (keyword.IsWord("ENDIF") || keyword.IsWord("END")) {
        pos_ += keyword.IsWord("END") ? 2 : 1;
        ExpectSemicolon("END IF");
        break;
      }
      bool else_if = keyword.IsWord("ELSEIF") || (keyword.IsWord("ELSE") && At(pos_ + 1).IsWord("IF"));
      if (conditional->has_else) {
        Report(LocOf(keyword), "SF-PARSE-016",
               fmt::format("{} after ELSE", else_if ? "ELSE IF" : "a second ELSE"),
               "ELSE must be the last branch of an IF block");
      }
      ConditionalBranch next;
      if (else_if) {
        pos_ += keyword.IsWord("ELSEIF") ? 1 : 2;
        next.condition = ParseCondition(keyword);
      } else {
        ++pos_;
        conditional->has_else = true;
        next.condition = Text{"", LocOf(keyword)};
      }
      next.body = ParseBlock(&opening);
      conditional->branches.push_back(std::move(next));
    }
    statement.if_ = std::move(conditional);
    return statement;
  }

  Statement ParseSql() {
    Statement statement = Begin(Statement::Kind::kSql);
    auto sql = std::make_shared<SqlStatement>();
    size_t first = pos_;
    size_t end = FindStatementEnd(pos_);
    sql->sql = SpanText(first, end);
    pos_ = end;
    ExpectSemicolon("SQL");
    statement.sql = std::move(sql);
    return statement;
  }

  std::shared_ptr<const common::SourceFile> file_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int if_depth_ = 0;
  size_t first_lex_error_ = SIZE_MAX;
  ParseResult result_;
};

}  // namespace

ParseResult Parse(const std::shared_ptr<const common::SourceFile>& file) {
  return Parser(file).Run();
}

std::vector<Statement> ParseOrThrow(const std::shared_ptr<const common::SourceFile>& file) {
  ParseResult result = Parse(file);
  if (!result.diagnostics.empty()) throw common::SqlflowError(std::move(result.diagnostics));
  return std::move(result.statements);
}

}  // namespace sqlflow::lang
