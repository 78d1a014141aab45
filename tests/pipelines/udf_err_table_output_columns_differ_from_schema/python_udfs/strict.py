import pandas as pd
from sqlflow.udfs import python_table_udf


@python_table_udf(output_schema={"id": "BIGINT", "total": "DOUBLE"}, required_columns=["id", "amount"])
def totals(df):
    return df.groupby("id", as_index=False)["amount"].sum().rename(columns={"amount": "total"})


@python_table_udf(output_schema={"id": "BIGINT", "total": "DOUBLE"})
def wrong_columns(df):
    return pd.DataFrame({"id": [1], "sum": [2.0]})


@python_table_udf(output_schema={"id": "BIGINT"})
def not_a_frame(df):
    return [1, 2, 3]
