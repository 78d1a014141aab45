#include "connectors/s3/s3.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "engine/sql.h"
#include "util/strings.h"
#include "util/temp_dir.h"

namespace sqlflow::connectors {

namespace fs = std::filesystem;

namespace s3 {

const std::vector<ParamSpec>& UploadParams() {
  static const std::vector<ParamSpec> specs = {
      {"part_size", ParamType::kInteger, false, {"multipart_chunksize"}, {}},
      {"multipart_threshold", ParamType::kInteger, false, {}, {}},
  };
  return specs;
}

std::vector<ParamIssue> ValidateUpload(const nlohmann::json& options) {
  constexpr int64_t kMinPart = 5ll << 20, kMaxPut = 5ll << 30;
  std::vector<ParamIssue> issues;
  if (options.contains("part_size")) {
    int64_t part = options["part_size"].get<int64_t>();
    if (part < kMinPart || part > kMaxPut)
      issues.push_back({"part_size", "\"part_size\" must be between 5 MiB and 5 GiB (in bytes)",
                        "\"part_size\": 16777216"});
  }
  if (options.contains("multipart_threshold")) {
    int64_t threshold = options["multipart_threshold"].get<int64_t>();
    if (threshold < 0 || threshold > kMaxPut)
      issues.push_back(
          {"multipart_threshold",
           "\"multipart_threshold\" must be between 0 and 5 GiB (in bytes): one PUT holds at most 5 GiB",
           "\"multipart_threshold\": 104857600"});
  }
  return issues;
}

const std::vector<ParamSpec>& ConnectionParams() {
  static const std::vector<ParamSpec> specs = {
      {"region", ParamType::kString, false, {"aws_region"}, {}},
      {"endpoint_url", ParamType::kString, false, {"endpoint"}, {}},
      {"access_key_id", ParamType::kString, false, {"access_key", "aws_access_key_id"}, {}},
      {"secret_access_key", ParamType::kString, false, {"secret_key", "aws_secret_access_key"}, {}},
      {"session_token", ParamType::kString, false, {"aws_session_token"}, {}},
      {"timeout", ParamType::kInteger, false, {"read_timeout"}, {}},
  };
  return specs;
}

bool IsS3Uri(std::string_view text) {
  return text.size() > 5 && util::EqualsIgnoreCase(text.substr(0, 5), "s3://");
}

Location ParseUri(const std::string& uri) {
  if (!IsS3Uri(uri)) throw ConnectorError("'" + uri + "' is not an s3:// URI", false);
  std::string rest = uri.substr(5);
  size_t slash = rest.find('/');
  Location location{rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1)};
  if (location.bucket.empty()) throw ConnectorError("'" + uri + "' names no bucket", false);
  return location;
}

namespace {

// One piece of a glob: what it matches of a key.
struct GlobToken {
  enum class Kind { kLiteral, kAnyChar, kStar, kDoubleStar, kDoubleStarSlash, kClass };
  explicit GlobToken(Kind kind, char literal = 0) : kind(kind), literal(literal) {}
  Kind kind;
  char literal;
  std::string_view set;  // kClass: the characters and ranges, without a leading ! or ^
  bool negate = false;
};

std::vector<GlobToken> Tokenize(std::string_view pattern) {
  std::vector<GlobToken> tokens;
  for (size_t p = 0; p < pattern.size();) {
    if (pattern.substr(p, 2) == "**") {
      // "**/" may match no folder at all, so the slash belongs to it.
      bool slash = p + 2 < pattern.size() && pattern[p + 2] == '/';
      tokens.emplace_back(slash ? GlobToken::Kind::kDoubleStarSlash : GlobToken::Kind::kDoubleStar);
      p += slash ? 3 : 2;
      continue;
    }
    if (pattern[p] == '*' || pattern[p] == '?') {
      tokens.emplace_back(pattern[p] == '*' ? GlobToken::Kind::kStar : GlobToken::Kind::kAnyChar);
      ++p;
      continue;
    }
    size_t close = pattern[p] == '[' ? pattern.find(']', p + 2) : std::string_view::npos;
    if (close == std::string_view::npos) {  // a literal, '[' without its ']' too
      tokens.emplace_back(GlobToken::Kind::kLiteral, pattern[p]);
      ++p;
      continue;
    }
    GlobToken token(GlobToken::Kind::kClass);
    token.set = pattern.substr(p + 1, close - p - 1);
    token.negate = !token.set.empty() && (token.set.front() == '!' || token.set.front() == '^');
    if (token.negate) token.set.remove_prefix(1);
    tokens.push_back(token);
    p = close + 1;
  }
  return tokens;
}

bool InClass(const GlobToken& token, char c) {
  bool found = false;
  for (size_t i = 0; i < token.set.size(); ++i) {
    if (i + 2 < token.set.size() && token.set[i + 1] == '-') {
      found |= c >= token.set[i] && c <= token.set[i + 2];
      i += 2;
    } else {
      found |= c == token.set[i];
    }
  }
  return found != token.negate;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view key) {
  // Dynamic programming from the last token back, instead of backtracking (exponential in the
  // number of stars): `next[k]` says whether the tokens after this one match key[k:].
  std::vector<GlobToken> tokens = Tokenize(pattern);
  const size_t n = key.size();
  std::vector<char> next(n + 1, 0), row(n + 1, 0);
  next[n] = 1;  // no tokens left: only the end of the key matches
  for (size_t t = tokens.size(); t-- > 0;) {
    const GlobToken& token = tokens[t];
    bool crossing = false;  // kDoubleStarSlash: a '/' at or after k followed by a match
    for (size_t k = n + 1; k-- > 0;) {
      bool more = k < n;
      switch (token.kind) {
        case GlobToken::Kind::kLiteral:
          row[k] = more && key[k] == token.literal && next[k + 1];
          break;
        case GlobToken::Kind::kAnyChar:
          row[k] = more && key[k] != '/' && next[k + 1];
          break;
        case GlobToken::Kind::kClass:
          row[k] = more && key[k] != '/' && InClass(token, key[k]) && next[k + 1];
          break;
        case GlobToken::Kind::kStar:  // within one folder
          row[k] = next[k] || (more && key[k] != '/' && row[k + 1]);
          break;
        case GlobToken::Kind::kDoubleStar:  // anything, across folders
          row[k] = next[k] || (more && row[k + 1]);
          break;
        case GlobToken::Kind::kDoubleStarSlash:  // no folder, or anything up to a '/'
          crossing = crossing || (more && key[k] == '/' && next[k + 1]);
          row[k] = next[k] || crossing;
          break;
      }
    }
    std::swap(row, next);
  }
  return next[0];
}

std::string FormatOfKey(std::string_view key) {
  std::string name =
      util::ToLower(key.substr(key.rfind('/') == std::string_view::npos ? 0 : key.rfind('/') + 1));
  for (const char* suffix : {".gz", ".gzip", ".zst", ".zstd"}) {
    if (util::EndsWith(name, suffix)) name.resize(name.size() - std::string_view(suffix).size());
  }
  std::string extension = name.rfind('.') == std::string::npos ? "" : name.substr(name.rfind('.') + 1);
  if (extension == "csv" || extension == "tsv" || extension == "txt") return "csv";
  if (extension == "parquet" || extension == "pq") return "parquet";
  if (extension == "json") return "json";
  if (extension == "ndjson" || extension == "jsonl") return "ndjson";
  return "";
}

namespace {

std::string HumanBytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < (1ull << 20)) return fmt::format("{:.1f} KB", bytes / 1024.0);
  if (bytes < (1ull << 30)) return fmt::format("{:.1f} MB", bytes / 1048576.0);
  return fmt::format("{:.2f} GB", bytes / 1073741824.0);
}

bool HasGlob(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

// Hadoop-style markers (_SUCCESS, .crc files) and folder placeholders are not data.
bool IsDataObject(const Object& object) {
  if (util::EndsWith(object.key, "/")) return false;
  std::string name = object.key.substr(object.key.rfind('/') + 1);
  return !name.empty() && name.front() != '_' && name.front() != '.';
}

}  // namespace

std::vector<Object> MatchingObjects(Client& client, const nlohmann::json& params, std::string& bucket,
                                    std::string& described) {
  std::string key, prefix;
  bool has_prefix = false;
  if (params.contains("uri")) {
    Location location = ParseUri(params["uri"].get<std::string>());
    bucket = location.bucket;
    key = location.key;
    if (key.empty() || util::EndsWith(key, "/")) {
      prefix = key;
      has_prefix = true;
    }
  } else {
    bucket = params.value("bucket", std::string());
    if (params.contains("prefix")) {
      prefix = params["prefix"].get<std::string>();
      has_prefix = true;
    } else {
      key = params.value("key", std::string());
    }
  }
  std::vector<Object> matched;
  if (has_prefix) {
    described = "s3://" + bucket + "/" + prefix;
    for (auto& object : client.List(bucket, prefix)) {
      if (IsDataObject(object)) matched.push_back(std::move(object));
    }
  } else if (HasGlob(key)) {
    described = "s3://" + bucket + "/" + key;
    for (auto& object : client.List(bucket, key.substr(0, key.find_first_of("*?[")))) {
      if (GlobMatch(key, object.key) && IsDataObject(object)) matched.push_back(std::move(object));
    }
  } else {
    // One object; a key that is a "folder" means everything under it.
    described = "s3://" + bucket + "/" + key;
    std::vector<Object> listed = client.List(bucket, key);
    auto exact = std::find_if(listed.begin(), listed.end(), [&](const Object& o) { return o.key == key; });
    if (exact != listed.end()) {
      matched.push_back(*exact);
    } else {
      for (auto& object : listed) {
        if (util::StartsWith(object.key, key + "/") && IsDataObject(object))
          matched.push_back(std::move(object));
      }
    }
  }
  if (matched.empty()) {
    throw S3Error(fmt::format("no object matches {}", described), false, 404);
  }
  std::sort(matched.begin(), matched.end(), [](const Object& a, const Object& b) { return a.key < b.key; });
  uint64_t total = 0;
  for (const auto& object : matched) total += object.size;
  if (params.contains("max_files") && matched.size() > params["max_files"].get<uint64_t>()) {
    throw S3Error(fmt::format("{} objects match {}, more than max_files = {} [narrow the pattern or raise "
                              "max_files]",
                              matched.size(), described, params["max_files"].get<uint64_t>()),
                  false, 0);
  }
  if (params.contains("max_bytes") && total > params["max_bytes"].get<uint64_t>()) {
    throw S3Error(
        fmt::format("the objects matching {} hold {} ({} bytes), more than max_bytes = {} [narrow the "
                    "pattern or raise max_bytes]",
                    described, HumanBytes(total), total, params["max_bytes"].get<uint64_t>()),
        false, 0);
  }
  return matched;
}

ExportUpload::ExportUpload(fs::path local, const std::string& uri, const nlohmann::json& options,
                           std::stop_token stop)
    : local_(std::move(local)),
      location_(ParseUri(uri)),
      client_(ResolveCredentials(options), std::move(stop)),
      part_size_(options.value("part_size", Client::kPartSize)),
      threshold_(options.value("multipart_threshold", part_size_)),
      partitioned_(options.contains("partition_by")) {
  if (!partitioned_) watcher_ = std::thread([this] { Watch(); });
}

ExportUpload::~ExportUpload() {
  StopWatching();
  multipart_.reset();  // aborts an upload that was not completed
}

void ExportUpload::StopWatching() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void ExportUpload::Watch() {
  try {
    // Parts beyond 9,000 wait for Finish(), which can make the last ones larger (10,000 at most).
    while (next_part_ <= 9000) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop_; });
        if (stop_) return;
      }
      std::error_code missing;
      uint64_t size = fs::file_size(local_, missing);
      if (missing) continue;  // DuckDB has not created it yet
      // Only whole parts, and only once the object is sure to be a multipart one; DuckDB's
      // writers only append, so bytes below the current size never change.
      while (size > threshold_ && size - sent_ >= part_size_ && next_part_ <= 9000) {
        if (!multipart_)
          multipart_ = std::make_unique<Client::Multipart>(client_, location_.bucket, location_.key);
        multipart_->SendPart(next_part_, local_, sent_, part_size_);
        sent_ += part_size_;
        ++next_part_;
        std::lock_guard lock(mutex_);
        if (stop_) return;
      }
    }
  } catch (...) {
    failure_ = std::current_exception();
  }
}

uint64_t ExportUpload::Finish() {
  StopWatching();
  if (failure_) std::rethrow_exception(failure_);
  if (partitioned_) return FinishFolder();
  if (!multipart_) {
    client_.Upload(location_.bucket, location_.key, local_, part_size_, threshold_);
  } else {
    client_.SendParts(*multipart_, local_, sent_, next_part_, part_size_);
    multipart_->Complete();
  }
  return fs::file_size(local_);
}

uint64_t ExportUpload::FinishFolder() {
  // Partitions: one object per file DuckDB wrote, under the URI's key as a folder.
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(local_)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string base = location_.key;
  if (!base.empty() && !util::EndsWith(base, "/")) base += "/";
  auto key_of = [&](const fs::path& file) { return base + fs::relative(file, local_).generic_string(); };
  // Four partitions in flight at once; each large one also goes up in parallel parts.
  std::vector<char> done(files.size(), 0);
  try {
    RunParallel(files.size(), 4, [&](size_t i) {
      client_.Upload(location_.bucket, key_of(files[i]), files[i], part_size_, threshold_);
      done[i] = 1;
    });
  } catch (...) {
    // No half set of partitions stays behind (best effort: the server may be gone).
    for (size_t i = 0; i < files.size(); ++i) {
      if (!done[i]) continue;
      try {
        client_.Delete(location_.bucket, key_of(files[i]));
      } catch (const S3Error&) {
      }
    }
    throw;
  }
  uint64_t bytes = 0;
  for (const auto& file : files) bytes += fs::file_size(file);
  return bytes;
}

}  // namespace s3

namespace {

using s3::Client;
using s3::Object;

// An export to s3://: DuckDB writes into a private spool (removed on every path) while the upload
// sends parts; without Finish() the upload is aborted.
class S3Write : public FileWrite {
 public:
  S3Write(const std::string& uri, const nlohmann::json& options, std::stop_token stop)
      : local_(spool_.path() / FileName(uri)), upload_(local_, uri, options, std::move(stop)) {}
  const fs::path& path() const override { return local_; }
  // An object appears whole when its upload completes: there is nothing to announce.
  uint64_t Finish(const FinishHook&) override { return upload_.Finish(); }

 private:
  static std::string FileName(const std::string& uri) {
    std::string name = uri.substr(uri.rfind('/') + 1);
    return name.empty() ? "export" : name;
  }
  util::TempDir spool_{"sqlflow-s3-export"};
  fs::path local_;
  s3::ExportUpload upload_;
};

class S3Destination : public FileDestination {
 public:
  bool Claims(std::string_view uri) const override { return s3::IsS3Uri(uri); }
  const std::vector<ParamSpec>& options() const override {
    static const std::vector<ParamSpec> specs = [] {
      std::vector<ParamSpec> all = s3::ConnectionParams();
      for (const auto& spec : s3::UploadParams()) all.push_back(spec);
      return all;
    }();
    return specs;
  }
  std::vector<ParamIssue> Validate(const nlohmann::json& options) const override {
    return s3::ValidateUpload(options);
  }
  std::unique_ptr<FileWrite> Open(const std::string& uri, const nlohmann::json& options, const std::string&,
                                  std::stop_token stop) const override {
    return std::make_unique<S3Write>(uri, options, std::move(stop));
  }
};

class S3Connector : public Connector, public IngestSource {
 public:
  std::string type() const override { return "S3"; }
  const IngestSource* ingest_source() const override { return this; }

  // A CSV, Parquet or JSON source whose path is an s3:// URI reads through S3, in that format.
  bool AdoptSource(std::string& type, nlohmann::json& params) const override {
    std::string upper = util::ToUpper(type);
    if ((upper != "CSV" && upper != "PARQUET" && upper != "JSON") || !params.is_object()) return false;
    for (const char* key : {"path", "file", "file_path"}) {
      if (!params.contains(key) || !params[key].is_string() || !s3::IsS3Uri(params[key].get<std::string>())) {
        continue;
      }
      std::string format = util::ToLower(upper);
      if (upper == "JSON") {
        std::string shape = util::ToLower(params.value("format", std::string()));
        format = shape == "newline_delimited" || shape == "ndjson" ? "ndjson" : "json";
      }
      params["uri"] = params[key];
      params.erase(key);
      params["format"] = format;
      type = "S3";
      return true;
    }
    return false;
  }

  // TYPE S3 as an EXPORT is written as the TYPE that `file_format` (or the key's extension) names.
  const Connector* ExportAs(const std::string& target, nlohmann::json& options,
                            ParamIssue& issue) const override {
    bool to_s3 = s3::IsS3Uri(target);
    std::string format = options.contains("file_format") && options["file_format"].is_string()
                             ? util::ToLower(options["file_format"].get<std::string>())
                             : s3::FormatOfKey(target);
    if (!to_s3) {
      issue = {"", "EXPORT (S3) writes to an s3:// URI, not '" + target + "'",
               "TO 's3://my-bucket/path/file.parquet'"};
      return nullptr;
    }
    if (format != "csv" && format != "parquet" && format != "json" && format != "ndjson") {
      issue = {"file_format", "EXPORT (S3): cannot tell the file format of '" + target + "'",
               "add \"file_format\": \"csv\", \"parquet\", \"json\" or \"ndjson\""};
      return nullptr;
    }
    if (format == "ndjson") options["format"] = "newline_delimited";
    options.erase("file_format");
    return FindConnector(format == "ndjson" ? "JSON" : util::ToUpper(format));
  }

  const std::vector<ParamSpec>& source_params() const override {
    static const std::vector<ParamSpec> specs = [] {
      std::vector<ParamSpec> all = {
          {"uri", ParamType::kString, false, {"url", "path"}, {}},
          {"bucket", ParamType::kString, false, {"bucket_name"}, {}},
          {"key", ParamType::kString, false, {}, {}},
          {"prefix", ParamType::kString, false, {"path_prefix"}, {}},
          {"format", ParamType::kString, false, {"file_format"}, {"csv", "parquet", "json", "ndjson"}},
          {"compression", ParamType::kString, false, {}, {"none", "gzip", "zstd", "auto"}},
          {"max_files", ParamType::kInteger, false, {}, {}},
          {"max_bytes", ParamType::kInteger, false, {}, {}},
      };
      // The CSV reader's options, under the CSV connector's names.
      for (const auto& spec : FindConnector("CSV")->source_params()) {
        if (spec.name != "path" && spec.name != "compression") all.push_back(spec);
      }
      for (const auto& spec : s3::ConnectionParams()) all.push_back(spec);
      return all;
    }();
    return specs;
  }

  // TYPE S3 as an EXPORT: the planner turns it into the TYPE that `file_format` names.
  const std::vector<ParamSpec>& export_options() const override {
    static const std::vector<ParamSpec> specs = [] {
      std::vector<ParamSpec> all = {
          {"file_format", ParamType::kString, false, {}, {"csv", "parquet", "json", "ndjson"}}};
      for (const auto& spec : s3::ConnectionParams()) all.push_back(spec);
      for (const auto& spec : s3::UploadParams()) all.push_back(spec);
      return all;
    }();
    return specs;
  }

  std::vector<ParamIssue> Validate(const nlohmann::json& params, bool as_source) const override {
    std::vector<ParamIssue> issues;
    if (!as_source) return issues;
    bool uri = params.contains("uri"), bucket = params.contains("bucket");
    if (uri == bucket) {
      issues.push_back({uri ? "bucket" : "",
                        uri ? "give either \"uri\" or \"bucket\", not both"
                            : "an S3 source needs \"uri\" or \"bucket\" with \"key\" or \"prefix\"",
                        "\"uri\": \"s3://my-bucket/data/*.parquet\""});
    } else if (uri && !s3::IsS3Uri(params["uri"].get<std::string>())) {
      issues.push_back(
          {"uri", "\"uri\" must start with s3://", "\"uri\": \"s3://my-bucket/data/*.parquet\""});
    } else if (bucket && params.contains("key") == params.contains("prefix")) {
      bool both = params.contains("key");
      issues.push_back({both ? "prefix" : "bucket",
                        both ? "give either \"key\" or \"prefix\", not both"
                             : "with \"bucket\", give \"key\" (one object or a glob) or \"prefix\"",
                        "\"key\": \"data/orders.csv\" or \"prefix\": \"data/2026/\""});
    }
    for (const char* limit : {"max_files", "max_bytes"}) {
      if (params.contains(limit) && params[limit].get<int64_t>() <= 0)
        issues.push_back({limit, fmt::format("\"{}\" must be positive", limit), ""});
    }
    return issues;
  }

  uint64_t ReadInto(engine::Connection& connection, const nlohmann::json& params, const IngestTarget& target,
                    std::stop_token stop) const override {
    Spooled spooled(params, false, std::move(stop));
    // DuckDB counts the rows it creates the table with; no second pass over them.
    return connection.Query(target.CreatePrefix() + " AS " + spooled.query).AffectedRows();
  }

  // DuckDB's readers take the columns of the first file unless union_by_name is set, so only that
  // object is fetched then (`schema compare` / `accept` of a large source stays cheap).
  std::optional<std::vector<engine::Column>> DescribeSource(const nlohmann::json& params) const override {
    Spooled spooled(params, !params.value("union_by_name", false), {});
    engine::Database database = engine::Database::Open({});
    engine::Connection connection(database);
    return engine::DescribeQuery(connection, spooled.query);
  }

  std::string Test(const nlohmann::json& params, const std::string&) const override {
    Client client(s3::ResolveCredentials(params));
    std::string bucket, described;
    std::vector<Object> objects = s3::MatchingObjects(client, params, bucket, described);
    uint64_t total = 0;
    for (const auto& object : objects) total += object.size;
    return fmt::format("bucket {} reachable; {} object{} ({}) match{} {}", bucket, objects.size(),
                       objects.size() == 1 ? "" : "s", s3::HumanBytes(total), objects.size() == 1 ? "es" : "",
                       described);
  }

 private:
  // The objects a source's params select, downloaded into a private spool folder (removed with
  // this object), and the DuckDB query that reads them.
  struct Spooled {
    util::TempDir spool{"sqlflow-s3"};
    std::string query;

    Spooled(const nlohmann::json& params, bool first_only, std::stop_token stop) {
      Client client(s3::ResolveCredentials(params), std::move(stop));
      std::string bucket, described;
      std::vector<Object> objects = s3::MatchingObjects(client, params, bucket, described);
      std::string format = ReaderFormat(params, objects, described);
      if (first_only) objects.resize(1);
      // Each object keeps its key as its path in the spool: extensions (.csv.gz, .json.zst) tell
      // DuckDB the compression, and key=value folders its hive partitions.
      std::vector<std::string> files(objects.size());
      for (size_t i = 0; i < objects.size(); ++i) {
        fs::path file = spool.path();
        for (const auto& segment : util::Split(objects[i].key, '/')) {
          file /= segment.empty() || segment == "." || segment == ".." ? "_" : segment;
        }
        fs::create_directories(file.parent_path());
        files[i] = file.string();
      }
      // Small objects in parallel; a large one is itself fetched in parallel ranges.
      s3::RunParallel(objects.size(), 4, [&](size_t i) { client.Download(objects[i], bucket, files[i]); });
      nlohmann::json reader = params;
      reader["path"] = files;
      if (format == "csv") {
        query = FindConnector("CSV")->query_source()->SourceQuery(reader, "");
      } else if (format == "parquet") {
        nlohmann::json parquet = {{"path", files}};
        if (params.contains("union_by_name")) parquet["union_by_name"] = params["union_by_name"];
        query = FindConnector("PARQUET")->query_source()->SourceQuery(parquet, "");
      } else {
        reader["format"] = format == "ndjson" ? "newline_delimited" : "auto";
        query = FindConnector("JSON")->query_source()->SourceQuery(reader, "");
      }
    }
  };

  // The reader for these objects: `format`, or the one extension they all share.
  static std::string ReaderFormat(const nlohmann::json& params, const std::vector<Object>& objects,
                                  const std::string& described) {
    if (params.contains("format")) return util::ToLower(params["format"].get<std::string>());
    std::string format;
    for (const auto& object : objects) {
      std::string own = s3::FormatOfKey(object.key);
      if (own.empty() || (!format.empty() && own != format)) {
        throw s3::S3Error(
            fmt::format("cannot tell the format of {} from {} [set \"format\": \"csv\", \"parquet\", "
                        "\"json\" or \"ndjson\"]",
                        described, own.empty() ? "the name " + object.key : "mixed extensions"),
            false, 0);
      }
      format = own;
    }
    return format;
  }
};

}  // namespace

std::unique_ptr<Connector> MakeS3Connector() {
  return std::make_unique<S3Connector>();
}

std::unique_ptr<FileDestination> MakeS3Destination() {
  return std::make_unique<S3Destination>();
}

}  // namespace sqlflow::connectors
