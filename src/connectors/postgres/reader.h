#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/connector.h"
#include "engine/duckdb.h"
#include "engine/schema.h"

namespace sqlflow::connectors::postgres {

// The SELECT a source reads: its `query`, or every column of `schema`.`table`.
std::string SourceQueryFor(const nlohmann::json& params);

// The columns the source yields as DuckDB will hold them (the types ReadInto creates), described
// by the server without running the query; NOT NULL from pg_attribute for columns of tables.
std::vector<engine::Column> DescribeColumns(const nlohmann::json& params);

// Streams the source's rows into the DuckDB table `target` (created with the mapped column types).
// Throws PostgresError. `target.columns_known`, when set, gets the columns (as DescribeColumns
// gives them) before any row moves. Once `stop` is requested the server's query is cancelled.
uint64_t ReadInto(engine::Connection& duckdb, const nlohmann::json& params, const IngestTarget& target,
                  std::stop_token stop);

}  // namespace sqlflow::connectors::postgres
