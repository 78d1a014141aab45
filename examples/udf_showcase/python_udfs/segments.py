"""Customer segmentation: a table UDF, a pandas DataFrame in and one out."""

import numpy as np
import pandas as pd

from sqlflow.udfs import python_table_udf


@python_table_udf(
    output_schema={"customer_id": "BIGINT", "orders": "BIGINT", "revenue_eur": "DOUBLE", "segment": "VARCHAR"},
    required_columns=["customer_id", "amount_eur"],
)
def customer_segments(df: pd.DataFrame, vip_revenue: float = 500.0, min_orders: int = 2) -> pd.DataFrame:
    """One row per customer: order count, revenue and a segment (vip, regular or occasional)."""
    per_customer = (
        df.groupby("customer_id")
        .agg(orders=("amount_eur", "size"), revenue_eur=("amount_eur", "sum"))  # sum skips NULLs
        .reset_index()
    )
    per_customer["revenue_eur"] = per_customer["revenue_eur"].astype("float64").round(2)
    per_customer["segment"] = np.where(
        per_customer["revenue_eur"] >= vip_revenue,
        "vip",
        np.where(per_customer["orders"] >= min_orders, "regular", "occasional"),
    )
    return per_customer
