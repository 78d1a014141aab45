#include "run/executor.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <unistd.h>

#include "connectors/files.h"
#include "connectors/registry.h"
#include "engine/load.h"
#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::run {

namespace fs = std::filesystem;

const char* StepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::kSucceeded:
      return "SUCCEEDED";
    case StepStatus::kFailed:
      return "FAILED";
    case StepStatus::kSkipped:
      return "SKIPPED";
    case StepStatus::kInterrupted:
      return "INTERRUPTED";
  }
  return "?";
}

bool RunSummary::success() const {
  for (const auto& step : steps) {
    if (step.status != StepStatus::kSucceeded) return false;
  }
  return !interrupted;
}

namespace {

// A failure of a step that is not DuckDB's own error.
class StepError : public std::runtime_error {
 public:
  StepError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// Moves `from` over `to`, also when `to` is an existing directory (partitioned exports).
void ReplacePath(const fs::path& from, const fs::path& to) {
  if (fs::is_directory(to)) {
    fs::path backup =
        to.parent_path() / (".sqlflow-old-" + std::to_string(::getpid()) + "-" + to.filename().string());
    fs::rename(to, backup);
    try {
      fs::rename(from, to);
    } catch (...) {
      fs::rename(backup, to);
      throw;
    }
    fs::remove_all(backup);
    return;
  }
  fs::rename(from, to);
}

}  // namespace

Executor::Executor(engine::Connection& connection, ExecutorOptions options)
    : connection_(connection), options_(std::move(options)) {}

void Executor::Interrupt() {
  interrupted_ = true;
  connection_.Interrupt();
}

void Executor::RegisterScalarUdfs() {
  if (!options_.python || !options_.udfs) return;
  for (const auto& udf : options_.udfs->udfs()) {
    if (udf.is_table()) continue;
    try {
      options_.python->RegisterScalar(connection_.handle(), udf.name, udf.sql_name());
      if (options_.udfs->IsUnambiguous(udf.short_name)) {
        options_.python->RegisterScalar(connection_.handle(), udf.name, udf.short_name);
      }
    } catch (const std::runtime_error& error) {
      // The plan already refused PYTHON_FUNC calls of this UDF; a direct call fails in DuckDB.
      fmt::print(stderr, "warning[SF-UDF-002]: {}\n", error.what());
    }
  }
}

void Executor::RunTableUdfs(const plan::Step& step) {
  if (step.table_udfs.empty()) return;
  if (!options_.python)
    throw StepError("SF-UDF-001", "this step calls a Python table UDF, but Python is not loaded");
  for (const auto& call : step.table_udfs) {
    try {
      options_.python->RunTable(connection_.handle(), call.udf, call.input_sql, call.kwargs_json,
                                call.placeholder);
    } catch (const std::runtime_error& error) {
      throw StepError("SF-UDF-003", error.what());
    }
  }
}

void Executor::DropTableUdfResults(const plan::Step& step) {
  for (const auto& call : step.table_udfs) {
    try {
      connection_.Query("DROP TABLE IF EXISTS temp.main." + engine::QuoteIdentifier(call.placeholder));
    } catch (const engine::EngineError&) {
      // A temporary table vanishes with the connection anyway.
    }
  }
}

RunSummary Executor::Run(const plan::Plan& plan, Reporter* reporter) {
  RunSummary summary;
  auto run_start = std::chrono::steady_clock::now();
  bool failed = false;
  RegisterScalarUdfs();
  for (const plan::Step& step : plan.steps) {
    StepOutcome outcome;
    outcome.id = step.id;
    if (failed || interrupted_) {
      outcome.status = StepStatus::kSkipped;
      if (reporter) reporter->StepFinished(step, outcome);
      summary.steps.push_back(outcome);
      continue;
    }
    if (reporter) reporter->StepStarted(step);
    auto start = std::chrono::steady_clock::now();
    try {
      RunTableUdfs(step);
      Execute(step, outcome);
      outcome.status = StepStatus::kSucceeded;
    } catch (const engine::SchemaError& error) {
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-LOAD-001";
    } catch (const engine::EngineError& error) {
      outcome.status = error.interrupted() || interrupted_ ? StepStatus::kInterrupted : StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-RUN-001";
    } catch (const StepError& error) {
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = error.code();
    } catch (const fs::filesystem_error& error) {
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-RUN-002";
    }
    DropTableUdfResults(step);
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (outcome.status != StepStatus::kSucceeded) failed = true;
    if (reporter) reporter->StepFinished(step, outcome);
    summary.steps.push_back(outcome);
  }
  summary.interrupted = interrupted_;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  return summary;
}

void Executor::Execute(const plan::Step& step, StepOutcome& outcome) {
  switch (step.kind) {
    case plan::Step::Kind::kSource: {
      const connectors::Connector* connector = connectors::FindConnector(step.connector_type);
      if (!connector) throw StepError("SF-RUN-003", "unknown connector type " + step.connector_type);
      source_queries_[util::ToLower(step.source_name)] =
          connector->SourceQuery(step.params, options_.project_root);
      return;
    }
    case plan::Step::Kind::kLoad: {
      auto it = source_queries_.find(util::ToLower(step.load_source));
      if (it == source_queries_.end())
        throw StepError("SF-RUN-004", "source '" + step.load_source + "' was not defined");
      WriteTable(step, it->second, outcome);
      return;
    }
    case plan::Step::Kind::kTransform:
      WriteTable(step, step.sql, outcome);
      return;
    case plan::Step::Kind::kExport:
      outcome.rows = Export(step);
      return;
    case plan::Step::Kind::kSql:
      outcome.rows = connection_.Query(step.sql).AffectedRows();
      return;
  }
}

void Executor::WriteTable(const plan::Step& step, const std::string& query, StepOutcome& outcome) {
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
                    : options_.strict_schema;
  mode.add_columns = step.mode_options.value("add_columns", options_.add_columns);
  engine::WriteResult result = engine::WriteTable(connection_, step.target, query, mode);
  outcome.rows = result.rows;
  outcome.inserted = result.inserted;
  outcome.updated = result.updated;
}

uint64_t Executor::Export(const plan::Step& step) {
  const connectors::Connector* connector = connectors::FindConnector(step.export_type);
  if (!connector) throw StepError("SF-RUN-003", "unknown export type " + step.export_type);
  if (step.target.find("://") != std::string::npos && !util::StartsWith(step.target, "file://")) {
    throw StepError("SF-RUN-006",
                    "export destination '" + step.target + "' needs a connector this build lacks");
  }
  std::string target = util::StartsWith(step.target, "file://") ? step.target.substr(7) : step.target;
  fs::path final_path = connectors::ResolvePath(target, options_.project_root);
  if (final_path.has_parent_path()) fs::create_directories(final_path.parent_path());
  // Written under a temporary name in the same folder, then renamed: a failed export leaves no
  // half file, and the extension stays last so DuckDB's compression detection still sees it.
  fs::path temporary = final_path.parent_path() /
                       (".sqlflow-tmp-" + std::to_string(::getpid()) + "-" + final_path.filename().string());
  std::string copy = "COPY (" + step.sql + ") TO " + engine::QuoteLiteral(temporary.string()) + " (" +
                     connector->CopyOptions(step.params) + ")";
  try {
    engine::Result result = connection_.Query(copy);
    uint64_t rows = result.AffectedRows();
    ReplacePath(temporary, final_path);
    return rows;
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
    throw;
  }
}

}  // namespace sqlflow::run
