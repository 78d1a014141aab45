from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def shout(s: str) -> str:
    return s.upper()


@python_table_udf(infer=True)
def passthrough(df):
    return df
