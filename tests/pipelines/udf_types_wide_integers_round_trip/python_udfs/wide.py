from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(return_type="UBIGINT")
def same_ubigint(x):
    return x


@python_scalar_udf(return_type="UINTEGER")
def same_uinteger(x):
    return x


@python_scalar_udf(return_type="HUGEINT")
def same_hugeint(x):
    return x


@python_scalar_udf(return_type="HUGEINT")
def big_product(a, b):
    return a * b
