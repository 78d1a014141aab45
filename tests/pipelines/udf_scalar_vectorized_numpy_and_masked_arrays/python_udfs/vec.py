import numpy as np
import pandas as pd
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(vectorized=True, return_type="VARCHAR")
def kind(x):
    """Describes the batch the function received, once per row."""
    if isinstance(x, np.ma.MaskedArray):
        text = f"masked {x.dtype} nulls={int(np.ma.count_masked(x))}"
    elif isinstance(x, np.ndarray):
        text = f"ndarray {x.dtype}"
    else:
        text = type(x).__name__
    return [text] * len(x)


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def vadd(a, b):
    return a + b


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def share(x):
    """Each value's share of the batch total: needs the whole batch at once."""
    return x / x.sum()


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def nan_if_negative(x):
    return np.where(x < 0, np.nan, x)


@python_scalar_udf(vectorized=True, return_type="BIGINT")
def null_if_even(x):
    return np.ma.masked_where(x % 2 == 0, x)


@python_scalar_udf(vectorized=True, return_type="VARCHAR")
def as_series(x):
    return pd.Series(x).astype(str) + "!"


@python_scalar_udf(vectorized=True, return_type="BIGINT")
def as_list(x):
    return [0 if v is np.ma.masked else int(v) * 10 for v in x]


@python_scalar_udf(vectorized=True, return_type="DATE")
def next_day(d):
    return d + np.timedelta64(1, "D")
