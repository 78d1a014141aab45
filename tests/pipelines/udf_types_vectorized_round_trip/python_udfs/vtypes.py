"""Vectorized identities: a whole column goes to numpy and back, NULLs included."""
import numpy as np
from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(vectorized=True, return_type="TINYINT")
def v_tinyint(x):
    return x


@python_scalar_udf(vectorized=True, return_type="INTEGER")
def v_integer(x):
    return x


@python_scalar_udf(vectorized=True, return_type="BIGINT")
def v_bigint(x):
    return x


@python_scalar_udf(vectorized=True, return_type="UINTEGER")
def v_uinteger(x):
    return x


@python_scalar_udf(vectorized=True, return_type="FLOAT")
def v_float(x):
    return x


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def v_double(x):
    return x


@python_scalar_udf(vectorized=True, return_type="BOOLEAN")
def v_boolean(x):
    return x


@python_scalar_udf(vectorized=True, return_type="VARCHAR")
def v_text(x):
    return x


@python_scalar_udf(vectorized=True, return_type="DATE")
def v_date(x):
    return x


@python_scalar_udf(vectorized=True, return_type="TIMESTAMP")
def v_timestamp(x):
    return x


@python_scalar_udf(vectorized=True, return_type="TIMESTAMPTZ")
def v_timestamptz(x):
    return x


@python_scalar_udf(vectorized=True, return_type="DECIMAL(8,3)")
def v_decimal(x):
    return x


@python_scalar_udf(vectorized=True, return_type="INTEGER[]")
def v_list(x):
    return x


@python_scalar_udf(vectorized=True, return_type="JSON")
def v_json(x):
    return x


@python_scalar_udf(vectorized=True, return_type="BIGINT")
def nan_to_bigint(x):
    """NaN stored into an integer column is NULL."""
    return np.where(x > 0, x, np.nan)


@python_scalar_udf(vectorized=True, return_type="DOUBLE")
def nan_stays_nan(x):
    return np.where(x > 0, x, np.nan)
