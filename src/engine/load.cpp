#include "engine/load.h"

#include <algorithm>

#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::engine {

namespace {

std::vector<std::string> QueryColumns(Connection& connection, const std::string& query) {
  Result result = connection.Query("SELECT * FROM (" + query + ") LIMIT 0");
  std::vector<std::string> columns;
  for (size_t i = 0; i < result.column_count(); ++i) columns.push_back(result.column_name(i));
  return columns;
}

std::string MergeStatement(const std::string& target, const std::string& query,
                           const std::vector<std::string>& columns, const std::vector<std::string>& keys) {
  std::vector<std::string> on;
  for (const auto& key : keys) on.push_back("t." + QuoteIdentifier(key) + " = s." + QuoteIdentifier(key));
  std::vector<std::string> set;
  for (const auto& column : columns) {
    bool is_key = std::any_of(keys.begin(), keys.end(),
                              [&](const auto& key) { return util::EqualsIgnoreCase(key, column); });
    if (!is_key) set.push_back(QuoteIdentifier(column) + " = s." + QuoteIdentifier(column));
  }
  std::string sql =
      "MERGE INTO " + target + " AS t USING (" + query + ") AS s ON (" + util::Join(on, " AND ") + ")";
  if (!set.empty()) sql += " WHEN MATCHED THEN UPDATE SET " + util::Join(set, ", ");
  sql += " WHEN NOT MATCHED THEN INSERT BY NAME";
  return sql;
}

}  // namespace

uint64_t WriteTable(Connection& connection, const std::string& table, const std::string& query,
                    const WriteMode& mode) {
  std::string target = QuoteTableName(table);
  Transaction transaction(connection);
  uint64_t rows = 0;
  if (mode.kind == WriteMode::Kind::kReplace || !connection.TableExists(table)) {
    Result result = connection.Query("CREATE OR REPLACE TABLE " + target + " AS " + query);
    rows = result.AffectedRows();
  } else if (mode.kind == WriteMode::Kind::kAppend) {
    Result result = connection.Query("INSERT INTO " + target + " BY NAME " + query);
    rows = result.AffectedRows();
  } else {
    Result result =
        connection.Query(MergeStatement(target, query, QueryColumns(connection, query), mode.keys));
    rows = result.AffectedRows();
  }
  transaction.Commit();
  return rows;
}

}  // namespace sqlflow::engine
