from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def double(x: int) -> int:
    return 2 * x
