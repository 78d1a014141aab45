// The run-time's own units: staging tables (unique, catalog-aware, dropped on every path, stale
// ones from killed runs dropped), local export files (unique temporary names, nothing left on
// failure), the sources of a run (case-insensitive names, a watermark read once per run).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "connectors/registry.h"
#include "engine/duckdb.h"
#include "engine/load.h"
#include "run/sources.h"
#include "run/staging_table.h"
#include "run/step_runner.h"
#include "state/store.h"
#include "util/temp_dir.h"

namespace sqlflow::run {
namespace {

namespace fs = std::filesystem;

// A private folder for one test, removed afterwards.
struct Scratch : util::TempDir {
  Scratch() : util::TempDir("sqlflow-run-units") {}
};

int64_t Count(engine::Connection& connection, const std::string& sql) {
  return std::stoll(connection.QueryScalar(sql).value_or("-1"));
}

int64_t StagingTables(engine::Connection& connection) {
  return Count(connection, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__sqlflow%'");
}

TEST(StagingTableTest, NamesAreUniqueAndTheTableGoesOnEveryPath) {
  engine::Database database = engine::Database::Open({});
  engine::Connection connection(database);
  std::string first, second;
  {
    StagingTable a(connection, "run-1", "t", true);
    StagingTable b(connection, "run-1", "t", true);
    first = a.target().name;
    second = b.target().name;
    connection.Query(a.target().CreatePrefix() + " AS SELECT 1 AS x");
    connection.Query(b.target().CreatePrefix() + " AS SELECT 2 AS x");
    EXPECT_EQ(StagingTables(connection), 2);
  }
  EXPECT_NE(first, second);
  EXPECT_EQ(first.rfind("__sqlflow_staging_", 0), 0u);
  EXPECT_EQ(StagingTables(connection), 0);
  try {
    StagingTable c(connection, "run-1", "t", false);
    connection.Query(c.target().CreatePrefix() + " AS SELECT 3 AS x");
    throw std::runtime_error("the step failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(StagingTables(connection), 0);
}

TEST(StagingTableTest, BesideAThreePartTargetInItsCatalogAndSchema) {
  engine::Database database = engine::Database::Open({});
  engine::Connection connection(database);
  connection.Query("ATTACH ':memory:' AS o; CREATE SCHEMA o.s");
  StagingTable staging(connection, "run-2", "o.s.t", true);
  EXPECT_EQ(staging.target().catalog, "o");
  EXPECT_EQ(staging.target().schema, "s");
  connection.Query(staging.target().CreatePrefix() + " AS SELECT 42 AS x");
  engine::ReplaceWithTable(connection, "o.s.t", staging.target().name);
  EXPECT_EQ(Count(connection, "SELECT x FROM o.s.t"), 42);
  EXPECT_FALSE(connection.TableExists("t"));
  EXPECT_EQ(StagingTables(connection), 0);
}

TEST(StagingTableTest, StaleTablesOfKilledRunsAreDropped) {
  Scratch scratch;
  engine::DatabaseOptions options;
  options.path = scratch.path() / "db.duckdb";
  {
    engine::Database database = engine::Database::Open(options);
    engine::Connection connection(database);
    // What a run killed with SIGKILL leaves: this and the older naming.
    connection.Query("CREATE TABLE __sqlflow_staging_0badf00d_3 AS SELECT 1 AS x");
    connection.Query("CREATE SCHEMA s; CREATE TABLE s.__sqlflow_source_1 AS SELECT 1 AS x");
    connection.Query("CREATE TABLE keep AS SELECT 1 AS x");
  }
  engine::Database database = engine::Database::Open(options);
  engine::Connection connection(database);
  EXPECT_EQ(StagingTable::DropStale(connection), 2);
  EXPECT_EQ(StagingTables(connection), 0);
  EXPECT_TRUE(connection.TableExists("keep"));
}

TEST(DestinationsTest, UrisAreClaimedByTheirDestination) {
  EXPECT_NE(connectors::FindDestination("s3://bucket/key.csv"), connectors::FindDestination("out/x.csv"));
  EXPECT_EQ(connectors::FindDestination("file:///tmp/x.csv"), connectors::FindDestination("out/x.csv"));
  EXPECT_EQ(connectors::FindDestination("https://example.invalid/x"), nullptr);
}

TEST(SourceRegistryTest, NamesAreCaseInsensitiveAndTheWatermarkIsReadOncePerRun) {
  Scratch scratch;
  state::Store store(scratch.path());
  store.SaveWatermark("p", "Orders", "id", "10", "run-0");
  SourceRegistry sources(&store, "p");
  SourceDefinition definition;
  definition.name = "Orders";
  sources.Define(definition);
  EXPECT_EQ(sources.Find("ORDERS").name, "Orders");
  EXPECT_THROW(sources.Find("other"), StepError);
  // A watermark written under another case is the same source's.
  EXPECT_EQ(sources.Watermark("orders"), "10");
  // The first LOAD commits and moves it; a second LOAD in the same run still starts where the run
  // started, so it reads the same rows.
  sources.SaveWatermark("ORDERS", "id", "20", "run-1");
  EXPECT_EQ(sources.Watermark("Orders"), "10");
  SourceRegistry next_run(&store, "p");
  EXPECT_EQ(next_run.Watermark("orders"), "20");
  EXPECT_EQ(store.Watermark("p", "oRdErS"), "20");
}

}  // namespace
}  // namespace sqlflow::run
