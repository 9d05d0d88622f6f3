"""score_frame against a per-row Python loop and a pure-pandas address reference.

    python benches/python_bench.py [--rows 1000000] [--loop-sample 50000] [--repeats 3]

Needs the package installed (bindings/python/run-tests.sh leaves one in
bindings/python/.venv) and pandas. Prints medians and ratios as a Markdown table.

- score_frame: Engine.score_frame on the whole DataFrame (flattened order columns);
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
import random
import statistics
import tempfile
import time

import pandas as pd

import mikiwame

REPO = pathlib.Path(__file__).resolve().parents[1]


def make_orders(n: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    towns = ["東京都世田谷区池尻", "大阪府大阪市北区梅田", "福岡県福岡市中央区天神",
             "北海道札幌市中央区北一条西", "愛知県名古屋市中村区名駅", "東京都大田区平和島"]
    names = ["佐藤花子", "鈴木一郎", "高橋由美", "田中健", "伊藤真理", "徳川家康", "テスト太郎"]
    cats = ["book", "apparel", "kitchen", "gift_card", "electronics"]
    k = 4096  # a pool of distinct rows, repeated with distinct IDs: building 1M rows in Python is slow
    pool = []
    for _ in range(k):
        pool.append((
            f"2026-11-{rng.randint(1, 30):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+09:00",
            rng.randint(5, 500) * 100,
            rng.choice(names),
            f"user{rng.randint(1, 100000)}@example.jp",
            f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            f"{rng.choice(towns)}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号 "
            f"ハイツ{rng.randint(101, 509)}",
            rng.choice(cats),
        ))
    idx = [rng.randrange(k) for _ in range(n)]
    cols = list(zip(*[pool[i] for i in idx]))
    return pd.DataFrame({
        "order_id": [f"O-{i}" for i in range(n)],
        "ordered_at": cols[0],
        "amount": cols[1],
        "buyer_name": cols[2],
        "buyer_email": cols[3],
        "buyer_phone": cols[4],
        "buyer_address": cols[5],
        "item_category": cols[6],
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

    frame_s = median_time(lambda: engine.score_frame(df), args.repeats)
    sample = df.head(min(args.loop_sample, len(df))).to_dict("records")

    def loop() -> None:
        for row in sample:
            engine.score(order_of(row))

    loop_s = median_time(loop, args.repeats) * len(df) / len(sample)
    pandas_s = median_time(lambda: pandas_reference(df), args.repeats)

    print(f"rows: {len(df):,}; cores: {os.cpu_count()}; repeats: {args.repeats} (medians)")
    print(f"per-row loop timed on {len(sample):,} rows and scaled to {len(df):,}")
    print()
    print("| method | seconds | rows/s | vs score_frame |")
    print("|---|---:|---:|---:|")
    for name, s in [("score_frame", frame_s), ("per-row loop of score()", loop_s),
                    ("pandas str reference (address only)", pandas_s)]:
        print(f"| {name} | {s:.2f} | {len(df) / s:,.0f} | {s / frame_s:.1f}x |")


if __name__ == "__main__":
    main()
