#pragma once
// A small S3 client on libcurl (its built-in AWS SigV4 signing): list with pagination, download
// to a file, upload from a file (multipart above a threshold, aborted on failure so no partial
// object is ever visible). Transient failures (5xx, 429/SlowDown, timeouts, resets) are retried
// with backoff and jitter; 403 and 404 fail at once with a hint.
// Tested against the real S3-compatible server of tests/fixtures/s3.sh.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/registry.h"

namespace sqlflow::connectors::s3 {

class S3Error : public ConnectorError {
 public:
  S3Error(const std::string& message, bool transient, long status)
      : ConnectorError(message, transient), status_(status) {}
  long status() const { return status_; }

 private:
  long status_;
};

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;
  std::string region = "us-east-1";
  std::string endpoint;       // scheme://host[:port]; empty: https://s3.<region>.amazonaws.com
  long timeout_seconds = 30;  // a request that moves no byte this long fails (and is retried)
};

// From params (access_key_id, secret_access_key, session_token, region, endpoint_url, timeout), then the
// AWS_* variables (AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL), then ~/.aws/credentials.
Credentials ResolveCredentials(const nlohmann::json& params);

struct Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // from the listing, without quotes; "" when unknown
};

// One page of a ListObjectsV2 response.
struct ListPage {
  std::vector<Object> objects;
  std::string next_token;  // the continuation token when the listing is truncated, else ""
};
// Parses a ListObjectsV2 response body (XML). Throws S3Error when it is malformed.
ListPage ParseListPage(const std::string& body);

// What a request sends and where its body goes; all optional.
struct Transfer {
  const std::filesystem::path* upload = nullptr;    // sent from [offset, offset + length)
  const std::filesystem::path* download = nullptr;  // received at [offset, ...) of this file
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string range;     // "first-last" bytes for a ranged GET
  std::string if_match;  // an ETag the object must still have (sent as If-Match)
  std::string body;      // sent when there is no upload file

  static Transfer Into(const std::filesystem::path& file, uint64_t offset = 0, std::string range = "",
                       std::string if_match = "") {
    Transfer transfer;
    transfer.download = &file;
    transfer.offset = offset;
    transfer.range = std::move(range);
    transfer.if_match = std::move(if_match);
    return transfer;
  }
  static Transfer From(const std::filesystem::path& file, uint64_t offset, uint64_t length) {
    Transfer transfer;
    transfer.upload = &file;
    transfer.offset = offset;
    transfer.length = length;
    return transfer;
  }
  static Transfer Body(std::string body) {
    Transfer transfer;
    transfer.body = std::move(body);
    return transfer;
  }
};

class Client {
 public:
  // `threads`: concurrent requests for the parts of one large transfer.
  // Once `stop` is requested, transfers stop (and are not retried).
  explicit Client(Credentials credentials, std::stop_token stop = {}, int attempts = 4, int threads = 4);

  // Every object under `prefix`, following ListObjectsV2 continuation tokens.
  std::vector<Object> List(const std::string& bucket, const std::string& prefix);
  // Objects above `part_size` bytes come down as parallel ranged GETs into one file. When the
  // listing gave an ETag, an object that changed since (another ETag in a response) is an error,
  // never a file mixing two versions.
  void Download(const Object& object, const std::string& bucket, const std::filesystem::path& file,
                uint64_t part_size = kPartSize);
  // One PUT up to `threshold` bytes; above it a multipart upload whose parts (of at least
  // `part_size` bytes, larger when 10,000 parts would not hold the file) go up in parallel,
  // aborted on failure.
  void Upload(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
              uint64_t part_size = kPartSize, uint64_t threshold = kPartSize);
  void Delete(const std::string& bucket, const std::string& key);

  // A multipart upload in steps, for a caller that sends parts while the file still grows.
  // Destroyed before Complete(), it aborts: no partial object ever becomes visible.
  class Multipart {
   public:
    Multipart(Client& client, std::string bucket, std::string key);  // starts the upload
    ~Multipart();
    Multipart(const Multipart&) = delete;
    Multipart& operator=(const Multipart&) = delete;
    // Part `number` (from 1) is bytes [offset, offset + length) of `file`; thread-safe.
    void SendPart(int number, const std::filesystem::path& file, uint64_t offset, uint64_t length);
    void Complete();  // the parts sent, in number order, become the object

   private:
    Client& client_;
    std::string bucket_, key_, upload_id_;
    std::mutex mutex_;
    std::map<int, std::string> etags_;
    bool completed_ = false;
  };
  // Sends the bytes of `file` from `from` to its end as parts numbered from `first_number`, in
  // parallel: `part_size` each (more when 10,000 parts would not hold them), the last one shorter.
  void SendParts(Multipart& upload, const std::filesystem::path& file, uint64_t from, int first_number,
                 uint64_t part_size);
  // A one-key listing of the bucket: throws with the cause when it cannot be reached.
  void CheckBucket(const std::string& bucket);

  static constexpr uint64_t kPartSize = 16ull << 20;

 private:
  struct Response {
    long status = 0;
    std::string body;
    std::string etag;
  };
  // One signed request with retries. `query` is sorted and AWS-encoded here.
  Response Request(const std::string& method, const std::string& bucket, const std::string& key,
                   std::vector<std::pair<std::string, std::string>> query,
                   const Transfer& transfer = Transfer());
  Response Once(const std::string& method, const std::string& url, const Transfer& transfer);

  Credentials credentials_;
  std::stop_token stop_;
  int attempts_;
  int threads_;
};

// Runs job(0) ... job(count - 1) on up to `threads` threads; the first failure stops the jobs not
// yet started and is rethrown.
void RunParallel(size_t count, int threads, const std::function<void(size_t)>& job);

// AWS URI encoding: unreserved characters stay, everything else is %XX; `slash` keeps '/'.
std::string UriEncode(const std::string& text, bool keep_slash);

}  // namespace sqlflow::connectors::s3
