import pandas as pd
from sqlflow.udfs import python_table_udf


def _kind(series):
    types = pd.api.types
    if types.is_bool_dtype(series.dtype):
        return "bool"
    if types.is_integer_dtype(series.dtype):
        return "integer"
    if types.is_float_dtype(series.dtype):
        return "float"
    if types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    return "object:" + ",".join(sorted({type(v).__name__ for v in series if v is not None}))


@python_table_udf(infer=True)
def describe_input(df):
    """One row per input column: what kind of pandas column it is, and its NULLs."""
    return pd.DataFrame({
        "column": [str(c) for c in df.columns],
        "kind": [_kind(df[c]) for c in df.columns],
        "nulls": [int(df[c].isna().sum()) for c in df.columns],
        "is_frame": [isinstance(df, pd.DataFrame)] * len(df.columns),
    })


@python_table_udf(infer=True, required_columns=["region", "amount"])
def totals(df, min_total: float = 0.0):
    out = df.groupby("region", as_index=False).agg(n=("amount", "size"), total=("amount", "sum"),
                                                  first_day=("day", "min"))
    out["big"] = out["total"] >= min_total
    out["ratio"] = out["total"] / out["n"]
    return out[out["total"] >= 0]
