#include "engine/duckdb.h"

#include <algorithm>
#include <array>
#include <fstream>

#include <fmt/format.h>

#include "engine/sql.h"
#include "engine/vector_text.h"
#include "util/strings.h"

namespace sqlflow::engine {

namespace {

// Owns a duckdb_config for the duration of Open().
class Config {
 public:
  Config() {
    if (duckdb_create_config(&config_) == DuckDBError)
      throw EngineError("cannot create a DuckDB configuration");
  }
  ~Config() { duckdb_destroy_config(&config_); }
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  void Set(const char* name, const std::string& value) {
    if (duckdb_set_config(config_, name, value.c_str()) == DuckDBError) {
      throw EngineError(fmt::format("invalid DuckDB setting {} = '{}'", name, value));
    }
  }
  duckdb_config get() const { return config_; }

 private:
  duckdb_config config_ = nullptr;
};

}  // namespace

bool IsValidSetting(const char* name, const std::string& value) {
  Config config;
  return duckdb_set_config(config.get(), name, value.c_str()) != DuckDBError;
}

bool IsDatabaseFile(const std::filesystem::path& path) {
  // The main header's checksum (8 bytes), then the magic bytes.
  std::ifstream in(path, std::ios::binary);
  std::array<char, 12> header{};
  in.read(header.data(), header.size());
  return in && std::string_view(header.data() + 8, 4) == "DUCK";
}

Database Database::Open(const DatabaseOptions& options) {
  Config config;
  // Nothing may try the network: extensions are either built in or unavailable.
  config.Set("autoinstall_known_extensions", "false");
  config.Set("autoload_known_extensions", "false");
  if (!options.memory_limit.empty()) config.Set("memory_limit", options.memory_limit);
  if (options.threads) config.Set("threads", std::to_string(*options.threads));
  if (!options.temp_directory.empty()) config.Set("temp_directory", options.temp_directory.string());
  if (options.read_only) config.Set("access_mode", "READ_ONLY");

  bool in_memory = options.path.empty();
  std::string path = in_memory ? std::string() : options.path.string();
  duckdb_database handle = nullptr;
  char* error = nullptr;
  if (duckdb_open_ext(in_memory ? nullptr : path.c_str(), &handle, config.get(), &error) == DuckDBError) {
    std::string message = ErrorText(error);
    if (error) duckdb_free(error);
    throw EngineError(in_memory ? fmt::format("cannot open an in-memory DuckDB database: {}", message)
                                : fmt::format("cannot open DuckDB database '{}': {}", path, message));
  }
  return Database(handle, in_memory);
}

Database::Database(Database&& other) noexcept : handle_(other.handle_), in_memory_(other.in_memory_) {
  other.handle_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (handle_) duckdb_close(&handle_);
    handle_ = other.handle_;
    in_memory_ = other.in_memory_;
    other.handle_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (handle_) duckdb_close(&handle_);
}

Result::Result(Result&& other) noexcept
    : result_(other.result_),
      valid_(other.valid_),
      fetched_(other.fetched_),
      chunks_(std::move(other.chunks_)),
      chunk_starts_(std::move(other.chunk_starts_)),
      rows_(other.rows_) {
  other.valid_ = false;
}

Result::~Result() {
  chunks_.clear();
  if (valid_) duckdb_destroy_result(&result_);
}

void Result::FetchChunks() {
  if (fetched_) return;
  fetched_ = true;
  while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result_)) {
    Chunk owned(chunk);
    size_t size = duckdb_data_chunk_get_size(chunk);
    if (size == 0) continue;
    chunk_starts_.push_back(rows_);
    chunks_.push_back(std::move(owned));
    rows_ += size;
  }
}

size_t Result::column_count() {
  return duckdb_column_count(&result_);
}
size_t Result::row_count() {
  FetchChunks();
  return rows_;
}
uint64_t Result::rows_changed() {
  return duckdb_rows_changed(&result_);
}

uint64_t Result::AffectedRows() {
  if (row_count() == 0 || column_count() == 0 || column_name(0) != "Count") return rows_changed();
  auto value = Value(0, 0);
  return value ? std::stoull(*value) : 0;
}

std::string Result::column_name(size_t column) {
  const char* name = duckdb_column_name(&result_, column);
  return name ? name : "";
}

std::optional<std::string> Result::Value(size_t column, size_t row) {
  FetchChunks();
  if (row >= rows_ || column >= column_count()) return std::nullopt;
  // The chunk holding `row`: the last one starting at or before it.
  size_t index =
      std::upper_bound(chunk_starts_.begin(), chunk_starts_.end(), row) - chunk_starts_.begin() - 1;
  duckdb_vector vector = duckdb_data_chunk_get_vector(chunks_[index].get(), column);
  return VectorValueText(vector, row - chunk_starts_[index]);
}

Connection::Connection(const Database& database) {
  if (duckdb_connect(database.handle(), &handle_) == DuckDBError)
    throw EngineError("cannot connect to DuckDB");
}

Connection::Connection(Connection&& other) noexcept
    : handle_(other.handle_),
      interrupt_(std::move(other.interrupt_)),
      on_commit_(std::move(other.on_commit_)) {
  other.handle_ = nullptr;
}

Connection::~Connection() {
  if (handle_) duckdb_disconnect(&handle_);
}

Result Connection::Query(const std::string& sql) {
  duckdb_result result{};
  if (duckdb_query(handle_, sql.c_str(), &result) == DuckDBError) {
    std::string message = ErrorText(duckdb_result_error(&result));
    duckdb_error_type type = duckdb_result_error_type(&result);
    duckdb_destroy_result(&result);
    throw EngineError(message, type);
  }
  return Result(result);
}

std::optional<std::string> Connection::QueryScalar(const std::string& sql) {
  Result result = Query(sql);
  if (result.row_count() == 0 || result.column_count() == 0) return std::nullopt;
  return result.Value(0, 0);
}

const char* CommitPointName(CommitPoint point) {
  switch (point) {
    case CommitPoint::kBeforeCommit:
      return "before_commit";
    case CommitPoint::kCommitting:
      return "committing";
    case CommitPoint::kCommitted:
      return "committed";
  }
  return "?";
}

void Connection::Interrupt() {
  std::lock_guard lock(interrupt_->mutex);
  interrupt_->requested = true;
  // A running COMMIT finishes: whoever asked for the stop starts nothing new after it.
  if (!interrupt_->committing) duckdb_interrupt(handle_);
}

void Connection::Commit() {
  Tell(CommitPoint::kBeforeCommit);
  {
    std::lock_guard lock(interrupt_->mutex);
    if (interrupt_->requested) throw EngineError("INTERRUPT Error: Interrupted!", DUCKDB_ERROR_INTERRUPT);
    interrupt_->committing = true;
  }
  struct EndCommitting {
    InterruptState& state;
    ~EndCommitting() {
      std::lock_guard lock(state.mutex);
      state.committing = false;
    }
  } end{*interrupt_};
  Tell(CommitPoint::kCommitting);
  Query("COMMIT");
  Tell(CommitPoint::kCommitted);
}

bool Connection::TableExists(const std::string& name) {
  // DuckDB resolves the name exactly as a query would, including schemas and case rules.
  try {
    Query("SELECT 1 FROM " + QuoteTableName(name) + " LIMIT 0");
    return true;
  } catch (const EngineError&) {
    return false;
  }
}

size_t Connection::CountStatements(const std::string& sql) {
  duckdb_extracted_statements extracted = nullptr;
  idx_t count = duckdb_extract_statements(handle_, sql.c_str(), &extracted);
  duckdb_destroy_extracted(&extracted);
  return count;
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.Query("BEGIN TRANSACTION");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    connection_.Query("ROLLBACK");
  } catch (const EngineError&) {
    // The transaction may already be aborted by DuckDB; nothing else can be done here.
  }
}

void Transaction::Commit() {
  connection_.Commit();  // an interrupt before COMMIT leaves the transaction open: rolled back
  open_ = false;
}

Appender::Appender(Connection& connection, const std::string& schema, const std::string& table) {
  if (duckdb_appender_create(connection.handle(), schema.empty() ? nullptr : schema.c_str(), table.c_str(),
                             &handle_) == DuckDBError) {
    std::string message = ErrorText(handle_ ? duckdb_appender_error(handle_) : nullptr);
    duckdb_appender_destroy(&handle_);
    throw EngineError(fmt::format("cannot append to '{}': {}", table, message));
  }
}

Appender::~Appender() {
  if (handle_) duckdb_appender_destroy(&handle_);
}

void Appender::Check(duckdb_state state) {
  if (state == DuckDBError) throw EngineError(ErrorText(duckdb_appender_error(handle_)));
}

void Appender::Append(int64_t value) {
  Check(duckdb_append_int64(handle_, value));
}
void Appender::Append(double value) {
  Check(duckdb_append_double(handle_, value));
}
void Appender::Append(const std::string& value) {
  Check(duckdb_append_varchar_length(handle_, value.data(), value.size()));
}
void Appender::AppendNull() {
  Check(duckdb_append_null(handle_));
}
void Appender::EndRow() {
  Check(duckdb_appender_end_row(handle_));
}
void Appender::Flush() {
  Check(duckdb_appender_flush(handle_));
}

ChunkAppender::ChunkAppender(Connection& connection, const std::string& catalog, const std::string& schema,
                             const std::string& table) {
  if (duckdb_appender_create_ext(connection.handle(), catalog.empty() ? nullptr : catalog.c_str(),
                                 schema.empty() ? nullptr : schema.c_str(), table.c_str(),
                                 &handle_) == DuckDBError) {
    std::string message = ErrorText(handle_ ? duckdb_appender_error(handle_) : nullptr);
    duckdb_appender_destroy(&handle_);
    throw EngineError(fmt::format("cannot append to '{}': {}", table, message));
  }
  for (idx_t i = 0; i < duckdb_appender_column_count(handle_); ++i)
    types_.push_back(duckdb_appender_column_type(handle_, i));
}

ChunkAppender::~ChunkAppender() {
  for (auto& type : types_) duckdb_destroy_logical_type(&type);
  if (handle_) duckdb_appender_destroy(&handle_);
}

duckdb_data_chunk ChunkAppender::NewChunk() {
  return duckdb_create_data_chunk(types_.data(), types_.size());
}

void ChunkAppender::Append(duckdb_data_chunk chunk) {
  if (duckdb_append_data_chunk(handle_, chunk) == DuckDBError)
    throw EngineError(ErrorText(duckdb_appender_error(handle_)));
}

void ChunkAppender::Close() {
  if (duckdb_appender_close(handle_) == DuckDBError)
    throw EngineError(ErrorText(duckdb_appender_error(handle_)));
}

PreparedStatement::PreparedStatement(Connection& connection, const std::string& sql) {
  if (duckdb_prepare(connection.handle(), sql.c_str(), &handle_) == DuckDBError) {
    std::string message = ErrorText(handle_ ? duckdb_prepare_error(handle_) : nullptr);
    duckdb_destroy_prepare(&handle_);
    throw EngineError(message);
  }
}

PreparedStatement::~PreparedStatement() {
  if (handle_) duckdb_destroy_prepare(&handle_);
}

void PreparedStatement::Bind(size_t index, const std::string& value) {
  if (duckdb_bind_varchar_length(handle_, index, value.data(), value.size()) == DuckDBError) {
    throw EngineError(fmt::format("cannot bind parameter {}", index));
  }
}

void PreparedStatement::Bind(size_t index, int64_t value) {
  if (duckdb_bind_int64(handle_, index, value) == DuckDBError) {
    throw EngineError(fmt::format("cannot bind parameter {}", index));
  }
}

Result PreparedStatement::Execute() {
  duckdb_result result{};
  if (duckdb_execute_prepared(handle_, &result) == DuckDBError) {
    std::string message = ErrorText(duckdb_result_error(&result));
    duckdb_error_type type = duckdb_result_error_type(&result);
    duckdb_destroy_result(&result);
    throw EngineError(message, type);
  }
  return Result(result);
}

std::string LibraryVersion() {
  const char* version = duckdb_library_version();
  return version ? version : "";
}

bool IsTransientError(duckdb_error_type type, std::string_view message) {
  switch (type) {
    case DUCKDB_ERROR_CONNECTION:
    case DUCKDB_ERROR_NETWORK:
    case DUCKDB_ERROR_HTTP:
      return true;
    case DUCKDB_ERROR_TRANSACTION:
      // DuckDB raises every kind of transaction misuse with this type too ("cannot start a
      // transaction within a transaction", "Current transaction is aborted"); only a write-write
      // conflict with a concurrent transaction ("Conflict on update!", "Transaction conflict: …",
      // "Catalog write-write conflict …") may succeed on a second try. The C API gives no finer code.
      return util::ToLower(message).find("conflict") != std::string::npos;
    default:
      return false;
  }
}

}  // namespace sqlflow::engine
