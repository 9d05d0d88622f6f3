"""Shared fixtures: an index built from the repository's example files."""

from __future__ import annotations

import pathlib

import pytest

import mikiwame

REPO = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("index") / "fraud.idx"
    mikiwame.build_index(
        out,
        fraud=EXAMPLES / "fraud_records.csv",
        forwarders=[EXAMPLES / "forwarders.csv"],
    )
    return out


@pytest.fixture(scope="session")
def engine(index_path: pathlib.Path) -> mikiwame.Engine:
    return mikiwame.Engine(index_path, shop=EXAMPLES / "shop.json")


@pytest.fixture(scope="session")
def example_orders() -> list[dict]:
    import json

    lines = (EXAMPLES / "orders.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
