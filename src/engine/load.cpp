#include "engine/load.h"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "engine/schema.h"
#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::engine {

namespace {

std::string Describe(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& problem : problems) text += "\n  - " + problem;
  return text;
}

bool TypesFit(const std::string& from, const std::string& to, bool strict) {
  return strict ? from == to : IsSafeWidening(from, to);
}

// Column problems between the new rows and an existing table; also collects columns to add.
void CheckColumns(const std::string& table, const std::vector<Column>& source,
                  const std::vector<Column>& target, const WriteMode& mode,
                  std::vector<std::string>& problems, std::vector<Column>& to_add) {
  for (const auto& column : source) {
    if (IsKeyColumn(mode.keys, column.name)) continue;  // keys are checked, and reported, by CheckKeys
    const Column* existing = FindColumn(target, column.name);
    if (!existing) {
      if (mode.add_columns) {
        to_add.push_back(column);
      } else {
        problems.push_back(
            fmt::format("column \"{}\" ({}) is in the new rows but not in table \"{}\"; add it to the table, "
                        "or allow new "
                        "columns with OPTIONS {{\"add_columns\": true}}",
                        column.name, column.type, table));
      }
      continue;
    }
    if (TypesFit(column.type, existing->type, mode.strict)) continue;
    problems.push_back(
        mode.strict
            ? fmt::format(
                  "column \"{}\": the new rows have {}, table \"{}\" has {} (strict: types must be equal)",
                  column.name, column.type, table, existing->type)
            : fmt::format(
                  "column \"{}\": the new rows have {}, which table \"{}\" cannot hold as {} without loss",
                  column.name, column.type, table, existing->type));
  }
}

void CheckKeys(const std::string& table, const std::vector<Column>& source, const std::vector<Column>* target,
               const WriteMode& mode, std::vector<std::string>& problems) {
  for (const auto& key : mode.keys) {
    const Column* in_source = FindColumn(source, key);
    if (!in_source) problems.push_back(fmt::format("merge key \"{}\" is not a column of the new rows", key));
    if (!target) continue;
    const Column* in_target = FindColumn(*target, key);
    if (!in_target) {
      problems.push_back(fmt::format("merge key \"{}\" is not a column of table \"{}\"", key, table));
    } else if (in_source && !TypesFit(in_source->type, in_target->type, mode.strict) &&
               !TypesFit(in_target->type, in_source->type, mode.strict)) {
      problems.push_back(fmt::format(
          "merge key \"{}\": the new rows have {}, table \"{}\" has {}; keys of these types never match", key,
          in_source->type, table, in_target->type));
    }
  }
}

// NULL and duplicate keys among the new rows (in `staging`): a MERGE would be ambiguous.
void CheckKeyValues(Connection& connection, const std::string& staging, const std::vector<std::string>& keys,
                    std::vector<std::string>& problems) {
  std::vector<std::string> quoted;
  std::vector<std::string> null_tests;
  for (const auto& key : keys) {
    quoted.push_back(QuoteIdentifier(key));
    null_tests.push_back(QuoteIdentifier(key) + " IS NULL");
  }
  std::string key_list = util::Join(quoted, ", ");
  std::string any_null = util::Join(null_tests, " OR ");
  std::string key_value = keys.size() == 1 ? quoted[0] : "(" + key_list + ")";
  // One pass for both counts; the example of a duplicate is only looked up when there is one.
  Result counts =
      connection.Query(fmt::format("SELECT count(*) FILTER (WHERE {0}), count(*) FILTER (WHERE NOT ({0})) - "
                                   "count(DISTINCT {1}) FILTER (WHERE NOT "
                                   "({0})) FROM {2}",
                                   any_null, key_value, staging));
  uint64_t null_rows = std::stoull(counts.Value(0, 0).value_or("0"));
  uint64_t duplicate_rows = std::stoull(counts.Value(1, 0).value_or("0"));
  if (null_rows > 0) {
    problems.push_back(
        fmt::format("{} of the new rows have a NULL merge key ({})", null_rows, util::Join(keys, ", ")));
  }
  if (duplicate_rows == 0) return;
  std::string example =
      connection
          .QueryScalar(fmt::format("SELECT concat_ws(', ', {0}) FROM {1} WHERE NOT ({2}) GROUP BY {0} "
                                   "HAVING count(*) > 1 LIMIT 1",
                                   key_list, staging, any_null))
          .value_or("?");
  problems.push_back(fmt::format("{} of the new rows repeat a merge key of another new row, e.g. ({}) = ({})",
                                 duplicate_rows, util::Join(keys, ", "), example));
}

void AddColumns(Connection& connection, const std::string& target, const std::vector<Column>& columns) {
  for (const auto& column : columns) {
    connection.Query(
        fmt::format("ALTER TABLE {} ADD COLUMN {} {}", target, QuoteIdentifier(column.name), column.type));
  }
}

uint64_t CountRows(Connection& connection, const std::string& target) {
  return std::stoull(connection.QueryScalar("SELECT count(*) FROM " + target).value_or("0"));
}

std::string MergeStatement(const std::string& target, const std::string& staging,
                           const std::vector<Column>& columns, const std::vector<std::string>& keys) {
  std::vector<std::string> on;
  for (const auto& key : keys) on.push_back("t." + QuoteIdentifier(key) + " = s." + QuoteIdentifier(key));
  std::vector<std::string> set;
  for (const auto& column : columns) {
    if (!IsKeyColumn(keys, column.name))
      set.push_back(QuoteIdentifier(column.name) + " = s." + QuoteIdentifier(column.name));
  }
  std::string sql =
      "MERGE INTO " + target + " AS t USING " + staging + " AS s ON (" + util::Join(on, " AND ") + ")";
  if (!set.empty()) sql += " WHEN MATCHED THEN UPDATE SET " + util::Join(set, ", ");
  sql += " WHEN NOT MATCHED THEN INSERT BY NAME";
  return sql;
}

std::string ModeName(WriteMode::Kind kind) {
  return kind == WriteMode::Kind::kAppend ? "APPEND" : kind == WriteMode::Kind::kMerge ? "MERGE" : "REPLACE";
}

void ThrowIfProblems(const std::vector<std::string>& problems, WriteMode::Kind kind,
                     const std::string& table) {
  if (problems.empty()) return;
  throw SchemaError(fmt::format("cannot {} into table \"{}\": {} schema problem{}", ModeName(kind),
                                DisplayTableName(table), problems.size(), problems.size() == 1 ? "" : "s"),
                    problems);
}

WriteResult Append(Connection& connection, const std::string& table, const std::string& query,
                   const WriteMode& mode) {
  std::string target = QuoteTableName(table);
  std::vector<Column> existing = DescribeTable(connection, table);
  if (existing.empty()) {
    Result result = connection.Query("CREATE TABLE " + target + " AS " + query);
    uint64_t rows = result.AffectedRows();
    if (mode.check_new_rows) mode.check_new_rows(DescribeTable(connection, table));
    return WriteResult{rows, rows, 0, true};
  }
  std::vector<Column> source = DescribeQuery(connection, query);
  WriteMode checked = mode;
  if (mode.check_new_rows) checked.add_columns = mode.check_new_rows(source) || mode.add_columns;
  std::vector<std::string> problems;
  std::vector<Column> to_add;
  CheckColumns(DisplayTableName(table), source, existing, checked, problems, to_add);
  ThrowIfProblems(problems, mode.kind, table);
  AddColumns(connection, target, to_add);
  Result result = connection.Query("INSERT INTO " + target + " BY NAME " + query);
  uint64_t rows = result.AffectedRows();
  return WriteResult{rows, rows, 0, false};
}

WriteResult Merge(Connection& connection, const std::string& table, const std::string& query,
                  const WriteMode& mode) {
  std::string target = QuoteTableName(table);
  // The new rows are read once, into a temporary table the checks and the MERGE both use.
  static std::atomic<int> counter{0};
  std::string staging = QuoteIdentifier(fmt::format("__sqlflow_merge_{}", ++counter));
  connection.Query("CREATE TEMP TABLE " + staging + " AS " + query);
  std::vector<Column> source = DescribeQuery(connection, "SELECT * FROM " + staging);
  WriteMode checked = mode;
  if (mode.check_new_rows) checked.add_columns = mode.check_new_rows(source) || mode.add_columns;
  std::vector<Column> existing = DescribeTable(connection, table);
  std::vector<std::string> problems;
  std::vector<Column> to_add;
  std::string shown = DisplayTableName(table);
  CheckKeys(shown, source, existing.empty() ? nullptr : &existing, checked, problems);
  if (!existing.empty()) CheckColumns(shown, source, existing, checked, problems, to_add);
  // Key values can be checked whenever every key is a column of the new rows.
  bool keys_in_source = std::all_of(mode.keys.begin(), mode.keys.end(),
                                    [&](const auto& key) { return FindColumn(source, key) != nullptr; });
  if (keys_in_source) CheckKeyValues(connection, staging, mode.keys, problems);
  ThrowIfProblems(problems, mode.kind, table);

  WriteResult result;
  if (existing.empty()) {
    result.inserted = result.rows =
        connection.Query("CREATE TABLE " + target + " AS SELECT * FROM " + staging).AffectedRows();
    result.created = true;
  } else {
    AddColumns(connection, target, to_add);
    uint64_t before = CountRows(connection, target);
    result.rows = connection.Query(MergeStatement(target, staging, source, mode.keys)).AffectedRows();
    result.inserted = CountRows(connection, target) - before;
    result.updated = result.rows - result.inserted;
  }
  connection.Query("DROP TABLE " + staging);
  return result;
}

}  // namespace

void ReplaceWithTable(Connection& connection, const std::string& target, const std::string& filled,
                      const std::function<void()>& before_commit) {
  // `filled` is in the target's catalog and schema: qualified by every part of the target's name
  // but the last.
  std::vector<std::string> parts = SplitTableName(target);
  std::string qualifier;
  for (size_t i = 0; i + 1 < parts.size(); ++i) qualifier += QuoteIdentifier(parts[i]) + ".";
  Transaction transaction(connection);
  connection.Query("DROP TABLE IF EXISTS " + QuoteTableName(target));
  connection.Query("ALTER TABLE " + qualifier + QuoteIdentifier(filled) + " RENAME TO " +
                   QuoteIdentifier(parts.back()));
  if (before_commit) before_commit();
  transaction.Commit();
}

SchemaError::SchemaError(const std::string& summary, std::vector<std::string> problems)
    : EngineError(summary + Describe(problems)), problems_(std::move(problems)) {}

WriteResult WriteTable(Connection& connection, const std::string& table, const std::string& query,
                       const WriteMode& mode) {
  Transaction transaction(connection);
  WriteResult result;
  switch (mode.kind) {
    case WriteMode::Kind::kReplace: {
      bool existed = connection.TableExists(table);
      result.rows = result.inserted =
          connection.Query("CREATE OR REPLACE TABLE " + QuoteTableName(table) + " AS " + query)
              .AffectedRows();
      if (mode.check_new_rows) mode.check_new_rows(DescribeTable(connection, table));
      result.created = !existed;
      break;
    }
    case WriteMode::Kind::kAppend:
      result = Append(connection, table, query, mode);
      break;
    case WriteMode::Kind::kMerge:
      result = Merge(connection, table, query, mode);
      break;
  }
  if (mode.before_commit) mode.before_commit();
  transaction.Commit();
  return result;
}

}  // namespace sqlflow::engine
