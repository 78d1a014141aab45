#include "project/scaffold.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/diagnostic.h"
#include "util/strings.h"

namespace sqlflow::project {
namespace {

namespace fs = std::filesystem;

class ScaffoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device device;
    base_ = fs::temp_directory_path() / ("sqlflow_scaffold_test_" + std::to_string(device()));
    fs::create_directories(base_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(base_, ignored);
  }

  static std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static std::vector<std::string> ReadLines(const fs::path& path) {
    std::vector<std::string> lines;
    std::ifstream in(path, std::ios::binary);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  static std::vector<std::string> Fields(const std::string& line) { return util::Split(line, ','); }

  fs::path base_;
};

TEST_F(ScaffoldTest, WritesEveryFile) {
  const ScaffoldResult result = CreateProject(base_ / "shop", "shop");
  EXPECT_EQ(result.root, base_ / "shop");
  const std::vector<fs::path> expected = {"profiles/dev.yml",
                                          "profiles/prod.yml",
                                          "data/customers.csv",
                                          "data/orders.csv",
                                          "data/products.csv",
                                          "pipelines/customer_summary.sf",
                                          "pipelines/sales_report.sf",
                                          "pipelines/conditional_export.sf",
                                          "output/.gitkeep",
                                          "python_udfs/.gitkeep",
                                          "README.md",
                                          ".gitignore"};
  EXPECT_EQ(result.files, expected);
  for (const fs::path& file : expected) {
    EXPECT_TRUE(fs::is_regular_file(result.root / file)) << file;
    EXPECT_TRUE(file.is_relative()) << file;
  }
  EXPECT_TRUE(fs::is_directory(result.root / "output"));
  EXPECT_TRUE(fs::is_directory(result.root / "python_udfs"));
  EXPECT_NE(ReadFile(result.root / "README.md").find("# shop"), std::string::npos);
}

TEST_F(ScaffoldTest, AcceptsAnExistingEmptyDirectory) {
  fs::create_directories(base_ / "empty");
  const ScaffoldResult result = CreateProject(base_ / "empty", "");
  EXPECT_TRUE(fs::is_regular_file(result.root / "data/orders.csv"));
  EXPECT_NE(ReadFile(result.root / "README.md").find("# empty"), std::string::npos);
}

TEST_F(ScaffoldTest, RefusesANonEmptyDirectory) {
  fs::create_directories(base_ / "busy");
  std::ofstream(base_ / "busy" / "keep.txt") << "mine";
  try {
    CreateProject(base_ / "busy", "busy");
    FAIL() << "expected a UsageError";
  } catch (const common::UsageError& error) {
    EXPECT_EQ(error.code(), "SF-INIT-001");
    EXPECT_NE(std::string(error.what()).find("not empty"), std::string::npos);
  }
  // Nothing was written next to the user's file.
  EXPECT_EQ(std::distance(fs::directory_iterator(base_ / "busy"), fs::directory_iterator()), 1);
  EXPECT_EQ(ReadFile(base_ / "busy" / "keep.txt"), "mine");
}

TEST_F(ScaffoldTest, RefusesAFile) {
  std::ofstream(base_ / "plain") << "x";
  EXPECT_THROW(CreateProject(base_ / "plain", "plain"), common::UsageError);
}

TEST_F(ScaffoldTest, RowCounts) {
  const ScaffoldResult result = CreateProject(base_ / "p", "p");
  const auto customers = ReadLines(result.root / "data/customers.csv");
  const auto orders = ReadLines(result.root / "data/orders.csv");
  const auto products = ReadLines(result.root / "data/products.csv");
  ASSERT_EQ(customers.size(), 1001u);
  ASSERT_EQ(orders.size(), 5001u);
  ASSERT_EQ(products.size(), 501u);
  EXPECT_EQ(customers[0], "customer_id,name,email,country,signup_date,segment");
  EXPECT_EQ(orders[0], "order_id,customer_id,product_id,order_date,quantity,amount,status");
  EXPECT_EQ(products[0], "product_id,name,category,price");
}

TEST_F(ScaffoldTest, TwoScaffoldsAreByteIdentical) {
  const ScaffoldResult first = CreateProject(base_ / "a", "same");
  const ScaffoldResult second = CreateProject(base_ / "b", "same");
  ASSERT_EQ(first.files, second.files);
  for (const fs::path& file : first.files) {
    EXPECT_EQ(ReadFile(first.root / file), ReadFile(second.root / file)) << file;
  }
}

TEST_F(ScaffoldTest, DataIsConsistent) {
  const ScaffoldResult result = CreateProject(base_ / "p", "p");
  const std::set<std::string> countries = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"};
  const std::set<std::string> statuses = {"completed", "pending", "cancelled", "refunded"};

  std::set<std::string> customer_ids;
  std::set<std::string> customer_countries;
  const auto customers = ReadLines(result.root / "data/customers.csv");
  for (size_t i = 1; i < customers.size(); ++i) {
    const auto fields = Fields(customers[i]);
    ASSERT_EQ(fields.size(), 6u) << customers[i];
    EXPECT_TRUE(customer_ids.insert(fields[0]).second) << "duplicate id " << fields[0];
    EXPECT_TRUE(countries.count(fields[3])) << fields[3];
    customer_countries.insert(fields[3]);
    EXPECT_TRUE(util::StartsWith(fields[4], "2024-")) << fields[4];
    EXPECT_NE(fields[2].find('@'), std::string::npos);
  }
  EXPECT_EQ(customer_countries, countries);

  std::set<std::string> product_ids;
  const auto products = ReadLines(result.root / "data/products.csv");
  for (size_t i = 1; i < products.size(); ++i) {
    const auto fields = Fields(products[i]);
    ASSERT_EQ(fields.size(), 4u) << products[i];
    EXPECT_TRUE(product_ids.insert(fields[0]).second);
    const size_t dot = fields[3].find('.');
    ASSERT_NE(dot, std::string::npos);
    EXPECT_EQ(fields[3].size() - dot, 3u) << fields[3];
  }

  std::set<std::string> seen_statuses;
  const auto orders = ReadLines(result.root / "data/orders.csv");
  for (size_t i = 1; i < orders.size(); ++i) {
    const auto fields = Fields(orders[i]);
    ASSERT_EQ(fields.size(), 7u) << orders[i];
    EXPECT_EQ(fields[0], std::to_string(i));
    EXPECT_TRUE(customer_ids.count(fields[1])) << "unknown customer " << fields[1];
    EXPECT_TRUE(product_ids.count(fields[2])) << "unknown product " << fields[2];
    EXPECT_TRUE(util::StartsWith(fields[3], "2024-")) << fields[3];
    EXPECT_EQ(fields[3].size(), 10u);
    const int quantity = std::stoi(fields[4]);
    EXPECT_GE(quantity, 1);
    EXPECT_LE(quantity, 5);
    const size_t dot = fields[5].find('.');
    ASSERT_NE(dot, std::string::npos) << fields[5];
    EXPECT_EQ(fields[5].size() - dot, 3u) << fields[5];
    EXPECT_TRUE(statuses.count(fields[6])) << fields[6];
    seen_statuses.insert(fields[6]);
  }
  EXPECT_EQ(seen_statuses, statuses);

  // No quotes anywhere: the CSV stays trivially parseable.
  for (const char* file : {"data/customers.csv", "data/orders.csv", "data/products.csv"}) {
    EXPECT_EQ(ReadFile(result.root / file).find('"'), std::string::npos) << file;
  }
}

TEST_F(ScaffoldTest, PipelinesContainTheExpectedStatements) {
  const ScaffoldResult result = CreateProject(base_ / "p", "p");
  const std::string summary = ReadFile(result.root / "pipelines/customer_summary.sf");
  for (const char* piece :
       {"sqlflow pipeline run customer_summary", "SOURCE customers_source TYPE CSV PARAMS",
        "\"path\": \"data/customers.csv\"", "\"has_header\": true", "LOAD customers FROM customers_source;",
        "LOAD orders FROM orders_source;", "CREATE TABLE customer_summary AS\nWITH", "GROUP BY", "LEFT JOIN",
        "TO 'output/customer_summary.csv'", "TYPE CSV", "OPTIONS {\"header\": true};"}) {
    EXPECT_NE(summary.find(piece), std::string::npos) << piece;
  }

  const std::string sales = ReadFile(result.root / "pipelines/sales_report.sf");
  for (const char* piece :
       {"sqlflow pipeline run sales_report", "SET top_n = 3;", "LOAD products FROM products_source;",
        "${min_order_amount}", "CREATE TABLE qualifying_orders AS", "CREATE TABLE daily_sales AS",
        "CREATE TABLE top_products AS", "OVER (PARTITION BY category", "TO 'output/top_products.parquet'",
        "TYPE PARQUET", "TO 'output/daily_sales.csv'"}) {
    EXPECT_NE(sales.find(piece), std::string::npos) << piece;
  }

  const std::string conditional = ReadFile(result.root / "pipelines/conditional_export.sf");
  for (const char* piece :
       {"sqlflow pipeline run conditional_export", "SET report_format = '${format|csv}';",
        "IF ${env} == 'prod' THEN", "ELSE IF ${env} = 'dev' THEN", "IF ${report_format} == 'parquet' THEN",
        "IF ${env} != 'prod' THEN", "TYPE PARQUET", "TYPE CSV", "'${env}' AS environment"}) {
    EXPECT_NE(conditional.find(piece), std::string::npos) << piece;
  }
  // Every IF is closed: three IF blocks, one of them nested.
  size_t end_ifs = 0;
  for (size_t at = conditional.find("END IF;"); at != std::string::npos;
       at = conditional.find("END IF;", at + 1)) {
    ++end_ifs;
  }
  EXPECT_EQ(end_ifs, 3u);

  // Every statement ends with ';' and every pipeline starts with a comment block.
  for (const std::string* text : {&summary, &sales, &conditional}) {
    EXPECT_TRUE(util::StartsWith(*text, "-- ")) << *text;
    EXPECT_TRUE(util::EndsWith(*text, ";\n"));
  }
}

TEST_F(ScaffoldTest, ProfilesAndProjectFiles) {
  const ScaffoldResult result = CreateProject(base_ / "p", "p");
  const std::string dev = ReadFile(result.root / "profiles/dev.yml");
  EXPECT_NE(dev.find("mode: memory"), std::string::npos);
  EXPECT_NE(dev.find("env: dev"), std::string::npos);
  EXPECT_NE(dev.find("min_order_amount: 50"), std::string::npos);
  const std::string prod = ReadFile(result.root / "profiles/prod.yml");
  EXPECT_NE(prod.find("mode: persistent"), std::string::npos);
  EXPECT_NE(prod.find("path: target/prod.duckdb"), std::string::npos);
  EXPECT_NE(prod.find("memory_limit: 2GB"), std::string::npos);
  EXPECT_NE(prod.find("env: prod"), std::string::npos);
  EXPECT_NE(prod.find("min_order_amount: 100"), std::string::npos);

  const std::string gitignore = ReadFile(result.root / ".gitignore");
  for (const char* piece : {"target/", "output/", ".sqlflow/"}) {
    EXPECT_NE(gitignore.find(piece), std::string::npos) << piece;
  }
  const std::string readme = ReadFile(result.root / "README.md");
  for (const char* piece :
       {"sqlflow pipeline list", "sqlflow pipeline validate", "sqlflow pipeline compile",
        "sqlflow pipeline run customer_summary", "--profile prod", "--vars '{\"format\": \"parquet\"}'"}) {
    EXPECT_NE(readme.find(piece), std::string::npos) << piece;
  }
  EXPECT_EQ(ReadFile(result.root / "output/.gitkeep"), "");
}

TEST_F(ScaffoldTest, IsFast) {
  const auto start = std::chrono::steady_clock::now();
  CreateProject(base_ / "fast", "fast");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Well under 100 ms in practice; the margin keeps sanitizer builds and busy machines green.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 1000);
}

}  // namespace
}  // namespace sqlflow::project
