#pragma once
// RAII wrapper over DuckDB's C API. The only code that includes duckdb.h.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <duckdb.h>

namespace sqlflow::engine {

// Whether a DuckDB error of `type` with `message` is worth retrying (EngineError::transient).
bool IsTransientError(duckdb_error_type type, std::string_view message);

// DuckDB's error text. The C API gives null where it has none (a statement it never created, an
// appender without an error), and a std::string must never be made from null.
inline std::string ErrorText(const char* error) {
  return error ? error : "unknown DuckDB error";
}

// A statement DuckDB rejected or failed; carries DuckDB's own message.
class EngineError : public std::runtime_error {
 public:
  explicit EngineError(const std::string& message, duckdb_error_type type = DUCKDB_ERROR_INVALID)
      : std::runtime_error(message), type_(type) {}
  duckdb_error_type type() const { return type_; }
  bool interrupted() const { return type_ == DUCKDB_ERROR_INTERRUPT; }
  // Worth retrying: a write-write conflict with another transaction, or a connection, network or
  // HTTP failure; not a mistake in the pipeline, nor a transaction misuse ("cannot start a
  // transaction within a transaction", "transaction is aborted"), which fails the same way again.
  bool transient() const { return IsTransientError(type_, what()); }

 private:
  duckdb_error_type type_;
};

struct DatabaseOptions {
  std::filesystem::path path;  // empty: in-memory
  std::string memory_limit;    // e.g. "4GB"; empty: DuckDB's default
  std::optional<int> threads;
  std::filesystem::path temp_directory;
  bool read_only = false;
};

// Whether DuckDB accepts `value` for its configuration option `name` (memory_limit = "4GB").
bool IsValidSetting(const char* name, const std::string& value);

// Whether the file at `path` starts with a DuckDB database header. DuckDB opens other files too: a
// CSV or Parquet file becomes an in-memory database with a view over it.
bool IsDatabaseFile(const std::filesystem::path& path);

class Database {
 public:
  // Opens (or creates) the database. A persistent path that cannot be opened throws; there is
  // never a silent fallback to memory. Extension auto-install and auto-load are off.
  static Database Open(const DatabaseOptions& options);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  duckdb_database handle() const { return handle_; }
  bool in_memory() const { return in_memory_; }

 private:
  Database(duckdb_database handle, bool in_memory) : handle_(handle), in_memory_(in_memory) {}
  duckdb_database handle_ = nullptr;
  bool in_memory_ = true;
};

// A materialized query result, read through DuckDB's data chunks.
class Result {
 public:
  explicit Result(duckdb_result result) : result_(result) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&&) = delete;
  Result(const Result&) = delete;
  ~Result();

  size_t column_count();
  size_t row_count();
  uint64_t rows_changed();
  // Rows a write reported: the Count column of CREATE ... AS, INSERT, COPY and MERGE, else
  // rows_changed().
  uint64_t AffectedRows();
  std::string column_name(size_t column);
  // The value as DuckDB casts it to VARCHAR, every byte of it (NUL bytes included); nullopt for
  // NULL.
  std::optional<std::string> Value(size_t column, size_t row);

 private:
  struct DestroyChunk {
    void operator()(duckdb_data_chunk chunk) const { duckdb_destroy_data_chunk(&chunk); }
  };
  using Chunk = std::unique_ptr<std::remove_pointer_t<duckdb_data_chunk>, DestroyChunk>;
  // Fetches every chunk once (DuckDB's legacy value functions, which cut text at NUL bytes, are
  // never used: they cannot be mixed with chunks).
  void FetchChunks();

  duckdb_result result_;
  bool valid_ = true;
  bool fetched_ = false;
  std::vector<Chunk> chunks_;
  std::vector<size_t> chunk_starts_;  // the first row of each chunk
  size_t rows_ = 0;
};

// Where a Transaction's COMMIT is (for a test hook that acts at each point).
enum class CommitPoint {
  kBeforeCommit,  // about to commit: an interrupt now rolls the transaction back
  kCommitting,    // COMMIT is issued: an interrupt now is held off until it returns
  kCommitted,     // COMMIT returned: the transaction is durable
};
const char* CommitPointName(CommitPoint point);  // before_commit, committing, committed

class Connection {
 public:
  explicit Connection(const Database& database);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements; throws EngineError with DuckDB's message.
  Result Query(const std::string& sql);
  // The first column of the first row, or nullopt when empty or NULL.
  std::optional<std::string> QueryScalar(const std::string& sql);
  // Cancels the query running on this connection (callable from any thread). From then on the
  // connection commits nothing more (Transaction::Commit throws an interrupt), except a COMMIT
  // already running: a commit is a critical section, never cut short, since DuckDB may have made it
  // durable before it notices an interrupt.
  void Interrupt();
  bool TableExists(const std::string& name);
  // How many statements DuckDB's parser finds in `sql` (nothing runs); 0 when it cannot parse it.
  size_t CountStatements(const std::string& sql);
  // A test hook: told each CommitPoint of every commit on this connection (empty: none).
  void OnCommit(std::function<void(CommitPoint)> observer) { on_commit_ = std::move(observer); }

  duckdb_connection handle() const { return handle_; }

 private:
  friend class Transaction;
  // COMMIT, shielded from Interrupt(); throws an interrupt instead when one came before it.
  void Commit();
  void Tell(CommitPoint point) {
    if (on_commit_) on_commit_(point);
  }

  struct InterruptState {
    std::mutex mutex;
    bool requested = false;
    bool committing = false;
  };
  duckdb_connection handle_ = nullptr;
  std::unique_ptr<InterruptState> interrupt_ = std::make_unique<InterruptState>();
  std::function<void(CommitPoint)> on_commit_;
};

// BEGIN on construction; ROLLBACK on destruction unless Commit() ran. Commit() after the connection
// was interrupted throws an interrupt and rolls back; an interrupt during COMMIT waits for it.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void Commit();

 private:
  Connection& connection_;
  bool open_ = true;
};

class Appender {
 public:
  Appender(Connection& connection, const std::string& schema, const std::string& table);
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  void Append(int64_t value);
  void Append(double value);
  void Append(const std::string& value);
  void AppendNull();
  void EndRow();
  void Flush();

 private:
  void Check(duckdb_state state);
  duckdb_appender handle_ = nullptr;
};

// Appends whole data chunks to a table: the fast path for connectors that produce rows (a chunk
// of up to duckdb_vector_size() rows at a time, filled vector by vector).
class ChunkAppender {
 public:
  // `catalog` is "temp" for temporary tables, "" for the default; `schema` "" for the default.
  ChunkAppender(Connection& connection, const std::string& catalog, const std::string& schema,
                const std::string& table);
  ChunkAppender(const ChunkAppender&) = delete;
  ChunkAppender& operator=(const ChunkAppender&) = delete;
  ~ChunkAppender();

  // A new, empty chunk with the table's column types; the caller destroys it.
  duckdb_data_chunk NewChunk();
  void Append(duckdb_data_chunk chunk);
  void Close();

 private:
  duckdb_appender handle_ = nullptr;
  std::vector<duckdb_logical_type> types_;
};

class PreparedStatement {
 public:
  PreparedStatement(Connection& connection, const std::string& sql);
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  // Parameters are 1-based, as in DuckDB.
  void Bind(size_t index, const std::string& value);
  void Bind(size_t index, int64_t value);
  Result Execute();

 private:
  duckdb_prepared_statement handle_ = nullptr;
};

std::string LibraryVersion();

}  // namespace sqlflow::engine
