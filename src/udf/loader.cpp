#include "udf/loader.h"

#include <dlfcn.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

#include <fmt/format.h>

#include "common/diagnostic.h"
#include "util/strings.h"

namespace sqlflow::udf {

namespace fs = std::filesystem;

namespace {

constexpr const char* kInstallHint =
    "install Python 3.11 with numpy and pandas: apt-get install libpython3.11 python3-numpy python3-pandas";

// SQLFLOW_PYTHON_PLUGIN, or libsqlflow_python.so beside the running binary.
fs::path PluginPath() {
  if (const char* path = std::getenv("SQLFLOW_PYTHON_PLUGIN")) return path;
  std::error_code error;
  fs::path executable = fs::read_symlink("/proc/self/exe", error);
  return executable.parent_path() / "libsqlflow_python.so";
}

}  // namespace

PythonRuntime& LoadPythonRuntime() {
  static PythonRuntime* runtime = nullptr;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    fs::path plugin = PluginPath();
    // RTLD_GLOBAL: numpy's extension modules find libpython's symbols in the global scope.
    void* handle = dlopen(plugin.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      failure = fmt::format("cannot load the Python UDF runtime {}: {}", plugin.string(), dlerror());
      return;
    }
    using Factory = PythonRuntime* (*)(std::string*);
    auto factory = reinterpret_cast<Factory>(dlsym(handle, "sqlflow_create_python_runtime"));
    if (!factory) {
      failure = fmt::format("{} is not a SQLFlow Python plugin", plugin.string());
      return;
    }
    runtime = factory(&failure);
  });
  if (!runtime) throw common::UsageError("SF-UDF-001", failure, kInstallHint);
  return *runtime;
}

bool HasPythonUdfs(const fs::path& project_root) {
  std::error_code error;
  fs::path folder = project_root / "python_udfs";
  if (!fs::is_directory(folder, error)) return false;
  for (auto it = fs::recursive_directory_iterator(folder, error); it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (error) return false;
    std::error_code unreadable;  // a broken link or a link loop is no UDF file
    if (it->is_regular_file(unreadable) && it->path().extension() == ".py" &&
        it->path().filename() != "__init__.py") {
      return true;
    }
  }
  return false;
}

std::set<std::string> ScanUdfNames(const fs::path& project_root) {
  std::set<std::string> names;
  std::error_code error;
  fs::path folder = project_root / "python_udfs";
  if (!fs::is_directory(folder, error)) return names;
  auto identifier_at = [](const std::string& text, size_t pos) {
    size_t end = pos;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
      ++end;
    return util::ToLower(text.substr(pos, end - pos));
  };
  for (auto it = fs::recursive_directory_iterator(folder, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code unreadable;
    if (!it->is_regular_file(unreadable) || it->path().extension() != ".py") continue;
    std::ifstream in(it->path());
    std::string line;
    while (std::getline(in, line)) {
      std::string_view trimmed = util::Trim(line);
      if (util::StartsWith(trimmed, "def ")) names.insert(identifier_at(std::string(trimmed), 4));
      for (const char* quote : {"name=\"", "name='", "name = \"", "name = '"}) {
        size_t pos = line.find(quote);
        if (pos != std::string::npos) names.insert(identifier_at(line, pos + std::strlen(quote)));
      }
    }
  }
  names.erase("");
  return names;
}

}  // namespace sqlflow::udf
