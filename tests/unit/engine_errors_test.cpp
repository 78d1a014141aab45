// Which DuckDB errors are worth retrying, from real errors of an in-memory database.

#include <string>

#include <gtest/gtest.h>

#include "engine/duckdb.h"

namespace sqlflow::engine {
namespace {

// The EngineError `sql` throws on `connection`; fails the test when it succeeds.
EngineError ErrorOf(Connection& connection, const std::string& sql) {
  try {
    connection.Query(sql);
  } catch (const EngineError& error) {
    return error;
  }
  ADD_FAILURE() << "expected an error from: " << sql;
  return EngineError("no error");
}

TEST(EngineErrors, WriteWriteConflictIsTransient) {
  Database database = Database::Open({});
  Connection first(database);
  Connection second(database);
  first.Query("CREATE TABLE t (id INTEGER, v INTEGER); INSERT INTO t VALUES (1, 0)");
  first.Query("BEGIN TRANSACTION; UPDATE t SET v = 1 WHERE id = 1");
  second.Query("BEGIN TRANSACTION");
  EngineError conflict = ErrorOf(second, "UPDATE t SET v = 2 WHERE id = 1");
  EXPECT_EQ(conflict.type(), DUCKDB_ERROR_TRANSACTION) << conflict.what();
  EXPECT_TRUE(conflict.transient()) << conflict.what();
  first.Query("COMMIT");
}

TEST(EngineErrors, NestedBeginIsNotTransient) {
  Database database = Database::Open({});
  Connection connection(database);
  connection.Query("BEGIN TRANSACTION");
  EngineError nested = ErrorOf(connection, "BEGIN TRANSACTION");
  EXPECT_EQ(nested.type(), DUCKDB_ERROR_TRANSACTION) << nested.what();
  EXPECT_FALSE(nested.transient()) << nested.what();
}

TEST(EngineErrors, AbortedTransactionIsNotTransient) {
  Database database = Database::Open({});
  Connection connection(database);
  connection.Query("CREATE TABLE t (id INTEGER PRIMARY KEY)");
  connection.Query("BEGIN TRANSACTION; INSERT INTO t VALUES (1)");
  ErrorOf(connection, "INSERT INTO t VALUES (1)");  // a constraint error aborts the transaction
  EngineError aborted = ErrorOf(connection, "SELECT 1");
  EXPECT_EQ(aborted.type(), DUCKDB_ERROR_TRANSACTION) << aborted.what();
  EXPECT_FALSE(aborted.transient()) << aborted.what();
}

TEST(EngineErrors, MistakesAndNetworkFailures) {
  Database database = Database::Open({});
  Connection connection(database);
  EXPECT_FALSE(ErrorOf(connection, "SELECT * FROM nope").transient());
  EXPECT_FALSE(ErrorOf(connection, "SELEC 1").transient());
  // No network here: the classification of the types DuckDB gives such failures.
  EXPECT_TRUE(IsTransientError(DUCKDB_ERROR_HTTP, "HTTP Error: 503"));
  EXPECT_TRUE(IsTransientError(DUCKDB_ERROR_NETWORK, "Network Error: connection reset"));
  EXPECT_TRUE(IsTransientError(DUCKDB_ERROR_CONNECTION, "Connection Error: lost"));
  EXPECT_FALSE(IsTransientError(DUCKDB_ERROR_IO, "IO Error: No files found that match the pattern"));
}

}  // namespace
}  // namespace sqlflow::engine
