"""score_frame's Arrow path: text, integer and boolean columns are read from Arrow buffers
in place and must give exactly what the list path gives; foreign or broken arrays are
refused with InputError, never trusted."""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import mikiwame
from mikiwame import _frame


def _mixed_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": ["M-1", "M-2", "M-3", "M-4", "M-5"],
            # object column with None and NaN (both absent), an empty cell and kana
            "buyer_name": ["徳川家康", None, float("nan"), "", "りるれれれ"],
            # pandas' own string dtype with NA
            "buyer_email": pd.array(["a@example.jp", pd.NA, "test@test.com", "x@y.jp", None], dtype="string"),
            # integers, plain and nullable
            "amount": [50000, 1200, 980000, 3, 0],
            "item_quantity": pd.array([5, None, 1, 2, None], dtype="Int64"),
            # a mix of text and integers goes as a list
            "payment_card_bin": ["411111", 520000, None, "35", 4],
            # floats and booleans
            "item_unit_price": [10000.0, float("nan"), 1.5, 2e6, None],
            "customer_id": [True, False, True, False, True],
            "shipping_address": [
                "東京都世田谷区池尻二丁目31番12号 メゾン池尻203",
                "東京都大田区平和島3丁目5番2号",
                None,
                "大阪府大阪市北区梅田3-1-3",
                "東京都世田谷区東京都黒猫1-1-1-101ハイツ黒猫",
            ],
            "item_category": ["gift_card", None, "book", "electronics", "gift_card"],
        }
    )


def _score_by_lists(engine: mikiwame.Engine, frame: Any, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(_frame, "_pyarrow", lambda: None)
        columns, _, _ = _frame.columns_of(frame)
        assert all(isinstance(c, list) for c in columns.values())
        return engine.score_frame(frame)


def test_arrow_path_reads_text_integer_and_boolean_columns(engine: mikiwame.Engine) -> None:
    columns, rows, _ = _frame.columns_of(_mixed_frame())
    assert rows == 5
    arrow = {k for k, v in columns.items() if isinstance(v, tuple)}
    listed = {k for k, v in columns.items() if isinstance(v, list)}
    assert arrow == {"order_id", "buyer_name", "buyer_email", "amount", "item_quantity",
                     "customer_id", "shipping_address", "item_category"}
    assert listed == {"payment_card_bin", "item_unit_price"}


def test_pandas_arrow_path_equals_list_path(engine: mikiwame.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    df = _mixed_frame()
    by_arrow = engine.score_frame(df)
    by_lists = _score_by_lists(engine, df, monkeypatch)
    pd.testing.assert_frame_equal(by_arrow, by_lists)
    assert "celebrity_name" in by_arrow.loc[0, "reasons"]
    assert by_arrow["error"].isna().all(), by_arrow["error"].tolist()


def test_arrow_table_chunks_slices_and_large_strings(engine: mikiwame.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    df = _mixed_frame()
    table = pa.Table.from_pandas(df[["order_id", "buyer_name", "shipping_address", "amount",
                                     "item_category"]], preserve_index=False)
    # Three chunks of unequal length, every string column as large_string, then a slice
    # that starts inside the first chunk (an array offset that is not zero).
    chunked = pa.concat_tables([table.slice(0, 2), table.slice(2, 1), table.slice(3)])
    assert chunked.column("buyer_name").num_chunks == 3
    large = chunked.cast(pa.schema([
        (f.name, pa.large_string() if pa.types.is_string(f.type) else f.type) for f in chunked.schema
    ]))
    subset = df[["order_id", "buyer_name", "shipping_address", "amount", "item_category"]]
    want = _score_by_lists(engine, subset, monkeypatch)
    for t in (chunked, large):
        pd.testing.assert_frame_equal(engine.score_frame(t), want)
    sliced = engine.score_frame(large.slice(1, 3))
    want_sliced = _score_by_lists(engine, subset.iloc[1:4].reset_index(drop=True), monkeypatch)
    pd.testing.assert_frame_equal(sliced, want_sliced)


def _strings(data: bytes, offsets: list[int], large: bool = False) -> pa.Array:
    """A string array built from raw buffers, unvalidated, as a broken producer might."""
    fmt = "q" if large else "i"
    raw = struct.pack(f"<{len(offsets)}{fmt}", *offsets)
    kind = pa.large_string() if large else pa.string()
    return pa.Array.from_buffers(kind, len(offsets) - 1, [None, pa.py_buffer(raw), pa.py_buffer(data)])


def test_well_formed_raw_buffers_are_read(engine: mikiwame.Engine) -> None:
    ids = _strings("A-1日本B-2".encode(), [0, 3, 9, 12])
    out = engine._score_columns({"order_id": (ids,)}, 3)
    assert out["order_id"] == ["A-1", "日本", "B-2"]
    big = _strings(b"X-1X-2", [0, 3, 6], large=True)
    assert engine._score_columns({"order_id": (big,)}, 2)["order_id"] == ["X-1", "X-2"]


@pytest.mark.parametrize(
    "array, why",
    [
        (_strings(b"A-1\xff", [0, 3, 4]), "invalid UTF-8"),
        (_strings("日本".encode(), [0, 1, 6]), "inside a character"),
        (_strings(b"A-1B-2", [0, 4, 3]), "out of order"),
        (pa.array([1, 2]), "not a utf8"),
    ],
)
def test_broken_arrow_arrays_are_input_errors(engine: mikiwame.Engine, array: pa.Array, why: str) -> None:
    with pytest.raises(mikiwame.InputError, match=why):
        engine._score_columns({"order_id": (array,)}, 2)


class _NotArrow:
    def __init__(self, result: Any) -> None:
        self.result = result

    def __arrow_c_array__(self, requested_schema: Any = None) -> Any:
        return self.result


@pytest.mark.parametrize("result", [None, (1, 2), (1, 2, 3)])
def test_foreign_objects_are_input_errors(engine: mikiwame.Engine, result: Any) -> None:
    with pytest.raises(mikiwame.InputError, match="cannot be read"):
        engine._score_columns({"order_id": (_NotArrow(result),)}, 1)


class _ArrowSchema(ctypes.Structure):
    _fields_ = [("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
                ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64), ("children", ctypes.c_void_p),
                ("dictionary", ctypes.c_void_p), ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


class _ArrowArray(ctypes.Structure):
    _fields_ = [("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
                ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", ctypes.c_void_p),
                ("children", ctypes.c_void_p), ("dictionary", ctypes.c_void_p), ("release", ctypes.c_void_p),
                ("private_data", ctypes.c_void_p)]


_RELEASE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda _: None)
_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


class _RawProducer:
    """An exporter of hand-made C structs: lets a test break what pyarrow never would."""

    def __init__(self, offsets: list[int], data: bytes, *, length: int | None = None, offset: int = 0,
                 null_count: int = 0, validity: bool = False, n_buffers: int = 3,
                 data_pointer: bool = True, released: bool = False, fmt: bytes = b"l") -> None:
        self.keep: list[Any] = []
        off = (ctypes.c_int64 * len(offsets))(*offsets)
        buf = ctypes.create_string_buffer(data, max(len(data), 1))
        bits = (ctypes.c_uint8 * 8)(*([0xFF] * 8))
        buffers = (ctypes.c_void_p * 3)(ctypes.addressof(bits) if validity else None, ctypes.addressof(off),
                                        ctypes.addressof(buf) if data_pointer else None)
        release = None if released else ctypes.cast(_RELEASE, ctypes.c_void_p).value
        self.schema = _ArrowSchema(format=b"U" if fmt == b"l" else fmt, release=release)
        self.array = _ArrowArray(length=len(offsets) - 1 - offset if length is None else length,
                                 null_count=null_count, offset=offset, n_buffers=n_buffers,
                                 buffers=ctypes.addressof(buffers), release=release)
        self.keep += [off, buf, bits, buffers]

    def __arrow_c_array__(self, requested_schema: Any = None) -> Any:
        return (_capsule_new(ctypes.addressof(self.schema), b"arrow_schema", None),
                _capsule_new(ctypes.addressof(self.array), b"arrow_array", None))


def test_raw_producer_is_read_when_well_formed(engine: mikiwame.Engine) -> None:
    good = _RawProducer([0, 3, 6, 9], b"R-1R-2R-3", offset=1)
    assert engine._score_columns({"order_id": (good,)}, 2)["order_id"] == ["R-2", "R-3"]
    with_bitmap = _RawProducer([0, 3, 6], b"R-1R-2", null_count=-1, validity=True)
    assert engine._score_columns({"order_id": (with_bitmap,)}, 2)["order_id"] == ["R-1", "R-2"]


@pytest.mark.parametrize(
    "producer, why",
    [
        (_RawProducer([-1, 3, 6], b"A-1B-2"), "negative"),
        (_RawProducer([0, 3, 6], b"A-1B-2", length=-2), "negative length"),
        (_RawProducer([0, 3, 6], b"A-1B-2", null_count=1), "nulls without a validity bitmap"),
        (_RawProducer([0, 3, 6], b"A-1B-2", n_buffers=2), "not the layout"),
        (_RawProducer([0, 3, 6], b"A-1B-2", data_pointer=False), "no data buffer"),
        (_RawProducer([0, 3, 6], b"A-1B-2", released=True), "released"),
        (_RawProducer([0, 3, 6], b"A-1B-2", fmt=b"vu"), "not a utf8"),
    ],
)
def test_raw_producers_are_checked(engine: mikiwame.Engine, producer: _RawProducer, why: str) -> None:
    with pytest.raises(mikiwame.InputError, match=why):
        engine._score_columns({"order_id": (producer,)}, 2)


def test_wrong_capsules_are_input_errors(engine: mikiwame.Engine) -> None:
    schema, array = pa.array(["A"]).__arrow_c_array__()
    swapped = _NotArrow((array, schema))
    with pytest.raises(mikiwame.InputError, match="not an Arrow capsule"):
        engine._score_columns({"order_id": (swapped,)}, 1)


def test_arrow_column_of_the_wrong_length_is_input_error(engine: mikiwame.Engine) -> None:
    with pytest.raises(mikiwame.InputError, match="has 2 cells, expected 3"):
        engine._score_columns({"order_id": (pa.array(["A", "B"]),)}, 3)
    with pytest.raises(mikiwame.InputError, match="a list or a tuple of Arrow string arrays"):
        engine._score_columns({"order_id": "ABC"}, 3)
