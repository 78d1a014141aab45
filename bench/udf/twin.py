"""Baseline twins of bench/udf: the same function bodies, applied directly in Python to data
already in memory (the limit a UDF can approach). Prints seconds for each, one per line:
vectorized (10M), rowwise (1M), table (1M)."""
import time

import numpy as np
import pandas as pd


def vector_score(x):
    return np.sqrt(x) * 2.0 + 1.0


def row_score(x):
    return x * 2.0 + 1.0


def table_score(df, factor=2.0):
    out = df[["id", "bucket"]].copy()
    out["score"] = df["amount"] * factor + 1.0
    return out


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


x10 = np.arange(10_000_000, dtype=np.float64)
print(timed(vector_score, x10))
x1 = np.arange(1_000_000, dtype=np.float64).tolist()
print(timed(lambda values: [row_score(v) for v in values], x1))
ids = np.arange(1_000_000, dtype=np.int64)
frame = pd.DataFrame({"id": ids, "bucket": ids % 100, "amount": (ids % 1000).astype(np.float64)})
print(timed(table_score, frame, factor=3.0))
