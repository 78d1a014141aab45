#pragma once
// The S3 connector: objects matched by a key, a prefix or a glob are downloaded into a private
// spool folder and read by DuckDB's own CSV/Parquet/JSON readers; exports are written by DuckDB
// to a local file and uploaded (multipart in parallel parts, aborted on failure).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/registry.h"
#include "connectors/s3/client.h"

namespace sqlflow::connectors {

std::unique_ptr<Connector> MakeS3Connector();

namespace s3 {

// The keys that reach a bucket (region, endpoint_url, credentials), for SOURCE and EXPORT.
const std::vector<ParamSpec>& ConnectionParams();

// What an export may tune: part_size and multipart_threshold (bytes).
const std::vector<ParamSpec>& UploadParams();
// Checks the values of UploadParams in normalized export `options`.
std::vector<ParamIssue> ValidateUpload(const nlohmann::json& options);

bool IsS3Uri(std::string_view text);

struct Location {
  std::string bucket;
  std::string key;  // the whole key, or the pattern when it has glob characters
};
// s3://bucket/key; throws std::invalid_argument naming what is wrong.
Location ParseUri(const std::string& uri);

// `*` and `?` stay within one path segment, `**` crosses segments (`**/` also matches none),
// `[abc]` and `[!abc]` are character classes.
bool GlobMatch(std::string_view pattern, std::string_view key);

// csv, parquet, json or ndjson from a key's extension (after a .gz/.zst suffix); "" if unknown.
std::string FormatOfKey(std::string_view key);

// The objects a SOURCE's normalized params select, sorted by key. Throws when none match or a
// max_files / max_bytes limit is exceeded.
std::vector<Object> MatchingObjects(Client& client, const nlohmann::json& params, std::string& bucket,
                                    std::string& described);

// Uploads `local` (a file, or a folder of partitions) to `uri`; a folder's files go under the
// URI's key as a prefix. When one upload fails, the objects this call already made are deleted.
// Returns the bytes sent.
uint64_t UploadExport(const std::filesystem::path& local, const std::string& uri,
                      const nlohmann::json& options);

}  // namespace s3
}  // namespace sqlflow::connectors
