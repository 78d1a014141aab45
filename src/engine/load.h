#pragma once
// Writes a query's rows into a table with a load mode, in one transaction: a failure leaves the
// table exactly as it was. APPEND and MERGE check the schemas first and report every problem.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/duckdb.h"
#include "engine/schema.h"

namespace sqlflow::engine {

struct WriteMode {
  enum class Kind { kReplace, kAppend, kMerge };
  Kind kind = Kind::kReplace;
  std::vector<std::string> keys;  // kMerge
  bool strict = false;            // types must be equal; otherwise safe widening is allowed
  bool add_columns = false;       // columns new in the source are added to the target
  // Called once with the columns of the new rows as soon as they are known, inside the write's
  // transaction and before it commits (for REPLACE after the table was filled, for APPEND and
  // MERGE before the target changes). Returns whether columns new in the source may be added to
  // the target; throwing aborts the write and rolls it back. Used by schema drift detection: the
  // rows' shape comes from the read the load makes anyway, so a CSV is not sniffed twice.
  std::function<bool(const std::vector<Column>&)> check_new_rows;
  // Called inside the write's transaction right before it commits, to write what must commit
  // with the rows or not at all (the run's commit ledger); throwing rolls the write back.
  std::function<void()> before_commit;
};

struct WriteResult {
  uint64_t rows = 0;  // rows written: inserted + updated
  uint64_t inserted = 0;
  uint64_t updated = 0;
  bool created = false;  // the table did not exist before
};

// What stops an APPEND or MERGE before anything is written: every problem, one per line.
class SchemaError : public EngineError {
 public:
  SchemaError(const std::string& summary, std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// REPLACE by a table already filled: in one transaction `target` is dropped and `filled` (in the
// same schema) takes its name, so no row is copied. Returns nothing; throws EngineError.
// `before_commit` as in WriteMode.
void ReplaceWithTable(Connection& connection, const std::string& target, const std::string& filled,
                      const std::function<void()>& before_commit = {});

// REPLACE: the table becomes exactly the query's rows. APPEND: rows inserted by column name.
// MERGE: rows whose keys match are updated, the others inserted. APPEND and MERGE create a
// missing table.
WriteResult WriteTable(Connection& connection, const std::string& table, const std::string& query,
                       const WriteMode& mode);

}  // namespace sqlflow::engine
