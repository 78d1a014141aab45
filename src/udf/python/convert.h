#pragma once
// Moving values between DuckDB vectors and Python: one value at a time (row-wise UDFs), or a
// whole vector as a numpy array (vectorized UDFs, table UDFs). NULL is None in Python, or a masked
// entry of a numpy masked array.

#include <memory>
#include <string>

#include <duckdb.h>
#include <pybind11/pybind11.h>

namespace sqlflow::udf::python {

namespace py = pybind11;

// A DuckDB column type, described once so the per-row code does not query the C API.
struct ColumnType {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  std::string name;  // for messages: INTEGER, DECIMAL(10,2), JSON, INTEGER[]
  bool json = false;
  uint8_t width = 0;  // DECIMAL
  uint8_t scale = 0;
  duckdb_type storage = DUCKDB_TYPE_INVALID;  // DECIMAL's physical type
  std::shared_ptr<ColumnType> child;          // LIST
};

// Describes `type` (not taken over). Throws std::runtime_error naming types UDFs cannot use.
ColumnType DescribeType(duckdb_logical_type type);

// Python modules and types the converters use; loaded once, with the GIL held.
void LoadConverterModules();

// One value; None for NULL.
py::object ReadValue(duckdb_vector vector, const ColumnType& type, idx_t row);
// A whole vector: a numpy array (a masked array when there are NULLs).
py::object ReadArray(duckdb_vector vector, const ColumnType& type, idx_t count);

// Writes one Python value (None, NaN outside floating types, pandas NA and NaT are NULL).
void WriteValue(py::handle value, duckdb_vector vector, const ColumnType& type, idx_t row);
// Writes rows [offset, offset + count) of a sequence (list, numpy array, masked array, pandas
// Series) into rows [0, count) of `vector`.
void WriteValues(py::handle values, duckdb_vector vector, const ColumnType& type, idx_t offset, idx_t count);

// The length of a sequence returned by a UDF.
size_t SequenceLength(py::handle values);

}  // namespace sqlflow::udf::python
