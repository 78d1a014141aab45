#include "run/staging_table.h"

#include <atomic>
#include <functional>

#include <fmt/format.h>

#include "engine/sql.h"

namespace sqlflow::run {

namespace {

constexpr const char* kPrefix = "__sqlflow_staging_";

}  // namespace

StagingTable::StagingTable(engine::Connection& connection, const std::string& run_id,
                           const std::string& target, bool beside_target)
    : connection_(connection) {
  static std::atomic<uint64_t> counter{0};
  target_.name = fmt::format("{}{:08x}_{}", kPrefix, std::hash<std::string>{}(run_id)&0xffffffffu, ++counter);
  target_.temporary = !beside_target;
  if (beside_target) {
    std::vector<std::string> parts = engine::SplitTableName(target);
    if (parts.size() >= 2) target_.schema = parts[parts.size() - 2];
    if (parts.size() >= 3) target_.catalog = parts[parts.size() - 3];
  }
}

StagingTable::~StagingTable() {
  try {
    connection_.Query("DROP TABLE IF EXISTS " + target_.Qualified());
  } catch (const engine::EngineError&) {
    // A temporary table goes with the connection; a persistent one is dropped by the next run.
  }
}

int StagingTable::DropStale(engine::Connection& connection) {
  // Also the names versions before 0.2 used (__sqlflow_source_<n>).
  engine::Result stale = connection.Query(
      "SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE NOT temporary AND "
      "(starts_with(table_name, '__sqlflow_staging_') OR starts_with(table_name, '__sqlflow_source_'))");
  std::vector<std::string> tables;
  for (size_t row = 0; row < stale.row_count(); ++row) {
    tables.push_back(engine::QuoteIdentifier(stale.Value(0, row).value_or("")) + "." +
                     engine::QuoteIdentifier(stale.Value(1, row).value_or("")) + "." +
                     engine::QuoteIdentifier(stale.Value(2, row).value_or("")));
  }
  for (const auto& table : tables) connection.Query("DROP TABLE IF EXISTS " + table);
  return static_cast<int>(tables.size());
}

}  // namespace sqlflow::run
