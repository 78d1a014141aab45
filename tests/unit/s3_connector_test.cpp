// The S3 connector's pure parts: globs, formats from keys, URIs and parameter checks.
#include <gtest/gtest.h>

#include "connectors/registry.h"
#include "connectors/s3/s3.h"

namespace sqlflow::connectors::s3 {
namespace {

TEST(S3GlobTest, StarStaysInOneFolderAndDoubleStarCrossesFolders) {
  EXPECT_TRUE(GlobMatch("data/*.csv", "data/a.csv"));
  EXPECT_FALSE(GlobMatch("data/*.csv", "data/2026/a.csv"));
  EXPECT_TRUE(GlobMatch("data/**/part-*.csv", "data/2026/01/part-7.csv"));
  EXPECT_TRUE(GlobMatch("data/**/part-*.csv", "data/part-7.csv"));  // **/ also matches no folder
  EXPECT_FALSE(GlobMatch("data/**/part-*.csv", "data/2026/other.csv"));
  EXPECT_TRUE(GlobMatch("data/**", "data/x/y/z.parquet"));
  EXPECT_FALSE(GlobMatch("data/*.csv", "data/a.csv.gz"));
}

TEST(S3GlobTest, QuestionMarksAndClasses) {
  EXPECT_TRUE(GlobMatch("m/0?.csv", "m/07.csv"));
  EXPECT_FALSE(GlobMatch("m/0?.csv", "m/0/.csv"));
  EXPECT_TRUE(GlobMatch("m/[0-2]x", "m/1x"));
  EXPECT_FALSE(GlobMatch("m/[0-2]x", "m/5x"));
  EXPECT_TRUE(GlobMatch("m/[!0-2]x", "m/5x"));
  EXPECT_TRUE(GlobMatch("m/[ab]", "m/b"));
  EXPECT_TRUE(GlobMatch("m/[", "m/["));  // an unclosed class is a literal
}

// Stars backtracked: each `*` tried every split of what the others left, so this pattern took
// longer than any run (seen while writing tests/fuzz/glob_fuzzer.cpp). Now one pass per token.
TEST(S3GlobTest, ManyStarsTakeLinearTime) {
  std::string key(200, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab", key));
  EXPECT_FALSE(GlobMatch("**a**a**a**a**a**a**a**a**a**a**/b", key + "/c"));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", key));
  EXPECT_TRUE(GlobMatch("**/**/**/**/**/**/**/**/**/**/x", "x"));
}

TEST(S3FormatTest, FormatComesFromTheExtensionBeforeACompressionSuffix) {
  EXPECT_EQ(FormatOfKey("a/b.csv"), "csv");
  EXPECT_EQ(FormatOfKey("a/b.CSV.GZ"), "csv");
  EXPECT_EQ(FormatOfKey("b.parquet"), "parquet");
  EXPECT_EQ(FormatOfKey("b.json.zst"), "json");
  EXPECT_EQ(FormatOfKey("b.jsonl"), "ndjson");
  EXPECT_EQ(FormatOfKey("b.ndjson.gz"), "ndjson");
  EXPECT_EQ(FormatOfKey("folder.csv/data"), "");
  EXPECT_EQ(FormatOfKey("b.bin"), "");
}

TEST(S3UriTest, BucketAndKey) {
  Location location = ParseUri("s3://lake/a/b/*.parquet");
  EXPECT_EQ(location.bucket, "lake");
  EXPECT_EQ(location.key, "a/b/*.parquet");
  EXPECT_EQ(ParseUri("S3://lake").key, "");
  EXPECT_THROW(ParseUri("s3:///key"), ConnectorError);
  EXPECT_THROW(ParseUri("https://lake/key"), ConnectorError);
  EXPECT_TRUE(IsS3Uri("s3://x"));
  EXPECT_FALSE(IsS3Uri("s3:/x"));
}

std::vector<ParamIssue> SourceIssues(const nlohmann::json& params) {
  const Connector* connector = FindConnector("S3");
  std::vector<ParamIssue> issues;
  nlohmann::json normalized = NormalizeParams(connector->source_params(), params, issues);
  if (issues.empty()) issues = connector->Validate(normalized, true);
  return issues;
}

TEST(S3ParamsTest, OneWayToNameTheObjectsAndAliases) {
  EXPECT_TRUE(SourceIssues({{"uri", "s3://b/k.csv"}}).empty());
  EXPECT_TRUE(SourceIssues({{"bucket", "b"}, {"path_prefix", "d/"}, {"file_format", "csv"}}).empty());
  EXPECT_TRUE(
      SourceIssues({{"bucket", "b"}, {"key", "d/x.csv"}, {"access_key", "k"}, {"secret_key", "s"}}).empty());
  EXPECT_EQ(SourceIssues({{"bucket", "b"}}).size(), 1u);
  EXPECT_EQ(SourceIssues({{"uri", "s3://b/k"}, {"bucket", "b"}}).size(), 1u);
  EXPECT_EQ(SourceIssues({{"bucket", "b"}, {"key", "k"}, {"prefix", "p"}}).size(), 1u);
  EXPECT_EQ(SourceIssues({{"uri", "/local/file.csv"}}).size(), 1u);
  EXPECT_EQ(SourceIssues({{"uri", "s3://b/k"}, {"max_bytes", 0}}).size(), 1u);
  auto unknown = SourceIssues({{"uri", "s3://b/k"}, {"regoin", "x"}});
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].hint.find("region"), std::string::npos);
}

}  // namespace
}  // namespace sqlflow::connectors::s3
