from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def triple(x):
    return 3 * x
