"""mikiwame.train and mikiwame.evaluate: the training and evaluation reports as dicts."""

from __future__ import annotations

import json
import pathlib

import pytest

import mikiwame

from conftest import EXAMPLES


def _labelled(path: pathlib.Path, n: int = 200) -> pathlib.Path:
    # Celebrity names are fraud, ordinary names are not: the fitted weight of
    # celebrity_name must rise and the scores must separate the two.
    rows = []
    for i in range(n):
        fraud = i % 5 == 0
        rows.append(
            {
                "order_id": f"o{i}",
                "label": 1 if fraud else 0,
                "buyer": {
                    "name": "徳川家康" if fraud else "山本花子",
                    "email": f"buyer{i}@gmail.com",
                    "address": f"東京都世田谷区池尻1-{i % 30 + 1}-{i % 7 + 1}",
                },
            }
        )
    rows.append({"order_id": "bad", "label": 1, "amount": "高い"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_train_writes_a_model_the_engine_loads(tmp_path: pathlib.Path) -> None:
    labels = _labelled(tmp_path / "labels.jsonl")
    model = tmp_path / "model.toml"
    report = mikiwame.train(labels, model)
    assert report["orders"] == 200
    assert report["skipped"] == 1
    assert report["errors"][0]["field"] == "amount"
    assert report["converged"] is True
    assert model.read_text(encoding="utf-8").strip()
    trained = mikiwame.evaluate(labels, model=model)
    default = mikiwame.evaluate(labels)
    assert trained["orders"] == default["orders"] == 200
    # The trained model is calibrated on its own labels at least as well as the priors.
    assert trained["ece"] <= default["ece"] + 1e-9
    assert trained["roc_auc"] > 0.95


def test_evaluate_reports_every_metric(tmp_path: pathlib.Path, index_path: pathlib.Path) -> None:
    labels = _labelled(tmp_path / "labels.jsonl")
    r = mikiwame.evaluate(labels, index=index_path, shop=EXAMPLES / "shop.json")
    for key in ("orders", "fraud_rate", "roc_auc", "brier", "log_loss", "ece", "at_threshold", "reliability"):
        assert key in r, key
    assert abs(r["fraud_rate"] - 0.2) < 1e-9
    assert sum(b["count"] for b in r["reliability"]) == 200


def test_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        mikiwame.train(tmp_path / "missing.jsonl", tmp_path / "m.toml")
    with pytest.raises(FileNotFoundError):
        mikiwame.evaluate(tmp_path / "missing.jsonl")
    labels = _labelled(tmp_path / "labels.jsonl", n=20)
    with pytest.raises(mikiwame.InputError):
        mikiwame.train(labels, tmp_path / "m.toml", l2=-1.0)
    broken = tmp_path / "broken.idx"
    broken.write_bytes(b"not an index at all")
    with pytest.raises(mikiwame.IndexFormatError):
        mikiwame.evaluate(labels, index=broken)
