#pragma once
// Writes a query's rows into a table with a load mode, in one transaction: a failure leaves the
// table exactly as it was.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/duckdb.h"

namespace sqlflow::engine {

struct WriteMode {
  enum class Kind { kReplace, kAppend, kMerge };
  Kind kind = Kind::kReplace;
  std::vector<std::string> keys;  // kMerge
};

// Rows written: the new row count (REPLACE), rows inserted (APPEND), rows inserted or updated
// (MERGE). APPEND inserts by column name; APPEND and MERGE create a missing table.
uint64_t WriteTable(Connection& connection, const std::string& table, const std::string& query,
                    const WriteMode& mode);

}  // namespace sqlflow::engine
