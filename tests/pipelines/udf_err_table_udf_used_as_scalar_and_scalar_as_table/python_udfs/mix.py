import pandas as pd
from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def inc(x: int) -> int:
    return x + 1


@python_table_udf(output_schema={"id": "BIGINT"})
def ids(df):
    return df[["id"]]
