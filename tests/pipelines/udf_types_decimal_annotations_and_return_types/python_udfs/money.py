from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def round_cents(x: Decimal) -> Decimal:
    """Annotated with decimal.Decimal: the natural way to declare a DECIMAL UDF."""
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@python_scalar_udf(return_type="DECIMAL(12,3)")
def times(x, y):
    return x * y


@python_scalar_udf(return_type="DECIMAL(10,2)")
def from_float(x: float):
    return x


@python_scalar_udf(return_type="DECIMAL(10,2)", vectorized=True)
def v_double(x):
    return x * 2
