#pragma once
// Exports to local files: what an export may replace, and the parts of writing one safely that are
// worth testing on their own (private temporary folders, fsync, the atomic swap).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "connectors/connector.h"
#include "state/store.h"

namespace sqlflow::connectors {

// Why an export of `pipeline` may not put its output at `path` (message and hint), or nullopt:
// nothing is there, or the export ledger (`earlier`, asked only when something is there) says this
// pipeline put the file or folder there, or it is a file and `overwrite` is set. A folder the
// pipeline did not write is never replaced.
std::optional<ParamIssue> RefuseReplace(const std::filesystem::path& path, const std::string& pipeline,
                                        bool overwrite,
                                        const std::function<std::optional<state::ExportOutput>()>& earlier);

// Whether an export's normalized OPTIONS say `"overwrite": true` (a wrong type is the planner's to
// report, not an exception here).
bool OverwriteRequested(const nlohmann::json& options);

// "file" or "folder": the kind the ledger records for an output at `path`.
std::string OutputKind(const std::filesystem::path& path);

// Removes the temporaries in `folder` that processes no longer running left (a killed export):
// entries named `.sqlflow-tmp-<pid>-<start time>` (a process's private folder, under target/tmp or
// beside a destination), and `.sqlflow-tmp-<pid>-…` / `.sqlflow-old-<pid>-…` of earlier versions,
// which carry only the pid. A live process's entries are left alone.
void RemoveStaleTemporaries(const std::filesystem::path& folder);

// fsyncs a file, or a folder's files and folders and then the folder itself.
void SyncTree(const std::filesystem::path& path);

// Puts `from` (a complete file or folder) at `to`: a plain rename when `to` does not exist or both
// are files; otherwise renameat2(RENAME_EXCHANGE) swaps them in one step and the old output ends
// up at `from`, for the caller to remove.
void MoveIntoPlace(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace sqlflow::connectors
