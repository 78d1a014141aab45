#pragma once
// The connector registry: TYPE names mapped to their parameter schemas and implementations.
// Parameters are checked against the schema before anything runs.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sqlflow::connectors {

enum class ParamType { kString, kBool, kInteger, kStringOrList, kStringList, kObject, kAny };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  bool required = false;
  std::vector<std::string> aliases;  // older spellings users may write
  std::vector<std::string> choices;  // allowed string values, case-insensitive; empty: any
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
};

const Connector* FindConnector(std::string_view type);
std::vector<std::string> ConnectorTypes();

// Checks `params` against `specs`: unknown keys (with the closest valid key), aliases mapped to
// their canonical names, required keys, types and choices. Returns the normalized object.
nlohmann::json NormalizeParams(const std::vector<ParamSpec>& specs, const nlohmann::json& params,
                               std::vector<ParamIssue>& issues);

}  // namespace sqlflow::connectors
