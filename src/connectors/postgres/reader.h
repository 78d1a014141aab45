#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/connector.h"
#include "connectors/postgres/types.h"
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

// Decodes a binary COPY stream (what `COPY ... TO STDOUT (FORMAT binary)` sends) of `columns` into
// `appender`'s table as ReadInto does, without a server: `pieces` arrive one after another, split
// wherever the network may split them. Returns the rows decoded; throws std::runtime_error on a
// malformed stream. The caller closes the appender.
uint64_t DecodeBinaryCopy(const std::vector<ColumnMapping>& columns,
                          const std::vector<std::string_view>& pieces, engine::ChunkAppender& appender);

}  // namespace sqlflow::connectors::postgres
