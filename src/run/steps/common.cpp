#include "engine/load.h"
#include "engine/sql.h"
#include "run/commit_ledger.h"
#include "run/steps/steps.h"
#include "util/strings.h"

namespace sqlflow::run::steps {

std::function<void()> RecordCommit(engine::Connection& connection, const plan::Step& step,
                                   const RunOptions& options) {
  if (!options.commit_ledger) return {};
  return [&connection, &step, &options] {
    CommitLedger::Record(connection, step.target, options.pipeline, options.run_id, step.id);
  };
}

void WriteTable(engine::Connection& connection, const plan::Step& step, const RunOptions& options,
                const std::string& query, StepOutcome& outcome,
                std::function<bool(const std::vector<engine::Column>&)> check_new_rows) {
  engine::WriteMode mode;
  switch (step.mode.kind) {
    case lang::LoadMode::Kind::kReplace:
      mode.kind = engine::WriteMode::Kind::kReplace;
      break;
    case lang::LoadMode::Kind::kAppend:
      mode.kind = engine::WriteMode::Kind::kAppend;
      break;
    case lang::LoadMode::Kind::kMerge:
      mode.kind = engine::WriteMode::Kind::kMerge;
      break;
  }
  mode.keys = step.mode.keys;
  mode.strict = step.mode_options.contains("schema")
                    ? util::EqualsIgnoreCase(step.mode_options["schema"].get<std::string>(), "strict")
                    : options.strict_schema;
  mode.add_columns = step.mode_options.value("add_columns", options.add_columns);
  mode.check_new_rows = std::move(check_new_rows);
  mode.before_commit = RecordCommit(connection, step, options);
  engine::WriteResult result = engine::WriteTable(connection, step.target, query, mode);
  outcome.rows = result.rows;
  outcome.inserted = result.inserted;
  outcome.updated = result.updated;
}

uint64_t RowsOfTables(engine::Connection& connection, const std::vector<std::string>& tables) {
  if (tables.empty()) return 0;
  std::vector<std::string> names;
  names.reserve(tables.size());
  for (const auto& table : tables) names.push_back(engine::QuoteLiteral(table.substr(table.rfind('.') + 1)));
  try {
    auto value = connection.QueryScalar(
        "SELECT sum(estimated_size) FROM duckdb_tables() WHERE lower(table_name) IN (" +
        util::Join(names, ", ") + ")");
    return value ? std::stoull(*value) : 0;
  } catch (const std::exception&) {
    return 0;  // a metric, never a reason to fail
  }
}

}  // namespace sqlflow::run::steps
