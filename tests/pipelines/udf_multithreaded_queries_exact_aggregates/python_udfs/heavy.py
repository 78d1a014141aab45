import numpy as np
import pandas as pd
from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def sq_mod(x: int) -> int:
    return (x * x) % 1000


@python_scalar_udf(vectorized=True, return_type="BIGINT")
def v_sq_mod(x):
    return (x * x) % 1000


@python_scalar_udf
def label(x: int) -> str:
    return "fizz" if x % 3 == 0 else ("buzz" if x % 5 == 0 else "other")


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def v_half(x):
    return x / 2.0


@python_table_udf(output_schema={"bucket": "BIGINT", "n": "BIGINT", "total": "BIGINT"}, required_columns=["id"])
def buckets(df, k: int = 4):
    key = (df["id"] % k).rename("bucket")
    out = df.groupby(key)["id"].agg(["count", "sum"]).reset_index()
    return out.rename(columns={"count": "n", "sum": "total"})
