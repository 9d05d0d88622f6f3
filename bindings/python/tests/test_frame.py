"""score_frame: pandas and Arrow round trips, missing columns, nulls, alignment."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

import mikiwame

OUT_COLUMNS = [
    "order_id", "score", "band", "alert", "address_match", "stars", "forwarding",
    "reasons", "data_quality", "error",
]


def _orders() -> dict[str, list]:
    return {
        "order_id": ["A-1", "A-2", "A-3", "A-4"],
        "ordered_at": ["2026-11-21T03:10:00+09:00", None, "2026-11-20T13:45:00+09:00", "not a date"],
        "amount": [50000, None, 5400, 1000],
        "buyer_name": ["田中次郎", "佐藤花子", None, "鈴木一郎"],
        "buyer_address": [
            "東京都世田谷区池尻二丁目31番12号 メゾン池尻203",
            "東京都大田区平和島3丁目5番2号",
            None,
            "大阪府大阪市北区梅田3-1-3",
        ],
        "item_category": ["gift_card", None, "book", None],
        "item_quantity": ["5", None, "1", None],
        "unexpected_column": [1, 2, 3, 4],
    }


def _expected(engine: mikiwame.Engine) -> list[dict]:
    """The same rows as dicts of the JSON format, scored as one batch."""
    return engine.score_batch(
        [
            {"order_id": "A-1", "ordered_at": "2026-11-21T03:10:00+09:00", "amount": 50000,
             "buyer": {"name": "田中次郎", "address": "東京都世田谷区池尻二丁目31番12号 メゾン池尻203"},
             "items": [{"category": "gift_card", "quantity": 5}]},
            {"order_id": "A-2", "buyer": {"name": "佐藤花子", "address": "東京都大田区平和島3丁目5番2号"}},
            {"order_id": "A-3", "ordered_at": "2026-11-20T13:45:00+09:00", "amount": 5400,
             "items": [{"category": "book", "quantity": 1}]},
            {"order_id": "A-4", "ordered_at": "not a date"},
        ]
    )


def _check(out: pd.DataFrame, expected: list[dict]) -> None:
    assert list(out.columns) == OUT_COLUMNS
    assert len(out) == len(expected)
    for i, a in enumerate(expected):
        row = out.iloc[i]
        assert row["order_id"] == a["order_id"]
        if a.get("error"):
            assert a["error"]["field"] in row["error"]
            assert pd.isna(row["score"]) and pd.isna(row["alert"])
            continue
        assert row["error"] is None
        assert row["score"] == a["score"]
        assert row["band"] == a["band"]
        assert bool(row["alert"]) == a["alert"]
        assert row["address_match"] == a["address_match"]["level"]
        assert row["stars"] == a["address_match"]["stars"]
        assert row["forwarding"] == a["forwarding"]["level"]
        assert row["reasons"] == [r["code"] for r in a["reasons"]]
        assert row["data_quality"] == a["data_quality"]


def test_pandas_round_trip_matches_score_batch(engine: mikiwame.Engine) -> None:
    df = pd.DataFrame(_orders(), index=[10, 20, 30, 40])
    out = engine.score_frame(df)
    assert list(out.index) == [10, 20, 30, 40]
    _check(out, _expected(engine))
    assert out.loc[10, "address_match"] == "danger"
    assert out.loc[20, "forwarding"] == "service"
    assert out.loc[40, "error"].startswith("row 4, field `ordered_at`")
    assert str(out["score"].dtype) == "Int64" and str(out["alert"].dtype) == "boolean"


def test_arrow_round_trip_matches_pandas(engine: mikiwame.Engine) -> None:
    table = pa.table(_orders())
    out = engine.score_frame(table)
    _check(out, _expected(engine))
    assert list(out.index) == [0, 1, 2, 3]
    batch = table.to_batches()[0]
    assert engine.score_frame(batch).equals(out)


def test_nulls_nan_na_and_nat_are_absent(engine: mikiwame.Engine) -> None:
    df = pd.DataFrame(
        {
            "order_id": ["N-1", "N-2", "N-3"],
            "amount": [float("nan"), 1200.0, None],
            "buyer_name": pd.array([None, "佐藤花子", pd.NA], dtype="string"),
            "ordered_at": pd.to_datetime(["2026-11-20T13:45:00+09:00", None, "2026-11-21T03:00:00+09:00"]),
            "payment_card_bin": [411111.0, float("nan"), 520000.0],
        }
    )
    out = engine.score_frame(df)
    assert out["error"].isna().all(), out["error"].tolist()
    night = engine.score({"order_id": "N-3", "ordered_at": "2026-11-21T03:00:00+09:00"})
    assert ("night_order" in out.loc[2, "reasons"]) == any(r["code"] == "night_order" for r in night["reasons"])


def test_missing_columns_and_case_insensitive_names(engine: mikiwame.Engine) -> None:
    out = engine.score_frame(pd.DataFrame({" ORDER_ID ": ["only-id"]}))
    assert out.loc[0, "order_id"] == "only-id"
    assert out.loc[0, "error"] is None
    assert out.loc[0, "address_match"] == "none"
    assert "missing_address" in out.loc[0, "data_quality"]


def test_no_order_id_column_is_input_error(engine: mikiwame.Engine) -> None:
    with pytest.raises(mikiwame.InputError, match="order_id"):
        engine.score_frame(pd.DataFrame({"buyer_name": ["x"]}))
    with pytest.raises(mikiwame.InputError, match="order_id"):
        engine.score_frame(pa.table({"amount": [1]}))


def test_null_order_id_is_an_error_row(engine: mikiwame.Engine) -> None:
    out = engine.score_frame(pd.DataFrame({"order_id": ["ok", None]}))
    assert out.loc[0, "error"] is None
    assert "order_id" in out.loc[1, "error"]


def test_not_a_frame_is_input_error(engine: mikiwame.Engine) -> None:
    with pytest.raises(mikiwame.InputError, match="pandas DataFrame or a pyarrow Table"):
        engine.score_frame([{"order_id": "x"}])


def test_empty_frame(engine: mikiwame.Engine) -> None:
    out = engine.score_frame(pd.DataFrame({"order_id": pd.Series([], dtype=object)}))
    assert len(out) == 0 and list(out.columns) == OUT_COLUMNS


def test_arrow_c_stream_object(engine: mikiwame.Engine) -> None:
    class Stream:
        """Anything with the Arrow PyCapsule stream interface (polars, duckdb, ...)."""

        def __init__(self, table: pa.Table) -> None:
            self.table = table

        def __arrow_c_stream__(self, requested_schema=None):  # noqa: ANN001, ANN204
            return self.table.__arrow_c_stream__(requested_schema)

    if not hasattr(pa.Table, "__arrow_c_stream__"):
        pytest.skip("pyarrow too old for the PyCapsule interface")
    table = pa.table(_orders())
    assert engine.score_frame(Stream(table)).equals(engine.score_frame(table))


def test_datetime_objects_from_arrow(engine: mikiwame.Engine) -> None:
    tz = dt.timezone(dt.timedelta(hours=9))
    table = pa.table({"order_id": ["T-1"], "ordered_at": [dt.datetime(2026, 11, 21, 3, 10, tzinfo=tz)]})
    out = engine.score_frame(table)
    assert out.loc[0, "error"] is None
    ref = engine.score({"order_id": "T-1", "ordered_at": "2026-11-21T03:10:00+09:00"})
    assert out.loc[0, "reasons"] == [r["code"] for r in ref["reasons"]]


def test_large_frames_are_scored_in_aligned_chunks(engine: mikiwame.Engine) -> None:
    # More rows than one chunk (65,536): every row keeps its place and its row number.
    n = 70_000
    amounts = ["1000"] * n
    amounts[65_536] = "abc"  # the first row of the second chunk
    df = pd.DataFrame({"order_id": [f"L-{i}" for i in range(n)], "amount": amounts,
                       "buyer_name": ["徳川家康" if i % 1000 == 0 else "佐藤花子" for i in range(n)]})
    out = engine.score_frame(df)
    assert len(out) == n
    assert list(out["order_id"][:3]) == ["L-0", "L-1", "L-2"]
    assert out.loc[65_536, "error"].startswith("row 65537, field `amount`")
    assert out["error"].notna().sum() == 1
    assert out.loc[66_000, "reasons"][0] == "celebrity_name"
    assert out.loc[66_001, "reasons"] == []


def test_score_frame_leaves_the_garbage_collector_as_it_was(engine: mikiwame.Engine) -> None:
    import gc

    df = pd.DataFrame({"order_id": ["G-1", "G-2"], "buyer_name": ["徳川家康", None]})
    assert gc.isenabled()
    engine.score_frame(df)
    assert gc.isenabled()
    gc.disable()
    try:
        engine.score_frame(df)
        assert not gc.isenabled()
    finally:
        gc.enable()
