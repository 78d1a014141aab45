#include <libpq-fe.h>
#include <poll.h>

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "connectors/postgres/big_endian.h"
#include "connectors/postgres/client.h"
#include "connectors/postgres/reader.h"
#include "connectors/postgres/types.h"
#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::connectors::postgres {

namespace {

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its final NUL

// Which result columns come straight from a table column declared NOT NULL (pg_attribute).
void ReadNotNull(Client& client, const PGresult* description, std::vector<bool>& not_null) {
  int fields = PQnfields(description);
  not_null.assign(static_cast<size_t>(fields), false);
  std::vector<std::string> pairs;
  for (int i = 0; i < fields; ++i) {
    Oid table = PQftable(description, i);
    if (table != InvalidOid) pairs.push_back(fmt::format("({}, {})", table, PQftablecol(description, i)));
  }
  if (pairs.empty()) return;
  Result found = client.Execute(
      fmt::format("SELECT attrelid::int8, attnum FROM pg_attribute WHERE attnotnull AND (attrelid::int8, "
                  "attnum) IN ({})",
                  util::Join(pairs, ", ")));
  for (int row = 0; row < found.rows(); ++row) {
    Oid table = static_cast<Oid>(std::stoul(found.Value(row, 0)));
    int column = std::stoi(found.Value(row, 1));
    for (int i = 0; i < fields; ++i) {
      if (PQftable(description, i) == table && PQftablecol(description, i) == column)
        not_null[static_cast<size_t>(i)] = true;
    }
  }
}

// The columns a query yields, described by the server without running it. `not_null`, when given,
// receives which columns are NOT NULL columns of a table (one more round trip).
std::vector<ColumnMapping> Describe(Client& client, const std::string& query,
                                    std::vector<bool>* not_null = nullptr) {
  Result prepared(PQprepare(client.get(), "", query.c_str(), 0, nullptr));
  if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
    client.Fail("cannot read the source query", prepared.get());
  Result description(PQdescribePrepared(client.get(), ""));
  if (PQresultStatus(description.get()) != PGRES_COMMAND_OK)
    client.Fail("cannot describe the source query", description.get());
  int fields = PQnfields(description.get());
  std::vector<uint32_t> oids;
  for (int i = 0; i < fields; ++i) oids.push_back(PQftype(description.get(), i));
  // Type names for messages, in one round trip.
  std::string list;
  for (uint32_t oid : oids) list += (list.empty() ? "" : ",") + std::to_string(oid);
  std::map<uint32_t, std::string> names;
  if (!oids.empty()) {
    Result types = client.Execute(
        fmt::format("SELECT oid::int8, format_type(oid, NULL) FROM pg_type WHERE oid IN ({})", list));
    for (int row = 0; row < types.rows(); ++row) names[std::stoul(types.Value(row, 0))] = types.Value(row, 1);
  }
  std::vector<ColumnMapping> columns;
  std::vector<std::string> unsupported;
  for (int i = 0; i < fields; ++i) {
    bool supported = true;
    std::string name = PQfname(description.get(), i);
    columns.push_back(MapColumn(name, oids[i], PQfmod(description.get(), i), names[oids[i]], supported));
    if (!supported) unsupported.push_back(fmt::format("\"{}\" ({})", name, names[oids[i]]));
  }
  if (not_null) ReadNotNull(client, description.get(), *not_null);
  if (!unsupported.empty()) {
    throw PostgresError(
        fmt::format("cannot read column(s) {}: SQLFlow does not map these PostgreSQL types; cast them "
                    "in a \"query\" (for example col::text)",
                    util::Join(unsupported, ", ")),
        false);
  }
  return columns;
}

// Parses COPY's binary stream as it arrives and fills DuckDB data chunks.
class BinaryCopyReader {
 public:
  BinaryCopyReader(const std::vector<ColumnMapping>& columns, engine::ChunkAppender& appender)
      : columns_(columns), appender_(appender), capacity_(duckdb_vector_size()) {}
  ~BinaryCopyReader() {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
  }

  void Feed(const char* data, size_t size) {
    buffer_.append(data, size);
    size_t position = 0;
    if (!header_done_) {
      if (buffer_.size() < 19) return;
      if (std::memcmp(buffer_.data(), kSignature, 11) != 0)
        throw PostgresError("not a binary COPY stream", false);
      uint32_t extension = Read32(buffer_.data() + 15);
      if (buffer_.size() < 19 + extension) return;
      position = 19 + extension;
      header_done_ = true;
    }
    while (true) {
      size_t used = ParseTuple(position);
      if (used == 0) break;
      position += used;
    }
    buffer_.erase(0, position);
  }

  uint64_t Finish() {
    Flush();
    return rows_;
  }

 private:
  // Bytes used by the complete tuple at `position`, or 0 when it has not fully arrived.
  size_t ParseTuple(size_t position) {
    const char* start = buffer_.data() + position;
    const char* end = buffer_.data() + buffer_.size();
    if (end - start < 2) return 0;
    int16_t fields = static_cast<int16_t>(Read16(start));
    if (fields == -1) {
      finished_ = true;
      return 2;
    }
    if (finished_) return 0;
    // First make sure the whole tuple is here.
    const char* cursor = start + 2;
    for (int16_t f = 0; f < fields; ++f) {
      if (end - cursor < 4) return 0;
      int32_t length = static_cast<int32_t>(Read32(cursor));
      cursor += 4;
      if (length > end - cursor) return 0;  // compared before moving: never a pointer past the end
      cursor += length > 0 ? length : 0;
    }
    if (static_cast<size_t>(fields) != columns_.size()) {
      throw PostgresError(fmt::format("COPY sent {} fields for {} columns", fields, columns_.size()), false);
    }
    if (!chunk_) chunk_ = appender_.NewChunk();
    cursor = start + 2;
    for (size_t c = 0; c < columns_.size(); ++c) {
      int32_t length = static_cast<int32_t>(Read32(cursor));
      cursor += 4;
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk_, c);
      if (length < 0) {
        duckdb_vector_ensure_validity_writable(vector);
        duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row_);
        continue;
      }
      DecodeValue(columns_[c], cursor, length, vector, row_);
      cursor += length;
    }
    ++rows_;
    if (++row_ == capacity_) Flush();
    return static_cast<size_t>(cursor - start);
  }

  void Flush() {
    if (!chunk_) return;
    duckdb_data_chunk_set_size(chunk_, row_);
    appender_.Append(chunk_);
    duckdb_destroy_data_chunk(&chunk_);
    chunk_ = nullptr;
    row_ = 0;
  }

  const std::vector<ColumnMapping>& columns_;
  engine::ChunkAppender& appender_;
  idx_t capacity_;
  std::string buffer_;
  bool header_done_ = false;
  bool finished_ = false;
  duckdb_data_chunk chunk_ = nullptr;
  idx_t row_ = 0;
  uint64_t rows_ = 0;
};

}  // namespace

uint64_t DecodeBinaryCopy(const std::vector<ColumnMapping>& columns,
                          const std::vector<std::string_view>& pieces, engine::ChunkAppender& appender) {
  BinaryCopyReader reader(columns, appender);
  for (std::string_view piece : pieces) reader.Feed(piece.data(), piece.size());
  return reader.Finish();
}

std::string BaseQuery(const nlohmann::json& params);

std::string SourceQueryFor(const nlohmann::json& params) {
  std::string base = BaseQuery(params);
  if (!params.contains("watermark") || !params.contains("cursor_field")) return base;
  // Only rows past what the last committed load read; the literal takes the column's type.
  return fmt::format("SELECT * FROM ({}) AS sqlflow_source WHERE {} > {}", base,
                     engine::QuoteIdentifier(params["cursor_field"].get<std::string>()),
                     engine::QuoteLiteral(params["watermark"].get<std::string>()));
}

std::string BaseQuery(const nlohmann::json& params) {
  if (params.contains("query")) return params["query"].get<std::string>();
  std::string table = params["table"].get<std::string>();
  if (params.contains("schema") && table.find('.') == std::string::npos) {
    return "SELECT * FROM " + engine::QuoteIdentifier(params["schema"].get<std::string>()) + "." +
           engine::QuoteIdentifier(table);
  }
  return "SELECT * FROM " + QuoteQualified(table);
}

namespace {

std::vector<engine::Column> AsColumns(const std::vector<ColumnMapping>& mappings,
                                      const std::vector<bool>& not_null) {
  std::vector<engine::Column> columns;
  for (size_t i = 0; i < mappings.size(); ++i)
    columns.push_back({mappings[i].name, mappings[i].duckdb_type, !not_null[i]});
  return columns;
}

}  // namespace

std::vector<engine::Column> DescribeColumns(const nlohmann::json& params) {
  Client client(params);
  std::vector<bool> not_null;
  std::vector<ColumnMapping> mappings = Describe(client, SourceQueryFor(params), &not_null);
  return AsColumns(mappings, not_null);
}

uint64_t ReadInto(engine::Connection& duckdb, const nlohmann::json& params, const IngestTarget& target,
                  std::stop_token stop) {
  const auto& columns_known = target.columns_known;
  Client client(params);
  std::string query = SourceQueryFor(params);
  std::vector<bool> not_null;
  std::vector<ColumnMapping> columns = Describe(client, query, columns_known ? &not_null : nullptr);
  if (columns_known) columns_known(AsColumns(columns, not_null));
  std::vector<std::string> definitions;
  for (const auto& column : columns)
    definitions.push_back(engine::QuoteIdentifier(column.name) + " " + column.duckdb_type);
  duckdb.Query(fmt::format("{} ({})", target.CreatePrefix(), util::Join(definitions, ", ")));
  engine::ChunkAppender appender(duckdb, target.temporary ? "temp" : target.catalog, target.schema,
                                 target.name);
  BinaryCopyReader reader(columns, appender);
  Result started(PQexec(client.get(), fmt::format("COPY ({}) TO STDOUT (FORMAT binary)", query).c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_OUT) client.Fail("cannot start COPY", started.get());
  while (true) {
    if (stop.stop_requested()) {
      // The server stops the query too, instead of computing it for a client that left.
      if (PGcancel* cancel = PQgetCancel(client.get())) {
        char error[256];
        PQcancel(cancel, error, sizeof error);
        PQfreeCancel(cancel);
      }
      throw PostgresError("interrupted while reading " + query, false);
    }
    char* buffer = nullptr;
    int size = PQgetCopyData(client.get(), &buffer, /*async=*/1);
    if (size == 0) {
      // Nothing buffered: wait for the server, a tenth of a second at a time so that Ctrl-C is
      // noticed even while the source query computes.
      pollfd socket{PQsocket(client.get()), POLLIN, 0};
      ::poll(&socket, 1, 100);
      if (!PQconsumeInput(client.get())) client.Fail("COPY failed");
      continue;
    }
    if (size == -1) break;  // done
    if (size == -2) client.Fail("COPY failed");
    try {
      reader.Feed(buffer, static_cast<size_t>(size));
    } catch (...) {
      PQfreemem(buffer);
      throw;
    }
    PQfreemem(buffer);
  }
  Result finished(PQgetResult(client.get()));
  if (PQresultStatus(finished.get()) != PGRES_COMMAND_OK) client.Fail("COPY failed", finished.get());
  uint64_t rows = reader.Finish();
  appender.Close();
  return rows;
}

}  // namespace sqlflow::connectors::postgres
