from sqlflow.udfs import python_table_udf


@python_table_udf(infer=True)
def same(df):
    return df
