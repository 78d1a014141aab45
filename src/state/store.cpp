#include "state/store.h"

#include <sqlite3.h>

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "util/process.h"
#include "util/strings.h"

namespace sqlflow::state {

namespace fs = std::filesystem;

namespace {

// SQLite's failure `code` on `db` as a StoreError that says what to do about the usual ones.
[[noreturn]] void Fail(sqlite3* db, int code) {
  const char* file = sqlite3_db_filename(db, "main");
  std::string where = file && *file ? file : ".sqlflow/state.db";
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw StoreError(
          fmt::format("the state store {} is locked: another process has held it for more than {} s", where,
                      kBusyTimeoutMs / 1000),
          "another sqlflow command, or a program holding a transaction open on it (e.g. a sqlite3 shell); "
          "try again once it is done");
    case SQLITE_FULL:
      throw StoreError(fmt::format("the state store {} cannot be written: the disk is full", where),
                       "free space on the disk that holds .sqlflow/");
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      throw StoreError(fmt::format("the state store {} cannot be written: {}", where, sqlite3_errmsg(db)),
                       "check the permissions and the free space of .sqlflow/");
    default:
      throw StoreError(fmt::format("state store {}: {}", where, sqlite3_errmsg(db)));
  }
}

// One prepared statement, finalized on every path.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    int code = sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr);
    if (code != SQLITE_OK) Fail(db, code);
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.c_str(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, double value) {
    sqlite3_bind_double(statement_, index, value);
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
  }
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }

  // Steps once; true while rows come.
  bool Step() {
    int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    Fail(db_, code);
  }
  std::string Text(int column) {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    return text ? reinterpret_cast<const char*>(text) : "";
  }
  double Real(int column) { return sqlite3_column_double(statement_, column); }
  int64_t Integer(int column) { return sqlite3_column_int64(statement_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

constexpr const char* kRunColumns =
    "run_id, pipeline, profile, variables, status, started_at, ended_at, error, error_code, error_location, "
    "peak_memory_bytes, threads, policy, pid, pid_start";

constexpr const char* kSnapshotColumns =
    "s.id, s.pipeline, s.source, s.run_id, s.captured_at, s.fingerprint, s.schema_json, s.diff_json, "
    "s.verdict, "
    "s.origin, a.snapshot_id IS NOT NULL";
constexpr const char* kSnapshotFrom =
    "schema_snapshots s LEFT JOIN schema_accepted a ON a.pipeline = s.pipeline AND a.source = s.source AND "
    "a.snapshot_id = s.id";

SchemaSnapshot ReadSnapshot(Statement& statement) {
  SchemaSnapshot snapshot;
  snapshot.id = statement.Integer(0);
  snapshot.pipeline = statement.Text(1);
  snapshot.source = statement.Text(2);
  snapshot.run_id = statement.Text(3);
  snapshot.captured_at = statement.Real(4);
  snapshot.fingerprint = statement.Text(5);
  snapshot.schema_json = statement.Text(6);
  snapshot.diff_json = statement.Text(7);
  snapshot.verdict = statement.Text(8);
  snapshot.origin = statement.Text(9);
  snapshot.accepted = statement.Integer(10) != 0;
  return snapshot;
}

RunRecord ReadRun(Statement& statement) {
  RunRecord run;
  run.run_id = statement.Text(0);
  run.pipeline = statement.Text(1);
  run.profile = statement.Text(2);
  run.variables_json = statement.Text(3);
  run.status = statement.Text(4);
  run.started_at = statement.Real(5);
  run.ended_at = statement.Real(6);
  run.error = statement.Text(7);
  run.error_code = statement.Text(8);
  run.error_location = statement.Text(9);
  run.peak_memory_bytes = statement.Integer(10);
  run.threads = static_cast<int>(statement.Integer(11));
  run.policy = statement.Text(12);
  run.pid = statement.Integer(13);
  run.pid_start = statement.Integer(14);
  return run;
}

// `file` as the path of a SQLite URI: the characters a URI gives a meaning escaped.
std::string UriPath(const fs::path& file) {
  std::string escaped;
  for (char c : file.string()) {
    if (c == '%' || c == '?' || c == '#')
      escaped += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      escaped += c;
  }
  return escaped;
}

}  // namespace

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string NewRunId(const std::string& pipeline) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &utc);
  std::random_device random;
  return fmt::format("{}-{}-{:04x}", stamp, pipeline, random() & 0xffff);
}

void Store::CloseDatabase::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

Store::Store(const fs::path& project_root, Access access) {
  if (const char* fail_after = std::getenv("SQLFLOW_STATE_FAIL_AFTER"))
    writes_left_ = std::max<int64_t>(0, std::atoll(fail_after));
  fs::path folder = project_root / ".sqlflow";
  if (access == Access::kReadOnly) {
    OpenReadOnly(folder / "state.db");
    return;
  }
  std::error_code error;
  fs::create_directories(folder, error);
  if (error)
    throw StoreError(
        fmt::format("cannot create the state store folder {}: {}", folder.string(), error.message()));
  fs::path file = folder / "state.db";
  sqlite3* opened = nullptr;
  int code = sqlite3_open(file.c_str(), &opened);
  db_.reset(opened);  // SQLite may return a handle even when opening failed
  if (code != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_.get()) : "out of memory";
    throw StoreError(fmt::format("cannot open the state store {}: {}", file.string(), message));
  }
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  Execute("PRAGMA journal_mode=WAL");
  Execute("PRAGMA synchronous=NORMAL");
  Execute(
      "CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, profile TEXT, "
      "variables "
      "TEXT, status TEXT NOT NULL, started_at REAL, ended_at REAL, error TEXT, error_code TEXT, "
      "error_location TEXT, "
      "peak_memory_bytes INTEGER, threads INTEGER, policy TEXT, pid INTEGER)");
  Execute(
      "CREATE TABLE IF NOT EXISTS steps (run_id TEXT NOT NULL, step_id TEXT NOT NULL, position INTEGER, kind "
      "TEXT, "
      "target TEXT, depends_on TEXT, status TEXT NOT NULL, started_at REAL, ended_at REAL, rows_read "
      "INTEGER, "
      "rows_written INTEGER, bytes INTEGER, retries INTEGER, error TEXT, error_code TEXT, location TEXT, "
      "PRIMARY KEY (run_id, step_id))");
  Execute("CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, started_at)");
  Execute(
      "CREATE TABLE IF NOT EXISTS watermarks (pipeline TEXT NOT NULL, source TEXT NOT NULL, cursor_field "
      "TEXT, "
      "value TEXT, run_id TEXT, updated_at REAL, PRIMARY KEY (pipeline, source))");
  Execute(
      "CREATE TABLE IF NOT EXISTS schema_snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT "
      "NULL, source TEXT NOT NULL, run_id TEXT, captured_at REAL, fingerprint TEXT NOT NULL, schema_json "
      "TEXT "
      "NOT NULL, diff_json TEXT, verdict TEXT, origin TEXT)");
  Execute("CREATE INDEX IF NOT EXISTS schema_snapshots_by_source ON schema_snapshots (pipeline, source, id)");
  Execute(
      "CREATE TABLE IF NOT EXISTS schema_accepted (pipeline TEXT NOT NULL, source TEXT NOT NULL, snapshot_id "
      "INTEGER NOT NULL, accepted_at REAL, PRIMARY KEY (pipeline, source))");
  Execute(
      "CREATE TABLE IF NOT EXISTS export_outputs (path TEXT PRIMARY KEY, pipeline TEXT NOT NULL, step_id "
      "TEXT, kind TEXT NOT NULL, run_id TEXT, written_at REAL)");
  // Stores written before these columns existed gain them.
  AddMissingColumn("runs", "pid", "INTEGER");
  AddMissingColumn("runs", "pid_start", "INTEGER");
}

void Store::OpenReadOnly(const fs::path& file) {
  // WAL mode reads through a shared-memory file beside the store, which a full disk or a read-only
  // folder may not let SQLite create: then the file is read as immutable (no locks, no WAL; a
  // store whose last writer closed it has nothing in its WAL).
  for (const char* mode : {"ro", "ro&immutable=1"}) {
    std::string uri = fmt::format("file:{}?mode={}", UriPath(file), mode);
    sqlite3* opened = nullptr;
    int code = sqlite3_open_v2(uri.c_str(), &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
    db_.reset(opened);
    if (code != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_.get()) : "out of memory";
      throw StoreError(fmt::format("cannot open the state store {}: {}", file.string(), message));
    }
    sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
    if (sqlite3_exec(db_.get(), "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) == SQLITE_OK)
      return;
  }
  Fail(db_.get(), sqlite3_errcode(db_.get()));
}

void Store::AddMissingColumn(const char* table, const char* column, const char* type) {
  Statement columns(
      db_.get(),
      fmt::format("SELECT count(*) FROM pragma_table_info('{}') WHERE name = '{}'", table, column).c_str());
  if (columns.Step() && columns.Integer(0) == 0)
    Execute(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", table, column, type));
}

void Store::CountWrite() {
  if (writes_left_ < 0) return;
  if (writes_left_ == 0)
    throw StoreError(
        "the state store cannot be written: the disk is full (injected by SQLFLOW_STATE_FAIL_AFTER)");
  --writes_left_;
}

Store::~Store() = default;

bool Store::Exists(const fs::path& project_root) {
  std::error_code error;
  return fs::exists(project_root / ".sqlflow" / "state.db", error);
}

std::string EffectiveStatus(const RunRecord& run) {
  if (run.status != "RUNNING" || run.pid <= 0) return run.status;
  bool alive = ::kill(static_cast<pid_t>(run.pid), 0) == 0 || errno == EPERM;
  if (alive && run.pid_start > 0)
    alive = util::ProcessStartTime(run.pid) == static_cast<uint64_t>(run.pid_start);
  return alive ? run.status : "ABANDONED";
}

std::string EffectiveStepStatus(const RunRecord& run, const StepRecord& step) {
  bool live = step.status == "RUNNING" || step.status == "RETRYING";
  return live && EffectiveStatus(run) == "ABANDONED" ? "ABANDONED" : step.status;
}

void Store::Execute(const std::string& sql) {
  int code = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) Fail(db_.get(), code);
}

void Store::SaveRun(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  CountWrite();
  Statement statement(
      db_.get(),
      fmt::format("INSERT OR REPLACE INTO runs ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", kRunColumns)
          .c_str());
  statement.Bind(1, run.run_id).Bind(2, run.pipeline).Bind(3, run.profile).Bind(4, run.variables_json);
  statement.Bind(5, run.status).Bind(6, run.started_at).Bind(7, run.ended_at).Bind(8, run.error);
  statement.Bind(9, run.error_code).Bind(10, run.error_location).Bind(11, run.peak_memory_bytes);
  statement.Bind(12, run.threads).Bind(13, run.policy).Bind(14, run.pid).Bind(15, run.pid_start);
  statement.Step();
}

void Store::SaveStep(const StepRecord& step) {
  std::lock_guard lock(mutex_);
  CountWrite();
  Statement statement(
      db_.get(),
      "INSERT OR REPLACE INTO steps (run_id, step_id, position, kind, target, depends_on, status, "
      "started_at, ended_at, rows_read, rows_written, bytes, retries, error, error_code, location) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  statement.Bind(1, step.run_id).Bind(2, step.step_id).Bind(3, step.position).Bind(4, step.kind);
  statement.Bind(5, step.target).Bind(6, step.depends_on_json).Bind(7, step.status).Bind(8, step.started_at);
  statement.Bind(9, step.ended_at).Bind(10, step.rows_read).Bind(11, step.rows_written).Bind(12, step.bytes);
  statement.Bind(13, step.retries).Bind(14, step.error).Bind(15, step.error_code).Bind(16, step.location);
  statement.Step();
}

std::optional<RunRecord> Store::FindRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  Statement statement(db_.get(), fmt::format("SELECT {} FROM runs WHERE run_id = ?", kRunColumns).c_str());
  statement.Bind(1, run_id);
  if (!statement.Step()) return std::nullopt;
  return ReadRun(statement);
}

std::optional<RunRecord> Store::LatestRun(const std::string& pipeline) {
  auto runs = ListRuns(pipeline, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::vector<RunRecord> Store::ListRuns(const std::string& pipeline, int limit) {
  std::lock_guard lock(mutex_);
  Statement statement(
      db_.get(), fmt::format("SELECT {} FROM runs WHERE (? = '' OR pipeline = ?) ORDER BY started_at DESC, "
                             "rowid DESC LIMIT ?",
                             kRunColumns)
                     .c_str());
  statement.Bind(1, pipeline).Bind(2, pipeline).Bind(3, limit);
  std::vector<RunRecord> runs;
  while (statement.Step()) runs.push_back(ReadRun(statement));
  return runs;
}

std::vector<StepRecord> Store::ListSteps(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  Statement statement(
      db_.get(),
      "SELECT run_id, step_id, position, kind, target, depends_on, status, started_at, ended_at, "
      "rows_read, rows_written, bytes, retries, error, error_code, location FROM steps WHERE run_id "
      "= ? ORDER BY position");
  statement.Bind(1, run_id);
  std::vector<StepRecord> steps;
  while (statement.Step()) {
    StepRecord step;
    step.run_id = statement.Text(0);
    step.step_id = statement.Text(1);
    step.position = static_cast<int>(statement.Integer(2));
    step.kind = statement.Text(3);
    step.target = statement.Text(4);
    step.depends_on_json = statement.Text(5);
    step.status = statement.Text(6);
    step.started_at = statement.Real(7);
    step.ended_at = statement.Real(8);
    step.rows_read = statement.Integer(9);
    step.rows_written = statement.Integer(10);
    step.bytes = statement.Integer(11);
    step.retries = static_cast<int>(statement.Integer(12));
    step.error = statement.Text(13);
    step.error_code = statement.Text(14);
    step.location = statement.Text(15);
    steps.push_back(std::move(step));
  }
  return steps;
}

std::optional<std::string> Store::Watermark(const std::string& pipeline, const std::string& source) {
  std::lock_guard lock(mutex_);
  // Source names are case-insensitive (FROM SRC and FROM src are one source); rows written by
  // versions that kept the case are found too, the newest first.
  Statement statement(db_.get(),
                      "SELECT value FROM watermarks WHERE pipeline = ? AND lower(source) = lower(?) "
                      "ORDER BY updated_at DESC LIMIT 1");
  statement.Bind(1, pipeline).Bind(2, source);
  if (!statement.Step()) return std::nullopt;
  return statement.Text(0);
}

void Store::SaveWatermark(const std::string& pipeline, const std::string& source,
                          const std::string& cursor_field, const std::string& value,
                          const std::string& run_id) {
  std::lock_guard lock(mutex_);
  CountWrite();
  // One transaction: a crash never leaves the source without a watermark.
  Execute("BEGIN IMMEDIATE");
  try {
    Statement other_case(db_.get(), "DELETE FROM watermarks WHERE pipeline = ? AND lower(source) = lower(?)");
    other_case.Bind(1, pipeline).Bind(2, source);
    other_case.Step();
    Statement statement(
        db_.get(),
        "INSERT OR REPLACE INTO watermarks (pipeline, source, cursor_field, value, run_id, updated_at) "
        "VALUES (?,?,?,?,?,?)");
    statement.Bind(1, pipeline)
        .Bind(2, util::ToLower(source))
        .Bind(3, cursor_field)
        .Bind(4, value)
        .Bind(5, run_id)
        .Bind(6, Now());
    statement.Step();
    Execute("COMMIT");
  } catch (...) {
    Execute("ROLLBACK");
    throw;
  }
}

int64_t Store::SaveSchemaSnapshot(const SchemaSnapshot& snapshot) {
  std::lock_guard lock(mutex_);
  CountWrite();
  Statement statement(db_.get(),
                      "INSERT INTO schema_snapshots (pipeline, source, run_id, captured_at, fingerprint, "
                      "schema_json, diff_json, verdict, origin) VALUES (?,?,?,?,?,?,?,?,?)");
  statement.Bind(1, snapshot.pipeline).Bind(2, util::ToLower(snapshot.source)).Bind(3, snapshot.run_id);
  statement.Bind(4, snapshot.captured_at > 0 ? snapshot.captured_at : Now()).Bind(5, snapshot.fingerprint);
  statement.Bind(6, snapshot.schema_json).Bind(7, snapshot.diff_json).Bind(8, snapshot.verdict);
  statement.Bind(9, snapshot.origin);
  statement.Step();
  return sqlite3_last_insert_rowid(db_.get());
}

void Store::AcceptSchemaSnapshot(int64_t id) {
  std::lock_guard lock(mutex_);
  CountWrite();
  Statement statement(db_.get(),
                      "INSERT OR REPLACE INTO schema_accepted (pipeline, source, snapshot_id, accepted_at) "
                      "SELECT pipeline, source, id, ? FROM schema_snapshots WHERE id = ?");
  statement.Bind(1, Now()).Bind(2, id);
  statement.Step();
}

std::optional<SchemaSnapshot> Store::AcceptedSchema(const std::string& pipeline, const std::string& source) {
  std::lock_guard lock(mutex_);
  Statement statement(db_.get(), fmt::format("SELECT {} FROM {} WHERE s.pipeline = ? AND s.source = ? AND "
                                             "a.snapshot_id IS NOT NULL",
                                             kSnapshotColumns, kSnapshotFrom)
                                     .c_str());
  statement.Bind(1, pipeline).Bind(2, util::ToLower(source));
  if (!statement.Step()) return std::nullopt;
  return ReadSnapshot(statement);
}

std::optional<SchemaSnapshot> Store::LatestSchemaSnapshot(const std::string& pipeline,
                                                          const std::string& source) {
  auto history = SchemaHistory(pipeline, source);
  if (history.empty()) return std::nullopt;
  return history.front();
}

std::optional<SchemaSnapshot> Store::SchemaSnapshotAtRun(const std::string& pipeline,
                                                         const std::string& source,
                                                         const std::string& run_id) {
  auto run = FindRun(run_id);
  if (!run) return std::nullopt;
  double until = run->ended_at > 0 ? run->ended_at : Now();
  std::lock_guard lock(mutex_);
  Statement statement(db_.get(),
                      fmt::format("SELECT {} FROM {} WHERE s.pipeline = ? AND s.source = ? AND "
                                  "(s.run_id = ? OR s.captured_at <= ?) ORDER BY s.run_id = ? DESC, "
                                  "s.id DESC LIMIT 1",
                                  kSnapshotColumns, kSnapshotFrom)
                          .c_str());
  statement.Bind(1, pipeline).Bind(2, util::ToLower(source)).Bind(3, run_id).Bind(4, until).Bind(5, run_id);
  if (!statement.Step()) return std::nullopt;
  return ReadSnapshot(statement);
}

std::vector<SchemaSnapshot> Store::SchemaHistory(const std::string& pipeline, const std::string& source) {
  std::lock_guard lock(mutex_);
  Statement statement(
      db_.get(), fmt::format("SELECT {} FROM {} WHERE s.pipeline = ? AND s.source = ? ORDER BY s.id DESC",
                             kSnapshotColumns, kSnapshotFrom)
                     .c_str());
  statement.Bind(1, pipeline).Bind(2, util::ToLower(source));
  std::vector<SchemaSnapshot> snapshots;
  while (statement.Step()) snapshots.push_back(ReadSnapshot(statement));
  return snapshots;
}

std::vector<std::string> Store::PipelinesWithSchema(const std::string& source) {
  std::lock_guard lock(mutex_);
  Statement statement(db_.get(),
                      "SELECT DISTINCT pipeline FROM schema_snapshots WHERE source = ? ORDER BY pipeline");
  statement.Bind(1, util::ToLower(source));
  std::vector<std::string> pipelines;
  while (statement.Step()) pipelines.push_back(statement.Text(0));
  return pipelines;
}

// The export ledger.

std::optional<ExportOutput> Store::FindExportOutput(const std::string& path) {
  std::lock_guard lock(mutex_);
  Statement statement(
      db_.get(),
      "SELECT path, pipeline, step_id, kind, run_id, written_at FROM export_outputs WHERE path = ?");
  statement.Bind(1, path);
  if (!statement.Step()) return std::nullopt;
  return ExportOutput{statement.Text(0), statement.Text(1), statement.Text(2),
                      statement.Text(3), statement.Text(4), statement.Real(5)};
}

void Store::SaveExportOutput(const ExportOutput& output) {
  std::lock_guard lock(mutex_);
  Statement statement(
      db_.get(),
      "INSERT OR REPLACE INTO export_outputs (path, pipeline, step_id, kind, run_id, written_at) "
      "VALUES (?,?,?,?,?,?)");
  statement.Bind(1, output.path).Bind(2, output.pipeline).Bind(3, output.step_id).Bind(4, output.kind);
  statement.Bind(5, output.run_id).Bind(6, output.written_at > 0 ? output.written_at : Now());
  statement.Step();
}

}  // namespace sqlflow::state
