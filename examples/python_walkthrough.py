# %% [markdown]
# # mikiwame from Python: a walk-through
#
# A notebook-style script (cells marked `# %%`; open it in Jupyter or VS Code, or run it with
# `python examples/python_walkthrough.py`). It needs `pip install ./bindings/python pandas`.
#
# 1. build a fraud index from a chargeback export (CSV),
# 2. score a month of orders (generated here) as one DataFrame,
# 3. look at the alerts, by reason.

# %%
from __future__ import annotations

import pathlib
import random
import sys
import tempfile

import pandas as pd

import mikiwame

EXAMPLES = pathlib.Path(__file__).resolve().parent
work = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="mikiwame-"))
work.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. The chargeback export becomes an index
# Each row of a chargeback report names what the fraudster used: the shipping address, the
# email, the phone, the card fingerprint. Rows that cannot be used are reported, not fatal.

# %%
chargebacks = work / "chargebacks.csv"
chargebacks.write_text(
    (EXAMPLES / "fraud_records.csv").read_text(encoding="utf-8")
    + "東京都新宿区西新宿2丁目8番1号 パークサイド1205,gc.reseller@example.net,,,2026-10-02,shop-a,chargeback: gift cards\n"
    + ",,,,2026-10-03,shop-a,an empty row: rejected\n",
    encoding="utf-8",
)
summary = mikiwame.build_index(
    work / "fraud.idx", fraud=chargebacks, forwarders=EXAMPLES / "forwarders.csv"
)
print(f"index: {summary['records']} fraud records, {summary['forwarders']} forwarders, "
      f"{summary['rejected']} rejected rows")
for r in summary["rejections"]:
    print(f"  rejected row {r['row']} ({r['field'] or 'row'}): {r['reason']}")

# %% [markdown]
# ## 2. A month of orders
# Mostly ordinary orders, with a few that look like the chargebacks: the same rooms written
# another way, forwarding services, gift cards at night, made-up names.

# %%
rng = random.Random(2026)
towns = [
    ("東京都世田谷区池尻", "154-0001"), ("大阪府大阪市北区梅田", "530-0001"),
    ("福岡県福岡市中央区天神", "810-0001"), ("北海道札幌市中央区北一条西", "060-0001"),
    ("愛知県名古屋市中村区名駅", "450-0002"), ("宮城県仙台市青葉区一番町", "980-0811"),
]
names = ["佐藤花子", "鈴木一郎", "高橋由美", "田中健", "伊藤真理", "渡辺大輔", "山本彩", "中村翔"]
categories = ["book", "apparel", "kitchen", "toys", "electronics", "gift_card"]
risky_addresses = [
    "東京都世田谷区池尻二丁目31番12号 メゾン池尻203号室",  # a chargeback room, written differently
    "東京都大田区平和島3-5-2 平和島ロジベースC棟4F HPF-123456",  # a forwarding service
    "東京都新宿区西新宿2-8-1-1205",  # another chargeback room
]
rows = []
for i in range(3000):
    day, hour = rng.randint(1, 30), rng.choice(range(24))
    town, postal = rng.choice(towns)
    address = f"{town}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    name, category, quantity = rng.choice(names), rng.choice(categories[:-1]), 1
    if i % 97 == 0:  # about 1 in 100 looks like the fraud in the export
        address, postal = rng.choice(risky_addresses), None
        category, quantity, hour = "gift_card", rng.randint(3, 10), rng.choice([2, 3, 4])
    if i % 211 == 0:
        name = rng.choice(["徳川家康", "テスト太郎", "あああ"])
    price = 10000 if category == "gift_card" else rng.randint(8, 200) * 100
    rows.append({
        "order_id": f"N-{i + 1:05d}",
        "ordered_at": f"2026-11-{day:02d}T{hour:02d}:{rng.randint(0, 59):02d}:00+09:00",
        "amount": price * quantity,
        "buyer_name": name,
        "buyer_email": f"user{rng.randint(1, 2500)}@example.jp",
        "buyer_phone": f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        "buyer_postal_code": postal,
        "buyer_address": address,
        "item_category": category,
        "item_quantity": quantity,
        "item_unit_price": price,
    })
orders = pd.DataFrame(rows)
print(f"{len(orders)} orders in November")

# %% [markdown]
# ## 3. Score the whole month at once
# `score_frame` reads the columns in Rust, scores on every core and returns one row per
# order, aligned with the input.

# %%
engine = mikiwame.Engine(work / "fraud.idx", shop=EXAMPLES / "shop.json")
scored = orders.join(engine.score_frame(orders).drop(columns="order_id"))
alerts = scored[scored["alert"].fillna(False)]
print(f"{len(alerts)} alerts ({len(alerts) / len(scored):.1%}); by band:")
print(alerts["band"].value_counts().to_string())

# %% [markdown]
# ## 4. Alerts by reason
# One order has several reasons; `explode` gives one row per (order, reason).

# %%
by_reason = alerts.explode("reasons").groupby("reasons").agg(
    orders=("order_id", "count"), mean_score=("score", "mean")
).sort_values("orders", ascending=False)
print(by_reason.to_string())

# %%
print("address grades of the alerts:")
print(alerts["address_match"].value_counts().to_string())
print("the ten highest scores:")
print(alerts.sort_values("score", ascending=False)
      [["order_id", "score", "address_match", "forwarding", "buyer_address"]].head(10).to_string())

# %% [markdown]
# ## 5. One order, in full
# `score` returns the same fields as `mikiwame score` (JSON), with the points of each reason.

# %%
first = alerts.iloc[0]
print(engine.score({"order_id": first["order_id"],
                    "buyer": {"name": first["buyer_name"], "address": first["buyer_address"]}}))
print(engine.check_address(risky_addresses[0]))
