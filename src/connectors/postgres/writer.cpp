#include "connectors/postgres/writer.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "connectors/postgres/client.h"
#include "connectors/postgres/types.h"
#include "engine/schema.h"
#include "engine/sql.h"
#include "util/strings.h"
#include "util/temp_dir.h"

namespace sqlflow::connectors::postgres {

namespace fs = std::filesystem;

namespace {

std::string Mode(const nlohmann::json& options) {
  std::string mode = util::ToLower(options.value("mode", std::string("replace")));
  if (mode == "overwrite") return "replace";
  if (mode == "upsert") return "merge";
  return mode;
}

// A named pipe in a temporary folder of its own. DuckDB's COPY writes CSV into it while a thread
// sends what arrives to PostgreSQL, so producing and loading overlap and no rows touch the disk.
class Pipe {
 public:
  Pipe() : folder_("sqlflow-pg"), path_(folder_.path() / "rows.csv") {
    if (::mkfifo(path_.c_str(), 0600) != 0) throw PostgresError("cannot create a pipe for the export", false);
  }
  const fs::path& path() const { return path_; }

 private:
  util::TempDir folder_;
  fs::path path_;
};

// DuckDB's COPY of the rows of `select` into `file` (a pipe or a file) as CSV; returns the row count.
uint64_t CopyRowsTo(engine::Connection& duckdb, const std::string& select, const fs::path& file) {
  return duckdb
      .Query(fmt::format("COPY ({}) TO {} (FORMAT csv, HEADER false)", select,
                         engine::QuoteLiteral(file.string())))
      .AffectedRows();
}

// Starts COPY `table` (`columns`) FROM STDIN on `client`.
void BeginCopy(Client& client, const std::string& table, const std::string& columns) {
  Result started(
      PQexec(client.get(), fmt::format("COPY {} ({}) FROM STDIN (FORMAT csv)", table, columns).c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN)
    client.Fail("cannot start COPY into " + table, started.get());
}

// Sends what `fd` yields into the COPY in progress; returns whether everything was sent. With
// `drain`, reads to the end even after PostgreSQL took no more, so that the writer of a pipe never
// blocks.
bool SendAll(Client& client, int fd, bool drain) {
  std::vector<char> buffer(1 << 20);
  bool sent = true;
  ssize_t size = 0;
  while ((sent || drain) && (size = ::read(fd, buffer.data(), buffer.size())) > 0) {
    if (sent && PQputCopyData(client.get(), buffer.data(), static_cast<int>(size)) != 1) sent = false;
  }
  return sent && size == 0;
}

// Ends the COPY in progress: completed, or aborted (keeping no row) when `complete` is false.
// Throws PostgreSQL's error when it refused the rows.
void EndCopy(Client& client, bool complete) {
  if (!complete) {
    PQputCopyEnd(client.get(), "the rows to export could not be produced");
    Result ended(PQgetResult(client.get()));
    return;
  }
  if (PQputCopyEnd(client.get(), nullptr) != 1) client.Fail("COPY failed");
  Result result(PQgetResult(client.get()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) client.Fail("COPY failed", result.get());
}

// COPY `table` (`columns`) FROM STDIN, fed by DuckDB running `select`. Returns DuckDB's row count.
// Whatever fails, the COPY ends (aborted when the rows are incomplete) before this returns.
uint64_t StreamCopy(Client& client, const std::string& table, const std::string& columns,
                    engine::Connection& duckdb, const std::string& select) {
  BeginCopy(client, table, columns);
  Pipe pipe;
  bool sent = false;
  std::thread sender([&] {
    int fd = ::open(pipe.path().c_str(), O_RDONLY);  // waits for DuckDB to open it
    if (fd < 0) return;
    sent = SendAll(client, fd, /*drain=*/true);
    ::close(fd);
  });
  uint64_t rows = 0;
  std::exception_ptr duckdb_failure;
  try {
    rows = CopyRowsTo(duckdb, select, pipe.path());
  } catch (...) {
    duckdb_failure = std::current_exception();
  }
  // When DuckDB failed before opening the pipe, the sender still waits in open(): open and close
  // the pipe once so it sees the end. (With no reader left, this open fails harmlessly.)
  int unblock = ::open(pipe.path().c_str(), O_WRONLY | O_NONBLOCK);
  if (unblock >= 0) ::close(unblock);
  sender.join();
  if (duckdb_failure || !sent) {
    EndCopy(client, false);
    if (duckdb_failure) std::rethrow_exception(duckdb_failure);
    client.Fail("COPY failed");
  }
  EndCopy(client, true);
  return rows;
}

// COPY `table` (`columns`) FROM STDIN, fed by the CSV file `file`.
void CopyFile(Client& client, const std::string& table, const std::string& columns, const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) throw PostgresError("cannot read the rows to export from " + file.string(), false);
  BeginCopy(client, table, columns);
  bool sent = SendAll(client, fd, /*drain=*/false);
  ::close(fd);
  if (!sent) {
    EndCopy(client, false);
    client.Fail("COPY failed");
  }
  EndCopy(client, true);
}

uint64_t CommandRows(const Result& result) {
  const char* count = PQcmdTuples(result.get());
  return count && *count ? std::stoull(count) : 0;
}

}  // namespace

WriteSummary Write(engine::Connection& duckdb, const std::string& query, const std::string& target,
                   const nlohmann::json& options) {
  std::string mode = Mode(options);
  std::vector<std::string> keys;
  if (options.contains("keys")) keys = options["keys"].get<std::vector<std::string>>();
  std::vector<engine::Column> columns = engine::DescribeQuery(duckdb, query);
  // Merge keys as the rows name their columns: matched as DuckDB matches them (ignoring case),
  // then quoted exactly, since PostgreSQL's quoted names are case-sensitive.
  std::vector<std::string> key_columns;
  if (mode == "merge") {
    for (const auto& key : keys) {
      const engine::Column* column = engine::FindColumn(columns, key);
      if (!column)
        throw PostgresError(fmt::format("merge key \"{}\" is not a column of the new rows", key), false);
      key_columns.push_back(column->name);
    }
  }

  // DuckDB writes the rows as CSV that PostgreSQL's COPY reads: lists as JSON, blobs as \x hex.
  std::vector<std::string> select, names, definitions;
  for (const auto& column : columns) {
    std::string quoted = engine::QuoteIdentifier(column.name);
    if (util::EndsWith(column.type, "[]")) {
      select.push_back("to_json(" + quoted + ") AS " + quoted);
    } else if (column.type == "BLOB") {
      select.push_back("'\\x' || hex(" + quoted + ") AS " + quoted);
    } else {
      select.push_back(quoted);
    }
    names.push_back(engine::QuoteIdentifier(column.name));
    definitions.push_back(engine::QuoteIdentifier(column.name) + " " + PostgresTypeFor(column.type));
  }
  std::string rows_sql = fmt::format("SELECT {} FROM ({})", util::Join(select, ", "), query);
  WriteSummary summary;

  std::string table = QuoteQualified(target);
  std::string column_list = util::Join(names, ", ");
  std::string create =
      fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", table, util::Join(definitions, ", "));
  if (mode == "replace") {
    // DuckDB computes the rows into a file before PostgreSQL is even connected: TRUNCATE's
    // exclusive lock, which makes every reader of the table wait, lasts for the transfer only.
    util::TempDir folder("sqlflow-pg");
    fs::path file = folder.path() / "rows.csv";
    summary.rows = CopyRowsTo(duckdb, rows_sql, file);
    summary.inserted = summary.rows;
    Client client(options);
    client.Execute("BEGIN");
    client.Execute(create);
    client.Execute("TRUNCATE " + table);
    CopyFile(client, table, column_list, file);
    client.Execute("COMMIT");
    return summary;
  }

  // APPEND and MERGE hold no lock that stops readers: DuckDB's rows stream into COPY as they come.
  Client client(options);
  client.Execute("BEGIN");
  client.Execute(create);
  if (mode == "append") {
    summary.rows = StreamCopy(client, table, column_list, duckdb, rows_sql);
    summary.inserted = summary.rows;
  } else {
    // MERGE: the new rows go to a staging table first, are checked, then update and insert.
    client.Execute(
        fmt::format("CREATE TEMP TABLE sqlflow_stage (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP", table));
    summary.rows = StreamCopy(client, "sqlflow_stage", column_list, duckdb, rows_sql);
    std::vector<std::string> quoted_keys, match, null_keys;
    for (const auto& key : key_columns) {
      quoted_keys.push_back(engine::QuoteIdentifier(key));
      match.push_back(fmt::format("t.{0} = s.{0}", engine::QuoteIdentifier(key)));
      null_keys.push_back(fmt::format("{} IS NULL", engine::QuoteIdentifier(key)));
    }
    Result problems =
        client.Execute(fmt::format("SELECT (SELECT count(*) FROM sqlflow_stage WHERE {}), (SELECT count(*) "
                                   "FROM (SELECT 1 FROM sqlflow_stage "
                                   "GROUP BY {} HAVING count(*) > 1) d)",
                                   util::Join(null_keys, " OR "), util::Join(quoted_keys, ", ")));
    if (problems.Value(0, 0) != "0" || problems.Value(0, 1) != "0") {
      throw PostgresError(
          fmt::format("cannot merge into {}: {} new row(s) with a NULL key and {} key value(s) "
                      "repeated in the new rows (keys: {})",
                      target, problems.Value(0, 0), problems.Value(0, 1), util::Join(keys, ", ")),
          false);
    }
    std::vector<std::string> assignments;
    for (const auto& column : columns) {
      if (!engine::IsKeyColumn(key_columns, column.name))
        assignments.push_back(fmt::format("{0} = s.{0}", engine::QuoteIdentifier(column.name)));
    }
    if (!assignments.empty()) {
      summary.updated =
          CommandRows(client.Execute(fmt::format("UPDATE {} t SET {} FROM sqlflow_stage s WHERE {}", table,
                                                 util::Join(assignments, ", "), util::Join(match, " AND "))));
    }
    summary.inserted = CommandRows(client.Execute(fmt::format(
        "INSERT INTO {0} ({1}) SELECT {1} FROM sqlflow_stage s WHERE NOT EXISTS (SELECT 1 FROM {0} t "
        "WHERE {2})",
        table, column_list, util::Join(match, " AND "))));
    summary.rows = summary.inserted + summary.updated;
  }
  client.Execute("COMMIT");
  return summary;
}

}  // namespace sqlflow::connectors::postgres
