#include "connectors/postgres/writer.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "connectors/postgres/client.h"
#include "connectors/postgres/types.h"
#include "engine/schema.h"
#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::connectors::postgres {

namespace fs = std::filesystem;

namespace {

std::string Mode(const nlohmann::json& options) {
  std::string mode = util::ToLower(options.value("mode", std::string("replace")));
  if (mode == "overwrite") return "replace";
  if (mode == "upsert") return "merge";
  return mode;
}

// A temporary CSV file that removes itself.
struct TemporaryFile {
  fs::path path;
  ~TemporaryFile() {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
};

// Streams a file into a COPY ... FROM STDIN that `client` has started.
void SendFile(Client& client, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize read = in.gcount();
    if (read <= 0) break;
    if (PQputCopyData(client.get(), buffer.data(), static_cast<int>(read)) != 1) client.Fail("COPY failed");
  }
  if (PQputCopyEnd(client.get(), nullptr) != 1) client.Fail("COPY failed");
  Result result(PQgetResult(client.get()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    bool transient = false;
    throw PostgresError(ExplainError(PQresultErrorMessage(result.get()), "COPY", transient), transient);
  }
}

void Copy(Client& client, const std::string& table, const std::string& columns, const fs::path& file) {
  Result started(
      PQexec(client.get(), fmt::format("COPY {} ({}) FROM STDIN (FORMAT csv)", table, columns).c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) client.Fail("cannot start COPY into " + table);
  SendFile(client, file);
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
    names.push_back(QuoteName(column.name));
    definitions.push_back(QuoteName(column.name) + " " + PostgresTypeFor(column.type));
  }
  static std::atomic<int> counter{0};
  TemporaryFile file{fs::temp_directory_path() / fmt::format("sqlflow-pg-{}-{}.csv", ::getpid(), ++counter)};
  WriteSummary summary;
  summary.rows =
      duckdb
          .Query(fmt::format("COPY (SELECT {} FROM ({})) TO {} (FORMAT csv, HEADER false)",
                             util::Join(select, ", "), query, engine::QuoteLiteral(file.path.string())))
          .AffectedRows();

  Client client(options);
  std::string table = QuoteQualified(target);
  std::string column_list = util::Join(names, ", ");
  client.Execute("BEGIN");
  client.Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", table, util::Join(definitions, ", ")));
  if (mode == "replace") {
    client.Execute("TRUNCATE " + table);
    Copy(client, table, column_list, file.path);
    summary.inserted = summary.rows;
  } else if (mode == "append") {
    Copy(client, table, column_list, file.path);
    summary.inserted = summary.rows;
  } else {
    // MERGE: the new rows go to a staging table first, are checked, then update and insert.
    client.Execute(
        fmt::format("CREATE TEMP TABLE sqlflow_stage (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP", table));
    Copy(client, "sqlflow_stage", column_list, file.path);
    std::vector<std::string> quoted_keys, match, null_keys;
    for (const auto& key : keys) {
      quoted_keys.push_back(QuoteName(key));
      match.push_back(fmt::format("t.{0} = s.{0}", QuoteName(key)));
      null_keys.push_back(fmt::format("{} IS NULL", QuoteName(key)));
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
      bool is_key = std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return k == column.name; });
      if (!is_key) assignments.push_back(fmt::format("{0} = s.{0}", QuoteName(column.name)));
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
