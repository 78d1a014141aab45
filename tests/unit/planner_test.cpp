#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/diagnostic.h"
#include "plan/plan.h"

namespace sqlflow::plan {
namespace {

namespace fs = std::filesystem;
using lang::Value;

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("sqlflow_planner_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    options_.project_root = dir_;
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  fs::path Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  Plan Build(const std::string& text) { return BuildPlan(Write("p.sf", text), options_); }

  // The diagnostics a pipeline must fail with.
  std::vector<common::Diagnostic> Errors(const std::string& text) {
    try {
      Build(text);
    } catch (const common::SqlflowError& error) {
      return error.diagnostics();
    }
    ADD_FAILURE() << "no error for pipeline:\n" << text;
    return {};
  }

  // The single diagnostic with `code`.
  common::Diagnostic ErrorWithCode(const std::string& text, const std::string& code) {
    auto diagnostics = Errors(text);
    for (const auto& d : diagnostics) {
      if (d.code == code) return d;
    }
    std::string all;
    for (const auto& d : diagnostics) all += common::FormatDiagnostic(d);
    ADD_FAILURE() << "no " << code << " among:\n" << all;
    return {};
  }

  static std::vector<std::string> Ids(const Plan& plan) {
    std::vector<std::string> ids;
    for (const auto& step : plan.steps) ids.push_back(step.id);
    return ids;
  }

  static const Step& StepById(const Plan& plan, const std::string& id) {
    for (const auto& step : plan.steps) {
      if (step.id == id) return step;
    }
    ADD_FAILURE() << "no step " << id;
    static Step none;
    return none;
  }

  static std::set<std::string> Deps(const Plan& plan, const std::string& id) {
    const Step& step = StepById(plan, id);
    return {step.depends_on.begin(), step.depends_on.end()};
  }

  fs::path dir_;
  PlanOptions options_;
};

using IdList = std::vector<std::string>;
using DepSet = std::set<std::string>;

// --- ids and kinds ------------------------------------------------------------------------------

TEST_F(PlannerTest, StepIdsFollowKindAndName) {
  Plan plan = Build(
      "SOURCE users TYPE CSV PARAMS {\"path\": \"data/u.csv\"};\n"
      "LOAD raw_users FROM users;\n"
      "CREATE TABLE clean AS SELECT * FROM raw_users;\n"
      "EXPORT clean TO 'out/clean.csv' TYPE CSV;\n"
      "CREATE VIEW v AS SELECT * FROM clean;\n");
  EXPECT_EQ(Ids(plan),
            (IdList{"source_users", "load_raw_users", "transform_clean", "export_csv_clean", "sql_1"}));
  EXPECT_EQ(plan.pipeline, "p");
  EXPECT_EQ(plan.steps[0].kind, Step::Kind::kSource);
  EXPECT_EQ(plan.steps[1].kind, Step::Kind::kLoad);
  EXPECT_EQ(plan.steps[2].kind, Step::Kind::kTransform);
  EXPECT_EQ(plan.steps[3].kind, Step::Kind::kExport);
  EXPECT_EQ(plan.steps[4].kind, Step::Kind::kSql);
  EXPECT_STREQ(StepKindName(plan.steps[3].kind), "export");
  EXPECT_EQ(plan.steps[1].target, "raw_users");
  EXPECT_EQ(plan.steps[1].load_source, "users");
  EXPECT_EQ(plan.steps[3].target, "out/clean.csv");
  EXPECT_EQ(plan.steps[3].sql, "SELECT * FROM \"clean\"");
  EXPECT_TRUE(plan.steps[3].export_is_table);
  EXPECT_EQ(plan.steps[4].target, "v");
  EXPECT_EQ(plan.steps[0].params["path"], "data/u.csv");
  EXPECT_EQ(plan.steps[0].connector_type, "CSV");
  EXPECT_EQ(plan.steps[2].location.ToString(), "p.sf:3:1");
}

TEST_F(PlannerTest, RepeatedIdsGetNumberSuffixes) {
  Plan plan = Build(
      "CREATE OR REPLACE TABLE t AS SELECT 1 AS x;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 2 AS x;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 3 AS x;\n"
      "EXPORT SELECT * FROM t TO 'out/r.csv' TYPE CSV;\n"
      "EXPORT SELECT * FROM t TO 'other/r.csv' TYPE CSV;\n"
      "CREATE VIEW v1 AS SELECT 1;\n"
      "CREATE VIEW v2 AS SELECT 2;\n");
  EXPECT_EQ(Ids(plan), (IdList{"transform_t", "transform_t_2", "transform_t_3", "export_csv_r",
                               "export_csv_r_2", "sql_1", "sql_2"}));
}

TEST_F(PlannerTest, ExportIdUsesUriStemAndTypeSlug) {
  options_.cli_variables["name"] = Value::Text("daily");
  Plan plan = Build("EXPORT SELECT 1 AS x TO 'out/${name}-report.parquet' TYPE parquet;\n");
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].id, "export_parquet_daily_report");
  EXPECT_EQ(plan.steps[0].target, "out/daily-report.parquet");
  EXPECT_EQ(plan.steps[0].export_type, "PARQUET");
  EXPECT_FALSE(plan.steps[0].export_is_table);
  EXPECT_EQ(plan.steps[0].sql, "SELECT 1 AS x");
}

// --- dependencies -------------------------------------------------------------------------------

TEST_F(PlannerTest, LoadDependsOnItsSource) {
  Plan plan = Build(
      "SOURCE a TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "SOURCE b TYPE CSV PARAMS {\"path\": \"b.csv\"};\n"
      "LOAD t FROM a;\n");
  EXPECT_EQ(Deps(plan, "load_t"), (DepSet{"source_a"}));
  EXPECT_TRUE(Deps(plan, "source_b").empty());
}

TEST_F(PlannerTest, ReaderDependsOnClosestWriterAbove) {
  Plan plan = Build(
      "CREATE OR REPLACE TABLE t AS SELECT 1 AS x;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 2 AS x;\n"
      "CREATE TABLE r AS SELECT * FROM t;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 3 AS x;\n");
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"transform_t_2"}));
  EXPECT_EQ(StepById(plan, "transform_r").reads, (std::vector<std::string>{"t"}));
}

TEST_F(PlannerTest, ForwardReferenceDependsOnFirstWriterBelow) {
  Plan plan = Build(
      "CREATE TABLE r AS SELECT * FROM t;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 1 AS x;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 2 AS x;\n");
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"transform_t"}));
  EXPECT_EQ(Ids(plan), (IdList{"transform_t", "transform_r", "transform_t_2"}));
}

TEST_F(PlannerTest, WritersOfOneTableStayInFileOrder) {
  Plan plan = Build(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "LOAD t FROM s;\n"
      "CREATE TABLE t MODE APPEND AS SELECT 1 AS x;\n"
      "CREATE TABLE t MODE MERGE KEY x AS SELECT 2 AS x;\n");
  EXPECT_EQ(Deps(plan, "transform_t"), (DepSet{"load_t"}));
  EXPECT_EQ(Deps(plan, "transform_t_2"), (DepSet{"transform_t"}));
  const Step& merge = StepById(plan, "transform_t_2");
  EXPECT_EQ(merge.mode.kind, lang::LoadMode::Kind::kMerge);
  EXPECT_EQ(merge.mode.keys, (std::vector<std::string>{"x"}));
}

TEST_F(PlannerTest, UnserializableStatementIsABarrier) {
  Plan plan = Build(
      "CREATE TABLE a AS SELECT 1 AS x;\n"
      "CREATE TABLE b AS SELECT 2 AS x;\n"
      "INSERT INTO a VALUES (3);\n"
      "CREATE TABLE c AS SELECT 3 AS y;\n");
  const Step& insert = StepById(plan, "sql_1");
  EXPECT_TRUE(insert.barrier);
  EXPECT_EQ(Deps(plan, "sql_1"), (DepSet{"transform_a", "transform_b"}));
  EXPECT_EQ(Deps(plan, "transform_c"), (DepSet{"sql_1"}));
  EXPECT_EQ(Ids(plan), (IdList{"transform_a", "transform_b", "sql_1", "transform_c"}));
}

TEST_F(PlannerTest, KahnOrderBreaksTiesByFileOrder) {
  Plan plan = Build(
      "CREATE TABLE x AS SELECT * FROM late;\n"
      "CREATE TABLE y AS SELECT 1 AS v;\n"
      "CREATE TABLE late AS SELECT 2 AS v;\n"
      "CREATE TABLE z AS SELECT 3 AS v;\n");
  EXPECT_EQ(Ids(plan), (IdList{"transform_y", "transform_late", "transform_x", "transform_z"}));
}

TEST_F(PlannerTest, CteNamesAreNotTables) {
  Plan plan = Build(
      "CREATE TABLE base AS SELECT 1 AS x;\n"
      "CREATE TABLE r AS WITH c AS (SELECT * FROM base) SELECT * FROM c JOIN base USING (x);\n");
  EXPECT_EQ(StepById(plan, "transform_r").reads, (std::vector<std::string>{"base"}));
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"transform_base"}));
}

TEST_F(PlannerTest, DependencyCycleIsReportedAsAChain) {
  common::Diagnostic d = ErrorWithCode(
      "CREATE TABLE a AS SELECT * FROM b;\n"
      "CREATE TABLE b AS SELECT * FROM a;\n",
      "SF-PLAN-044");
  EXPECT_TRUE(d.message == "dependency cycle: transform_a -> transform_b -> transform_a" ||
              d.message == "dependency cycle: transform_b -> transform_a -> transform_b")
      << d.message;
  EXPECT_TRUE(d.location.valid());
}

TEST_F(PlannerTest, StepIdsAreUniqueEvenWhenANameLooksLikeASuffix) {
  Plan plan = Build(
      "CREATE OR REPLACE TABLE t AS SELECT 1 AS x;\n"
      "CREATE OR REPLACE TABLE t AS SELECT 2 AS x;\n"
      "CREATE TABLE t_2 AS SELECT 3 AS x;\n");
  ASSERT_EQ(plan.steps.size(), 3u);
  std::set<std::string> unique;
  for (const auto& step : plan.steps) unique.insert(step.id);
  EXPECT_EQ(unique.size(), 3u) << "ids: " << plan.steps[0].id << ", " << plan.steps[1].id << ", "
                               << plan.steps[2].id;
}

TEST_F(PlannerTest, PlainSqlCreateOfQuotedNameIsAWriter) {
  Plan plan = Build(
      "CREATE TABLE \"Order Lines\" (id INTEGER);\n"
      "CREATE TABLE r AS SELECT * FROM \"Order Lines\";\n");
  EXPECT_EQ(StepById(plan, "transform_r").reads, (std::vector<std::string>{"order lines"}));
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"sql_1"}));
}

TEST_F(PlannerTest, PlainSqlCreateIsAWriterForLaterReaders) {
  Plan plan = Build(
      "CREATE TABLE x (id INTEGER);\n"
      "CREATE TABLE r AS SELECT * FROM main.X;\n");
  EXPECT_EQ(StepById(plan, "sql_1").target, "x");
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"sql_1"}));
}

TEST_F(PlannerTest, SubqueryAndJoinTablesAreRead) {
  Plan plan = Build(
      "CREATE TABLE a AS SELECT 1 AS id;\n"
      "CREATE TABLE b AS SELECT 1 AS id;\n"
      "CREATE TABLE c AS SELECT 1 AS id;\n"
      "CREATE TABLE r AS SELECT * FROM a JOIN b USING (id) WHERE id IN (SELECT id FROM c);\n");
  EXPECT_EQ(StepById(plan, "transform_r").reads, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"transform_a", "transform_b", "transform_c"}));
}

TEST_F(PlannerTest, QualifiedAndCaseVariantNamesMatch) {
  Plan plan = Build(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "LOAD Users FROM S;\n"
      "CREATE TABLE r AS SELECT * FROM main.USERS;\n"
      "EXPORT \"users\" TO 'out/u.csv' TYPE CSV;\n");
  EXPECT_EQ(Deps(plan, "load_users"), (DepSet{"source_s"}));
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"load_users"}));
  EXPECT_EQ(Deps(plan, "export_csv_users"), (DepSet{"load_users"}));
}

TEST_F(PlannerTest, SourceFromProfileConnectorMergesOptions) {
  options_.connectors["files"] = ConnectorDefinition{"csv", {{"path", "a.csv"}, {"delimiter", ","}}};
  Plan plan = Build("SOURCE s FROM \"files\" OPTIONS {\"delimiter\": \";\"};\n");
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].connector_type, "CSV");
  EXPECT_EQ(plan.steps[0].params, (nlohmann::json{{"path", "a.csv"}, {"delimiter", ";"}}));
}

TEST_F(PlannerTest, UnknownProfileConnectorSuggestsClosest) {
  options_.connectors["warehouse"] = ConnectorDefinition{"csv", {{"path", "a.csv"}}};
  common::Diagnostic d = ErrorWithCode("SOURCE s FROM \"warehose\";\n", "SF-PLAN-024");
  EXPECT_EQ(d.hint, "did you mean 'warehouse'?");
}

TEST_F(PlannerTest, DuplicateSourceNameIsAnError) {
  common::Diagnostic d = ErrorWithCode(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "SOURCE S TYPE CSV PARAMS {\"path\": \"b.csv\"};\n",
      "SF-PLAN-026");
  EXPECT_EQ(d.location.line(), 2);
}

// --- validation ---------------------------------------------------------------------------------

TEST_F(PlannerTest, UnknownTableSuggestsClosestName) {
  common::Diagnostic d = ErrorWithCode(
      "CREATE TABLE customers AS SELECT 1 AS x;\n"
      "CREATE TABLE r AS SELECT * FROM custmers;\n",
      "SF-PLAN-041");
  EXPECT_NE(d.message.find("custmers"), std::string::npos);
  EXPECT_EQ(d.hint, "did you mean 'customers'?");
  EXPECT_EQ(d.location.line(), 2);
  EXPECT_EQ(d.location.column(), 33);
}

TEST_F(PlannerTest, TableExistsCallbackIsHonoured) {
  std::vector<std::string> asked;
  options_.table_exists = [&asked](const std::string& name) {
    asked.push_back(name);
    return name == "existing";
  };
  Plan plan = Build("CREATE TABLE r AS SELECT * FROM main.Existing;\n");
  EXPECT_TRUE(plan.steps[0].depends_on.empty());
  EXPECT_EQ(asked, (std::vector<std::string>{"existing"}));
  common::Diagnostic d = ErrorWithCode("CREATE TABLE r AS SELECT * FROM missing;\n", "SF-PLAN-041");
  EXPECT_NE(d.message.find("missing"), std::string::npos);
}

TEST_F(PlannerTest, DuplicatePlainCreateIsAnError) {
  common::Diagnostic d = ErrorWithCode(
      "CREATE TABLE t AS SELECT 1 AS x;\n"
      "CREATE TABLE t AS SELECT 2 AS x;\n",
      "SF-PLAN-042");
  EXPECT_EQ(d.location.line(), 2);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].find("p.sf:1:1"), std::string::npos);
}

TEST_F(PlannerTest, CreateTableOfALoadedTableIsAnError) {
  common::Diagnostic d = ErrorWithCode(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "LOAD t FROM s;\n"
      "CREATE TABLE t AS SELECT 1 AS x;\n",
      "SF-PLAN-043");
  EXPECT_EQ(d.location.line(), 3);
}

TEST_F(PlannerTest, UnknownSourceSuggestsClosestName) {
  common::Diagnostic d = ErrorWithCode(
      "SOURCE users TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "LOAD t FROM usres;\n",
      "SF-PLAN-040");
  EXPECT_EQ(d.hint, "did you mean 'users'?");
  EXPECT_EQ(d.location.line(), 2);
  EXPECT_EQ(d.location.column(), 13);
}

TEST_F(PlannerTest, UnknownConnectorTypeSuggestsClosest) {
  common::Diagnostic d = ErrorWithCode("SOURCE s TYPE CVS PARAMS {\"path\": \"a.csv\"};\n", "SF-PLAN-023");
  EXPECT_EQ(d.hint, "did you mean 'CSV'?");
  EXPECT_EQ(d.location.column(), 15);
}

// nlohmann::json sorts keys; DuckDB's readers take `columns` in the file's order.
TEST_F(PlannerTest, ColumnsKeepTheirWrittenOrderUnderEveryAlias) {
  Plan plan = Build(
      "SOURCE a TYPE CSV PARAMS {\"path\": \"a.csv\", \"columns\": {\"b\": \"INTEGER\", \"a\": "
      "\"VARCHAR\"}};\n"
      "SOURCE b TYPE CSV PARAMS {\"path\": \"b.csv\", \"types\": {\"z\": \"DATE\", \"y\": \"INTEGER\"}};\n");
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].params["columns"],
            nlohmann::json::parse(R"([{"b": "INTEGER"}, {"a": "VARCHAR"}])"));
  EXPECT_EQ(plan.steps[1].params["columns"], nlohmann::json::parse(R"([{"z": "DATE"}, {"y": "INTEGER"}])"));
}

TEST_F(PlannerTest, DuplicateParameterKeyIsLocatedAtTheSecondOne) {
  auto error = ErrorWithCode("SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\",\n  \"path\": \"b.csv\"};\n",
                             "SF-PLAN-022");
  EXPECT_EQ(error.message, "key \"path\" is given twice in one object");
  EXPECT_EQ(error.location.line(), 2);
  EXPECT_EQ(error.location.column(), 3);
}

TEST_F(PlannerTest, ParamsNestedTooDeepIsAnErrorNotACrash) {
  std::string deep = std::string(70000, '[') + std::string(70000, ']');
  auto error =
      ErrorWithCode("SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\", \"x\": " + deep + "};\n", "SF-PLAN-028");
  EXPECT_EQ(error.location.column(), 49 + 63);  // the first '[' is at column 49
}

TEST_F(PlannerTest, IncludeOfADeviceOrAFolderIsAnError) {
  fs::create_directories(dir_ / "folder");
  auto errors = Errors("INCLUDE '/dev/zero';\nINCLUDE 'folder';\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, "SF-PLAN-011");
  EXPECT_EQ(errors[1].code, "SF-PLAN-011");
}

TEST_F(PlannerTest, NulByteInSqlIsLocated) {
  auto error = ErrorWithCode(std::string("CREATE TABLE t AS SELECT 1 AS x\0;\n", 34), "SF-PLAN-030");
  EXPECT_EQ(error.location.column(), 32);
}

TEST_F(PlannerTest, UnknownParameterIsLocatedAtItsKey) {
  common::Diagnostic d =
      ErrorWithCode("SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\", \"delimeter\": \";\"};\n", "SF-PLAN-022");
  EXPECT_NE(d.message.find("delimeter"), std::string::npos);
  EXPECT_EQ(d.hint, "did you mean 'delimiter'?");
  EXPECT_EQ(d.location.column(), 44);
}

TEST_F(PlannerTest, InvalidJsonIsAnError) {
  common::Diagnostic d = ErrorWithCode("SOURCE s TYPE CSV PARAMS {\"path\": 'a.csv'};\n", "SF-PLAN-021");
  EXPECT_EQ(d.location.line(), 1);
}

TEST_F(PlannerTest, SqlSyntaxErrorInTransform) {
  common::Diagnostic d = ErrorWithCode("CREATE TABLE t AS SELEC 1;\n", "SF-PLAN-030");
  EXPECT_EQ(d.location.line(), 1);
}

TEST_F(PlannerTest, MissingPipelineFileIsAUsageError) {
  EXPECT_THROW(BuildPlan(dir_ / "nope.sf", options_), common::UsageError);
}

TEST_F(PlannerTest, IndependentValidationErrorsAreReportedTogether) {
  // SPEC 7: all errors of a file are reported in one go.
  auto diagnostics = Errors(
      "CREATE TABLE r AS SELECT * FROM nowhere;\n"
      "EXPORT SELECT 1 AS x TO 'o.csv' TYPE CSV OPTIONS {\"hedaer\": true};\n");
  std::set<std::string> codes;
  for (const auto& d : diagnostics) codes.insert(d.code);
  EXPECT_TRUE(codes.count("SF-PLAN-022")) << common::FormatDiagnostics(diagnostics);
  EXPECT_TRUE(codes.count("SF-PLAN-041")) << common::FormatDiagnostics(diagnostics);
}

TEST_F(PlannerTest, DiagnosticsAreOrderedByFileThenPosition) {
  // Errors found while walking (main file, included file, main file again) and one found later,
  // when tables are resolved, on the first line of the main file.
  Write("inc.sf", "SOURCE b TYPE CVS PARAMS {\"path\": \"b.csv\"};\n");
  auto diagnostics = Errors(
      "CREATE TABLE r AS SELECT * FROM nowhere;\n"
      "SOURCE a TYPE CVS PARAMS {\"path\": \"a.csv\"};\n"
      "INCLUDE 'inc.sf';\n"
      "SOURCE c TYPE CVS PARAMS {\"path\": \"c.csv\"};\n");
  std::vector<std::string> order;
  for (const auto& d : diagnostics) {
    order.push_back(fs::path(d.location.path()).filename().string() + ":" +
                    std::to_string(d.location.line()));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"inc.sf:1", "p.sf:1", "p.sf:2", "p.sf:4"}))
      << common::FormatDiagnostics(diagnostics);
}

// --- variables ----------------------------------------------------------------------------------

class VariablePrecedenceTest : public PlannerTest {
 protected:
  std::string Resolve() {
    Plan plan = Build(
        "SET x = 'from_set';\n"
        "CREATE TABLE t AS SELECT '${x|from_default}' AS v;\n");
    return plan.steps.at(0).sql;
  }
};

TEST_F(VariablePrecedenceTest, CliBeatsEverything) {
  options_.cli_variables["x"] = Value::Text("from_cli");
  options_.profile_variables["x"] = Value::Text("from_profile");
  options_.environment = [](const std::string&) { return std::optional<std::string>("from_env"); };
  EXPECT_EQ(Resolve(), "SELECT 'from_cli' AS v");
}

TEST_F(VariablePrecedenceTest, ProfileBeatsSet) {
  options_.profile_variables["x"] = Value::Text("from_profile");
  options_.environment = [](const std::string&) { return std::optional<std::string>("from_env"); };
  EXPECT_EQ(Resolve(), "SELECT 'from_profile' AS v");
}

TEST_F(VariablePrecedenceTest, SetBeatsEnvironment) {
  options_.environment = [](const std::string&) { return std::optional<std::string>("from_env"); };
  EXPECT_EQ(Resolve(), "SELECT 'from_set' AS v");
}

TEST_F(VariablePrecedenceTest, EnvironmentBeatsDefault) {
  options_.environment = [](const std::string& name) -> std::optional<std::string> {
    if (name == "x") return "from_env";
    return std::nullopt;
  };
  Plan plan = Build("CREATE TABLE t AS SELECT '${x|from_default}' AS v;\n");
  EXPECT_EQ(plan.steps.at(0).sql, "SELECT 'from_env' AS v");
  EXPECT_EQ(plan.variables.at("x"), Value::Text("from_env"));
}

TEST_F(VariablePrecedenceTest, DefaultWhenNothingElse) {
  Plan plan = Build("CREATE TABLE t AS SELECT '${x|from_default}' AS v, '${y|'quoted'}' AS w;\n");
  EXPECT_EQ(plan.steps.at(0).sql, "SELECT 'from_default' AS v, 'quoted' AS w");
}

TEST_F(PlannerTest, LaterSetWins) {
  Plan plan = Build("SET x = 'a';\nSET x = 'b';\nCREATE TABLE t AS SELECT '${x}' AS v;\n");
  EXPECT_EQ(plan.steps.at(0).sql, "SELECT 'b' AS v");
  EXPECT_EQ(plan.variables.at("x"), Value::Text("b"));
}

TEST_F(PlannerTest, SetValuesAreTyped) {
  Plan plan = Build(
      "SET n = 10;\nSET f = false;\nSET s = 'text';\nSET copy = '${n}';\n"
      "CREATE TABLE t AS SELECT ${n} AS n, ${f} AS f, '${s}' AS s, ${copy} AS c;\n");
  EXPECT_EQ(plan.variables.at("n"), Value::Number("10"));
  EXPECT_EQ(plan.variables.at("f"), Value::Bool(false));
  EXPECT_EQ(plan.variables.at("s"), Value::Text("text"));
  EXPECT_EQ(plan.variables.at("copy"), Value::Number("10"));
  EXPECT_EQ(plan.steps.at(0).sql, "SELECT 10 AS n, false AS f, 'text' AS s, 10 AS c");
}

TEST_F(PlannerTest, JsonSubstitutionIsTyped) {
  options_.cli_variables["p"] = Value::Text("data/a\"b.csv");
  options_.cli_variables["h"] = Value::Bool(false);
  Plan plan = Build(
      "SET n = 5;\n"
      "SOURCE s TYPE CSV PARAMS {\"path\": \"${p}\", \"skip_rows\": ${n}, \"has_header\": ${h}, "
      "\"delimiter\": ${d|';'}};\n");
  const nlohmann::json& params = plan.steps.at(0).params;
  EXPECT_EQ(params["path"], "data/a\"b.csv");
  ASSERT_TRUE(params["skip_rows"].is_number_integer()) << params.dump();
  EXPECT_EQ(params["skip_rows"], 5);
  ASSERT_TRUE(params["has_header"].is_boolean());
  EXPECT_EQ(params["has_header"], false);
  EXPECT_EQ(params["delimiter"], ";");
}

TEST_F(PlannerTest, UndefinedVariableListsEveryUse) {
  common::Diagnostic d = ErrorWithCode(
      "CREATE TABLE a AS SELECT '${missing}' AS x;\n"
      "CREATE TABLE b AS SELECT '${missing}' AS x;\n"
      "EXPORT SELECT 1 AS x TO 'out/${missing}.csv' TYPE CSV;\n",
      "SF-VAR-001");
  EXPECT_EQ(d.message, "undefined variable 'missing'");
  EXPECT_EQ(d.location.line(), 1);
  EXPECT_EQ(d.location.column(), 27);
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_NE(d.notes[0].find("p.sf:2:27"), std::string::npos) << d.notes[0];
  EXPECT_NE(d.notes[1].find("p.sf:3:30"), std::string::npos) << d.notes[1];
  EXPECT_NE(d.hint.find("--vars"), std::string::npos);
}

TEST_F(PlannerTest, UndefinedVariableInSetIsListedOnce) {
  common::Diagnostic d = ErrorWithCode("SET a = '${missing}';\n", "SF-VAR-001");
  EXPECT_EQ(d.location.column(), 10);
  EXPECT_TRUE(d.notes.empty()) << "notes: " << (d.notes.empty() ? "" : d.notes[0]);
}

TEST_F(PlannerTest, UndefinedVariableInConditionAndBodyIsOneError) {
  auto diagnostics = Errors(
      "IF ${missing} == 'x' THEN SELECT 1; END IF;\n"
      "CREATE TABLE t AS SELECT '${missing}' AS v;\n");
  std::vector<common::Diagnostic> undefined;
  for (const auto& d : diagnostics) {
    if (d.code == "SF-VAR-001") undefined.push_back(d);
  }
  ASSERT_EQ(undefined.size(), 1u) << "every use of one variable belongs to one diagnostic";
  EXPECT_EQ(undefined[0].location.line(), 1);
  ASSERT_EQ(undefined[0].notes.size(), 1u);
  EXPECT_NE(undefined[0].notes[0].find("p.sf:2:27"), std::string::npos);
}

TEST_F(PlannerTest, SetUnescapesDoubledQuotes) {
  Plan plan = Build("SET a = 'it''s';\nSET b = \"say \"\"hi\"\"\";\n");
  EXPECT_EQ(plan.variables.at("a"), Value::Text("it's"));
  EXPECT_EQ(plan.variables.at("b"), Value::Text("say \"hi\""));
}

TEST_F(PlannerTest, DefaultsAreTypedInJson) {
  Plan plan = Build(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\", \"skip_rows\": ${skip|3}, \"has_header\": "
      "${h|true}};\n");
  EXPECT_EQ(plan.steps.at(0).params["skip_rows"], 3);
  EXPECT_EQ(plan.steps.at(0).params["has_header"], true);
}

TEST_F(PlannerTest, EveryUndefinedVariableIsReported) {
  auto diagnostics = Errors("CREATE TABLE a AS SELECT '${one}' AS x, '${two}' AS y;\n");
  int count = 0;
  for (const auto& d : diagnostics) count += d.code == "SF-VAR-001";
  EXPECT_EQ(count, 2);
}

TEST_F(PlannerTest, PlanVariablesHoldResolvedValues) {
  options_.cli_variables["limit"] = Value::Number("10");
  options_.profile_variables["env"] = Value::Text("dev");
  Plan plan = Build("SET region = 'eu';\nCREATE TABLE t AS SELECT ${limit} AS l;\n");
  EXPECT_EQ(plan.variables.at("limit"), Value::Number("10"));
  EXPECT_EQ(plan.variables.at("env"), Value::Text("dev"));
  EXPECT_EQ(plan.variables.at("region"), Value::Text("eu"));
}

// --- INCLUDE ------------------------------------------------------------------------------------

TEST_F(PlannerTest, IncludeExpandsInPlaceRelativeToIncludingFile) {
  Write("lib/common.sf", "CREATE TABLE base AS SELECT 1 AS x;\nINCLUDE 'more.sf';\n");
  Write("lib/more.sf", "CREATE TABLE more AS SELECT * FROM base;\n");
  Plan plan = Build(
      "INCLUDE 'lib/common.sf' AS common;\n"
      "CREATE TABLE r AS SELECT * FROM more;\n");
  EXPECT_EQ(Ids(plan), (IdList{"transform_base", "transform_more", "transform_r"}));
  EXPECT_EQ(plan.steps[0].location.path(), (fs::path("lib") / "common.sf").string());
  EXPECT_EQ(plan.steps[1].location.ToString(), (fs::path("lib") / "more.sf").string() + ":1:1");
  EXPECT_EQ(Deps(plan, "transform_r"), (DepSet{"transform_more"}));
}

TEST_F(PlannerTest, IncludePathTakesVariables) {
  options_.cli_variables["env"] = Value::Text("prod");
  Write("env/prod.sf", "CREATE TABLE settings AS SELECT 'prod' AS env;\n");
  Plan plan = Build("INCLUDE 'env/${env}.sf';\n");
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].sql, "SELECT 'prod' AS env");
}

TEST_F(PlannerTest, IncludeCycleIsAnError) {
  Write("a.sf", "INCLUDE 'b.sf';\n");
  Write("b.sf", "INCLUDE 'a.sf';\n");
  try {
    BuildPlan(dir_ / "a.sf", options_);
    FAIL() << "expected an include cycle";
  } catch (const common::SqlflowError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u);
    const auto& d = error.diagnostics()[0];
    EXPECT_EQ(d.code, "SF-PLAN-010");
    EXPECT_EQ(d.message, "include cycle: a.sf -> b.sf -> a.sf");
    EXPECT_EQ(d.location.path(), "b.sf");
    EXPECT_EQ(d.location.column(), 10);
  }
}

TEST_F(PlannerTest, SelfIncludeIsACycle) {
  common::Diagnostic d = ErrorWithCode("INCLUDE 'p.sf';\n", "SF-PLAN-010");
  EXPECT_EQ(d.message, "include cycle: p.sf -> p.sf");
}

TEST_F(PlannerTest, MissingIncludeIsAnError) {
  common::Diagnostic d = ErrorWithCode("SELECT 1;\nINCLUDE 'nope.sf';\n", "SF-PLAN-011");
  EXPECT_EQ(d.location.line(), 2);
}

// --- IF -----------------------------------------------------------------------------------------

TEST_F(PlannerTest, OnlyTheTakenBranchEntersThePlan) {
  options_.cli_variables["env"] = Value::Text("stage");
  Plan plan = Build(
      "IF ${env} == 'prod' THEN\n"
      "  CREATE TABLE t AS SELECT 'prod' AS e;\n"
      "ELSE IF ${env} == 'stage' THEN\n"
      "  CREATE TABLE t AS SELECT 'stage' AS e;\n"
      "ELSE\n"
      "  CREATE TABLE t AS SELECT 'dev' AS e;\n"
      "END IF;\n");
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].id, "transform_t");
  EXPECT_EQ(plan.steps[0].sql, "SELECT 'stage' AS e");
  EXPECT_EQ(plan.steps[0].location.line(), 4);
}

TEST_F(PlannerTest, ElseBranchWhenNothingMatches) {
  options_.cli_variables["env"] = Value::Text("dev");
  Plan plan = Build(
      "IF ${env} == 'prod' THEN CREATE TABLE t AS SELECT 1 AS x; ELSE CREATE TABLE t AS SELECT 2 AS x; "
      "END IF;\n");
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].sql, "SELECT 2 AS x");
}

TEST_F(PlannerTest, InactiveBranchIsNotValidated) {
  options_.cli_variables["env"] = Value::Text("dev");
  Plan plan = Build(
      "IF ${env} == 'prod' THEN\n"
      "  CREATE TABLE t AS SELECT '${undefined_thing}' AS x FROM no_such_table;\n"
      "  LOAD z FROM no_such_source;\n"
      "END IF;\n"
      "CREATE TABLE u AS SELECT 1 AS x;\n");
  EXPECT_EQ(Ids(plan), (IdList{"transform_u"}));
}

TEST_F(PlannerTest, SetInInactiveBranchDoesNotCount) {
  options_.cli_variables["env"] = Value::Text("dev");
  Plan plan = Build(
      "IF ${env} == 'prod' THEN\n"
      "  SET region = 'us';\n"
      "ELSE\n"
      "  SET other = 'x';\n"
      "END IF;\n"
      "CREATE TABLE t AS SELECT '${region|eu}' AS r;\n");
  EXPECT_EQ(plan.steps.at(0).sql, "SELECT 'eu' AS r");
  EXPECT_EQ(plan.variables.count("region"), 0u);
  EXPECT_EQ(plan.variables.at("other"), Value::Text("x"));
}

TEST_F(PlannerTest, IncludeInsideIfFollowsTheBranch) {
  options_.cli_variables["env"] = Value::Text("dev");
  Write("dev.sf", "CREATE TABLE t AS SELECT 'dev' AS e;\n");
  Plan plan = Build(
      "IF ${env} == 'prod' THEN INCLUDE 'missing_prod.sf'; ELSE INCLUDE 'dev.sf'; END IF;\n"
      "LOAD copy_t FROM later;\n"
      "SOURCE later TYPE CSV PARAMS {\"path\": \"x.csv\"};\n");
  EXPECT_EQ(Ids(plan), (IdList{"transform_t", "source_later", "load_copy_t"}));
  EXPECT_EQ(StepById(plan, "transform_t").location.path(), "dev.sf");
}

TEST_F(PlannerTest, NestedIfResolves) {
  options_.cli_variables["a"] = Value::Bool(true);
  options_.cli_variables["b"] = Value::Number("3");
  Plan plan = Build(
      "IF ${a} THEN\n"
      "  IF ${b} > 5 THEN CREATE TABLE t AS SELECT 'big' AS s;\n"
      "  ELSEIF ${b} > 1 THEN CREATE TABLE t AS SELECT 'mid' AS s;\n"
      "  ENDIF;\n"
      "END IF;\n");
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].sql, "SELECT 'mid' AS s");
}

// --- JSON output and secrets --------------------------------------------------------------------

TEST_F(PlannerTest, PlanToJsonHasPipelineVariablesAndSteps) {
  options_.cli_variables["password"] = Value::Text("hunter2");
  options_.cli_variables["limit"] = Value::Number("10");
  options_.cli_variables["flag"] = Value::Bool(true);
  Plan plan = Build(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "LOAD t FROM s MODE MERGE KEY (id);\n"
      "CREATE TABLE r AS SELECT * FROM t LIMIT ${limit};\n");
  nlohmann::json json = PlanToJson(plan);
  EXPECT_EQ(json["pipeline"], "p");
  EXPECT_EQ(json["variables"]["password"], "***");
  EXPECT_EQ(json["variables"]["limit"], 10);
  EXPECT_EQ(json["variables"]["flag"], true);
  EXPECT_EQ(json.dump().find("hunter2"), std::string::npos);
  ASSERT_EQ(json["steps"].size(), 3u);
  const auto& load = json["steps"][1];
  EXPECT_EQ(load["id"], "load_t");
  EXPECT_EQ(load["kind"], "load");
  EXPECT_EQ(load["mode"], "MERGE");
  EXPECT_EQ(load["keys"], nlohmann::json::array({"id"}));
  EXPECT_EQ(load["depends_on"], nlohmann::json::array({"source_s"}));
  EXPECT_EQ(load["target"], "t");
  const auto& transform = json["steps"][2];
  EXPECT_EQ(transform["sql"], "SELECT * FROM t LIMIT 10");
  EXPECT_EQ(transform["depends_on"], nlohmann::json::array({"load_t"}));
  EXPECT_EQ(json["steps"][0]["params"]["path"], "a.csv");
}

TEST_F(PlannerTest, PlanToJsonMasksSecretParams) {
  Plan plan;
  plan.pipeline = "x";
  Step step;
  step.id = "source_pg";
  step.kind = Step::Kind::kSource;
  step.params = {{"host", "db"}, {"password", "pw"}, {"secret_access_key", "sk"}};
  plan.steps.push_back(step);
  nlohmann::json json = PlanToJson(plan);
  EXPECT_EQ(json["steps"][0]["params"]["host"], "db");
  EXPECT_EQ(json["steps"][0]["params"]["password"], "***");
  EXPECT_EQ(json["steps"][0]["params"]["secret_access_key"], "***");
}

TEST(SecretsTest, IsSecretName) {
  for (const char* name : {"password", "PASSWORD", "db_password", "secret", "secret_access_key", "token",
                           "api_key", "access_key", "session_token"}) {
    EXPECT_TRUE(IsSecretName(name)) << name;
  }
  for (const char* name : {"user", "host", "keys", "monkey", "path", "tokens_used"}) {
    EXPECT_FALSE(IsSecretName(name)) << name;
  }
}

TEST(SecretsTest, MaskSecretsRecursesAndKeepsNull) {
  nlohmann::json item = nlohmann::json::object();
  item["api_key"] = "k";
  nlohmann::json params = nlohmann::json::object();
  params["user"] = "etl";
  params["password"] = "pw";
  params["nested"] = {{"token", "t"}, {"port", 5432}};
  params["list"] = nlohmann::json::array();
  params["list"].push_back(item);
  params["secret"] = nullptr;
  nlohmann::json masked = MaskSecrets(params);
  EXPECT_EQ(masked["user"], "etl");
  EXPECT_EQ(masked["password"], "***");
  EXPECT_EQ(masked["nested"]["token"], "***");
  EXPECT_EQ(masked["nested"]["port"], 5432);
  EXPECT_EQ(masked["list"][0]["api_key"], "***");
  EXPECT_TRUE(masked["secret"].is_null());
  EXPECT_EQ(params["password"], "pw");  // the input is untouched
}

// ---- variables in SQL: values never add statements or end strings ------------------------------

TEST_F(PlannerTest, ValueInsideAStringLiteralIsEscaped) {
  options_.cli_variables["v"] = Value::Text("x'; DROP TABLE canary; --");
  Plan plan = Build("SELECT '${v}' AS val, E'${v}\\n' AS e, \"${v}\" AS \"${v}\";\n");
  ASSERT_EQ(plan.steps.size(), 1U);
  EXPECT_EQ(plan.steps[0].sql,
            "SELECT 'x''; DROP TABLE canary; --' AS val, E'x''; DROP TABLE canary; --\\n' AS e, "
            "\"x'; DROP TABLE canary; --\" AS \"x'; DROP TABLE canary; --\"");
}

TEST_F(PlannerTest, EscapeStringAndIdentifierQuotesAreDoubled) {
  options_.cli_variables["v"] = Value::Text("a\\'\"b");
  Plan plan = Build("SELECT E'${v}' AS e, 1 AS \"${v}\";\n");
  EXPECT_EQ(plan.steps[0].sql, "SELECT E'a\\\\''\"b' AS e, 1 AS \"a\\'\"\"b\"");
}

TEST_F(PlannerTest, ValueOutsideQuotesIsSplicedRaw) {
  options_.cli_variables["n"] = Value::Number("5");
  options_.cli_variables["t"] = Value::Text("people");
  Plan plan = Build(
      "CREATE TABLE people AS SELECT 1 AS id;\nCREATE TABLE b AS SELECT * FROM ${t} WHERE id > ${n};\n");
  EXPECT_EQ(plan.steps[1].sql, "SELECT * FROM people WHERE id > 5");
}

TEST_F(PlannerTest, RawValueAddingAStatementIsAnError) {
  options_.cli_variables["n"] = Value::Text("0; DROP TABLE canary");
  for (const char* text : {"SELECT 1 WHERE 1 > ${n};\n", "CREATE TABLE b AS SELECT 1 WHERE 1 > ${n};\n",
                           "EXPORT SELECT 1 WHERE 1 > ${n} TO 'out.csv' TYPE CSV;\n"}) {
    common::Diagnostic d = ErrorWithCode(text, "SF-VAR-003");
    EXPECT_EQ(d.message, "after variable substitution this step is 2 statements") << text;
    EXPECT_EQ(d.location.line(), 1) << text;
  }
}

TEST_F(PlannerTest, ValueChangingTheStatementKindIsAnError) {
  options_.cli_variables["c"] = Value::Text("LETE");
  common::Diagnostic d = ErrorWithCode("SELECT 1 AS a;\nDE${c} FROM canary;\n", "SF-VAR-004");
  EXPECT_EQ(d.message, "a variable's value changes the statement's first word to 'DELETE'");
  EXPECT_EQ(d.location.line(), 2);
  options_.cli_variables["c"] = Value::Text("DROP");
  d = ErrorWithCode("${c} TABLE canary;\n", "SF-VAR-004");
  EXPECT_EQ(d.message, "a statement cannot begin with a variable: its kind must be written in the file");
}

TEST_F(PlannerTest, BareJsonReferenceCannotAddKeys) {
  options_.cli_variables["h"] = Value::Text("true, \"path\": \"/etc/passwd\"");
  Plan plan = Build("SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\", \"delimiter\": ${h}};\n");
  EXPECT_EQ(plan.steps[0].params["delimiter"], "true, \"path\": \"/etc/passwd\"");
  EXPECT_EQ(plan.steps[0].params["path"], "a.csv");
}

TEST_F(PlannerTest, SecretValuesJoinTheProcessRedactor) {
  util::ClearSecretValues();
  options_.cli_variables["api_token"] = Value::Text("Tok-31415926");
  options_.cli_variables["plain"] = Value::Text("Declared-2718");
  options_.secret_variables = {"plain"};
  Plan plan = Build(
      "SET secret_word = 'SetWord-1618';\n"
      "CREATE TABLE a AS SELECT '${api_token}' AS t, '${plain}' AS p, '${secret_word}' AS w, "
      "'${secret_default|Default-1414}' AS d;\n"
      "SOURCE s TYPE CSV PARAMS {\"path\": \"${api_token}.csv\"};\n");
  EXPECT_EQ(util::Redact("Tok-31415926 Declared-2718 SetWord-1618 Default-1414"), "*** *** *** ***");
  nlohmann::json json = PlanToJson(plan);
  EXPECT_EQ(json["variables"]["plain"], "***");
  EXPECT_EQ(json["steps"][0]["sql"], "SELECT '***' AS t, '***' AS p, '***' AS w, '***' AS d");
  EXPECT_EQ(json["steps"][1]["params"]["path"], "***.csv");
  util::ClearSecretValues();
}

}  // namespace
}  // namespace sqlflow::plan
