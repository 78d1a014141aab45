"""Row-at-a-time UDFs over every supported type: what Python receives, and what comes back."""
import datetime
import decimal
import math
from typing import List, Optional

from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(return_type="VARCHAR")
def py_repr(x):
    """The Python type and value the UDF receives."""
    return type(x).__name__ + " " + repr(x)


# Identities: the value goes to Python and back as the declared type.
@python_scalar_udf(return_type="TINYINT")
def same_tinyint(x):
    return x


@python_scalar_udf(return_type="SMALLINT")
def same_smallint(x):
    return x


@python_scalar_udf(return_type="INTEGER")
def same_integer(x):
    return x


@python_scalar_udf
def same_bigint(x: int) -> int:
    return x


@python_scalar_udf(return_type="UBIGINT")
def same_ubigint(x):
    return x


@python_scalar_udf(return_type="FLOAT")
def same_float(x):
    return x


@python_scalar_udf
def same_double(x: float) -> float:
    return x


@python_scalar_udf(return_type="DECIMAL(18,4)")
def same_decimal(x):
    return x


@python_scalar_udf
def same_boolean(x: bool) -> bool:
    return x


@python_scalar_udf
def same_text(x: str) -> str:
    return x


@python_scalar_udf
def same_date(x: datetime.date) -> datetime.date:
    return x


@python_scalar_udf
def same_timestamp(x: datetime.datetime) -> datetime.datetime:
    return x


@python_scalar_udf(return_type="TIMESTAMP WITH TIME ZONE")
def same_timestamptz(x):
    return x


@python_scalar_udf(return_type="INTEGER[]")
def same_int_list(x):
    return x


@python_scalar_udf(return_type="VARCHAR[]")
def same_text_list(x):
    return x


@python_scalar_udf(return_type="JSON")
def same_json(x):
    return x


# Computations on the received values.
@python_scalar_udf
def plus_one_day(x: datetime.date) -> datetime.date:
    return x + datetime.timedelta(days=1)


@python_scalar_udf
def plus_micro(x: datetime.datetime) -> datetime.datetime:
    return x + datetime.timedelta(microseconds=1)


@python_scalar_udf(return_type="TIMESTAMPTZ")
def in_two_hours(x):
    return x + datetime.timedelta(hours=2)


@python_scalar_udf(return_type="TIMESTAMPTZ")
def aware_plus_zone(x: str):
    """A timezone-aware datetime in +05:30 is stored as the same instant."""
    return datetime.datetime.fromisoformat(x)


@python_scalar_udf(return_type="DECIMAL(10,2)")
def add_cent(x):
    return x + decimal.Decimal("0.01")


@python_scalar_udf
def list_total(x: List[int]) -> int:
    return sum(v for v in x if v is not None)


@python_scalar_udf
def doubled(x: List[int]) -> List[int]:
    return [None if v is None else 2 * v for v in x]


@python_scalar_udf(return_type="JSON")
def tag_json(x):
    x["seen"] = True
    return x


@python_scalar_udf
def make_json(key: str) -> dict:
    return {"key": key, "values": [1, 2.5, None, "x"], "ok": False}


@python_scalar_udf
def is_nan(x: float) -> bool:
    return math.isnan(x)


@python_scalar_udf
def nan_when_negative(x: float) -> float:
    return float("nan") if x < 0 else x


@python_scalar_udf
def nan_as_integer(x: int) -> Optional[int]:
    return float("nan") if x < 0 else x


@python_scalar_udf
def none_when_odd(x: int) -> Optional[int]:
    return None if x % 2 else x


@python_scalar_udf
def upper_text(x: str) -> str:
    return x.upper()
