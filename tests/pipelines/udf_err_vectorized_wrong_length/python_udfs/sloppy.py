import numpy as np
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def count_words(s: str) -> int:
    return "many" if len(s) > 5 else len(s.split())


@python_scalar_udf(return_type="TINYINT")
def too_big(x):
    return 1000


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def half_batch(x):
    return x[: len(x) // 2]
