#include "schema/schema.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "connectors/registry.h"
#include "engine/duckdb.h"
#include "run/sources.h"
#include "schema/history.h"
#include "state/store.h"

namespace sqlflow::schema {
namespace {

namespace fs = std::filesystem;

Schema Make(std::vector<Column> columns) {
  return Schema{std::move(columns)};
}

Schema Orders() {
  return Make({{"id", "BIGINT", false},
               {"customer", "VARCHAR", true},
               {"amount", "DOUBLE", true},
               {"ordered_on", "DATE", true}});
}

const Change* Find(const Diff& diff, Change::Kind kind, const std::string& column) {
  for (const auto& change : diff.changes) {
    if (change.kind == kind && change.column == column) return &change;
  }
  return nullptr;
}

TEST(SchemaFingerprintTest, IsStableAndSixteenHexDigits) {
  std::string fingerprint = Orders().Fingerprint();
  EXPECT_EQ(fingerprint.size(), 16u);
  EXPECT_EQ(fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(fingerprint, Orders().Fingerprint());
  // The canonical form is fixed: this value must never change between versions.
  EXPECT_EQ(Make({{"id", "BIGINT", true}}).Fingerprint(), "93f8042fe5215ebc");
  EXPECT_EQ(Make({{"ID", "bigint", true}}).Fingerprint(), "93f8042fe5215ebc");
}

TEST(SchemaFingerprintTest, ChangesWithNameTypeNullabilityAndOrder) {
  std::string base = Orders().Fingerprint();
  Schema renamed = Orders();
  renamed.columns[1].name = "client";
  Schema retyped = Orders();
  retyped.columns[2].type = "DECIMAL(10,2)";
  Schema nullable = Orders();
  nullable.columns[0].nullable = true;
  Schema reordered = Orders();
  std::swap(reordered.columns[1], reordered.columns[2]);
  Schema shorter = Orders();
  shorter.columns.pop_back();
  for (const Schema* other : {&renamed, &retyped, &nullable, &reordered, &shorter})
    EXPECT_NE(other->Fingerprint(), base);
  // No ambiguity between a name and the type that follows it.
  EXPECT_NE(Make({{"ab", "C", true}}).Fingerprint(), Make({{"a", "BC", true}}).Fingerprint());
}

TEST(SchemaJsonTest, RoundTripsColumnsAndFingerprint) {
  nlohmann::json json = Orders().ToJson();
  EXPECT_EQ(json["fingerprint"], Orders().Fingerprint());
  EXPECT_EQ(json["columns"][0]["name"], "id");
  EXPECT_EQ(json["columns"][0]["nullable"], false);
  Schema back = Schema::FromJson(nlohmann::json::parse(json.dump()));
  ASSERT_EQ(back.columns.size(), 4u);
  EXPECT_EQ(back.columns[3].type, "DATE");
  EXPECT_EQ(back.Fingerprint(), Orders().Fingerprint());
  // A bare list of columns; nullable defaults to true; types are upper-cased.
  Schema bare = Schema::FromJson(nlohmann::json::parse(R"([{"name": "x", "type": "integer"}])"));
  EXPECT_EQ(bare.columns[0].type, "INTEGER");
  EXPECT_TRUE(bare.columns[0].nullable);
}

TEST(SchemaJsonTest, RejectsMalformedSchemasWithTheCause) {
  EXPECT_THROW(Schema::FromJson(nlohmann::json::parse(R"({"cols": []})")), std::invalid_argument);
  EXPECT_THROW(Schema::FromJson(nlohmann::json::parse(R"([{"name": "x"}])")), std::invalid_argument);
  EXPECT_THROW(Schema::FromJson(nlohmann::json::parse(R"([{"name": "x", "type": "INT", "nullable": 1}])")),
               std::invalid_argument);
}

TEST(SchemaCompareTest, IdenticalSchemasHaveNoChanges) {
  Diff diff = Compare(Orders(), Orders());
  EXPECT_EQ(diff.verdict, Verdict::kIdentical);
  EXPECT_TRUE(diff.changes.empty());
  EXPECT_EQ(diff.ToText(), "identical");
  EXPECT_EQ(diff.accepted_fingerprint, diff.current_fingerprint);
}

TEST(SchemaCompareTest, NameCaseIsNotAChange) {
  Schema upper = Orders();
  upper.columns[1].name = "CUSTOMER";
  EXPECT_EQ(Compare(Orders(), upper).verdict, Verdict::kIdentical);
}

TEST(SchemaCompareTest, AddedColumnIsCompatible) {
  Schema current = Orders();
  current.columns.push_back({"channel", "VARCHAR", true});
  Diff diff = Compare(Orders(), current);
  EXPECT_EQ(diff.verdict, Verdict::kCompatible);
  ASSERT_EQ(diff.changes.size(), 1u);
  const Change* added = Find(diff, Change::Kind::kAdded, "channel");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->new_position, 5);
  EXPECT_EQ(diff.AddedColumns(), std::vector<std::string>{"channel"});
  EXPECT_EQ(added->Describe(), "column \"channel\" (VARCHAR) added at position 5");
}

TEST(SchemaCompareTest, AddedColumnInTheMiddleMovesNothing) {
  Schema current = Orders();
  current.columns.insert(current.columns.begin() + 1, {"channel", "VARCHAR", true});
  Diff diff = Compare(Orders(), current);
  EXPECT_EQ(diff.verdict, Verdict::kCompatible);
  EXPECT_EQ(diff.changes.size(), 1u);
}

TEST(SchemaCompareTest, RemovedColumnIsBreaking) {
  Schema current = Orders();
  current.columns.erase(current.columns.begin() + 2);  // amount
  Diff diff = Compare(Orders(), current);
  EXPECT_EQ(diff.verdict, Verdict::kBreaking);
  const Change* removed = Find(diff, Change::Kind::kRemoved, "amount");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(removed->from, "DOUBLE");
  EXPECT_EQ(removed->old_position, 3);
  EXPECT_TRUE(removed->breaking());
}

TEST(SchemaCompareTest, SameTypeAtTheSamePositionLooksRenamed) {
  Schema current = Orders();
  current.columns[1].name = "client";
  Diff diff = Compare(Orders(), current);
  EXPECT_EQ(diff.verdict, Verdict::kBreaking);
  ASSERT_EQ(diff.changes.size(), 1u);
  const Change* renamed = Find(diff, Change::Kind::kRenamed, "client");
  ASSERT_NE(renamed, nullptr);
  EXPECT_EQ(renamed->old_name, "customer");
}

TEST(SchemaCompareTest, SimilarNameElsewhereLooksRenamed) {
  Schema current = Make({{"id", "BIGINT", false},
                         {"amount", "DOUBLE", true},
                         {"ordered_on", "DATE", true},
                         {"customer_name", "VARCHAR", true}});
  Diff diff = Compare(Orders(), current);
  const Change* renamed = Find(diff, Change::Kind::kRenamed, "customer_name");
  ASSERT_NE(renamed, nullptr);
  EXPECT_EQ(renamed->old_name, "customer");
  EXPECT_EQ(Find(diff, Change::Kind::kRemoved, "customer"), nullptr);
}

TEST(SchemaCompareTest, DifferentTypeOrUnrelatedNameIsRemovedPlusAdded) {
  Schema current = Make({{"id", "BIGINT", false},
                         {"amount", "DOUBLE", true},
                         {"ordered_on", "DATE", true},
                         {"region", "VARCHAR", true}});
  Diff diff = Compare(Orders(), current);
  EXPECT_NE(Find(diff, Change::Kind::kRemoved, "customer"), nullptr);
  EXPECT_NE(Find(diff, Change::Kind::kAdded, "region"), nullptr);
  Schema retyped = Orders();
  retyped.columns[1] = {"client", "BIGINT", true};
  Diff other = Compare(Orders(), retyped);
  EXPECT_NE(Find(other, Change::Kind::kRemoved, "customer"), nullptr);
  EXPECT_NE(Find(other, Change::Kind::kAdded, "client"), nullptr);
}

TEST(SchemaCompareTest, SafeWideningsAreCompatible) {
  Schema before =
      Make({{"a", "INTEGER", true}, {"b", "FLOAT", true}, {"c", "DATE", true}, {"d", "BIGINT", true}});
  Schema after =
      Make({{"a", "BIGINT", true}, {"b", "DOUBLE", true}, {"c", "TIMESTAMP", true}, {"d", "VARCHAR", true}});
  Diff diff = Compare(before, after);
  EXPECT_EQ(diff.verdict, Verdict::kCompatible);
  EXPECT_EQ(diff.changes.size(), 4u);
  for (const char* column : {"a", "b", "c", "d"})
    EXPECT_NE(Find(diff, Change::Kind::kWidened, column), nullptr);
  EXPECT_EQ(Find(diff, Change::Kind::kWidened, "a")->Describe(), "column \"a\" widened INTEGER -> BIGINT");
}

TEST(SchemaCompareTest, NarrowingOrUnrelatedTypesAreBreaking) {
  Schema before = Make({{"a", "BIGINT", true}, {"b", "VARCHAR", true}, {"c", "DOUBLE", true}});
  Schema after = Make({{"a", "INTEGER", true}, {"b", "DATE", true}, {"c", "BIGINT", true}});
  Diff diff = Compare(before, after);
  EXPECT_EQ(diff.verdict, Verdict::kBreaking);
  for (const char* column : {"a", "b", "c"})
    EXPECT_NE(Find(diff, Change::Kind::kTypeChanged, column), nullptr);
  EXPECT_EQ(Find(diff, Change::Kind::kTypeChanged, "c")->from, "DOUBLE");
  EXPECT_EQ(Find(diff, Change::Kind::kTypeChanged, "c")->to, "BIGINT");
}

TEST(SchemaCompareTest, NullabilityChangesAreCompatible) {
  Schema current = Orders();
  current.columns[0].nullable = true;
  current.columns[1].nullable = false;
  Diff diff = Compare(Orders(), current);
  EXPECT_EQ(diff.verdict, Verdict::kCompatible);
  const Change* relaxed = Find(diff, Change::Kind::kNullability, "id");
  ASSERT_NE(relaxed, nullptr);
  EXPECT_EQ(relaxed->from, "NOT NULL");
  EXPECT_EQ(relaxed->to, "NULL");
  EXPECT_NE(Find(diff, Change::Kind::kNullability, "customer"), nullptr);
}

TEST(SchemaCompareTest, ReorderedColumnsAreMovedAndCompatible) {
  Schema current = Orders();
  std::rotate(current.columns.begin(), current.columns.begin() + 3,
              current.columns.end());  // ordered_on first
  Diff diff = Compare(Orders(), current);
  EXPECT_EQ(diff.verdict, Verdict::kCompatible);
  ASSERT_EQ(diff.changes.size(), 1u);  // the fewest moves: only ordered_on
  const Change* moved = Find(diff, Change::Kind::kMoved, "ordered_on");
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->old_position, 4);
  EXPECT_EQ(moved->new_position, 1);
}

TEST(SchemaCompareTest, JsonCarriesVerdictAndEveryChange) {
  Schema current = Orders();
  current.columns[2].type = "VARCHAR";
  current.columns.push_back({"channel", "VARCHAR", true});
  current.columns.erase(current.columns.begin() + 3);
  nlohmann::json json = Compare(Orders(), current).ToJson();
  EXPECT_EQ(json["verdict"], "breaking");
  EXPECT_EQ(json["accepted_fingerprint"], Orders().Fingerprint());
  EXPECT_EQ(json["current_fingerprint"], current.Fingerprint());
  ASSERT_EQ(json["changes"].size(), 3u);
  EXPECT_EQ(json["changes"][0]["change"], "widened");
  EXPECT_EQ(json["changes"][0]["from"], "DOUBLE");
  EXPECT_EQ(json["changes"][1]["change"], "added");
  EXPECT_EQ(json["changes"][2]["change"], "removed");
  EXPECT_EQ(json["changes"][2]["breaking"], true);
  EXPECT_EQ(Compare(Orders(), current).Summary(), "1 added, 1 removed, 1 widened");
}

TEST(SchemaPolicyTest, ParsesTheFourPoliciesCaseInsensitively) {
  EXPECT_EQ(ParsePolicy(""), Policy::kFail);
  EXPECT_EQ(ParsePolicy("FAIL"), Policy::kFail);
  EXPECT_EQ(ParsePolicy("warn"), Policy::kWarn);
  EXPECT_EQ(ParsePolicy("Evolve"), Policy::kEvolve);
  EXPECT_EQ(ParsePolicy("ignore"), Policy::kIgnore);
  EXPECT_EQ(ParsePolicy("skip"), std::nullopt);
  EXPECT_STREQ(PolicyName(Policy::kEvolve), "evolve");
}

TEST(SchemaPolicyTest, EverySourceTakesTheParameter) {
  for (const auto& type : connectors::ConnectorTypes()) {
    const connectors::Connector* connector = connectors::FindConnector(type);
    if (connector->source_params().empty()) continue;
    std::vector<connectors::ParamIssue> issues;
    nlohmann::json params = connectors::NormalizeParams(connectors::SourceParams(*connector),
                                                        {{"on_schema_change", "evolve"}}, issues);
    EXPECT_EQ(params.value("on_schema_change", ""), "evolve") << type;
    issues.clear();
    connectors::NormalizeParams(connectors::SourceParams(*connector), {{"on_schema_change", "sometimes"}},
                                issues);
    auto issue = std::find_if(issues.begin(), issues.end(),
                              [](const auto& found) { return found.key == "on_schema_change"; });
    ASSERT_NE(issue, issues.end()) << type;
    EXPECT_NE(issue->message.find("must be one of fail, warn, evolve, ignore"), std::string::npos);
    EXPECT_EQ(issue->hint, "");
  }
}

// `schema compare` prepares a source as a run does (run::DefineSource) and describes its reader.
TEST(SchemaCaptureTest, DescribesAQuerySourceWithoutLoadingIt) {
  fs::path dir = fs::temp_directory_path() / ("sqlflow_capture_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "x.csv") << "id,name,day\n1,x,2024-01-01\n"; }
  plan::Step step;
  step.kind = plan::Step::Kind::kSource;
  step.source_name = "Src";
  step.connector_type = "CSV";
  step.params = {{"path", "x.csv"}, {"has_header", true}, {"on_schema_change", "Warn"}};
  run::SourceDefinition source = run::DefineSource(step, dir.string());
  EXPECT_EQ(source.schema_policy, "warn");
  EXPECT_FALSE(source.params.contains("on_schema_change"));
  EXPECT_EQ(source.file, (dir / "x.csv").string());
  engine::Database database = engine::Database::Open({});
  engine::Connection connection(database);
  schema::Schema captured{engine::DescribeQuery(connection, source.query)};
  ASSERT_EQ(captured.columns.size(), 3u);
  EXPECT_EQ(captured.columns[0].type, "BIGINT");
  EXPECT_EQ(captured.columns[2].name, "day");
  EXPECT_EQ(captured.columns[2].type, "DATE");
  fs::remove_all(dir);
}

fs::path TempProject() {
  std::random_device random;
  fs::path dir =
      fs::temp_directory_path() /
      ("sqlflow_schema_test_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
       "_" + std::to_string(random()));
  fs::create_directories(dir);
  return dir;
}

TEST(SchemaStoreTest, RecordsOnlyChangedShapesAndKeepsTheAcceptedOne) {
  fs::path root = TempProject();
  {
    state::Store store(root);
    int64_t first = RecordSnapshot(store, "shop", "Orders", Orders(), "run-1", "run");
    store.AcceptSchemaSnapshot(first);
    // The same shape again is not a new snapshot.
    EXPECT_EQ(RecordSnapshot(store, "shop", "orders", Orders(), "run-2", "run"), first);
    Schema wider = Orders();
    wider.columns.push_back({"channel", "VARCHAR", true});
    int64_t second = RecordSnapshot(store, "shop", "orders", wider, "run-3", "run");
    EXPECT_GT(second, first);

    auto accepted = store.AcceptedSchema("shop", "ORDERS");
    ASSERT_TRUE(accepted.has_value());
    EXPECT_EQ(accepted->id, first);
    EXPECT_EQ(accepted->fingerprint, Orders().Fingerprint());
    EXPECT_EQ(SnapshotSchema(*accepted).Fingerprint(), Orders().Fingerprint());

    std::vector<state::SchemaSnapshot> history = store.SchemaHistory("shop", "orders");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].id, second);  // newest first
    EXPECT_EQ(history[0].verdict, "compatible");
    EXPECT_EQ(history[0].run_id, "run-3");
    EXPECT_FALSE(history[0].accepted);
    EXPECT_EQ(nlohmann::json::parse(history[0].diff_json)["changes"][0]["column"], "channel");
    EXPECT_EQ(history[1].verdict, "baseline");
    EXPECT_TRUE(history[1].diff_json.empty());
    EXPECT_TRUE(history[1].accepted);

    store.AcceptSchemaSnapshot(second);
    EXPECT_EQ(store.AcceptedSchema("shop", "orders")->id, second);
    EXPECT_EQ(store.PipelinesWithSchema("ORDERS"), std::vector<std::string>{"shop"});
    EXPECT_FALSE(store.AcceptedSchema("other", "orders").has_value());
  }
  // Opening an existing store again keeps everything (the migrations are idempotent).
  {
    state::Store store(root);
    EXPECT_EQ(store.SchemaHistory("shop", "orders").size(), 2u);
  }
  std::error_code ignored;
  fs::remove_all(root, ignored);
}

TEST(SchemaStoreTest, FindsTheShapeARunSaw) {
  fs::path root = TempProject();
  {
    state::Store store(root);
    state::RunRecord run;
    run.run_id = "run-1";
    run.pipeline = "shop";
    run.status = "SUCCEEDED";
    run.started_at = state::Now() - 10;
    run.ended_at = state::Now() - 5;
    store.SaveRun(run);
    state::SchemaSnapshot old;
    old.pipeline = "shop";
    old.source = "orders";
    old.run_id = "run-1";
    old.captured_at = run.started_at + 1;
    old.fingerprint = Orders().Fingerprint();
    old.schema_json = Orders().ToJson().dump();
    old.origin = "run";
    int64_t first = store.SaveSchemaSnapshot(old);
    Schema wider = Orders();
    wider.columns.push_back({"channel", "VARCHAR", true});
    RecordSnapshot(store, "shop", "orders", wider, "run-2", "run");
    auto seen = store.SchemaSnapshotAtRun("shop", "orders", "run-1");
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(seen->id, first);
    EXPECT_FALSE(store.SchemaSnapshotAtRun("shop", "orders", "no-such-run").has_value());
  }
  std::error_code ignored;
  fs::remove_all(root, ignored);
}

}  // namespace
}  // namespace sqlflow::schema
