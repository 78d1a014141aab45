#pragma once
// One value of a DuckDB vector as text, as DuckDB casts it to VARCHAR (engine-internal: Result
// reads its values through it).

#include <optional>
#include <string>

#include <duckdb.h>

namespace sqlflow::engine {

// Row `row` of `vector` as DuckDB's VARCHAR cast writes it; nullopt for NULL. A VARCHAR keeps every
// byte, NUL bytes included. Throws EngineError for a type it cannot read (UNION, BIT, BIGNUM).
std::optional<std::string> VectorValueText(duckdb_vector vector, idx_t row);

}  // namespace sqlflow::engine
