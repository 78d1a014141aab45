#pragma once
// The boundary between the core and the Python plugin (libsqlflow_python.so). The core never
// links libpython: it loads the plugin with dlopen only when a project has Python UDFs, and talks
// to it through this interface. Data crosses as DuckDB handles and JSON text.

#include <cstdint>
#include <string>

#include "engine/duckdb.h"

namespace sqlflow::udf {

class PythonRuntime {
 public:
  virtual ~PythonRuntime() = default;

  // Imports every python_udfs/**/*.py under `udf_dir` and describes the UDFs found:
  // {"udfs": [{"name", "short_name", "module", "kind", "file", "line", "signature", "doc",
  //            "summary", "params": [{"name", "type", "default"}], "return_type", "vectorized",
  //            "output_schema", "infer", "required_columns"}],
  //  "errors": [{"file", "error"}]}
  virtual std::string Discover(const std::string& udf_dir) = 0;

  // Registers scalar UDF `name` (a full name from Discover) on `connection` as SQL function
  // `sql_name`. Throws std::runtime_error.
  virtual void RegisterScalar(duckdb_connection connection, const std::string& name,
                              const std::string& sql_name) = 0;

  // Runs table UDF `name`: reads `input_sql` on `connection` into a DataFrame, calls the function
  // with the keyword arguments (a JSON object), checks the returned DataFrame against the UDF's
  // schema, and writes it into the new temporary table `output_table`. Returns its row count.
  // Throws std::runtime_error with the Python traceback.
  virtual uint64_t RunTable(duckdb_connection connection, const std::string& name,
                            const std::string& input_sql, const std::string& kwargs_json,
                            const std::string& output_table) = 0;
};

}  // namespace sqlflow::udf

// The plugin's one exported symbol. Returns nullptr and sets `error` when Python cannot start.
extern "C" sqlflow::udf::PythonRuntime* sqlflow_create_python_runtime(std::string* error);
