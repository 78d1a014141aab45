#include "udf/python/convert.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <pybind11/numpy.h>

namespace sqlflow::udf::python {

namespace {

constexpr int64_t kEpochOrdinal = 719163;  // date(1970, 1, 1).toordinal()

// Python objects used on every call; created once and never destroyed (the interpreter outlives
// every query).
struct Modules {
  py::object date_type;
  py::object datetime_type;
  py::object timedelta_type;
  py::object utc;
  py::object epoch_naive;
  py::object epoch_utc;
  py::object one_microsecond;
  py::object decimal_type;
  py::object json_loads;
  py::object json_dumps;
  py::object numpy;
  py::object masked_array;
  py::object getmaskarray;
  py::object getdata;
  py::object pandas_series;
  py::object is_extension_dtype;
};

Modules* modules = nullptr;

const Modules& M() {
  if (!modules) throw std::runtime_error("Python converters used before LoadConverterModules");
  return *modules;
}

[[noreturn]] void Unsupported(const std::string& what) {
  throw std::runtime_error(fmt::format("the type {} is not supported by Python UDFs", what));
}

std::string BaseName(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_ENUM:
      return "ENUM";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    default:
      return fmt::format("type #{}", static_cast<int>(id));
  }
}

bool IsValid(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return !validity || duckdb_validity_row_is_valid(validity, row);
}

void SetNull(duckdb_vector vector, idx_t row) {
  duckdb_vector_ensure_validity_writable(vector);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
}

template <typename T>
T At(duckdb_vector vector, idx_t row) {
  return static_cast<T*>(duckdb_vector_get_data(vector))[row];
}

template <typename T>
void Put(duckdb_vector vector, idx_t row, T value) {
  static_cast<T*>(duckdb_vector_get_data(vector))[row] = value;
}

py::object PythonInt128(const duckdb_hugeint& value) {
  py::int_ upper(value.upper);
  py::int_ lower(value.lower);
  return (upper.attr("__lshift__")(64)).attr("__or__")(lower);
}

py::object TimestampFromMicros(int64_t micros, bool with_zone) {
  py::object delta = M().timedelta_type(py::arg("microseconds") = micros);
  return (with_zone ? M().epoch_utc : M().epoch_naive).attr("__add__")(delta);
}

int64_t DecimalStorageValue(duckdb_vector vector, const ColumnType& type, idx_t row) {
  switch (type.storage) {
    case DUCKDB_TYPE_SMALLINT:
      return At<int16_t>(vector, row);
    case DUCKDB_TYPE_INTEGER:
      return At<int32_t>(vector, row);
    case DUCKDB_TYPE_BIGINT:
      return At<int64_t>(vector, row);
    default:
      Unsupported(type.name + " (DECIMAL wider than 18 digits; cast it to DOUBLE or DECIMAL(18,s))");
  }
}

// Whether a Python value means NULL: None, NaN (outside floating types), pandas NA and NaT.
bool IsMissing(py::handle value, bool floating_target) {
  if (value.is_none()) return true;
  if (PyFloat_Check(value.ptr())) return !floating_target && std::isnan(PyFloat_AsDouble(value.ptr()));
  std::string type_name = Py_TYPE(value.ptr())->tp_name;
  return type_name == "NAType" || type_name == "NaTType";
}

std::string TypeOf(py::handle value) {
  return Py_TYPE(value.ptr())->tp_name;
}

[[noreturn]] void Mismatch(py::handle value, const ColumnType& type) {
  throw std::runtime_error(fmt::format("cannot store a Python {} ({}) as {}", TypeOf(value),
                                       py::repr(value).cast<std::string>().substr(0, 60), type.name));
}

template <typename T>
T CheckedInteger(py::handle value, const ColumnType& type) {
  if (PyBool_Check(value.ptr()) || !(PyLong_Check(value.ptr()) || py::hasattr(value, "__index__"))) {
    if (PyFloat_Check(value.ptr())) {
      double number = PyFloat_AsDouble(value.ptr());
      if (number == std::floor(number))
        return CheckedInteger<T>(py::int_(static_cast<long long>(number)), type);
    }
    Mismatch(value, type);
  }
  py::int_ integer = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
  if constexpr (std::is_unsigned_v<T>) {
    // Unsigned values beyond the signed range: read them as unsigned.
    if (!integer.attr("__lt__")(0).cast<bool>()) {
      unsigned long long number = PyLong_AsUnsignedLongLong(integer.ptr());
      if (PyErr_Occurred() || number > static_cast<unsigned long long>(std::numeric_limits<T>::max())) {
        PyErr_Clear();
        throw std::runtime_error(
            fmt::format("{} is out of range for {}", py::str(value).cast<std::string>(), type.name));
      }
      return static_cast<T>(number);
    }
  }
  int overflow = 0;
  long long number = PyLong_AsLongLongAndOverflow(integer.ptr(), &overflow);
  if (overflow != 0 || number < static_cast<long long>(std::numeric_limits<T>::min()) ||
      (number > 0 && static_cast<unsigned long long>(number) >
                         static_cast<unsigned long long>(std::numeric_limits<T>::max()))) {
    throw std::runtime_error(
        fmt::format("{} is out of range for {}", py::str(value).cast<std::string>(), type.name));
  }
  return static_cast<T>(number);
}

int64_t MicrosSinceEpoch(py::handle value, const ColumnType& type) {
  if (!py::isinstance(value, M().datetime_type)) Mismatch(value, type);
  py::object moment = py::reinterpret_borrow<py::object>(value);
  bool aware = !moment.attr("tzinfo").is_none();
  py::object epoch = M().epoch_naive;
  if (aware) {
    epoch = M().epoch_utc;
  } else if (type.id == DUCKDB_TYPE_TIMESTAMP_TZ) {
    moment = moment.attr("replace")(py::arg("tzinfo") = M().utc);  // naive values are UTC
    epoch = M().epoch_utc;
  }
  return moment.attr("__sub__")(epoch).attr("__floordiv__")(M().one_microsecond).cast<int64_t>();
}

// Numbers written into an integer column must be whole and in range: never cut or wrapped.
void CheckIntegerFit(const py::object& values, const std::string& kind, const char* dtype,
                     const ColumnType& type) {
  std::string target(dtype);
  bool integer_target = target.rfind("int", 0) == 0 || target.rfind("uint", 0) == 0;
  if (!integer_target || py::len(values) == 0) return;
  const py::object& np = M().numpy;
  if (kind == "f" && !np.attr("all")(np.attr("equal")(np.attr("floor")(values), values)).cast<bool>()) {
    py::object bad = values[np.attr("argmax")(np.attr("not_equal")(np.attr("floor")(values), values))];
    throw std::runtime_error(fmt::format("{} is not a whole number, so it cannot be stored as {}",
                                         py::str(bad).cast<std::string>(), type.name));
  }
  py::object info = np.attr("iinfo")(dtype);
  py::object low = np.attr("min")(values);
  py::object high = np.attr("max")(values);
  if (low.attr("__lt__")(info.attr("min")).cast<bool>() ||
      high.attr("__gt__")(info.attr("max")).cast<bool>()) {
    py::object bad = low.attr("__lt__")(info.attr("min")).cast<bool>() ? low : high;
    throw std::runtime_error(
        fmt::format("{} is out of range for {}", py::str(bad).cast<std::string>(), type.name));
  }
}

}  // namespace

ColumnType DescribeType(duckdb_logical_type type) {
  ColumnType out;
  out.id = duckdb_get_type_id(type);
  out.name = BaseName(out.id);
  char* alias = duckdb_logical_type_get_alias(type);
  if (alias) {
    out.json = std::string(alias) == "JSON";
    if (out.json) out.name = "JSON";
    duckdb_free(alias);
  }
  switch (out.id) {
    case DUCKDB_TYPE_DECIMAL:
      out.width = duckdb_decimal_width(type);
      out.scale = duckdb_decimal_scale(type);
      out.storage = duckdb_decimal_internal_type(type);
      out.name = fmt::format("DECIMAL({},{})", out.width, out.scale);
      break;
    case DUCKDB_TYPE_LIST: {
      duckdb_logical_type child = duckdb_list_type_child_type(type);
      try {
        out.child = std::make_shared<ColumnType>(DescribeType(child));
      } catch (...) {
        duckdb_destroy_logical_type(&child);
        throw;
      }
      duckdb_destroy_logical_type(&child);
      out.name = out.child->name + "[]";
      break;
    }
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      break;
    default:
      Unsupported(out.name);
  }
  return out;
}

void LoadConverterModules() {
  if (modules) return;
  auto* loaded = new Modules();
  py::module_ datetime = py::module_::import("datetime");
  loaded->date_type = datetime.attr("date");
  loaded->datetime_type = datetime.attr("datetime");
  loaded->timedelta_type = datetime.attr("timedelta");
  loaded->utc = datetime.attr("timezone").attr("utc");
  loaded->epoch_naive = loaded->datetime_type(1970, 1, 1);
  loaded->epoch_utc = loaded->datetime_type(1970, 1, 1, py::arg("tzinfo") = loaded->utc);
  loaded->one_microsecond = loaded->timedelta_type(py::arg("microseconds") = 1);
  loaded->decimal_type = py::module_::import("decimal").attr("Decimal");
  py::module_ json = py::module_::import("json");
  loaded->json_loads = json.attr("loads");
  loaded->json_dumps = json.attr("dumps");
  loaded->numpy = py::module_::import("numpy");
  loaded->masked_array = loaded->numpy.attr("ma").attr("masked_array");
  loaded->getmaskarray = loaded->numpy.attr("ma").attr("getmaskarray");
  loaded->getdata = loaded->numpy.attr("ma").attr("getdata");
  py::module_ pandas = py::module_::import("pandas");
  loaded->pandas_series = pandas.attr("Series");
  loaded->is_extension_dtype = pandas.attr("api").attr("types").attr("is_extension_array_dtype");
  modules = loaded;
}

py::object ReadValue(duckdb_vector vector, const ColumnType& type, idx_t row) {
  if (!IsValid(vector, row)) return py::none();
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return py::bool_(At<bool>(vector, row));
    case DUCKDB_TYPE_TINYINT:
      return py::int_(At<int8_t>(vector, row));
    case DUCKDB_TYPE_SMALLINT:
      return py::int_(At<int16_t>(vector, row));
    case DUCKDB_TYPE_INTEGER:
      return py::int_(At<int32_t>(vector, row));
    case DUCKDB_TYPE_BIGINT:
      return py::int_(At<int64_t>(vector, row));
    case DUCKDB_TYPE_UTINYINT:
      return py::int_(At<uint8_t>(vector, row));
    case DUCKDB_TYPE_USMALLINT:
      return py::int_(At<uint16_t>(vector, row));
    case DUCKDB_TYPE_UINTEGER:
      return py::int_(At<uint32_t>(vector, row));
    case DUCKDB_TYPE_UBIGINT:
      return py::int_(At<uint64_t>(vector, row));
    case DUCKDB_TYPE_HUGEINT:
      return PythonInt128(At<duckdb_hugeint>(vector, row));
    case DUCKDB_TYPE_FLOAT:
      return py::float_(At<float>(vector, row));
    case DUCKDB_TYPE_DOUBLE:
      return py::float_(At<double>(vector, row));
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      duckdb_string_t value = At<duckdb_string_t>(vector, row);
      const char* data = duckdb_string_t_data(&value);
      uint32_t length = duckdb_string_t_length(value);
      if (type.id == DUCKDB_TYPE_BLOB) return py::bytes(data, length);
      py::str text(data, length);
      return type.json ? M().json_loads(text) : py::object(text);
    }
    case DUCKDB_TYPE_DATE: {
      int64_t days = At<int32_t>(vector, row);
      return M().date_type.attr("fromordinal")(days + kEpochOrdinal);
    }
    case DUCKDB_TYPE_TIMESTAMP:
      return TimestampFromMicros(At<int64_t>(vector, row), false);
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return TimestampFromMicros(At<int64_t>(vector, row), true);
    case DUCKDB_TYPE_TIMESTAMP_S:
      return TimestampFromMicros(At<int64_t>(vector, row) * 1000000, false);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return TimestampFromMicros(At<int64_t>(vector, row) * 1000, false);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return TimestampFromMicros(At<int64_t>(vector, row) / 1000, false);
    case DUCKDB_TYPE_DECIMAL: {
      py::object unscaled = M().decimal_type(DecimalStorageValue(vector, type, row));
      return unscaled.attr("scaleb")(-static_cast<int>(type.scale));
    }
    case DUCKDB_TYPE_LIST: {
      auto entry = At<duckdb_list_entry>(vector, row);
      duckdb_vector child = duckdb_list_vector_get_child(vector);
      py::list items;
      for (idx_t i = 0; i < entry.length; ++i) items.append(ReadValue(child, *type.child, entry.offset + i));
      return items;
    }
    default:
      Unsupported(type.name);
  }
}

py::object ReadArray(duckdb_vector vector, const ColumnType& type, idx_t count) {
  auto numeric = [&](auto sample, const char* dtype) -> py::object {
    using T = decltype(sample);
    py::array_t<T> array(static_cast<py::ssize_t>(count));
    if (count > 0) std::memcpy(array.mutable_data(), duckdb_vector_get_data(vector), count * sizeof(T));
    return py::reinterpret_borrow<py::object>(array).attr("astype")(dtype, py::arg("copy") = false);
  };
  py::object values;
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      values = numeric(bool{}, "bool");
      break;
    case DUCKDB_TYPE_TINYINT:
      values = numeric(int8_t{}, "int8");
      break;
    case DUCKDB_TYPE_SMALLINT:
      values = numeric(int16_t{}, "int16");
      break;
    case DUCKDB_TYPE_INTEGER:
      values = numeric(int32_t{}, "int32");
      break;
    case DUCKDB_TYPE_BIGINT:
      values = numeric(int64_t{}, "int64");
      break;
    case DUCKDB_TYPE_UTINYINT:
      values = numeric(uint8_t{}, "uint8");
      break;
    case DUCKDB_TYPE_USMALLINT:
      values = numeric(uint16_t{}, "uint16");
      break;
    case DUCKDB_TYPE_UINTEGER:
      values = numeric(uint32_t{}, "uint32");
      break;
    case DUCKDB_TYPE_UBIGINT:
      values = numeric(uint64_t{}, "uint64");
      break;
    case DUCKDB_TYPE_FLOAT:
      values = numeric(float{}, "float32");
      break;
    case DUCKDB_TYPE_DOUBLE:
      values = numeric(double{}, "float64");
      break;
    case DUCKDB_TYPE_DATE:
      values = numeric(int32_t{}, "int64").attr("astype")("datetime64[D]");
      break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      values = numeric(int64_t{}, "int64").attr("view")("datetime64[us]");
      break;
    case DUCKDB_TYPE_DECIMAL: {
      py::array_t<double> array(static_cast<py::ssize_t>(count));
      double divisor = std::pow(10.0, type.scale);
      for (idx_t i = 0; i < count; ++i) {
        array.mutable_at(static_cast<py::ssize_t>(i)) =
            IsValid(vector, i) ? static_cast<double>(DecimalStorageValue(vector, type, i)) / divisor : 0.0;
      }
      values = array;
      break;
    }
    default: {
      // Text, lists and the rest: a 1-D object array of Python values (filled one by one, so
      // equal-length lists do not turn into a 2-D array).
      py::object array = M().numpy.attr("empty")(count, py::arg("dtype") = "object");
      for (idx_t i = 0; i < count; ++i) array.attr("__setitem__")(py::int_(i), ReadValue(vector, type, i));
      return array;
    }
  }
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (!validity) return values;
  py::array_t<bool> mask(static_cast<py::ssize_t>(count));
  bool any_null = false;
  for (idx_t i = 0; i < count; ++i) {
    bool null = !duckdb_validity_row_is_valid(validity, i);
    mask.mutable_at(static_cast<py::ssize_t>(i)) = null;
    any_null = any_null || null;
  }
  if (!any_null) return values;
  // NULL slots hold whatever DuckDB left there; zero them so numpy never computes on garbage.
  if (type.id != DUCKDB_TYPE_DATE && type.id != DUCKDB_TYPE_TIMESTAMP &&
      type.id != DUCKDB_TYPE_TIMESTAMP_TZ) {
    values.attr("__setitem__")(mask, 0);
  }
  return M().masked_array(values, py::arg("mask") = mask);
}

void WriteValue(py::handle value, duckdb_vector vector, const ColumnType& type, idx_t row) {
  bool floating = type.id == DUCKDB_TYPE_FLOAT || type.id == DUCKDB_TYPE_DOUBLE;
  if (IsMissing(value, floating)) return SetNull(vector, row);
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN: {
      if (!PyBool_Check(value.ptr()) && TypeOf(value) != "numpy.bool_") Mismatch(value, type);
      return Put<bool>(vector, row, PyObject_IsTrue(value.ptr()) == 1);
    }
    case DUCKDB_TYPE_TINYINT:
      return Put(vector, row, CheckedInteger<int8_t>(value, type));
    case DUCKDB_TYPE_SMALLINT:
      return Put(vector, row, CheckedInteger<int16_t>(value, type));
    case DUCKDB_TYPE_INTEGER:
      return Put(vector, row, CheckedInteger<int32_t>(value, type));
    case DUCKDB_TYPE_BIGINT:
      return Put(vector, row, CheckedInteger<int64_t>(value, type));
    case DUCKDB_TYPE_UTINYINT:
      return Put(vector, row, CheckedInteger<uint8_t>(value, type));
    case DUCKDB_TYPE_USMALLINT:
      return Put(vector, row, CheckedInteger<uint16_t>(value, type));
    case DUCKDB_TYPE_UINTEGER:
      return Put(vector, row, CheckedInteger<uint32_t>(value, type));
    case DUCKDB_TYPE_UBIGINT:
      return Put(vector, row, CheckedInteger<uint64_t>(value, type));
    case DUCKDB_TYPE_HUGEINT: {
      if (PyBool_Check(value.ptr()) || !PyLong_Check(value.ptr())) Mismatch(value, type);
      py::int_ integer = py::reinterpret_borrow<py::int_>(value);
      py::object limit = py::int_(1).attr("__lshift__")(127);
      if (integer.attr("__lt__")(limit.attr("__neg__")()).cast<bool>() ||
          integer.attr("__ge__")(limit).cast<bool>()) {
        throw std::runtime_error(
            fmt::format("{} is out of range for HUGEINT", py::str(value).cast<std::string>()));
      }
      duckdb_hugeint huge;
      huge.lower =
          integer.attr("__and__")(py::int_(1).attr("__lshift__")(64).attr("__sub__")(1)).cast<uint64_t>();
      huge.upper = integer.attr("__rshift__")(64).cast<int64_t>();
      return Put(vector, row, huge);
    }
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE: {
      if (PyBool_Check(value.ptr())) Mismatch(value, type);
      double number = PyFloat_AsDouble(value.ptr());
      if (number == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        Mismatch(value, type);
      }
      if (type.id == DUCKDB_TYPE_FLOAT) return Put(vector, row, static_cast<float>(number));
      return Put(vector, row, number);
    }
    case DUCKDB_TYPE_VARCHAR: {
      std::string text;
      if (type.json) {
        text = M().json_dumps(value).cast<std::string>();
      } else if (PyUnicode_Check(value.ptr())) {
        text = value.cast<std::string>();
      } else {
        Mismatch(value, type);
      }
      return duckdb_vector_assign_string_element_len(vector, row, text.data(), text.size());
    }
    case DUCKDB_TYPE_BLOB: {
      if (!PyBytes_Check(value.ptr())) Mismatch(value, type);
      std::string bytes = value.cast<std::string>();
      return duckdb_vector_assign_string_element_len(vector, row, bytes.data(), bytes.size());
    }
    case DUCKDB_TYPE_DATE: {
      if (!py::isinstance(value, M().date_type)) Mismatch(value, type);
      py::object day = py::isinstance(value, M().datetime_type) ? value.attr("date")()
                                                                : py::reinterpret_borrow<py::object>(value);
      return Put<int32_t>(vector, row,
                          static_cast<int32_t>(day.attr("toordinal")().cast<int64_t>() - kEpochOrdinal));
    }
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Put<int64_t>(vector, row, MicrosSinceEpoch(value, type));
    case DUCKDB_TYPE_DECIMAL: {
      py::object decimal =
          PyFloat_Check(value.ptr()) ? M().decimal_type(py::str(value)) : M().decimal_type(value);
      py::object scaled = decimal.attr("scaleb")(static_cast<int>(type.scale)).attr("to_integral_value")();
      py::int_ unscaled(scaled);
      long long number = unscaled.cast<long long>();
      long long limit = 1;
      for (int i = 0; i < type.width; ++i) limit *= 10;
      if (number >= limit || number <= -limit) {
        throw std::runtime_error(
            fmt::format("{} does not fit {}", py::str(value).cast<std::string>(), type.name));
      }
      switch (type.storage) {
        case DUCKDB_TYPE_SMALLINT:
          return Put(vector, row, static_cast<int16_t>(number));
        case DUCKDB_TYPE_INTEGER:
          return Put(vector, row, static_cast<int32_t>(number));
        case DUCKDB_TYPE_BIGINT:
          return Put(vector, row, static_cast<int64_t>(number));
        default:
          Unsupported(type.name + " (DECIMAL wider than 18 digits)");
      }
    }
    case DUCKDB_TYPE_LIST: {
      if (PyUnicode_Check(value.ptr()) || !py::isinstance<py::sequence>(value)) {
        if (!py::hasattr(value, "tolist")) Mismatch(value, type);
      }
      py::object source =
          py::hasattr(value, "tolist") ? value.attr("tolist")() : py::reinterpret_borrow<py::object>(value);
      py::list items = py::module_::import("builtins").attr("list")(source);
      idx_t offset = duckdb_list_vector_get_size(vector);
      idx_t length = items.size();
      duckdb_list_vector_reserve(vector, offset + length);
      duckdb_list_vector_set_size(vector, offset + length);
      duckdb_vector child = duckdb_list_vector_get_child(vector);
      for (idx_t i = 0; i < length; ++i) WriteValue(items[i], child, *type.child, offset + i);
      return Put(vector, row, duckdb_list_entry{offset, length});
    }
    default:
      Unsupported(type.name);
  }
}

size_t SequenceLength(py::handle values) {
  return py::len(values);
}

void WriteValues(py::handle values, duckdb_vector vector, const ColumnType& type, idx_t offset, idx_t count) {
  py::object sequence = py::reinterpret_borrow<py::object>(values);
  if (py::isinstance(sequence, M().pandas_series)) {
    sequence = M().is_extension_dtype(sequence.attr("dtype")).cast<bool>()
                   ? sequence.attr("to_numpy")(py::arg("dtype") = "object", py::arg("na_value") = py::none())
                   : sequence.attr("to_numpy")();
  }
  py::object mask = py::none();
  if (py::isinstance(sequence, M().masked_array)) {
    mask = M().getmaskarray(sequence);
    sequence = M().getdata(sequence);
  }
  bool is_array = py::isinstance<py::array>(sequence);
  std::string kind = is_array ? sequence.attr("dtype").attr("kind").cast<std::string>() : "";
  auto fast = [&](const char* dtype, auto sample) {
    using T = decltype(sample);
    py::object part =
        sequence[py::slice(static_cast<py::ssize_t>(offset), static_cast<py::ssize_t>(offset + count), 1)];
    bool nan_is_null = kind == "f" && type.id != DUCKDB_TYPE_FLOAT && type.id != DUCKDB_TYPE_DOUBLE;
    py::object nulls = nan_is_null ? M().numpy.attr("isnan")(part) : py::none();
    if (nan_is_null) part = M().numpy.attr("where")(nulls, 0, part);
    CheckIntegerFit(part, kind, dtype, type);
    py::array_t<T, py::array::c_style | py::array::forcecast> converted(part.attr("astype")(dtype));
    std::memcpy(duckdb_vector_get_data(vector), converted.data(), count * sizeof(T));
    if (!nulls.is_none()) {
      py::array_t<bool> flags(nulls);
      for (idx_t i = 0; i < count; ++i) {
        if (flags.at(static_cast<py::ssize_t>(i))) SetNull(vector, i);
      }
    }
  };
  bool numeric_source = kind == "i" || kind == "u" || kind == "f" || kind == "b";
  bool done = false;
  if (numeric_source) {
    done = true;
    switch (type.id) {
      case DUCKDB_TYPE_TINYINT:
        fast("int8", int8_t{});
        break;
      case DUCKDB_TYPE_SMALLINT:
        fast("int16", int16_t{});
        break;
      case DUCKDB_TYPE_INTEGER:
        fast("int32", int32_t{});
        break;
      case DUCKDB_TYPE_BIGINT:
        fast("int64", int64_t{});
        break;
      case DUCKDB_TYPE_UTINYINT:
        fast("uint8", uint8_t{});
        break;
      case DUCKDB_TYPE_USMALLINT:
        fast("uint16", uint16_t{});
        break;
      case DUCKDB_TYPE_UINTEGER:
        fast("uint32", uint32_t{});
        break;
      case DUCKDB_TYPE_UBIGINT:
        fast("uint64", uint64_t{});
        break;
      case DUCKDB_TYPE_FLOAT:
        fast("float32", float{});
        break;
      case DUCKDB_TYPE_DOUBLE:
        fast("float64", double{});
        break;
      case DUCKDB_TYPE_BOOLEAN:
        if (kind != "b") Mismatch(sequence, type);
        fast("bool", bool{});
        break;
      default:
        done = false;
    }
  } else if (kind == "M" && (type.id == DUCKDB_TYPE_TIMESTAMP || type.id == DUCKDB_TYPE_TIMESTAMP_TZ ||
                             type.id == DUCKDB_TYPE_DATE)) {
    done = true;
    bool date = type.id == DUCKDB_TYPE_DATE;
    py::object part =
        sequence[py::slice(static_cast<py::ssize_t>(offset), static_cast<py::ssize_t>(offset + count), 1)];
    py::object nat = M().numpy.attr("isnat")(part);
    py::array_t<int64_t> ticks(
        part.attr("astype")(date ? "datetime64[D]" : "datetime64[us]").attr("astype")("int64"));
    py::array_t<bool> missing(nat);
    for (idx_t i = 0; i < count; ++i) {
      int64_t tick = ticks.at(static_cast<py::ssize_t>(i));
      if (missing.at(static_cast<py::ssize_t>(i))) {
        SetNull(vector, i);
      } else if (date) {
        Put<int32_t>(vector, i, static_cast<int32_t>(tick));
      } else {
        Put<int64_t>(vector, i, tick);
      }
    }
  }
  if (!done) {
    for (idx_t i = 0; i < count; ++i) WriteValue(sequence[py::int_(offset + i)], vector, type, i);
  }
  if (!mask.is_none()) {
    py::array_t<bool> flags(mask);
    for (idx_t i = 0; i < count; ++i) {
      if (flags.at(static_cast<py::ssize_t>(offset + i))) SetNull(vector, i);
    }
  }
}

}  // namespace sqlflow::udf::python
