"""_sqlflow_runtime: discovery of python_udfs/ for the embedded runtime (internal)."""

import importlib.util
import inspect
import json
import os
import sys
import traceback

import sqlflow.udfs as _udfs

FUNCTIONS = {}  # full name -> function


def _param_info(parameter, hints):
    default = None
    if parameter.default is not inspect.Parameter.empty:
        default = repr(parameter.default)
    annotation = hints.get(parameter.name, parameter.annotation)
    return {"name": parameter.name, "type": _udfs._sql_type_of(annotation), "default": default,
            "kind": parameter.kind.name}


def _type_hints(function):
    """Annotations with postponed ones (from __future__ import annotations) resolved."""
    try:
        import typing
        return typing.get_type_hints(function)
    except Exception:  # noqa: BLE001 - an unresolvable annotation falls back to the raw one
        return {}


def _describe(function, meta, module_name, path):
    signature = inspect.signature(function)
    try:
        line = inspect.getsourcelines(function)[1]
    except (OSError, TypeError):
        line = function.__code__.co_firstlineno
    doc = inspect.getdoc(function) or ""
    hints = _type_hints(function)
    params = [_param_info(p, hints) for p in signature.parameters.values()]
    info = {
        "name": module_name + "." + meta["name"],
        "short_name": meta["name"],
        "module": module_name,
        "function": function.__name__,
        "kind": meta["kind"],
        "file": path,
        "line": line,
        "signature": function.__name__ + str(signature),
        "doc": doc,
        "summary": doc.splitlines()[0] if doc else "",
        "params": params,
    }
    if meta["kind"] == "scalar":
        info["return_type"] = meta["return_type"] or _udfs._sql_type_of(hints.get("return", signature.return_annotation))
        info["vectorized"] = meta["vectorized"]
    else:
        info["output_schema"] = meta["output_schema"]
        info["infer"] = meta["infer"]
        info["required_columns"] = meta["required_columns"]
    return info


def discover(udf_dir):
    udfs, errors = [], []
    root = os.path.abspath(udf_dir)
    if root not in sys.path:
        sys.path.insert(0, root)  # UDF files may import their helper modules
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith((".", "__")))
        for filename in sorted(files):
            if not filename.endswith(".py") or filename == "__init__.py":
                continue
            path = os.path.join(directory, filename)
            module_name = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
            qualified = "python_udfs." + module_name
            try:
                spec = importlib.util.spec_from_file_location(qualified, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[qualified] = module
                spec.loader.exec_module(module)
            except BaseException:  # noqa: B902 - a UDF file may raise anything, even SystemExit
                sys.modules.pop(qualified, None)
                errors.append({"file": path, "error": traceback.format_exc()})
                continue
            for value in list(vars(module).values()):
                meta = getattr(value, _udfs._ATTRIBUTE, None)
                if meta is None or getattr(value, "__module__", None) != qualified:
                    continue
                info = _describe(value, meta, module_name, path)
                FUNCTIONS[info["name"]] = value
                udfs.append(info)
    udfs.sort(key=lambda u: u["name"])
    return json.dumps({"udfs": udfs, "errors": errors})


def call_table(name, frame, kwargs_json):
    return FUNCTIONS[name](frame, **json.loads(kwargs_json))


def format_exception():
    return traceback.format_exc()


def build_frame(names, parts, zoned=()):
    """A DataFrame from per-column lists of numpy batches (masked where NULL). Columns named in
    `zoned` are TIMESTAMP WITH TIME ZONE: their values are UTC."""
    import numpy as np
    import pandas as pd

    data = {}
    for name, batches in zip(names, parts):
        if not batches:
            data[name] = pd.Series([], dtype=object)
            continue
        masked = any(isinstance(b, np.ma.MaskedArray) for b in batches)
        if not masked:
            data[name] = pd.Series(np.concatenate(batches) if len(batches) > 1 else batches[0])
            continue
        joined = np.ma.concatenate(batches)
        values, mask = np.ma.getdata(joined), np.ma.getmaskarray(joined)
        kind = values.dtype.kind
        if kind in "iu":
            data[name] = pd.Series(pd.arrays.IntegerArray(values, mask))
        elif kind == "b":
            data[name] = pd.Series(pd.arrays.BooleanArray(values, mask))
        elif kind == "f":
            data[name] = pd.Series(pd.arrays.FloatingArray(values, mask))
        elif kind == "M":
            series = pd.Series(values)
            series[mask] = pd.NaT
            data[name] = series
        else:
            data[name] = pd.Series(np.where(mask, None, values), dtype=object)
    for name in zoned:
        if name in data and pd.api.types.is_datetime64_dtype(data[name].dtype):
            data[name] = data[name].dt.tz_localize("UTC")
    return pd.DataFrame(data)


def _infer_value_type(value):
    """The SQL type of a Python value in an object column, for infer=True."""
    import datetime
    import decimal

    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return "VARCHAR"
    if isinstance(value, datetime.datetime):
        return "TIMESTAMPTZ" if value.tzinfo is not None else "TIMESTAMP"
    if isinstance(value, datetime.date):
        return "DATE"
    if isinstance(value, decimal.Decimal):
        return "DECIMAL(18,6)"
    if isinstance(value, dict):
        return "JSON"
    if isinstance(value, (list, tuple)):
        inner = next((v for v in value if v is not None), None)
        return (_infer_value_type(inner) if inner is not None else "VARCHAR") + "[]"
    return "VARCHAR"


def _infer_column_type(series):
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "TIMESTAMPTZ"
    kind = getattr(dtype, "kind", "O")
    if kind != "O":
        return _INFERRED_TYPES.get(kind, "VARCHAR")
    first = next((v for v in series if v is not None and v is not pd.NA and v == v), None)
    return _infer_value_type(first) if first is not None else "VARCHAR"


_INFERRED_TYPES = {"i": "BIGINT", "u": "UBIGINT", "f": "DOUBLE", "b": "BOOLEAN", "M": "TIMESTAMP"}


def run_table(name, frame, kwargs_json):
    """Calls table UDF `name`; returns (columns as numpy arrays, [(name, sql type)])."""
    import numpy as np
    import pandas as pd

    function = FUNCTIONS[name]
    meta = getattr(function, _udfs._ATTRIBUTE)
    missing = [c for c in meta["required_columns"] if c not in frame.columns]
    if missing:
        raise ValueError(f"input lacks required column(s) {missing}; it has {list(frame.columns)}")
    result = function(frame, **json.loads(kwargs_json))
    if not isinstance(result, pd.DataFrame):
        raise TypeError(f"returned {type(result).__name__}, not a pandas DataFrame")
    if meta["output_schema"]:
        schema = list(meta["output_schema"].items())
        expected = [c for c, _ in schema]
        actual = [str(c) for c in result.columns]
        if sorted(expected) != sorted(actual):
            raise ValueError(f"returned columns {actual}, but output_schema declares {expected}")
        result = result[expected]
    else:
        schema = []
        for column in result.columns:
            schema.append((str(column), _infer_column_type(result[column])))
    columns = []
    for column, _ in schema:
        series = result[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            columns.append(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        elif pd.api.types.is_extension_array_dtype(series.dtype):
            columns.append(series.to_numpy(dtype=object, na_value=None))
        else:
            columns.append(series.to_numpy())
    return columns, schema
