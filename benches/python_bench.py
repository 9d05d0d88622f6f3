"""score_frame against a per-row Python loop and a pure-pandas address reference.

    python benches/python_bench.py [--rows 1000000] [--loop-sample 50000] [--repeats 3]

Needs the package installed (bindings/python/run-tests.sh leaves one in
bindings/python/.venv) and pandas. Prints medians and ratios as a Markdown table.

- score_frame: Engine.score_frame on the whole DataFrame (flattened order columns);
- score_frame, columns as lists: the same with every column handed over as a Python list
  (its path without pyarrow), alternated run by run with the one above;
- per-row loop: `for row in df.to_dict("records"): engine.score(order_of(row))`, timed on a
  sample of --loop-sample rows and scaled to --rows (the full loop takes minutes);
- pandas reference: only normalizes the address column with vectorized `str` methods
  (NFKC, hyphen variants, 丁目/番/号 to hyphens) - far less than an assessment, a floor for
  "what pandas alone costs".
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import tempfile
import time

# numpy's OpenBLAS threads spin for a while after each numpy call (generating the frame)
# and would take CPU from the scoring threads being measured.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

import mikiwame  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]


def make_orders(n: int, seed: int = 7) -> pd.DataFrame:
    """n orders with mostly distinct contacts and addresses (as in a real month), built
    column-wise with numpy so that a million rows take seconds."""
    import numpy as np

    rng = np.random.default_rng(seed)
    towns = np.array(["東京都世田谷区池尻", "大阪府大阪市北区梅田", "福岡県福岡市中央区天神",
                      "北海道札幌市中央区北一条西", "愛知県名古屋市中村区名駅", "宮城県仙台市青葉区一番町",
                      "東京都新宿区西新宿", "神奈川県横浜市西区みなとみらい"])
    names = np.array(["佐藤花子", "鈴木一郎", "高橋由美", "田中健", "伊藤真理", "渡辺大輔", "山本彩",
                      "中村翔", "小林優子", "加藤誠", "徳川家康", "テスト太郎"])
    cats = np.array(["book", "apparel", "kitchen", "gift_card", "electronics", "toys"])

    def ints(lo: int, hi: int) -> pd.Series:
        return pd.Series(rng.integers(lo, hi, n)).astype(str)

    address = (pd.Series(towns[rng.integers(0, len(towns), n)]) + ints(1, 6) + "丁目"
               + ints(1, 31) + "番" + ints(1, 21) + "号 ハイツ" + ints(101, 510))
    return pd.DataFrame({
        "order_id": "O-" + pd.Series(np.arange(n)).astype(str),
        "ordered_at": "2026-11-" + ints(10, 31) + "T" + ints(10, 24) + ":" + ints(10, 60) + ":00+09:00",
        "amount": rng.integers(5, 500, n) * 100,
        "buyer_name": names[rng.integers(0, len(names), n)],
        "buyer_email": "user" + ints(1, 50_000_000) + "@example.jp",
        "buyer_phone": "090-" + ints(1000, 10000) + "-" + ints(1000, 10000),
        "buyer_address": address,
        "item_category": cats[rng.integers(0, len(cats), n)],
        "item_quantity": 1,
    })


def order_of(row: dict) -> dict:
    return {
        "order_id": row["order_id"],
        "ordered_at": row["ordered_at"],
        "amount": row["amount"],
        "buyer": {"name": row["buyer_name"], "email": row["buyer_email"],
                  "phone": row["buyer_phone"], "address": row["buyer_address"]},
        "items": [{"category": row["item_category"], "quantity": row["item_quantity"]}],
    }


def pandas_reference(df: pd.DataFrame) -> pd.Series:
    s = df["buyer_address"].str.normalize("NFKC")
    s = s.str.replace(r"[‐‑‒–—―−ー－]", "-", regex=True)
    s = s.str.replace(r"(\d+)丁目(\d+)番地?(\d+)号?", r"\1-\2-\3", regex=True)
    return s.str.replace(r"\s+", "", regex=True)


def median_time(f, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--loop-sample", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="mikiwame-bench-"))
    mikiwame.build_index(work / "fraud.idx", fraud=REPO / "examples/fraud_records.csv",
                         forwarders=REPO / "examples/forwarders.csv")
    engine = mikiwame.Engine(work / "fraud.idx", shop=REPO / "examples/shop.json")
    df = make_orders(args.rows)

    # score_frame as it runs (Arrow columns read in place) and with every column passed as
    # a Python list (its path without pyarrow), alternated run by run.
    from mikiwame import _frame

    arrow = _frame._pyarrow

    def by_lists() -> None:
        _frame._pyarrow = lambda: None
        try:
            engine.score_frame(df)
        finally:
            _frame._pyarrow = arrow

    frame_times: list[float] = []
    lists_times: list[float] = []
    for _ in range(args.repeats):
        frame_times.append(median_time(lambda: engine.score_frame(df), 1))
        lists_times.append(median_time(by_lists, 1))
    frame_s = statistics.median(frame_times)
    lists_s = statistics.median(lists_times)
    sample = df.head(min(args.loop_sample, len(df))).to_dict("records")

    def loop() -> None:
        for row in sample:
            engine.score(order_of(row))

    loop_s = median_time(loop, args.repeats) * len(df) / len(sample)
    pandas_s = median_time(lambda: pandas_reference(df), args.repeats)

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"rows: {len(df):,}; cores: {os.cpu_count()}; repeats: {args.repeats} (medians); "
          f"load average at the end: {load}")
    print(f"per-row loop timed on {len(sample):,} rows and scaled to {len(df):,}")
    print()
    print("| method | seconds | rows/s | vs score_frame |")
    print("|---|---:|---:|---:|")
    for name, s in [("score_frame", frame_s), ("score_frame, columns as lists", lists_s),
                    ("per-row loop of score()", loop_s),
                    ("pandas str reference (address only)", pandas_s)]:
        print(f"| {name} | {s:.2f} | {len(df) / s:,.0f} | {s / frame_s:.1f}x |")


if __name__ == "__main__":
    main()
