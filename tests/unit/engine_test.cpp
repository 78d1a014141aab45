#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/duckdb.h"
#include "engine/sql.h"
#include "util/temp_dir.h"

namespace sqlflow::engine {
namespace {

namespace fs = std::filesystem;

struct TempDir : util::TempDir {
  TempDir() : util::TempDir("sqlflow-engine-test") {}
};

DatabaseOptions At(const fs::path& path) {
  DatabaseOptions options;
  options.path = path;
  return options;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : db_(Database::Open({})), conn_(db_) {}
  Database db_;
  Connection conn_;
};

// --- Database -----------------------------------------------------------------------------------

TEST_F(EngineTest, InMemoryDatabaseAnswersQueries) {
  EXPECT_TRUE(db_.in_memory());
  EXPECT_EQ(conn_.QueryScalar("SELECT 40 + 2"), "42");
}

TEST_F(EngineTest, CountStatementsParsesWithoutRunning) {
  conn_.Query("CREATE TABLE canary AS SELECT 1 AS id");
  EXPECT_EQ(conn_.CountStatements("SELECT 1"), 1U);
  EXPECT_EQ(conn_.CountStatements("SELECT 'a;b' AS v; -- ; x"), 1U);
  EXPECT_EQ(conn_.CountStatements("SELECT * FROM canary WHERE id > 0; DROP TABLE canary"), 2U);
  EXPECT_EQ(conn_.CountStatements("SELECT 'x''; DROP TABLE canary; --' AS v"), 1U);
  EXPECT_EQ(conn_.CountStatements("SELEC 1"), 0U);  // cannot parse
  EXPECT_TRUE(conn_.TableExists("canary"));         // nothing ran
}

TEST(DatabaseTest, PersistentDatabaseKeepsDataAcrossOpens) {
  TempDir dir;
  fs::path file = dir.path() / "state.duckdb";
  {
    Database db = Database::Open(At(file));
    EXPECT_FALSE(db.in_memory());
    Connection conn(db);
    conn.Query("CREATE TABLE t AS SELECT 7 AS x");
  }
  EXPECT_TRUE(fs::exists(file));
  Database db = Database::Open(At(file));
  Connection conn(db);
  EXPECT_EQ(conn.QueryScalar("SELECT x FROM t"), "7");
}

TEST(DatabaseTest, PersistentPathInMissingDirectoryIsAnError) {
  TempDir dir;
  fs::path file = dir.path() / "no_such_dir" / "x.duckdb";
  try {
    Database::Open(At(file));
    FAIL() << "expected EngineError";
  } catch (const EngineError& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(file));
}

TEST(DatabaseTest, DirectoryAsPersistentPathIsAnError) {
  TempDir dir;
  EXPECT_THROW(Database::Open(At(dir.path())), EngineError);
}

TEST(DatabaseTest, ReadOnlyDatabaseRejectsWrites) {
  TempDir dir;
  fs::path file = dir.path() / "ro.duckdb";
  {
    Database db = Database::Open(At(file));
    Connection conn(db);
    conn.Query("CREATE TABLE t AS SELECT 1 AS x");
  }
  DatabaseOptions options;
  options.path = file;
  options.read_only = true;
  Database db = Database::Open(options);
  Connection conn(db);
  EXPECT_EQ(conn.QueryScalar("SELECT x FROM t"), "1");
  EXPECT_THROW(conn.Query("INSERT INTO t VALUES (2)"), EngineError);
}

TEST(DatabaseTest, OptionsAreApplied) {
  DatabaseOptions options;
  options.threads = 1;
  options.memory_limit = "256MB";
  Database db = Database::Open(options);
  Connection conn(db);
  EXPECT_EQ(conn.QueryScalar("SELECT current_setting('threads')"), "1");
  auto limit = conn.QueryScalar("SELECT current_setting('memory_limit')");
  ASSERT_TRUE(limit);
  EXPECT_NE(limit->find("MiB"), std::string::npos) << *limit;
}

TEST(DatabaseTest, InvalidSettingIsAnError) {
  DatabaseOptions options;
  options.memory_limit = "lots";
  EXPECT_THROW(Database::Open(options), EngineError);
}

TEST(DatabaseTest, MovedDatabaseStaysUsable) {
  Database a = Database::Open({});
  Database b = std::move(a);
  EXPECT_EQ(a.handle(), nullptr);
  Connection conn(b);
  EXPECT_EQ(conn.QueryScalar("SELECT 'ok'"), "ok");
}

TEST(DatabaseTest, LibraryVersionIsReported) {
  std::string version = LibraryVersion();
  ASSERT_FALSE(version.empty());
  EXPECT_EQ(version[0], 'v');
}

// --- Query and Result ---------------------------------------------------------------------------

TEST_F(EngineTest, ResultExposesColumnsRowsAndValues) {
  Result result = conn_.Query("SELECT * FROM (VALUES (1, 'a'), (2, NULL)) AS v(id, name) ORDER BY id");
  EXPECT_EQ(result.column_count(), 2u);
  EXPECT_EQ(result.row_count(), 2u);
  EXPECT_EQ(result.column_name(0), "id");
  EXPECT_EQ(result.column_name(1), "name");
  EXPECT_EQ(result.Value(0, 0), "1");
  EXPECT_EQ(result.Value(1, 0), "a");
  EXPECT_EQ(result.Value(0, 1), "2");
  EXPECT_EQ(result.Value(1, 1), std::nullopt);
}

TEST_F(EngineTest, ValuesPrintAsDuckdbPrintsThem) {
  Result result = conn_.Query("SELECT 1.50::DECIMAL(4,2), DATE '2024-01-02', true, 'x'::VARCHAR");
  EXPECT_EQ(result.Value(0, 0), "1.50");
  EXPECT_EQ(result.Value(1, 0), "2024-01-02");
  EXPECT_EQ(result.Value(2, 0), "true");
  EXPECT_EQ(result.Value(3, 0), "x");
}

TEST_F(EngineTest, VarcharWithANulByteKeepsEveryByte) {
  Result result = conn_.Query("SELECT 'a' || chr(0) || 'b', 'x' || chr(0)");
  auto value = result.Value(0, 0);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->size(), 3u);
  EXPECT_EQ(*value, std::string("a\0b", 3));
  EXPECT_EQ(result.Value(1, 0), std::string("x\0", 2));
  EXPECT_EQ(conn_.QueryScalar("SELECT 'a' || chr(0) || 'b'"), std::string("a\0b", 3));
}

TEST_F(EngineTest, ValuesOfEveryKindReadAsDuckdbCastsThemToVarchar) {
  const std::vector<std::string> expressions = {"true",
                                                "-7::TINYINT",
                                                "300::SMALLINT",
                                                "-70000",
                                                "9000000000",
                                                "200::UTINYINT",
                                                "60000::USMALLINT",
                                                "4000000000::UINTEGER",
                                                "18000000000000000000::UBIGINT",
                                                "-12345678901234567890::HUGEINT",
                                                "340282366920938463463374607431768211455::UHUGEINT",
                                                "1.5::FLOAT",
                                                "-2.25::DOUBLE",
                                                "1.50::DECIMAL(4,2)",
                                                "-123456.789::DECIMAL(9,3)",
                                                "1234567890123.45::DECIMAL(18,2)",
                                                "-1.5::DECIMAL(38,10)",
                                                "DATE '2024-02-29'",
                                                "TIME '13:45:30.123456'",
                                                "TIMETZ '13:45:30+02'",
                                                "TIMESTAMP '2024-01-02 03:04:05.678901'",
                                                "TIMESTAMPTZ '2024-01-02 03:04:05+00'",
                                                "'2024-01-02 03:04:05'::TIMESTAMP_S",
                                                "'2024-01-02 03:04:05.123'::TIMESTAMP_MS",
                                                "'2024-01-02 03:04:05.123456789'::TIMESTAMP_NS",
                                                "INTERVAL '1 year 2 months 3 days 04:05:06.7'",
                                                "'\\x00\\xFFab'::BLOB",
                                                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID",
                                                "'b'::ENUM('a', 'b')",
                                                "[1, NULL, 3]",
                                                "[]::INTEGER[]",
                                                "[[1], [], NULL]",
                                                "['x', NULL]",
                                                "{'a': 1, 'b': 'x', 'c': NULL}",
                                                "MAP {'k': 2, 'l': NULL}",
                                                "[1, 2, 3]::INTEGER[3]",
                                                "[{'d': DATE '2024-01-01'}]"};
  for (const auto& expression : expressions) {
    std::optional<std::string> value;
    EXPECT_NO_THROW(value = conn_.Query("SELECT " + expression).Value(0, 0)) << expression;
    auto cast = conn_.Query("SELECT CAST(" + expression + " AS VARCHAR)").Value(0, 0);
    ASSERT_TRUE(cast.has_value()) << expression;
    EXPECT_EQ(value, cast) << expression;
  }
  EXPECT_EQ(conn_.Query("SELECT NULL::INTEGER[]").Value(0, 0), std::nullopt);
}

TEST_F(EngineTest, ValuesAcrossManyChunks) {
  Result result = conn_.Query("SELECT i, 'row ' || i FROM range(10000) t(i) ORDER BY i");
  ASSERT_EQ(result.row_count(), 10000u);
  EXPECT_EQ(result.Value(0, 0), "0");
  EXPECT_EQ(result.Value(1, 2047), "row 2047");
  EXPECT_EQ(result.Value(1, 2048), "row 2048");
  EXPECT_EQ(result.Value(0, 9999), "9999");
  EXPECT_EQ(result.Value(0, 10000), std::nullopt);
  EXPECT_EQ(conn_.Query("SELECT 1 WHERE false").row_count(), 0u);
}

TEST_F(EngineTest, PreparingOnAMovedFromConnectionIsAnEngineError) {
  // DuckDB gives no error text here (no prepared statement exists): the message must not come
  // from a null pointer.
  Connection moved(std::move(conn_));
  EXPECT_THROW(PreparedStatement(conn_, "SELECT 1"), EngineError);
  EXPECT_EQ(moved.QueryScalar("SELECT 1"), "1");
}

TEST_F(EngineTest, QueryScalarHandlesNullAndEmpty) {
  EXPECT_EQ(conn_.QueryScalar("SELECT NULL"), std::nullopt);
  EXPECT_EQ(conn_.QueryScalar("SELECT 1 WHERE false"), std::nullopt);
  EXPECT_EQ(conn_.QueryScalar("SELECT 'text'"), "text");
}

TEST_F(EngineTest, QueryErrorCarriesDuckdbMessage) {
  try {
    conn_.Query("SELECT * FROM no_such_table");
    FAIL() << "expected EngineError";
  } catch (const EngineError& error) {
    EXPECT_NE(std::string(error.what()).find("no_such_table"), std::string::npos) << error.what();
    EXPECT_FALSE(error.interrupted());
  }
  EXPECT_THROW(conn_.Query("SELEC 1"), EngineError);
}

TEST_F(EngineTest, RowsChangedCountsInserts) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  Result result = conn_.Query("INSERT INTO t VALUES (1), (2), (3)");
  EXPECT_EQ(result.rows_changed(), 3u);
}

TEST_F(EngineTest, MovedResultKeepsItsValues) {
  Result a = conn_.Query("SELECT 5");
  Result b = std::move(a);
  EXPECT_EQ(b.Value(0, 0), "5");
}

TEST_F(EngineTest, TableExists) {
  conn_.Query("CREATE TABLE present (x INTEGER)");
  conn_.Query("CREATE SCHEMA s");
  conn_.Query("CREATE TABLE s.inner_t (x INTEGER)");
  EXPECT_TRUE(conn_.TableExists("present"));
  EXPECT_TRUE(conn_.TableExists("PRESENT"));
  EXPECT_TRUE(conn_.TableExists("s.inner_t"));
  EXPECT_FALSE(conn_.TableExists("absent"));
  EXPECT_FALSE(conn_.TableExists("inner_t"));
}

// --- Transaction --------------------------------------------------------------------------------

TEST_F(EngineTest, TransactionRollsBackOnDestruction) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  {
    Transaction transaction(conn_);
    conn_.Query("INSERT INTO t VALUES (1)");
    EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "1");
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "0");
}

TEST_F(EngineTest, TransactionCommitKeepsChanges) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  {
    Transaction transaction(conn_);
    conn_.Query("INSERT INTO t VALUES (1), (2)");
    transaction.Commit();
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "2");
}

TEST_F(EngineTest, TransactionRollsBackAfterAFailedStatement) {
  conn_.Query("CREATE TABLE t (x INTEGER PRIMARY KEY)");
  conn_.Query("INSERT INTO t VALUES (1)");
  {
    Transaction transaction(conn_);
    conn_.Query("INSERT INTO t VALUES (2)");
    EXPECT_THROW(conn_.Query("INSERT INTO t VALUES (1)"), EngineError);
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT string_agg(x::VARCHAR, ',' ORDER BY x) FROM t"), "1");
  // The connection is usable again after the rollback.
  Transaction again(conn_);
  again.Commit();
}

// A signal during COMMIT must not make a committed transaction look interrupted: the interrupt is
// held off while COMMIT runs, and refused commits roll back.
TEST_F(EngineTest, CommitTellsItsPointsInOrder) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  std::vector<std::string> points;
  conn_.OnCommit([&](CommitPoint point) { points.push_back(CommitPointName(point)); });
  Transaction transaction(conn_);
  conn_.Query("INSERT INTO t VALUES (1)");
  transaction.Commit();
  EXPECT_EQ(points, (std::vector<std::string>{"before_commit", "committing", "committed"}));
}

TEST_F(EngineTest, InterruptBeforeCommitRollsBack) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  conn_.OnCommit([&](CommitPoint point) {
    if (point == CommitPoint::kBeforeCommit) conn_.Interrupt();
  });
  {
    Transaction transaction(conn_);
    conn_.Query("INSERT INTO t VALUES (1), (2)");
    try {
      transaction.Commit();
      FAIL() << "an interrupted connection committed";
    } catch (const EngineError& error) {
      EXPECT_TRUE(error.interrupted()) << error.what();
    }
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "0");
}

TEST_F(EngineTest, InterruptDuringCommitIsHeldOffAndTheCommitStands) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  conn_.OnCommit([&](CommitPoint point) {
    if (point == CommitPoint::kCommitting) conn_.Interrupt();
  });
  {
    Transaction transaction(conn_);
    conn_.Query("INSERT INTO t SELECT range FROM range(100000)");
    EXPECT_NO_THROW(transaction.Commit());
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "100000");
}

TEST_F(EngineTest, InterruptAfterCommitKeepsItAndRefusesTheNextCommit) {
  conn_.Query("CREATE TABLE t (x INTEGER)");
  conn_.OnCommit([&](CommitPoint point) {
    if (point == CommitPoint::kCommitted) conn_.Interrupt();
  });
  {
    Transaction transaction(conn_);
    conn_.Query("INSERT INTO t VALUES (1)");
    EXPECT_NO_THROW(transaction.Commit());
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "1");
  conn_.OnCommit({});
  {
    Transaction next(conn_);
    conn_.Query("INSERT INTO t VALUES (2)");
    EXPECT_THROW(next.Commit(), EngineError);
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM t"), "1");
}

// --- Appender and prepared statements -----------------------------------------------------------

TEST_F(EngineTest, AppenderWritesRows) {
  conn_.Query("CREATE TABLE t (id BIGINT, score DOUBLE, name VARCHAR)");
  {
    Appender appender(conn_, "", "t");
    appender.Append(int64_t{1});
    appender.Append(2.5);
    appender.Append(std::string("it's"));
    appender.EndRow();
    appender.Append(int64_t{2});
    appender.AppendNull();
    appender.AppendNull();
    appender.EndRow();
    appender.Flush();
  }
  Result result = conn_.Query("SELECT id, score, name FROM t ORDER BY id");
  ASSERT_EQ(result.row_count(), 2u);
  EXPECT_EQ(result.Value(0, 0), "1");
  EXPECT_EQ(result.Value(1, 0), "2.5");
  EXPECT_EQ(result.Value(2, 0), "it's");
  EXPECT_EQ(result.Value(1, 1), std::nullopt);
  EXPECT_EQ(result.Value(2, 1), std::nullopt);
}

TEST_F(EngineTest, AppenderToSchemaTable) {
  conn_.Query("CREATE SCHEMA s");
  conn_.Query("CREATE TABLE s.t (id BIGINT)");
  {
    Appender appender(conn_, "s", "t");
    appender.Append(int64_t{9});
    appender.EndRow();
  }
  EXPECT_EQ(conn_.QueryScalar("SELECT id FROM s.t"), "9");
}

TEST_F(EngineTest, AppenderOnMissingTableIsAnError) {
  EXPECT_THROW(Appender(conn_, "", "missing"), EngineError);
}

TEST_F(EngineTest, PreparedStatementBindsParameters) {
  PreparedStatement statement(conn_, "SELECT $1 || '-' || ($2 + 1)::VARCHAR");
  statement.Bind(1, std::string("a'b"));
  statement.Bind(2, int64_t{41});
  Result result = statement.Execute();
  EXPECT_EQ(result.Value(0, 0), "a'b-42");

  statement.Bind(1, std::string("z"));
  statement.Bind(2, int64_t{0});
  EXPECT_EQ(statement.Execute().Value(0, 0), "z-1");
}

TEST_F(EngineTest, PreparedStatementErrors) {
  EXPECT_THROW(PreparedStatement(conn_, "SELEC $1"), EngineError);
  PreparedStatement statement(conn_, "SELECT $1::INTEGER");
  EXPECT_THROW(statement.Bind(5, int64_t{1}), EngineError);
  // The cast fails when binding or when executing; either way it is an EngineError.
  EXPECT_THROW(
      {
        statement.Bind(1, std::string("not a number"));
        statement.Execute();
      },
      EngineError);
}

TEST_F(EngineTest, InterruptWhenIdleIsHarmless) {
  conn_.Interrupt();
  conn_.Interrupt();
  EXPECT_EQ(conn_.QueryScalar("SELECT 1"), "1");
}

// --- quoting ------------------------------------------------------------------------------------

TEST(QuoteTest, QuoteIdentifier) {
  EXPECT_EQ(QuoteIdentifier("t"), "\"t\"");
  EXPECT_EQ(QuoteIdentifier("My Table"), "\"My Table\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier(""), "\"\"");
}

TEST(QuoteTest, QuoteLiteral) {
  EXPECT_EQ(QuoteLiteral("abc"), "'abc'");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteLiteral("''"), "''''''");
  EXPECT_EQ(QuoteLiteral("a\"b"), "'a\"b'");
}

TEST(QuoteTest, QuoteTableName) {
  EXPECT_EQ(QuoteTableName("t"), "\"t\"");
  EXPECT_EQ(QuoteTableName("s.t"), "\"s\".\"t\"");
  EXPECT_EQ(QuoteTableName("\"My Table\""), "\"My Table\"");
  EXPECT_EQ(QuoteTableName("\"a.b\".c"), "\"a.b\".\"c\"");
  EXPECT_EQ(QuoteTableName("\"x\"\"y\""), "\"x\"\"y\"");
  EXPECT_EQ(QuoteTableName("db.s.t"), "\"db\".\"s\".\"t\"");
}

TEST_F(EngineTest, QuotedReservedWordTableWorks) {
  std::string name = QuoteIdentifier("select");
  conn_.Query("CREATE TABLE " + name + " (" + QuoteIdentifier("from") + " INTEGER)");
  conn_.Query("INSERT INTO " + name + " VALUES (3)");
  EXPECT_EQ(conn_.QueryScalar("SELECT " + QuoteIdentifier("from") + " FROM " + QuoteTableName("select")),
            "3");
  EXPECT_TRUE(conn_.TableExists("select"));
}

TEST_F(EngineTest, QuotedOddNameWorks) {
  std::string raw = "My \"odd\" name";
  conn_.Query("CREATE TABLE " + QuoteIdentifier(raw) + " AS SELECT 1 AS x");
  EXPECT_EQ(conn_.QueryScalar("SELECT x FROM " + QuoteIdentifier(raw)), "1");
  EXPECT_EQ(conn_.QueryScalar("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'My%'"), raw);
  // A directive spells it with doubled quotes; QuoteTableName must resolve to the same table.
  EXPECT_EQ(conn_.QueryScalar("SELECT x FROM " + QuoteTableName("\"My \"\"odd\"\" name\"")), "1");
}

TEST_F(EngineTest, QuotedMixedCaseAndSpacesWork) {
  conn_.Query("CREATE SCHEMA " + QuoteIdentifier("Sales Data"));
  conn_.Query("CREATE TABLE " + QuoteTableName("\"Sales Data\".\"Order Lines\"") + " AS SELECT 2 AS x");
  EXPECT_EQ(conn_.QueryScalar("SELECT x FROM \"Sales Data\".\"Order Lines\""), "2");
  EXPECT_TRUE(conn_.TableExists("\"Sales Data\".\"Order Lines\""));
  // An unquoted mixed-case name is case-insensitive in DuckDB; quoting it as written still finds it.
  conn_.Query("CREATE TABLE MixedCase AS SELECT 3 AS x");
  EXPECT_EQ(conn_.QueryScalar("SELECT x FROM " + QuoteTableName("MixedCase")), "3");
}

TEST_F(EngineTest, QuotedLiteralRoundTrips) {
  std::string text = "it's \"quoted\" -- not a comment; \\n";
  EXPECT_EQ(conn_.QueryScalar("SELECT " + QuoteLiteral(text)), text);
}

}  // namespace
}  // namespace sqlflow::engine
