#include "project/project.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "engine/duckdb.h"
#include "lang/variables.h"
#include "schema/schema.h"
#include "util/strings.h"

extern "C" {
extern char** environ;
}

namespace sqlflow::project {

namespace fs = std::filesystem;
using common::Diagnostic;
using common::Location;
using common::SourceFile;
using common::SqlflowError;
using common::UsageError;

namespace {

// Absolute, lexically normal, without a trailing separator.
fs::path Normalize(const fs::path& path) {
  fs::path result = fs::absolute(path).lexically_normal();
  if (result.has_relative_path() && result.filename().empty()) result = result.parent_path();
  return result;
}

bool IsDirectory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::string ReadWholeFile(const fs::path& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *ok = false;
    return {};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *ok = !in.bad();
  return buffer.str();
}

// ---------------------------------------------------------------------------------------------
// .env parsing

bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}
bool IsNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9');
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseDotEnv(const SourceFile& file) {
  const std::string& text = file.text();
  const size_t n = text.size();
  std::vector<std::pair<std::string, std::string>> entries;
  std::vector<Diagnostic> diagnostics;
  std::shared_ptr<const SourceFile> shared;  // made on the first error only
  auto error = [&](size_t offset, std::string message, std::string hint = "") {
    if (!shared) shared = std::make_shared<const SourceFile>(file);
    diagnostics.push_back(
        Diagnostic{"SF-ENV-001", std::move(message), Location{shared, offset}, std::move(hint), {}});
  };
  auto line_end_from = [&](size_t pos) {
    size_t end = text.find('\n', pos);
    return end == std::string::npos ? n : end;
  };
  // The end of meaningful text on a line: before a trailing '\r'.
  auto content_end = [&](size_t line_end) {
    return line_end > 0 && line_end <= n && text[line_end - 1] == '\r' ? line_end - 1 : line_end;
  };

  size_t pos = 0;
  while (pos < n) {
    size_t line_end = line_end_from(pos);
    size_t end = content_end(line_end);
    if (end < pos) end = pos;
    size_t p = pos;
    while (p < end && IsBlank(text[p])) ++p;
    if (p == end || text[p] == '#') {
      pos = line_end + 1;
      continue;
    }
    if (text.compare(p, 6, "export") == 0 && p + 6 < end && IsBlank(text[p + 6])) {
      p += 6;
      while (p < end && IsBlank(text[p])) ++p;
    }
    if (p == end || !IsNameStart(text[p])) {
      error(p, "expected a variable name (letters, digits and '_', not starting with a digit)",
            "a .env line looks like KEY=value");
      pos = line_end + 1;
      continue;
    }
    size_t name_start = p;
    while (p < end && IsNameChar(text[p])) ++p;
    std::string name = text.substr(name_start, p - name_start);
    while (p < end && IsBlank(text[p])) ++p;
    if (p == end || text[p] != '=') {
      error(p, fmt::format("expected '=' after '{}'", name), "a .env line looks like KEY=value");
      pos = line_end + 1;
      continue;
    }
    size_t equals = p++;
    while (p < end && IsBlank(text[p])) ++p;

    if (p < end && (text[p] == '\'' || text[p] == '"')) {
      const char quote = text[p];
      std::string value;
      size_t q = p + 1;
      bool closed = false;
      while (q < n) {
        char c = text[q];
        if (c == quote) {
          closed = true;
          break;
        }
        if (quote == '"' && c == '\\' && q + 1 < n) {
          char next = text[q + 1];
          switch (next) {
            case 'n':
              value += '\n';
              break;
            case 't':
              value += '\t';
              break;
            case 'r':
              value += '\r';
              break;
            case '"':
              value += '"';
              break;
            case '\\':
              value += '\\';
              break;
            case '$':
              value += '$';
              break;
            default:
              value += '\\';
              value += next;
              break;
          }
          q += 2;
          continue;
        }
        value += c;
        ++q;
      }
      if (!closed) {
        error(p,
              fmt::format("unterminated {}-quoted value for '{}'", quote == '"' ? "double" : "single", name),
              fmt::format("close the value with {}", quote));
        break;  // the rest of the file is inside the quote
      }
      // After the closing quote only blanks and a comment may follow.
      size_t after = q + 1;
      line_end = line_end_from(after);
      end = content_end(line_end);
      if (end < after) end = after;
      size_t r = after;
      while (r < end && IsBlank(text[r])) ++r;
      if (r < end && text[r] != '#') {
        error(r, fmt::format("unexpected text after the quoted value of '{}'", name),
              "put the whole value inside the quotes");
      } else {
        entries.emplace_back(std::move(name), std::move(value));
      }
      pos = line_end + 1;
      continue;
    }

    // Unquoted: up to the end of the line or an inline comment (a '#' after a blank).
    std::string_view raw(text.data() + equals + 1, end - equals - 1);
    for (size_t k = 1; k < raw.size(); ++k) {
      if (raw[k] == '#' && IsBlank(raw[k - 1])) {
        raw = raw.substr(0, k);
        break;
      }
    }
    entries.emplace_back(std::move(name), std::string(util::Trim(raw)));
    pos = line_end + 1;
  }
  if (!diagnostics.empty()) throw SqlflowError(std::move(diagnostics));
  return entries;
}

Environment Environment::FromProcess() {
  Environment environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) continue;
    environment.process_.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return environment;
}

void Environment::LoadDotEnv(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return;
  bool ok = true;
  std::string text = fs::is_regular_file(file, ec) ? ReadWholeFile(file, &ok) : std::string();
  if (!ok || !fs::is_regular_file(file, ec)) {
    throw UsageError("SF-ENV-002", fmt::format("cannot read environment file '{}'", file.string()));
  }
  SourceFile source(file.string(), std::move(text));
  for (auto& [name, value] : ParseDotEnv(source)) dotenv_[name] = std::move(value);  // later lines win
}

std::optional<std::string> Environment::Get(const std::string& name) const {
  if (auto it = process_.find(name); it != process_.end()) return it->second;
  if (auto it = dotenv_.find(name); it != dotenv_.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> Environment::Names() const {
  std::set<std::string> names;
  for (const auto& [name, value] : process_) names.insert(name);
  for (const auto& [name, value] : dotenv_) names.insert(name);
  return {names.begin(), names.end()};
}

void Environment::Set(const std::string& name, std::string value) {
  process_[name] = std::move(value);
}

// ---------------------------------------------------------------------------------------------
// Project root and profiles

fs::path FindProjectRoot(const fs::path& start, const std::optional<fs::path>& explicit_dir) {
  if (explicit_dir) {
    fs::path dir = Normalize(*explicit_dir);
    if (!IsDirectory(dir)) {
      throw UsageError("SF-PROJECT-001", fmt::format("project directory '{}' does not exist", dir.string()));
    }
    if (!IsDirectory(dir / "profiles")) {
      throw UsageError(
          "SF-PROJECT-001",
          fmt::format("'{}' is not a SQLFlow project: it has no profiles/ folder", dir.string()),
          "pass the directory that contains profiles/, or create a project with `sqlflow init NAME`");
    }
    return dir;
  }
  fs::path dir = Normalize(start);
  for (;;) {
    if (IsDirectory(dir / "profiles")) return dir;
    fs::path parent = dir.parent_path();
    if (parent == dir || parent.empty()) break;
    dir = parent;
  }
  throw UsageError("SF-PROJECT-002",
                   fmt::format("no SQLFlow project found in '{}' or any parent directory (a project has a "
                               "profiles/ folder)",
                               Normalize(start).string()),
                   "run inside a project, pass --project-dir DIR, or create one with `sqlflow init NAME`");
}

std::vector<std::string> ListProfiles(const fs::path& root) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(root / "profiles", ec);
  if (ec) return names;
  for (const auto& entry : it) {
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec)) continue;
    if (entry.path().extension() != ".yml") continue;
    std::string stem = entry.path().stem().string();
    if (!stem.empty()) names.push_back(std::move(stem));
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

const std::vector<std::string> kTopKeys = {"engines", "variables", "connectors", "paths",
                                           "load",    "execution", "schema",     "secrets"};
const std::vector<std::string> kSchemaKeys = {"on_schema_change"};
const std::vector<std::string> kExecutionKeys = {"threads", "on_failure", "retries", "retry_delay"};
// The largest execution.threads (each worker opens its own DuckDB connection) and retries.
constexpr int kMaxThreads = 1024;
constexpr int kMaxRetries = 100;
const std::vector<std::string> kLoadKeys = {"schema", "add_columns"};
const std::vector<std::string> kEngineKeys = {"duckdb"};
const std::vector<std::string> kDuckdbKeys = {"mode", "path", "memory_limit", "threads", "temp_directory"};
const std::vector<std::string> kConnectorKeys = {"type", "params"};
const std::vector<std::string> kPathKeys = {"pipelines"};

// Bounds on what a profile may make the reader do, whatever its text: YAML aliases can make a
// small file expand to billions of values, or refer to themselves.
constexpr size_t kMaxProfileBytes = 1 << 20;
constexpr int kMaxParamsDepth = 64;
constexpr size_t kMaxParamsValues = 100000;

bool IsNullWord(std::string_view text) {
  return text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::optional<bool> BoolWord(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// [-+]?[0-9]+
bool IsInteger(std::string_view text) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return false;
  }
  return true;
}

// [-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?, the YAML 1.2 core schema float without .inf/.nan.
bool IsDecimal(std::string_view text) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exponent = 0;
    while (i < text.size() && IsDigit(text[i])) ++i, ++exponent;
    if (exponent == 0) return false;
  }
  return i == text.size();
}

// A scalar after `${…}` expansion. Plain (unquoted, untagged) scalars are typed; quoted ones are text.
struct Scalar {
  std::string text;
  bool plain = true;
  bool null = false;
};

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class ProfileReader {
 public:
  ProfileReader(std::shared_ptr<const SourceFile> file, const Environment& env, fs::path root)
      : file_(std::move(file)), env_(env), root_(std::move(root)) {}

  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  Location At(const YAML::Mark& mark) const {
    size_t offset = 0;
    if (mark.pos >= 0) offset = std::min(static_cast<size_t>(mark.pos), file_->text().size());
    return Location{file_, offset};
  }

  void Error(const char* code, std::string message, Location location, std::string hint = "") {
    diagnostics_.push_back(Diagnostic{code, std::move(message), std::move(location), std::move(hint), {}});
  }

  void Read(const YAML::Node& doc, Profile& profile) {
    if (!doc.IsDefined() || doc.IsNull()) return;  // an empty profile: all defaults
    if (!doc.IsMap()) {
      Error("SF-PROFILE-004",
            "a profile must be a mapping with the keys engines, variables, connectors, paths",
            At(doc.Mark()));
      return;
    }
    for (const Entry& entry : Entries(doc, "", &kTopKeys)) {
      if (entry.key == "engines") {
        ReadEngines(entry, profile.engine);
      } else if (entry.key == "variables") {
        ReadVariables(entry, profile.variables);
      } else if (entry.key == "connectors") {
        ReadConnectors(entry, profile.connectors);
      } else if (entry.key == "paths") {
        ReadPaths(entry, profile);
      } else if (entry.key == "load") {
        ReadLoad(entry, profile.load);
      } else if (entry.key == "execution") {
        ReadExecution(entry, profile.execution);
      } else if (entry.key == "schema") {
        ReadSchema(entry, profile.schema);
      } else if (entry.key == "secrets") {
        ReadSecrets(entry, profile.secret_variables);
      }
    }
  }

 private:
  // Where a value is: its own mark, or its key's when it is empty (an empty value's mark is the next line).
  Location ValueAt(const Entry& entry) const {
    return entry.value.IsNull() ? At(entry.key_node.Mark()) : At(entry.value.Mark());
  }

  // The entries of a mapping, in order. Reports non-text and duplicate keys, and (when `allowed` is
  // given) unknown keys with the closest valid one. `context` names the mapping in messages.
  std::vector<Entry> Entries(const YAML::Node& map, const std::string& context,
                             const std::vector<std::string>* allowed, const std::string& unknown_hint = "") {
    std::vector<Entry> entries;
    std::map<std::string, YAML::Mark> seen;
    for (const auto& pair : map) {
      // Copies: yaml-cpp's iterator hands out a temporary pair of nodes.
      YAML::Node key_node = pair.first;
      if (!key_node.IsScalar()) {
        Error("SF-PROFILE-004",
              fmt::format("keys{} must be plain names", context.empty() ? "" : " in " + context),
              At(key_node.Mark()));
        continue;
      }
      std::string key = key_node.Scalar();
      std::string where = context.empty() ? "" : " in " + context;
      if (allowed && std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
        std::string hint = util::DidYouMean(key, *allowed);
        if (hint.empty()) {
          hint = unknown_hint.empty() ? "valid keys: " + util::Join(*allowed, ", ") : unknown_hint;
        }
        Error("SF-PROFILE-003", fmt::format("unknown key '{}'{}", key, where), At(key_node.Mark()), hint);
        continue;
      }
      if (auto previous = seen.find(key); previous != seen.end()) {
        Error("SF-PROFILE-011", fmt::format("duplicate key '{}'{}", key, where), At(key_node.Mark()),
              fmt::format("'{}' is already set on line {}", key, previous->second.line + 1));
        continue;
      }
      seen.emplace(key, key_node.Mark());
      entries.push_back(Entry{key, key_node, pair.second});
    }
    return entries;
  }

  // True when `entry` holds a mapping; an empty value is fine (and false); anything else is reported.
  bool IsMapping(const Entry& entry, const std::string& what) {
    if (entry.value.IsMap()) return true;
    if (!entry.value.IsNull()) {
      Error("SF-PROFILE-004", fmt::format("{} must be a mapping (key: value lines)", what), ValueAt(entry));
    }
    return false;
  }

  // Where the `${…}` at `reference_offset` of a scalar's value sits in the file.
  Location ReferenceAt(const YAML::Node& node, const std::string& value,
                       const lang::VariableReference& reference) {
    Location base = At(node.Mark());
    const std::string& text = file_->text();
    std::string spelling = value.substr(reference.offset, reference.length == 0 ? 2 : reference.length);
    size_t start = base.offset;
    if (start < text.size() && (text[start] == '"' || text[start] == '\'')) ++start;
    if (start + reference.offset <= text.size() &&
        text.compare(start + reference.offset, spelling.size(), spelling) == 0) {
      return Location{file_, start + reference.offset};
    }
    size_t found = text.find(spelling, base.offset);
    return found == std::string::npos ? base : Location{file_, found};
  }

  // Expands `${NAME}` / `${NAME|default}` from the environment; reports unset names.
  std::optional<std::string> Expand(const YAML::Node& node, const std::string& value, bool* had_references) {
    auto references = lang::FindVariableReferences(value);
    *had_references = !references.empty();
    if (references.empty()) return value;
    std::string result;
    size_t copied = 0;
    bool ok = true;
    for (const auto& reference : references) {
      result.append(value, copied, reference.offset - copied);
      if (reference.length == 0) {
        Error("SF-PROFILE-009", "unterminated '${' in a value", ReferenceAt(node, value, reference),
              "write ${NAME} or ${NAME|default}");
        return std::nullopt;
      }
      copied = reference.offset + reference.length;
      if (reference.name.empty()) {
        Error("SF-PROFILE-008", "'${}' names no environment variable", ReferenceAt(node, value, reference),
              "write ${NAME} or ${NAME|default}");
        ok = false;
        continue;
      }
      if (auto found = env_.Get(reference.name)) {
        result += *found;
      } else if (reference.default_value) {
        result += *reference.default_value;
      } else {
        Error("SF-PROFILE-008", fmt::format("environment variable '{}' is not set", reference.name),
              ReferenceAt(node, value, reference),
              fmt::format(
                  "set it in the environment or in the project's .env, or give a default: ${{{}|value}}",
                  reference.name));
        ok = false;
      }
    }
    result.append(value, copied, std::string::npos);
    if (!ok) return std::nullopt;
    return result;
  }

  // A single value (expanded), or nullopt after reporting a list/mapping or an expansion problem.
  std::optional<Scalar> ReadScalar(const Entry& entry, const std::string& what) {
    return ReadScalar(entry.value, what, ValueAt(entry));
  }

  std::optional<Scalar> ReadScalar(const YAML::Node& node, const std::string& what, const Location& where) {
    if (!node.IsDefined() || node.IsNull()) return Scalar{"", true, true};
    if (!node.IsScalar()) {
      Error("SF-PROFILE-004",
            fmt::format("{} must be a single value, not a {}", what, node.IsSequence() ? "list" : "mapping"),
            where);
      return std::nullopt;
    }
    bool had_references = false;
    auto expanded = Expand(node, node.Scalar(), &had_references);
    if (!expanded) return std::nullopt;
    // An environment variable can still bring bytes that are not UTF-8.
    if (!util::IsValidUtf8(*expanded)) {
      Error("SF-PROFILE-016", fmt::format("{} is not UTF-8 text", what), where,
            had_references ? "check the environment variables it names"
                           : "write the character itself, not an escape");
      return std::nullopt;
    }
    Scalar scalar;
    scalar.plain = node.Tag() == "?";
    scalar.null = scalar.plain && (IsNullWord(*expanded) || (expanded->empty() && !had_references));
    scalar.text = std::move(*expanded);
    return scalar;
  }

  fs::path Resolve(const std::string& text) const {
    fs::path path(text);
    if (path.is_relative()) path = root_ / path;
    return path.lexically_normal();
  }

  void ReadEngines(const Entry& engines, EngineConfig& engine) {
    if (!IsMapping(engines, "'engines'")) return;
    for (const Entry& entry : Entries(engines.value, "engines", &kEngineKeys)) {
      if (entry.key == "duckdb") ReadDuckdb(entry, engine);
    }
  }

  void ReadDuckdb(const Entry& duckdb, EngineConfig& engine) {
    if (!IsMapping(duckdb, "'engines.duckdb'")) return;
    std::optional<Location> mode_at, path_at, memory_limit_at;
    for (const Entry& entry : Entries(duckdb.value, "engines.duckdb", &kDuckdbKeys)) {
      std::string what = "engines.duckdb." + entry.key;
      auto scalar = ReadScalar(entry, what);
      if (!scalar) continue;
      if (entry.key == "mode") {
        mode_at = ValueAt(entry);
        std::string mode = util::ToLower(scalar->text);
        if (mode == "memory") {
          engine.mode = EngineConfig::Mode::kMemory;
        } else if (mode == "persistent") {
          engine.mode = EngineConfig::Mode::kPersistent;
        } else {
          std::string hint = util::DidYouMean(scalar->text, {"memory", "persistent"});
          Error("SF-PROFILE-005",
                scalar->null ? std::string("engines.duckdb.mode must be 'memory' or 'persistent'")
                             : fmt::format("engines.duckdb.mode must be 'memory' or 'persistent', not '{}'",
                                           scalar->text),
                ValueAt(entry),
                hint.empty() ? "memory keeps data for one run; persistent stores it in `path`" : hint);
        }
      } else if (entry.key == "path") {
        if (!scalar->null && !scalar->text.empty()) {
          path_at = ValueAt(entry);
          engine.path = Resolve(scalar->text);
          // A path without a mode means a database file is wanted: never silently run in memory.
          if (!mode_at) engine.mode = EngineConfig::Mode::kPersistent;
        }
      } else if (entry.key == "memory_limit") {
        engine.memory_limit = scalar->null ? std::string() : scalar->text;
        memory_limit_at = ValueAt(entry);
      } else if (entry.key == "threads") {
        if (scalar->null) continue;
        int threads = 0;
        std::string_view text = util::Trim(scalar->text);
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), threads);
        if (ec != std::errc() || end != text.data() + text.size() || threads <= 0) {
          Error("SF-PROFILE-007",
                fmt::format("engines.duckdb.threads must be a positive integer, not '{}'", scalar->text),
                ValueAt(entry), "leave threads out to let DuckDB use every core");
        } else {
          engine.threads = threads;
        }
      } else if (entry.key == "temp_directory") {
        engine.temp_directory = scalar->null || scalar->text.empty() ? fs::path() : Resolve(scalar->text);
      }
    }
    // A mode given after the path wins over the inferred one; check the combination once at the end.
    if (engine.mode == EngineConfig::Mode::kPersistent && engine.path.empty()) {
      Error("SF-PROFILE-006", "a persistent engine needs engines.duckdb.path",
            mode_at ? *mode_at : At(duckdb.key_node.Mark()),
            "add `path: target/<name>.duckdb` (relative to the project root), or use `mode: memory`");
    }
    CheckDatabaseFile(engine, path_at);
    if (!engine.memory_limit.empty() && !engine::IsValidSetting("memory_limit", engine.memory_limit)) {
      Error("SF-PROFILE-017",
            fmt::format("engines.duckdb.memory_limit '{}' is not a size DuckDB accepts", engine.memory_limit),
            *memory_limit_at, "give a number with a unit: 512MB, 4GB, 1.5GiB");
    }
  }

  // DuckDB would open a CSV or Parquet file as an in-memory database with a view over it: a run
  // that looks persistent would keep nothing. A missing file is created on the first run.
  void CheckDatabaseFile(const EngineConfig& engine, const std::optional<Location>& path_at) {
    std::error_code error;
    if (engine.mode != EngineConfig::Mode::kPersistent || !path_at) return;
    if (!fs::is_regular_file(engine.path, error) || engine::IsDatabaseFile(engine.path)) return;
    Error("SF-PROFILE-018",
          fmt::format("engines.duckdb.path '{}' is not a DuckDB database file", engine.path.string()),
          *path_at,
          "point it at a .duckdb file, or at a path that does not exist yet (it is created); read data "
          "files with SOURCE");
  }

  // `secrets: [name, ...]`: variables whose values are secret although their names do not say so.
  void ReadSecrets(const Entry& secrets, std::set<std::string>& out) {
    if (secrets.value.IsNull()) return;
    if (!secrets.value.IsSequence()) {
      Error("SF-PROFILE-004", "'secrets' must be a list of variable names", ValueAt(secrets),
            "write secrets: [db_pass, api_secret]");
      return;
    }
    for (const auto& item : secrets.value) {
      auto name = ReadScalar(item, "a name in 'secrets'", At(item.Mark()));
      if (name && !name->text.empty()) out.insert(name->text);
    }
  }

  void ReadVariables(const Entry& variables, std::map<std::string, lang::Value>& out) {
    if (!IsMapping(variables, "'variables'")) return;
    for (const Entry& entry : Entries(variables.value, "variables", nullptr)) {
      auto scalar = ReadScalar(entry, fmt::format("variable '{}'", entry.key));
      if (!scalar) continue;
      out[entry.key] = ToValue(*scalar);
    }
  }

  static lang::Value ToValue(const Scalar& scalar) {
    if (scalar.null) return lang::Value::Null();
    if (!scalar.plain) return lang::Value::Text(scalar.text);
    if (auto b = BoolWord(scalar.text)) return lang::Value::Bool(*b);
    if (IsDecimal(scalar.text)) {
      return lang::Value::Number(scalar.text[0] == '+' ? scalar.text.substr(1) : scalar.text);
    }
    return lang::Value::Text(scalar.text);
  }

  void ReadConnectors(const Entry& connectors, std::map<std::string, ConnectorConfig>& out) {
    if (!IsMapping(connectors, "'connectors'")) return;
    for (const Entry& entry : Entries(connectors.value, "connectors", nullptr)) {
      ConnectorConfig connector;
      connector.name = entry.key;
      connector.params = nlohmann::json::object();
      std::string what = fmt::format("connector '{}'", entry.key);
      if (!entry.value.IsMap()) {
        Error("SF-PROFILE-004", fmt::format("{} must be a mapping with 'type' and 'params'", what),
              ValueAt(entry), "for example: {type: POSTGRES, params: {host: localhost}}");
        continue;
      }
      // A misspelled `type` is reported as an unknown key; do not also report it as missing.
      size_t before = diagnostics_.size();
      auto fields = Entries(entry.value, what, &kConnectorKeys, "connection settings go under 'params'");
      bool unknown_key = diagnostics_.size() != before;
      bool has_type = false;
      for (const Entry& field : fields) {
        if (field.key == "type") {
          has_type = true;
          auto scalar = ReadScalar(field, what + " type");
          if (!scalar) continue;
          if (scalar->null || util::Trim(scalar->text).empty()) {
            Error("SF-PROFILE-010", fmt::format("{} has an empty type", what), ValueAt(field),
                  "for example: `type: POSTGRES` (or S3, CSV, PARQUET, JSON)");
            continue;
          }
          connector.type = util::ToUpper(util::Trim(scalar->text));
        } else if (field.key == "params") {
          if (field.value.IsNull()) continue;
          if (!field.value.IsMap()) {
            Error("SF-PROFILE-004", fmt::format("{} params must be a mapping", what), ValueAt(field));
            continue;
          }
          connector.params = ToJson(field.value, what + " params", At(field.value.Mark()));
        }
      }
      if (!has_type && !unknown_key) {
        Error("SF-PROFILE-010", fmt::format("{} has no type", what), At(entry.key_node.Mark()),
              "add `type: POSTGRES` (or S3, CSV, PARQUET, JSON)");
      }
      out[entry.key] = std::move(connector);
    }
  }

  void ReadLoad(const Entry& load, LoadDefaults& out) {
    if (!IsMapping(load, "'load'")) return;
    for (const Entry& entry : Entries(load.value, "load", &kLoadKeys)) {
      auto scalar = ReadScalar(entry, "load." + entry.key);
      if (!scalar || scalar->null) continue;
      std::string text = util::ToLower(scalar->text);
      if (entry.key == "schema") {
        if (text == "strict" || text == "widen") {
          out.strict = text == "strict";
        } else {
          Error("SF-PROFILE-013",
                fmt::format("load.schema must be 'widen' or 'strict', not '{}'", scalar->text),
                ValueAt(entry),
                "widen allows safe type widening (INTEGER -> BIGINT); strict wants equal types");
        }
      } else if (entry.key == "add_columns") {
        if (text == "true" || text == "false") {
          out.add_columns = text == "true";
        } else {
          Error("SF-PROFILE-013",
                fmt::format("load.add_columns must be true or false, not '{}'", scalar->text),
                ValueAt(entry));
        }
      }
    }
  }

  void ReadSchema(const Entry& schema, SchemaDefaults& out) {
    if (!IsMapping(schema, "'schema'")) return;
    for (const Entry& entry : Entries(schema.value, "schema", &kSchemaKeys)) {
      auto scalar = ReadScalar(entry, "schema." + entry.key);
      if (!scalar || scalar->null) continue;
      std::string text = util::ToLower(scalar->text);
      const auto& policies = schema::PolicyNames();
      if (std::find(policies.begin(), policies.end(), text) != policies.end()) {
        out.on_schema_change = text;
      } else {
        std::string hint = util::DidYouMean(scalar->text, policies);
        Error("SF-PROFILE-013",
              fmt::format("schema.on_schema_change must be one of {}, not '{}'", util::Join(policies, ", "),
                          scalar->text),
              ValueAt(entry), hint.empty() ? "see docs/schema_management.md" : hint);
      }
    }
  }

  void ReadExecution(const Entry& execution, ExecutionDefaults& out) {
    if (!IsMapping(execution, "'execution'")) return;
    for (const Entry& entry : Entries(execution.value, "execution", &kExecutionKeys)) {
      auto scalar = ReadScalar(entry, "execution." + entry.key);
      if (!scalar || scalar->null) continue;
      std::string text(util::Trim(scalar->text));
      auto bad = [&](const std::string& what) {
        Error("SF-PROFILE-014",
              fmt::format("execution.{} must be {}, not '{}'", entry.key, what, scalar->text),
              ValueAt(entry));
      };
      if (entry.key == "on_failure") {
        std::string policy = util::ToLower(text);
        if (policy == "fail_fast" || policy == "continue") {
          out.on_failure = policy;
        } else {
          bad("fail_fast or continue");
        }
        continue;
      }
      char* end = nullptr;
      double number = std::strtod(text.c_str(), &end);
      // Finite numbers only: strtod also reads "inf" and "nan".
      bool is_number = !text.empty() && end && *end == '\0' && std::isfinite(number);
      if (entry.key == "retry_delay") {
        if (!is_number || number < 0) {
          bad("a number of seconds (0 or more)");
        } else {
          out.retry_delay = number;
        }
        continue;
      }
      // Checked as a double first: converting one outside int's range is undefined behaviour.
      bool threads = entry.key == "threads";
      int low = threads ? 1 : 0, high = threads ? kMaxThreads : kMaxRetries;
      if (!is_number || number < low || number > high || number != std::trunc(number)) {
        bad(fmt::format("an integer from {} to {}", low, high));
      } else if (threads) {
        out.threads = static_cast<int>(number);
      } else {
        out.retries = static_cast<int>(number);
      }
    }
  }

  void ReadPaths(const Entry& paths, Profile& profile) {
    if (!IsMapping(paths, "'paths'")) return;
    for (const Entry& entry : Entries(paths.value, "paths", &kPathKeys)) {
      auto scalar = ReadScalar(entry, "paths." + entry.key);
      if (!scalar || scalar->null || scalar->text.empty()) continue;
      if (entry.key == "pipelines") profile.pipelines_dir = Resolve(scalar->text);
    }
  }

  // YAML → JSON keeping types: null, bool, integer, float, text, lists and mappings.
  nlohmann::json ToJson(const YAML::Node& node, const std::string& what, const Location& where,
                        int depth = 0) {
    if (!node.IsDefined() || node.IsNull()) return nullptr;
    if (params_too_large_) return nullptr;  // reported once
    if (depth > kMaxParamsDepth || ++params_values_ > kMaxParamsValues) {
      params_too_large_ = true;
      Error("SF-PROFILE-015",
            depth > kMaxParamsDepth
                ? fmt::format("{} nest more than {} levels deep", what, kMaxParamsDepth)
                : fmt::format("the connector params expand to more than {} values", kMaxParamsValues),
            where,
            "an alias (*name) that refers to its own anchor, or to large ones many times, expands endlessly");
      return nullptr;
    }
    if (node.IsSequence()) {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(ToJson(item, what, At(item.Mark()), depth + 1));
      return array;
    }
    if (node.IsMap()) {
      nlohmann::json object = nlohmann::json::object();
      for (const Entry& entry : Entries(node, what, nullptr)) {
        object[entry.key] = ToJson(entry.value, what + "." + entry.key, ValueAt(entry), depth + 1);
      }
      return object;
    }
    auto scalar = ReadScalar(node, what, where);
    if (!scalar) return nullptr;  // already reported
    if (scalar->null) return nullptr;
    if (!scalar->plain) return scalar->text;
    const std::string& text = scalar->text;
    if (auto b = BoolWord(text)) return *b;
    if (IsInteger(text)) {
      std::string_view digits = text[0] == '+' ? std::string_view(text).substr(1) : std::string_view(text);
      int64_t signed_value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), signed_value);
      if (ec == std::errc() && end == digits.data() + digits.size()) return signed_value;
      uint64_t unsigned_value = 0;
      auto [uend, uec] = std::from_chars(digits.data(), digits.data() + digits.size(), unsigned_value);
      if (uec == std::errc() && uend == digits.data() + digits.size()) return unsigned_value;
    }
    if (IsDecimal(text)) {
      errno = 0;
      char* end = nullptr;
      double value = std::strtod(text.c_str(), &end);
      if (errno == 0 && end == text.c_str() + text.size()) return value;
    }
    return text;
  }

  std::shared_ptr<const SourceFile> file_;
  const Environment& env_;
  fs::path root_;
  std::vector<Diagnostic> diagnostics_;
  size_t params_values_ = 0;  // values ToJson made so far, across all connectors
  bool params_too_large_ = false;
};

[[noreturn]] void ThrowProfileNotFound(const fs::path& root, const std::string& name) {
  std::vector<std::string> available = ListProfiles(root);
  std::string hint;
  std::error_code ec;
  if (!name.empty() && fs::is_regular_file(root / "profiles" / (name + ".yaml"), ec)) {
    hint = fmt::format("rename profiles/{0}.yaml to profiles/{0}.yml", name);
  } else if (available.empty()) {
    hint = fmt::format("there are no profiles in {}; create profiles/{}.yml", (root / "profiles").string(),
                       name.empty() ? "dev" : name);
  } else {
    hint = util::DidYouMean(name, available);
    if (!hint.empty()) hint += " ";
    hint += "available profiles: " + util::Join(available, ", ");
  }
  throw UsageError(
      "SF-PROFILE-001",
      fmt::format("profile '{}' not found (no file profiles/{}.yml in {})", name, name, root.string()), hint);
}

}  // namespace

Profile LoadProfile(const fs::path& root, const std::string& name, const Environment& env) {
  fs::path base = Normalize(root);
  bool bad_name = name.empty() || name.find('/') != std::string::npos ||
                  name.find('\\') != std::string::npos || name == "." || name == "..";
  fs::path file = base / "profiles" / (name + ".yml");
  std::error_code ec;
  fs::file_status status = fs::status(file, ec);
  if (!bad_name && status.type() != fs::file_type::not_found && !fs::is_regular_file(status)) {
    throw UsageError("SF-PROFILE-012", fmt::format("cannot read profile file '{}': {}", file.string(),
                                                   ec ? ec.message() : "it is not a file"));
  }
  if (bad_name || !fs::is_regular_file(status)) ThrowProfileNotFound(base, name);

  bool ok = true;
  std::string text = ReadWholeFile(file, &ok);
  if (!ok) throw UsageError("SF-PROFILE-012", fmt::format("cannot read profile file '{}'", file.string()));
  return ParseProfile(std::move(text), file, base, name, env);
}

Profile ParseProfile(std::string text, const fs::path& file, const fs::path& root, const std::string& name,
                     const Environment& env) {
  fs::path base = Normalize(root);
  auto source = std::make_shared<const SourceFile>(file.string(), std::move(text));
  if (source->text().size() > kMaxProfileBytes) {
    throw SqlflowError(Diagnostic{"SF-PROFILE-015",
                                  fmt::format("the profile is {} bytes; a profile may have at most {}",
                                              source->text().size(), kMaxProfileBytes),
                                  Location{source, 0},
                                  "a profile holds settings: keep data in files that connectors read",
                                  {}});
  }
  // Connector params become JSON, which is UTF-8 only; so is YAML.
  if (size_t bad = util::InvalidUtf8At(source->text()); bad != std::string::npos) {
    throw SqlflowError(Diagnostic{"SF-PROFILE-016",
                                  "the profile is not UTF-8 text",
                                  Location{source, bad},
                                  "save the file as UTF-8",
                                  {}});
  }

  Profile profile;
  profile.name = name;
  profile.file = file;
  profile.pipelines_dir = base / "pipelines";

  ProfileReader reader(source, env, base);
  YAML::Node doc;
  try {
    doc = YAML::Load(source->text());
  } catch (const YAML::Exception& e) {
    throw SqlflowError(Diagnostic{"SF-PROFILE-002",
                                  "invalid YAML: " + e.msg,
                                  reader.At(e.mark),
                                  "check the indentation and quoting",
                                  {}});
  }
  try {
    reader.Read(doc, profile);
  } catch (const YAML::Exception& e) {
    reader.Error("SF-PROFILE-002", "invalid YAML: " + e.msg, reader.At(e.mark));
  }
  auto& diagnostics = reader.diagnostics();
  if (!diagnostics.empty()) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return a.location.offset < b.location.offset;
    });
    throw SqlflowError(std::move(diagnostics));
  }
  return profile;
}

}  // namespace sqlflow::project
