from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def inc(x: int) -> int:
    return x + 1


@python_scalar_udf
def parity(x: int) -> str:
    return "even" if x % 2 == 0 else "odd"


@python_scalar_udf
def wrap(s: str, left: str, right: str) -> str:
    return left + s + right
