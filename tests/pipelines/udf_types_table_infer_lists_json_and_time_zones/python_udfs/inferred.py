import pandas as pd
from sqlflow.udfs import python_table_udf


@python_table_udf(infer=True)
def same(df):
    return df


@python_table_udf(infer=True)
def tz_info(df):
    """Whether the timestamp columns arrive timezone-aware."""
    return pd.DataFrame({"col": list(df.columns),
                         "aware": [getattr(df[c].dt, "tz", None) is not None for c in df.columns]})
