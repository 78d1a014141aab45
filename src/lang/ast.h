#pragma once
// The parsed form of a .sf file: statements with the source spans they came from. Texts keep the
// raw source (variables not yet substituted); the planner substitutes them.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.h"

namespace sqlflow::lang {

// A span of source text, verbatim.
struct Text {
  std::string raw;
  common::Location location;  // of raw[0]
};

// A table or source name as written (`t`, `s.t`, `"My Table"`).
struct Name {
  std::string raw;
  common::Location location;
};

struct LoadMode {
  enum class Kind { kReplace, kAppend, kMerge };
  Kind kind = Kind::kReplace;
  std::vector<std::string> keys;  // MERGE only
  common::Location location;      // of the MODE keyword; invalid when no MODE was written
  std::optional<Text> options;    // MODE ... OPTIONS {"schema": "strict", "add_columns": true}
};
const char* LoadModeName(LoadMode::Kind kind);

struct SourceStatement {
  Name name;
  std::string type;  // upper-cased TYPE; empty for FROM "connector"
  common::Location type_location;
  std::optional<Text> params;     // the JSON object of PARAMS
  std::optional<Name> connector;  // FROM "connector"
  std::optional<Text> options;    // the JSON object of OPTIONS
};

struct LoadStatement {
  Name table;
  Name source;
  LoadMode mode;
};

struct CreateTableStatement {
  Name table;
  bool or_replace = false;
  std::optional<LoadMode> mode;
  Text query;
};

struct ExportStatement {
  Text query;  // a query, or a table name when is_table
  bool is_table = false;
  Text uri;          // without its quotes
  std::string type;  // upper-cased
  common::Location type_location;
  std::optional<Text> options;
};

struct SetStatement {
  Name name;
  Text value;  // the literal as written: 'text', 42, true, ${x}
};

struct IncludeStatement {
  Text path;  // without its quotes
  std::string alias;
};

struct Statement;

struct ConditionalBranch {
  Text condition;  // empty raw for the ELSE branch
  std::vector<Statement> body;
};

struct IfStatement {
  std::vector<ConditionalBranch> branches;  // IF and each ELSE IF, then ELSE (condition empty) if any
  bool has_else = false;
};

struct SqlStatement {
  Text sql;
};

struct Statement {
  enum class Kind { kSource, kLoad, kCreateTable, kExport, kSet, kInclude, kIf, kSql };
  Kind kind;
  common::Location location;  // of the first token
  Text text;                  // the whole statement, verbatim, without its ';'

  // Exactly one of these is set, matching `kind`.
  std::shared_ptr<SourceStatement> source;
  std::shared_ptr<LoadStatement> load;
  std::shared_ptr<CreateTableStatement> create_table;
  std::shared_ptr<ExportStatement> export_;
  std::shared_ptr<SetStatement> set;
  std::shared_ptr<IncludeStatement> include;
  std::shared_ptr<IfStatement> if_;
  std::shared_ptr<SqlStatement> sql;
};

const char* StatementKindName(Statement::Kind kind);

}  // namespace sqlflow::lang
