#include "run/step_runners.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "common/warnings.h"
#include "engine/sql.h"
#include "run/commit_ledger.h"
#include "run/staging_table.h"
#include "run/steps/steps.h"
#include "util/strings.h"

namespace sqlflow::run {

namespace {

constexpr std::string_view kStopAt = "stop@";

// SQLFLOW_FAULT_INJECT's "key=value" entries.
std::map<std::string, std::string> FaultEntries(const std::string& spec) {
  std::map<std::string, std::string> entries;
  for (const auto& entry : util::Split(spec, ',')) {
    size_t equals = entry.find('=');
    if (equals != std::string::npos) entries[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return entries;
}

}  // namespace

std::map<std::string, int> ParseFaultInjection(const std::string& spec) {
  std::map<std::string, int> faults;
  for (const auto& [step, value] : FaultEntries(spec)) {
    if (!value.starts_with(kStopAt)) faults[step] = std::atoi(value.c_str());
  }
  return faults;
}

void KillAtInjectedPoint(const RunOptions& options, const std::string& step_id, std::string_view point) {
  if (options.injected_faults.count(step_id + "@" + std::string(point))) ::kill(::getpid(), SIGKILL);
}

std::map<std::string, std::string> ParseStopInjection(const std::string& spec) {
  std::map<std::string, std::string> stops;
  for (const auto& [step, value] : FaultEntries(spec)) {
    if (value.starts_with(kStopAt)) stops[step] = value.substr(kStopAt.size());
  }
  return stops;
}

StepEnv::StepEnv(const engine::Database& database, RunOptions options, int workers)
    : options_(std::move(options)),
      sources_(options_.store, options_.pipeline),
      schema_guard_(options_.store, options_.pipeline, options_.run_id, options_.on_schema_change) {
  for (int i = 0; i < std::max(1, workers); ++i)
    connections_.push_back(std::make_unique<engine::Connection>(database));
}

void StepEnv::Interrupt() {
  for (auto& connection : connections_) connection->Interrupt();
}

StepRunners::StepRunners(const engine::Database& database, RunOptions options, int workers,
                         std::stop_token stop)
    : env_(database, std::move(options), workers) {
  runners_[plan::Step::Kind::kSource] = steps::MakeSourceRunner(env_);
  runners_[plan::Step::Kind::kLoad] = steps::MakeLoadRunner(env_);
  runners_[plan::Step::Kind::kTransform] = steps::MakeTransformRunner(env_);
  runners_[plan::Step::Kind::kExport] = steps::MakeExportRunner(env_);
  runners_[plan::Step::Kind::kSql] = steps::MakeSqlRunner(env_);
  StagingTable::DropStale(env_.connection(0));
  if (env_.options().commit_ledger) CommitLedger::Prepare(env_.connection(0));
  RegisterScalarUdfs();
  // Runs on the thread that requests the stop; the callback's destructor waits for it to finish,
  // so the connections outlive every interruption.
  on_stop_.emplace(std::move(stop), [this] { env_.Interrupt(); });
}

StepRunners::~StepRunners() = default;

void StepRunners::Run(StepContext& context, const plan::Step& step, StepOutcome& outcome) {
  auto fault = env_.options().injected_faults.find(step.id);
  if (fault != env_.options().injected_faults.end() && context.attempt < fault->second)
    throw StepError("SF-RUN-007", "injected transient fault", true);
  engine::Connection& connection = env_.connection(context.worker);
  StopAtCommitPoint injected_stop(env_.options(), step, connection);
  struct DropResults {
    StepRunners& runners;
    engine::Connection& connection;
    const plan::Step& step;
    ~DropResults() { runners.DropTableUdfResults(connection, step); }
  } drop{*this, connection, step};
  RunTableUdfs(connection, step);
  runners_.at(step.kind)->Run(context, step, outcome);
}

StepRunners::StopAtCommitPoint::StopAtCommitPoint(const RunOptions& options, const plan::Step& step,
                                                  engine::Connection& connection)
    : connection_(connection) {
  auto stop = options.injected_stops.find(step.id);
  if (stop == options.injected_stops.end() || !options.request_stop) return;
  connection_.OnCommit(
      [point = stop->second, request_stop = options.request_stop](engine::CommitPoint reached) {
        if (engine::CommitPointName(reached) == point) request_stop();
      });
}

StepRunners::StopAtCommitPoint::~StopAtCommitPoint() {
  connection_.OnCommit({});
}

void StepRunners::RegisterScalarUdfs() {
  const RunOptions& options = env_.options();
  if (!options.python || !options.udfs) return;
  engine::Connection& connection = env_.connection(0);
  // Functions registered on one connection are in the database's catalog, visible to all.
  for (const auto& udf : options.udfs->udfs()) {
    if (udf.is_table()) continue;
    try {
      options.python->RegisterScalar(connection.handle(), udf.name, udf.sql_name());
      if (options.udfs->IsUnambiguous(udf.short_name)) {
        options.python->RegisterScalar(connection.handle(), udf.name, udf.short_name);
      }
    } catch (const std::runtime_error& error) {
      // The plan already refused PYTHON_FUNC calls of this UDF; a direct call fails in DuckDB.
      common::Warn("SF-UDF-002", error.what());
    }
  }
}

void StepRunners::RunTableUdfs(engine::Connection& connection, const plan::Step& step) {
  if (step.table_udfs.empty()) return;
  const RunOptions& options = env_.options();
  if (!options.python)
    throw StepError("SF-UDF-001", "this step calls a Python table UDF, but Python is not loaded");
  for (const auto& call : step.table_udfs) {
    try {
      options.python->RunTable(connection.handle(), call.udf, call.input_sql, call.kwargs_json,
                               call.placeholder);
    } catch (const std::runtime_error& error) {
      throw StepError("SF-UDF-003", error.what());
    }
  }
}

void StepRunners::DropTableUdfResults(engine::Connection& connection, const plan::Step& step) {
  for (const auto& call : step.table_udfs) {
    try {
      connection.Query("DROP TABLE IF EXISTS temp.main." + engine::QuoteIdentifier(call.placeholder));
    } catch (const engine::EngineError&) {
      // A temporary table vanishes with the connection anyway.
    }
  }
}

}  // namespace sqlflow::run
