#include "app/context.h"

#include <gtest/gtest.h>

#include "common/diagnostic.h"

namespace sqlflow::app {
namespace {

using lang::Value;

TEST(ParseVariablesTest, EmptyTextGivesNoVariables) {
  EXPECT_TRUE(ParseVariables("").empty());
  EXPECT_TRUE(ParseVariables("   ").empty());
}

TEST(ParseVariablesTest, JsonObjectKeepsTypes) {
  auto vars =
      ParseVariables(R"({"env": "prod", "limit": 10, "ratio": 1.5, "on": true, "off": false, "none": null})");
  ASSERT_EQ(vars.size(), 6u);
  EXPECT_EQ(vars.at("env"), Value::Text("prod"));
  EXPECT_EQ(vars.at("limit"), Value::Number("10"));
  EXPECT_EQ(vars.at("ratio"), Value::Number("1.5"));
  EXPECT_EQ(vars.at("on"), Value::Bool(true));
  EXPECT_EQ(vars.at("off"), Value::Bool(false));
  EXPECT_EQ(vars.at("none"), Value::Null());
}

TEST(ParseVariablesTest, JsonStringsThatLookTypedStayText) {
  auto vars = ParseVariables(R"(  {"n": "10", "b": "true"}  )");
  EXPECT_EQ(vars.at("n"), Value::Text("10"));
  EXPECT_EQ(vars.at("b"), Value::Text("true"));
}

TEST(ParseVariablesTest, JsonNestedValuesBecomeTheirJsonText) {
  auto vars = ParseVariables(R"({"list": [1, 2], "obj": {"a": "b"}})");
  EXPECT_EQ(vars.at("list"), Value::Text("[1,2]"));
  EXPECT_EQ(vars.at("obj"), Value::Text(R"({"a":"b"})"));
}

// Used to overflow the stack when the nested value was turned into text.
TEST(ParseVariablesTest, JsonNestedTooDeepIsAnErrorNotACrash) {
  std::string deep = R"({"a": )" + std::string(50000, '[') + std::string(50000, ']') + "}";
  try {
    ParseVariables(deep);
    FAIL() << "expected SF-CLI-001";
  } catch (const common::UsageError& error) {
    EXPECT_EQ(error.code(), "SF-CLI-001");
    EXPECT_NE(std::string(error.what()).find("nested more than 64 levels deep (at character 70)"),
              std::string::npos)
        << error.what();
  }
}

TEST(ParseVariablesTest, JsonKeyGivenTwiceIsAnError) {
  try {
    ParseVariables(R"({"n": 1, "n": 2})");
    FAIL() << "expected SF-CLI-001";
  } catch (const common::UsageError& error) {
    EXPECT_NE(std::string(error.what()).find(R"(key "n" is given twice)"), std::string::npos) << error.what();
  }
}

TEST(ParseVariablesTest, KeyValuePairsAreTypedFromText) {
  auto vars = ParseVariables("env=prod,limit=10,flag=true,rate=-2.5");
  ASSERT_EQ(vars.size(), 4u);
  EXPECT_EQ(vars.at("env"), Value::Text("prod"));
  EXPECT_EQ(vars.at("limit"), Value::Number("10"));
  EXPECT_EQ(vars.at("flag"), Value::Bool(true));
  EXPECT_EQ(vars.at("rate"), Value::Number("-2.5"));
}

TEST(ParseVariablesTest, KeyValuePairsAreTrimmedAndKeepLaterEquals) {
  auto vars = ParseVariables(" region = us-east-1 , url=a=b, empty=");
  EXPECT_EQ(vars.at("region"), Value::Text("us-east-1"));
  EXPECT_EQ(vars.at("url"), Value::Text("a=b"));
  EXPECT_EQ(vars.at("empty"), Value::Text(""));
}

TEST(ParseVariablesTest, MalformedJsonIsAUsageError) {
  try {
    ParseVariables(R"({"a": })");
    FAIL() << "expected UsageError";
  } catch (const common::UsageError& error) {
    EXPECT_EQ(error.code(), "SF-CLI-001");
    EXPECT_NE(std::string(error.what()).find("not a valid JSON object"), std::string::npos);
    EXPECT_FALSE(error.hint().empty());
  }
}

TEST(ParseVariablesTest, PairWithoutEqualsIsAUsageError) {
  try {
    ParseVariables("env=prod,novalue");
    FAIL() << "expected UsageError";
  } catch (const common::UsageError& error) {
    EXPECT_EQ(error.code(), "SF-CLI-001");
    EXPECT_NE(std::string(error.what()).find("novalue"), std::string::npos);
  }
}

TEST(ParseVariablesTest, EmptyKeyIsAUsageError) {
  EXPECT_THROW(ParseVariables("=x"), common::UsageError);
  EXPECT_THROW(ParseVariables("[1, 2]"), common::UsageError);
}

TEST(ContextTest, DatabaseOptionsFollowTheProfile) {
  project::Profile profile;
  EXPECT_TRUE(DatabaseOptionsFor(profile).path.empty());
  profile.engine.mode = project::EngineConfig::Mode::kPersistent;
  profile.engine.path = "/tmp/x/prod.duckdb";
  profile.engine.memory_limit = "2GB";
  profile.engine.threads = 3;
  engine::DatabaseOptions options = DatabaseOptionsFor(profile);
  EXPECT_EQ(options.path, std::filesystem::path("/tmp/x/prod.duckdb"));
  EXPECT_EQ(options.memory_limit, "2GB");
  EXPECT_EQ(options.threads, 3);
}

TEST(ContextTest, PlanOptionsCarryVariablesEnvironmentAndConnectors) {
  Context context;
  context.root = "/proj";
  context.variables["a"] = Value::Number("1");
  context.profile.variables["b"] = Value::Text("x");
  context.environment.Set("SQLFLOW_TEST_ONLY_VAR", "from-env");
  context.profile.connectors["pg"] = project::ConnectorConfig{"pg", "POSTGRES", {{"host", "h"}}};
  plan::PlanOptions options = MakePlanOptions(context, nullptr);
  EXPECT_EQ(options.cli_variables.at("a"), Value::Number("1"));
  EXPECT_EQ(options.profile_variables.at("b"), Value::Text("x"));
  ASSERT_TRUE(options.environment);
  EXPECT_EQ(options.environment("SQLFLOW_TEST_ONLY_VAR"), "from-env");
  EXPECT_EQ(options.connectors.at("pg").type, "POSTGRES");
  EXPECT_EQ(options.connectors.at("pg").params["host"], "h");
  EXPECT_FALSE(options.table_exists);
  EXPECT_EQ(options.project_root, std::filesystem::path("/proj"));
}

TEST(ContextTest, PlanOptionsAskTheConnectionAboutTables) {
  engine::Database db = engine::Database::Open({});
  engine::Connection conn(db);
  conn.Query("CREATE TABLE here (x INTEGER)");
  Context context;
  plan::PlanOptions options = MakePlanOptions(context, &conn);
  ASSERT_TRUE(options.table_exists);
  EXPECT_TRUE(options.table_exists("here"));
  EXPECT_FALSE(options.table_exists("gone"));
}

}  // namespace
}  // namespace sqlflow::app
