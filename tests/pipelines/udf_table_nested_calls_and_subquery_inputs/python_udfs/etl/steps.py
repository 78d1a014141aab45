import pandas as pd
from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_table_udf(output_schema={"id": "BIGINT", "v": "BIGINT"}, required_columns=["id"])
def plus(df, n: int = 1):
    return pd.DataFrame({"id": df["id"], "v": df["id"] + n})


@python_table_udf(output_schema={"id": "BIGINT", "copy": "INTEGER"})
def repeat(df, times: int = 2):
    rows = [(int(i), c) for i in df["id"] for c in range(times)]
    return pd.DataFrame(rows, columns=["id", "copy"])


@python_scalar_udf
def square(x: int) -> int:
    return x * x
