import pandas as pd
from sqlflow.udfs import python_table_udf


@python_table_udf(output_schema={"region": "VARCHAR", "total": "BIGINT"})
def summarize(df, limit: int = 0):
    if len(df) > limit:
        raise RuntimeError(f"too many rows: {len(df)} > {limit}")
    return df.groupby("region", as_index=False)["amount"].sum().rename(columns={"amount": "total"})
