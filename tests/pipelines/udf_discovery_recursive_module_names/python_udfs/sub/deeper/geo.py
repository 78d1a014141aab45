import pandas as pd
from helpers.common import MILES_PER_KM
from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def km_to_miles(km: float) -> float:
    return round(km * MILES_PER_KM, 3)


@python_table_udf(output_schema={"city": "VARCHAR", "miles": "DOUBLE"})
def distances(df):
    return pd.DataFrame({"city": df["city"], "miles": [km_to_miles(k) for k in df["km"]]})
