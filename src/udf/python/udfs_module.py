"""sqlflow.udfs: decorators that mark Python functions as SQLFlow UDFs.

    from sqlflow.udfs import python_scalar_udf, python_table_udf

    @python_scalar_udf
    def add_tax(amount: float) -> float:
        return amount * 1.2

    @python_scalar_udf(vectorized=True, return_type="DOUBLE")
    def scaled(x):                      # x is a numpy array of one batch
        return x * 2.0

    @python_table_udf(output_schema={"id": "BIGINT", "score": "DOUBLE"}, required_columns=["id"])
    def scores(df, factor: float = 1.0):
        return df.assign(score=df["id"] * factor)[["id", "score"]]
"""

import datetime as _datetime
import decimal as _decimal
import inspect as _inspect
import types as _types
import typing as _typing

_UnionType = getattr(_types, "UnionType", None)

__all__ = ["python_scalar_udf", "python_table_udf"]

_ATTRIBUTE = "_sqlflow_udf"


def _sql_type_of(annotation):
    """The SQL type for a Python annotation, or None when it says nothing usable."""
    if annotation is _inspect.Signature.empty or annotation is None:
        return None
    if isinstance(annotation, str):
        # Postponed annotations ("int") name Python types; anything else is a SQL type.
        python_names = {"bool": bool, "int": int, "float": float, "str": str, "date": _datetime.date,
                        "datetime.date": _datetime.date, "datetime": _datetime.datetime,
                        "datetime.datetime": _datetime.datetime, "Decimal": _decimal.Decimal,
                        "decimal.Decimal": _decimal.Decimal, "dict": dict, "list": list}
        if annotation in python_names:
            return _sql_type_of(python_names[annotation])
        return annotation.upper()
    origin = _typing.get_origin(annotation)
    if origin is _typing.Union or (_UnionType is not None and origin is _UnionType):  # Optional[X], X | None
        arguments = [a for a in _typing.get_args(annotation) if a is not type(None)]
        return _sql_type_of(arguments[0]) if len(arguments) == 1 else None
    if origin in (list, _typing.List):
        arguments = _typing.get_args(annotation)
        inner = _sql_type_of(arguments[0]) if arguments else None
        return (inner or "VARCHAR") + "[]"
    mapping = {
        bool: "BOOLEAN",
        int: "BIGINT",
        float: "DOUBLE",
        str: "VARCHAR",
        _datetime.date: "DATE",
        _datetime.datetime: "TIMESTAMP",
        _decimal.Decimal: "DECIMAL(18,6)",
        dict: "JSON",
        list: "JSON",
    }
    return mapping.get(annotation)


def _mark(function, metadata):
    setattr(function, _ATTRIBUTE, metadata)
    return function


def python_scalar_udf(function=None, *, name=None, return_type=None, vectorized=False):
    """Marks a function as a scalar UDF: one value per row.

    name: the SQL name (default: the function's name).
    return_type: a SQL type; default from the return annotation.
    vectorized: the function takes one numpy array per argument for a whole batch of rows
    and returns an array (or list or pandas Series) of the same length.
    """

    def decorate(target):
        return _mark(target, {"kind": "scalar", "name": name or target.__name__, "return_type": return_type,
                              "vectorized": bool(vectorized)})

    return decorate(function) if function is not None else decorate


def python_table_udf(function=None, *, name=None, output_schema=None, infer=False, required_columns=None):
    """Marks a function as a table UDF: a pandas DataFrame in, a DataFrame out.

    The first parameter receives the input rows as a DataFrame; further parameters are keyword
    arguments given in SQL (key => value). output_schema maps column names to SQL types; with
    infer=True the schema is taken from the returned DataFrame instead.
    required_columns: columns the input must have.
    """

    def decorate(target):
        if output_schema is None and not infer:
            raise TypeError(f"python_table_udf {target.__name__}: give output_schema={{...}} or infer=True")
        schema = None
        if output_schema:
            schema = {}
            for column, column_type in dict(output_schema).items():
                sql_type = column_type if isinstance(column_type, str) else _sql_type_of(column_type)
                if sql_type is None:
                    raise TypeError(f"python_table_udf {target.__name__}: output_schema[{column!r}] = {column_type!r} "
                                    "is not a SQL type")
                schema[str(column)] = sql_type.upper()
        return _mark(target, {"kind": "table", "name": name or target.__name__,
                              "output_schema": schema,
                              "infer": bool(infer), "required_columns": list(required_columns or [])})

    return decorate(function) if function is not None else decorate
