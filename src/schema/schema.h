#pragma once
// Schemas of sources as SQLFlow records them: ordered columns with a stable fingerprint, their JSON
// form, and the structured difference between an accepted schema and a current one, with a
// verdict. See docs/schema_management.md.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema.h"

namespace sqlflow::schema {

using Column = engine::Column;  // name, DuckDB type, nullable

struct Schema {
  std::vector<Column> columns;

  // 16 hex digits of FNV-1a 64 over the canonical form: lower-cased names, upper-cased types and
  // nullability, in order. Equal for equal shapes whatever the names' case.
  std::string Fingerprint() const;
  // {"columns": [{"name", "type", "nullable"}], "fingerprint"}
  nlohmann::json ToJson() const;
  // Reads ToJson's form (or a bare array of columns); throws std::invalid_argument with the cause.
  static Schema FromJson(const nlohmann::json& json);
};

enum class Verdict { kIdentical, kCompatible, kBreaking };
const char* VerdictName(Verdict verdict);

struct Change {
  enum class Kind {
    kAdded,        // compatible
    kRemoved,      // breaking
    kRenamed,      // breaking: a removed and an added column that look like one renamed
    kWidened,      // compatible: the type changed to one that holds every old value
    kTypeChanged,  // breaking: the type changed otherwise
    kNullability,  // compatible
    kMoved,        // compatible: loads match columns by name
  };
  Kind kind;
  std::string column;    // the current name (the old one for kRemoved)
  std::string old_name;  // kRenamed
  std::string from;      // old type, or "NULL"/"NOT NULL" for kNullability
  std::string to;
  int old_position = -1;  // 1-based; -1 when not in the accepted schema
  int new_position = -1;  // 1-based; -1 when not in the current schema
  bool breaking() const;
  // One line for humans: `column "amount" changed type DOUBLE -> BIGINT (breaking)`.
  std::string Describe() const;
};
const char* ChangeKindName(Change::Kind kind);

struct Diff {
  std::vector<Change> changes;  // in the current schema's column order, removals last
  Verdict verdict = Verdict::kIdentical;
  std::string accepted_fingerprint;
  std::string current_fingerprint;

  // Whether every change can be accepted automatically (policy evolve): nothing breaking.
  bool compatible() const { return verdict != Verdict::kBreaking; }
  // Columns new in the current schema (kAdded), for evolving APPEND and MERGE targets.
  std::vector<std::string> AddedColumns() const;
  // {"verdict", "accepted_fingerprint", "current_fingerprint", "changes": [{"change", "column",
  // "old_name", "from", "to", "old_position", "new_position", "breaking"}]}
  nlohmann::json ToJson() const;
  // "identical", or one line per change.
  std::string ToText() const;
  // A short summary for lists: "+1 added, 1 widened" or "identical".
  std::string Summary() const;
};

// What changed from `accepted` to `current`. Columns match by name, case-insensitively. A removed
// and an added column of the same type are reported as a rename when they sit at the same
// position or their names are within edit distance 2 (or one contains the other).
Diff Compare(const Schema& accepted, const Schema& current);

// What a LOAD does when its source drifted from the accepted schema.
enum class Policy {
  kFail,    // breaking changes fail the step; compatible ones are reported (default)
  kWarn,    // every change is reported; the load goes on
  kEvolve,  // compatible changes become the accepted schema (new columns are added to APPEND and
            // MERGE targets); breaking ones fail the step
  kIgnore,  // no capture, no check
};
std::optional<Policy> ParsePolicy(std::string_view text);  // case-insensitive; "" is kFail
const char* PolicyName(Policy policy);
const std::vector<std::string>& PolicyNames();

}  // namespace sqlflow::schema
