"""Every API function, against the CLI's contract (DESIGN.md)."""

from __future__ import annotations

import doctest
import pathlib
import pickle
import threading

import pytest

import mikiwame
import mikiwame.exceptions

RISKY = {
    "order_id": "R-1",
    "ordered_at": "2026-11-21T03:10:00+09:00",
    "buyer": {"name": "田中次郎", "address": "東京都世田谷区池尻二丁目31番12号 メゾン池尻203"},
    "items": [{"category": "gift_card", "quantity": 5, "unit_price": 10000}],
}


def test_docstring_examples_run() -> None:
    for module in (mikiwame, mikiwame.exceptions):
        result = doctest.testmod(
            module, extraglobs={"mikiwame": mikiwame}, optionflags=doctest.ELLIPSIS
        )
        assert result.attempted > 0
        assert result.failed == 0


def test_normalize_address_keys_and_postal_code() -> None:
    a = mikiwame.normalize_address("東京都世田谷区池尻１丁目２番３号 ハイツ池尻101")
    b = mikiwame.normalize_address("池尻1-2-3-101", postal_code="154-0001")
    assert a["block_key"] == b["block_key"] == "東京都世田谷区池尻|c1|b2|g3"
    assert b["components"]["prefecture"] == "東京都"
    assert a["error"] is None
    c = mikiwame.normalize_address("東京都世田谷区池尻1-2-3", postal_code="060-0042")
    assert "postal_code_mismatch" in c["anomalies"]


def test_build_index_summary_and_rejections(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "fraud.csv"
    src.write_text(
        "address,email,phone\n東京都世田谷区池尻2-31-12-203,a@example.jp,\n,,\n",
        encoding="utf-8",
    )
    s = mikiwame.build_index(tmp_path / "out.idx", fraud=str(src))
    assert (tmp_path / "out.idx").exists()
    assert s["records"] == 1
    assert s["rejected"] == 1 and len(s["rejections"]) == 1
    assert s["rejections"][0]["row"] == 3
    assert s["keys"]["email"] == 1
    assert s["output"] == str(tmp_path / "out.idx")
    # On top of a base: the records add up.
    s2 = mikiwame.build_index(tmp_path / "more.idx", fraud=[src], base=tmp_path / "out.idx")
    assert s2["records"] == 2


def test_build_index_strict_writes_nothing(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "fraud.csv"
    src.write_text("address,email\n,,\n", encoding="utf-8")
    with pytest.raises(mikiwame.InputError, match="strict"):
        mikiwame.build_index(tmp_path / "out.idx", fraud=src, strict=True)
    assert not (tmp_path / "out.idx").exists()


def test_build_index_needs_inputs(tmp_path: pathlib.Path) -> None:
    with pytest.raises(mikiwame.InputError, match="fraud="):
        mikiwame.build_index(tmp_path / "out.idx")
    with pytest.raises(mikiwame.InputError, match="path"):
        mikiwame.build_index(tmp_path / "out.idx", fraud=42)  # type: ignore[arg-type]


def test_build_index_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError) as e:
        mikiwame.build_index(tmp_path / "out.idx", fraud=tmp_path / "nope.csv")
    assert e.value.filename == str(tmp_path / "nope.csv")


def test_score_one(engine: mikiwame.Engine) -> None:
    a = engine.score(RISKY)
    assert list(a) == [
        "order_id", "score", "band", "alert", "address_match", "forwarding",
        "reasons", "data_quality", "error",
    ]
    assert a["address_match"]["level"] == "danger"
    assert a["alert"] is True
    assert a["reasons"][0]["code"] == "fraud_address"
    assert a["band"] in {"high", "elevated", "low"}
    assert 0 <= a["score"] <= 100


def test_score_bad_order_raises_input_error(engine: mikiwame.Engine) -> None:
    with pytest.raises(mikiwame.InputError, match="amount") as e:
        engine.score({"order_id": "x", "amount": "abc"})
    assert isinstance(e.value, ValueError)
    with pytest.raises(mikiwame.InputError, match="order_id"):
        engine.score({"buyer": {"name": "山田"}})
    with pytest.raises(mikiwame.InputError, match="dict"):
        engine.score(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(mikiwame.InputError, match="JSON-like"):
        engine.score({"order_id": "x", "ip": object()})


def test_score_batch_matches_score_and_keeps_bad_rows(
    engine: mikiwame.Engine, example_orders: list[dict]
) -> None:
    out = engine.score_batch(example_orders + [{"order_id": "B", "amount": "abc"}])
    assert len(out) == len(example_orders) + 1
    assert [a["order_id"] for a in out[:-1]] == [o["order_id"] for o in example_orders]
    assert out[-1]["error"]["field"] == "amount"
    assert out[-1]["error"]["row"] == len(example_orders) + 1
    assert engine.score_batch([]) == []
    with pytest.raises(mikiwame.InputError, match=r"orders\[1\]"):
        engine.score_batch([RISKY, 5])  # type: ignore[list-item]
    with pytest.raises(mikiwame.InputError, match="list"):
        engine.score_batch(5)  # type: ignore[arg-type]


def test_check_address(engine: mikiwame.Engine) -> None:
    c = engine.check_address("東京都世田谷区池尻2丁目31番12号 メゾン池尻203")
    assert c["input"].startswith("東京都")
    assert c["address_match"]["level"] == "danger"
    assert c["forwarding"]["level"] == "none"
    fwd = engine.check_address("東京都大田区平和島3丁目5番2号")
    assert fwd["forwarding"]["level"] == "service"
    assert engine.check_address("北海道札幌市中央区北1条西2丁目")["address_match"]["level"] == "none"
    with pytest.raises(mikiwame.InputError, match="empty"):
        engine.check_address("  ")


def test_engine_without_index_and_shop_forms(index_path: pathlib.Path) -> None:
    plain = mikiwame.Engine(None)
    assert plain.index_path is None
    assert plain.score(RISKY)["address_match"]["level"] == "none"
    with_dict = mikiwame.Engine(index_path, shop={"name": "みきわめ商店", "phones": ["03-5555-0123"]})
    a = with_dict.score({"order_id": "S", "buyer": {"name": "山田太郎", "phone": "03-5555-0123",
                                                    "address": "東京都世田谷区池尻1-2-3"}})
    assert "shop_contact_as_buyer" in a["data_quality"]
    assert with_dict.index_path == str(index_path)


def test_screen() -> None:
    out = mikiwame.screen(url="http://amaz0n.co.jp/login", phone="0120-000-000")
    assert out["url"]["verdict"] == "lookalike"
    assert out["phone"]["verdict"] in {"unknown", "official", "known_scam", "lookalike"}
    assert mikiwame.screen(url="https://www.amazon.co.jp/")["url"]["verdict"] == "official"
    both = mikiwame.screen(sender="no-reply@amazon.co.jp", authenticated=True, text="ご注文の確認")
    assert "sender" in both and "text" in both


def test_screen_errors() -> None:
    with pytest.raises(mikiwame.InputError, match="at least one"):
        mikiwame.screen()
    with pytest.raises(mikiwame.InputError, match="built-in"):
        mikiwame.screen(url="https://example.com/", brand="no-such-brand")


def test_engine_is_immutable(engine: mikiwame.Engine) -> None:
    with pytest.raises(AttributeError):
        engine.index_path = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        engine.anything = 1  # type: ignore[attr-defined]


def test_pickle_reopens_the_same_engine(engine: mikiwame.Engine, index_path: pathlib.Path) -> None:
    clone = pickle.loads(pickle.dumps(engine))
    assert type(clone) is mikiwame.Engine
    assert clone.index_path == engine.index_path
    assert clone.score(RISKY) == engine.score(RISKY)
    with_dict = mikiwame.Engine(index_path, shop={"name": "s", "ships_to_forwarders": True})
    clone2 = pickle.loads(pickle.dumps(with_dict))
    order = {"order_id": "F", "buyer": {"name": "山田太郎", "address": "東京都大田区平和島3丁目5番2号"}}
    assert clone2.score(order) == with_dict.score(order)


def test_four_threads_share_one_engine(engine: mikiwame.Engine, example_orders: list[dict]) -> None:
    orders = [dict(o, order_id=f"{o['order_id']}-{i}") for i in range(200) for o in example_orders]
    orders.append(RISKY)
    expected = engine.score_batch(orders)
    readable = [o for o, a in zip(orders, expected) if a["error"] is None][-20:]
    results: list[object] = [None] * 4
    errors: list[BaseException] = []

    def work(slot: int) -> None:
        try:
            batch = engine.score_batch(orders)
            ones = [engine.score(o) for o in readable]
            checks = engine.check_address("東京都世田谷区池尻2-31-12-203")
            results[slot] = (batch, ones, checks["address_match"]["level"])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        assert r is not None
        batch, ones, level = r  # type: ignore[misc]
        assert batch == expected
        assert len(ones) == 20 and ones[-1]["address_match"]["level"] == "danger"
        assert level == "danger"


def test_version_and_columns() -> None:
    assert mikiwame.__version__
    assert mikiwame.ORDER_COLUMNS[0] == "order_id"
    assert "shipping_address" in mikiwame.ORDER_COLUMNS


def test_check_address_field_order(engine: mikiwame.Engine) -> None:
    assert list(engine.check_address("東京都世田谷区池尻2-31-12")) == ["input", "address_match", "forwarding"]


def test_walkthrough_runs(tmp_path: pathlib.Path) -> None:
    import subprocess
    import sys

    from conftest import EXAMPLES

    script = EXAMPLES / "python_walkthrough.py"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True, text=True, encoding="utf-8", timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "3000 orders in November" in done.stdout
    assert "fraud_address" in done.stdout
    assert (tmp_path / "fraud.idx").exists()
