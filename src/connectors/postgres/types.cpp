#include "connectors/postgres/types.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "connectors/postgres/big_endian.h"
#include "connectors/postgres/client.h"
#include "util/strings.h"

namespace sqlflow::connectors::postgres {

namespace {

// A value the binary COPY stream cannot hold as its column's type: the source's data, not
// retried.
PostgresError DecodeError(const std::string& message) {
  return PostgresError(message, false);
}

__extension__ typedef __int128 Int128;  // numeric(38,s) needs 128 bits

// PostgreSQL counts days and microseconds from 2000-01-01, DuckDB from 1970-01-01.
constexpr int32_t kEpochDays = 10957;
constexpr int64_t kEpochMicros = 946684800LL * 1000000;

template <typename T>
void Put(duckdb_vector vector, idx_t row, T value) {
  static_cast<T*>(duckdb_vector_get_data(vector))[row] = value;
}

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

std::runtime_error OutOfRange(const ColumnMapping& mapping) {
  return DecodeError(fmt::format("column \"{}\" ({}): a value outside what {} holds", mapping.name,
                                 mapping.pg_type, mapping.duckdb_type));
}

void Expect(int32_t length, int32_t wanted, const ColumnMapping& mapping) {
  if (length != wanted) {
    throw PostgresError(fmt::format("column \"{}\" ({}): {} bytes where {} were expected", mapping.name,
                                    mapping.pg_type, length, wanted),
                        false);
  }
}

// numeric's binary form: ndigits, weight, sign, dscale, then ndigits base-10000 digits.
constexpr uint16_t kNumericNegative = 0x4000;
constexpr uint16_t kNumericNaN = 0xC000;
constexpr uint16_t kNumericInfinity = 0xD000;  // PostgreSQL 14 and later
constexpr uint16_t kNumericNegativeInfinity = 0xF000;

struct NumericHeader {
  int ndigits = 0;
  int weight = 0;
  uint16_t sign = 0;
};

// The header of a numeric value, once its length and digits are checked.
NumericHeader ReadNumericHeader(const char* data, int32_t length, const ColumnMapping& mapping) {
  auto malformed = [&] { return DecodeError(fmt::format("column \"{}\": malformed numeric", mapping.name)); };
  if (length < 8) throw malformed();
  NumericHeader header{Read16(data), static_cast<int16_t>(Read16(data + 2)), Read16(data + 4)};
  if (length != 8 + 2 * header.ndigits) throw malformed();
  if (header.sign != 0 && header.sign != kNumericNegative && header.sign != kNumericNaN &&
      header.sign != kNumericInfinity && header.sign != kNumericNegativeInfinity) {
    throw malformed();
  }
  for (int i = 0; i < header.ndigits; ++i) {
    if (Read16(data + 8 + 2 * i) >= 10000) throw malformed();
  }
  return header;
}

struct Numeric {
  const char* special = nullptr;  // "NaN", "Infinity" or "-Infinity"
  Int128 unscaled = 0;            // value * 10^scale
};

// A numeric as DECIMAL(width, scale); throws when it does not fit.
Numeric ParseNumeric(const char* data, int32_t length, int width, int scale, const ColumnMapping& mapping) {
  NumericHeader header = ReadNumericHeader(data, length, mapping);
  Numeric value;
  if (header.sign == kNumericNaN) value.special = "NaN";
  if (header.sign == kNumericInfinity) value.special = "Infinity";
  if (header.sign == kNumericNegativeInfinity) value.special = "-Infinity";
  if (value.special) return value;
  auto too_large = [&] {
    return DecodeError(
        fmt::format("column \"{}\": a value does not fit {}", mapping.name, mapping.duckdb_type));
  };
  auto power_of_ten = [](int exponent) {
    Int128 power = 1;
    for (int p = 0; p < exponent; ++p) power *= 10;
    return power;
  };
  // Digit i is worth 10000^(weight - i); the result wants units of 10^-scale. Every step stays
  // below 10^width (at most 10^38), so the arithmetic never leaves 128 bits.
  const Int128 limit = power_of_ten(width);
  for (int i = 0; i < header.ndigits; ++i) {
    int digit = Read16(data + 8 + 2 * i);
    int power = 4 * (header.weight - i) + scale;  // decimal exponent of this digit's units
    if (digit == 0) continue;
    if (power >= width || (power > width - 4 && digit >= power_of_ten(width - power))) throw too_large();
    Int128 contribution = digit;
    if (power >= 0) {
      contribution *= power_of_ten(power);
    } else {
      for (int p = 0; p < -power && contribution != 0; ++p) contribution /= 10;
    }
    if (contribution >= limit - value.unscaled) throw too_large();
    value.unscaled += contribution;
  }
  if (header.sign == kNumericNegative) value.unscaled = -value.unscaled;
  return value;
}

double NumericToDouble(const char* data, int32_t length, const ColumnMapping& mapping) {
  NumericHeader header = ReadNumericHeader(data, length, mapping);
  int ndigits = header.ndigits;
  if (header.sign == kNumericNaN) return std::numeric_limits<double>::quiet_NaN();
  if (header.sign == kNumericInfinity) return std::numeric_limits<double>::infinity();
  if (header.sign == kNumericNegativeInfinity) return -std::numeric_limits<double>::infinity();
  // Through decimal text, so strtod rounds correctly (summing powers of 10000 would not).
  std::string digits;
  for (int i = 0; i < ndigits; ++i) digits += fmt::format("{:04d}", Read16(data + 8 + 2 * i));
  int integer_groups = header.weight + 1;
  std::string text = header.sign == kNumericNegative ? "-" : "";
  if (integer_groups <= 0) {
    text += "0." + std::string(static_cast<size_t>(4 * -integer_groups), '0') + digits;
  } else if (integer_groups >= ndigits) {
    text += digits + std::string(static_cast<size_t>(4 * (integer_groups - ndigits)), '0');
  } else {
    text += digits.substr(0, static_cast<size_t>(4 * integer_groups)) + "." +
            digits.substr(static_cast<size_t>(4 * integer_groups));
  }
  return std::strtod(text.c_str(), nullptr);
}

// DuckDB holds VARCHAR as UTF-8 and leaves other bytes undefined behaviour: refuse them here.
void AssignText(const ColumnMapping& mapping, const char* data, int32_t length, duckdb_vector vector,
                idx_t row) {
  if (!util::IsValidUtf8(std::string_view(data, static_cast<size_t>(length)))) {
    throw DecodeError(
        fmt::format("column \"{}\" ({}): text that is not UTF-8 [a database whose encoding is not UTF8 needs "
                    "PGCLIENTENCODING=UTF8; from a SQL_ASCII database read the column as bytea (col::bytea) "
                    "in a \"query\"]",
                    mapping.name, mapping.pg_type));
  }
  duckdb_vector_assign_string_element_len(vector, row, data, static_cast<idx_t>(length));
}

ColumnMapping ElementMapping(const ColumnMapping& array) {
  bool supported = true;
  return MapColumn(array.name, array.element_oid, -1, array.pg_type.substr(1), supported);
}

}  // namespace

ColumnMapping MapColumn(const std::string& name, uint32_t oid, int typmod, const std::string& pg_type,
                        bool& supported) {
  ColumnMapping mapping;
  mapping.name = name;
  mapping.oid = oid;
  mapping.pg_type = pg_type;
  supported = true;
  switch (oid) {
    case 16:
      mapping.duckdb_type = "BOOLEAN";
      break;
    case 21:
      mapping.duckdb_type = "SMALLINT";
      break;
    case 23:
      mapping.duckdb_type = "INTEGER";
      break;
    case 20:
      mapping.duckdb_type = "BIGINT";
      break;
    case 26:
      mapping.duckdb_type = "UINTEGER";
      break;
    case 700:
      mapping.duckdb_type = "FLOAT";
      break;
    case 701:
      mapping.duckdb_type = "DOUBLE";
      break;
    case 1700:
      if (typmod >= 4) {
        mapping.decimal_width = ((typmod - 4) >> 16) & 0xffff;
        mapping.decimal_scale = (typmod - 4) & 0xffff;
      }
      // numeric without a precision, or wider than DuckDB's 38 digits, reads as DOUBLE.
      mapping.duckdb_type = mapping.decimal_width > 0 && mapping.decimal_width <= 38
                                ? fmt::format("DECIMAL({},{})", mapping.decimal_width, mapping.decimal_scale)
                                : "DOUBLE";
      if (mapping.duckdb_type == "DOUBLE") mapping.decimal_width = 0;
      break;
    case 25:
    case 1043:
    case 1042:
    case 19:
    case 18:
      mapping.duckdb_type = "VARCHAR";
      break;
    case 1082:
      mapping.duckdb_type = "DATE";
      break;
    case 1083:
      mapping.duckdb_type = "TIME";
      break;
    case 1114:
      mapping.duckdb_type = "TIMESTAMP";
      break;
    case 1184:
      mapping.duckdb_type = "TIMESTAMP WITH TIME ZONE";
      break;
    case 1186:
      mapping.duckdb_type = "INTERVAL";
      break;
    case 2950:
      mapping.duckdb_type = "UUID";
      break;
    case 114:
    case 3802:
      mapping.duckdb_type = "JSON";
      break;
    case 17:
      mapping.duckdb_type = "BLOB";
      break;
    default: {
      // Arrays of the types above.
      static const std::pair<uint32_t, uint32_t> kArrays[] = {
          {1000, 16},   {1005, 21},   {1007, 23},   {1016, 20},   {1021, 700},  {1022, 701},
          {1009, 25},   {1015, 1043}, {1014, 1042}, {1182, 1082}, {1115, 1114}, {1185, 1184},
          {2951, 2950}, {1231, 1700}, {199, 114},   {3807, 3802}};
      for (const auto& [array, element] : kArrays) {
        if (array != oid) continue;
        mapping.element_oid = element;
        bool element_supported = true;
        ColumnMapping inner = MapColumn(name, element, -1, pg_type.substr(1), element_supported);
        mapping.duckdb_type = inner.duckdb_type + "[]";
        return mapping;
      }
      supported = false;
      mapping.duckdb_type = "VARCHAR";
    }
  }
  return mapping;
}

void DecodeValue(const ColumnMapping& mapping, const char* data, int32_t length, duckdb_vector vector,
                 idx_t row) {
  switch (mapping.oid) {
    case 16:
      Expect(length, 1, mapping);
      return Put<bool>(vector, row, data[0] != 0);
    case 21:
      Expect(length, 2, mapping);
      return Put<int16_t>(vector, row, static_cast<int16_t>(Read16(data)));
    case 23:
      Expect(length, 4, mapping);
      return Put<int32_t>(vector, row, static_cast<int32_t>(Read32(data)));
    case 26:
      Expect(length, 4, mapping);
      return Put<uint32_t>(vector, row, Read32(data));
    case 20:
      Expect(length, 8, mapping);
      return Put<int64_t>(vector, row, static_cast<int64_t>(Read64(data)));
    case 700: {
      Expect(length, 4, mapping);
      uint32_t bits = Read32(data);
      float value;
      std::memcpy(&value, &bits, 4);
      return Put(vector, row, value);
    }
    case 701: {
      Expect(length, 8, mapping);
      uint64_t bits = Read64(data);
      double value;
      std::memcpy(&value, &bits, 8);
      return Put(vector, row, value);
    }
    case 1700: {
      if (mapping.decimal_width == 0) return Put(vector, row, NumericToDouble(data, length, mapping));
      Numeric value = ParseNumeric(data, length, mapping.decimal_width, mapping.decimal_scale, mapping);
      if (value.special) {
        throw DecodeError(fmt::format("column \"{}\": {} does not fit {}", mapping.name, value.special,
                                      mapping.duckdb_type));
      }
      if (mapping.decimal_width <= 4) return Put<int16_t>(vector, row, static_cast<int16_t>(value.unscaled));
      if (mapping.decimal_width <= 9) return Put<int32_t>(vector, row, static_cast<int32_t>(value.unscaled));
      if (mapping.decimal_width <= 18) return Put<int64_t>(vector, row, static_cast<int64_t>(value.unscaled));
      duckdb_hugeint huge;
      huge.lower = static_cast<uint64_t>(value.unscaled);
      huge.upper = static_cast<int64_t>(value.unscaled >> 64);
      return Put(vector, row, huge);
    }
    case 25:
    case 1043:
    case 1042:
    case 19:
    case 18:
    case 114:
      return AssignText(mapping, data, length, vector, row);
    case 17:
      return duckdb_vector_assign_string_element_len(vector, row, data, static_cast<idx_t>(length));
    case 3802:  // jsonb: a version byte, then the text
      if (length < 1) throw DecodeError(fmt::format("column \"{}\": malformed jsonb", mapping.name));
      return AssignText(mapping, data + 1, length - 1, vector, row);
    case 1082: {
      Expect(length, 4, mapping);
      int32_t days = static_cast<int32_t>(Read32(data));
      // Infinity is the maximum in both; -infinity is PostgreSQL's minimum but DuckDB's -maximum.
      constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
      if (days == kMax) return Put<int32_t>(vector, row, kMax);
      if (days == std::numeric_limits<int32_t>::min()) return Put<int32_t>(vector, row, -kMax);
      if (days >= kMax - kEpochDays) throw OutOfRange(mapping);  // past PostgreSQL's own range
      return Put<int32_t>(vector, row, days + kEpochDays);
    }
    case 1083: {
      Expect(length, 8, mapping);
      int64_t micros = static_cast<int64_t>(Read64(data));
      if (micros < 0 || micros > kMicrosPerDay) throw OutOfRange(mapping);  // 24:00:00 is a time
      return Put<int64_t>(vector, row, micros);
    }
    case 1114:
    case 1184: {
      Expect(length, 8, mapping);
      int64_t micros = static_cast<int64_t>(Read64(data));
      constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
      if (micros == kMax) return Put<int64_t>(vector, row, kMax);
      if (micros == std::numeric_limits<int64_t>::min()) return Put<int64_t>(vector, row, -kMax);
      // PostgreSQL's last years (294247 to 294276) lie past DuckDB's.
      int64_t shifted = 0;
      if (__builtin_add_overflow(micros, kEpochMicros, &shifted) || shifted == kMax)
        throw OutOfRange(mapping);
      return Put<int64_t>(vector, row, shifted);
    }
    case 1186: {
      Expect(length, 16, mapping);
      duckdb_interval interval;
      interval.micros = static_cast<int64_t>(Read64(data));
      interval.days = static_cast<int32_t>(Read32(data + 8));
      interval.months = static_cast<int32_t>(Read32(data + 12));
      return Put(vector, row, interval);
    }
    case 2950: {
      Expect(length, 16, mapping);
      // DuckDB keeps a UUID as a 128-bit integer with the top bit flipped, so it sorts as text.
      duckdb_hugeint huge;
      huge.upper = static_cast<int64_t>(Read64(data) ^ (uint64_t{1} << 63));
      huge.lower = Read64(data + 8);
      return Put(vector, row, huge);
    }
    default:
      break;
  }
  if (mapping.element_oid == 0) {
    throw PostgresError(fmt::format("column \"{}\": type {} is not supported", mapping.name, mapping.pg_type),
                        false);
  }
  // Arrays: ndim, has-null flag, element oid, then per dimension its size and lower bound.
  auto malformed = [&] { return DecodeError(fmt::format("column \"{}\": malformed array", mapping.name)); };
  if (length < 12) throw malformed();
  int32_t dimensions = static_cast<int32_t>(Read32(data));
  if (dimensions > 1) {
    throw PostgresError(
        fmt::format("column \"{}\": multi-dimensional arrays are not supported", mapping.name), false);
  }
  if (dimensions < 0 || length < 12 + 8 * dimensions) throw malformed();
  idx_t count = dimensions == 0 ? 0 : Read32(data + 12);
  const char* cursor = data + 12 + 8 * dimensions;
  const char* end = data + length;
  // Each element takes at least its length: a count beyond that would only reserve memory.
  if (count > static_cast<idx_t>(end - cursor) / 4) throw malformed();
  ColumnMapping element = ElementMapping(mapping);
  idx_t offset = duckdb_list_vector_get_size(vector);
  duckdb_list_vector_reserve(vector, offset + count);
  duckdb_list_vector_set_size(vector, offset + count);
  duckdb_vector child = duckdb_list_vector_get_child(vector);
  for (idx_t i = 0; i < count; ++i) {
    if (end - cursor < 4) throw DecodeError(fmt::format("column \"{}\": truncated array", mapping.name));
    int32_t item_length = static_cast<int32_t>(Read32(cursor));
    cursor += 4;
    if (item_length < 0) {
      duckdb_vector_ensure_validity_writable(child);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(child), offset + i);
      continue;
    }
    if (item_length > end - cursor)
      throw DecodeError(fmt::format("column \"{}\": truncated array", mapping.name));
    DecodeValue(element, cursor, item_length, child, offset + i);
    cursor += item_length;
  }
  Put(vector, row, duckdb_list_entry{offset, count});
}

std::string PostgresTypeFor(const std::string& duckdb_type) {
  std::string type = util::ToUpper(duckdb_type);
  if (util::EndsWith(type, "[]")) return "jsonb";  // lists travel as JSON
  if (util::StartsWith(type, "DECIMAL")) return "numeric" + type.substr(7);
  static const std::pair<const char*, const char*> kTypes[] = {{"BOOLEAN", "boolean"},
                                                               {"TINYINT", "smallint"},
                                                               {"SMALLINT", "smallint"},
                                                               {"INTEGER", "integer"},
                                                               {"BIGINT", "bigint"},
                                                               {"HUGEINT", "numeric(38,0)"},
                                                               {"UTINYINT", "smallint"},
                                                               {"USMALLINT", "integer"},
                                                               {"UINTEGER", "bigint"},
                                                               {"UBIGINT", "numeric(20,0)"},
                                                               {"FLOAT", "real"},
                                                               {"DOUBLE", "double precision"},
                                                               {"VARCHAR", "text"},
                                                               {"DATE", "date"},
                                                               {"TIME", "time"},
                                                               {"TIMESTAMP", "timestamp"},
                                                               {"TIMESTAMP WITH TIME ZONE", "timestamptz"},
                                                               {"INTERVAL", "interval"},
                                                               {"UUID", "uuid"},
                                                               {"JSON", "jsonb"},
                                                               {"BLOB", "bytea"}};
  for (const auto& [duck, pg] : kTypes) {
    if (type == duck) return pg;
  }
  return "text";
}

}  // namespace sqlflow::connectors::postgres
