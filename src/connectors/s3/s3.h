#pragma once
// The S3 connector: objects matched by a key, a prefix or a glob are downloaded into a private
// spool folder and read by DuckDB's own CSV/Parquet/JSON readers; exports are written by DuckDB
// to a local file and uploaded (multipart in parallel parts, aborted on failure).

#include <condition_variable>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/registry.h"
#include "connectors/s3/client.h"

namespace sqlflow::connectors {

std::unique_ptr<Connector> MakeS3Connector();
// s3:// export destinations.
std::unique_ptr<FileDestination> MakeS3Destination();

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
// s3://bucket/key; throws a (permanent) ConnectorError naming what is wrong.
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

// The upload of one export: made before DuckDB starts writing `local`, finished after it is done.
// A single file goes up while it is being written: once it is larger than multipart_threshold, each
// complete part is sent as soon as DuckDB has written it, and Finish() sends the rest in parallel
// and completes the upload. A folder of partitions (partition_by) is uploaded by Finish(), one
// object per file under the URI's key; when one fails, the objects already made are deleted.
// Destroyed without Finish() (DuckDB failed), it stops and aborts: no object appears.
class ExportUpload {
 public:
  ExportUpload(std::filesystem::path local, const std::string& uri, const nlohmann::json& options,
               std::stop_token stop = {});
  ~ExportUpload();
  ExportUpload(const ExportUpload&) = delete;
  ExportUpload& operator=(const ExportUpload&) = delete;
  // Returns the bytes uploaded.
  uint64_t Finish();

 private:
  void Watch();  // the thread sending parts while the file grows
  void StopWatching();
  uint64_t FinishFolder();

  std::filesystem::path local_;
  Location location_;
  Client client_;
  uint64_t part_size_;
  uint64_t threshold_;
  bool partitioned_;
  std::unique_ptr<Client::Multipart> multipart_;
  uint64_t sent_ = 0;  // bytes sent as parts so far
  int next_part_ = 1;
  std::thread watcher_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::exception_ptr failure_;
};

}  // namespace s3
}  // namespace sqlflow::connectors
