// PYTHON_FUNC rewriting (plan::RewritePythonFuncs) and UDF name resolution (udf::UdfCatalog),
// on a hand-made discovery result: no Python needed.

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "plan/python_func.h"
#include "udf/catalog.h"

namespace sqlflow::plan {
namespace {

using udf::UdfCatalog;

nlohmann::json Param(const std::string& name, const std::string& kind = "POSITIONAL_OR_KEYWORD") {
  return {{"name", name}, {"type", nullptr}, {"default", nullptr}, {"kind", kind}};
}

nlohmann::json Udf(const std::string& name, const std::string& short_name, const std::string& kind,
                   const std::string& file, int line, nlohmann::json params = nlohmann::json::array()) {
  nlohmann::json info = {{"name", name},
                         {"short_name", short_name},
                         {"module", name.substr(0, name.rfind('.'))},
                         {"kind", kind},
                         {"file", file},
                         {"line", line},
                         {"signature", short_name + "(x)"},
                         {"doc", ""},
                         {"summary", ""},
                         {"params", params}};
  if (kind == "scalar") {
    info["return_type"] = "DOUBLE";
    info["vectorized"] = false;
  } else {
    info["output_schema"] = {{"id", "BIGINT"}};
    info["infer"] = false;
    info["required_columns"] = nlohmann::json::array();
  }
  return info;
}

// python_udfs/
//   mathx.py          add_tax (scalar), twice (scalar), scores(df, **kwargs) (table), clean (scalar)
//   text.py           clean (scalar; the short name collides with mathx.clean)
//   sub/deep/geo.py   distance (scalar), explode_rows(df, n, *, mode) (table)
//   broken.py         failed to import
//   sub/oops.py       failed to import
const char* kRoot = "/proj/python_udfs/";

UdfCatalog MakeCatalog() {
  std::string root = kRoot;
  nlohmann::json discovery = {
      {"udfs",
       {Udf("mathx.add_tax", "add_tax", "scalar", root + "mathx.py", 4),
        Udf("mathx.clean", "clean", "scalar", root + "mathx.py", 20),
        Udf("mathx.scores", "scores", "table", root + "mathx.py", 12,
            {Param("df"), Param("kwargs", "VAR_KEYWORD")}),
        Udf("mathx.twice", "twice", "scalar", root + "mathx.py", 8),
        Udf("sub.deep.geo.distance", "distance", "scalar", root + "sub/deep/geo.py", 3),
        Udf("sub.deep.geo.explode_rows", "explode_rows", "table", root + "sub/deep/geo.py", 9,
            {Param("df"), Param("n"), Param("mode", "KEYWORD_ONLY")}),
        Udf("text.clean", "clean", "scalar", root + "text.py", 2)}},
      {"errors",
       {{{"file", root + "broken.py"},
         {"error", "Traceback (most recent call last):\nModuleNotFoundError: No module named 'nope'"}},
        {{"file", root + "sub/oops.py"},
         {"error", "Traceback (most recent call last):\nSyntaxError: invalid syntax"}}}}};
  return UdfCatalog::FromDiscovery(discovery.dump());
}

std::string Squash(const std::string& text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  return out;
}

class PythonFuncTest : public ::testing::Test {
 protected:
  PythonFuncRewrite Rewrite(const std::string& sql) { return RewritePythonFuncs(sql, &catalog_, counter_); }

  std::string SqlName(const std::string& name) {
    std::string error, hint;
    const udf::UdfDefinition* definition = catalog_.Resolve(name, error, hint);
    EXPECT_NE(definition, nullptr) << name << ": " << error;
    return definition ? definition->sql_name() : "";
  }

  UdfCatalog catalog_ = MakeCatalog();
  int counter_ = 0;
};

// ---- scalar calls -----------------------------------------------------------------------------

TEST_F(PythonFuncTest, SqlWithoutPythonFuncIsUnchanged) {
  std::string sql = "SELECT python_function_name, 'PYTHON' FROM t";
  PythonFuncRewrite rewrite = Rewrite(sql);
  EXPECT_EQ(rewrite.sql, sql);
  EXPECT_TRUE(rewrite.edits.empty());
  EXPECT_TRUE(rewrite.table_calls.empty());
  EXPECT_TRUE(rewrite.issues.empty());
  EXPECT_EQ(counter_, 0);
}

TEST_F(PythonFuncTest, ScalarCallHeadBecomesRegisteredFunction) {
  std::string sql = "SELECT PYTHON_FUNC('mathx.add_tax', amount, 2) AS taxed FROM orders";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  EXPECT_EQ(Squash(rewrite.sql),
            Squash("SELECT " + SqlName("mathx.add_tax") + "(amount, 2) AS taxed FROM orders"));
  EXPECT_EQ(rewrite.sql.find("PYTHON_FUNC"), std::string::npos);
  EXPECT_TRUE(rewrite.table_calls.empty());
  ASSERT_EQ(rewrite.edits.size(), 1u);
  EXPECT_EQ(rewrite.edits[0].begin, sql.find("PYTHON_FUNC"));
  EXPECT_EQ(counter_, 0);
}

TEST_F(PythonFuncTest, ScalarCallWithoutArguments) {
  PythonFuncRewrite rewrite = Rewrite("SELECT PYTHON_FUNC('mathx.twice') AS v");
  ASSERT_TRUE(rewrite.issues.empty());
  EXPECT_EQ(Squash(rewrite.sql), Squash("SELECT " + SqlName("mathx.twice") + "() AS v"));
}

TEST_F(PythonFuncTest, DoubleQuotedNameLowercaseKeywordShortNameAndPrefix) {
  PythonFuncRewrite rewrite = Rewrite(
      "SELECT python_func(\"mathx.add_tax\", a), Python_Func('twice', b), "
      "PYTHON_FUNC('python_udfs.sub.deep.geo.distance', c, d) FROM t");
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  EXPECT_EQ(Squash(rewrite.sql),
            Squash("SELECT " + SqlName("mathx.add_tax") + "(a), " + SqlName("mathx.twice") + "(b), " +
                   SqlName("sub.deep.geo.distance") + "(c, d) FROM t"));
  EXPECT_EQ(rewrite.edits.size(), 3u);
}

TEST_F(PythonFuncTest, NestedCallsAndParenthesesInArguments) {
  std::string sql =
      "SELECT PYTHON_FUNC('mathx.add_tax', PYTHON_FUNC('mathx.twice', (x + (1 * 2))) * 3, "
      "coalesce(y, (PYTHON_FUNC('text.clean', z)))) FROM t WHERE PYTHON_FUNC('twice', x) > 1";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  std::string add = SqlName("mathx.add_tax"), twice = SqlName("mathx.twice"), clean = SqlName("text.clean");
  EXPECT_EQ(Squash(rewrite.sql), Squash("SELECT " + add + "(" + twice + "((x + (1 * 2))) * 3, coalesce(y, (" +
                                        clean + "(z)))) FROM t WHERE " + twice + "(x) > 1"));
  ASSERT_EQ(rewrite.edits.size(), 4u);
  for (size_t i = 1; i < rewrite.edits.size(); ++i)
    EXPECT_LT(rewrite.edits[i - 1].begin, rewrite.edits[i].begin);
}

TEST_F(PythonFuncTest, StringsAndCommentsAreNotRewritten) {
  std::string sql =
      "SELECT 'PYTHON_FUNC(''mathx.twice'', 1)' AS s, PYTHON_FUNC('mathx.twice', 1) AS v -- "
      "PYTHON_FUNC('x.y', 1)\n"
      "/* PYTHON_FUNC('nope.nope', 2) */ FROM t";
  PythonFuncRewrite rewrite = Rewrite(sql);
  EXPECT_TRUE(rewrite.issues.empty());
  ASSERT_EQ(rewrite.edits.size(), 1u);
  EXPECT_NE(rewrite.sql.find("'PYTHON_FUNC(''mathx.twice'', 1)'"), std::string::npos);
  EXPECT_NE(rewrite.sql.find("-- PYTHON_FUNC('x.y', 1)"), std::string::npos);
  EXPECT_NE(rewrite.sql.find("/* PYTHON_FUNC('nope.nope', 2) */"), std::string::npos);
}

// ---- table calls ------------------------------------------------------------------------------

TEST_F(PythonFuncTest, TableCallOnTableNameBecomesPlaceholder) {
  std::string sql = "SELECT id, score FROM PYTHON_FUNC('mathx.scores', orders, factor => 2) WHERE score > 1";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  ASSERT_EQ(rewrite.table_calls.size(), 1u);
  const TableUdfCall& call = rewrite.table_calls[0];
  EXPECT_EQ(call.udf, "mathx.scores");
  EXPECT_EQ(call.input_sql, "SELECT * FROM orders");
  EXPECT_EQ(nlohmann::json::parse(call.kwargs_json), nlohmann::json({{"factor", 2}}));
  EXPECT_TRUE(IsTableUdfPlaceholder(call.placeholder));
  EXPECT_FALSE(IsTableUdfPlaceholder("orders"));
  EXPECT_EQ(rewrite.sql, "SELECT id, score FROM " + call.placeholder + " WHERE score > 1");
  EXPECT_EQ(counter_, 1);
}

TEST_F(PythonFuncTest, TableCallOnQualifiedTableNameAndShortName) {
  PythonFuncRewrite rewrite = Rewrite("SELECT * FROM PYTHON_FUNC('scores', main.orders)");
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  ASSERT_EQ(rewrite.table_calls.size(), 1u);
  EXPECT_EQ(rewrite.table_calls[0].udf, "mathx.scores");
  EXPECT_EQ(rewrite.table_calls[0].input_sql, "SELECT * FROM main.orders");
  EXPECT_EQ(nlohmann::json::parse(rewrite.table_calls[0].kwargs_json), nlohmann::json::object());
}

TEST_F(PythonFuncTest, TableCallOnSubqueryUsesTheSubqueryAsInput) {
  std::string sql =
      "SELECT * FROM PYTHON_FUNC('sub.deep.geo.explode_rows', (SELECT a, (b + 1) AS b FROM t WHERE a IN (1, "
      "2)), "
      "n => 3) AS r";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  ASSERT_EQ(rewrite.table_calls.size(), 1u);
  EXPECT_EQ(rewrite.table_calls[0].udf, "sub.deep.geo.explode_rows");
  EXPECT_EQ(rewrite.table_calls[0].input_sql, "SELECT a, (b + 1) AS b FROM t WHERE a IN (1, 2)");
  EXPECT_EQ(rewrite.sql, "SELECT * FROM " + rewrite.table_calls[0].placeholder + " AS r");
}

TEST_F(PythonFuncTest, ScalarCallsInsideTableInputAreRewritten) {
  PythonFuncRewrite rewrite = Rewrite(
      "SELECT * FROM PYTHON_FUNC('mathx.scores', (SELECT PYTHON_FUNC('mathx.twice', id) AS id FROM t))");
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  ASSERT_EQ(rewrite.table_calls.size(), 1u);
  EXPECT_EQ(Squash(rewrite.table_calls[0].input_sql),
            Squash("SELECT " + SqlName("mathx.twice") + "(id) AS id FROM t"));
}

TEST_F(PythonFuncTest, NestedTableCallsRunInnerFirst) {
  PythonFuncRewrite rewrite = Rewrite(
      "SELECT * FROM PYTHON_FUNC('mathx.scores', (SELECT * FROM PYTHON_FUNC('explode_rows', src, n => 2) "
      "WHERE id > 0), "
      "factor => 1.5)");
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  ASSERT_EQ(rewrite.table_calls.size(), 2u);
  const TableUdfCall& inner = rewrite.table_calls[0];
  const TableUdfCall& outer = rewrite.table_calls[1];
  EXPECT_EQ(inner.udf, "sub.deep.geo.explode_rows");
  EXPECT_EQ(inner.input_sql, "SELECT * FROM src");
  EXPECT_EQ(outer.udf, "mathx.scores");
  EXPECT_EQ(outer.input_sql, "SELECT * FROM " + inner.placeholder + " WHERE id > 0");
  EXPECT_NE(inner.placeholder, outer.placeholder);
  EXPECT_EQ(rewrite.sql, "SELECT * FROM " + outer.placeholder);
  EXPECT_EQ(nlohmann::json::parse(outer.kwargs_json), nlohmann::json({{"factor", 1.5}}));
}

TEST_F(PythonFuncTest, PlaceholdersAreNumberedAcrossCalls) {
  PythonFuncRewrite first = Rewrite("SELECT * FROM PYTHON_FUNC('mathx.scores', a)");
  PythonFuncRewrite second = Rewrite("SELECT * FROM PYTHON_FUNC('mathx.scores', a)");
  ASSERT_EQ(first.table_calls.size(), 1u);
  ASSERT_EQ(second.table_calls.size(), 1u);
  EXPECT_NE(first.table_calls[0].placeholder, second.table_calls[0].placeholder);
  EXPECT_EQ(counter_, 2);
}

TEST_F(PythonFuncTest, KeywordArgumentsAreTypedJson) {
  PythonFuncRewrite rewrite = Rewrite(
      "SELECT * FROM PYTHON_FUNC('mathx.scores', t, i => 42, neg => -7, f => 2.5, nf => -0.25, e => 1e3, "
      "s => 'it''s', empty => '', b => TRUE, c => false, z => NULL, big => 9007199254740993)");
  ASSERT_TRUE(rewrite.issues.empty()) << rewrite.issues[0].message;
  ASSERT_EQ(rewrite.table_calls.size(), 1u);
  nlohmann::json kwargs = nlohmann::json::parse(rewrite.table_calls[0].kwargs_json);
  ASSERT_TRUE(kwargs.is_object());
  EXPECT_EQ(kwargs.size(), 11u);
  EXPECT_TRUE(kwargs["i"].is_number_integer());
  EXPECT_EQ(kwargs["i"].get<int64_t>(), 42);
  EXPECT_TRUE(kwargs["neg"].is_number_integer());
  EXPECT_EQ(kwargs["neg"].get<int64_t>(), -7);
  EXPECT_TRUE(kwargs["f"].is_number_float());
  EXPECT_DOUBLE_EQ(kwargs["f"].get<double>(), 2.5);
  EXPECT_TRUE(kwargs["nf"].is_number_float());
  EXPECT_DOUBLE_EQ(kwargs["nf"].get<double>(), -0.25);
  EXPECT_TRUE(kwargs["e"].is_number());
  EXPECT_DOUBLE_EQ(kwargs["e"].get<double>(), 1000.0);
  EXPECT_EQ(kwargs["s"], "it's");
  EXPECT_EQ(kwargs["empty"], "");
  EXPECT_EQ(kwargs["b"], true);
  EXPECT_EQ(kwargs["c"], false);
  EXPECT_TRUE(kwargs.contains("z"));
  EXPECT_TRUE(kwargs["z"].is_null());
  EXPECT_TRUE(kwargs["big"].is_number_integer());
  EXPECT_EQ(kwargs["big"].get<int64_t>(), 9007199254740993LL);
}

// ---- issues -----------------------------------------------------------------------------------

TEST_F(PythonFuncTest, UnknownNameIsAnIssueAtTheNameWithSuggestion) {
  std::string sql = "SELECT PYTHON_FUNC('mathx.add_tx', a) FROM t";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-011");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("'mathx.add_tx'"));
  EXPECT_NE(rewrite.issues[0].message.find("mathx.add_tx"), std::string::npos);
  EXPECT_NE(rewrite.issues[0].hint.find("mathx.add_tax"), std::string::npos);
}

TEST_F(PythonFuncTest, AmbiguousShortNameListsCandidates) {
  std::string sql = "SELECT a, PYTHON_FUNC('clean', a) FROM t";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-011");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("'clean'"));
  EXPECT_NE(rewrite.issues[0].message.find("ambiguous"), std::string::npos);
  EXPECT_NE(rewrite.issues[0].hint.find("mathx.clean"), std::string::npos);
  EXPECT_NE(rewrite.issues[0].hint.find("text.clean"), std::string::npos);
}

TEST_F(PythonFuncTest, EveryIssueOfTheTextIsReported) {
  std::string sql = "SELECT PYTHON_FUNC('nope.f', 1), PYTHON_FUNC('clean', 2), PYTHON_FUNC('mathx.twice', 3)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 2u);
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("'nope.f'"));
  EXPECT_EQ(rewrite.issues[1].offset, sql.find("'clean'"));
}

TEST_F(PythonFuncTest, NameFromAFileThatFailedToImport) {
  std::string sql = "SELECT PYTHON_FUNC('broken.fn', 1), PYTHON_FUNC('sub.oops.g', 2)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 2u);
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("'broken.fn'"));
  EXPECT_NE(rewrite.issues[0].message.find(std::string(kRoot) + "broken.py"), std::string::npos);
  EXPECT_NE(rewrite.issues[0].hint.find("ModuleNotFoundError"), std::string::npos);
  EXPECT_NE(rewrite.issues[1].message.find(std::string(kRoot) + "sub/oops.py"), std::string::npos);
  EXPECT_NE(rewrite.issues[1].hint.find("SyntaxError"), std::string::npos);
}

TEST_F(PythonFuncTest, NoCatalogMakesEveryCallAnIssue) {
  std::string sql = "SELECT PYTHON_FUNC('mathx.twice', 1), PYTHON_FUNC('m.t', 2)";
  PythonFuncRewrite rewrite = RewritePythonFuncs(sql, nullptr, counter_);
  ASSERT_EQ(rewrite.issues.size(), 2u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-011");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("'mathx.twice'"));
  EXPECT_EQ(rewrite.issues[1].offset, sql.find("'m.t'"));
}

TEST_F(PythonFuncTest, NameMustBeAQuotedString) {
  std::string sql = "SELECT PYTHON_FUNC(mathx.twice, 1), PYTHON_FUNC()";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 2u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-010");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("mathx.twice"));
  EXPECT_EQ(rewrite.issues[1].code, "SF-UDF-010");
}

TEST_F(PythonFuncTest, TableCallWithoutInput) {
  std::string sql = "SELECT * FROM t JOIN PYTHON_FUNC('mathx.scores') USING (id)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-012");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("PYTHON_FUNC"));
  EXPECT_NE(rewrite.issues[0].message.find("mathx.scores"), std::string::npos);

  std::string empty_input = "SELECT * FROM PYTHON_FUNC('mathx.scores', , factor => 1)";
  PythonFuncRewrite rewrite2 = Rewrite(empty_input);
  ASSERT_EQ(rewrite2.issues.size(), 1u);
  EXPECT_EQ(rewrite2.issues[0].code, "SF-UDF-012");
}

TEST_F(PythonFuncTest, PositionalArgumentAfterInputIsAnIssue) {
  std::string sql = "SELECT * FROM PYTHON_FUNC('mathx.scores', t, 5, factor => 2)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-013");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("5,"));
  EXPECT_NE(rewrite.issues[0].message.find("'5'"), std::string::npos);
}

TEST_F(PythonFuncTest, NonLiteralKeywordValuesAreIssues) {
  std::string sql =
      "SELECT * FROM PYTHON_FUNC('mathx.scores', t, a => 1 + 2, b => some_column, c => [1, 2], d => -x, e => "
      "1)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 4u);
  for (const auto& issue : rewrite.issues) EXPECT_EQ(issue.code, "SF-UDF-013");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("1 + 2"));
  EXPECT_NE(rewrite.issues[0].message.find("'a'"), std::string::npos);
  EXPECT_EQ(rewrite.issues[1].offset, sql.find("some_column"));
  EXPECT_NE(rewrite.issues[1].message.find("'b'"), std::string::npos);
  EXPECT_NE(rewrite.issues[2].message.find("'c'"), std::string::npos);
  EXPECT_NE(rewrite.issues[3].message.find("'d'"), std::string::npos);
}

TEST_F(PythonFuncTest, KeywordWithoutArrowIsAnIssue) {
  std::string sql = "SELECT * FROM PYTHON_FUNC('mathx.scores', t, factor = 2)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-013");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("factor"));
}

TEST_F(PythonFuncTest, KeywordTheFunctionDoesNotTakeIsAnIssue) {
  std::string sql =
      "SELECT * FROM PYTHON_FUNC('sub.deep.geo.explode_rows', t, n => 2, mode => 'x', nn => 3, df => 1, "
      "zzzzzz => 0)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 3u);
  for (const auto& issue : rewrite.issues) EXPECT_EQ(issue.code, "SF-UDF-015");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("nn =>"));
  EXPECT_NE(rewrite.issues[0].message.find("'nn'"), std::string::npos);
  EXPECT_NE(rewrite.issues[0].hint.find("'n'"), std::string::npos);
  // The first parameter receives the DataFrame: it is not a keyword argument.
  EXPECT_EQ(rewrite.issues[1].offset, sql.find("df =>"));
  EXPECT_EQ(rewrite.issues[2].offset, sql.find("zzzzzz"));
  EXPECT_NE(rewrite.issues[2].hint.find("n, mode"), std::string::npos);
}

// Python refuses a keyword given twice; the plan must not silently keep only the last one.
TEST_F(PythonFuncTest, RepeatedKeywordIsAnIssue) {
  std::string sql = "SELECT * FROM PYTHON_FUNC('mathx.scores', t, factor => 1, factor => 2)";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-013");
  EXPECT_EQ(rewrite.issues[0].offset, sql.rfind("factor"));
}

// An unknown UDF inside a table call's subquery is reported at its own name, not at the subquery.
TEST_F(PythonFuncTest, IssueInsideTableInputPointsAtTheName) {
  std::string sql =
      "SELECT * FROM PYTHON_FUNC('mathx.scores', (SELECT PYTHON_FUNC('nope.f', id) AS id FROM t))";
  PythonFuncRewrite rewrite = Rewrite(sql);
  ASSERT_EQ(rewrite.issues.size(), 1u);
  EXPECT_EQ(rewrite.issues[0].code, "SF-UDF-011");
  EXPECT_EQ(rewrite.issues[0].offset, sql.find("'nope.f'"));
}

TEST_F(PythonFuncTest, UnterminatedCallsDoNotCrash) {
  for (std::string sql :
       {"SELECT PYTHON_FUNC(", "SELECT PYTHON_FUNC('mathx.twice'", "SELECT PYTHON_FUNC('mathx.twice', (1",
        "SELECT * FROM PYTHON_FUNC('mathx.scores', t", "SELECT * FROM PYTHON_FUNC('mathx.scores', t, k =>",
        "SELECT PYTHON_FUNC"}) {
    int counter = 0;
    PythonFuncRewrite rewrite = RewritePythonFuncs(sql, &catalog_, counter);
    (void)rewrite;
  }
}

// ---- UdfCatalog -------------------------------------------------------------------------------

TEST(UdfCatalogTest, FromDiscoveryKeepsUdfsAndFailures) {
  UdfCatalog catalog = MakeCatalog();
  ASSERT_EQ(catalog.udfs().size(), 7u);
  ASSERT_EQ(catalog.failures().size(), 2u);
  EXPECT_EQ(catalog.failures()[0].file, std::string(kRoot) + "broken.py");
  EXPECT_NE(catalog.failures()[0].error.find("ModuleNotFoundError"), std::string::npos);
  const udf::UdfDefinition& scores = catalog.udfs()[2];
  EXPECT_EQ(scores.name, "mathx.scores");
  EXPECT_EQ(scores.short_name, "scores");
  EXPECT_TRUE(scores.is_table());
  EXPECT_EQ(scores.file, std::string(kRoot) + "mathx.py");
  EXPECT_EQ(scores.line, 12);
  EXPECT_EQ(scores.info["output_schema"]["id"], "BIGINT");
  EXPECT_FALSE(catalog.udfs()[0].is_table());
}

TEST(UdfCatalogTest, EmptyDiscovery) {
  UdfCatalog catalog = UdfCatalog::FromDiscovery(R"({"udfs": [], "errors": []})");
  EXPECT_TRUE(catalog.udfs().empty());
  std::string error, hint;
  EXPECT_EQ(catalog.Resolve("anything", error, hint), nullptr);
  EXPECT_NE(error.find("anything"), std::string::npos);
  EXPECT_NE(hint.find("python_udfs"), std::string::npos);
}

TEST(UdfCatalogTest, ResolvesFullNamesWithAndWithoutPrefix) {
  UdfCatalog catalog = MakeCatalog();
  std::string error, hint;
  for (std::string name : {"mathx.add_tax", "python_udfs.mathx.add_tax"}) {
    const udf::UdfDefinition* found = catalog.Resolve(name, error, hint);
    ASSERT_NE(found, nullptr) << name;
    EXPECT_EQ(found->name, "mathx.add_tax");
  }
  for (std::string name : {"sub.deep.geo.distance", "python_udfs.sub.deep.geo.distance", "distance"}) {
    const udf::UdfDefinition* found = catalog.Resolve(name, error, hint);
    ASSERT_NE(found, nullptr) << name;
    EXPECT_EQ(found->name, "sub.deep.geo.distance");
    EXPECT_EQ(found->file, std::string(kRoot) + "sub/deep/geo.py");
  }
  // Full names of colliding short names still resolve.
  const udf::UdfDefinition* text_clean = catalog.Resolve("text.clean", error, hint);
  ASSERT_NE(text_clean, nullptr);
  EXPECT_EQ(text_clean->name, "text.clean");
  const udf::UdfDefinition* mathx_clean = catalog.Resolve("python_udfs.mathx.clean", error, hint);
  ASSERT_NE(mathx_clean, nullptr);
  EXPECT_EQ(mathx_clean->name, "mathx.clean");
}

TEST(UdfCatalogTest, ResolvesUnambiguousShortNames) {
  UdfCatalog catalog = MakeCatalog();
  std::string error, hint;
  const udf::UdfDefinition* found = catalog.Resolve("scores", error, hint);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "mathx.scores");
  EXPECT_TRUE(catalog.IsUnambiguous("scores"));
  EXPECT_TRUE(catalog.IsUnambiguous("distance"));
  EXPECT_FALSE(catalog.IsUnambiguous("clean"));
  EXPECT_FALSE(catalog.IsUnambiguous("nothing"));
}

TEST(UdfCatalogTest, AmbiguousShortNameListsEveryCandidate) {
  UdfCatalog catalog = MakeCatalog();
  std::string error, hint;
  EXPECT_EQ(catalog.Resolve("clean", error, hint), nullptr);
  EXPECT_NE(error.find("ambiguous"), std::string::npos);
  EXPECT_NE(error.find("clean"), std::string::npos);
  EXPECT_NE(hint.find("mathx.clean"), std::string::npos);
  EXPECT_NE(hint.find("text.clean"), std::string::npos);
}

TEST(UdfCatalogTest, UnknownNamesGetSuggestions) {
  UdfCatalog catalog = MakeCatalog();
  std::string error, hint;
  EXPECT_EQ(catalog.Resolve("mathx.add_txa", error, hint), nullptr);
  EXPECT_NE(error.find("unknown"), std::string::npos);
  EXPECT_NE(error.find("mathx.add_txa"), std::string::npos);
  EXPECT_NE(hint.find("mathx.add_tax"), std::string::npos);
  // Files that failed to import are mentioned, so a typo is not mistaken for the whole story.
  EXPECT_NE(hint.find("2 UDF file(s) failed to import"), std::string::npos);

  error.clear();
  hint.clear();
  EXPECT_EQ(catalog.Resolve("sub.deep.geo.distanse", error, hint), nullptr);
  EXPECT_NE(hint.find("sub.deep.geo.distance"), std::string::npos);

  error.clear();
  hint.clear();
  EXPECT_EQ(catalog.Resolve("qqqqqqqqqqqq", error, hint), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(hint.empty());
}

TEST(UdfCatalogTest, NameFromAFailedFileCarriesItsError) {
  UdfCatalog catalog = MakeCatalog();
  std::string error, hint;
  EXPECT_EQ(catalog.Resolve("python_udfs.broken.anything", error, hint), nullptr);
  EXPECT_NE(error.find(std::string(kRoot) + "broken.py"), std::string::npos);
  EXPECT_NE(error.find("failed to import"), std::string::npos);
  EXPECT_NE(hint.find("ModuleNotFoundError: No module named 'nope'"), std::string::npos);

  error.clear();
  hint.clear();
  EXPECT_EQ(catalog.Resolve("sub.oops.fn", error, hint), nullptr);
  EXPECT_NE(error.find(std::string(kRoot) + "sub/oops.py"), std::string::npos);
  EXPECT_NE(hint.find("SyntaxError"), std::string::npos);

  // A module whose name merely ends like a failed one is not blamed on it.
  error.clear();
  hint.clear();
  EXPECT_EQ(catalog.Resolve("notbroken.fn", error, hint), nullptr);
  EXPECT_EQ(error.find("failed to import"), std::string::npos);
  // Nor is a top-level module blamed on a failed file of the same name in a subfolder: "oops.fn"
  // would come from python_udfs/oops.py, not from python_udfs/sub/oops.py ("sub.oops").
  error.clear();
  hint.clear();
  EXPECT_EQ(catalog.Resolve("oops.fn", error, hint), nullptr);
  EXPECT_EQ(error.find("sub/oops.py"), std::string::npos) << error;
}

TEST(UdfCatalogTest, SqlNamesAreDistinctForCollidingShortNames) {
  UdfCatalog catalog = MakeCatalog();
  std::string error, hint;
  const udf::UdfDefinition* a = catalog.Resolve("mathx.clean", error, hint);
  const udf::UdfDefinition* b = catalog.Resolve("text.clean", error, hint);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a->sql_name(), b->sql_name());
  EXPECT_NE(a->sql_name(), "clean");
  EXPECT_EQ(a->sql_name().find('.'), std::string::npos);
}

}  // namespace
}  // namespace sqlflow::plan