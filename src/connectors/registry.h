#pragma once
// The connector registry: TYPE names mapped to their parameter schemas and implementations.
// Parameters are checked against the schema before anything runs.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
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

// Everything that reads from or writes to the outside world for one TYPE.
class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string type() const = 0;
  virtual const std::vector<ParamSpec>& source_params() const = 0;   // empty: cannot be a SOURCE
  virtual const std::vector<ParamSpec>& export_options() const = 0;  // empty: cannot be an EXPORT

  // A query DuckDB can run that yields the source's rows. `params` are normalized; relative
  // paths resolve against `root`.
  virtual std::string SourceQuery(const nlohmann::json& params, const std::string& root) const = 0;
  // The COPY options clause (without parentheses) for an export with normalized `options`.
  virtual std::string CopyOptions(const nlohmann::json& options) const = 0;

  // Checks beyond the schema (one of two keys, a mode's needs); `as_source`: SOURCE params.
  virtual std::vector<ParamIssue> Validate(const nlohmann::json& params, bool as_source) const {
    (void)params;
    (void)as_source;
    return {};
  }

  // Sources that stream rows in themselves (PostgreSQL) instead of giving DuckDB a query: they
  // read into the new temporary table `table` and return the row count.
  virtual bool streams() const { return false; }
  struct StagingTable {
    std::string schema;  // "" = the default schema
    std::string name;
    bool temporary = true;
    // When set, called with the source's columns once they are known and before any row is read
    // (schema drift detection; PostgreSQL calls it, a connector that does not gets its staging
    // table described afterwards). Throwing stops the read.
    std::function<void(const std::vector<engine::Column>&)> columns_known = {};

    // The quoted name to use in SQL: temp.main."name", or "schema"."name".
    std::string Qualified() const;
  };
  virtual uint64_t ReadInto(engine::Connection& connection, const nlohmann::json& params,
                            const StagingTable& table) const;
  // The columns a streaming source yields, from its own catalog and without reading rows (schema
  // drift detection); nullopt when the connector cannot tell, and the staging table is described.
  virtual std::optional<std::vector<engine::Column>> DescribeSource(const nlohmann::json& params) const {
    (void)params;
    return std::nullopt;
  }

  // Destinations that write themselves (PostgreSQL) instead of DuckDB's COPY to a file.
  struct WriteResult {
    uint64_t rows = 0;
    uint64_t inserted = 0;
    uint64_t updated = 0;
  };
  virtual bool writes_itself() const { return false; }
  virtual WriteResult Write(engine::Connection& connection, const std::string& query,
                            const std::string& target, const nlohmann::json& options) const;

  // Checks that the source can be reached (connects, or finds the files); returns what it found.
  // Throws std::runtime_error with the cause.
  virtual std::string Test(const nlohmann::json& params, const std::string& root) const = 0;
};

const Connector* FindConnector(std::string_view type);
// Adds a connector (a plugin's) to the registry.
void RegisterConnector(std::unique_ptr<Connector> connector);
std::vector<std::string> ConnectorTypes();

// The spec named `key` or having it as an alias (case-insensitive); nullptr when none.
const ParamSpec* SpecFor(const std::vector<ParamSpec>& specs, std::string_view key);

// The parameter every SOURCE takes whatever its TYPE: how a change of its schema is handled.
inline constexpr const char* kSchemaPolicyParam = "on_schema_change";
// A connector's own SOURCE parameters followed by the ones every SOURCE takes.
std::vector<ParamSpec> SourceParams(const Connector& connector);

// Checks `params` against `specs`: unknown keys (with the closest valid key), aliases mapped to
// their canonical names, required keys, types and choices. Returns the normalized object.
nlohmann::json NormalizeParams(const std::vector<ParamSpec>& specs, const nlohmann::json& params,
                               std::vector<ParamIssue>& issues);

}  // namespace sqlflow::connectors
