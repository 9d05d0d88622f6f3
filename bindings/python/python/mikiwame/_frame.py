"""Column-wise conversion between DataFrames / Arrow tables and the extension module.

Only whole columns cross the boundary; there is no Python code per row. Text, integer
and boolean columns go as Arrow string arrays, whose buffers the extension reads in place
without a Python object per cell (pandas columns are converted by ``pyarrow.array``, in
C++); other columns, and every column when pyarrow is missing, go as lists
(``Series.tolist()`` and ``ChunkedArray.to_pylist()``, also in C).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

from . import _mikiwame
from .exceptions import InputError

#: The flattened order columns read by ``Engine.score_frame``.
ORDER_COLUMNS: tuple[str, ...] = tuple(_mikiwame.ORDER_COLUMNS)
_KNOWN = frozenset(ORDER_COLUMNS)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector while the output columns are built: two
    new lists per row (reasons, data quality) would otherwise trigger collections that walk
    every object alive, over and over (a third of score_frame's time on 200,000 rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_pandas(frame: Any) -> bool:
    return type(frame).__module__.startswith("pandas") and hasattr(frame, "iloc")


def _is_arrow(frame: Any) -> bool:
    return type(frame).__module__.startswith("pyarrow") and hasattr(frame, "column_names")


def columns_of(frame: Any) -> tuple[dict[str, Any], int, Any]:
    """The known order columns of ``frame`` as ``{name: column}`` (a list of cells, or a
    tuple of Arrow string arrays), its row count, and the index to give the result (the
    pandas index, or None)."""
    if not _is_pandas(frame) and not _is_arrow(frame):
        if hasattr(frame, "to_arrow"):  # polars and other Arrow-backed frames
            frame = frame.to_arrow()
        elif hasattr(frame, "__arrow_c_stream__"):  # the Arrow PyCapsule interface
            import pyarrow

            frame = pyarrow.table(frame)
        else:
            raise InputError(
                f"score_frame takes a pandas DataFrame or a pyarrow Table, got {type(frame).__name__}: "
                "convert it first (for a list of dicts use Engine.score_batch)"
            )
    pa = _pyarrow()
    columns: dict[str, Any] = {}
    if _is_pandas(frame):
        for position, name in enumerate(frame.columns):
            key = str(name).strip().lower()
            if key in _KNOWN and key not in columns:
                series = frame.iloc[:, position]
                chunks = _pandas_strings(series, pa) if pa is not None else None
                columns[key] = chunks if chunks is not None else series.tolist()
        return columns, len(frame), frame.index
    for position, name in enumerate(frame.column_names):
        key = str(name).strip().lower()
        if key in _KNOWN and key not in columns:
            column = frame.column(position)
            chunks = _arrow_strings(column, pa) if pa is not None else None
            columns[key] = chunks if chunks is not None else column.to_pylist()
    return columns, frame.num_rows, None


def _pyarrow() -> Any:
    """pyarrow when it is installed and exports arrays through the PyCapsule protocol
    (version 14 and later), else None (every column then goes as a list)."""
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow if hasattr(pyarrow.Array, "__arrow_c_array__") else None


def _arrow_strings(column: Any, pa: Any) -> tuple[Any, ...] | None:
    """The chunks of an Arrow column (an Array or a ChunkedArray) as ``utf8`` or
    ``large_utf8`` arrays, with the same text per cell as the list path gives (integers in
    decimal, booleans as ``true``/``false``); None for other types (floats, dates...),
    which go as lists."""
    t = column.type
    if pa.types.is_integer(t) or pa.types.is_boolean(t) or _is_string_view(t, pa):
        column = column.cast(pa.string())
    elif not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        return None
    return tuple(column.chunks) if isinstance(column, pa.ChunkedArray) else (column,)


def _is_string_view(t: Any, pa: Any) -> bool:
    is_view = getattr(pa.types, "is_string_view", None)
    return bool(is_view is not None and is_view(t))


def _pandas_strings(series: Any, pa: Any) -> tuple[Any, ...] | None:
    """A pandas column as Arrow string chunks (see ``_arrow_strings``), or None when it
    holds anything but text, integers and booleans (or a mix of them), or only nulls."""
    kind = getattr(series.dtype, "kind", "O")
    if kind not in "OUiub":
        return None
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return _arrow_strings(array, pa)  # an Array, or a ChunkedArray past 2 GiB of text


def to_frame(out: dict[str, list[Any]], index: Any) -> Any:
    """The output columns as a pandas DataFrame, with nullable dtypes so that error rows
    keep integer and boolean columns intact."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - pandas is in the test environment
        raise ImportError(
            "score_frame returns a pandas DataFrame: pip install pandas (or mikiwame[frame])"
        ) from e
    data = {
        "order_id": pd.Series(out["order_id"], dtype=object, index=index),
        "score": pd.Series(out["score"], dtype="Int64", index=index),
        "band": pd.Series(out["band"], dtype=object, index=index),
        "alert": pd.Series(out["alert"], dtype="boolean", index=index),
        "address_match": pd.Series(out["address_match"], dtype=object, index=index),
        "stars": pd.Series(out["stars"], dtype="Int64", index=index),
        "forwarding": pd.Series(out["forwarding"], dtype=object, index=index),
        "reasons": pd.Series(out["reasons"], dtype=object, index=index),
        "data_quality": pd.Series(out["data_quality"], dtype=object, index=index),
        "error": pd.Series(out["error"], dtype=object, index=index),
    }
    return pd.DataFrame(data, index=index)
