#pragma once
// What a connector is: a TYPE name with parameter schemas, and the capabilities it has. A
// capability is its own small interface; a connector returns the ones it implements and null for
// the others, so nothing has to stub what it cannot do.
//
//   QuerySource  gives DuckDB a query that yields the source's rows (CSV, Parquet, JSON)
//   IngestSource fills a staging table itself (PostgreSQL's binary COPY, S3's spool, plugins)
//   FileSink     a file format DuckDB's COPY writes (CSV, Parquet, JSON)
//   CustomSink   writes a query's rows itself (PostgreSQL)
//   FileDestination (registered on its own) where a FileSink's file goes, claimed by URI: a local
//                path, or an object store (s3://)

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/duckdb.h"
#include "engine/schema.h"

namespace sqlflow::connectors {

enum class ParamType { kString, kBool, kInteger, kStringOrList, kStringList, kObject, kAny };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  std::vector<std::string> aliases;  // older spellings users may write
  std::vector<std::string> choices;  // allowed string values, case-insensitive; empty: any
};

// A connector's failure to reach or use the outside world. `transient`: worth retrying.
class ConnectorError : public std::runtime_error {
 public:
  ConnectorError(const std::string& message, bool transient)
      : std::runtime_error(message), transient_(transient) {}
  bool transient() const { return transient_; }

 private:
  bool transient_;
};

// A problem with one parameter, located by the caller at `key` in the JSON text.
struct ParamIssue {
  std::string key;
  std::string message;
  std::string hint;
};

class QuerySource {
 public:
  virtual ~QuerySource() = default;
  // A query DuckDB can run that yields the source's rows. `params` are normalized; relative paths
  // resolve against `root`.
  virtual std::string SourceQuery(const nlohmann::json& params, const std::string& root) const = 0;
};

// The table an IngestSource fills: created by the connector (CREATE OR REPLACE), owned and
// dropped by the caller.
struct IngestTarget {
  std::string catalog;  // "" = the default catalog; "temp" for a temporary table
  std::string schema;   // "" = the default schema
  std::string name;
  bool temporary = true;
  // When set, called with the source's columns once they are known and before any row is read
  // (schema drift detection). Throwing stops the read. A connector that does not call it gets its
  // staging table described afterwards.
  std::function<void(const std::vector<engine::Column>&)> columns_known = {};

  // The quoted, qualified name to use in SQL.
  std::string Qualified() const;
  // `CREATE OR REPLACE [TEMP] TABLE <qualified>`
  std::string CreatePrefix() const;
};

class IngestSource {
 public:
  virtual ~IngestSource() = default;
  // Reads the source into `target` and returns the row count. Stops (throwing) once `stop` is
  // requested.
  virtual uint64_t ReadInto(engine::Connection& connection, const nlohmann::json& params,
                            const IngestTarget& target, std::stop_token stop) const = 0;
  // Whether `target` may be in any catalog and schema; false: only a temporary table by plain name.
  virtual bool stages_anywhere() const { return true; }
  // The columns the source yields, from its own catalog and without reading rows (schema drift
  // detection); nullopt when it cannot tell, and the staging table is described instead.
  virtual std::optional<std::vector<engine::Column>> DescribeSource(const nlohmann::json& params) const {
    (void)params;
    return std::nullopt;
  }
};

class FileSink {
 public:
  virtual ~FileSink() = default;
  // The COPY options clause (without parentheses) for an export with normalized `options`.
  virtual std::string CopyOptions(const nlohmann::json& options) const = 0;
};

struct SinkResult {
  uint64_t rows = 0;
  uint64_t inserted = 0;
  uint64_t updated = 0;
};

class CustomSink {
 public:
  virtual ~CustomSink() = default;
  // Writes the rows of `query` (run on `connection`) to `target`.
  virtual SinkResult Write(engine::Connection& connection, const std::string& query,
                           const std::string& target, const nlohmann::json& options,
                           std::stop_token stop) const = 0;
};

// Called by FileWrite::Finish() at its named points: "ready" once the output is complete and on
// disk, just before it replaces the destination (throwing there stops the export and leaves the
// destination as it was), and "replaced" once it is in place, before the old output is removed.
using FinishHook = std::function<void(std::string_view point)>;

// One file being written for an export: DuckDB's COPY writes path(), Finish() puts it in place.
// Destroyed without Finish() (the COPY failed), nothing appears at the destination and nothing is
// left behind.
class FileWrite {
 public:
  virtual ~FileWrite() = default;
  virtual const std::filesystem::path& path() const = 0;
  // Returns the bytes written.
  virtual uint64_t Finish(const FinishHook& hook) = 0;
};

class FileDestination {
 public:
  virtual ~FileDestination() = default;
  virtual bool Claims(std::string_view uri) const = 0;
  // OPTIONS an export to it takes besides its format's (credentials, part sizes).
  virtual const std::vector<ParamSpec>& options() const = 0;
  virtual std::vector<ParamIssue> Validate(const nlohmann::json& options) const {
    (void)options;
    return {};
  }
  virtual std::unique_ptr<FileWrite> Open(const std::string& uri, const nlohmann::json& options,
                                          const std::string& root, std::stop_token stop) const = 0;
  // The absolute path `uri` names on the local file system (relative to `root`), or nullopt for an
  // object store. Only a local destination is checked against the export ledger.
  virtual std::optional<std::filesystem::path> LocalPath(const std::string& uri,
                                                         const std::string& root) const {
    (void)uri;
    (void)root;
    return std::nullopt;
  }
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string type() const = 0;
  virtual const std::vector<ParamSpec>& source_params() const;   // empty: cannot be a SOURCE
  virtual const std::vector<ParamSpec>& export_options() const;  // empty: cannot be an EXPORT
  // Checks beyond the schema (one of two keys, a mode's needs); `as_source`: SOURCE params.
  virtual std::vector<ParamIssue> Validate(const nlohmann::json& params, bool as_source) const {
    (void)params;
    (void)as_source;
    return {};
  }
  // Checks that the source can be reached (connects, or finds the files); returns what it found.
  // Throws std::runtime_error with the cause.
  virtual std::string Test(const nlohmann::json& params, const std::string& root) const = 0;

  virtual const QuerySource* query_source() const { return nullptr; }
  virtual const IngestSource* ingest_source() const { return nullptr; }
  virtual const FileSink* file_sink() const { return nullptr; }
  virtual const CustomSink* custom_sink() const { return nullptr; }

  // A SOURCE of another TYPE whose parameters name a location this connector serves (a CSV
  // `path` that is an s3:// URI): rewrites `type` and `params` so that this connector reads it.
  virtual bool AdoptSource(std::string& type, nlohmann::json& params) const {
    (void)type;
    (void)params;
    return false;
  }
  // An EXPORT of this TYPE that stands for a file format (TYPE S3 with `file_format`): the TYPE
  // it is written as, with `options` adjusted; nullptr with `issue` set when it cannot tell.
  virtual const Connector* ExportAs(const std::string& target, nlohmann::json& options,
                                    ParamIssue& issue) const {
    (void)target;
    (void)options;
    (void)issue;
    return this;
  }
};

}  // namespace sqlflow::connectors
