from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def checked(x: int, fail_at: int) -> int:
    if x == fail_at:
        raise ValueError(f"refusing {x}")
    return x * 10
