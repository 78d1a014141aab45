import numbers

import numpy as np
import pandas as pd
from sqlflow.udfs import python_table_udf

SCHEMA = {
    "n": "INTEGER", "ti": "TINYINT", "bi": "BIGINT", "f": "FLOAT", "d": "DOUBLE", "b": "BOOLEAN", "t": "VARCHAR",
    "dt": "DATE", "ts": "TIMESTAMP", "tz": "TIMESTAMP WITH TIME ZONE", "dec": "DECIMAL(8,3)", "l": "INTEGER[]",
    "j": "JSON",
}


@python_table_udf(output_schema=SCHEMA)
def same(df):
    """Returns its input unchanged, in reverse column order (the schema fixes the order)."""
    return df[list(reversed(df.columns))]


@python_table_udf(output_schema={"col": "VARCHAR", "row": "INTEGER", "python": "VARCHAR"})
def cells(df):
    """The Python value of every cell of the input: NULL is None or pandas NA, NaN is a float."""
    rows = []
    for column in df.columns:
        for i, value in enumerate(df[column]):
            if value is None or value is pd.NA or value is pd.NaT:
                text = "NULL"
            elif isinstance(value, (bool, np.bool_)):
                text = "bool " + str(value)
            elif isinstance(value, numbers.Integral):
                text = "int " + str(value)
            elif isinstance(value, numbers.Real):
                text = "float " + str(value)
            else:
                text = type(value).__name__ + " " + str(value)
            rows.append((column, i, text))
    return pd.DataFrame(rows, columns=["col", "row", "python"])


@python_table_udf(output_schema={"n": "INTEGER", "ts": "TIMESTAMP", "d": "DOUBLE", "t": "VARCHAR", "l": "BIGINT[]"})
def built(df):
    """A DataFrame built in Python: None, NaN, NaT and pandas NA in the cells."""
    return pd.DataFrame({
        "n": pd.array([1, None, 3], dtype="Int64"),
        "ts": pd.to_datetime(["2024-01-01 10:00:00", None, "1999-12-31 23:59:59.5"]),
        "d": [1.5, float("nan"), None],
        "t": ["x", None, pd.NA],
        "l": [[1, 2], None, []],
    })
