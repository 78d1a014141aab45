#include "lang/parser.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sqlflow::lang {
namespace {

using Kind = Statement::Kind;

class ParserTest : public ::testing::Test {
 protected:
  ParseResult ParseText(const std::string& text) {
    file_ = std::make_shared<const common::SourceFile>("p.sf", text);
    return Parse(file_);
  }

  // Parses text that must be free of errors.
  std::vector<Statement> Ok(const std::string& text) {
    ParseResult result = ParseText(text);
    for (const auto& d : result.diagnostics) ADD_FAILURE() << FormatDiagnostic(d);
    return result.statements;
  }

  // Parses a single statement that must be free of errors.
  Statement One(const std::string& text) {
    auto statements = Ok(text);
    EXPECT_EQ(statements.size(), 1u);
    return statements.empty() ? Statement{} : statements[0];
  }

  // The single diagnostic `text` must raise.
  common::Diagnostic Error(const std::string& text) {
    ParseResult result = ParseText(text);
    EXPECT_EQ(result.diagnostics.size(), 1u) << text;
    return result.diagnostics.empty() ? common::Diagnostic{} : result.diagnostics[0];
  }

  std::shared_ptr<const common::SourceFile> file_;
};

// --- SOURCE -------------------------------------------------------------------------------------

TEST_F(ParserTest, SourceWithTypeAndParams) {
  Statement s = One(R"(SOURCE users TYPE csv PARAMS {"path": "data/u.csv", "has_header": true};)");
  ASSERT_EQ(s.kind, Kind::kSource);
  ASSERT_TRUE(s.source);
  EXPECT_EQ(s.source->name.raw, "users");
  EXPECT_EQ(s.source->name.location.column(), 8);
  EXPECT_EQ(s.source->type, "CSV");
  EXPECT_EQ(s.source->type_location.column(), 19);
  ASSERT_TRUE(s.source->params);
  EXPECT_EQ(s.source->params->raw, R"({"path": "data/u.csv", "has_header": true})");
  EXPECT_EQ(s.source->params->location.column(), 30);
  EXPECT_FALSE(s.source->connector);
  EXPECT_FALSE(s.source->options);
  EXPECT_EQ(s.text.raw, R"(SOURCE users TYPE csv PARAMS {"path": "data/u.csv", "has_header": true})");
}

TEST_F(ParserTest, SourceParamsJsonKeptVerbatimAcrossLines) {
  std::string json = "{\n  \"path\": \"a;b.csv\",\n  \"columns\": {\"id\": \"INT\", \"x\": [1, 2]}\n}";
  Statement s = One("SOURCE s TYPE CSV PARAMS " + json + ";\n");
  ASSERT_TRUE(s.source && s.source->params);
  EXPECT_EQ(s.source->params->raw, json);
}

TEST_F(ParserTest, SourceFromProfileConnectorWithOptions) {
  Statement s = One(R"(SOURCE orders FROM "pg" OPTIONS {"table": "orders"};)");
  ASSERT_EQ(s.kind, Kind::kSource);
  EXPECT_EQ(s.source->name.raw, "orders");
  EXPECT_TRUE(s.source->type.empty());
  ASSERT_TRUE(s.source->connector);
  EXPECT_EQ(s.source->connector->raw, "pg");
  ASSERT_TRUE(s.source->options);
  EXPECT_EQ(s.source->options->raw, R"({"table": "orders"})");
  EXPECT_FALSE(s.source->params);
}

TEST_F(ParserTest, SourceFromConnectorWithoutOptions) {
  Statement s = One("SOURCE orders FROM 'warehouse';");
  ASSERT_TRUE(s.source && s.source->connector);
  EXPECT_EQ(s.source->connector->raw, "warehouse");
  EXPECT_FALSE(s.source->options);
}

TEST_F(ParserTest, SourceWithoutTypeOrFromIsAnError) {
  common::Diagnostic d = Error("SOURCE s PARAMS {};");
  EXPECT_EQ(d.code, "SF-PARSE-002");
  EXPECT_EQ(d.location.column(), 10);
}

TEST_F(ParserTest, UnbalancedJsonIsReportedAndNextStatementStillParses) {
  ParseResult result = ParseText("SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\";\nLOAD t FROM s;");
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-PARSE-005");
  EXPECT_EQ(result.diagnostics[0].location.line(), 1);
  EXPECT_EQ(result.diagnostics[0].location.column(), 26);
  ASSERT_EQ(result.statements.size(), 1u);
  EXPECT_EQ(result.statements[0].kind, Kind::kLoad);
}

// --- LOAD and modes -----------------------------------------------------------------------------

TEST_F(ParserTest, LoadDefaultsToReplace) {
  Statement s = One("LOAD raw_users FROM users;");
  ASSERT_EQ(s.kind, Kind::kLoad);
  EXPECT_EQ(s.load->table.raw, "raw_users");
  EXPECT_EQ(s.load->source.raw, "users");
  EXPECT_EQ(s.load->source.location.column(), 21);
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kReplace);
  EXPECT_TRUE(s.load->mode.keys.empty());
  EXPECT_FALSE(s.load->mode.location.valid());
}

TEST_F(ParserTest, LoadModeReplaceExplicit) {
  Statement s = One("load t from s mode replace;");
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kReplace);
  EXPECT_TRUE(s.load->mode.location.valid());
  EXPECT_EQ(s.load->mode.location.column(), 15);
}

TEST_F(ParserTest, LoadModeAppend) {
  Statement s = One("LOAD t FROM s MODE APPEND;");
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kAppend);
  EXPECT_STREQ(LoadModeName(s.load->mode.kind), "APPEND");
}

TEST_F(ParserTest, LoadModeMergeKeyList) {
  Statement s = One("LOAD t FROM s MODE MERGE KEY (a, b);");
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kMerge);
  EXPECT_EQ(s.load->mode.keys, (std::vector<std::string>{"a", "b"}));
}

TEST_F(ParserTest, LoadModeMergeSingleKeyWithoutParentheses) {
  Statement s = One("LOAD t FROM s MODE MERGE KEY a;");
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kMerge);
  EXPECT_EQ(s.load->mode.keys, (std::vector<std::string>{"a"}));
}

TEST_F(ParserTest, LoadModeUpsertKey) {
  Statement s = One("LOAD t FROM s MODE UPSERT KEY (id, \"Region Code\");");
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kMerge);
  EXPECT_EQ(s.load->mode.keys, (std::vector<std::string>{"id", "Region Code"}));
}

TEST_F(ParserTest, LoadModeMergeKeysLegacySpelling) {
  Statement s = One("LOAD t FROM s MODE MERGE_KEYS (a, b);");
  EXPECT_EQ(s.load->mode.kind, LoadMode::Kind::kMerge);
  EXPECT_EQ(s.load->mode.keys, (std::vector<std::string>{"a", "b"}));
}

TEST_F(ParserTest, UnknownModeIsAnErrorAtTheModeWord) {
  common::Diagnostic d = Error("LOAD t FROM s MODE SIDEWAYS;");
  EXPECT_EQ(d.code, "SF-PARSE-006");
  EXPECT_EQ(d.location.column(), 20);
  EXPECT_NE(d.message.find("SIDEWAYS"), std::string::npos);
}

TEST_F(ParserTest, MergeWithoutKeysIsAnError) {
  common::Diagnostic d = Error("LOAD t FROM s MODE MERGE;");
  EXPECT_EQ(d.code, "SF-PARSE-007");
  EXPECT_EQ(d.location.column(), 25);
}

TEST_F(ParserTest, LoadWithQuotedAndDottedNames) {
  auto statements = Ok("LOAD \"My Table\" FROM src;\nLOAD staging.t FROM src;");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0].load->table.raw, "\"My Table\"");
  EXPECT_EQ(statements[1].load->table.raw, "staging.t");
  EXPECT_EQ(statements[1].location.line(), 2);
}

TEST_F(ParserTest, LoadExtensionWithoutFromIsPlainSql) {
  Statement s = One("LOAD httpfs;");
  ASSERT_EQ(s.kind, Kind::kSql);
  EXPECT_EQ(s.sql->sql.raw, "LOAD httpfs");
}

// --- CREATE TABLE (transform) -------------------------------------------------------------------

TEST_F(ParserTest, CreateTableAsSelect) {
  Statement s = One("CREATE TABLE clean AS SELECT * FROM raw WHERE x > 1;");
  ASSERT_EQ(s.kind, Kind::kCreateTable);
  EXPECT_EQ(s.create_table->table.raw, "clean");
  EXPECT_FALSE(s.create_table->or_replace);
  EXPECT_FALSE(s.create_table->mode);
  EXPECT_EQ(s.create_table->query.raw, "SELECT * FROM raw WHERE x > 1");
  EXPECT_EQ(s.create_table->query.location.column(), 23);
  EXPECT_STREQ(StatementKindName(s.kind), "transform");
}

TEST_F(ParserTest, CreateOrReplaceTableWithMergeMode) {
  Statement s = One("create or replace table t mode merge key id as select 1 as id;");
  ASSERT_EQ(s.kind, Kind::kCreateTable);
  EXPECT_TRUE(s.create_table->or_replace);
  ASSERT_TRUE(s.create_table->mode);
  EXPECT_EQ(s.create_table->mode->kind, LoadMode::Kind::kMerge);
  EXPECT_EQ(s.create_table->mode->keys, (std::vector<std::string>{"id"}));
  EXPECT_EQ(s.create_table->query.raw, "select 1 as id");
}

TEST_F(ParserTest, CreateTableAppendMode) {
  Statement s = One("CREATE TABLE t MODE APPEND AS FROM src;");
  ASSERT_TRUE(s.create_table->mode);
  EXPECT_EQ(s.create_table->mode->kind, LoadMode::Kind::kAppend);
  EXPECT_EQ(s.create_table->query.raw, "FROM src");
}

TEST_F(ParserTest, SqlBodyIsTheExactSourceSpan) {
  std::string body =
      "SELECT a::INT AS a /* note; with ' */, j->>'k' AS k, 1e5 AS big\n"
      "  FROM x -- trailing ; comment\n"
      "  WHERE b <> 1 AND c != $$a;b$$";
  Statement s = One("CREATE TABLE t AS " + body + ";");
  ASSERT_EQ(s.kind, Kind::kCreateTable);
  EXPECT_EQ(s.create_table->query.raw, body);
}

TEST_F(ParserTest, EscapeStringWithBackslashQuoteStaysOneLiteral) {
  // DuckDB's E'...' strings escape a quote with a backslash; the ';' inside must not end the statement.
  auto statements = Ok("CREATE TABLE t AS SELECT E'it\\'s; fine' AS s;\nSELECT 2;");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0].create_table->query.raw, "SELECT E'it\\'s; fine' AS s");
  EXPECT_EQ(statements[1].sql->sql.raw, "SELECT 2");
}

TEST_F(ParserTest, QueryFormsWithClauseParenthesesAndValues) {
  auto statements =
      Ok("CREATE TABLE a AS WITH c AS (SELECT 1 AS x; ) SELECT * FROM c;\n"
         "CREATE TABLE b AS (SELECT 1);\n"
         "CREATE TABLE c AS VALUES (1, 'a'), (2, 'b');");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].create_table->query.raw, "WITH c AS (SELECT 1 AS x; ) SELECT * FROM c");
  EXPECT_EQ(statements[1].create_table->query.raw, "(SELECT 1)");
  EXPECT_EQ(statements[2].create_table->query.raw, "VALUES (1, 'a'), (2, 'b')");
}

TEST_F(ParserTest, CreateTableWithColumnListIsPlainSql) {
  Statement s = One("CREATE TABLE t (id INTEGER, name VARCHAR);");
  ASSERT_EQ(s.kind, Kind::kSql);
  EXPECT_EQ(s.sql->sql.raw, "CREATE TABLE t (id INTEGER, name VARCHAR)");
}

TEST_F(ParserTest, CreateTableWithoutQueryIsAnError) {
  common::Diagnostic d = Error("CREATE TABLE t AS ;");
  EXPECT_EQ(d.code, "SF-PARSE-008");
  EXPECT_EQ(d.location.column(), 19);
}

// --- EXPORT -------------------------------------------------------------------------------------

TEST_F(ParserTest, ExportTableForm) {
  Statement s = One("EXPORT users TO 'out/u.csv' TYPE csv;");
  ASSERT_EQ(s.kind, Kind::kExport);
  EXPECT_TRUE(s.export_->is_table);
  EXPECT_EQ(s.export_->query.raw, "users");
  EXPECT_EQ(s.export_->uri.raw, "out/u.csv");
  EXPECT_EQ(s.export_->uri.location.column(), 18);
  EXPECT_EQ(s.export_->type, "CSV");
  EXPECT_EQ(s.export_->type_location.column(), 34);
  EXPECT_FALSE(s.export_->options);
}

TEST_F(ParserTest, ExportQueryFormWithOptions) {
  Statement s = One(
      R"(EXPORT SELECT * FROM t WHERE a <> 1 TO "out/x.parquet" TYPE Parquet OPTIONS {"compression": "zstd"};)");
  ASSERT_EQ(s.kind, Kind::kExport);
  EXPECT_FALSE(s.export_->is_table);
  EXPECT_EQ(s.export_->query.raw, "SELECT * FROM t WHERE a <> 1");
  EXPECT_EQ(s.export_->uri.raw, "out/x.parquet");
  EXPECT_EQ(s.export_->type, "PARQUET");
  ASSERT_TRUE(s.export_->options);
  EXPECT_EQ(s.export_->options->raw, R"({"compression": "zstd"})");
}

TEST_F(ParserTest, ExportQualifiedTableIsTableForm) {
  Statement s = One("EXPORT main.\"My T\" TO 'o.csv' TYPE CSV;");
  EXPECT_TRUE(s.export_->is_table);
  EXPECT_EQ(s.export_->query.raw, "main.\"My T\"");
}

TEST_F(ParserTest, ExportUsesTheLastTopLevelTo) {
  Statement s = One("EXPORT SELECT * FROM t WHERE s SIMILAR TO 'x%' TO 'out.csv' TYPE CSV;");
  EXPECT_FALSE(s.export_->is_table);
  EXPECT_EQ(s.export_->query.raw, "SELECT * FROM t WHERE s SIMILAR TO 'x%'");
  EXPECT_EQ(s.export_->uri.raw, "out.csv");
}

TEST_F(ParserTest, ExportIgnoresToInsideParentheses) {
  Statement s = One("EXPORT (SELECT * FROM t WHERE s SIMILAR TO 'x') TO 'o.csv' TYPE CSV;");
  EXPECT_EQ(s.export_->query.raw, "(SELECT * FROM t WHERE s SIMILAR TO 'x')");
  EXPECT_EQ(s.export_->uri.raw, "o.csv");
}

TEST_F(ParserTest, ExportWithoutDestinationIsAnError) {
  common::Diagnostic d = Error("EXPORT SELECT 1 TYPE CSV;");
  EXPECT_EQ(d.code, "SF-PARSE-009");
  EXPECT_EQ(d.location.line(), 1);
}

TEST_F(ParserTest, ExportWithoutTypeIsAnError) {
  common::Diagnostic d = Error("EXPORT t TO 'o.csv';");
  EXPECT_EQ(d.code, "SF-PARSE-002");
  EXPECT_EQ(d.location.column(), 20);
}

TEST_F(ParserTest, ExportDatabaseIsPlainSql) {
  Statement s = One("EXPORT DATABASE 'backup';");
  ASSERT_EQ(s.kind, Kind::kSql);
  EXPECT_EQ(s.sql->sql.raw, "EXPORT DATABASE 'backup'");
}

// --- SET / INCLUDE ------------------------------------------------------------------------------

TEST_F(ParserTest, SetValuesKeepTheirSpelling) {
  auto statements =
      Ok("SET region = 'us-east';\nSET n = 42;\nSET flag = true;\nSET neg = -5;\nSET copy = ${region};\n"
         "SET pi = 3.14;");
  ASSERT_EQ(statements.size(), 6u);
  for (const auto& s : statements) ASSERT_EQ(s.kind, Kind::kSet);
  EXPECT_EQ(statements[0].set->name.raw, "region");
  EXPECT_EQ(statements[0].set->value.raw, "'us-east'");
  EXPECT_EQ(statements[1].set->value.raw, "42");
  EXPECT_EQ(statements[2].set->value.raw, "true");
  EXPECT_EQ(statements[3].set->value.raw, "-5");
  EXPECT_EQ(statements[4].set->value.raw, "${region}");
  EXPECT_EQ(statements[5].set->value.raw, "3.14");
  EXPECT_EQ(statements[4].set->value.location.line(), 5);
  EXPECT_EQ(statements[4].set->value.location.column(), 12);
}

TEST_F(ParserTest, SetBarewordValueIsAnError) {
  common::Diagnostic d = Error("SET env = prod;");
  EXPECT_EQ(d.code, "SF-PARSE-012");
  EXPECT_EQ(d.location.column(), 11);
  EXPECT_NE(d.hint.find("SET env = 'prod';"), std::string::npos);
}

TEST_F(ParserTest, DuckdbSetStatementsArePlainSql) {
  auto statements = Ok("SET GLOBAL x=1;\nSET SESSION threads = 2;\nSET VARIABLE v = 3;");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].kind, Kind::kSql);
  EXPECT_EQ(statements[0].sql->sql.raw, "SET GLOBAL x=1");
  EXPECT_EQ(statements[1].kind, Kind::kSql);
  EXPECT_EQ(statements[2].kind, Kind::kSql);
}

TEST_F(ParserTest, IncludeWithAlias) {
  Statement s = One("INCLUDE 'common/sources.sf' AS common;");
  ASSERT_EQ(s.kind, Kind::kInclude);
  EXPECT_EQ(s.include->path.raw, "common/sources.sf");
  EXPECT_EQ(s.include->path.location.column(), 10);
  EXPECT_EQ(s.include->alias, "common");
}

TEST_F(ParserTest, IncludeNeedsQuotedPath) {
  common::Diagnostic d = Error("INCLUDE common.sf;");
  EXPECT_EQ(d.code, "SF-PARSE-003");
  EXPECT_EQ(d.location.column(), 9);
}

// --- IF -----------------------------------------------------------------------------------------

TEST_F(ParserTest, IfElseIfElseEndIf) {
  Statement s =
      One("IF ${env} == 'prod' THEN\n"
          "  CREATE TABLE t AS SELECT 1;\n"
          "  SET x = 1;\n"
          "ELSE IF ${env} = 'stage' THEN\n"
          "  CREATE TABLE t AS SELECT 2;\n"
          "ELSE\n"
          "  CREATE TABLE t AS SELECT 3;\n"
          "END IF;");
  ASSERT_EQ(s.kind, Kind::kIf);
  ASSERT_EQ(s.if_->branches.size(), 3u);
  EXPECT_TRUE(s.if_->has_else);
  EXPECT_EQ(s.if_->branches[0].condition.raw, "${env} == 'prod'");
  EXPECT_EQ(s.if_->branches[0].condition.location.column(), 4);
  EXPECT_EQ(s.if_->branches[0].body.size(), 2u);
  EXPECT_EQ(s.if_->branches[1].condition.raw, "${env} = 'stage'");
  EXPECT_EQ(s.if_->branches[1].condition.location.line(), 4);
  ASSERT_EQ(s.if_->branches[1].body.size(), 1u);
  EXPECT_EQ(s.if_->branches[1].body[0].create_table->query.raw, "SELECT 2");
  EXPECT_TRUE(s.if_->branches[2].condition.raw.empty());
  ASSERT_EQ(s.if_->branches[2].body.size(), 1u);
  EXPECT_EQ(s.if_->branches[2].body[0].create_table->query.raw, "SELECT 3");
}

TEST_F(ParserTest, ElseIfAndEndIfOneWordSpellings) {
  Statement s = One("if ${a} then select 1; elseif ${b} then select 2; endif;");
  ASSERT_EQ(s.kind, Kind::kIf);
  ASSERT_EQ(s.if_->branches.size(), 2u);
  EXPECT_FALSE(s.if_->has_else);
  EXPECT_EQ(s.if_->branches[1].condition.raw, "${b}");
  ASSERT_EQ(s.if_->branches[1].body.size(), 1u);
  EXPECT_EQ(s.if_->branches[1].body[0].sql->sql.raw, "select 2");
}

TEST_F(ParserTest, NestedIfBlocks) {
  auto statements =
      Ok("IF ${a} THEN\n"
         "  IF ${b} THEN\n"
         "    SELECT 1;\n"
         "  ELSE\n"
         "    SELECT 2;\n"
         "  END IF;\n"
         "  SELECT 3;\n"
         "ELSE\n"
         "  SELECT 4;\n"
         "ENDIF;\n"
         "SELECT 5;");
  ASSERT_EQ(statements.size(), 2u);
  const auto& outer = *statements[0].if_;
  ASSERT_EQ(outer.branches.size(), 2u);
  ASSERT_EQ(outer.branches[0].body.size(), 2u);
  ASSERT_EQ(outer.branches[0].body[0].kind, Kind::kIf);
  const auto& inner = *outer.branches[0].body[0].if_;
  ASSERT_EQ(inner.branches.size(), 2u);
  EXPECT_TRUE(inner.has_else);
  EXPECT_EQ(inner.branches[1].body[0].sql->sql.raw, "SELECT 2");
  EXPECT_EQ(outer.branches[0].body[1].sql->sql.raw, "SELECT 3");
  EXPECT_EQ(outer.branches[1].body[0].sql->sql.raw, "SELECT 4");
  EXPECT_EQ(statements[1].sql->sql.raw, "SELECT 5");
}

std::string NestedIfs(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += "IF true THEN\n";
  text += "CREATE TABLE t AS SELECT 1;\n";
  for (int i = 0; i < depth; ++i) text += "END IF;\n";
  return text;
}

TEST_F(ParserTest, IfBlocksNestSixtyFourDeep) {
  std::vector<Statement> statements = Ok(NestedIfs(64));
  const Statement* innermost = &statements.at(0);
  for (int depth = 1; depth < 64; ++depth) innermost = &innermost->if_->branches.at(0).body.at(0);
  EXPECT_EQ(innermost->if_->branches.at(0).body.at(0).kind, Kind::kCreateTable);
}

// Ten thousand levels would overflow the stack; the limit is one error, and nothing after it is
// parsed (its END IFs would each be one more).
TEST_F(ParserTest, IfBlocksNestedDeeperAreOneErrorAtTheFirstTooDeepIf) {
  ParseResult result = ParseText(NestedIfs(10000));
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-PARSE-017");
  EXPECT_EQ(result.diagnostics[0].location.line(), 65);
  EXPECT_EQ(result.diagnostics[0].location.column(), 1);
}

TEST_F(ParserTest, DoubledQuotesInPathsAndKeysAreUndoubled) {
  auto statements =
      Ok("INCLUDE 'it''s.sf';\n"
         "CREATE TABLE t MODE MERGE KEY (\"a \"\"b\"\"\", c) AS SELECT 1;\n"
         "EXPORT t TO 'out/q''uote.csv' TYPE CSV;\n");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].include->path.raw, "it's.sf");
  EXPECT_EQ(statements[1].create_table->mode->keys, (std::vector<std::string>{"a \"b\"", "c"}));
  EXPECT_EQ(statements[2].export_->uri.raw, "out/q'uote.csv");
}

TEST_F(ParserTest, IfWithoutEndIfIsAnError) {
  ParseResult result = ParseText("SELECT 0;\nIF ${a} THEN\n  SELECT 1;\n");
  ASSERT_FALSE(result.diagnostics.empty());
  EXPECT_EQ(result.diagnostics[0].code, "SF-PARSE-015");
  EXPECT_EQ(result.diagnostics[0].location.line(), 2);
  EXPECT_EQ(result.diagnostics[0].location.column(), 1);
}

TEST_F(ParserTest, ElseWithoutIfIsAnError) {
  common::Diagnostic d = Error("SELECT 1;\nEND IF;");
  EXPECT_EQ(d.code, "SF-PARSE-010");
  EXPECT_EQ(d.location.line(), 2);
  EXPECT_NE(d.message.find("END IF"), std::string::npos);
}

TEST_F(ParserTest, IfWithoutThenIsAnError) {
  ParseResult result = ParseText("IF ${a} == 1;\nSELECT 1;\nEND IF;");
  ASSERT_FALSE(result.diagnostics.empty());
  EXPECT_EQ(result.diagnostics[0].code, "SF-PARSE-013");
  EXPECT_EQ(result.diagnostics[0].location.line(), 1);
}

// --- plain SQL ----------------------------------------------------------------------------------

TEST_F(ParserTest, PlainSqlStatementsAreKeptVerbatim) {
  auto statements =
      Ok("CREATE VIEW v AS SELECT * FROM t;\n"
         "INSERT INTO t VALUES (1, 'a;b');\n"
         "UPDATE t SET x = x + 1 WHERE y <> 2;\n"
         "DROP TABLE IF EXISTS old;");
  ASSERT_EQ(statements.size(), 4u);
  for (const auto& s : statements) EXPECT_EQ(s.kind, Kind::kSql);
  EXPECT_EQ(statements[0].sql->sql.raw, "CREATE VIEW v AS SELECT * FROM t");
  EXPECT_EQ(statements[1].sql->sql.raw, "INSERT INTO t VALUES (1, 'a;b')");
  EXPECT_EQ(statements[2].sql->sql.raw, "UPDATE t SET x = x + 1 WHERE y <> 2");
  EXPECT_EQ(statements[3].location.line(), 4);
  EXPECT_EQ(statements[3].text.raw, "DROP TABLE IF EXISTS old");
}

TEST_F(ParserTest, EmptyStatementsAreSkipped) {
  auto statements = Ok(";; SELECT 1;;");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].sql->sql.raw, "SELECT 1");
}

// --- errors -------------------------------------------------------------------------------------

TEST_F(ParserTest, TwoErrorsInOneFileAreBothReported) {
  ParseResult result = ParseText(
      "SOURCE s TYPE CSV PARAMS {\"path\": \"a.csv\"};\n"
      "LOAD t FROM s MODE SIDEWAYS;\n"
      "CREATE TABLE u AS SELECT 1;\n"
      "SET x = bareword;\n");
  ASSERT_EQ(result.diagnostics.size(), 2u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-PARSE-006");
  EXPECT_EQ(result.diagnostics[0].location.line(), 2);
  EXPECT_EQ(result.diagnostics[0].location.column(), 20);
  EXPECT_EQ(result.diagnostics[1].code, "SF-PARSE-012");
  EXPECT_EQ(result.diagnostics[1].location.line(), 4);
  EXPECT_EQ(result.diagnostics[1].location.column(), 9);
  ASSERT_EQ(result.statements.size(), 2u);
  EXPECT_EQ(result.statements[0].kind, Kind::kSource);
  EXPECT_EQ(result.statements[1].kind, Kind::kCreateTable);
}

TEST_F(ParserTest, LexerAndParserErrorsComeInFileOrder) {
  ParseResult result = ParseText("LOAD t FROM s MODE BAD;\nSELECT 'unterminated");
  ASSERT_GE(result.diagnostics.size(), 2u);
  EXPECT_EQ(result.diagnostics[0].code, "SF-PARSE-006");
  EXPECT_EQ(result.diagnostics[1].code, "SF-LEX-001");
  EXPECT_EQ(result.diagnostics[1].location.line(), 2);
}

TEST_F(ParserTest, MisspelledDirectiveSuggestsTheKeyword) {
  common::Diagnostic d = Error("SOURCEE s TYPE CSV PARAMS {\"path\": \"a.csv\"};");
  EXPECT_EQ(d.code, "SF-PARSE-011");
  EXPECT_NE(d.message.find("SOURCEE"), std::string::npos);
  EXPECT_NE(d.hint.find("SOURCE"), std::string::npos);
  EXPECT_EQ(d.location.column(), 1);

  common::Diagnostic e = Error("\n  EXPROT t TO 'x.csv' TYPE CSV;");
  EXPECT_EQ(e.code, "SF-PARSE-011");
  EXPECT_NE(e.hint.find("EXPORT"), std::string::npos);
  EXPECT_EQ(e.location.line(), 2);
  EXPECT_EQ(e.location.column(), 3);
}

TEST_F(ParserTest, MissingSemicolonAtEndOfFile) {
  common::Diagnostic d = Error("LOAD t FROM s");
  EXPECT_EQ(d.code, "SF-PARSE-001");
  EXPECT_EQ(d.location.column(), 14);
}

TEST_F(ParserTest, ParseOrThrowCarriesEveryDiagnostic) {
  auto file = std::make_shared<const common::SourceFile>("p.sf", "LOAD t FROM s MODE X;\nSET a = b;");
  try {
    ParseOrThrow(file);
    FAIL() << "expected common::SqlflowError";
  } catch (const common::SqlflowError& error) {
    ASSERT_EQ(error.diagnostics().size(), 2u);
    EXPECT_EQ(error.diagnostics()[1].location.ToString(), "p.sf:2:9");
  }
  auto good = std::make_shared<const common::SourceFile>("q.sf", "SELECT 1;");
  EXPECT_EQ(ParseOrThrow(good).size(), 1u);
}

TEST_F(ParserTest, FormattedDiagnosticHasCaretUnderColumn) {
  common::Diagnostic d = Error("LOAD t FROM s MODE SIDEWAYS;");
  std::string text = FormatDiagnostic(d);
  EXPECT_NE(text.find("p.sf:1:20: error[SF-PARSE-006]"), std::string::npos) << text;
  EXPECT_NE(text.find("1 | LOAD t FROM s MODE SIDEWAYS;"), std::string::npos) << text;
  EXPECT_NE(text.find("  | " + std::string(19, ' ') + "^"), std::string::npos) << text;
}

}  // namespace
}  // namespace sqlflow::lang
