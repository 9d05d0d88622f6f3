//! Properties of scoring: a batch equals one-by-one apart from linking, linking does not
//! depend on batch order or thread count, scores stay in 0..=100, no input panics.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use mikiwame::engine::{Assessment, Engine};
use mikiwame::order::{parse_json_row, Item, Order, Party, Payment};
use mikiwame::score::Band;
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "佐藤花子",
    "鈴木一郎",
    "徳川家康",
    "真田幸村",
    "りるれれれ",
    "あわあわ",
    "テスト",
    "購入者",
    "John Smith",
    "asdf",
    "山田はなこ",
    "Lee",
];
const EMAILS: &[&str] = &[
    "a@gmail.com",
    "b@yahoo.co.jp",
    "test@test.com",
    "x7kq9zt2vw@mailinator.com",
    "c@docomo.ne.jp",
];
const PHONES: &[&str] = &[
    "090-3141-5926",
    "00-0000-0000",
    "080-2718-2818",
    "090-123",
    "03-5555-0123",
];
const ADDRESSES: &[&str] = &[
    "東京都世田谷区池尻1-2-3",
    "大阪府大阪市浪速区日本橋3-5-10",
    "北海道札幌市中央区北3条西6丁目1-2",
    "",
];
const CATEGORIES: &[&str] = &["gift_card", "book", "electronics", "game_currency", "food"];

fn opt<T: Clone + std::fmt::Debug + 'static>(
    values: &'static [T],
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(prop::sample::select(values))
}

fn party() -> impl Strategy<Value = Option<Party>> {
    prop::option::of(
        (
            opt(NAMES),
            opt(&["サトウハナコ", "トクガワイエヤス", "スズキ"][..]),
            opt(EMAILS),
            opt(PHONES),
            opt(ADDRESSES),
        )
            .prop_map(|(name, kana, email, phone, address)| Party {
                name: name.map(String::from),
                name_kana: kana.map(String::from),
                email: email.map(String::from),
                phone: phone.map(String::from),
                postal_code: None,
                address: address.map(String::from),
            }),
    )
}

prop_compose! {
    fn order()(
        buyer in party(),
        shipping in party(),
        minute in prop::option::of(0i64..(3 * 24 * 60)),
        created in prop::option::of(0i64..(3 * 24 * 60)),
        amount in prop::option::of(0.0f64..500_000.0),
        cats in prop::collection::vec(prop::sample::select(CATEGORIES), 0..3),
        card in opt(&["fp1", "fp2", "fp3"][..]),
        ip in opt(&["192.0.2.1", "192.0.2.2"][..]),
    ) -> Order {
        let ts = |m: i64| format!("2026-11-{:02}T{:02}:{:02}:00+09:00", 20 + m / 1440, (m / 60) % 24, m % 60);
        Order {
            order_id: String::new(),
            ordered_at: minute.map(ts),
            amount,
            currency: None,
            buyer,
            shipping,
            items: cats.into_iter().map(|c| Item { category: Some(c.into()), unit_price: Some(60_000.0), ..Default::default() }).collect(),
            payment: card.map(|c| Payment { card_fingerprint: Some(c.into()), ..Default::default() }),
            ip: ip.map(String::from),
            customer_id: None,
            account_created_at: created.map(ts),
        }
    }
}

fn batch() -> impl Strategy<Value = Vec<Order>> {
    prop::collection::vec(order(), 1..40).prop_map(|mut v| {
        for (i, o) in v.iter_mut().enumerate() {
            o.order_id = format!("o{i}");
        }
        v
    })
}

/// The parts of an assessment that do not depend on other orders.
fn solo_part(a: &Assessment) -> (Vec<String>, String, String) {
    let mut codes: Vec<String> = a
        .reasons
        .iter()
        .filter(|r| !r.code.is_linking())
        .map(|r| format!("{}:{}", r.code, r.points))
        .collect();
    codes.sort();
    (
        codes,
        format!("{:?}", a.data_quality),
        format!("{:?}{:?}", a.address_match, a.forwarding),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn batch_equals_one_by_one_apart_from_linking(orders in batch()) {
        let engine = Engine::new();
        let batch = engine.score_batch(&orders);
        prop_assert_eq!(batch.len(), orders.len());
        for (o, b) in orders.iter().zip(&batch) {
            let one = engine.score_one(o);
            prop_assert_eq!(one.order_id.as_deref(), Some(o.order_id.as_str()));
            prop_assert_eq!(solo_part(&one), solo_part(b));
            if !b.reasons.iter().any(|r| r.code.is_linking()) {
                prop_assert_eq!(&one, b);
            }
        }
    }

    #[test]
    fn linking_is_independent_of_order_and_threads(orders in batch(), seed in any::<u64>()) {
        let forward = Engine::new().with_threads(1).score_batch(&orders);
        let mut shuffled = orders.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let two = Engine::new().with_threads(2).score_batch(&shuffled);
        let by_id: HashMap<_, _> = two.iter().map(|a| (a.order_id.clone(), a)).collect();
        for a in &forward {
            prop_assert_eq!(Some(&a), by_id.get(&a.order_id));
        }
    }

    #[test]
    fn scores_in_range_and_bands_agree(orders in batch()) {
        for a in Engine::new().score_batch(&orders) {
            prop_assert!(a.score <= 100);
            prop_assert_eq!(a.band, Band::of(a.score));
            if a.score >= 10 { prop_assert!(a.alert); }
        }
    }

    #[test]
    fn no_text_panics(name in "\\PC{0,30}", phone in "\\PC{0,20}", email in "\\PC{0,30}",
                      address in "\\PC{0,60}", at in "\\PC{0,25}", amount in "\\PC{0,10}") {
        let json = serde_json::json!({
            "order_id": "p", "ordered_at": at, "amount": amount,
            "buyer": {"name": name, "name_kana": name, "email": email, "phone": phone, "address": address},
            "items": [{"category": name, "quantity": amount}]
        });
        let rows = vec![parse_json_row(&json.to_string(), 1)];
        let out = Engine::new().score_rows(&rows);
        prop_assert_eq!(out.len(), 1);
    }

    #[test]
    fn no_csv_record_panics(fields in prop::collection::vec("\\PC{0,30}", 0..30)) {
        let cols = mikiwame::order::CsvColumns::from_header(mikiwame::order::CSV_COLUMNS.iter().copied()).unwrap();
        let record = csv::StringRecord::from(fields);
        let rows = vec![cols.order(&record, 2)];
        prop_assert_eq!(Engine::new().score_rows(&rows).len(), 1);
    }

    #[test]
    fn no_timestamp_panics(s in "\\PC{0,40}") {
        let _ = mikiwame::timestamp::Timestamp::parse(&s);
    }

    #[test]
    fn no_bytes_panic(line in "\\PC{0,200}") {
        let out = Engine::new().score_rows(&[parse_json_row(&line, 1)]);
        prop_assert_eq!(out.len(), 1);
    }
}
