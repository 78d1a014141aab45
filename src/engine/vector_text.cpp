#include "engine/vector_text.h"

#include <vector>

#include <fmt/format.h>

#include "engine/duckdb.h"

namespace sqlflow::engine {

namespace {

// Owns a duckdb_logical_type.
class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type type) : type_(type) {}
  ~LogicalType() { duckdb_destroy_logical_type(&type_); }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

// Owns duckdb_values (DuckDB copies the children it builds a LIST, STRUCT or MAP value from).
class Values {
 public:
  Values() = default;
  ~Values() {
    for (auto& value : values_) duckdb_destroy_value(&value);
  }
  Values(const Values&) = delete;
  Values& operator=(const Values&) = delete;
  void Add(duckdb_value value) { values_.push_back(value); }
  // Never null, not even for no values: DuckDB takes null for an error (an empty list is valid).
  duckdb_value* data() { return values_.empty() ? &none_ : values_.data(); }
  idx_t size() const { return values_.size(); }

 private:
  std::vector<duckdb_value> values_;
  duckdb_value none_ = nullptr;
};

template <typename T>
T At(duckdb_vector vector, idx_t row) {
  return static_cast<T*>(duckdb_vector_get_data(vector))[row];
}

bool IsValid(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return !validity || duckdb_validity_row_is_valid(validity, row);
}

// The bytes of a VARCHAR or BLOB, with their length.
std::string BytesAt(duckdb_vector vector, idx_t row) {
  auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
  return std::string(duckdb_string_t_data(&strings[row]), duckdb_string_t_length(strings[row]));
}

duckdb_hugeint Widen(int64_t value) {
  duckdb_hugeint wide;
  wide.lower = static_cast<uint64_t>(value);
  wide.upper = value < 0 ? -1 : 0;
  return wide;
}

std::string TypeName(duckdb_logical_type type) {
  char* name = duckdb_logical_type_get_alias(type);
  std::string text = name ? name : fmt::format("type {}", static_cast<int>(duckdb_get_type_id(type)));
  if (name) duckdb_free(name);
  return text;
}

duckdb_value MakeValue(duckdb_vector vector, duckdb_logical_type type, idx_t row);

// Rows [first, first + count) of `vector` as values.
void AddRange(Values& values, duckdb_vector vector, duckdb_logical_type type, idx_t first, idx_t count) {
  for (idx_t row = first; row < first + count; ++row) values.Add(MakeValue(vector, type, row));
}

duckdb_value Checked(duckdb_value value, duckdb_logical_type type) {
  if (!value) throw EngineError("cannot read a value of " + TypeName(type));
  return value;
}

// DuckDB's own value of row `row`, so that its VARCHAR cast does the formatting.
duckdb_value MakeValue(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  if (!IsValid(vector, row)) return duckdb_create_null_value();
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN:
      return duckdb_create_bool(At<bool>(vector, row));
    case DUCKDB_TYPE_TINYINT:
      return duckdb_create_int8(At<int8_t>(vector, row));
    case DUCKDB_TYPE_SMALLINT:
      return duckdb_create_int16(At<int16_t>(vector, row));
    case DUCKDB_TYPE_INTEGER:
      return duckdb_create_int32(At<int32_t>(vector, row));
    case DUCKDB_TYPE_BIGINT:
      return duckdb_create_int64(At<int64_t>(vector, row));
    case DUCKDB_TYPE_UTINYINT:
      return duckdb_create_uint8(At<uint8_t>(vector, row));
    case DUCKDB_TYPE_USMALLINT:
      return duckdb_create_uint16(At<uint16_t>(vector, row));
    case DUCKDB_TYPE_UINTEGER:
      return duckdb_create_uint32(At<uint32_t>(vector, row));
    case DUCKDB_TYPE_UBIGINT:
      return duckdb_create_uint64(At<uint64_t>(vector, row));
    case DUCKDB_TYPE_HUGEINT:
      return duckdb_create_hugeint(At<duckdb_hugeint>(vector, row));
    case DUCKDB_TYPE_UHUGEINT:
      return duckdb_create_uhugeint(At<duckdb_uhugeint>(vector, row));
    case DUCKDB_TYPE_FLOAT:
      return duckdb_create_float(At<float>(vector, row));
    case DUCKDB_TYPE_DOUBLE:
      return duckdb_create_double(At<double>(vector, row));
    case DUCKDB_TYPE_DATE:
      return duckdb_create_date(At<duckdb_date>(vector, row));
    case DUCKDB_TYPE_TIME:
      return duckdb_create_time(At<duckdb_time>(vector, row));
    case DUCKDB_TYPE_TIME_NS:
      return duckdb_create_time_ns(At<duckdb_time_ns>(vector, row));
    case DUCKDB_TYPE_TIME_TZ:
      return duckdb_create_time_tz_value(At<duckdb_time_tz>(vector, row));
    case DUCKDB_TYPE_TIMESTAMP:
      return duckdb_create_timestamp(At<duckdb_timestamp>(vector, row));
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return duckdb_create_timestamp_tz(At<duckdb_timestamp>(vector, row));
    case DUCKDB_TYPE_TIMESTAMP_S:
      return duckdb_create_timestamp_s(At<duckdb_timestamp_s>(vector, row));
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return duckdb_create_timestamp_ms(At<duckdb_timestamp_ms>(vector, row));
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return duckdb_create_timestamp_ns(At<duckdb_timestamp_ns>(vector, row));
    case DUCKDB_TYPE_INTERVAL:
      return duckdb_create_interval(At<duckdb_interval>(vector, row));
    case DUCKDB_TYPE_VARCHAR: {
      std::string text = BytesAt(vector, row);
      return duckdb_create_varchar_length(text.data(), text.size());
    }
    case DUCKDB_TYPE_BLOB: {
      std::string bytes = BytesAt(vector, row);
      return duckdb_create_blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    }
    case DUCKDB_TYPE_DECIMAL: {
      duckdb_decimal decimal;
      decimal.width = duckdb_decimal_width(type);
      decimal.scale = duckdb_decimal_scale(type);
      switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT:
          decimal.value = Widen(At<int16_t>(vector, row));
          break;
        case DUCKDB_TYPE_INTEGER:
          decimal.value = Widen(At<int32_t>(vector, row));
          break;
        case DUCKDB_TYPE_BIGINT:
          decimal.value = Widen(At<int64_t>(vector, row));
          break;
        default:
          decimal.value = At<duckdb_hugeint>(vector, row);
      }
      return duckdb_create_decimal(decimal);
    }
    case DUCKDB_TYPE_UUID: {
      // Stored with the top bit flipped (so that UUIDs sort as text); the C API wants it as is.
      duckdb_hugeint stored = At<duckdb_hugeint>(vector, row);
      duckdb_uhugeint uuid;
      uuid.lower = stored.lower;
      uuid.upper = static_cast<uint64_t>(stored.upper) ^ (uint64_t{1} << 63);
      return duckdb_create_uuid(uuid);
    }
    case DUCKDB_TYPE_ENUM: {
      switch (duckdb_enum_internal_type(type)) {
        case DUCKDB_TYPE_UTINYINT:
          return duckdb_create_enum_value(type, At<uint8_t>(vector, row));
        case DUCKDB_TYPE_USMALLINT:
          return duckdb_create_enum_value(type, At<uint16_t>(vector, row));
        default:
          return duckdb_create_enum_value(type, At<uint32_t>(vector, row));
      }
    }
    case DUCKDB_TYPE_LIST: {
      auto entry = At<duckdb_list_entry>(vector, row);
      LogicalType child(duckdb_list_type_child_type(type));
      Values items;
      AddRange(items, duckdb_list_vector_get_child(vector), child.get(), entry.offset, entry.length);
      return Checked(duckdb_create_list_value(child.get(), items.data(), items.size()), type);
    }
    case DUCKDB_TYPE_ARRAY: {
      idx_t size = duckdb_array_type_array_size(type);
      LogicalType child(duckdb_array_type_child_type(type));
      Values items;
      AddRange(items, duckdb_array_vector_get_child(vector), child.get(), row * size, size);
      return Checked(duckdb_create_array_value(child.get(), items.data(), items.size()), type);
    }
    case DUCKDB_TYPE_STRUCT: {
      Values fields;
      for (idx_t i = 0; i < duckdb_struct_type_child_count(type); ++i) {
        LogicalType child(duckdb_struct_type_child_type(type, i));
        fields.Add(MakeValue(duckdb_struct_vector_get_child(vector, i), child.get(), row));
      }
      return Checked(duckdb_create_struct_value(type, fields.data()), type);
    }
    case DUCKDB_TYPE_MAP: {
      // A list of STRUCT(key, value) entries.
      auto entry = At<duckdb_list_entry>(vector, row);
      duckdb_vector entries = duckdb_list_vector_get_child(vector);
      LogicalType key_type(duckdb_map_type_key_type(type)), value_type(duckdb_map_type_value_type(type));
      Values keys, values;
      AddRange(keys, duckdb_struct_vector_get_child(entries, 0), key_type.get(), entry.offset, entry.length);
      AddRange(values, duckdb_struct_vector_get_child(entries, 1), value_type.get(), entry.offset,
               entry.length);
      return Checked(duckdb_create_map_value(type, keys.data(), values.data(), keys.size()), type);
    }
    default:
      throw EngineError("cannot read a value of " + TypeName(type) + " as text");
  }
}

}  // namespace

std::optional<std::string> VectorValueText(duckdb_vector vector, idx_t row) {
  if (!IsValid(vector, row)) return std::nullopt;
  LogicalType type(duckdb_vector_get_column_type(vector));
  // Every byte, which a round trip through a C string would cut at the first NUL.
  if (duckdb_get_type_id(type.get()) == DUCKDB_TYPE_VARCHAR) return BytesAt(vector, row);
  duckdb_value value = Checked(MakeValue(vector, type.get(), row), type.get());
  char* text = duckdb_get_varchar(value);
  duckdb_destroy_value(&value);
  if (!text) throw EngineError("cannot read a value of " + TypeName(type.get()) + " as text");
  std::string result(text);
  duckdb_free(text);
  return result;
}

}  // namespace sqlflow::engine
