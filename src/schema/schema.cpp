#include "schema/schema.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "util/strings.h"

namespace sqlflow::schema {

namespace {

uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string TypeKey(const std::string& type) {
  return util::ToUpper(util::Trim(type));
}

// Names looked up case-insensitively, as DuckDB does.
std::map<std::string, size_t> IndexByName(const std::vector<Column>& columns) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < columns.size(); ++i) index.emplace(util::ToLower(columns[i].name), i);
  return index;
}

// The columns present in both schemas that keep their relative order: the longest common
// subsequence of the shared names. The others moved.
std::vector<bool> KeptOrder(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  size_t n = before.size(), m = after.size();
  std::vector<std::vector<size_t>> lengths(n + 1, std::vector<size_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lengths[i][j] =
          before[i] == after[j] ? lengths[i + 1][j + 1] + 1 : std::max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  std::vector<bool> kept(m, false);  // by position in `after`
  for (size_t i = 0, j = 0; i < n && j < m;) {
    if (before[i] == after[j]) {
      kept[j] = true;
      ++i;
      ++j;
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return kept;
}

bool LooksRenamed(const Column& removed, int removed_position, const Column& added, int added_position) {
  if (TypeKey(removed.type) != TypeKey(added.type)) return false;
  if (removed_position == added_position) return true;
  std::string a = util::ToLower(removed.name), b = util::ToLower(added.name);
  return util::EditDistance(a, b) <= 2 || a.find(b) != std::string::npos || b.find(a) != std::string::npos;
}

std::string Quoted(const std::string& name) {
  return "\"" + name + "\"";
}

}  // namespace

std::string Schema::Fingerprint() const {
  std::string canonical;
  for (const auto& column : columns) {
    canonical += util::ToLower(column.name);
    canonical += '\x1f';
    canonical += TypeKey(column.type);
    canonical += column.nullable ? "\x1fNULL" : "\x1fNOT NULL";
    canonical += '\x1e';
  }
  return fmt::format("{:016x}", Fnv1a64(canonical));
}

nlohmann::json Schema::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& column : columns)
    list.push_back({{"name", column.name}, {"type", column.type}, {"nullable", column.nullable}});
  return {{"columns", list}, {"fingerprint", Fingerprint()}};
}

Schema Schema::FromJson(const nlohmann::json& json) {
  const nlohmann::json* list = &json;
  if (json.is_object()) {
    if (!json.contains("columns")) throw std::invalid_argument("a schema object needs \"columns\"");
    list = &json["columns"];
  }
  if (!list->is_array()) throw std::invalid_argument("\"columns\" must be a list of columns");
  Schema schema;
  for (const auto& item : *list) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() || !item.contains("type") ||
        !item["type"].is_string()) {
      throw std::invalid_argument("each column needs a \"name\" and a \"type\" (strings), got " +
                                  item.dump());
    }
    bool nullable = true;
    if (item.contains("nullable")) {
      if (!item["nullable"].is_boolean())
        throw std::invalid_argument("\"nullable\" must be true or false, got " + item["nullable"].dump());
      nullable = item["nullable"].get<bool>();
    }
    schema.columns.push_back(Column{item["name"].get<std::string>(), TypeKey(item["type"]), nullable});
  }
  return schema;
}

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kIdentical:
      return "identical";
    case Verdict::kCompatible:
      return "compatible";
    case Verdict::kBreaking:
      return "breaking";
  }
  return "?";
}

const char* ChangeKindName(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::kAdded:
      return "added";
    case Change::Kind::kRemoved:
      return "removed";
    case Change::Kind::kRenamed:
      return "renamed";
    case Change::Kind::kWidened:
      return "widened";
    case Change::Kind::kTypeChanged:
      return "type_changed";
    case Change::Kind::kNullability:
      return "nullability";
    case Change::Kind::kMoved:
      return "moved";
  }
  return "?";
}

bool Change::breaking() const {
  return kind == Kind::kRemoved || kind == Kind::kRenamed || kind == Kind::kTypeChanged;
}

std::string Change::Describe() const {
  switch (kind) {
    case Kind::kAdded:
      return fmt::format("column {} ({}) added at position {}", Quoted(column), to, new_position);
    case Kind::kRemoved:
      return fmt::format("column {} ({}) removed (breaking)", Quoted(column), from);
    case Kind::kRenamed:
      return fmt::format("column {} looks renamed to {} ({}) (breaking)", Quoted(old_name), Quoted(column),
                         to);
    case Kind::kWidened:
      return fmt::format("column {} widened {} -> {}", Quoted(column), from, to);
    case Kind::kTypeChanged:
      return fmt::format("column {} changed type {} -> {} (breaking: old values may not fit)", Quoted(column),
                         from, to);
    case Kind::kNullability:
      return fmt::format("column {} changed {} -> {}", Quoted(column), from, to);
    case Kind::kMoved:
      return fmt::format("column {} moved from position {} to {}", Quoted(column), old_position,
                         new_position);
  }
  return "?";
}

std::vector<std::string> Diff::AddedColumns() const {
  std::vector<std::string> names;
  for (const auto& change : changes) {
    if (change.kind == Change::Kind::kAdded) names.push_back(change.column);
  }
  return names;
}

nlohmann::json Diff::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& change : changes) {
    nlohmann::json item = {{"change", ChangeKindName(change.kind)},
                           {"column", change.column},
                           {"breaking", change.breaking()},
                           {"description", change.Describe()}};
    if (!change.old_name.empty()) item["old_name"] = change.old_name;
    if (!change.from.empty()) item["from"] = change.from;
    if (!change.to.empty()) item["to"] = change.to;
    if (change.old_position > 0) item["old_position"] = change.old_position;
    if (change.new_position > 0) item["new_position"] = change.new_position;
    list.push_back(std::move(item));
  }
  return {{"verdict", VerdictName(verdict)},
          {"accepted_fingerprint", accepted_fingerprint},
          {"current_fingerprint", current_fingerprint},
          {"changes", list}};
}

std::string Diff::ToText() const {
  if (changes.empty()) return "identical";
  std::vector<std::string> lines;
  for (const auto& change : changes) lines.push_back(change.Describe());
  return util::Join(lines, "\n");
}

std::string Diff::Summary() const {
  if (changes.empty()) return "identical";
  std::map<Change::Kind, int> counts;
  for (const auto& change : changes) ++counts[change.kind];
  std::vector<std::string> parts;
  for (const auto& [kind, count] : counts) parts.push_back(fmt::format("{} {}", count, ChangeKindName(kind)));
  return util::Join(parts, ", ");
}

Diff Compare(const Schema& accepted, const Schema& current) {
  Diff diff;
  diff.accepted_fingerprint = accepted.Fingerprint();
  diff.current_fingerprint = current.Fingerprint();
  auto old_index = IndexByName(accepted.columns);
  auto new_index = IndexByName(current.columns);

  std::vector<std::string> shared_before, shared_after;
  for (const auto& column : accepted.columns) {
    if (new_index.count(util::ToLower(column.name))) shared_before.push_back(util::ToLower(column.name));
  }
  for (const auto& column : current.columns) {
    if (old_index.count(util::ToLower(column.name))) shared_after.push_back(util::ToLower(column.name));
  }
  std::vector<bool> kept = KeptOrder(shared_before, shared_after);

  std::vector<size_t> removed;  // indexes into accepted
  for (size_t i = 0; i < accepted.columns.size(); ++i) {
    if (!new_index.count(util::ToLower(accepted.columns[i].name))) removed.push_back(i);
  }
  std::vector<bool> removal_paired(removed.size(), false);

  size_t shared = 0;
  for (size_t j = 0; j < current.columns.size(); ++j) {
    const Column& column = current.columns[j];
    int position = static_cast<int>(j) + 1;
    auto found = old_index.find(util::ToLower(column.name));
    if (found == old_index.end()) {
      Change change{Change::Kind::kAdded, column.name, "", "", TypeKey(column.type), -1, position};
      for (size_t r = 0; r < removed.size(); ++r) {
        const Column& old = accepted.columns[removed[r]];
        if (removal_paired[r] || !LooksRenamed(old, static_cast<int>(removed[r]) + 1, column, position))
          continue;
        removal_paired[r] = true;
        change = Change{
            Change::Kind::kRenamed,           column.name, old.name, TypeKey(old.type), TypeKey(column.type),
            static_cast<int>(removed[r]) + 1, position};
        break;
      }
      diff.changes.push_back(change);
      continue;
    }
    const Column& old = accepted.columns[found->second];
    int old_position = static_cast<int>(found->second) + 1;
    std::string from = TypeKey(old.type), to = TypeKey(column.type);
    if (from != to) {
      bool widened = engine::IsSafeWidening(from, to);
      diff.changes.push_back({widened ? Change::Kind::kWidened : Change::Kind::kTypeChanged, column.name, "",
                              from, to, old_position, position});
    }
    if (old.nullable != column.nullable) {
      diff.changes.push_back({Change::Kind::kNullability, column.name, "", old.nullable ? "NULL" : "NOT NULL",
                              column.nullable ? "NULL" : "NOT NULL", old_position, position});
    }
    if (!kept[shared++]) {
      diff.changes.push_back({Change::Kind::kMoved, column.name, "", "", "", old_position, position});
    }
  }
  for (size_t r = 0; r < removed.size(); ++r) {
    if (removal_paired[r]) continue;
    const Column& old = accepted.columns[removed[r]];
    diff.changes.push_back(
        {Change::Kind::kRemoved, old.name, "", TypeKey(old.type), "", static_cast<int>(removed[r]) + 1, -1});
  }
  bool breaking =
      std::any_of(diff.changes.begin(), diff.changes.end(), [](const auto& c) { return c.breaking(); });
  diff.verdict = diff.changes.empty() ? Verdict::kIdentical
                 : breaking           ? Verdict::kBreaking
                                      : Verdict::kCompatible;
  return diff;
}

const std::vector<std::string>& PolicyNames() {
  static const std::vector<std::string> names = {"fail", "warn", "evolve", "ignore"};
  return names;
}

std::optional<Policy> ParsePolicy(std::string_view text) {
  std::string lower = util::ToLower(util::Trim(text));
  if (lower.empty() || lower == "fail") return Policy::kFail;
  if (lower == "warn") return Policy::kWarn;
  if (lower == "evolve") return Policy::kEvolve;
  if (lower == "ignore") return Policy::kIgnore;
  return std::nullopt;
}

const char* PolicyName(Policy policy) {
  return PolicyNames()[static_cast<size_t>(policy)].c_str();
}

}  // namespace sqlflow::schema
