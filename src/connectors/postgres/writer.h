#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/duckdb.h"

namespace sqlflow::connectors::postgres {

struct WriteSummary {
  uint64_t rows = 0;
  uint64_t inserted = 0;
  uint64_t updated = 0;
};

// Writes the rows of DuckDB `query` into PostgreSQL table `target` ("schema.table") in one
// transaction: COPY ... FROM STDIN, the table created when missing, with the mode of `options`
// (replace, append or merge on `keys`). Throws PostgresError; a failure leaves the table as it was.
WriteSummary Write(engine::Connection& duckdb, const std::string& query, const std::string& target,
                   const nlohmann::json& options);

}  // namespace sqlflow::connectors::postgres
