"""Column-wise conversion between DataFrames / Arrow tables and the extension module.

Only whole columns cross the boundary (``Series.tolist()`` and
``ChunkedArray.to_pylist()`` run in C); there is no Python code per row.
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


def columns_of(frame: Any) -> tuple[dict[str, list[Any]], int, Any]:
    """The known order columns of ``frame`` as ``{name: list}``, its row count, and the
    index to give the result (the pandas index, or None)."""
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
    columns: dict[str, list[Any]] = {}
    if _is_pandas(frame):
        for position, name in enumerate(frame.columns):
            key = str(name).strip().lower()
            if key in _KNOWN and key not in columns:
                columns[key] = frame.iloc[:, position].tolist()
        return columns, len(frame), frame.index
    for position, name in enumerate(frame.column_names):
        key = str(name).strip().lower()
        if key in _KNOWN and key not in columns:
            columns[key] = frame.column(position).to_pylist()
    return columns, frame.num_rows, None


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
