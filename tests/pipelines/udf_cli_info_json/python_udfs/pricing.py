from sqlflow.udfs import python_scalar_udf, python_table_udf


@python_scalar_udf
def add_tax(amount: float, rate: float = 0.2) -> float:
    """Adds tax to an amount.

    The rate defaults to 20%.
    """
    return amount * (1 + rate)


@python_scalar_udf(name="cents", return_type="BIGINT", vectorized=True)
def to_cents(amount):
    return (amount * 100).astype("int64")


@python_table_udf(output_schema={"id": "BIGINT", "score": "DOUBLE"}, required_columns=["id", "amount"])
def score(df, factor: float = 1.0):
    """Scores orders."""
    return df.assign(score=df["amount"] * factor)[["id", "score"]]
