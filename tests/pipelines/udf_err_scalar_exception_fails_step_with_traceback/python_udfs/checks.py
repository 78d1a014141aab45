from sqlflow.udfs import python_scalar_udf


def _check(x):
    if x == 4000:
        raise ValueError(f"bad value {x}")
    return x


@python_scalar_udf
def validate(x: int) -> int:
    return _check(x)
