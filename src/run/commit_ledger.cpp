#include "run/commit_ledger.h"

#include <fmt/format.h>

#include "engine/sql.h"

namespace sqlflow::run {

namespace {

constexpr const char* kLedger = "__sqlflow.commits";

bool HasLedger(engine::Connection& connection) {
  return connection
             .QueryScalar(
                 "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND "
                 "schema_name = '__sqlflow' AND table_name = 'commits'")
             .value_or("0") != "0";
}

// Whether `target` is a table of the default database (the ledger's), as DuckDB resolves names:
// `t`, `schema.t` with a schema of the default database, or `database.schema.t`.
bool InDefaultDatabase(engine::Connection& connection, const std::string& target) {
  std::vector<std::string> parts = engine::SplitTableName(target);
  if (parts.size() == 1) return true;
  std::string test =
      parts.size() == 2
          ? fmt::format(
                "SELECT count(*) FROM duckdb_schemas() WHERE database_name = current_database() AND "
                "lower(schema_name) = lower({})",
                engine::QuoteLiteral(parts[0]))
          : fmt::format("SELECT CAST(lower(current_database()) = lower({}) AS INTEGER)",
                        engine::QuoteLiteral(parts[0]));
  return connection.QueryScalar(test).value_or("0") != "0";
}

}  // namespace

void CommitLedger::Prepare(engine::Connection& connection) {
  if (HasLedger(connection)) return;
  connection.Query("CREATE SCHEMA IF NOT EXISTS __sqlflow");
  connection.Query(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (pipeline VARCHAR, run_id VARCHAR, step_id VARCHAR, committed_at "
      "TIMESTAMP DEFAULT current_timestamp)",
      kLedger));
}

void CommitLedger::Record(engine::Connection& connection, const std::string& target,
                          const std::string& pipeline, const std::string& run_id,
                          const std::string& step_id) {
  if (!InDefaultDatabase(connection, target)) return;
  connection.Query(fmt::format("INSERT INTO {} (pipeline, run_id, step_id) VALUES ({}, {}, {})", kLedger,
                               engine::QuoteLiteral(pipeline), engine::QuoteLiteral(run_id),
                               engine::QuoteLiteral(step_id)));
}

std::set<std::string> CommitLedger::Committed(engine::Connection& connection, const std::string& run_id) {
  std::set<std::string> steps;
  if (!HasLedger(connection)) return steps;
  engine::Result rows = connection.Query(
      fmt::format("SELECT step_id FROM {} WHERE run_id = {}", kLedger, engine::QuoteLiteral(run_id)));
  for (size_t row = 0; row < rows.row_count(); ++row) steps.insert(rows.Value(0, row).value_or(""));
  return steps;
}

void CommitLedger::Forget(engine::Connection& connection, const std::string& pipeline,
                          const std::string& keep_run_id) {
  if (!HasLedger(connection)) return;
  connection.Query(fmt::format("DELETE FROM {} WHERE pipeline = {} AND run_id <> {}", kLedger,
                               engine::QuoteLiteral(pipeline), engine::QuoteLiteral(keep_run_id)));
}

}  // namespace sqlflow::run
