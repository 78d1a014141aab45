#include "connectors/plugins.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "connectors/plugin_abi.h"
#include "connectors/registry.h"
#include "util/strings.h"

namespace sqlflow::connectors {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> NullTerminated(const char* const* list) {
  std::vector<std::string> items;
  for (; list && *list; ++list) items.emplace_back(*list);
  return items;
}

// A SOURCE connector implemented by a plugin: rows go straight into DuckDB through its C API.
class PluginConnector : public Connector, public IngestSource {
 public:
  const IngestSource* ingest_source() const override { return this; }
  // The ABI names a table without catalog or schema: plugins fill a temporary table.
  bool stages_anywhere() const override { return false; }

  PluginConnector(const sqlflow_connector_v1* plugin, std::string file)
      : plugin_(plugin), file_(std::move(file)) {
    std::vector<std::string> required = NullTerminated(plugin->required_params);
    for (const auto& name : NullTerminated(plugin->params)) {
      bool is_required = std::find(required.begin(), required.end(), name) != required.end();
      specs_.push_back({name, ParamType::kAny, is_required, {}, {}});
    }
  }

  std::string type() const override { return util::ToUpper(plugin_->type); }
  const std::vector<ParamSpec>& source_params() const override { return specs_; }

  uint64_t ReadInto(engine::Connection& connection, const nlohmann::json& params, const IngestTarget& target,
                    std::stop_token) const override {
    char error[1024] = {0};
    uint64_t rows = 0;
    std::string json = params.dump();
    if (plugin_->read(connection.handle(), json.c_str(), target.name.c_str(), 1, &rows, error,
                      sizeof(error)) != 0) {
      throw ConnectorError(fmt::format("{} plugin ({}): {}", type(), file_, error), false);
    }
    return rows;
  }

  std::string Test(const nlohmann::json& params, const std::string&) const override {
    if (!plugin_->test) return fmt::format("plugin {} loaded from {}", type(), file_);
    char message[1024] = {0};
    std::string json = params.dump();
    if (plugin_->test(json.c_str(), message, sizeof(message)) != 0) throw ConnectorError(message, false);
    return message;
  }

 private:
  const sqlflow_connector_v1* plugin_;
  std::string file_;
  std::vector<ParamSpec> specs_;
};

}  // namespace

std::vector<fs::path> PluginFolders(const fs::path& project_root) {
  std::vector<fs::path> folders;
  if (const char* path = std::getenv("SQLFLOW_PLUGIN_PATH")) {
    for (const auto& folder : util::Split(path, ':')) {
      if (!folder.empty()) folders.emplace_back(folder);
    }
  }
  folders.push_back(project_root / "plugins");
  return folders;
}

std::vector<std::string> LoadPlugins(const std::vector<fs::path>& folders) {
  static std::mutex mutex;
  static std::set<std::string> loaded;
  std::lock_guard lock(mutex);
  std::vector<std::string> warnings;
  for (const auto& folder : folders) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::string canonical = fs::weakly_canonical(file, error).string();
      if (!loaded.insert(canonical).second) continue;
      void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        warnings.push_back(fmt::format("cannot load plugin {}: {}", canonical, dlerror()));
        continue;
      }
      auto entry = reinterpret_cast<sqlflow_connector_entry_v1>(dlsym(handle, SQLFLOW_CONNECTOR_ENTRY));
      const sqlflow_connector_v1* plugin = entry ? entry() : nullptr;
      if (!plugin || !plugin->type || !plugin->read) {
        warnings.push_back(
            fmt::format("{} is not a SQLFlow connector plugin (no {})", canonical, SQLFLOW_CONNECTOR_ENTRY));
        continue;
      }
      if (plugin->abi_version != SQLFLOW_PLUGIN_ABI_VERSION) {
        warnings.push_back(fmt::format("plugin {} was built for ABI version {}, this sqlflow speaks {}",
                                       canonical, plugin->abi_version, SQLFLOW_PLUGIN_ABI_VERSION));
        continue;
      }
      if (FindConnector(plugin->type)) {
        warnings.push_back(
            fmt::format("plugin {} defines TYPE {}, which already exists", canonical, plugin->type));
        continue;
      }
      RegisterConnector(std::make_unique<PluginConnector>(plugin, canonical));
    }
  }
  return warnings;
}

}  // namespace sqlflow::connectors
