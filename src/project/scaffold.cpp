#include "project/scaffold.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "common/diagnostic.h"
#include "util/strings.h"

namespace sqlflow::project {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Deterministic sample data
// ---------------------------------------------------------------------------------------------

// splitmix64: tiny, well mixed and fully specified, unlike std::*_distribution whose output
// differs between standard libraries.
class SampleRandom {
 public:
  explicit SampleRandom(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n); the modulo bias is far below anything sample data could show.
  uint64_t Below(uint64_t n) { return Next() % n; }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }

  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }

  // Index chosen with the given integer weights.
  template <size_t N>
  size_t Weighted(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    auto roll = static_cast<int>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < N; ++i) {
      if (roll < weights[i]) return i;
      roll -= weights[i];
    }
    return N - 1;
  }

 private:
  uint64_t state_;
};

constexpr uint64_t kSampleSeed = 20240101;
constexpr int kCustomers = 1000;
constexpr int kOrders = 5000;
constexpr int kProducts = 500;
constexpr int kDaysIn2024 = 366;

// "2024-MM-DD" for a 0-based day of 2024 (a leap year).
std::string DateOf2024(int day_of_year) {
  static constexpr std::array<int, 12> kMonthDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 0;
  while (day_of_year >= kMonthDays[month]) {
    day_of_year -= kMonthDays[month];
    ++month;
  }
  return fmt::format("2024-{:02}-{:02}", month + 1, day_of_year + 1);
}

// Money is kept in integer cents so no floating point rounding can differ between machines.
std::string Money(int64_t cents) {
  return fmt::format("{}.{:02}", cents / 100, cents % 100);
}

constexpr std::array<std::string_view, 40> kFirstNames = {
    "James", "Mary",  "Robert", "Patricia", "John",  "Jennifer", "Michael", "Linda",  "David",  "Elizabeth",
    "Lukas", "Anna",  "Felix",  "Sophie",   "Louis", "Camille",  "Hugo",    "Chloe",  "Oliver", "Amelia",
    "Harry", "Isla",  "Haruto", "Yui",      "Sota",  "Hina",     "Miguel",  "Ana",    "Pedro",  "Julia",
    "Arjun", "Priya", "Rahul",  "Ananya",   "Liam",  "Emma",     "Noah",    "Olivia", "Lucas",  "Maya"};

constexpr std::array<std::string_view, 40> kLastNames = {
    "Smith",   "Johnson",   "Williams", "Brown",   "Jones",     "Miller",   "Davis",  "Garcia",
    "Wilson",  "Taylor",    "Mueller",  "Schmidt", "Schneider", "Fischer",  "Weber",  "Martin",
    "Bernard", "Dubois",    "Thomas",   "Robert",  "Evans",     "Walker",   "Wright", "Sato",
    "Suzuki",  "Takahashi", "Tanaka",   "Silva",   "Santos",    "Oliveira", "Souza",  "Sharma",
    "Patel",   "Singh",     "Kumar",    "Gupta",   "Tremblay",  "Roy",      "Gagnon", "Leblanc"};

constexpr std::array<std::string_view, 8> kCountries = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"};
constexpr std::array<int, 8> kCountryWeights = {30, 12, 10, 12, 8, 8, 10, 10};

constexpr std::array<std::string_view, 3> kSegments = {"consumer", "small_business", "enterprise"};
constexpr std::array<int, 3> kSegmentWeights = {70, 22, 8};

constexpr std::array<std::string_view, 4> kStatuses = {"completed", "pending", "cancelled", "refunded"};
constexpr std::array<int, 4> kStatusWeights = {80, 8, 7, 5};

struct Category {
  std::string_view name;
  std::array<std::string_view, 6> nouns;
  int64_t min_dollars;
  int64_t max_dollars;
};

constexpr std::array<Category, 8> kCategories = {{
    {"Electronics", {"Headphones", "Keyboard", "Monitor", "Speaker", "Charger", "Webcam"}, 15, 600},
    {"Home", {"Desk Lamp", "Cushion", "Kettle", "Blanket", "Wall Clock", "Vase"}, 8, 150},
    {"Garden", {"Planter", "Hose", "Pruner", "Bird Feeder", "Watering Can", "Seed Kit"}, 5, 120},
    {"Sports",
     {"Yoga Mat", "Water Bottle", "Dumbbell", "Running Shoes", "Tennis Racket", "Backpack"},
     10,
     250},
    {"Books", {"Cookbook", "Novel", "Travel Guide", "Atlas", "Notebook", "Biography"}, 6, 60},
    {"Toys", {"Puzzle", "Building Set", "Board Game", "Plush Bear", "Kite", "Train Set"}, 7, 90},
    {"Clothing", {"T-Shirt", "Hoodie", "Jacket", "Scarf", "Cap", "Jeans"}, 12, 180},
    {"Beauty", {"Face Cream", "Shampoo", "Perfume", "Lip Balm", "Hair Brush", "Soap Set"}, 4, 95},
}};

constexpr std::array<std::string_view, 12> kAdjectives = {"Classic",   "Premium", "Compact", "Deluxe",
                                                          "Eco",       "Smart",   "Vintage", "Ultra",
                                                          "Essential", "Pro",     "Urban",   "Nordic"};

struct SampleData {
  std::string customers;
  std::string products;
  std::string orders;
};

SampleData GenerateSampleData() {
  SampleRandom random(kSampleSeed);
  SampleData data;

  // Customers: ids follow sign-up order, as they would in a real shop.
  std::vector<int> signup_days(kCustomers);
  for (int& day : signup_days) day = static_cast<int>(random.Below(kDaysIn2024));
  std::sort(signup_days.begin(), signup_days.end());

  fmt::memory_buffer customers;
  customers.reserve(64 * kCustomers);
  fmt::format_to(std::back_inserter(customers), "customer_id,name,email,country,signup_date,segment\n");
  for (int i = 0; i < kCustomers; ++i) {
    std::string_view first = random.Pick(kFirstNames);
    std::string_view last = random.Pick(kLastNames);
    std::string_view country = kCountries[random.Weighted(kCountryWeights)];
    std::string_view segment = kSegments[random.Weighted(kSegmentWeights)];
    fmt::format_to(std::back_inserter(customers), "{},{} {},{}.{}{}@example.com,{},{},{}\n", i + 1, first,
                   last, util::ToLower(first), util::ToLower(last), i + 1, country,
                   DateOf2024(signup_days[i]), segment);
  }
  data.customers = fmt::to_string(customers);

  // Products: a category, a name unique by its model number, a price ending in .99 or .49 or any cents.
  std::vector<int64_t> price_cents(kProducts);
  fmt::memory_buffer products;
  products.reserve(48 * kProducts);
  fmt::format_to(std::back_inserter(products), "product_id,name,category,price\n");
  for (int i = 0; i < kProducts; ++i) {
    const Category& category = random.Pick(kCategories);
    std::string_view adjective = random.Pick(kAdjectives);
    std::string_view noun = random.Pick(category.nouns);
    int64_t dollars = random.Between(category.min_dollars, category.max_dollars);
    static constexpr std::array<int64_t, 3> kCentsEndings = {99, 49, -1};
    int64_t cents = random.Pick(kCentsEndings);
    if (cents < 0) cents = static_cast<int64_t>(random.Below(100));
    price_cents[i] = dollars * 100 + cents;
    fmt::format_to(std::back_inserter(products), "{},{} {} {},{},{}\n", i + 1, adjective, noun, 100 + i,
                   category.name, Money(price_cents[i]));
  }
  data.products = fmt::to_string(products);

  // Orders: ids follow order dates; a customer only orders on or after signing up, so early
  // customers order more, as they do in real data.
  std::vector<int> order_days(kOrders);
  const int first_signup = signup_days.front();
  for (int& day : order_days) day = static_cast<int>(random.Between(first_signup, kDaysIn2024 - 1));
  std::sort(order_days.begin(), order_days.end());

  fmt::memory_buffer orders;
  orders.reserve(64 * kOrders);
  fmt::format_to(std::back_inserter(orders),
                 "order_id,customer_id,product_id,order_date,quantity,amount,status\n");
  static constexpr std::array<int, 5> kQuantityWeights = {50, 25, 12, 8, 5};
  for (int i = 0; i < kOrders; ++i) {
    const int day = order_days[i];
    auto eligible = std::upper_bound(signup_days.begin(), signup_days.end(), day) - signup_days.begin();
    int customer_id = static_cast<int>(random.Below(static_cast<uint64_t>(eligible))) + 1;
    int product_id = static_cast<int>(random.Below(kProducts)) + 1;
    int quantity = static_cast<int>(random.Weighted(kQuantityWeights)) + 1;
    int64_t amount = price_cents[product_id - 1] * quantity;
    if (random.Below(100) < 15) amount = (amount * 90 + 50) / 100;  // a 10% discount code
    std::string_view status = kStatuses[random.Weighted(kStatusWeights)];
    if (status == "pending" && day < kDaysIn2024 - 31) status = "completed";  // only December is still open
    fmt::format_to(std::back_inserter(orders), "{},{},{},{},{},{},{}\n", i + 1, customer_id, product_id,
                   DateOf2024(day), quantity, Money(amount), status);
  }
  data.orders = fmt::to_string(orders);
  return data;
}

// ---------------------------------------------------------------------------------------------
// Text files
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kDevProfile = R"yml(# Development profile: the default when no --profile is given.
engines:
  duckdb:
    mode: memory            # memory | persistent; memory keeps nothing after the run
variables:                  # read in pipelines as ${name}; --vars overrides them
  env: dev                  # which branch conditional_export takes
  min_order_amount: 50      # sales_report leaves out orders below this amount
)yml";

constexpr std::string_view kProdProfile = R"yml(# Production profile: sqlflow pipeline run NAME --profile prod
engines:
  duckdb:
    mode: persistent          # tables survive the run in the database file below
    path: target/prod.duckdb  # relative to the project root
    memory_limit: 2GB         # optional cap on DuckDB memory (also: threads, temp_directory)
variables:                    # read in pipelines as ${name}; --vars overrides them
  env: prod                   # which branch conditional_export takes
  min_order_amount: 100       # sales_report leaves out orders below this amount
)yml";

constexpr std::string_view kCustomerSummary =
    R"sf(-- customer_summary: what each customer bought, one row per customer.
--
-- Shows: CSV sources, LOAD, a transform with a CTE, a join and GROUP BY, and a CSV export.
-- Run it:
--   sqlflow pipeline run customer_summary
-- Writes: output/customer_summary.csv

SOURCE customers_source TYPE CSV PARAMS {
  "path": "data/customers.csv",
  "has_header": true
};

SOURCE orders_source TYPE CSV PARAMS {
  "path": "data/orders.csv",
  "has_header": true
};

LOAD customers FROM customers_source;
LOAD orders FROM orders_source;

-- Completed orders per customer, joined to every customer (those without orders show zeros).
CREATE TABLE customer_summary AS
WITH completed_orders AS (
  SELECT
    customer_id,
    count(*) AS order_count,
    sum(quantity) AS items_bought,
    sum(amount) AS total_spent,
    min(order_date) AS first_order_date,
    max(order_date) AS last_order_date
  FROM orders
  WHERE status = 'completed'
  GROUP BY customer_id
)
SELECT
  c.customer_id,
  c.name,
  c.email,
  c.country,
  c.segment,
  c.signup_date,
  coalesce(o.order_count, 0) AS order_count,
  coalesce(o.items_bought, 0) AS items_bought,
  coalesce(o.total_spent, 0)::DECIMAL(12, 2) AS total_spent,
  o.first_order_date,
  o.last_order_date
FROM customers AS c
LEFT JOIN completed_orders AS o ON o.customer_id = c.customer_id;

EXPORT SELECT * FROM customer_summary ORDER BY total_spent DESC, customer_id
TO 'output/customer_summary.csv'
TYPE CSV
OPTIONS {"header": true};
)sf";

constexpr std::string_view kSalesReport =
    R"sf(-- sales_report: daily sales and the best-selling products of each category.
--
-- Shows: SET, a variable from the profile used in SQL (min_order_amount: 50 in dev, 100 in
-- prod), window functions, and exports to Parquet and CSV.
-- Run it:
--   sqlflow pipeline run sales_report
--   sqlflow pipeline run sales_report --profile prod
--   sqlflow pipeline run sales_report --vars '{"top_n": 5}'
-- Writes: output/top_products.parquet and output/daily_sales.csv

-- How many products per category make the list. --vars overrides it.
SET top_n = 3;

SOURCE orders_source TYPE CSV PARAMS {
  "path": "data/orders.csv",
  "has_header": true
};

SOURCE products_source TYPE CSV PARAMS {
  "path": "data/products.csv",
  "has_header": true
};

LOAD orders FROM orders_source;
LOAD products FROM products_source;

-- Completed orders worth at least min_order_amount, with their product.
CREATE TABLE qualifying_orders AS
SELECT
  o.order_id,
  o.order_date,
  o.customer_id,
  o.product_id,
  p.name AS product_name,
  p.category,
  o.quantity,
  o.amount
FROM orders AS o
JOIN products AS p ON p.product_id = o.product_id
WHERE o.status = 'completed'
  AND o.amount >= ${min_order_amount};

-- One row per day with a running total.
CREATE TABLE daily_sales AS
SELECT
  order_date,
  count(*) AS order_count,
  sum(quantity) AS units,
  sum(amount)::DECIMAL(12, 2) AS revenue,
  sum(sum(amount)) OVER (ORDER BY order_date)::DECIMAL(14, 2) AS running_revenue
FROM qualifying_orders
GROUP BY order_date;

-- The top_n products of each category by revenue.
CREATE TABLE top_products AS
WITH product_sales AS (
  SELECT
    category,
    product_id,
    product_name,
    sum(quantity) AS units,
    sum(amount)::DECIMAL(12, 2) AS revenue
  FROM qualifying_orders
  GROUP BY category, product_id, product_name
)
SELECT
  *,
  rank() OVER (PARTITION BY category ORDER BY revenue DESC, product_id) AS category_rank,
  round(100 * revenue / sum(revenue) OVER (PARTITION BY category), 1) AS category_share_pct
FROM product_sales
QUALIFY category_rank <= ${top_n};

EXPORT SELECT * FROM top_products ORDER BY category, category_rank
TO 'output/top_products.parquet'
TYPE PARQUET
OPTIONS {"compression": "zstd"};

EXPORT SELECT * FROM daily_sales ORDER BY order_date
TO 'output/daily_sales.csv'
TYPE CSV
OPTIONS {"header": true};
)sf";

constexpr std::string_view kConditionalExport =
    R"sf(-- conditional_export: IF blocks choose what runs, from variables, when the plan is made.
--
-- Shows: a SET with a default (format, csv unless given), IF / ELSE IF / ELSE on the
-- profile variable env, a nested IF, and a variable in an export path.
-- Run it:
--   sqlflow pipeline run conditional_export
--   sqlflow pipeline run conditional_export --profile prod
--   sqlflow pipeline run conditional_export --vars '{"format": "parquet"}'
-- Writes: output/revenue_by_country_dev.csv and output/report_orders_sample.csv (dev, csv),
--   or output/revenue_by_country_<env>.parquet when format is parquet.

SET report_format = '${format|csv}';

SOURCE orders_source TYPE CSV PARAMS {
  "path": "data/orders.csv",
  "has_header": true
};

SOURCE customers_source TYPE CSV PARAMS {
  "path": "data/customers.csv",
  "has_header": true
};

LOAD orders FROM orders_source;
LOAD customers FROM customers_source;

-- Only the first true branch enters the plan, so each defines report_orders once.
IF ${env} == 'prod' THEN
  -- Production reports every completed order.
  CREATE TABLE report_orders AS
  SELECT * FROM orders WHERE status = 'completed';
ELSE IF ${env} = 'dev' THEN
  -- Development works on every tenth completed order: fast, and spread over the whole year.
  CREATE TABLE report_orders AS
  SELECT * FROM orders WHERE status = 'completed' AND order_id % 10 = 0;
ELSE
  -- Any other environment gets a tiny sample.
  CREATE TABLE report_orders AS
  SELECT * FROM orders WHERE status = 'completed' AND order_id % 100 = 0;
END IF;

CREATE TABLE revenue_by_country AS
SELECT
  c.country,
  count(*) AS order_count,
  count(DISTINCT r.customer_id) AS customer_count,
  sum(r.amount)::DECIMAL(12, 2) AS revenue,
  '${env}' AS environment
FROM report_orders AS r
JOIN customers AS c ON c.customer_id = r.customer_id
GROUP BY c.country;

IF ${report_format} == 'parquet' THEN
  EXPORT SELECT * FROM revenue_by_country ORDER BY revenue DESC
  TO 'output/revenue_by_country_${env}.parquet'
  TYPE PARQUET;
ELSE
  EXPORT SELECT * FROM revenue_by_country ORDER BY revenue DESC
  TO 'output/revenue_by_country_${env}.csv'
  TYPE CSV
  OPTIONS {"header": true};

  -- A nested IF: outside production, also export the sample the report was built from.
  IF ${env} != 'prod' THEN
    EXPORT SELECT * FROM report_orders ORDER BY order_id
    TO 'output/report_orders_sample.csv'
    TYPE CSV
    OPTIONS {"header": true};
  END IF;
END IF;
)sf";

constexpr std::string_view kReadme = R"md(# @NAME@

A SQLFlow project: SQL pipelines (`.sf` files) that load, transform and export data with an
embedded DuckDB.

## What is inside

| path | what |
|---|---|
| `pipelines/customer_summary.sf` | CSV sources, LOAD, a transform with a CTE and a join, a CSV export |
| `pipelines/sales_report.sf` | `SET`, a profile variable (`${min_order_amount}`) in SQL, window functions, Parquet and CSV exports |
| `pipelines/conditional_export.sf` | `IF` / `ELSE IF` / `ELSE` on variables, a nested `IF`, a variable in an export path |
| `profiles/dev.yml` | the default profile: in-memory DuckDB, `env: dev`, `min_order_amount: 50` |
| `profiles/prod.yml` | persistent DuckDB in `target/prod.duckdb`, `env: prod`, `min_order_amount: 100` |
| `data/` | sample data, the same on every machine: 1,000 customers, 5,000 orders, 500 products |
| `output/` | where the pipelines write their exports |
| `python_udfs/` | Python user-defined functions (none yet) |

## Commands

Run them from this directory (or pass `--project-dir DIR`).

```sh
sqlflow pipeline list                                   # the pipelines of the project
sqlflow pipeline validate                               # check every pipeline without running it
sqlflow pipeline compile customer_summary               # write the plan to target/compiled/
sqlflow pipeline run customer_summary                   # run with the dev profile
sqlflow pipeline run sales_report --profile prod        # run with the prod profile
sqlflow pipeline run conditional_export --vars '{"format": "parquet"}'   # override a variable
```

## Outputs

| pipeline | tables | files |
|---|---|---|
| `customer_summary` | `customers`, `orders`, `customer_summary` | `output/customer_summary.csv` |
| `sales_report` | `orders`, `products`, `qualifying_orders`, `daily_sales`, `top_products` | `output/top_products.parquet`, `output/daily_sales.csv` |
| `conditional_export` | `orders`, `customers`, `report_orders`, `revenue_by_country` | `output/revenue_by_country_<env>.csv` (or `.parquet`), `output/report_orders_sample.csv` outside prod |

## Variables

`${name}` in a pipeline takes its value from, highest first: `--vars`, the profile's
`variables`, `SET` statements, the environment, then the inline default (`${format|csv}`).
Variables are substituted as raw text, so write `'${env}'` where SQL needs a string.
)md";

constexpr std::string_view kGitignore = R"(# Build products, exports and local run state of SQLFlow.
target/
output/*
!output/.gitkeep
.sqlflow/
.env
)";

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string result;
  size_t start = 0;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, start)) {
    result.append(text.substr(start, at - start));
    result.append(to);
    start = at + from.size();
  }
  result.append(text.substr(start));
  return result;
}

class ProjectWriter {
 public:
  explicit ProjectWriter(fs::path root) { result_.root = std::move(root); }

  void Write(const fs::path& relative, std::string_view content) {
    const fs::path target = result_.root / relative;
    std::error_code error;
    fs::create_directories(target.parent_path(), error);
    if (error) Fail(target.parent_path(), error.message());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) Fail(target, "cannot open the file for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) Fail(target, "write failed");
    result_.files.push_back(relative);
  }

  ScaffoldResult Finish() { return std::move(result_); }

 private:
  [[noreturn]] static void Fail(const fs::path& path, const std::string& reason) {
    throw common::UsageError("SF-INIT-002", fmt::format("cannot write '{}': {}", path.string(), reason),
                             "check that the directory is writable and the disk is not full");
  }

  ScaffoldResult result_;
};

void CheckTargetDirectory(const fs::path& dir) {
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) {
    throw common::UsageError(
        "SF-INIT-001",
        fmt::format("cannot create a project at '{}': it exists and is not a directory", dir.string()),
        "choose another name or remove the file");
  }
  if (!fs::is_empty(dir, error) || error) {
    throw common::UsageError(
        "SF-INIT-001",
        fmt::format("cannot create a project in '{}': the directory is not empty", dir.string()),
        "choose a new directory name, or empty the directory first");
  }
}

}  // namespace

ScaffoldResult CreateProject(const fs::path& dir, const std::string& name) {
  CheckTargetDirectory(dir);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw common::UsageError("SF-INIT-002",
                             fmt::format("cannot create '{}': {}", dir.string(), error.message()),
                             "check that the parent directory is writable");
  }

  std::string title = name;
  if (title.empty()) title = fs::absolute(dir).lexically_normal().filename().string();
  if (title.empty()) title = fs::absolute(dir).lexically_normal().parent_path().filename().string();

  const SampleData data = GenerateSampleData();
  ProjectWriter writer(dir);
  writer.Write("profiles/dev.yml", kDevProfile);
  writer.Write("profiles/prod.yml", kProdProfile);
  writer.Write("data/customers.csv", data.customers);
  writer.Write("data/orders.csv", data.orders);
  writer.Write("data/products.csv", data.products);
  writer.Write("pipelines/customer_summary.sf", kCustomerSummary);
  writer.Write("pipelines/sales_report.sf", kSalesReport);
  writer.Write("pipelines/conditional_export.sf", kConditionalExport);
  writer.Write("output/.gitkeep", "");
  writer.Write("python_udfs/.gitkeep", "");
  writer.Write("README.md", ReplaceAll(kReadme, "@NAME@", title));
  writer.Write(".gitignore", kGitignore);
  return writer.Finish();
}

}  // namespace sqlflow::project
