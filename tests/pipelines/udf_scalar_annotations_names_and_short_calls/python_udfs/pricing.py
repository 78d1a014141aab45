"""Scalar UDFs declared in the different ways the decorator allows."""
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def add_tax(amount: float) -> float:
    """Adds 20% tax."""
    return round(amount * 1.2, 2)


@python_scalar_udf(name="discount_code")
def make_code(customer: str, percent: int) -> str:
    return f"{customer.upper()}-{percent}"


@python_scalar_udf(return_type="BIGINT")
def cents(amount):
    return int(round(amount * 100))


@python_scalar_udf(return_type="varchar")
def bucket(amount: float):
    return "large" if amount >= 100 else "small"


def not_a_udf(x):
    return x
