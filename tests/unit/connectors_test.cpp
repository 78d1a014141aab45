#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "connectors/files.h"
#include "connectors/registry.h"
#include "engine/duckdb.h"
#include "engine/sql.h"

namespace sqlflow::connectors {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const Connector& Get(const char* type) {
  const Connector* connector = FindConnector(type);
  if (!connector) throw std::runtime_error(std::string("no connector ") + type);
  return *connector;
}

// --- registry -----------------------------------------------------------------------------------

TEST(RegistryTest, FindConnectorIsCaseInsensitive) {
  ASSERT_NE(FindConnector("csv"), nullptr);
  EXPECT_EQ(FindConnector("csv")->type(), "CSV");
  EXPECT_EQ(FindConnector("Parquet")->type(), "PARQUET");
  EXPECT_EQ(FindConnector("JSON")->type(), "JSON");
  EXPECT_EQ(FindConnector("NOPE"), nullptr);
  std::vector<std::string> types = ConnectorTypes();
  for (const char* type : {"CSV", "PARQUET", "JSON"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), type), types.end()) << type;
  }
}

// --- NormalizeParams ----------------------------------------------------------------------------

class NormalizeTest : public ::testing::Test {
 protected:
  json Normalize(const char* type, const json& params, bool source = true) {
    issues_.clear();
    const Connector& connector = Get(type);
    return NormalizeParams(source ? connector.source_params() : connector.export_options(), params, issues_);
  }
  std::vector<ParamIssue> issues_;
};

TEST_F(NormalizeTest, ValidParamsPassThrough) {
  json out = Normalize("CSV", {{"path", "a.csv"}, {"has_header", true}, {"skip_rows", 2}});
  EXPECT_TRUE(issues_.empty());
  EXPECT_EQ(out, (json{{"path", "a.csv"}, {"has_header", true}, {"skip_rows", 2}}));
}

TEST_F(NormalizeTest, AliasesMapToCanonicalNames) {
  json out = Normalize("CSV", {{"file", "a.csv"}, {"header", false}, {"sep", ";"}, {"nullstr", "NA"}});
  EXPECT_TRUE(issues_.empty());
  EXPECT_EQ(out, (json{{"path", "a.csv"}, {"has_header", false}, {"delimiter", ";"}, {"null_values", "NA"}}));
  json exported = Normalize("PARQUET", {{"codec", "snappy"}}, /*source=*/false);
  EXPECT_TRUE(issues_.empty());
  EXPECT_EQ(exported, (json{{"compression", "snappy"}}));
}

TEST_F(NormalizeTest, KeysAreCaseInsensitive) {
  json out = Normalize("CSV", {{"PATH", "a.csv"}, {"Has_Header", true}});
  EXPECT_TRUE(issues_.empty());
  EXPECT_EQ(out, (json{{"path", "a.csv"}, {"has_header", true}}));
}

TEST_F(NormalizeTest, UnknownKeyGetsDidYouMean) {
  json out = Normalize("CSV", {{"path", "a.csv"}, {"delimeter", ","}});
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_EQ(issues_[0].key, "delimeter");
  EXPECT_EQ(issues_[0].message, "unknown parameter 'delimeter'");
  EXPECT_EQ(issues_[0].hint, "did you mean 'delimiter'?");
  EXPECT_FALSE(out.contains("delimeter"));
  EXPECT_EQ(out["path"], "a.csv");
}

TEST_F(NormalizeTest, UnknownKeyFarFromAnyListsValidKeys) {
  Normalize("PARQUET", {{"path", "a.parquet"}, {"zzzzzzzzzz", 1}});
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_EQ(issues_[0].hint.rfind("valid keys: path", 0), 0u) << issues_[0].hint;
  EXPECT_NE(issues_[0].hint.find("columns"), std::string::npos);
}

TEST_F(NormalizeTest, WrongTypesAreReported) {
  Normalize("CSV", {{"path", 5}, {"has_header", "yes"}, {"skip_rows", 1.5}, {"columns", "id INT"}});
  ASSERT_EQ(issues_.size(), 5u);  // four wrong types, and the required path is missing
  auto find = [&](const std::string& key) -> const ParamIssue* {
    for (const auto& issue : issues_) {
      if (issue.key == key) return &issue;
    }
    return nullptr;
  };
  ASSERT_TRUE(find("path"));
  EXPECT_EQ(find("path")->message, "parameter 'path' must be a string or a list of strings, got 5");
  ASSERT_TRUE(find("has_header"));
  EXPECT_EQ(find("has_header")->message, "parameter 'has_header' must be true or false, got \"yes\"");
  ASSERT_TRUE(find("skip_rows"));
  EXPECT_NE(find("skip_rows")->message.find("an integer"), std::string::npos);
  ASSERT_TRUE(find("columns"));
  EXPECT_NE(find("columns")->message.find("an object"), std::string::npos);
}

TEST_F(NormalizeTest, StringListRejectsMixedArrays) {
  Normalize("PARQUET", {{"path", json::array({"a.parquet", 3})}});
  ASSERT_EQ(issues_.size(), 2u);  // wrong type, and so path is missing too
  EXPECT_NE(issues_[0].message.find("a string or a list of strings"), std::string::npos);
  json ok = Normalize("PARQUET", {{"path", json::array({"a.parquet", "b.parquet"})}});
  EXPECT_TRUE(issues_.empty());
  EXPECT_EQ(ok["path"].size(), 2u);
}

TEST_F(NormalizeTest, MissingRequiredParameter) {
  Normalize("CSV", json::object());
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_EQ(issues_[0].key, "");
  EXPECT_EQ(issues_[0].message, "missing required parameter 'path'");
  EXPECT_NE(issues_[0].hint.find("\"path\""), std::string::npos);
}

TEST_F(NormalizeTest, ChoicesAreCheckedCaseInsensitively) {
  json out = Normalize("JSON", {{"path", "a.json"}, {"format", "ARRAY"}});
  EXPECT_TRUE(issues_.empty());
  EXPECT_EQ(out["format"], "ARRAY");

  Normalize("JSON", {{"path", "a.json"}, {"format", "arrray"}});
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_EQ(issues_[0].key, "format");
  EXPECT_NE(issues_[0].message.find("must be one of"), std::string::npos);
  EXPECT_EQ(issues_[0].hint, "did you mean 'array'?");

  Normalize("CSV", {{"compression", "rar"}}, /*source=*/false);
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_NE(issues_[0].message.find("none, gzip, zstd, auto"), std::string::npos);
}

TEST_F(NormalizeTest, SameParameterTwiceUnderAliasIsReported) {
  json out = Normalize("CSV", {{"file", "b.csv"}, {"path", "a.csv"}});
  ASSERT_EQ(issues_.size(), 1u);
  EXPECT_NE(issues_[0].message.find("given twice"), std::string::npos);
  EXPECT_TRUE(out.contains("path"));
}

TEST_F(NormalizeTest, SecretValuesNeverAppearInMessages) {
  std::vector<ParamSpec> specs = {{"password", ParamType::kString, false, {}, {}},
                                  {"api_key", ParamType::kString, false, {}, {"a", "b"}}};
  NormalizeParams(specs, {{"password", 987654321}, {"api_key", "s3cr3t-value"}}, issues_);
  ASSERT_EQ(issues_.size(), 2u);
  for (const auto& issue : issues_) {
    EXPECT_EQ(issue.message.find("987654321"), std::string::npos) << issue.message;
    EXPECT_EQ(issue.message.find("s3cr3t-value"), std::string::npos) << issue.message;
    EXPECT_EQ(issue.hint.find("s3cr3t-value"), std::string::npos) << issue.hint;
  }
}

TEST(ResolvePathTest, RelativeAbsoluteAndUris) {
  EXPECT_EQ(ResolvePath("data/a.csv", "/proj"), "/proj/data/a.csv");
  EXPECT_EQ(ResolvePath("./data/../b.csv", "/proj"), "/proj/b.csv");
  EXPECT_EQ(ResolvePath("/abs/a.csv", "/proj"), "/abs/a.csv");
  EXPECT_EQ(ResolvePath("s3://bucket/key.csv", "/proj"), "s3://bucket/key.csv");
  EXPECT_EQ(ResolvePath("rel.csv", ""), "rel.csv");
}

// --- file connectors through DuckDB -------------------------------------------------------------

class FileConnectorTest : public ::testing::Test {
 protected:
  FileConnectorTest() : db_(engine::Database::Open({})), conn_(db_) {}

  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("sqlflow_connectors_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    conn_.Query(
        "CREATE TABLE people AS SELECT * FROM (VALUES (1, 'Ann', 'eu'), (2, 'Bob, Jr.', 'us'), "
        "(3, NULL, 'eu')) AS v(id, name, region)");
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  // Writes `people` with the connector's COPY options for `options`.
  void Export(const char* type, const fs::path& file, const json& options) {
    std::vector<ParamIssue> issues;
    json normalized = NormalizeParams(Get(type).export_options(), options, issues);
    ASSERT_TRUE(issues.empty()) << issues[0].message;
    conn_.Query("COPY (SELECT * FROM people ORDER BY id) TO " + engine::QuoteLiteral(file.string()) + " (" +
                Get(type).file_sink()->CopyOptions(normalized) + ")");
  }

  // Runs the connector's source query with `params` and returns the rows as "a|b|c" lines.
  std::vector<std::string> Read(const char* type, const json& params, const std::string& order = "1") {
    std::vector<ParamIssue> issues;
    json normalized = NormalizeParams(Get(type).source_params(), params, issues);
    EXPECT_TRUE(issues.empty()) << (issues.empty() ? "" : issues[0].message);
    std::string sql = Get(type).query_source()->SourceQuery(normalized, dir_.string());
    engine::Result result = conn_.Query("SELECT * FROM (" + sql + ") ORDER BY " + order);
    std::vector<std::string> rows;
    for (size_t r = 0; r < result.row_count(); ++r) {
      std::string row;
      for (size_t c = 0; c < result.column_count(); ++c) {
        if (c > 0) row += "|";
        row += result.Value(c, r).value_or("NULL");
      }
      rows.push_back(row);
    }
    return rows;
  }

  static std::string Slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  engine::Database db_;
  engine::Connection conn_;
  fs::path dir_;
};

using Rows = std::vector<std::string>;

TEST_F(FileConnectorTest, CsvCopyOptionsDefaultToHeader) {
  EXPECT_EQ(Get("CSV").file_sink()->CopyOptions(json::object()), "FORMAT csv, HEADER true");
  EXPECT_EQ(Get("CSV").file_sink()->CopyOptions({{"header", false}, {"delimiter", ";"}}),
            "FORMAT csv, HEADER false, DELIMITER ';'");
}

TEST_F(FileConnectorTest, CsvRoundTripWithHeader) {
  Export("CSV", dir_ / "people.csv", json::object());
  std::string text = Slurp(dir_ / "people.csv");
  EXPECT_EQ(text.rfind("id,name,region\n", 0), 0u) << text;
  EXPECT_NE(text.find("\"Bob, Jr.\""), std::string::npos) << text;
  // A relative path resolves against the root.
  EXPECT_EQ(Read("CSV", {{"path", "people.csv"}}), (Rows{"1|Ann|eu", "2|Bob, Jr.|us", "3|NULL|eu"}));
}

TEST_F(FileConnectorTest, CsvDelimiterAndNoHeader) {
  Export("CSV", dir_ / "p.txt", {{"header", false}, {"delimiter", ";"}});
  std::string text = Slurp(dir_ / "p.txt");
  EXPECT_EQ(text.rfind("1;Ann;eu\n", 0), 0u) << text;
  auto rows = Read("CSV", {{"path", (dir_ / "p.txt").string()},
                           {"has_header", false},
                           {"delimiter", ";"},
                           {"columns", {{"id", "INTEGER"}, {"name", "VARCHAR"}, {"region", "VARCHAR"}}}});
  EXPECT_EQ(rows, (Rows{"1|Ann|eu", "2|Bob, Jr.|us", "3|NULL|eu"}));
}

TEST_F(FileConnectorTest, CsvColumnsSetTypes) {
  Export("CSV", dir_ / "p.csv", json::object());
  std::vector<ParamIssue> issues;
  json params = NormalizeParams(
      Get("CSV").source_params(),
      {{"path", "p.csv"}, {"types", {{"id", "VARCHAR"}, {"name", "VARCHAR"}, {"region", "VARCHAR"}}}},
      issues);
  ASSERT_TRUE(issues.empty());
  std::string sql = Get("CSV").query_source()->SourceQuery(params, dir_.string());
  EXPECT_EQ(conn_.QueryScalar("SELECT typeof(id) FROM (" + sql + ") LIMIT 1"), "VARCHAR");
}

TEST_F(FileConnectorTest, CsvNullValuesAndSkipRows) {
  std::ofstream(dir_ / "raw.csv") << "junk line\nid,name\n1,N/A\n2,Zed\n";
  auto rows = Read(
      "CSV", {{"path", "raw.csv"}, {"skip", 1}, {"null_values", json::array({"N/A"})}, {"header", true}});
  EXPECT_EQ(rows, (Rows{"1|NULL", "2|Zed"}));
}

TEST_F(FileConnectorTest, CsvPathListAndGlob) {
  std::ofstream(dir_ / "a.csv") << "id\n1\n";
  std::ofstream(dir_ / "b.csv") << "id\n2\n";
  EXPECT_EQ(Read("CSV", {{"path", json::array({"a.csv", "b.csv"})}}), (Rows{"1", "2"}));
  EXPECT_EQ(Read("CSV", {{"path", "*.csv"}}), (Rows{"1", "2"}));
}

TEST_F(FileConnectorTest, CsvPathWithQuoteIsEscaped) {
  std::ofstream(dir_ / "it's.csv") << "id\n7\n";
  EXPECT_EQ(Read("CSV", {{"path", "it's.csv"}}), (Rows{"7"}));
}

TEST_F(FileConnectorTest, CsvGzipExport) {
  Export("CSV", dir_ / "p.csv.gz", {{"compression", "GZIP"}});
  std::string text = Slurp(dir_ / "p.csv.gz");
  ASSERT_GE(text.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(text[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(text[1]), 0x8b);
  EXPECT_EQ(Read("CSV", {{"path", "p.csv.gz"}}).size(), 3u);
}

TEST_F(FileConnectorTest, ParquetRoundTripWithCompressionAndColumns) {
  Export("PARQUET", dir_ / "p.parquet", {{"compression", "zstd"}, {"row_group_size", 1000}});
  EXPECT_EQ(conn_.QueryScalar("SELECT DISTINCT compression FROM parquet_metadata(" +
                              engine::QuoteLiteral((dir_ / "p.parquet").string()) + ")"),
            "ZSTD");
  EXPECT_EQ(Read("PARQUET", {{"path", "p.parquet"}}), (Rows{"1|Ann|eu", "2|Bob, Jr.|us", "3|NULL|eu"}));
  EXPECT_EQ(Read("PARQUET", {{"path", "p.parquet"}, {"columns", json::array({"region", "id"})}}, "2"),
            (Rows{"eu|1", "us|2", "eu|3"}));
}

TEST_F(FileConnectorTest, ParquetPartitionedExport) {
  Export("PARQUET", dir_ / "parts", {{"partition_by", "region"}});
  EXPECT_TRUE(fs::is_directory(dir_ / "parts" / "region=eu"));
  EXPECT_TRUE(fs::is_directory(dir_ / "parts" / "region=us"));
  auto rows = Read("PARQUET", {{"path", "parts/*/*.parquet"}, {"hive_partitioning", true}});
  EXPECT_EQ(rows.size(), 3u);
}

TEST_F(FileConnectorTest, JsonNewlineDelimitedRoundTrip) {
  Export("JSON", dir_ / "p.ndjson", {{"format", "newline_delimited"}});
  std::string text = Slurp(dir_ / "p.ndjson");
  EXPECT_EQ(text.rfind("{\"id\":1,\"name\":\"Ann\",\"region\":\"eu\"}\n", 0), 0u) << text;
  EXPECT_EQ(Read("JSON", {{"path", "p.ndjson"}, {"format", "ndjson"}}),
            (Rows{"1|Ann|eu", "2|Bob, Jr.|us", "3|NULL|eu"}));
}

TEST_F(FileConnectorTest, JsonArrayRoundTrip) {
  Export("JSON", dir_ / "p.json", {{"format", "array"}});
  std::string text = Slurp(dir_ / "p.json");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text[0], '[');
  EXPECT_EQ(Read("JSON", {{"path", "p.json"}, {"format", "array"}}),
            (Rows{"1|Ann|eu", "2|Bob, Jr.|us", "3|NULL|eu"}));
  EXPECT_EQ(Get("JSON").file_sink()->CopyOptions(json::object()), "FORMAT json, ARRAY false");
}

// Every compression a connector declares as a valid choice must be accepted by DuckDB.
TEST_F(FileConnectorTest, EveryDeclaredCompressionChoiceWorks) {
  for (const char* type : {"CSV", "PARQUET", "JSON"}) {
    for (const auto& spec : Get(type).export_options()) {
      if (spec.name != "compression") continue;
      ASSERT_FALSE(spec.choices.empty()) << type;
      for (const auto& choice : spec.choices) {
        fs::path file = dir_ / (std::string(type) + "_" + choice + ".out");
        try {
          Export(type, file, {{"compression", choice}});
        } catch (const engine::EngineError& error) {
          ADD_FAILURE() << type << " compression " << choice << ": " << error.what();
          continue;
        }
        std::string reader = std::string(type) == "CSV"       ? "read_csv"
                             : std::string(type) == "PARQUET" ? "read_parquet"
                                                              : "read_json";
        std::string extra = std::string(type) == "PARQUET" ? "" : ", compression = 'auto_detect'";
        if (choice == "gzip" && std::string(type) != "PARQUET") extra = ", compression = 'gzip'";
        if (choice == "zstd" && std::string(type) != "PARQUET") extra = ", compression = 'zstd'";
        if ((choice == "none" || choice == "auto") && std::string(type) != "PARQUET") extra = "";
        EXPECT_EQ(conn_.QueryScalar("SELECT count(*) FROM " + reader + "(" +
                                    engine::QuoteLiteral(file.string()) + extra + ")"),
                  "3")
            << type << " " << choice;
      }
    }
  }
}

TEST_F(FileConnectorTest, CsvEncodingAndQuoteOptions) {
  std::ofstream(dir_ / "q.csv") << "id|name\n1|'a|b'\n";
  auto rows = Read("CSV", {{"path", "q.csv"}, {"delimiter", "|"}, {"quote", "'"}, {"encoding", "utf-8"}});
  EXPECT_EQ(rows, (Rows{"1|a|b"}));
}

TEST_F(FileConnectorTest, SourceQueriesQuoteEverything) {
  std::string sql = Get("PARQUET").query_source()->SourceQuery(
      {{"path", "x.parquet"}, {"columns", json::array({"a\"b"})}}, "/r");
  EXPECT_EQ(sql, "SELECT \"a\"\"b\" FROM read_parquet('/r/x.parquet')");
  std::string csv = Get("CSV").query_source()->SourceQuery({{"path", "x.csv"}, {"delimiter", "'"}}, "/r");
  EXPECT_EQ(csv, "SELECT * FROM read_csv('/r/x.csv', delim = '''')");
}

}  // namespace
}  // namespace sqlflow::connectors
