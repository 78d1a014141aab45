import pandas as pd
from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def haversine(a: float, b: float) -> float:
    return abs(a - b)


@python_table_udf(output_schema={"id": "BIGINT"})
def nearest(df):
    return df[["id"]]
