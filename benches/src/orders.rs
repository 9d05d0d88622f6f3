//! A deterministic generator of realistic orders (for the scoring benches).
//!
//! About one order in twenty carries a fraud pattern (celebrity or joke name at night,
//! gift cards, a shared drop address, a reused card), so that every signal family and
//! the linking do real work.

use mikiwame::order::{Item, Order, Party, Payment};

const FAMILY: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
];
const FAMILY_KANA: &[&str] = &[
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマダ",
];
const GIVEN: &[&str] = &[
    "花子", "太郎", "健太", "美咲", "大輔", "陽子", "翔太", "由美",
];
const GIVEN_KANA: &[&str] = &[
    "ハナコ",
    "タロウ",
    "ケンタ",
    "ミサキ",
    "ダイスケ",
    "ヨウコ",
    "ショウタ",
    "ユミ",
];
const JOKES: &[&str] = &[
    "徳川家康",
    "真田幸村",
    "りるれれれ",
    "あわあわ",
    "テスト",
    "坂本龍馬",
];
const CITIES: &[&str] = &[
    "東京都世田谷区池尻",
    "大阪府大阪市北区梅田",
    "北海道札幌市中央区北三条西",
    "福岡県福岡市中央区天神",
    "愛知県名古屋市中区栄",
];
const CATEGORIES: &[&str] = &[
    "book",
    "apparel",
    "food",
    "kitchen",
    "cosmetics",
    "gift_card",
    "electronics",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.co.jp",
    "docomo.ne.jp",
    "icloud.com",
    "mailinator.com",
];

/// A small deterministic generator (xorshift), so that runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

/// `n` generated orders, the same for the same `seed`.
pub fn generate_orders(n: usize, seed: u64) -> Vec<Order> {
    let mut r = Rng(seed | 1);
    (0..n)
        .map(|i| {
            let fraud = r.below(20) == 0;
            let f = r.below(FAMILY.len());
            let g = r.below(GIVEN.len());
            let (name, kana) = if fraud {
                (r.pick(JOKES).to_string(), None)
            } else {
                (
                    format!("{}{}", FAMILY[f], GIVEN[g]),
                    Some(format!("{}{}", FAMILY_KANA[f], GIVEN_KANA[g])),
                )
            };
            let minute = r.below(24 * 60);
            let address = if fraud {
                "大阪府大阪市浪速区日本橋3-5-10".to_string()
            } else {
                format!(
                    "{}{}-{}-{} {}号室",
                    r.pick(CITIES),
                    1 + r.below(9),
                    1 + r.below(60),
                    1 + r.below(40),
                    101 + r.below(900)
                )
            };
            let category = if fraud {
                "gift_card"
            } else {
                r.pick(CATEGORIES)
            };
            Order {
                order_id: format!("G-{i}"),
                ordered_at: Some(format!(
                    "2026-11-20T{:02}:{:02}:00+09:00",
                    minute / 60,
                    minute % 60
                )),
                amount: Some((1 + r.below(100)) as f64 * 980.0),
                currency: Some("JPY".into()),
                buyer: Some(Party {
                    name: Some(name),
                    name_kana: kana,
                    email: Some(format!("user{}@{}", r.below(n.max(1) * 2), r.pick(DOMAINS))),
                    phone: Some(format!(
                        "090-{:04}-{:04}",
                        1000 + r.below(9000),
                        1000 + r.below(9000)
                    )),
                    postal_code: None,
                    address: Some(address),
                }),
                shipping: None,
                items: vec![Item {
                    sku: Some(format!("SKU-{}", r.below(500))),
                    category: Some(category.into()),
                    quantity: Some(1.0 + r.below(3) as f64),
                    unit_price: Some(980.0 * (1 + r.below(60)) as f64),
                }],
                payment: Some(Payment {
                    method: Some("card".into()),
                    card_bin: Some("411111".into()),
                    card_fingerprint: Some(format!(
                        "fp-{}",
                        if fraud { 7 } else { r.below(n.max(1) * 2) }
                    )),
                }),
                ip: Some(format!("198.51.{}.{}", r.below(256), r.below(256))),
                customer_id: Some(format!("c-{}", r.below(n.max(1)))),
                account_created_at: Some("2025-01-01T00:00:00+09:00".into()),
            }
        })
        .collect()
}
