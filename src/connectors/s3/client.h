#pragma once
// A small S3 client on libcurl (its built-in AWS SigV4 signing): list with pagination, download
// to a file, upload from a file (multipart above a threshold, aborted on failure so no partial
// object is ever visible). Transient failures (5xx, 429/SlowDown, timeouts, resets) are retried
// with backoff and jitter; 403 and 404 fail at once with a hint.
//
// Groundwork for the S3 connector (not yet registered as a TYPE): tested against the real
// S3-compatible server of tests/fixtures/s3.sh.

#include <cstdint>
#include <filesystem>
#include <optional>
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
  std::string endpoint;  // scheme://host[:port]; empty: https://s3.<region>.amazonaws.com
};

// From params (access_key_id, secret_access_key, session_token, region, endpoint_url), then the
// AWS_* variables (AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL), then ~/.aws/credentials.
Credentials ResolveCredentials(const nlohmann::json& params);

struct Object {
  std::string key;
  uint64_t size = 0;
};

class Client {
 public:
  explicit Client(Credentials credentials, int attempts = 4);

  // Every object under `prefix`, following ListObjectsV2 continuation tokens.
  std::vector<Object> List(const std::string& bucket, const std::string& prefix);
  void Download(const std::string& bucket, const std::string& key, const std::filesystem::path& file);
  // One PUT up to `part_size` bytes; a multipart upload (parts of `part_size`) above it.
  void Upload(const std::string& bucket, const std::string& key, const std::filesystem::path& file,
              uint64_t part_size = 64ull << 20);
  // HEAD of the bucket: throws with the cause when it cannot be reached.
  void CheckBucket(const std::string& bucket);

 private:
  struct Response {
    long status = 0;
    std::string body;
    std::string etag;
  };
  // One signed request with retries. `query` is sorted and AWS-encoded here; `upload` is sent
  // as the body when given (a file range), `download` receives the body when given.
  Response Request(const std::string& method, const std::string& bucket, const std::string& key,
                   std::vector<std::pair<std::string, std::string>> query,
                   const std::filesystem::path* upload = nullptr, uint64_t offset = 0, uint64_t length = 0,
                   const std::filesystem::path* download = nullptr, const std::string& body = "");
  Response Once(const std::string& method, const std::string& url, const std::filesystem::path* upload,
                uint64_t offset, uint64_t length, const std::filesystem::path* download,
                const std::string& body);

  Credentials credentials_;
  int attempts_;
};

// AWS URI encoding: unreserved characters stay, everything else is %XX; `slash` keeps '/'.
std::string UriEncode(const std::string& text, bool keep_slash);

}  // namespace sqlflow::connectors::s3
