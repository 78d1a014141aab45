#pragma once
// A SOURCE's schema as it is now, captured without loading it.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/registry.h"
#include "engine/duckdb.h"
#include "schema/schema.h"

namespace sqlflow::schema {

// Sources DuckDB reads itself: DuckDB describes `query` (the connector's SourceQuery; its readers
// sniff files, nothing is loaded). Streaming sources describe themselves from their catalog
// (PostgreSQL); nullopt when such a connector cannot tell. Throws what the reader throws.
std::optional<Schema> CaptureSource(engine::Connection& connection, const connectors::Connector& connector,
                                    const nlohmann::json& params, const std::string& query);

// The columns of a table (a streaming source's staging table).
Schema CaptureTable(engine::Connection& connection, const std::string& table);

}  // namespace sqlflow::schema
