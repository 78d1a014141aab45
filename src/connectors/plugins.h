#pragma once
// Third-party connectors loaded from shared libraries through the C ABI of plugin_abi.h.

#include <filesystem>
#include <string>
#include <vector>

namespace sqlflow::connectors {

// The folders plugins are loaded from: every folder of SQLFLOW_PLUGIN_PATH, then the project's
// plugins/ folder.
std::vector<std::filesystem::path> PluginFolders(const std::filesystem::path& project_root);

// Loads every *.so in `folders` into the registry (once per file). A library that is not a
// plugin, or was built for another ABI version, is reported in the returned warnings and skipped.
std::vector<std::string> LoadPlugins(const std::vector<std::filesystem::path>& folders);

}  // namespace sqlflow::connectors
