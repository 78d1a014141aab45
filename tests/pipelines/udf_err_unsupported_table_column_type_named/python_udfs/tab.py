from sqlflow.udfs import python_table_udf


@python_table_udf(infer=True)
def same(df):
    return df


@python_table_udf(output_schema={"id": "INTEGER", "u": "UUID"})
def with_uuid(df):
    return df
