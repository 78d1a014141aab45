import json

import pandas as pd
from sqlflow.udfs import python_table_udf


@python_table_udf(output_schema={"customer": "VARCHAR", "amount": "DOUBLE", "score": "DOUBLE", "tier": "VARCHAR"},
                  required_columns=["customer", "amount"])
def score(df, factor: float = 1.0, threshold: int = 100, label: str = "vip", keep_small: bool = True):
    """Scores customers; keyword arguments come from SQL as key => value."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError("expected a DataFrame")
    out = df[["customer", "amount"]].copy()
    out["amount"] = out["amount"].astype(float)
    out["score"] = out["amount"] * factor
    out["tier"] = [label if a >= threshold else "regular" for a in out["amount"]]
    if not keep_small:
        out = out[out["amount"] >= threshold]
    # Columns in another order than declared: the schema's order wins.
    return out[["tier", "score", "amount", "customer"]]


@python_table_udf(output_schema={"key": "VARCHAR", "value": "VARCHAR"})
def echo_kwargs(df, **kwargs):
    """Shows the keyword arguments as Python received them."""
    rows = [(k, type(v).__name__ + " " + json.dumps(v)) for k, v in sorted(kwargs.items())]
    rows.append(("input_rows", str(len(df))))
    return pd.DataFrame(rows, columns=["key", "value"])
