#pragma once
// PostgreSQL types as DuckDB sees them, and the decoding of COPY's binary format into DuckDB
// vectors. Values move straight from the wire into data chunks: no text round trip.

#include <cstdint>
#include <memory>
#include <string>

#include <duckdb.h>

namespace sqlflow::connectors::postgres {

// How one PostgreSQL column becomes a DuckDB column.
struct ColumnMapping {
  std::string name;
  uint32_t oid = 0;
  std::string pg_type;      // for messages: int4, numeric, _text, ...
  std::string duckdb_type;  // INTEGER, DECIMAL(10,2), VARCHAR[], ...
  int decimal_width = 0;    // numeric(p,s)
  int decimal_scale = 0;
  uint32_t element_oid = 0;  // arrays
};

// The mapping for a column of type `oid` with type modifier `typmod`; `supported` is false for
// types SQLFlow cannot read (the caller names the column and type).
ColumnMapping MapColumn(const std::string& name, uint32_t oid, int typmod, const std::string& pg_type,
                        bool& supported);

// Writes one binary value (`length` bytes at `data`) of `mapping` into `vector` at `row`.
// Throws std::runtime_error on malformed data.
void DecodeValue(const ColumnMapping& mapping, const char* data, int32_t length, duckdb_vector vector,
                 idx_t row);

// The PostgreSQL type for a DuckDB column type, for CREATE TABLE on export.
std::string PostgresTypeFor(const std::string& duckdb_type);

}  // namespace sqlflow::connectors::postgres
