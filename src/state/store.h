#pragma once
// The project's local state under .sqlflow/state.db (SQLite, WAL): run history with each step's
// status and metrics. Other processes read it while a run writes (`sqlflow status`).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

struct sqlite3;

namespace sqlflow::state {

// The state store cannot be opened, read or written (SF-STATE-002): SQLite's message follows.
class StoreError : public common::Error {
 public:
  explicit StoreError(const std::string& message, std::string hint = "")
      : common::Error("SF-STATE-002", message, std::move(hint)) {}
};

// How long a write waits for another process's lock on the store before it fails (SQLITE_BUSY).
inline constexpr int kBusyTimeoutMs = 5000;

struct RunRecord {
  std::string run_id;
  std::string pipeline;
  std::string profile;
  std::string variables_json;  // secrets masked
  std::string status;          // RUNNING, SUCCEEDED, FAILED, INTERRUPTED
  double started_at = 0;       // seconds since the epoch
  double ended_at = 0;         // 0 while running
  std::string error;
  std::string error_code;
  std::string error_location;
  int64_t peak_memory_bytes = 0;
  int threads = 0;
  std::string policy;
  int64_t pid = 0;  // the process running it, to tell a crashed run from a running one
  // When that process started (Linux: clock ticks since boot, /proc/<pid>/stat field 22), so that
  // another process that got the same id later is not taken for it; 0 when unknown.
  int64_t pid_start = 0;
};

struct StepRecord {
  std::string run_id;
  std::string step_id;
  int position = 0;  // in plan order
  std::string kind;
  std::string target;
  std::string depends_on_json;
  std::string status;  // PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED, RETRYING
  double started_at = 0;
  double ended_at = 0;
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  int64_t bytes = 0;
  int retries = 0;
  std::string error;
  std::string error_code;
  std::string location;
};

// One recorded shape of a source. A snapshot is written when the shape differs from the source's
// latest one (and by `schema accept`); `diff_json` says what changed against that previous one.
struct SchemaSnapshot {
  int64_t id = 0;
  std::string pipeline;
  std::string source;  // lower case
  std::string run_id;  // "" when recorded by `sqlflow schema accept`
  double captured_at = 0;
  std::string fingerprint;
  std::string schema_json;
  std::string diff_json;  // "" for the first snapshot
  std::string verdict;    // against the previous snapshot: baseline, identical, compatible, breaking
  std::string origin;     // run, accept
  bool accepted = false;  // the source's accepted schema now
};

// One entry of the export ledger: the local file or partitioned folder an export last put at an
// absolute path. An export replaces only what its own pipeline put there (docs/decisions.md).
struct ExportOutput {
  std::string path;      // absolute, normalized: the key
  std::string pipeline;  // the pipeline whose export wrote it
  std::string step_id;   // that export's step id (for messages)
  std::string kind;      // "file" or "folder"
  std::string run_id;
  double written_at = 0;
};

// Thread-safe: the executor's workers report through one Store.
class Store {
 public:
  enum class Access {
    kReadWrite,  // creates the folder and the tables, migrates older stores
    kReadOnly,   // reads an existing store as it is: works on a full disk or a read-only folder
  };
  // Opens <project_root>/.sqlflow/state.db. Throws StoreError (SF-STATE-002).
  explicit Store(const std::filesystem::path& project_root, Access access = Access::kReadWrite);
  // Whether a project has recorded any state (reading commands do not create it).
  static bool Exists(const std::filesystem::path& project_root);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  void SaveRun(const RunRecord& run);     // insert or replace
  void SaveStep(const StepRecord& step);  // insert or replace

  std::optional<RunRecord> FindRun(const std::string& run_id);
  // The newest run, of one pipeline or of any.
  std::optional<RunRecord> LatestRun(const std::string& pipeline = "");
  // Newest first.
  std::vector<RunRecord> ListRuns(const std::string& pipeline = "", int limit = 20);
  std::vector<StepRecord> ListSteps(const std::string& run_id);

  // The cursor value an incremental source of `pipeline` has read up to; nullopt before its first
  // committed load.
  std::optional<std::string> Watermark(const std::string& pipeline, const std::string& source);
  void SaveWatermark(const std::string& pipeline, const std::string& source, const std::string& cursor_field,
                     const std::string& value, const std::string& run_id);

  // Schema snapshots of a pipeline's sources (`source` compared case-insensitively).
  // Records `snapshot` (its id and accepted fields are ignored) and returns its id.
  int64_t SaveSchemaSnapshot(const SchemaSnapshot& snapshot);
  // Makes snapshot `id` the accepted schema of its source.
  void AcceptSchemaSnapshot(int64_t id);
  std::optional<SchemaSnapshot> AcceptedSchema(const std::string& pipeline, const std::string& source);
  std::optional<SchemaSnapshot> LatestSchemaSnapshot(const std::string& pipeline, const std::string& source);
  // The shape the source had when run `run_id` ended: its newest snapshot recorded up to then.
  std::optional<SchemaSnapshot> SchemaSnapshotAtRun(const std::string& pipeline, const std::string& source,
                                                    const std::string& run_id);
  // Newest first.
  std::vector<SchemaSnapshot> SchemaHistory(const std::string& pipeline, const std::string& source);
  // The pipelines that recorded snapshots of `source`.
  std::vector<std::string> PipelinesWithSchema(const std::string& source);

  // The export ledger: what was last exported to `path`, recorded before it was renamed into place.
  std::optional<ExportOutput> FindExportOutput(const std::string& path);
  void SaveExportOutput(const ExportOutput& output);  // insert or replace

 private:
  struct CloseDatabase {
    void operator()(sqlite3* db) const;
  };
  void OpenReadOnly(const std::filesystem::path& file);
  void Execute(const std::string& sql);
  void AddMissingColumn(const char* table, const char* column, const char* type);
  // The SQLFLOW_STATE_FAIL_AFTER test hook: every write after that many fails as on a full disk.
  void CountWrite();
  std::mutex mutex_;
  int64_t writes_left_ = -1;  // -1: no injected failure
  // Closed on every path, also when the constructor throws after opening it.
  std::unique_ptr<sqlite3, CloseDatabase> db_;
};

// RUNNING while its process lives; ABANDONED when the process that ran it is gone (killed, or its
// id now belongs to a process that started at another time).
std::string EffectiveStatus(const RunRecord& run);
// A step's status as `EffectiveStatus` sees its run: a step still RUNNING or RETRYING in an
// abandoned run is ABANDONED.
std::string EffectiveStepStatus(const RunRecord& run, const StepRecord& step);

// A new run id: 20261126-031045-<pipeline>-<4 hex>.
std::string NewRunId(const std::string& pipeline);
double Now();

}  // namespace sqlflow::state
