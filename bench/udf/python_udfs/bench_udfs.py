"""Benchmark UDFs. bench/udf/twin.py runs the same function bodies directly (the baseline)."""
import numpy as np

from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def vector_score(x):
    return np.sqrt(x) * 2.0 + 1.0


@python_scalar_udf
def row_score(x: float) -> float:
    return x * 2.0 + 1.0


@python_table_udf(output_schema={"id": "BIGINT", "bucket": "BIGINT", "score": "DOUBLE"})
def table_score(df, factor: float = 2.0):
    out = df[["id", "bucket"]].copy()
    out["score"] = df["amount"] * factor + 1.0
    return out
