#include "connectors/s3/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "util/strings.h"

namespace sqlflow::connectors::s3 {

namespace fs = std::filesystem;

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The [default] profile of ~/.aws/credentials, when there is one.
void ReadCredentialsFile(Credentials& credentials) {
  std::string home = Env("HOME");
  std::string file = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty() && !home.empty()) file = home + "/.aws/credentials";
  std::ifstream in(file);
  std::string line, section, profile = Env("AWS_PROFILE").empty() ? "default" : Env("AWS_PROFILE");
  while (std::getline(in, line)) {
    std::string_view trimmed = util::Trim(line);
    if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == ';') continue;
    if (trimmed.front() == '[') {
      section = std::string(util::Trim(trimmed.substr(1, trimmed.find(']') - 1)));
      continue;
    }
    if (section != profile) continue;
    size_t equals = trimmed.find('=');
    if (equals == std::string_view::npos) continue;
    std::string key(util::Trim(trimmed.substr(0, equals)));
    std::string value(util::Trim(trimmed.substr(equals + 1)));
    if (key == "aws_access_key_id" && credentials.access_key.empty()) credentials.access_key = value;
    if (key == "aws_secret_access_key" && credentials.secret_key.empty()) credentials.secret_key = value;
    if (key == "aws_session_token" && credentials.session_token.empty()) credentials.session_token = value;
  }
}

// The text of the first <tag>...</tag> after `from` in `xml`, advancing `from`.
std::optional<std::string> NextTag(const std::string& xml, const std::string& tag, size_t& from) {
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t start = xml.find(open, from);
  if (start == std::string::npos) return std::nullopt;
  size_t end = xml.find(close, start);
  if (end == std::string::npos) return std::nullopt;
  from = end + close.size();
  return xml.substr(start + open.size(), end - start - open.size());
}

std::string Unescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, character] : entities) {
    for (size_t pos = 0; (pos = text.find(entity, pos)) != std::string::npos; pos += 1) {
      text.replace(pos, std::string(entity).size(), character);
    }
  }
  return text;
}

// An ETag without its double quotes.
std::string Unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

size_t AppendToString(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// An error document is read for its message; more than this is never kept.
constexpr size_t kMaxErrorBody = 64 * 1024;

// Where a download's body goes: the file for a success, a small buffer for an error status. A
// ranged part writes into a file that already has the object's full size, so an error document
// must never land there (it would overwrite the part's bytes and could only be read back from the
// file).
struct DownloadSink {
  CURL* curl;
  std::FILE* file;
  std::string* error_body;
  bool decided = false;
  bool error = false;
};

size_t WriteDownload(char* data, size_t size, size_t count, void* target) {
  auto* sink = static_cast<DownloadSink*>(target);
  size_t bytes = size * count;
  if (!sink->decided) {
    long status = 0;
    curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
    sink->error = status >= 300;
    sink->decided = true;
  }
  if (!sink->error) return std::fwrite(data, 1, bytes, sink->file);
  // The start of the error document is enough; the rest is not worth receiving.
  size_t room = kMaxErrorBody - sink->error_body->size();
  sink->error_body->append(data, std::min(bytes, room));
  return bytes <= room ? bytes : CURL_WRITEFUNC_ERROR;
}

struct UploadSource {
  std::FILE* file;
  uint64_t remaining;
  const std::string* body;
  size_t body_offset;
};

size_t ReadFromSource(char* buffer, size_t size, size_t count, void* target) {
  auto* source = static_cast<UploadSource*>(target);
  size_t wanted = size * count;
  if (source->body) {
    size_t left = source->body->size() - source->body_offset;
    size_t n = std::min(wanted, left);
    std::memcpy(buffer, source->body->data() + source->body_offset, n);
    source->body_offset += n;
    return n;
  }
  size_t n = static_cast<size_t>(std::min<uint64_t>(wanted, source->remaining));
  size_t read = std::fread(buffer, 1, n, source->file);
  source->remaining -= read;
  return read;
}

// Stops a transfer when the run is interrupted (Ctrl-C); `stop` is the client's stop token.
int Progress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(stop)->stop_requested() ? 1 : 0;
}

size_t HeaderCallback(char* data, size_t size, size_t count, void* target) {
  std::string line(data, size * count);
  if (util::StartsWith(util::ToLower(line), "etag:")) {
    *static_cast<std::string*>(target) = std::string(util::Trim(line.substr(5)));
  }
  return size * count;
}

}  // namespace

std::string UriEncode(const std::string& text, bool keep_slash) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Credentials ResolveCredentials(const nlohmann::json& params) {
  Credentials credentials;
  auto text = [&](const char* key) {
    return params.contains(key) ? params[key].get<std::string>() : std::string();
  };
  credentials.access_key = text("access_key_id");
  credentials.secret_key = text("secret_access_key");
  credentials.session_token = text("session_token");
  credentials.endpoint = text("endpoint_url");
  std::string region = text("region");
  if (params.contains("timeout"))
    credentials.timeout_seconds = std::max<long>(1, params["timeout"].get<long>());
  if (credentials.access_key.empty()) credentials.access_key = Env("AWS_ACCESS_KEY_ID");
  if (credentials.secret_key.empty()) credentials.secret_key = Env("AWS_SECRET_ACCESS_KEY");
  if (credentials.session_token.empty()) credentials.session_token = Env("AWS_SESSION_TOKEN");
  if (region.empty()) region = Env("AWS_REGION").empty() ? Env("AWS_DEFAULT_REGION") : Env("AWS_REGION");
  if (!region.empty()) credentials.region = region;
  if (credentials.endpoint.empty()) credentials.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (credentials.endpoint.empty()) credentials.endpoint = Env("AWS_ENDPOINT_URL");
  if (credentials.access_key.empty() || credentials.secret_key.empty()) ReadCredentialsFile(credentials);
  if (credentials.endpoint.empty())
    credentials.endpoint = fmt::format("https://s3.{}.amazonaws.com", credentials.region);
  while (util::EndsWith(credentials.endpoint, "/")) credentials.endpoint.pop_back();
  return credentials;
}

Client::Client(Credentials credentials, std::stop_token stop, int attempts, int threads)
    : credentials_(std::move(credentials)),
      stop_(std::move(stop)),
      attempts_(attempts),
      threads_(std::max(1, threads)) {
  GlobalInit();
}

Client::Response Client::Once(const std::string& method, const std::string& url, const Transfer& transfer) {
  // One handle per thread, reset for each request: its connections stay open for the next one
  // (no new TCP and TLS handshake per object or part).
  thread_local struct Handle {
    CURL* curl = curl_easy_init();
    ~Handle() { curl_easy_cleanup(curl); }
  } handle;
  CURL* curl = handle.curl;
  if (!curl) throw S3Error("cannot start a request", true, 0);
  curl_easy_reset(curl);
  Response response;
  std::FILE* in = nullptr;
  std::FILE* out = nullptr;
  struct curl_slist* headers = nullptr;
  struct Cleanup {
    std::FILE*& in;
    std::FILE*& out;
    struct curl_slist*& headers;
    ~Cleanup() {
      if (in) std::fclose(in);
      if (out) std::fclose(out);
      curl_slist_free_all(headers);
    }
  } cleanup{in, out, headers};
  // Signed by libcurl; the payload is not hashed (it does not add this header itself).
  headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!credentials_.session_token.empty()) {
    headers = curl_slist_append(headers, ("x-amz-security-token: " + credentials_.session_token).c_str());
  }
  if (!transfer.if_match.empty()) {
    headers = curl_slist_append(headers, ("If-Match: \"" + transfer.if_match + "\"").c_str());
  }
  std::string sigv4 = "aws:amz:" + credentials_.region + ":s3";
  std::string user = credentials_.access_key + ":" + credentials_.secret_key;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, std::min(10L, credentials_.timeout_seconds));
  // A stalled request (no byte either way for timeout_seconds) fails as transient.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, credentials_.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  if (transfer.upload || transfer.download) {
    // Moving data stops on Ctrl-C; small requests (an abort of a multipart upload) still run.
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stop_);
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, HeaderCallback);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.etag);
  if (!transfer.range.empty()) curl_easy_setopt(curl, CURLOPT_RANGE, transfer.range.c_str());
  // A test hook: a slow wire (bytes per second and request), so tests can stop the server while a
  // transfer is under way.
  if (const char* limit = std::getenv("SQLFLOW_S3_RATE_LIMIT")) {
    curl_off_t rate = std::strtoll(limit, nullptr, 10);
    curl_easy_setopt(curl, CURLOPT_MAX_RECV_SPEED_LARGE, rate);
    curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE, rate);
  }
  UploadSource source{nullptr, 0, nullptr, 0};
  DownloadSink sink{curl, nullptr, &response.body};
  if (method == "PUT" || method == "POST") {
    uint64_t length = transfer.length;
    if (transfer.upload) {
      in = std::fopen(transfer.upload->c_str(), "rb");
      if (!in) throw S3Error("cannot read " + transfer.upload->string(), false, 0);
      ::fseeko(in, static_cast<off_t>(transfer.offset), SEEK_SET);
      source = {in, length, nullptr, 0};
    } else {
      source = {nullptr, 0, &transfer.body, 0};
      length = transfer.body.size();
    }
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    if (method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadFromSource);
    curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(length));
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (transfer.download) {
    // A ranged part writes into its place in a file that already has its full size.
    out = std::fopen(transfer.download->c_str(), transfer.range.empty() ? "wb" : "r+b");
    if (!out) throw S3Error("cannot write " + transfer.download->string(), false, 0);
    ::fseeko(out, static_cast<off_t>(transfer.offset), SEEK_SET);
    sink.file = out;
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteDownload);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  } else {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  }
  CURLcode code = curl_easy_perform(curl);
  // An error document cut at kMaxErrorBody: the status says what happened.
  if (code == CURLE_WRITE_ERROR && sink.error) code = CURLE_OK;
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_URL_MALFORMAT ||
      code == CURLE_UNSUPPORTED_PROTOCOL) {
    throw S3Error(fmt::format("{} {}: {} [check endpoint_url (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)]",
                              method, url, curl_easy_strerror(code)),
                  false, 0);
  }
  if (code == CURLE_ABORTED_BY_CALLBACK)
    throw S3Error(fmt::format("{} {}: interrupted", method, url), false, 0);
  if (code == CURLE_WRITE_ERROR && transfer.download) {
    throw S3Error(
        fmt::format("{} {}: cannot write {} [is the disk of $TMPDIR full? point TMPDIR at a larger one]",
                    method, url, transfer.download->string()),
        false, 0);
  }
  if (code != CURLE_OK) {
    throw S3Error(fmt::format("{} {}: {}", method, url, curl_easy_strerror(code)), true, 0);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (out && response.status < 300 && std::fflush(out) != 0) {
    throw S3Error("cannot write " + transfer.download->string() + ": " + std::strerror(errno), false, 0);
  }
  return response;
}

Client::Response Client::Request(const std::string& method, const std::string& bucket, const std::string& key,
                                 std::vector<std::pair<std::string, std::string>> query,
                                 const Transfer& transfer) {
  // Path-style addressing, with the query sorted and encoded as SigV4 wants (libcurl does not).
  std::sort(query.begin(), query.end());
  std::string url = credentials_.endpoint + "/" + UriEncode(bucket, false);
  if (!key.empty()) url += "/" + UriEncode(key, true);
  for (size_t i = 0; i < query.size(); ++i) {
    url += (i == 0 ? "?" : "&") + UriEncode(query[i].first, false) + "=" + UriEncode(query[i].second, false);
  }
  std::mt19937 jitter(std::random_device{}());
  std::string where = key.empty() ? "s3://" + bucket : "s3://" + bucket + "/" + key;
  for (int attempt = 1;; ++attempt) {
    try {
      Response response = Once(method, url, transfer);
      if (response.status < 300) return response;
      size_t from = 0;
      std::string code = NextTag(response.body, "Code", from).value_or("");
      std::string message = Unescape(NextTag(response.body, "Message", from = 0).value_or(""));
      bool transient = response.status >= 500 || response.status == 429 || code == "SlowDown";
      std::string hint;
      if (response.status == 403) {
        hint = code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId"
                   ? " [check the access key and secret (access_key_id/secret_access_key or AWS_* variables)]"
                   : " [access denied: check the keys, the region and this machine's clock]";
      } else if (response.status == 404) {
        hint = code == "NoSuchBucket" ? fmt::format(" [no bucket {}]", bucket)
                                      : fmt::format(" [no object {}]", where);
      }
      throw S3Error(
          fmt::format("S3 {} {}: HTTP {} {} {}{}", method, where, response.status, code, message, hint),
          transient, response.status);
    } catch (const S3Error& error) {
      bool moves_data = transfer.upload || transfer.download;
      if (!error.transient() || attempt >= attempts_ || (moves_data && stop_.stop_requested())) throw;
      double delay =
          0.2 * (1 << (attempt - 1)) * (1.0 + std::uniform_real_distribution<double>(0, 0.25)(jitter));
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    }
  }
}

void RunParallel(size_t count, int threads, const std::function<void(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (size_t i; !failed && (i = next++) < count;) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> helpers;
  size_t extra = std::min<size_t>(static_cast<size_t>(std::max(1, threads)), count);
  for (size_t i = 1; i < extra; ++i) helpers.emplace_back(work);
  work();
  for (auto& helper : helpers) helper.join();
  if (failure) std::rethrow_exception(failure);
}

std::vector<Object> Client::List(const std::string& bucket, const std::string& prefix) {
  std::vector<Object> objects;
  std::string token;
  while (true) {
    std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}, {"prefix", prefix}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    ListPage page = ParseListPage(Request("GET", bucket, "", query).body);
    for (auto& object : page.objects) objects.push_back(std::move(object));
    token = std::move(page.next_token);
    if (token.empty()) break;
  }
  return objects;
}

ListPage ParseListPage(const std::string& body) {
  ListPage page;
  size_t from = 0;
  while (auto contents = NextTag(body, "Contents", from)) {
    size_t inner = 0;
    Object object;
    object.key = Unescape(NextTag(*contents, "Key", inner).value_or(""));
    inner = 0;
    std::string size = NextTag(*contents, "Size", inner).value_or("0");
    auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), object.size);
    if (error != std::errc() || end != size.data() + size.size()) {
      throw S3Error(
          fmt::format("S3 listing: the size of {} is '{}', not a number of bytes", object.key, size), false,
          0);
    }
    inner = 0;
    object.etag = Unquote(Unescape(NextTag(*contents, "ETag", inner).value_or("")));
    page.objects.push_back(std::move(object));
  }
  size_t at = 0;
  bool truncated = NextTag(body, "IsTruncated", at).value_or("false") == "true";
  at = 0;
  if (truncated) page.next_token = Unescape(NextTag(body, "NextContinuationToken", at).value_or(""));
  return page;
}

void Client::Download(const Object& object, const std::string& bucket, const fs::path& file,
                      uint64_t part_size) {
  // The version listed, or an error: a server without If-Match still names its ETag.
  auto check_version = [&](const Response& response) {
    if (!object.etag.empty() && !response.etag.empty() && Unquote(response.etag) != object.etag) {
      throw S3Error(fmt::format("S3 GET s3://{}/{}: the object changed while it was read (ETag {} became {})",
                                bucket, object.key, object.etag, Unquote(response.etag)),
                    true, 412);
    }
  };
  if (object.size <= part_size) {
    check_version(Request("GET", bucket, object.key, {}, Transfer::Into(file, 0, "", object.etag)));
    return;
  }
  // Every part writes into its own range of a file of the final size.
  { std::ofstream(file, std::ios::binary | std::ios::trunc); }
  fs::resize_file(file, object.size);
  size_t parts = static_cast<size_t>((object.size + part_size - 1) / part_size);
  RunParallel(parts, threads_, [&](size_t part) {
    uint64_t offset = part * part_size;
    uint64_t last = std::min(object.size, offset + part_size) - 1;
    Response response =
        Request("GET", bucket, object.key, {},
                Transfer::Into(file, offset, fmt::format("{}-{}", offset, last), object.etag));
    if (response.status != 206) {
      throw S3Error(fmt::format("S3 GET s3://{}/{}: the server ignored the byte range (HTTP {})", bucket,
                                object.key, response.status),
                    false, response.status);
    }
    check_version(response);
  });
}

void Client::Delete(const std::string& bucket, const std::string& key) {
  Request("DELETE", bucket, key, {});
}

void Client::CheckBucket(const std::string& bucket) {
  Request("GET", bucket, "", {{"list-type", "2"}, {"max-keys", "1"}});
}

Client::Multipart::Multipart(Client& client, std::string bucket, std::string key)
    : client_(client), bucket_(std::move(bucket)), key_(std::move(key)) {
  Response created = client_.Request("POST", bucket_, key_, {{"uploads", ""}});
  size_t at = 0;
  upload_id_ = NextTag(created.body, "UploadId", at).value_or("");
  if (upload_id_.empty()) throw S3Error("S3 did not start the multipart upload of " + key_, false, 0);
}

Client::Multipart::~Multipart() {
  if (completed_) return;
  // No partial object may ever become visible: the parts sent are dropped.
  try {
    client_.Request("DELETE", bucket_, key_, {{"uploadId", upload_id_}});
  } catch (const S3Error&) {
    // The server may be what failed; an incomplete upload never becomes an object anyway.
  }
}

void Client::Multipart::SendPart(int number, const fs::path& file, uint64_t offset, uint64_t length) {
  Response sent = client_.Request("PUT", bucket_, key_,
                                  {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}},
                                  Transfer::From(file, offset, length));
  std::lock_guard lock(mutex_);
  etags_[number] = sent.etag;
}

void Client::Multipart::Complete() {
  std::string parts;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [number, etag] : etags_)
      parts += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", number, etag);
  }
  client_.Request("POST", bucket_, key_, {{"uploadId", upload_id_}},
                  Transfer::Body("<CompleteMultipartUpload>" + parts + "</CompleteMultipartUpload>"));
  completed_ = true;
}

void Client::SendParts(Multipart& upload, const fs::path& file, uint64_t from, int first_number,
                       uint64_t part_size) {
  uint64_t size = fs::file_size(file);
  if (from >= size) return;
  // S3 takes at most 10,000 parts.
  int parts_left = std::max(1, 10000 - (first_number - 1));
  part_size = std::max(part_size, (size - from + parts_left - 1) / parts_left);
  size_t count = static_cast<size_t>((size - from + part_size - 1) / part_size);
  RunParallel(count, threads_, [&](size_t part) {
    uint64_t offset = from + part * part_size;
    upload.SendPart(first_number + static_cast<int>(part), file, offset, std::min(part_size, size - offset));
  });
}

void Client::Upload(const std::string& bucket, const std::string& key, const fs::path& file,
                    uint64_t part_size, uint64_t threshold) {
  uint64_t size = fs::file_size(file);
  if (size <= threshold) {
    Request("PUT", bucket, key, {}, Transfer::From(file, 0, size));
    return;
  }
  Multipart upload(*this, bucket, key);
  SendParts(upload, file, 0, 1, part_size);
  upload.Complete();
}

}  // namespace sqlflow::connectors::s3
