// The embedded CPython runtime behind udf::PythonRuntime, built as libsqlflow_python.so.
//
// The interpreter starts once, imports numpy and pandas, and then releases the GIL: DuckDB calls
// scalar UDFs from its own worker threads, and each call takes the GIL for itself.

#include <Python.h>

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <pybind11/embed.h>
#include <nlohmann/json.hpp>

#include "engine/duckdb.h"
#include "engine/sql.h"
#include "udf/python/convert.h"
#include "udf/python/sources.h"
#include "udf/runtime.h"

namespace sqlflow::udf::python {

namespace {

// Python's exception with its traceback, as text.
std::string DescribePythonError(py::error_already_set& error) {
  std::string text;
  try {
    py::module_ traceback = py::module_::import("traceback");
    py::list lines = traceback.attr("format_exception")(error.type(), error.value(), error.trace());
    for (const auto& line : lines) text += line.cast<std::string>();
  } catch (...) {
    text = error.what();
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void ExecModule(const char* name, const char* source, const char* file) {
  py::module_ sys = py::module_::import("sys");
  py::module_ types = py::module_::import("types");
  py::object module = types.attr("ModuleType")(name);
  module.attr("__file__") = file;
  sys.attr("modules")[name] = module;
  py::exec(py::str(source), module.attr("__dict__"));
}

struct UdfRecord {
  nlohmann::json info;
  py::object function;
};

class ScalarUdf {
 public:
  ScalarUdf(const UdfRecord& record, ColumnType return_type)
      : info_(record.info),
        function_(record.function),
        return_type_(std::move(return_type)),
        vectorized_(record.info.value("vectorized", false)) {}

  void Execute(duckdb_data_chunk input, duckdb_vector output) {
    idx_t rows = duckdb_data_chunk_get_size(input);
    idx_t columns = duckdb_data_chunk_get_column_count(input);
    std::vector<duckdb_vector> vectors;
    std::vector<ColumnType> types;
    for (idx_t c = 0; c < columns; ++c) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(input, c);
      duckdb_logical_type type = duckdb_vector_get_column_type(vector);
      try {
        types.push_back(DescribeType(type));
      } catch (...) {
        duckdb_destroy_logical_type(&type);
        throw;
      }
      duckdb_destroy_logical_type(&type);
      vectors.push_back(vector);
    }
    // A row with a NULL argument gives NULL without a call, as DuckDB's own functions do.
    std::vector<bool> null_row(rows, false);
    for (idx_t c = 0; c < columns; ++c) {
      uint64_t* validity = duckdb_vector_get_validity(vectors[c]);
      if (!validity) continue;
      for (idx_t r = 0; r < rows; ++r)
        null_row[r] = null_row[r] || !duckdb_validity_row_is_valid(validity, r);
    }
    if (vectorized_) {
      py::tuple arguments(columns);
      for (idx_t c = 0; c < columns; ++c) arguments[c] = ReadArray(vectors[c], types[c], rows);
      py::object result = function_(*arguments);
      size_t length = SequenceLength(result);
      if (length != rows) {
        throw std::runtime_error(fmt::format("returned {} values for a batch of {} rows", length, rows));
      }
      WriteValues(result, output, return_type_, 0, rows);
      for (idx_t r = 0; r < rows; ++r) {
        if (null_row[r]) {
          duckdb_vector_ensure_validity_writable(output);
          duckdb_validity_set_row_invalid(duckdb_vector_get_validity(output), r);
        }
      }
      return;
    }
    for (idx_t r = 0; r < rows; ++r) {
      if (null_row[r]) {
        duckdb_vector_ensure_validity_writable(output);
        duckdb_validity_set_row_invalid(duckdb_vector_get_validity(output), r);
        continue;
      }
      py::tuple arguments(columns);
      for (idx_t c = 0; c < columns; ++c) arguments[c] = ReadValue(vectors[c], types[c], r);
      WriteValue(function_(*arguments), output, return_type_, r);
    }
  }

  std::string Where() const {
    return fmt::format("Python UDF {} ({}:{})", info_["name"].get<std::string>(),
                       info_["file"].get<std::string>(), info_["line"].get<int>());
  }

 private:
  nlohmann::json info_;
  py::object function_;
  ColumnType return_type_;
  bool vectorized_;
};

void ScalarCallback(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  auto* udf = static_cast<ScalarUdf*>(duckdb_scalar_function_get_extra_info(info));
  py::gil_scoped_acquire gil;
  try {
    udf->Execute(input, output);
  } catch (py::error_already_set& error) {
    std::string message = fmt::format("{} raised:\n{}", udf->Where(), DescribePythonError(error));
    duckdb_scalar_function_set_error(info, message.c_str());
  } catch (const std::exception& error) {
    std::string message = fmt::format("{}: {}", udf->Where(), error.what());
    duckdb_scalar_function_set_error(info, message.c_str());
  }
}

void DestroyScalarUdf(void* data) {
  py::gil_scoped_acquire gil;  // it holds Python objects
  delete static_cast<ScalarUdf*>(data);
}

// DuckDB parses its own type names: the type of `NULL::<name>`.
duckdb_logical_type ParseType(duckdb_connection connection, const std::string& name) {
  duckdb_result result{};
  std::string sql = "SELECT NULL::" + name;
  if (duckdb_query(connection, sql.c_str(), &result) == DuckDBError) {
    std::string error = engine::ErrorText(duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    throw std::runtime_error(fmt::format("'{}' is not a SQL type DuckDB knows: {}", name, error));
  }
  duckdb_logical_type type = duckdb_column_logical_type(&result, 0);
  duckdb_destroy_result(&result);
  return type;
}

class Runtime : public PythonRuntime {
 public:
  std::string Discover(const std::string& udf_dir) override {
    py::gil_scoped_acquire gil;
    try {
      py::module_ runtime = py::module_::import("_sqlflow_runtime");
      std::string text = runtime.attr("discover")(udf_dir).cast<std::string>();
      py::dict functions = runtime.attr("FUNCTIONS");
      nlohmann::json parsed = nlohmann::json::parse(text);
      for (const auto& info : parsed["udfs"]) {
        std::string name = info["name"];
        records_[name] = UdfRecord{info, functions[py::str(name)]};
      }
      return text;
    } catch (py::error_already_set& error) {
      throw std::runtime_error("Python UDF discovery failed:\n" + DescribePythonError(error));
    }
  }

  void RegisterScalar(duckdb_connection connection, const std::string& name,
                      const std::string& sql_name) override {
    const UdfRecord& record = Find(name);
    std::string where = fmt::format("Python UDF {} ({}:{})", name, record.info["file"].get<std::string>(),
                                    record.info["line"].get<int>());
    try {
      Register(connection, record, sql_name);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(fmt::format("{}: {}", where, error.what()));
    }
  }

  uint64_t RunTable(duckdb_connection connection, const std::string& name, const std::string& input_sql,
                    const std::string& kwargs_json, const std::string& output_table) override;

 private:
  // One DuckDB function per arity: parameters with Python defaults may be left out in SQL.
  void Register(duckdb_connection connection, const UdfRecord& record, const std::string& sql_name) {
    const auto& return_json = record.info.value("return_type", nlohmann::json());
    if (!return_json.is_string()) {
      throw std::runtime_error(
          "it has no return type: annotate it (-> float) or pass return_type=\"DOUBLE\"");
    }
    std::vector<std::string> types;  // "" = any type
    size_t required = 0;
    bool varargs = false;
    for (const auto& param : record.info["params"]) {
      std::string kind = param.value("kind", "");
      if (kind == "VAR_POSITIONAL") varargs = true;
      if (kind != "POSITIONAL_ONLY" && kind != "POSITIONAL_OR_KEYWORD") continue;
      types.push_back(param["type"].is_string() ? param["type"].get<std::string>() : "");
      if (!param["default"].is_string()) required = types.size();
    }
    std::vector<duckdb_logical_type> owned;
    struct Cleanup {
      std::vector<duckdb_logical_type>& types;
      duckdb_scalar_function_set set = nullptr;
      ~Cleanup() {
        for (auto& type : types) duckdb_destroy_logical_type(&type);
        if (set) duckdb_destroy_scalar_function_set(&set);
      }
    } cleanup{owned};
    owned.push_back(ParseType(connection, return_json.get<std::string>()));
    duckdb_logical_type return_type = owned.front();
    std::vector<duckdb_logical_type> parameter_types;
    for (const auto& type : types) {
      owned.push_back(type.empty() ? duckdb_create_logical_type(DUCKDB_TYPE_ANY)
                                   : ParseType(connection, type));
      parameter_types.push_back(owned.back());
    }
    ColumnType described;
    {
      py::gil_scoped_acquire gil;
      described = DescribeType(return_type);
    }
    cleanup.set = duckdb_create_scalar_function_set(sql_name.c_str());
    for (size_t arity = required; arity <= types.size(); ++arity) {
      duckdb_scalar_function function = duckdb_create_scalar_function();
      duckdb_scalar_function_set_name(function, sql_name.c_str());
      for (size_t p = 0; p < arity; ++p) duckdb_scalar_function_add_parameter(function, parameter_types[p]);
      if (varargs && arity == types.size()) {
        owned.push_back(duckdb_create_logical_type(DUCKDB_TYPE_ANY));
        duckdb_scalar_function_set_varargs(function, owned.back());
      }
      duckdb_scalar_function_set_return_type(function, return_type);
      duckdb_scalar_function_set_function(function, ScalarCallback);
      std::unique_ptr<ScalarUdf> udf;
      {
        py::gil_scoped_acquire gil;
        udf = std::make_unique<ScalarUdf>(record, described);
      }
      // DuckDB owns the UDF object from here and deletes it when the database closes.
      duckdb_scalar_function_set_extra_info(function, udf.release(), DestroyScalarUdf);
      duckdb_state added = duckdb_add_scalar_function_to_set(cleanup.set, function);
      duckdb_destroy_scalar_function(&function);
      if (added == DuckDBError) throw std::runtime_error("cannot add an overload for " + sql_name);
    }
    if (duckdb_register_scalar_function_set(connection, cleanup.set) == DuckDBError) {
      throw std::runtime_error("cannot register it as " + sql_name);
    }
  }

  const UdfRecord& Find(const std::string& name) const {
    auto it = records_.find(name);
    if (it == records_.end()) throw std::runtime_error("unknown Python UDF " + name);
    return it->second;
  }

  std::map<std::string, UdfRecord> records_;
};

}  // namespace

}  // namespace sqlflow::udf::python

namespace sqlflow::udf::python {

namespace {

// Owns a duckdb_result.
struct ResultGuard {
  duckdb_result result{};
  ~ResultGuard() { duckdb_destroy_result(&result); }
};

void Query(duckdb_connection connection, const std::string& sql) {
  ResultGuard guard;
  if (duckdb_query(connection, sql.c_str(), &guard.result) == DuckDBError) {
    throw std::runtime_error(engine::ErrorText(duckdb_result_error(&guard.result)));
  }
}

}  // namespace

uint64_t Runtime::RunTable(duckdb_connection connection, const std::string& name,
                           const std::string& input_sql, const std::string& kwargs_json,
                           const std::string& output_table) {
  const UdfRecord& record = Find(name);
  std::string where = fmt::format("Python table UDF {} ({}:{})", name, record.info["file"].get<std::string>(),
                                  record.info["line"].get<int>());
  ResultGuard input;
  if (duckdb_query(connection, input_sql.c_str(), &input.result) == DuckDBError) {
    throw std::runtime_error(fmt::format("{}: its input query failed: {}", where,
                                         engine::ErrorText(duckdb_result_error(&input.result))));
  }
  idx_t column_count = duckdb_column_count(&input.result);
  std::vector<ColumnType> input_types;
  py::gil_scoped_acquire gil;
  try {
    py::list names;
    py::list zoned;
    for (idx_t c = 0; c < column_count; ++c) {
      duckdb_logical_type type = duckdb_column_logical_type(&input.result, c);
      std::string column = duckdb_column_name(&input.result, c);
      try {
        input_types.push_back(DescribeType(type));
      } catch (const std::exception& error) {
        duckdb_destroy_logical_type(&type);
        throw std::runtime_error(fmt::format("{}: input column \"{}\": {}", where, column, error.what()));
      }
      duckdb_destroy_logical_type(&type);
      names.append(column);
      if (input_types.back().id == DUCKDB_TYPE_TIMESTAMP_TZ) zoned.append(column);
    }
    std::vector<py::list> parts(column_count);
    while (duckdb_data_chunk chunk = duckdb_fetch_chunk(input.result)) {
      idx_t size = duckdb_data_chunk_get_size(chunk);
      for (idx_t c = 0; c < column_count; ++c) {
        parts[c].append(ReadArray(duckdb_data_chunk_get_vector(chunk, c), input_types[c], size));
      }
      duckdb_destroy_data_chunk(&chunk);
    }
    py::list all_parts;
    for (auto& part : parts) all_parts.append(part);
    py::module_ runtime = py::module_::import("_sqlflow_runtime");
    py::object frame = runtime.attr("build_frame")(names, all_parts, zoned);
    py::tuple returned = runtime.attr("run_table")(name, frame, kwargs_json);
    py::list columns = returned[0];
    py::list schema = returned[1];

    std::vector<std::string> definitions;
    for (const auto& entry : schema) {
      py::tuple pair = entry.cast<py::tuple>();
      definitions.push_back(engine::QuoteIdentifier(pair[0].cast<std::string>()) + " " +
                            pair[1].cast<std::string>());
    }
    std::string joined;
    for (const auto& definition : definitions) joined += (joined.empty() ? "" : ", ") + definition;
    {
      py::gil_scoped_release release;
      Query(connection,
            fmt::format("CREATE TEMP TABLE {} ({})", engine::QuoteIdentifier(output_table), joined));
    }
    std::vector<duckdb_logical_type> types;
    std::vector<ColumnType> output_types;
    for (const auto& entry : schema) {
      duckdb_logical_type type = ParseType(connection, entry.cast<py::tuple>()[1].cast<std::string>());
      types.push_back(type);
      output_types.push_back(DescribeType(type));
    }
    struct Cleanup {
      std::vector<duckdb_logical_type>& types;
      duckdb_appender appender = nullptr;
      ~Cleanup() {
        for (auto& type : types) duckdb_destroy_logical_type(&type);
        if (appender) duckdb_appender_destroy(&appender);
      }
    } cleanup{types};
    if (duckdb_appender_create_ext(connection, "temp", "main", output_table.c_str(), &cleanup.appender) ==
        DuckDBError) {
      throw std::runtime_error(fmt::format("cannot append to {}", output_table));
    }
    size_t rows = columns.empty() ? 0 : SequenceLength(columns[0]);
    idx_t batch = duckdb_vector_size();
    for (size_t offset = 0; offset < rows; offset += batch) {
      idx_t count = std::min<idx_t>(batch, rows - offset);
      duckdb_data_chunk chunk = duckdb_create_data_chunk(types.data(), types.size());
      try {
        for (idx_t c = 0; c < types.size(); ++c) {
          try {
            WriteValues(columns[c], duckdb_data_chunk_get_vector(chunk, c), output_types[c], offset, count);
          } catch (const std::runtime_error& error) {
            throw std::runtime_error(fmt::format("output column \"{}\": {}",
                                                 schema[c].cast<py::tuple>()[0].cast<std::string>(),
                                                 error.what()));
          }
        }
        duckdb_data_chunk_set_size(chunk, count);
        if (duckdb_append_data_chunk(cleanup.appender, chunk) == DuckDBError) {
          throw std::runtime_error(engine::ErrorText(duckdb_appender_error(cleanup.appender)));
        }
      } catch (...) {
        duckdb_destroy_data_chunk(&chunk);
        throw;
      }
      duckdb_destroy_data_chunk(&chunk);
    }
    if (duckdb_appender_close(cleanup.appender) == DuckDBError) {
      throw std::runtime_error(engine::ErrorText(duckdb_appender_error(cleanup.appender)));
    }
    return rows;
  } catch (py::error_already_set& error) {
    throw std::runtime_error(fmt::format("{} raised:\n{}", where, DescribePythonError(error)));
  } catch (const std::runtime_error& error) {
    std::string message = error.what();
    if (message.rfind("Python table UDF", 0) == 0) throw;
    throw std::runtime_error(fmt::format("{}: {}", where, message));
  }
}

}  // namespace sqlflow::udf::python

namespace {

// Starts the interpreter once per process. Debian's python3.11 is the one embedded (its numpy and
// pandas live in its dist-packages); the environment's PYTHONHOME and PYTHONPATH are ignored.
sqlflow::udf::PythonRuntime* CreateRuntime(std::string* error) {
  namespace py = pybind11;
  static sqlflow::udf::python::Runtime* runtime = nullptr;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    PyStatus status = PyConfig_SetString(&config, &config.program_name, L"/usr/bin/python3.11");
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
      failure = std::string("cannot start Python: ") + (status.err_msg ? status.err_msg : "unknown error");
      return;
    }
    try {
      // UDF files are imported from the project; no __pycache__ folders appear in it.
      py::module_::import("sys").attr("dont_write_bytecode") = true;
      sqlflow::udf::python::ExecModule("sqlflow", "", "<sqlflow>");
      py::module_::import("sys").attr("modules")["sqlflow"].attr("__path__") = py::list();
      sqlflow::udf::python::ExecModule("sqlflow.udfs", sqlflow::udf::python::kUdfsModuleSource,
                                       "<sqlflow.udfs>");
      py::module_::import("sqlflow").attr("udfs") =
          py::module_::import("sys").attr("modules")["sqlflow.udfs"];
      sqlflow::udf::python::ExecModule("_sqlflow_runtime", sqlflow::udf::python::kRuntimeModuleSource,
                                       "<_sqlflow_runtime>");
      sqlflow::udf::python::LoadConverterModules();
      runtime = new sqlflow::udf::python::Runtime();
    } catch (py::error_already_set& e) {
      failure =
          "Python UDFs need numpy and pandas for /usr/bin/python3.11 (apt-get install python3-numpy "
          "python3-pandas):\n" +
          sqlflow::udf::python::DescribePythonError(e);
    }
    // DuckDB's threads call into Python from now on; each takes the GIL when it needs it.
    PyEval_SaveThread();
  });
  if (!runtime && error) *error = failure;
  return runtime;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) sqlflow::udf::PythonRuntime* sqlflow_create_python_runtime(
    std::string* error) {
  return CreateRuntime(error);
}
