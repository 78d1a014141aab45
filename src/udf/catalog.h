#pragma once
// What discovery found in python_udfs/: the UDFs, and the files that failed to import.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sqlflow::udf {

struct UdfDefinition {
  std::string name;        // module.function (sub.module.function in subfolders)
  std::string short_name;  // the function's SQL name (decorator `name`, or the function's)
  std::string kind;        // "scalar" or "table"
  std::string file;
  int line = 0;
  nlohmann::json info;  // everything discovery reported: signature, params, types, doc, ...

  bool is_table() const { return kind == "table"; }
  // The name it is registered under in DuckDB; unique even when short names collide.
  std::string sql_name() const;
};

struct ImportFailure {
  std::string file;
  std::string error;  // Python's traceback
};

// Why Python UDFs cannot take or return `sql_type` ("" when they can): the types convert.cpp
// moves between DuckDB and Python, checked before a run so it fails early.
std::string UnsupportedTypeReason(const std::string& sql_type);

// What stops a scalar UDF from being registered ("" when nothing does): no return type, or one
// Python UDFs do not support.
std::string ScalarRegistrationProblem(const UdfDefinition& udf);

class UdfCatalog {
 public:
  UdfCatalog() = default;
  // From the JSON PythonRuntime::Discover returns.
  static UdfCatalog FromDiscovery(const std::string& json);

  const std::vector<UdfDefinition>& udfs() const { return udfs_; }
  const std::vector<ImportFailure>& failures() const { return failures_; }

  // Finds a UDF by full name (a leading "python_udfs." is accepted) or by an unambiguous short
  // name. On failure returns nullptr and sets `error` and `hint` (candidates, suggestions, or the
  // import failure of the file it would come from).
  const UdfDefinition* Resolve(const std::string& name, std::string& error, std::string& hint) const;
  // The import failure of a file that defines a function `name` (found in its text), if any.
  const ImportFailure* FailureDeclaring(const std::string& name) const;
  // Whether `short_name` names exactly one UDF (so it can be registered under it).
  bool IsUnambiguous(const std::string& short_name) const;

 private:
  std::vector<UdfDefinition> udfs_;
  std::vector<ImportFailure> failures_;
};

}  // namespace sqlflow::udf
