from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def fix(x: int) -> int
    return x
