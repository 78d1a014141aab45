// Load modes: REPLACE, APPEND by name, MERGE on (composite) keys, the schema checks before APPEND
// and MERGE, and the one-transaction guarantee, on in-memory and persistent databases.

#include "engine/load.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/duckdb.h"
#include "engine/schema.h"
#include "util/temp_dir.h"

namespace sqlflow::engine {
namespace {

namespace fs = std::filesystem;

struct ScratchDir : util::TempDir {
  ScratchDir() : util::TempDir("sqlflow-load-test") {}
};

// Every row of a query, its values joined with '|', NULL spelled NULL.
std::vector<std::string> Rows(Connection& connection, const std::string& sql) {
  Result result = connection.Query(sql);
  std::vector<std::string> rows;
  for (size_t row = 0; row < result.row_count(); ++row) {
    std::string line;
    for (size_t column = 0; column < result.column_count(); ++column) {
      if (column > 0) line += '|';
      line += result.Value(column, row).value_or("NULL");
    }
    rows.push_back(line);
  }
  return rows;
}

// "name TYPE" per column of a table.
std::vector<std::string> Shape(Connection& connection, const std::string& table) {
  std::vector<std::string> shape;
  for (const Column& column : DescribeTable(connection, table))
    shape.push_back(column.name + " " + column.type);
  return shape;
}

WriteMode Replace() {
  return WriteMode{};
}

WriteMode Append(bool strict = false, bool add_columns = false) {
  WriteMode mode;
  mode.kind = WriteMode::Kind::kAppend;
  mode.strict = strict;
  mode.add_columns = add_columns;
  return mode;
}

WriteMode Merge(std::vector<std::string> keys, bool strict = false, bool add_columns = false) {
  WriteMode mode;
  mode.kind = WriteMode::Kind::kMerge;
  mode.keys = std::move(keys);
  mode.strict = strict;
  mode.add_columns = add_columns;
  return mode;
}

// A duplicate-key problem: says which keys repeat and shows one repeated value. The wording of the
// count ("value(s) occur more than once" or "rows repeat a merge key") is left open.
bool IsDuplicateKeyProblem(const std::string& problem, const std::string& keys, const std::string& example) {
  return problem.find("merge key") != std::string::npos && problem.find("new rows") != std::string::npos &&
         problem.find("e.g. (" + keys + ") = (" + example) != std::string::npos && !problem.empty() &&
         problem[0] >= '1' && problem[0] <= '9';
}

bool ContainsDuplicateKeyProblem(const std::vector<std::string>& problems, const std::string& keys,
                                 const std::string& example) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return IsDuplicateKeyProblem(p, keys, example); });
}

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string Listed(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += "\n  " + item;
  return text;
}

// --- IsSafeWidening ------------------------------------------------------------------------------

TEST(WideningTest, SameTypeAlwaysFits) {
  for (const char* type : {"INTEGER", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN", "DECIMAL(10,2)",
                           "VARCHAR", "BLOB", "INTEGER[]"}) {
    EXPECT_TRUE(IsSafeWidening(type, type)) << type;
  }
}

TEST(WideningTest, SignedIntegersWidenToWiderSignedIntegers) {
  EXPECT_TRUE(IsSafeWidening("TINYINT", "SMALLINT"));
  EXPECT_TRUE(IsSafeWidening("TINYINT", "BIGINT"));
  EXPECT_TRUE(IsSafeWidening("SMALLINT", "INTEGER"));
  EXPECT_TRUE(IsSafeWidening("INTEGER", "BIGINT"));
  EXPECT_TRUE(IsSafeWidening("BIGINT", "HUGEINT"));
  EXPECT_FALSE(IsSafeWidening("BIGINT", "INTEGER"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "SMALLINT"));
  EXPECT_FALSE(IsSafeWidening("SMALLINT", "TINYINT"));
  EXPECT_FALSE(IsSafeWidening("HUGEINT", "BIGINT"));
}

TEST(WideningTest, UnsignedFitsOnlyAStrictlyWiderSignedType) {
  EXPECT_TRUE(IsSafeWidening("UTINYINT", "SMALLINT"));
  EXPECT_TRUE(IsSafeWidening("USMALLINT", "INTEGER"));
  EXPECT_TRUE(IsSafeWidening("UINTEGER", "BIGINT"));
  EXPECT_TRUE(IsSafeWidening("UBIGINT", "HUGEINT"));
  EXPECT_TRUE(IsSafeWidening("UTINYINT", "UBIGINT"));
  EXPECT_TRUE(IsSafeWidening("UINTEGER", "UBIGINT"));
  EXPECT_FALSE(IsSafeWidening("UTINYINT", "TINYINT"));
  EXPECT_FALSE(IsSafeWidening("UINTEGER", "INTEGER"));
  EXPECT_FALSE(IsSafeWidening("UBIGINT", "BIGINT"));
  EXPECT_FALSE(IsSafeWidening("UBIGINT", "UINTEGER"));
}

TEST(WideningTest, SignedNeverFitsUnsigned) {
  EXPECT_FALSE(IsSafeWidening("TINYINT", "UTINYINT"));
  EXPECT_FALSE(IsSafeWidening("TINYINT", "UBIGINT"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "UBIGINT"));
  EXPECT_FALSE(IsSafeWidening("BIGINT", "UHUGEINT"));
}

TEST(WideningTest, FloatingTypesHoldOnlyIntegersTheirMantissaCovers) {
  EXPECT_TRUE(IsSafeWidening("FLOAT", "DOUBLE"));
  EXPECT_FALSE(IsSafeWidening("DOUBLE", "FLOAT"));
  EXPECT_TRUE(IsSafeWidening("SMALLINT", "FLOAT"));
  EXPECT_TRUE(IsSafeWidening("USMALLINT", "FLOAT"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "FLOAT"));
  EXPECT_TRUE(IsSafeWidening("INTEGER", "DOUBLE"));
  EXPECT_TRUE(IsSafeWidening("UINTEGER", "DOUBLE"));
  EXPECT_FALSE(IsSafeWidening("BIGINT", "DOUBLE"));
  EXPECT_FALSE(IsSafeWidening("UBIGINT", "DOUBLE"));
  EXPECT_FALSE(IsSafeWidening("HUGEINT", "DOUBLE"));
  EXPECT_FALSE(IsSafeWidening("DOUBLE", "BIGINT"));
  EXPECT_FALSE(IsSafeWidening("FLOAT", "INTEGER"));
}

TEST(WideningTest, IntegersFitDecimalsWithEnoughIntegerDigits) {
  EXPECT_TRUE(IsSafeWidening("TINYINT", "DECIMAL(3,0)"));
  EXPECT_FALSE(IsSafeWidening("TINYINT", "DECIMAL(4,2)"));
  EXPECT_TRUE(IsSafeWidening("INTEGER", "DECIMAL(10,0)"));
  EXPECT_TRUE(IsSafeWidening("INTEGER", "DECIMAL(12,2)"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "DECIMAL(10,2)"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "DECIMAL(9,0)"));
  EXPECT_TRUE(IsSafeWidening("BIGINT", "DECIMAL(19,0)"));
  EXPECT_FALSE(IsSafeWidening("BIGINT", "DECIMAL(18,0)"));
  EXPECT_TRUE(IsSafeWidening("UBIGINT", "DECIMAL(20,0)"));
  EXPECT_FALSE(IsSafeWidening("UBIGINT", "DECIMAL(19,0)"));
  EXPECT_FALSE(IsSafeWidening("HUGEINT", "DECIMAL(38,0)"));
}

TEST(WideningTest, DecimalsWidenWhenBothIntegerAndFractionDigitsFit) {
  EXPECT_TRUE(IsSafeWidening("DECIMAL(10,2)", "DECIMAL(12,2)"));
  EXPECT_TRUE(IsSafeWidening("DECIMAL(10,2)", "DECIMAL(11,3)"));
  EXPECT_TRUE(IsSafeWidening("DECIMAL(4,1)", "DECIMAL(18,3)"));
  EXPECT_FALSE(IsSafeWidening("DECIMAL(12,2)", "DECIMAL(10,2)"));  // integer digits 10 > 8
  EXPECT_FALSE(IsSafeWidening("DECIMAL(10,2)", "DECIMAL(10,3)"));  // integer digits 8 > 7
  EXPECT_FALSE(IsSafeWidening("DECIMAL(10,3)", "DECIMAL(10,2)"));  // fraction digits lost
  EXPECT_FALSE(IsSafeWidening("DECIMAL(18,4)", "DECIMAL(18,2)"));
  EXPECT_FALSE(IsSafeWidening("DECIMAL(10,2)", "INTEGER"));
  EXPECT_FALSE(IsSafeWidening("DECIMAL(10,2)", "BIGINT"));
}

TEST(WideningTest, DatesWidenToTimestamps) {
  EXPECT_TRUE(IsSafeWidening("DATE", "TIMESTAMP"));
  EXPECT_TRUE(IsSafeWidening("TIMESTAMP_S", "TIMESTAMP"));
  EXPECT_TRUE(IsSafeWidening("TIMESTAMP_MS", "TIMESTAMP"));
  EXPECT_FALSE(IsSafeWidening("TIMESTAMP", "DATE"));
  EXPECT_FALSE(IsSafeWidening("TIMESTAMP_NS", "TIMESTAMP"));
  EXPECT_FALSE(IsSafeWidening("DATE", "INTEGER"));
  EXPECT_FALSE(IsSafeWidening("TIME", "TIMESTAMP"));
}

TEST(WideningTest, AnythingWidensToVarchar) {
  for (const char* type : {"TINYINT", "INTEGER", "BIGINT", "UBIGINT", "HUGEINT", "DOUBLE", "FLOAT",
                           "DECIMAL(38,10)", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "BOOLEAN",
                           "BLOB", "UUID", "INTEGER[]", "STRUCT(a INTEGER)"}) {
    EXPECT_TRUE(IsSafeWidening(type, "VARCHAR")) << type;
  }
}

TEST(WideningTest, VarcharAndUnrelatedTypesDoNotNarrow) {
  EXPECT_FALSE(IsSafeWidening("VARCHAR", "INTEGER"));
  EXPECT_FALSE(IsSafeWidening("VARCHAR", "BIGINT"));
  EXPECT_FALSE(IsSafeWidening("VARCHAR", "DATE"));
  EXPECT_FALSE(IsSafeWidening("VARCHAR", "DOUBLE"));
  EXPECT_FALSE(IsSafeWidening("VARCHAR", "BLOB"));
  EXPECT_FALSE(IsSafeWidening("BOOLEAN", "INTEGER"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "BOOLEAN"));
  EXPECT_FALSE(IsSafeWidening("INTEGER", "DATE"));
  EXPECT_FALSE(IsSafeWidening("BLOB", "INTEGER"));
}

// --- column names -------------------------------------------------------------------------------

TEST(ColumnNameTest, NamesMatchColumnsIgnoringCase) {
  const std::vector<Column> columns = {{"UserId", "INTEGER"}, {"name", "VARCHAR"}};
  EXPECT_EQ(FindColumn(columns, "userid"), &columns[0]);
  EXPECT_EQ(FindColumn(columns, "NAME"), &columns[1]);
  EXPECT_EQ(FindColumn(columns, "user"), nullptr);
  EXPECT_TRUE(SameColumnName("Id", "ID"));
  EXPECT_FALSE(SameColumnName("id", "id2"));
  EXPECT_TRUE(IsKeyColumn({"region", "USERID"}, "UserId"));
  EXPECT_FALSE(IsKeyColumn({"user"}, "UserId"));
}

// --- WriteTable on in-memory and persistent databases --------------------------------------------

class LoadTest : public ::testing::TestWithParam<bool> {
 protected:
  LoadTest() : db_(Database::Open(Options())), conn_(std::make_unique<Connection>(db_)) {}

  bool persistent() const { return GetParam(); }

  DatabaseOptions Options() const {
    DatabaseOptions options;
    if (persistent()) options.path = dir_.path() / "load.duckdb";
    return options;
  }

  // A persistent database is closed and opened again, so that checks read what was committed.
  void Reopen() {
    if (!persistent()) return;
    conn_.reset();
    db_ = Database::Open(Options());
    conn_ = std::make_unique<Connection>(db_);
  }

  Connection& conn() { return *conn_; }
  WriteResult Write(const std::string& table, const std::string& query, const WriteMode& mode) {
    return WriteTable(*conn_, table, query, mode);
  }
  std::vector<std::string> All(const std::string& table, const std::string& order = "1") {
    return Rows(*conn_, "SELECT * FROM " + table + " ORDER BY " + order);
  }

  ScratchDir dir_;
  Database db_;
  std::unique_ptr<Connection> conn_;
};

INSTANTIATE_TEST_SUITE_P(Databases, LoadTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Persistent" : "InMemory";
                         });

const char* kUsers =
    "SELECT * FROM (VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30), (4, 'di', 40), "
    "(5, 'ed', 50)) v(id, name, score)";

TEST_P(LoadTest, ReplaceCreatesThenMakesTheTargetExactlyTheNewRows) {
  WriteResult first = Write("items", kUsers, Replace());
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.rows, 5u);
  EXPECT_EQ(first.inserted, 5u);
  EXPECT_EQ(first.updated, 0u);

  WriteResult second =
      Write("items", "SELECT * FROM (VALUES ('x', 1.5), ('y', 2.5)) v(code, weight)", Replace());
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.rows, 2u);
  Reopen();
  EXPECT_EQ(Shape(conn(), "items"), (std::vector<std::string>{"code VARCHAR", "weight DECIMAL(2,1)"}));
  EXPECT_EQ(All("items"), (std::vector<std::string>{"x|1.5", "y|2.5"}));
}

TEST_P(LoadTest, ReplaceWithNoRowsEmptiesTheTarget) {
  Write("items", kUsers, Replace());
  WriteResult result = Write("items", "SELECT * FROM (" + std::string(kUsers) + ") WHERE false", Replace());
  EXPECT_EQ(result.rows, 0u);
  Reopen();
  EXPECT_EQ(conn().QueryScalar("SELECT count(*) FROM items"), "0");
}

TEST_P(LoadTest, ReplaceFailingMidwayKeepsTheOldTable) {
  Write("items", kUsers, Replace());
  std::vector<std::string> before = All("items");
  EXPECT_THROW(Write("items", "SELECT v::INTEGER AS id FROM (VALUES ('1'), ('2'), ('oops')) t(v)", Replace()),
               EngineError);
  Reopen();
  EXPECT_EQ(Shape(conn(), "items"),
            (std::vector<std::string>{"id INTEGER", "name VARCHAR", "score INTEGER"}));
  EXPECT_EQ(All("items"), before);
}

TEST_P(LoadTest, AppendInsertsByColumnNameNotPosition) {
  Write("users", kUsers, Replace());
  // Columns in a different order; by position 'fay' would land in id and fail or scramble.
  WriteResult result =
      Write("users", "SELECT * FROM (VALUES (60, 'fay', 6), (70, 'gus', 7)) v(score, name, id)", Append());
  EXPECT_FALSE(result.created);
  EXPECT_EQ(result.rows, 2u);
  EXPECT_EQ(result.inserted, 2u);
  EXPECT_EQ(result.updated, 0u);
  Reopen();
  EXPECT_EQ(Shape(conn(), "users"),
            (std::vector<std::string>{"id INTEGER", "name VARCHAR", "score INTEGER"}));
  EXPECT_EQ(All("users"), (std::vector<std::string>{"1|ann|10", "2|bob|20", "3|cy|30", "4|di|40", "5|ed|50",
                                                    "6|fay|60", "7|gus|70"}));
}

TEST_P(LoadTest, AppendOfFewerColumnsLeavesTheOthersNull) {
  Write("users", kUsers, Replace());
  Write("users", "SELECT 6 AS id", Append());
  Reopen();
  EXPECT_EQ(Rows(conn(), "SELECT * FROM users WHERE id = 6"), (std::vector<std::string>{"6|NULL|NULL"}));
}

TEST_P(LoadTest, AppendCreatesAMissingTarget) {
  ASSERT_FALSE(conn().TableExists("fresh"));
  WriteResult result = Write("fresh", "SELECT * FROM (VALUES (2, 'b'), (1, 'a')) v(id, label)", Append());
  EXPECT_TRUE(result.created);
  EXPECT_EQ(result.rows, 2u);
  EXPECT_EQ(result.inserted, 2u);
  Reopen();
  EXPECT_EQ(All("fresh"), (std::vector<std::string>{"1|a", "2|b"}));
}

TEST_P(LoadTest, AppendWidensSafely) {
  conn().Query("CREATE TABLE wide (n BIGINT, x DOUBLE, d TIMESTAMP, s VARCHAR)");
  Write("wide", "SELECT 1::INTEGER AS n, 1.5::FLOAT AS x, DATE '2024-03-01' AS d, 42 AS s", Append());
  Reopen();
  EXPECT_EQ(All("wide"), (std::vector<std::string>{"1|1.5|2024-03-01 00:00:00|42"}));
}

TEST_P(LoadTest, UsersScenarioReplaceAppendMerge) {
  EXPECT_EQ(Write("users", kUsers, Replace()).rows, 5u);
  EXPECT_EQ(Write("users",
                  "SELECT * FROM (VALUES (6, 'fay', 60), (7, 'gus', 70), (8, 'hal', 80)) v(id, name, score)",
                  Append())
                .rows,
            3u);
  WriteResult merged = Write(
      "users", "SELECT * FROM (VALUES (2, 'bob', 25), (9, 'ivy', 90), (5, 'eddie', 55)) v(id, name, score)",
      Merge({"id"}));
  EXPECT_FALSE(merged.created);
  EXPECT_EQ(merged.inserted, 1u);
  EXPECT_EQ(merged.updated, 2u);
  EXPECT_EQ(merged.rows, 3u);
  Reopen();
  EXPECT_EQ(conn().QueryScalar("SELECT count(*) FROM users"), "9");
  EXPECT_EQ(Rows(conn(), "SELECT name, score FROM users WHERE id = 2"), (std::vector<std::string>{"bob|25"}));
  EXPECT_EQ(Rows(conn(), "SELECT name, score FROM users WHERE id = 5"),
            (std::vector<std::string>{"eddie|55"}));
  EXPECT_EQ(All("users"),
            (std::vector<std::string>{"1|ann|10", "2|bob|25", "3|cy|30", "4|di|40", "5|eddie|55", "6|fay|60",
                                      "7|gus|70", "8|hal|80", "9|ivy|90"}));
}

TEST_P(LoadTest, MergeOnACompositeKey) {
  Write("stock",
        "SELECT * FROM (VALUES (1, 1, 10), (1, 2, 20), (2, 1, 30), (2, 2, 40)) v(product_id, warehouse_id, "
        "qty)",
        Replace());
  // (1,1), (2,1), (2,2) exist; (1,3) and (3,1) are new, and share one half of the key with old rows.
  WriteResult merged = Write("stock",
                             "SELECT * FROM (VALUES (1, 1, 11), (2, 1, 31), (2, 2, 41), (1, 3, 50), (3, 1, "
                             "60)) v(product_id, warehouse_id, qty)",
                             Merge({"product_id", "warehouse_id"}));
  EXPECT_EQ(merged.inserted, 2u);
  EXPECT_EQ(merged.updated, 3u);
  EXPECT_EQ(merged.rows, 5u);
  Reopen();
  EXPECT_EQ(All("stock", "product_id, warehouse_id"),
            (std::vector<std::string>{"1|1|11", "1|2|20", "1|3|50", "2|1|31", "2|2|41", "3|1|60"}));
}

TEST_P(LoadTest, MergeMatchesKeysByNameWithReorderedColumns) {
  Write("users", kUsers, Replace());
  WriteResult merged = Write(
      "users", "SELECT * FROM (VALUES (33, 3, 'cyd'), (11, 11, 'kim')) v(score, id, name)", Merge({"ID"}));
  EXPECT_EQ(merged.inserted, 1u);
  EXPECT_EQ(merged.updated, 1u);
  Reopen();
  EXPECT_EQ(All("users"), (std::vector<std::string>{"1|ann|10", "2|bob|20", "3|cyd|33", "4|di|40", "5|ed|50",
                                                    "11|kim|11"}));
}

TEST_P(LoadTest, MergeKeysMatchMixedCaseColumnsIgnoringCase) {
  Write("accounts", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(\"UserId\", \"Name\")", Replace());
  WriteResult merged = Write("accounts", "SELECT * FROM (VALUES (2, 'B'), (3, 'c')) v(\"USERID\", \"name\")",
                             Merge({"userid"}));
  EXPECT_EQ(merged.inserted, 1u);
  EXPECT_EQ(merged.updated, 1u);
  Reopen();
  EXPECT_EQ(All("accounts"), (std::vector<std::string>{"1|a", "2|B", "3|c"}));
}

TEST_P(LoadTest, MergeCreatesAMissingTarget) {
  WriteResult result = Write("fresh", kUsers, Merge({"id"}));
  EXPECT_TRUE(result.created);
  EXPECT_EQ(result.inserted, 5u);
  EXPECT_EQ(result.updated, 0u);
  Reopen();
  EXPECT_EQ(conn().QueryScalar("SELECT count(*) FROM fresh"), "5");
}

TEST_P(LoadTest, MergeOfTheSameRowsTwiceIsIdempotent) {
  Write("users", kUsers, Merge({"id"}));
  std::vector<std::string> once = All("users");
  WriteResult again = Write("users", kUsers, Merge({"id"}));
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(again.updated, 5u);
  Reopen();
  EXPECT_EQ(All("users"), once);
}

TEST_P(LoadTest, MergeWhereEveryColumnIsAKeyOnlyInsertsNewRows) {
  Write("pairs", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s)", Replace());
  WriteResult merged = Write("pairs", "SELECT * FROM (VALUES (2, 'b'), (3, 'c')) v(n, s)", Merge({"n", "s"}));
  EXPECT_EQ(merged.inserted, 1u);
  EXPECT_EQ(merged.updated, 0u);
  Reopen();
  EXPECT_EQ(All("pairs"), (std::vector<std::string>{"1|a", "2|b", "3|c"}));
}

TEST_P(LoadTest, AddColumnsAddsTheNewColumnAndOldRowsGetNull) {
  Write("users", kUsers, Replace());
  Write("users", "SELECT 6 AS id, 'fay' AS name, 60 AS score, 'gold' AS tier", Append(false, true));
  WriteResult merged =
      Write("users", "SELECT * FROM (VALUES (1, 'silver', DATE '2024-01-02')) v(id, tier, since)",
            Merge({"id"}, false, true));
  EXPECT_EQ(merged.updated, 1u);
  Reopen();
  EXPECT_EQ(Shape(conn(), "users"), (std::vector<std::string>{"id INTEGER", "name VARCHAR", "score INTEGER",
                                                              "tier VARCHAR", "since DATE"}));
  EXPECT_EQ(All("users"),
            (std::vector<std::string>{"1|ann|10|silver|2024-01-02", "2|bob|20|NULL|NULL", "3|cy|30|NULL|NULL",
                                      "4|di|40|NULL|NULL", "5|ed|50|NULL|NULL", "6|fay|60|gold|NULL"}));
}

TEST_P(LoadTest, StrictRejectsAWideningThatWidenAccepts) {
  conn().Query("CREATE TABLE wide (id BIGINT, amount DOUBLE)");
  const std::string query = "SELECT 1::INTEGER AS id, 2.5::FLOAT AS amount";
  try {
    Write("wide", query, Append(/*strict=*/true));
    FAIL() << "expected SchemaError";
  } catch (const SchemaError& error) {
    EXPECT_EQ(
        error.problems(),
        (std::vector<std::string>{
            "column \"id\": the new rows have INTEGER, table \"wide\" has BIGINT (strict: types must be "
            "equal)",
            "column \"amount\": the new rows have FLOAT, table \"wide\" has DOUBLE (strict: types must be "
            "equal)"}));
  }
  EXPECT_THROW(Write("wide", query, Merge({"id"}, /*strict=*/true)), SchemaError);
  EXPECT_EQ(conn().QueryScalar("SELECT count(*) FROM wide"), "0");
  EXPECT_EQ(Write("wide", query, Append()).rows, 1u);
  EXPECT_EQ(Write("wide", "SELECT 1::BIGINT AS id, 3.5::DOUBLE AS amount", Merge({"id"}, true)).updated, 1u);
  Reopen();
  EXPECT_EQ(All("wide"), (std::vector<std::string>{"1|3.5"}));
}

// --- one transaction: a failure halfway leaves the target exactly as it was ----------------------

class LoadRollbackTest : public LoadTest {
 protected:
  void SetUp() override {
    conn().Query(
        "CREATE TABLE payments (id INTEGER PRIMARY KEY, note VARCHAR NOT NULL, amount INTEGER CHECK (amount "
        "> 0))");
    conn().Query("INSERT INTO payments VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30)");
    before_ = All("payments");
    shape_ = Shape(conn(), "payments");
  }
  void ExpectUnchanged() {
    EXPECT_EQ(Shape(conn(), "payments"), shape_);
    EXPECT_EQ(All("payments"), before_);
    Reopen();
    EXPECT_EQ(Shape(conn(), "payments"), shape_);
    EXPECT_EQ(All("payments"), before_);
    // The connection is usable afterwards: no transaction is left open or aborted.
    conn().Query("INSERT INTO payments VALUES (9, 'nine', 90)");
    EXPECT_EQ(conn().QueryScalar("SELECT count(*) FROM payments"), "4");
  }
  std::vector<std::string> before_;
  std::vector<std::string> shape_;
};

INSTANTIATE_TEST_SUITE_P(Databases, LoadRollbackTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Persistent" : "InMemory";
                         });

TEST_P(LoadRollbackTest, AppendWhoseLastRowViolatesACheckConstraint) {
  EXPECT_THROW(
      Write("payments",
            "SELECT * FROM (VALUES (4, 'four', 40), (5, 'five', 50), (6, 'six', -6)) v(id, note, amount)",
            Append()),
      EngineError);
  ExpectUnchanged();
}

TEST_P(LoadRollbackTest, AppendWhoseLastRowFailsACastHalfway) {
  EXPECT_THROW(Write("payments",
                     "SELECT id, note, amount::INTEGER AS amount FROM (VALUES (4, 'four', '40'), (5, 'five', "
                     "'fifty')) v(id, note, amount)",
                     Append()),
               EngineError);
  ExpectUnchanged();
}

TEST_P(LoadRollbackTest, AppendWithAddColumnsFailingHalfwayDoesNotAddTheColumn) {
  EXPECT_THROW(
      Write("payments",
            "SELECT * FROM (VALUES (4, 'four', 40, 'x'), (5, NULL, 50, 'y')) v(id, note, amount, extra)",
            Append(false, true)),
      EngineError);
  ExpectUnchanged();
}

TEST_P(LoadRollbackTest, MergeWhoseLastRowViolatesACheckConstraint) {
  EXPECT_THROW(
      Write("payments",
            "SELECT * FROM (VALUES (1, 'uno', 11), (4, 'four', 40), (3, 'tres', -3)) v(id, note, amount)",
            Merge({"id"})),
      EngineError);
  ExpectUnchanged();
}

TEST_P(LoadRollbackTest, MergeWhoseLastRowViolatesNotNull) {
  EXPECT_THROW(
      Write("payments",
            "SELECT * FROM (VALUES (1, 'uno', 11), (4, 'four', 40), (3, NULL, 33)) v(id, note, amount)",
            Merge({"id"})),
      EngineError);
  ExpectUnchanged();
}

TEST_P(LoadRollbackTest, MergeWhoseSourceFailsACastHalfway) {
  EXPECT_THROW(Write("payments",
                     "SELECT id, note, amount::INTEGER AS amount FROM (VALUES (1, 'uno', '11'), (4, 'four', "
                     "'forty')) v(id, note, amount)",
                     Merge({"id"})),
               EngineError);
  ExpectUnchanged();
}

TEST_P(LoadRollbackTest, SchemaErrorWritesNothing) {
  EXPECT_THROW(Write("payments", "SELECT 4 AS id, 'four' AS note, 40 AS amount, 1 AS extra", Merge({"id"})),
               SchemaError);
  EXPECT_THROW(Write("payments", "SELECT 4 AS id, 'four' AS note, 40 AS amount, 1 AS extra", Append()),
               SchemaError);
  ExpectUnchanged();
}

// --- names with spaces, quotes, mixed case and reserved words ------------------------------------

TEST_P(LoadTest, OddlyNamedTablesColumnsAndKeys) {
  const std::string table = "\"Order Details\"";
  Write(table, R"(SELECT * FROM (VALUES (1, 'a', 10), (2, 'b', 20)) v("Order ID", "select", "we""ird"))",
        Replace());
  WriteResult appended =
      Write(table, R"(SELECT * FROM (VALUES (30, 3, 'c')) v("we""ird", "Order ID", "select"))", Append());
  EXPECT_EQ(appended.rows, 1u);
  WriteResult merged =
      Write(table, R"(SELECT * FROM (VALUES (1, 'a', 11), (4, 'd', 40)) v("Order ID", "select", "we""ird"))",
            Merge({"Order ID", "select"}));
  EXPECT_EQ(merged.inserted, 1u);
  EXPECT_EQ(merged.updated, 1u);
  WriteResult added =
      Write(table, R"(SELECT 2 AS "Order ID", 'b' AS "select", 21 AS "we""ird", 'new' AS "Mixed Case")",
            Merge({"Order ID", "select"}, false, true));
  EXPECT_EQ(added.updated, 1u);
  Reopen();
  EXPECT_EQ(Shape(conn(), table), (std::vector<std::string>{"Order ID INTEGER", "select VARCHAR",
                                                            "we\"ird INTEGER", "Mixed Case VARCHAR"}));
  EXPECT_EQ(All(table, "\"Order ID\""),
            (std::vector<std::string>{"1|a|11|NULL", "2|b|21|new", "3|c|30|NULL", "4|d|40|NULL"}));
}

TEST_P(LoadTest, ReservedWordAndMixedCaseTableNames) {
  Write("\"group\"", "SELECT 1 AS \"order\", 'x' AS \"Value\"", Replace());
  Write("\"group\"", "SELECT 'y' AS \"Value\", 2 AS \"order\"", Append());
  EXPECT_EQ(Write("\"group\"", "SELECT 2 AS \"ORDER\", 'z' AS \"value\"", Merge({"Order"})).updated, 1u);
  Write("MixedCase", "SELECT 1 AS Id, 'a' AS Label", Replace());
  EXPECT_FALSE(Write("mixedcase", "SELECT 2 AS id, 'b' AS label", Append()).created);
  EXPECT_EQ(Write("MIXEDCASE", "SELECT 2 AS ID, 'B' AS LABEL", Merge({"iD"})).updated, 1u);
  Write("main.\"Dotted Name\"", "SELECT 1 AS k, 1 AS v", Replace());
  EXPECT_EQ(Write("main.\"Dotted Name\"", "SELECT 1 AS k, 2 AS v", Merge({"k"})).updated, 1u);
  Reopen();
  EXPECT_EQ(All("\"group\""), (std::vector<std::string>{"1|x", "2|z"}));
  EXPECT_EQ(All("MixedCase"), (std::vector<std::string>{"1|a", "2|B"}));
  EXPECT_EQ(All("\"Dotted Name\""), (std::vector<std::string>{"1|2"}));
}

// --- SchemaError: every problem kind, all reported at once ----------------------------------------

class SchemaCheckTest : public ::testing::Test {
 protected:
  SchemaCheckTest() : db_(Database::Open({})), conn_(db_) {
    conn_.Query("CREATE TABLE t (id INTEGER, name VARCHAR, d DATE, n BIGINT)");
    conn_.Query("INSERT INTO t VALUES (1, 'one', DATE '2024-01-01', 10)");
  }
  // The problems WriteTable reports; fails the test when it does not throw SchemaError.
  std::vector<std::string> Problems(const std::string& query, const WriteMode& mode,
                                    const std::string& table = "t") {
    try {
      WriteTable(conn_, table, query, mode);
    } catch (const SchemaError& error) {
      what_ = error.what();
      return error.problems();
    }
    ADD_FAILURE() << "expected a SchemaError for " << query;
    return {};
  }
  void ExpectTableUnchanged() {
    EXPECT_EQ(Shape(conn_, "t"),
              (std::vector<std::string>{"id INTEGER", "name VARCHAR", "d DATE", "n BIGINT"}));
    EXPECT_EQ(Rows(conn_, "SELECT * FROM t"), (std::vector<std::string>{"1|one|2024-01-01|10"}));
  }
  Database db_;
  Connection conn_;
  std::string what_;
};

TEST_F(SchemaCheckTest, NewColumnInTheSource) {
  auto problems = Problems("SELECT 2 AS id, 'x' AS extra", Append());
  EXPECT_EQ(problems,
            (std::vector<std::string>{
                "column \"extra\" (VARCHAR) is in the new rows but not in table \"t\"; add it to the "
                "table, or allow new columns with OPTIONS {\"add_columns\": true}"}));
  EXPECT_EQ(what_, "cannot APPEND into table \"t\": 1 schema problem\n  - " + problems[0]);
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, IncompatibleTypeNamesTableColumnAndBothTypes) {
  auto problems = Problems("SELECT 'not a date' AS d", Append());
  EXPECT_EQ(problems,
            (std::vector<std::string>{"column \"d\": the new rows have VARCHAR, which table \"t\" cannot "
                                      "hold as DATE without loss"}));
  problems = Problems("SELECT 1 AS id, 2.5::DOUBLE AS n", Merge({"id"}));
  EXPECT_EQ(problems,
            (std::vector<std::string>{"column \"n\": the new rows have DOUBLE, which table \"t\" cannot "
                                      "hold as BIGINT without loss"}));
  EXPECT_EQ(what_, "cannot MERGE into table \"t\": 1 schema problem\n  - " + problems[0]);
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, StrictWantsEqualTypes) {
  auto problems = Problems("SELECT 2::SMALLINT AS id", Append(/*strict=*/true));
  EXPECT_EQ(problems, (std::vector<std::string>{"column \"id\": the new rows have SMALLINT, table \"t\" has "
                                                "INTEGER (strict: types must be equal)"}));
  EXPECT_NO_THROW(WriteTable(conn_, "t", "SELECT 2::SMALLINT AS id", Append()));
}

TEST_F(SchemaCheckTest, MergeKeyMissingInTheNewRows) {
  auto problems = Problems("SELECT 'x' AS name", Merge({"id"}));
  EXPECT_EQ(problems, (std::vector<std::string>{"merge key \"id\" is not a column of the new rows"}));
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, MergeKeyMissingInTheTable) {
  auto problems = Problems("SELECT 1 AS id, 'x' AS name", Merge({"id", "name", "code"}));
  EXPECT_TRUE(Contains(problems, "merge key \"code\" is not a column of table \"t\"")) << Listed(problems);
  EXPECT_TRUE(Contains(problems, "merge key \"code\" is not a column of the new rows")) << Listed(problems);
  EXPECT_EQ(problems.size(), 2u) << Listed(problems);
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, MergeKeyOnlyInTheNewRows) {
  auto problems = Problems("SELECT 1 AS id, 'A-1' AS code", Merge({"code"}, false, /*add_columns=*/true));
  EXPECT_EQ(problems, (std::vector<std::string>{"merge key \"code\" is not a column of table \"t\""}));
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, MergeKeysOfTypesThatNeverMatch) {
  auto problems = Problems("SELECT DATE '2024-01-01' AS id, 'x' AS name", Merge({"id"}));
  EXPECT_TRUE(
      Contains(problems,
               "merge key \"id\": the new rows have DATE, table \"t\" has INTEGER; keys of these types "
               "never match"))
      << Listed(problems);
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, NullMergeKeysInTheNewRows) {
  auto problems =
      Problems("SELECT * FROM (VALUES (1, 'a'), (NULL, 'b'), (3, NULL), (NULL, NULL), (5, 'e')) v(id, name)",
               Merge({"id", "name"}));
  EXPECT_EQ(problems, (std::vector<std::string>{"3 of the new rows have a NULL merge key (id, name)"}));
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, DuplicateMergeKeysInTheNewRows) {
  auto problems =
      Problems("SELECT * FROM (VALUES (1, 'a', 1), (2, 'b', 2), (1, 'a', 3), (1, 'b', 4)) v(id, name, n)",
               Merge({"id", "name"}));
  ASSERT_EQ(problems.size(), 1u) << Listed(problems);
  EXPECT_TRUE(IsDuplicateKeyProblem(problems[0], "id, name", "1, a)")) << problems[0];
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, NullAndDuplicateKeysTogether) {
  auto problems = Problems("SELECT * FROM (VALUES (1), (1), (NULL), (2), (2), (2)) v(id)", Merge({"id"}));
  ASSERT_EQ(problems.size(), 2u) << Listed(problems);
  EXPECT_EQ(problems[0], "1 of the new rows have a NULL merge key (id)");
  // (1) and (2) both repeat; either may be the example.
  EXPECT_TRUE(IsDuplicateKeyProblem(problems[1], "id", "1)") ||
              IsDuplicateKeyProblem(problems[1], "id", "2)"))
      << problems[1];
  EXPECT_TRUE(what_.starts_with("cannot MERGE into table \"t\": 2 schema problems\n  - ")) << what_;
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, NullAndDuplicateKeysAlsoStopAMergeThatCreatesTheTable) {
  auto problems = Problems("SELECT * FROM (VALUES (1), (1), (NULL)) v(id)", Merge({"id"}), "fresh");
  EXPECT_EQ(problems.size(), 2u) << Listed(problems);
  problems = Problems("SELECT 1 AS id", Merge({"code"}), "fresh");
  EXPECT_EQ(problems, (std::vector<std::string>{"merge key \"code\" is not a column of the new rows"}));
  EXPECT_FALSE(conn_.TableExists("fresh"));
}

TEST_F(SchemaCheckTest, EveryAppendProblemIsReportedAtOnce) {
  auto problems =
      Problems("SELECT 'x' AS d, 1.5::DOUBLE AS n, 'a' AS extra1, 2 AS extra2, 7 AS id", Append());
  EXPECT_EQ(problems.size(), 4u) << Listed(problems);
  EXPECT_TRUE(
      Contains(problems,
               "column \"d\": the new rows have VARCHAR, which table \"t\" cannot hold as DATE without loss"))
      << Listed(problems);
  EXPECT_TRUE(Contains(
      problems,
      "column \"n\": the new rows have DOUBLE, which table \"t\" cannot hold as BIGINT without loss"))
      << Listed(problems);
  EXPECT_TRUE(Contains(problems,
                       "column \"extra1\" (VARCHAR) is in the new rows but not in table \"t\"; add it to the "
                       "table, or allow new columns with OPTIONS {\"add_columns\": true}"))
      << Listed(problems);
  EXPECT_TRUE(Contains(problems,
                       "column \"extra2\" (INTEGER) is in the new rows but not in table \"t\"; add it to the "
                       "table, or allow new columns with OPTIONS {\"add_columns\": true}"))
      << Listed(problems);
  EXPECT_TRUE(what_.starts_with("cannot APPEND into table \"t\": 4 schema problems\n  - ")) << what_;
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, EveryMergeProblemIsReportedAtOnce) {
  auto problems = Problems("SELECT 1 AS id, 'x' AS d, 'y' AS extra", Merge({"id", "name", "code"}));
  EXPECT_TRUE(Contains(problems, "merge key \"name\" is not a column of the new rows")) << Listed(problems);
  EXPECT_TRUE(Contains(problems, "merge key \"code\" is not a column of the new rows")) << Listed(problems);
  EXPECT_TRUE(Contains(problems, "merge key \"code\" is not a column of table \"t\"")) << Listed(problems);
  EXPECT_TRUE(
      Contains(problems,
               "column \"d\": the new rows have VARCHAR, which table \"t\" cannot hold as DATE without loss"))
      << Listed(problems);
  EXPECT_TRUE(Contains(problems,
                       "column \"extra\" (VARCHAR) is in the new rows but not in table \"t\"; add it to the "
                       "table, or allow new columns with OPTIONS {\"add_columns\": true}"))
      << Listed(problems);
  EXPECT_EQ(problems.size(), 5u) << Listed(problems);
  EXPECT_TRUE(what_.starts_with("cannot MERGE into table \"t\": 5 schema problems\n  - ")) << what_;
  ExpectTableUnchanged();
}

// Key values are checkable whenever the keys exist in the new rows, so duplicate and NULL keys are
// reported together with the column problems rather than on the next attempt.
TEST_F(SchemaCheckTest, KeyValueProblemsAreReportedTogetherWithColumnProblems) {
  auto problems =
      Problems("SELECT * FROM (VALUES (1, 'x'), (1, 'y'), (NULL, 'z')) v(id, extra)", Merge({"id"}));
  EXPECT_TRUE(Contains(problems,
                       "column \"extra\" (VARCHAR) is in the new rows but not in table \"t\"; add it to the "
                       "table, or allow new columns with OPTIONS {\"add_columns\": true}"))
      << Listed(problems);
  EXPECT_TRUE(Contains(problems, "1 of the new rows have a NULL merge key (id)")) << Listed(problems);
  EXPECT_TRUE(ContainsDuplicateKeyProblem(problems, "id", "1)")) << Listed(problems);
  EXPECT_EQ(problems.size(), 3u) << Listed(problems);
  ExpectTableUnchanged();
}

TEST_F(SchemaCheckTest, QuotedTableNameIsShownOnceQuoted) {
  conn_.Query(R"(CREATE TABLE "Order Details" ("Order ID" INTEGER, "we""ird" INTEGER))");
  auto problems =
      Problems(R"(SELECT 1 AS "Order ID", 'x' AS "we""ird")", Merge({"Order ID"}), "\"Order Details\"");
  ASSERT_EQ(problems.size(), 1u) << Listed(problems);
  EXPECT_NE(problems[0].find("table \"Order Details\""), std::string::npos) << problems[0];
  EXPECT_NE(what_.find("cannot MERGE into table \"Order Details\": 1 schema problem"), std::string::npos)
      << what_;
}

}  // namespace
}  // namespace sqlflow::engine
