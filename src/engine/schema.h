#pragma once
// Column shapes of tables and queries as DuckDB reports them, and which type changes are safe.

#include <string>
#include <vector>

#include "engine/duckdb.h"

namespace sqlflow::engine {

struct Column {
  std::string name;
  std::string type;  // DuckDB's spelling: INTEGER, DECIMAL(10,2), TIMESTAMP WITH TIME ZONE, ...
  bool nullable = true;
};

// The columns of a table, in order; empty when the table does not exist.
std::vector<Column> DescribeTable(Connection& connection, const std::string& table);
// The columns a query yields, in order, without running it.
std::vector<Column> DescribeQuery(Connection& connection, const std::string& query);

// Whether a value of type `from` always fits `to` without loss: the same type, integer to a wider
// integer (or a DECIMAL or floating type that holds all its values), FLOAT to DOUBLE, DECIMAL to
// a DECIMAL with as many integer and fraction digits, DATE to TIMESTAMP, anything to VARCHAR.
bool IsSafeWidening(const std::string& from, const std::string& to);

}  // namespace sqlflow::engine
