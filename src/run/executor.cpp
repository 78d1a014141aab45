#include "run/executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <queue>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "connectors/files.h"
#include "connectors/registry.h"
#include "connectors/s3/s3.h"
#include "engine/load.h"
#include "engine/sql.h"
#include "schema/capture.h"
#include "schema/history.h"
#include "state/store.h"
#include "util/cancel.h"
#include "util/strings.h"
#include "util/temp_dir.h"

namespace sqlflow::run {

namespace fs = std::filesystem;

const char* StepStatusName(StepStatus status) {
  switch (status) {
    case StepStatus::kPending:
      return "PENDING";
    case StepStatus::kRunning:
      return "RUNNING";
    case StepStatus::kSucceeded:
      return "SUCCEEDED";
    case StepStatus::kFailed:
      return "FAILED";
    case StepStatus::kSkipped:
      return "SKIPPED";
    case StepStatus::kRetrying:
      return "RETRYING";
    case StepStatus::kInterrupted:
      return "INTERRUPTED";
  }
  return "?";
}

const char* FailurePolicyName(FailurePolicy policy) {
  return policy == FailurePolicy::kFailFast ? "fail_fast" : "continue";
}

bool RunSummary::success() const {
  for (const auto& step : steps) {
    if (step.status == StepStatus::kFailed || step.status == StepStatus::kInterrupted) return false;
    if (step.status == StepStatus::kSkipped && step.note.empty()) return false;
  }
  return !interrupted;
}

int DefaultWorkers() {
  unsigned cores = std::thread::hardware_concurrency();
  return std::max(2, static_cast<int>(cores / 2));
}

namespace {

// A failure of a step that is not DuckDB's own error.
class StepError : public std::runtime_error {
 public:
  StepError(std::string code, const std::string& message, bool transient = false)
      : std::runtime_error(message), code_(std::move(code)), transient_(transient) {}
  const std::string& code() const { return code_; }
  bool transient() const { return transient_; }

 private:
  std::string code_;
  bool transient_;
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

uint64_t SizeOnDisk(const fs::path& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return fs::file_size(path, error);
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(path, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error)) total += it->file_size(error);
  }
  return total;
}

// Test hook (documented in docs/execution.md): SQLFLOW_FAULT_INJECT="step_id=N[,step_id=N]" makes
// the first N attempts of a step fail with a transient error, so retries can be tested for real.
bool InjectFault(const std::string& step_id, int attempt) {
  const char* spec = std::getenv("SQLFLOW_FAULT_INJECT");
  if (!spec) return false;
  for (const auto& entry : util::Split(spec, ',')) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos || entry.substr(0, equals) != step_id) continue;
    return attempt < std::atoi(entry.substr(equals + 1).c_str());
  }
  return false;
}

// Runs tasks on a fixed set of threads; each thread is told its index.
class WorkerPool {
 public:
  WorkerPool(int size, std::function<void(int, size_t)> work) : work_(std::move(work)) {
    for (int i = 0; i < size; ++i) threads_.emplace_back([this, i] { Loop(i); });
  }
  ~WorkerPool() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  void Submit(size_t task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(task);
    }
    wake_.notify_one();
  }

 private:
  void Loop(int index) {
    while (true) {
      size_t task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return closed_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = tasks_.front();
        tasks_.pop_front();
      }
      work_(index, task);
    }
  }

  std::function<void(int, size_t)> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<size_t> tasks_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

Executor::Executor(const engine::Database& database, ExecutorOptions options)
    : database_(database), options_(std::move(options)) {
  options_.workers = std::max(1, options_.workers);
  for (int i = 0; i < options_.workers; ++i)
    connections_.push_back(std::make_unique<engine::Connection>(database_));
}

void Executor::Interrupt() {
  interrupted_ = true;
  util::RequestCancel();  // transfers outside DuckDB (S3, PostgreSQL COPY) stop too
  for (auto& connection : connections_) connection->Interrupt();
}

RunSummary Executor::Run(const plan::Plan& plan, const std::vector<Reporter*>& reporters) {
  util::ClearCancel();
  RunSummary summary;
  auto run_start = std::chrono::steady_clock::now();
  size_t count = plan.steps.size();
  summary.steps.resize(count);
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < count; ++i) {
    index_of[plan.steps[i].id] = i;
    summary.steps[i].id = plan.steps[i].id;
  }
  std::vector<size_t> waiting_on(count, 0);
  std::vector<std::vector<size_t>> dependents(count);
  for (size_t i = 0; i < count; ++i) {
    for (const auto& dependency : plan.steps[i].depends_on) {
      dependents[index_of.at(dependency)].push_back(i);
      ++waiting_on[i];
    }
  }
  RegisterScalarUdfs(*connections_.front());

  std::mutex mutex;
  std::condition_variable finished_signal;
  std::deque<size_t> finished;
  WorkerPool pool(options_.workers, [&](int worker, size_t index) {
    RunStep(*connections_[static_cast<size_t>(worker)], plan.steps[index], summary.steps[index], reporters);
    {
      std::lock_guard lock(mutex);
      finished.push_back(index);
    }
    finished_signal.notify_one();
  });

  // Ready steps start in plan order; a step's dependents become ready when it is done.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  auto complete = [&](size_t index) {
    for (size_t dependent : dependents[index]) {
      if (--waiting_on[dependent] == 0) ready.push(dependent);
    }
  };
  std::vector<bool> settled(count, false);
  for (size_t i = 0; i < count; ++i) {
    if (waiting_on[i] == 0) ready.push(i);
  }
  bool stop = false;
  size_t running = 0;
  while (true) {
    while (!stop && !interrupted_ && !ready.empty() && running < static_cast<size_t>(options_.workers)) {
      size_t index = ready.top();
      ready.pop();
      const plan::Step& step = plan.steps[index];
      bool selected = options_.selected.empty() || options_.selected.count(step.id) > 0 ||
                      step.kind == plan::Step::Kind::kSource;
      if (!selected) {
        // Not part of a partial run: what it writes is already there.
        summary.steps[index].status = StepStatus::kSkipped;
        summary.steps[index].note = "not selected";
        for (auto* reporter : reporters) reporter->StepFinished(step, summary.steps[index]);
        settled[index] = true;
        complete(index);
        continue;
      }
      ++running;
      pool.Submit(index);
    }
    if (running == 0) break;
    size_t index;
    {
      std::unique_lock lock(mutex);
      finished_signal.wait(lock, [&] { return !finished.empty(); });
      index = finished.front();
      finished.pop_front();
    }
    --running;
    settled[index] = true;
    StepOutcome& outcome = summary.steps[index];
    if (outcome.status == StepStatus::kSucceeded) {
      complete(index);
    } else if (options_.policy == FailurePolicy::kFailFast || outcome.status == StepStatus::kInterrupted) {
      stop = true;
    }
    // Under `continue`, the dependents of a failed step never become ready: they end SKIPPED.
  }
  for (size_t i = 0; i < count; ++i) {
    if (settled[i]) continue;
    summary.steps[i].status = StepStatus::kSkipped;
    for (auto* reporter : reporters) reporter->StepFinished(plan.steps[i], summary.steps[i]);
  }
  summary.interrupted = interrupted_;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  return summary;
}

void Executor::RunStep(engine::Connection& connection, const plan::Step& step, StepOutcome& outcome,
                       const std::vector<Reporter*>& reporters) {
  outcome.status = StepStatus::kRunning;
  outcome.started_at = state::Now();
  for (auto* reporter : reporters) reporter->StepStarted(step, outcome);
  auto start = std::chrono::steady_clock::now();
  std::mt19937 jitter(std::random_device{}());
  for (int attempt = 0;; ++attempt) {
    bool transient = false;
    try {
      if (interrupted_) throw engine::EngineError("Interrupted", DUCKDB_ERROR_INTERRUPT);
      if (InjectFault(step.id, attempt)) throw StepError("SF-RUN-007", "injected transient fault", true);
      RunTableUdfs(connection, step);
      Execute(connection, step, outcome);
      outcome.status = StepStatus::kSucceeded;
    } catch (const engine::SchemaError& error) {
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-LOAD-001";
    } catch (const engine::EngineError& error) {
      outcome.status = error.interrupted() || interrupted_ ? StepStatus::kInterrupted : StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-RUN-001";
      transient = error.transient();
    } catch (const StepError& error) {
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = error.code();
      transient = error.transient();
    } catch (const connectors::ConnectorError& error) {
      outcome.status = interrupted_ ? StepStatus::kInterrupted : StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-CONN-001";
      transient = error.transient();
    } catch (const fs::filesystem_error& error) {
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-RUN-002";
    } catch (const std::exception& error) {
      // Anything else a connector or converter throws fails the step; it never ends the process.
      outcome.status = StepStatus::kFailed;
      outcome.error = error.what();
      outcome.code = "SF-RUN-008";
    }
    DropTableUdfResults(connection, step);
    if (outcome.status != StepStatus::kFailed || !transient || attempt >= options_.retries || interrupted_)
      break;
    // Transient: wait (doubling, with up to 25% jitter) and try again; permanent errors never retry.
    double delay = options_.retry_delay * (1 << std::min(attempt, 20));
    delay *= 1.0 + std::uniform_real_distribution<double>(0.0, 0.25)(jitter);
    outcome.status = StepStatus::kRetrying;
    outcome.retries = attempt + 1;
    for (auto* reporter : reporters) reporter->StepRetrying(step, outcome, delay);
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(delay);
    while (std::chrono::steady_clock::now() < until && !interrupted_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    outcome.error.clear();
    outcome.code.clear();
  }
  outcome.ended_at = state::Now();
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto* reporter : reporters) reporter->StepFinished(step, outcome);
}

void Executor::RegisterScalarUdfs(engine::Connection& connection) {
  if (!options_.python || !options_.udfs) return;
  // Functions registered on one connection are in the database's catalog, visible to all.
  for (const auto& udf : options_.udfs->udfs()) {
    if (udf.is_table()) continue;
    try {
      options_.python->RegisterScalar(connection.handle(), udf.name, udf.sql_name());
      if (options_.udfs->IsUnambiguous(udf.short_name)) {
        options_.python->RegisterScalar(connection.handle(), udf.name, udf.short_name);
      }
    } catch (const std::runtime_error& error) {
      // The plan already refused PYTHON_FUNC calls of this UDF; a direct call fails in DuckDB.
      fmt::print(stderr, "warning[SF-UDF-002]: {}\n", error.what());
    }
  }
}

void Executor::RunTableUdfs(engine::Connection& connection, const plan::Step& step) {
  if (step.table_udfs.empty()) return;
  if (!options_.python)
    throw StepError("SF-UDF-001", "this step calls a Python table UDF, but Python is not loaded");
  for (const auto& call : step.table_udfs) {
    try {
      options_.python->RunTable(connection.handle(), call.udf, call.input_sql, call.kwargs_json,
                                call.placeholder);
    } catch (const std::runtime_error& error) {
      throw StepError("SF-UDF-003", error.what());
    }
  }
}

void Executor::DropTableUdfResults(engine::Connection& connection, const plan::Step& step) {
  for (const auto& call : step.table_udfs) {
    try {
      connection.Query("DROP TABLE IF EXISTS temp.main." + engine::QuoteIdentifier(call.placeholder));
    } catch (const engine::EngineError&) {
      // A temporary table vanishes with the connection anyway.
    }
  }
}

uint64_t Executor::RowsOfTables(engine::Connection& connection, const std::vector<std::string>& tables) {
  if (tables.empty()) return 0;
  std::vector<std::string> names;
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

void Executor::Execute(engine::Connection& connection, const plan::Step& step, StepOutcome& outcome) {
  switch (step.kind) {
    case plan::Step::Kind::kSource: {
      const connectors::Connector* connector = connectors::FindConnector(step.connector_type);
      if (!connector) throw StepError("SF-RUN-003", "unknown connector type " + step.connector_type);
      SourceDefinition source{connector, step.params, "", "", ""};
      // Every SOURCE's own key, never the connector's business.
      source.schema_policy =
          util::ToLower(source.params.value(connectors::kSchemaPolicyParam, std::string()));
      source.params.erase(connectors::kSchemaPolicyParam);
      if (!connector->streams()) source.query = connector->SourceQuery(source.params, options_.project_root);
      // One named file (not a glob or a list): its size is what a load of it reads.
      if (step.params.contains("path") && step.params["path"].is_string()) {
        std::string path = step.params["path"].get<std::string>();
        if (path.find_first_of("*?[") == std::string::npos)
          source.file = connectors::ResolvePath(path, options_.project_root);
      }
      std::lock_guard lock(sources_mutex_);
      sources_[util::ToLower(step.source_name)] = std::move(source);
      return;
    }
    case plan::Step::Kind::kLoad: {
      SourceDefinition source;
      {
        std::lock_guard lock(sources_mutex_);
        auto it = sources_.find(util::ToLower(step.load_source));
        if (it == sources_.end())
          throw StepError("SF-RUN-004", "source '" + step.load_source + "' was not defined");
        source = it->second;
      }
      if (!source.connector->streams()) {
        if (!source.file.empty()) outcome.bytes = SizeOnDisk(source.file);
        // The rows' shape comes from the load's own read (a CSV is sniffed once), before commit.
        std::function<bool(const std::vector<engine::Column>&)> check;
        if (ChecksSchema(source)) {
          check = [&](const std::vector<engine::Column>& columns) {
            return CheckSourceSchema(connection, step, source, outcome, &columns);
          };
        }
        WriteTable(connection, step, source.query, outcome, check);
        outcome.rows_read = outcome.rows;
        AcceptCommittedSchema(outcome);
        return;
      }
      // A streaming source fills a staging table first; the target changes in one transaction
      // afterwards, whatever happens on the wire. For REPLACE the staging table is a real table
      // beside the target that takes its name (no second copy of the rows); otherwise a temporary
      // one that the load mode reads.
      static std::atomic<int> counter{0};
      bool replace = step.mode.kind == lang::LoadMode::Kind::kReplace;
      std::vector<std::string> parts = engine::SplitTableName(step.target);
      connectors::Connector::StagingTable staging{replace && parts.size() > 1 ? parts[parts.size() - 2] : "",
                                                  fmt::format("__sqlflow_source_{}", ++counter), !replace};
      std::string quoted = staging.Qualified();
      struct DropStaging {
        engine::Connection& connection;
        std::string table;
        ~DropStaging() {
          try {
            connection.Query("DROP TABLE IF EXISTS " + table);
          } catch (const engine::EngineError&) {
            // A temporary table goes with the connection anyway.
          }
        }
      } drop{connection, quoted};
      // Incremental: read past the watermark; move it only once the load has committed.
      std::string cursor = source.params.value("cursor_field", std::string());
      bool incremental =
          util::EqualsIgnoreCase(source.params.value("sync_mode", std::string()), "incremental") &&
          !cursor.empty() && options_.store;
      nlohmann::json params = source.params;
      if (incremental) {
        if (auto mark = options_.store->Watermark(options_.pipeline, step.load_source))
          params["watermark"] = *mark;
      }
      // Checked before any row moves when the connector reports the columns first (PostgreSQL,
      // on its own connection), else on the staging table: either way before the target changes.
      std::optional<bool> evolve;
      staging.columns_known = [&](const std::vector<engine::Column>& columns) {
        evolve = CheckSourceSchema(connection, step, source, outcome, &columns);
      };
      outcome.rows_read = source.connector->ReadInto(connection, params, staging);
      if (!evolve) evolve = CheckSourceSchema(connection, step, source, outcome, nullptr, quoted);
      std::optional<std::string> next_mark;
      if (incremental) {
        next_mark = connection.QueryScalar("SELECT max(" + engine::QuoteIdentifier(cursor) +
                                           ")::VARCHAR FROM " + quoted);
      }
      if (replace) {
        engine::ReplaceWithTable(connection, step.target, staging.name);
        outcome.rows = outcome.inserted = outcome.rows_read;
      } else {
        bool add_columns = evolve.value_or(false);
        WriteTable(connection, step, "SELECT * FROM " + quoted, outcome,
                   [add_columns](const std::vector<engine::Column>&) { return add_columns; });
      }
      if (next_mark)
        options_.store->SaveWatermark(options_.pipeline, step.load_source, cursor, *next_mark,
                                      options_.run_id);
      AcceptCommittedSchema(outcome);
      return;
    }
    case plan::Step::Kind::kTransform:
      outcome.rows_read = RowsOfTables(connection, step.reads);
      WriteTable(connection, step, step.sql, outcome);
      return;
    case plan::Step::Kind::kExport: {
      outcome.rows_read = RowsOfTables(connection, step.reads);
      const connectors::Connector* connector = connectors::FindConnector(step.export_type);
      if (connector && connector->writes_itself()) {
        connectors::Connector::WriteResult written =
            connector->Write(connection, step.sql, step.target, step.params);
        outcome.rows = written.rows;
        outcome.inserted = written.inserted;
        outcome.updated = written.updated;
        return;
      }
      outcome.rows = Export(connection, step, outcome.bytes);
      return;
    }
    case plan::Step::Kind::kSql:
      outcome.rows_read = RowsOfTables(connection, step.reads);
      outcome.rows = connection.Query(step.sql).AffectedRows();
      return;
  }
}

namespace {

schema::Policy SchemaPolicy(const std::string& of_source, const std::string& of_profile) {
  return schema::ParsePolicy(of_source.empty() ? of_profile : of_source).value_or(schema::Policy::kFail);
}

}  // namespace

// Like a watermark, an accepted schema moves only with a committed load: a failed load leaves the
// previous accepted schema in place, so the next run sees the same change again.
void Executor::AcceptCommittedSchema(StepOutcome& outcome) {
  if (outcome.accept_snapshot == 0 || !options_.store) return;
  std::lock_guard lock(schema_mutex_);
  options_.store->AcceptSchemaSnapshot(outcome.accept_snapshot);
  outcome.accept_snapshot = 0;
}

bool Executor::ChecksSchema(const SourceDefinition& source) const {
  return options_.store &&
         SchemaPolicy(source.schema_policy, options_.on_schema_change) != schema::Policy::kIgnore;
}

bool Executor::CheckSourceSchema(engine::Connection& connection, const plan::Step& step,
                                 const SourceDefinition& source, StepOutcome& outcome,
                                 const std::vector<engine::Column>* columns, const std::string& staging) {
  if (!ChecksSchema(source)) return false;
  schema::Policy policy = SchemaPolicy(source.schema_policy, options_.on_schema_change);
  auto start = std::chrono::steady_clock::now();
  struct Timer {
    std::chrono::steady_clock::time_point start;
    double& total;
    ~Timer() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
  } timer{start, outcome.schema_check_seconds};
  std::optional<schema::Schema> current =
      columns ? schema::Schema{*columns} : schema::CaptureTable(connection, staging);

  std::lock_guard lock(schema_mutex_);
  state::Store& store = *options_.store;
  const std::string& name = step.load_source;
  int64_t snapshot = schema::RecordSnapshot(store, options_.pipeline, name, *current, options_.run_id, "run");
  auto accepted = store.AcceptedSchema(options_.pipeline, name);
  if (!accepted) {
    outcome.accept_snapshot = snapshot;  // the first run records the baseline
    return false;
  }
  if (accepted->fingerprint == current->Fingerprint()) return false;
  schema::Diff diff = schema::Compare(schema::SnapshotSchema(*accepted), *current);
  if (diff.verdict == schema::Verdict::kIdentical) return false;
  std::string changes;
  for (const auto& change : diff.changes) changes += "\n  - " + change.Describe();
  std::string shown_policy = schema::PolicyName(policy);
  if (diff.verdict == schema::Verdict::kBreaking &&
      (policy == schema::Policy::kFail || policy == schema::Policy::kEvolve)) {
    throw StepError(
        "SF-RUN-009",
        fmt::format("source '{}' changed its schema in a breaking way (on_schema_change: {}); table "
                    "{} was not touched:{}\n  = hint: see it with `sqlflow schema compare {} "
                    "--pipeline {}`; make it the accepted schema with `sqlflow schema accept {} "
                    "--pipeline {}`, or set PARAMS {{\"on_schema_change\": \"warn\"}}",
                    name, shown_policy, step.target, changes, name, options_.pipeline, name,
                    options_.pipeline));
  }
  bool evolve = policy == schema::Policy::kEvolve;
  if (evolve) outcome.accept_snapshot = snapshot;
  outcome.warnings.push_back(fmt::format(
      "SF-SCHEMA-001: source '{}' changed its schema ({}, on_schema_change: {}{}):{}", name,
      schema::VerdictName(diff.verdict), shown_policy, evolve ? "; now the accepted schema" : "", changes));
  return evolve;
}

void Executor::WriteTable(engine::Connection& connection, const plan::Step& step, const std::string& query,
                          StepOutcome& outcome,
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
                    : options_.strict_schema;
  mode.add_columns = step.mode_options.value("add_columns", options_.add_columns);
  mode.check_new_rows = std::move(check_new_rows);
  engine::WriteResult result = engine::WriteTable(connection, step.target, query, mode);
  outcome.rows = result.rows;
  outcome.inserted = result.inserted;
  outcome.updated = result.updated;
}

// DuckDB's COPY of the export's query to `file` with the connector's options; returns the rows.
uint64_t Executor::CopyTo(engine::Connection& connection, const plan::Step& step,
                          const connectors::Connector& connector, const fs::path& file) {
  return connection
      .Query("COPY (" + step.sql + ") TO " + engine::QuoteLiteral(file.string()) + " (" +
             connector.CopyOptions(step.params) + ")")
      .AffectedRows();
}

uint64_t Executor::Export(engine::Connection& connection, const plan::Step& step, uint64_t& bytes) {
  const connectors::Connector* connector = connectors::FindConnector(step.export_type);
  if (!connector) throw StepError("SF-RUN-003", "unknown export type " + step.export_type);
  if (connectors::s3::IsS3Uri(step.target)) return ExportToS3(connection, step, *connector, bytes);
  if (step.target.find("://") != std::string::npos && !util::StartsWith(step.target, "file://")) {
    throw StepError("SF-RUN-006", "export destination '" + step.target +
                                      "' is not supported (export to a file path or an s3:// URI)");
  }
  std::string target = util::StartsWith(step.target, "file://") ? step.target.substr(7) : step.target;
  fs::path final_path = connectors::ResolvePath(target, options_.project_root);
  if (final_path.has_parent_path()) fs::create_directories(final_path.parent_path());
  // Written under a temporary name in the same folder, then renamed: a failed export leaves no
  // half file, and the extension stays last so DuckDB's compression detection still sees it.
  fs::path temporary =
      final_path.parent_path() / fmt::format(".sqlflow-tmp-{}-{}-{}", ::getpid(),
                                             std::hash<std::thread::id>{}(std::this_thread::get_id()) % 10000,
                                             final_path.filename().string());
  try {
    uint64_t rows = CopyTo(connection, step, *connector, temporary);
    bytes = SizeOnDisk(temporary);
    ReplacePath(temporary, final_path);
    return rows;
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
    throw;
  }
}

uint64_t Executor::ExportToS3(engine::Connection& connection, const plan::Step& step,
                              const connectors::Connector& connector, uint64_t& bytes) {
  // DuckDB writes the file (or the folder of partitions) into a private spool, removed on every
  // path. A single file's parts go up while DuckDB writes; a failed COPY aborts the upload.
  util::TempDir spool("sqlflow-s3-export");
  std::string name = step.target.substr(step.target.rfind('/') + 1);
  fs::path local = spool.path() / (name.empty() ? "export" : name);
  connectors::s3::ExportUpload upload(local, step.target, step.params);
  uint64_t rows = CopyTo(connection, step, connector, local);
  bytes = upload.Finish();
  return rows;
}

}  // namespace sqlflow::run
