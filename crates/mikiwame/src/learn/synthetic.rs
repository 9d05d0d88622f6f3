//! Synthetic labelled data, drawn from known weights: **not real orders or real fraud**.
//!
//! For tests, benchmarks and the README walk-through, where the truth must be known to
//! check that training recovers it. Two generators:
//!
//! - [`feature_rows`] draws reason-code feature vectors directly (each code fires
//!   independently with its frequency) and labels each from the [`Truth`]'s logistic
//!   model: exact, for checking recovery of the weights.
//! - [`labelled_orders`] builds actual [`Order`]s whose attributes trigger signals (a
//!   celebrity name, a disposable email, gift cards, a night-time order …), runs them
//!   through the engine, and labels each from the truth applied to the codes that
//!   actually fired (linking codes that fire by chance, such as `name_series` between
//!   two celebrity-name orders on one evening, count with their true weight, 0 unless
//!   the truth gives one).
//!
//! Both are deterministic for a given seed (SplitMix64).

use crate::engine::{Engine, Features};
use crate::learn::Labelled;
use crate::order::{Item, Order, Party};
use crate::signals::{Hit, ReasonCode};

/// A small deterministic random number generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The known model that synthetic labels are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// The fraud rate with no signal.
    pub base_rate: f64,
    /// Per code: how often it fires (0..1) and its true weight (log-odds).
    pub codes: Vec<(ReasonCode, f64, f64)>,
}

impl Truth {
    /// A truth over 13 codes with frequencies of 1-20 % and weights from -0.5 to 5, so that
    /// scores spread over the whole 0..100 range; `fraud_address` fires with the graded
    /// strengths 1, 0.75 and 0.4.
    pub fn features_example() -> Truth {
        use ReasonCode::*;
        Truth {
            base_rate: 0.02,
            codes: vec![
                (FraudAddress, 0.03, 4.0),
                (KnownFraudCard, 0.01, 5.0),
                (ForwardingService, 0.05, 2.0),
                (DisposableEmail, 0.08, 1.5),
                (RandomEmail, 0.10, 0.8),
                (CelebrityName, 0.04, 2.5),
                (InvalidPhone, 0.06, 1.2),
                (HighRiskItems, 0.15, 1.3),
                (HighAmount, 0.12, 0.7),
                (NightOrder, 0.10, 0.6),
                (NewAccount, 0.20, 0.8),
                (BurstOrders, 0.03, 1.8),
                (BillingShippingMismatch, 0.10, -0.5),
            ],
        }
    }

    /// A truth over the codes that [`order`] can trigger from an order's own attributes.
    pub fn orders_example() -> Truth {
        use ReasonCode::*;
        Truth {
            base_rate: 0.02,
            codes: vec![
                (CelebrityName, 0.03, 2.8),
                (GibberishName, 0.02, 2.0),
                (NameMismatch, 0.05, 0.9),
                (DisposableEmail, 0.06, 1.6),
                (RandomEmail, 0.08, 0.8),
                (InvalidPhone, 0.05, 1.1),
                (HighRiskItems, 0.12, 1.4),
                (HighAmount, 0.10, 0.7),
                (NightOrder, 0.10, 0.6),
                (NewAccount, 0.15, 0.9),
                (BillingShippingMismatch, 0.10, 0.4),
            ],
        }
    }

    /// The true weight of `code` (0 when the truth does not name it).
    pub fn weight(&self, code: ReasonCode) -> f64 {
        self.codes
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or(0.0, |(_, _, w)| *w)
    }

    /// The true probability of fraud given the features.
    pub fn probability(&self, f: &Features) -> f64 {
        let z = (self.base_rate / (1.0 - self.base_rate)).ln()
            + f.hits
                .iter()
                .map(|h| self.weight(h.code) * h.strength)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// `n` feature vectors drawn from the truth's frequencies, each with a label drawn from the
/// truth's probability.
///
/// ```
/// use mikiwame::learn::synthetic::{feature_rows, Truth};
/// let rows = feature_rows(&Truth::features_example(), 1000, 1);
/// let fraud = rows.iter().filter(|(_, y)| *y).count();
/// assert!(fraud > 20 && fraud < 200);
/// ```
pub fn feature_rows(truth: &Truth, n: usize, seed: u64) -> Vec<(Features, bool)> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let mut hits = Vec::new();
            for &(code, freq, _) in &truth.codes {
                if rng.chance(freq) {
                    let strength = if code == ReasonCode::FraudAddress {
                        [1.0, 0.75, 0.4][rng.below(3) as usize]
                    } else {
                        1.0
                    };
                    hits.push(Hit { code, strength });
                }
            }
            let f = Features { hits };
            let fraud = rng.chance(truth.probability(&f));
            (f, fraud)
        })
        .collect()
}

const SURNAMES: [&str; 10] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
];
const GIVEN: [&str; 8] = [
    "花子", "一郎", "健太", "美咲", "大輔", "陽子", "翔太", "由美",
];
const CELEBRITIES: [&str; 4] = ["徳川家康", "坂本龍馬", "織田信長", "豊臣秀吉"];
const WARDS: [&str; 16] = [
    "世田谷区池尻",
    "港区芝公園",
    "渋谷区神宮前",
    "新宿区西新宿",
    "目黒区自由が丘",
    "杉並区高円寺南",
    "中野区中野",
    "練馬区豊玉北",
    "品川区大井",
    "大田区蒲田",
    "江東区豊洲",
    "台東区浅草",
    "文京区本郷",
    "豊島区池袋",
    "北区赤羽",
    "板橋区成増",
];

/// A block number unique to order `i` (up to 16 × 40³ = 1,024,000 orders, then reused),
/// so that orders do not link by address.
fn block(i: u64) -> (u64, u64, u64, &'static str) {
    (
        i % 40 + 1,
        (i / 40) % 40 + 1,
        (i / 1600) % 40 + 1,
        WARDS[((i / 64_000) % 16) as usize],
    )
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Order `i` with the attributes that trigger `codes` (among those of
/// [`Truth::orders_example`]; others are ignored). Orders are 40 to a day from 2025, with
/// unique addresses, emails and phones, so that they rarely link with each other.
///
/// ```
/// use mikiwame::engine::Engine;
/// use mikiwame::learn::synthetic::{order, Rng};
/// use mikiwame::signals::ReasonCode;
/// let o = order(5, &[ReasonCode::CelebrityName, ReasonCode::NightOrder], &mut Rng::new(1));
/// let f = &Engine::new().features_batch(&[o])[0];
/// assert_eq!(f.strength(ReasonCode::CelebrityName), 1.0);
/// assert_eq!(f.strength(ReasonCode::NightOrder), 1.0);
/// ```
pub fn order(i: u64, codes: &[ReasonCode], rng: &mut Rng) -> Order {
    use ReasonCode::*;
    let has = |c: ReasonCode| codes.contains(&c);
    let day = 20_089 + (i / 40) as i64; // 2025-01-01 + i/40 days
    let (y, m, d) = civil(day);
    let (cy, cm, cd) = civil(day - 30);
    let hour = if has(NightOrder) {
        1 + rng.below(4)
    } else {
        9 + rng.below(13)
    };
    let minute = rng.below(60);
    let ordered_at = format!("{y:04}-{m:02}-{d:02}T{hour:02}:{minute:02}:00+09:00");
    let account_created_at = if has(NewAccount) {
        format!("{y:04}-{m:02}-{d:02}T00:00:00+09:00")
    } else {
        format!("{cy:04}-{cm:02}-{cd:02}T12:00:00+09:00")
    };
    let surname = SURNAMES[rng.below(10) as usize];
    let given = GIVEN[rng.below(8) as usize];
    let (name, kana) = if has(CelebrityName) {
        (CELEBRITIES[rng.below(4) as usize].to_string(), None)
    } else if has(GibberishName) {
        ("ｱｱｱ".to_string(), None)
    } else if has(NameMismatch) {
        ("鈴木花子".to_string(), Some("サトウハナコ".to_string()))
    } else {
        (format!("{surname}{given}"), None)
    };
    let email = if has(DisposableEmail) {
        format!("hanako{i}@mailinator.com")
    } else if has(RandomEmail) {
        const CHARS: &[u8] = b"bcdfghjkmnpqrstvwxz";
        let s: String = (0..10)
            .map(|_| char::from(CHARS[rng.below(CHARS.len() as u64) as usize]))
            .collect();
        format!("{s}{}@gmail.com", i % 10)
    } else {
        format!("hanako.sato{i}@gmail.com")
    };
    let phone = if has(InvalidPhone) {
        "090-123-456".to_string()
    } else {
        format!("090-{}-{:04}", 3000 + (i / 10_000) % 7000, i % 10_000)
    };
    let (a, b, c, ward) = block(i);
    let address = format!("東京都{ward}{a}-{b}-{c}");
    let buyer = Party {
        name: Some(name),
        name_kana: kana,
        email: Some(email),
        phone: Some(phone),
        postal_code: None,
        address: Some(address),
    };
    let shipping = has(BillingShippingMismatch).then(|| Party {
        name: Some("田中一郎".into()),
        address: Some(format!("大阪府大阪市北区梅田{a}-{b}-{c}")),
        ..Party::default()
    });
    let mut items = vec![Item {
        sku: None,
        category: Some(
            if has(HighRiskItems) {
                "gift_card"
            } else {
                "book"
            }
            .into(),
        ),
        quantity: Some(1.0),
        unit_price: Some(3000.0),
    }];
    if has(HighAmount) {
        items.push(Item {
            sku: None,
            category: Some("book".into()),
            quantity: Some(3.0),
            unit_price: Some(40_000.0),
        });
    }
    Order {
        order_id: format!("S-{i}"),
        ordered_at: Some(ordered_at),
        amount: Some(
            items
                .iter()
                .map(|it| it.quantity.unwrap_or(1.0) * it.unit_price.unwrap_or(0.0))
                .sum(),
        ),
        buyer: Some(buyer),
        shipping,
        items,
        customer_id: Some(format!("c-{i}")),
        account_created_at: Some(account_created_at),
        ..Order::default()
    }
}

/// `n` synthetic orders (attributes drawn from the truth's frequencies), featurized by
/// `engine` in chunks of 65,536 and labelled from the truth over the codes that fired.
pub fn labelled_orders(engine: &Engine, truth: &Truth, n: usize, seed: u64) -> Vec<Labelled> {
    labelled_orders_range(engine, truth, 0..n, seed)
}

/// As [`labelled_orders`], for the orders numbered `range` (to write millions of orders
/// block by block with unique IDs and addresses).
pub fn labelled_orders_range(
    engine: &Engine,
    truth: &Truth,
    range: std::ops::Range<usize>,
    seed: u64,
) -> Vec<Labelled> {
    let mut rng = Rng::new(seed);
    let (mut start, n) = (range.start, range.end);
    let mut out = Vec::with_capacity(n.saturating_sub(start));
    while start < n {
        let end = (start + 65_536).min(n);
        let orders: Vec<Order> = (start..end)
            .map(|i| {
                let codes: Vec<ReasonCode> = truth
                    .codes
                    .iter()
                    .filter(|(_, freq, _)| rng.chance(*freq))
                    .map(|(c, _, _)| *c)
                    .collect();
                order(i as u64, &codes, &mut rng)
            })
            .collect();
        let features = engine.features_batch(&orders);
        for (order, f) in orders.into_iter().zip(&features) {
            let fraud = rng.chance(truth.probability(f));
            out.push(Labelled {
                order,
                fraud,
                weight: 1.0,
            });
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_089), (2025, 1, 1));
        assert_eq!(civil(20_089 + 59), (2025, 3, 1));
    }

    #[test]
    fn each_attribute_fires_its_code_and_only_it() {
        let engine = Engine::new().with_threads(1);
        let truth = Truth::orders_example();
        let mut rng = Rng::new(3);
        let plain: Vec<Order> = (0..50).map(|i| order(i, &[], &mut rng)).collect();
        for f in engine.features_batch(&plain) {
            assert!(f.hits.is_empty(), "{f:?}");
        }
        for (k, &(code, _, _)) in truth.codes.iter().enumerate() {
            let orders: Vec<Order> = (0..20)
                .map(|i| order(1000 * (k as u64 + 1) + 40 * i, &[code], &mut rng))
                .collect();
            for f in engine.features_batch(&orders) {
                assert!(f.strength(code) > 0.0, "{code}: {f:?}");
                assert_eq!(f.hits.len(), 1, "{code}: {f:?}");
            }
        }
    }
}
