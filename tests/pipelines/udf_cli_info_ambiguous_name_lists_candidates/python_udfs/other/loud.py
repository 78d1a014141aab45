from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def shout(s: str) -> str:
    return s + "!"
