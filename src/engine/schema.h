#pragma once
// Column shapes of tables and queries as DuckDB reports them, and which type changes are safe.

#include <string>
#include <string_view>
#include <vector>

#include "engine/duckdb.h"

namespace sqlflow::engine {

struct Column {
  std::string name;
  std::string type;  // DuckDB's spelling: INTEGER, DECIMAL(10,2), TIMESTAMP WITH TIME ZONE, ...
  bool nullable = true;
};

// Whether two names name the same column. DuckDB matches column names ignoring case, quoted or
// not; every check of a name a pipeline gives (merge keys, APPEND's columns) against columns
// follows it, in DuckDB loads and in exports to other databases alike.
bool SameColumnName(std::string_view a, std::string_view b);
// The column of `columns` that `name` names (SameColumnName), or nullptr.
const Column* FindColumn(const std::vector<Column>& columns, std::string_view name);
// Whether `column` is one of `keys` (SameColumnName).
bool IsKeyColumn(const std::vector<std::string>& keys, std::string_view column);

// The columns of a table, in order; empty when the table does not exist.
std::vector<Column> DescribeTable(Connection& connection, const std::string& table);
// The columns a query yields, in order, without running it.
std::vector<Column> DescribeQuery(Connection& connection, const std::string& query);

// Whether a value of type `from` always fits `to` without loss: the same type, integer to a wider
// integer (or a DECIMAL or floating type that holds all its values), FLOAT to DOUBLE, DECIMAL to
// a DECIMAL with as many integer and fraction digits, DATE to TIMESTAMP, anything to VARCHAR.
bool IsSafeWidening(const std::string& from, const std::string& to);

}  // namespace sqlflow::engine
