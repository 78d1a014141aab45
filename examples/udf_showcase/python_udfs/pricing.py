"""Currency and tax helpers: one row-wise and one vectorized scalar UDF."""

import numpy as np

from sqlflow.udfs import python_scalar_udf

# Fixed demo rates: euros per unit of each currency.
EUR_PER_UNIT = {"EUR": 1.0, "GBP": 1.17, "USD": 0.92}


@python_scalar_udf
def to_eur(amount: float, currency: str) -> float:
    """Converts an amount to euros at a fixed demo rate; NULL for an unknown currency."""
    # Called once per row. A row whose amount or currency is NULL never gets here: it is NULL.
    rate = EUR_PER_UNIT.get(currency.strip().upper())
    return None if rate is None else round(amount * rate, 2)


@python_scalar_udf(vectorized=True)
def with_vat(amount: "DOUBLE", rate: "DOUBLE") -> "DOUBLE":
    """Adds VAT to a whole batch of amounts at once."""
    # amount and rate are numpy arrays of up to 2,048 rows (masked arrays when the batch has
    # NULLs); numpy does the arithmetic for the whole batch in one call.
    return np.round(amount * (1.0 + rate), 2)
