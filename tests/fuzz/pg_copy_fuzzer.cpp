// Feeds arbitrary bytes to the PostgreSQL binary COPY decoder, as a server (or anything that
// answers in its place) may send them, decoding into a table of an in-memory DuckDB. The input:
//   byte 0            the number of columns, 1 + byte % 8
//   one byte each     the column's type: kTypes[byte % size]
//   one byte          the size of the pieces the stream arrives in (0: all at once)
//   the rest          the COPY stream: signature, flags, extension, tuples, trailer
// A malformed stream must end in std::runtime_error (what the decoder documents); nothing may
// crash, read out of bounds, overflow or leave DuckDB with a value it cannot hold.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/postgres/reader.h"
#include "connectors/postgres/types.h"
#include "engine/duckdb.h"
#include "engine/sql.h"
#include "util/strings.h"

using namespace sqlflow;
using connectors::postgres::ColumnMapping;

namespace {

struct PgType {
  uint32_t oid;
  int typmod;
  const char* name;
};

// Every type MapColumn supports, numeric with each DuckDB DECIMAL width and without a precision.
constexpr PgType kTypes[] = {{16, -1, "bool"},
                             {21, -1, "int2"},
                             {23, -1, "int4"},
                             {20, -1, "int8"},
                             {26, -1, "oid"},
                             {700, -1, "float4"},
                             {701, -1, "float8"},
                             {1700, -1, "numeric"},
                             {1700, (4 << 16 | 2) + 4, "numeric"},
                             {1700, (9 << 16 | 3) + 4, "numeric"},
                             {1700, (18 << 16 | 6) + 4, "numeric"},
                             {1700, (38 << 16 | 10) + 4, "numeric"},
                             {25, -1, "text"},
                             {1043, -1, "varchar"},
                             {1042, -1, "bpchar"},
                             {19, -1, "name"},
                             {18, -1, "char"},
                             {1082, -1, "date"},
                             {1083, -1, "time"},
                             {1114, -1, "timestamp"},
                             {1184, -1, "timestamptz"},
                             {1186, -1, "interval"},
                             {2950, -1, "uuid"},
                             {114, -1, "json"},
                             {3802, -1, "jsonb"},
                             {17, -1, "bytea"},
                             {1000, -1, "_bool"},
                             {1005, -1, "_int2"},
                             {1007, -1, "_int4"},
                             {1016, -1, "_int8"},
                             {1021, -1, "_float4"},
                             {1022, -1, "_float8"},
                             {1009, -1, "_text"},
                             {1015, -1, "_varchar"},
                             {1014, -1, "_bpchar"},
                             {1182, -1, "_date"},
                             {1115, -1, "_timestamp"},
                             {1185, -1, "_timestamptz"},
                             {2951, -1, "_uuid"},
                             {1231, -1, "_numeric"},
                             {199, -1, "_json"},
                             {3807, -1, "_jsonb"}};

engine::Connection& DuckDB() {
  static engine::Database database = engine::Database::Open({});
  static engine::Connection connection(database);
  return connection;
}

// The table for this list of type indexes, made on first use and emptied after each input.
std::string TableFor(const std::vector<ColumnMapping>& columns, const std::vector<uint8_t>& types) {
  static std::set<std::string> made;
  std::string table = "t";
  for (uint8_t type : types) table += "_" + std::to_string(type);
  if (made.insert(table).second) {
    std::string definitions;
    for (const auto& column : columns)
      definitions +=
          (definitions.empty() ? "" : ", ") + engine::QuoteIdentifier(column.name) + " " + column.duckdb_type;
    DuckDB().Query("CREATE TABLE " + table + " (" + definitions + ")");
  }
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  size_t count = 1 + data[0] % 8;
  if (size < 2 + count) return 0;
  std::vector<ColumnMapping> columns;
  std::vector<uint8_t> types;
  for (size_t i = 0; i < count; ++i) {
    uint8_t type = static_cast<uint8_t>(data[1 + i] % std::size(kTypes));
    types.push_back(type);
    const PgType& pg = kTypes[type];
    bool supported = false;
    columns.push_back(
        connectors::postgres::MapColumn("c" + std::to_string(i), pg.oid, pg.typmod, pg.name, supported));
    if (!supported) __builtin_trap();
  }
  size_t piece_size = data[1 + count];
  std::string_view stream(reinterpret_cast<const char*>(data) + 2 + count, size - 2 - count);
  std::vector<std::string_view> pieces;
  for (size_t at = 0; at < stream.size(); at += piece_size == 0 ? stream.size() : piece_size)
    pieces.push_back(stream.substr(at, piece_size == 0 ? std::string_view::npos : piece_size));

  std::string table = TableFor(columns, types);
  std::optional<uint64_t> rows;
  try {
    engine::ChunkAppender appender(DuckDB(), "", "", table);
    rows = connectors::postgres::DecodeBinaryCopy(columns, pieces, appender);
    appender.Close();
  } catch (const std::runtime_error&) {
  }
  if (rows) {
    // Each row took at least two bytes of the stream (its field count).
    if (*rows > stream.size() / 2) __builtin_trap();
    // DuckDB reads back every value decoded (an error here is a bad value let through), as UTF-8.
    engine::Result result = DuckDB().Query("SELECT * FROM " + table);
    if (result.row_count() != *rows) __builtin_trap();
    for (size_t row = 0; row < result.row_count(); ++row) {
      for (size_t column = 0; column < result.column_count(); ++column) {
        std::optional<std::string> value = result.Value(column, row);
        if (value && !util::IsValidUtf8(*value)) __builtin_trap();
      }
    }
  }
  DuckDB().Query("DELETE FROM " + table);
  return 0;
}
