#include "engine/schema.h"

#include <algorithm>
#include <map>
#include <optional>

#include "engine/sql.h"
#include "util/strings.h"

namespace sqlflow::engine {

namespace {

std::vector<Column> Describe(Connection& connection, const std::string& describable) {
  Result result =
      connection.Query("SELECT column_name, column_type, \"null\" FROM (DESCRIBE " + describable + ")");
  std::vector<Column> columns;
  for (size_t row = 0; row < result.row_count(); ++row) {
    columns.push_back(Column{result.Value(0, row).value_or(""), result.Value(1, row).value_or(""),
                             result.Value(2, row).value_or("YES") == "YES"});
  }
  return columns;
}

struct IntegerType {
  int rank;  // 1 = 8 bits ... 5 = 128 bits
  bool is_unsigned;
  int digits;  // decimal digits of its largest value
};

std::optional<IntegerType> AsInteger(const std::string& type) {
  static const std::map<std::string, IntegerType> kIntegers = {
      {"TINYINT", {1, false, 3}},  {"SMALLINT", {2, false, 5}}, {"INTEGER", {3, false, 10}},
      {"BIGINT", {4, false, 19}},  {"HUGEINT", {5, false, 39}}, {"UTINYINT", {1, true, 3}},
      {"USMALLINT", {2, true, 5}}, {"UINTEGER", {3, true, 10}}, {"UBIGINT", {4, true, 20}},
      {"UHUGEINT", {5, true, 39}},
  };
  auto it = kIntegers.find(type);
  if (it == kIntegers.end()) return std::nullopt;
  return it->second;
}

struct DecimalType {
  int width;
  int scale;
};

std::optional<DecimalType> AsDecimal(const std::string& type) {
  if (!util::StartsWith(type, "DECIMAL(")) return std::nullopt;
  size_t comma = type.find(',');
  if (comma == std::string::npos) return std::nullopt;
  return DecimalType{std::stoi(type.substr(8, comma - 8)), std::stoi(type.substr(comma + 1))};
}

bool IntegerWidens(const IntegerType& from, const IntegerType& to) {
  if (from.is_unsigned == to.is_unsigned) return to.rank >= from.rank;
  return !to.is_unsigned && to.rank > from.rank;  // unsigned fits a strictly wider signed type
}

}  // namespace

bool SameColumnName(std::string_view a, std::string_view b) {
  return util::EqualsIgnoreCase(a, b);
}

const Column* FindColumn(const std::vector<Column>& columns, std::string_view name) {
  for (const auto& column : columns) {
    if (SameColumnName(column.name, name)) return &column;
  }
  return nullptr;
}

bool IsKeyColumn(const std::vector<std::string>& keys, std::string_view column) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const std::string& key) { return SameColumnName(key, column); });
}

std::vector<Column> DescribeTable(Connection& connection, const std::string& table) {
  if (!connection.TableExists(table)) return {};
  return Describe(connection, QuoteTableName(table));
}

std::vector<Column> DescribeQuery(Connection& connection, const std::string& query) {
  return Describe(connection, "(" + query + ")");
}

bool IsSafeWidening(const std::string& from, const std::string& to) {
  if (from == to || to == "VARCHAR") return true;
  auto from_integer = AsInteger(from);
  if (from_integer) {
    if (auto to_integer = AsInteger(to)) return IntegerWidens(*from_integer, *to_integer);
    if (auto to_decimal = AsDecimal(to)) return to_decimal->width - to_decimal->scale >= from_integer->digits;
    // Mantissas: FLOAT holds every 16-bit integer exactly, DOUBLE every 32-bit one.
    if (to == "FLOAT") return from_integer->rank <= 2;
    if (to == "DOUBLE") return from_integer->rank <= 3;
    return false;
  }
  if (from == "FLOAT") return to == "DOUBLE";
  if (auto from_decimal = AsDecimal(from)) {
    auto to_decimal = AsDecimal(to);
    return to_decimal && to_decimal->scale >= from_decimal->scale &&
           to_decimal->width - to_decimal->scale >= from_decimal->width - from_decimal->scale;
  }
  if (from == "DATE" || from == "TIMESTAMP_S" || from == "TIMESTAMP_MS") return to == "TIMESTAMP";
  return false;
}

}  // namespace sqlflow::engine
