#pragma once
// Loads the Python plugin (libsqlflow_python.so) on first use. The core binary never links
// libpython, so it starts and runs pipelines without UDFs on a machine without Python.

#include <filesystem>
#include <set>
#include <string>

#include "udf/runtime.h"

namespace sqlflow::udf {

// The process's Python runtime, started on the first call. Throws common::UsageError (SF-UDF-001)
// saying what to install when the plugin or Python cannot be loaded.
PythonRuntime& LoadPythonRuntime();

// Whether a project has UDF files: any python_udfs/**/*.py.
bool HasPythonUdfs(const std::filesystem::path& project_root);

// Names a UDF may be called by, found without Python: every `def name` and `name="..."` in the
// UDF files, lower-cased. A pipeline that calls none of them never starts Python.
std::set<std::string> ScanUdfNames(const std::filesystem::path& project_root);

}  // namespace sqlflow::udf
