#pragma once
// Reads table references out of SQL with DuckDB's own parser (json_serialize_sql), never with
// regular expressions. CTE names are not tables.

#include <optional>
#include <string>
#include <vector>

#include "engine/duckdb.h"

namespace sqlflow::plan {

struct TableReference {
  std::string name;     // as DuckDB parsed it: "t" or "s.t" (quotes removed)
  std::string key;      // normalized for matching: lower case, without a leading "main."
  size_t position = 0;  // byte offset in the analyzed SQL
};

struct SqlAnalysis {
  enum class Kind { kQuery, kOtherStatement, kSyntaxError };
  Kind kind = Kind::kQuery;
  std::vector<TableReference> tables;  // kQuery only, in order of appearance, without CTE names
  std::string error;                   // kSyntaxError: DuckDB's message
  std::optional<size_t> error_position;
  size_t statements = 1;  // how many statements DuckDB's parser finds (a step must be exactly one)
};

// Normalizes a table name as written in a directive ("My"."T", main.t) to its matching key.
std::string TableKey(std::string_view name);

class SqlAnalyzer {
 public:
  // Uses its own in-memory database: parsing needs no data.
  SqlAnalyzer();
  // Analyzes one statement. SELECT-like statements are serialized; anything else is only
  // checked for syntax. How many statements the text holds is counted too.
  SqlAnalysis Analyze(const std::string& sql);

 private:
  engine::Database database_;
  engine::Connection connection_;
};

}  // namespace sqlflow::plan
