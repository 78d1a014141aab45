import pandas as pd
from sqlflow.udfs import python_table_udf


@python_table_udf(output_schema={"id": "INTEGER", "amount": "DOUBLE", "rank": "INTEGER"},
                  required_columns=["id", "amount"])
def rank_rows(df, top: int = 10):
    out = df.sort_values("amount", ascending=False).head(top).copy()
    out["rank"] = range(1, len(out) + 1)
    return out[["id", "amount", "rank"]]
