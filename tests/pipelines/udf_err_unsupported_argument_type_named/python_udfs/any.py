from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(return_type="VARCHAR")
def describe_value(x):
    return repr(x)
