//! Tests of the index as a whole: grades, forwarding, contacts, the file format, and a
//! model-based property test.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;
use crate::address::{Address, Floor};
use crate::Error;

fn place(
    pref: &str,
    city: &str,
    town: &str,
    chome: Option<u32>,
    banchi: u32,
    go: Option<u32>,
) -> Address {
    Address {
        prefecture: Some(pref.to_string().into()),
        city: Some(city.to_string().into()),
        town: Some(town.into()),
        chome,
        banchi: Some(banchi),
        go,
        ..Default::default()
    }
}

fn ikejiri(chome: u32, banchi: u32, go: u32) -> Address {
    place("東京都", "世田谷区", "池尻", Some(chome), banchi, Some(go))
}

fn room(mut a: Address, r: &str) -> Address {
    a.room = Some(r.into());
    a
}

fn fraud_at(a: Address) -> FraudRecord {
    FraudRecord {
        address: Some(a),
        recorded_at: Some("2026-10-01".into()),
        source: Some("shop-a".into()),
        note: Some("chargeback".into()),
        ..Default::default()
    }
}

fn index_of(records: &[FraudRecord], forwarders: &[Forwarder]) -> Index {
    let mut b = IndexBuilder::new();
    for r in records {
        assert!(b.add_fraud(r));
    }
    for f in forwarders {
        assert!(b.add_forwarder(f));
    }
    let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
    index.verify().unwrap();
    index
}

fn level(index: &Index, a: &Address) -> Grade {
    index.check(a).address_match.level
}

#[test]
fn danger_is_the_same_unit() {
    let index = index_of(&[fraud_at(room(ikejiri(1, 2, 3), "101"))], &[]);
    let m = index.check(&room(ikejiri(1, 2, 3), "101")).address_match;
    assert_eq!((m.level, m.stars), (Grade::Danger, 3));
    assert_eq!(m.records[0].recorded_at.as_deref(), Some("2026-10-01"));
    assert_eq!(m.records[0].source.as_deref(), Some("shop-a"));
    assert_eq!(m.records[0].note.as_deref(), Some("chargeback"));
    assert_eq!(m.records[0].grade, Grade::Danger);
    // A numbered room says where it is: a floor written with it changes nothing (as in
    // `Address::unit_key`).
    let mut floor = room(ikejiri(1, 2, 3), "101");
    floor.floor = Some(Floor(1));
    assert_eq!(level(&index, &floor), Grade::Danger);
    // Without a number in the room, the floor tells units apart.
    let at_floor = |f| {
        let mut a = room(ikejiri(1, 2, 3), "A");
        a.floor = Some(Floor(f));
        a
    };
    let index = index_of(&[fraud_at(at_floor(-1))], &[]);
    assert_eq!(level(&index, &at_floor(-1)), Grade::Danger);
    assert_eq!(level(&index, &at_floor(1)), Grade::Caution);
}

#[test]
fn detached_house_matches_completely() {
    let index = index_of(&[fraud_at(ikejiri(1, 2, 3))], &[]);
    assert_eq!(level(&index, &ikejiri(1, 2, 3)), Grade::Danger);
    // A room at the same plot is the same building, another unit.
    assert_eq!(
        level(&index, &room(ikejiri(1, 2, 3), "201")),
        Grade::Caution
    );
}

#[test]
fn caution_is_the_same_block() {
    let index = index_of(&[fraud_at(room(ikejiri(1, 2, 3), "101"))], &[]);
    let m = index.check(&room(ikejiri(1, 2, 3), "202")).address_match;
    assert_eq!((m.level, m.stars), (Grade::Caution, 2));
    assert_eq!(m.records.len(), 1);
    assert_eq!(level(&index, &ikejiri(1, 2, 3)), Grade::Caution);
}

#[test]
fn warning_boundaries() {
    let index = index_of(&[fraud_at(room(ikejiri(1, 5, 3), "101"))], &[]);
    // Same 番, another 号.
    assert_eq!(level(&index, &ikejiri(1, 5, 4)), Grade::Warning);
    let mut no_go = ikejiri(1, 5, 1);
    no_go.go = None;
    assert_eq!(level(&index, &no_go), Grade::Warning);
    // 番 ±1 in, ±2 out.
    assert_eq!(level(&index, &ikejiri(1, 4, 9)), Grade::Warning);
    assert_eq!(level(&index, &ikejiri(1, 6, 1)), Grade::Warning);
    assert_eq!(level(&index, &ikejiri(1, 3, 3)), Grade::None);
    assert_eq!(level(&index, &ikejiri(1, 7, 3)), Grade::None);
    // Another 丁目 is never near, even with the same 番 and 号.
    assert_eq!(level(&index, &ikejiri(2, 5, 3)), Grade::None);
    assert_eq!(level(&index, &room(ikejiri(2, 5, 3), "101")), Grade::None);
    let mut no_chome = ikejiri(1, 5, 3);
    no_chome.chome = None;
    assert_eq!(level(&index, &no_chome), Grade::None);
    // The same town name in another city is never near.
    let index = index_of(
        &[fraud_at(place(
            "東京都",
            "渋谷区",
            "本町",
            Some(1),
            5,
            Some(3),
        ))],
        &[],
    );
    let other_city = place("東京都", "中野区", "本町", Some(1), 5, Some(3));
    assert_eq!(level(&index, &other_city), Grade::None);
    let other_pref = place("大阪府", "大阪市中央区", "本町", Some(1), 5, Some(3));
    assert_eq!(level(&index, &other_pref), Grade::None);
    assert_eq!(
        level(
            &index,
            &place("東京都", "渋谷区", "本町", Some(1), 5, Some(3))
        ),
        Grade::Danger
    );
}

#[test]
fn near_banchi_is_configurable_and_banchi_one_has_no_zero_neighbour_issue() {
    let index = index_of(&[fraud_at(ikejiri(1, 1, 3))], &[]);
    let exact = CheckOptions {
        near_banchi: 0,
        ..Default::default()
    };
    let wide = CheckOptions {
        near_banchi: 2,
        ..Default::default()
    };
    let at = |i: &Index, a: &Address, o: &CheckOptions| i.check_with(a, o).address_match.level;
    assert_eq!(at(&index, &ikejiri(1, 2, 1), &exact), Grade::None);
    assert_eq!(at(&index, &ikejiri(1, 1, 1), &exact), Grade::Warning);
    assert_eq!(at(&index, &ikejiri(1, 3, 1), &wide), Grade::Warning);
    assert_eq!(at(&index, &ikejiri(1, 4, 1), &wide), Grade::None);
    assert_eq!(level(&index, &ikejiri(1, 2, 1)), Grade::Warning);
    let max = CheckOptions {
        near_banchi: u32::MAX,
        ..Default::default()
    };
    assert_eq!(at(&index, &ikejiri(1, 4000, 1), &max), Grade::Warning);
    assert_eq!(at(&index, &ikejiri(2, 4000, 1), &max), Grade::None);
}

#[test]
fn many_units_in_one_building_stay_bounded_and_graded() {
    let records: Vec<_> = (100..400)
        .map(|r| fraud_at(room(ikejiri(1, 2, 3), &r.to_string())))
        .collect();
    let index = index_of(&records, &[]);
    let m = index.check(&room(ikejiri(1, 2, 3), "999")).address_match;
    assert_eq!(m.level, Grade::Caution);
    // All records share one description: it is listed once.
    assert_eq!(m.records.len(), 1);
    assert_eq!(level(&index, &ikejiri(1, 2, 4)), Grade::Warning);
    assert_eq!(level(&index, &room(ikejiri(1, 2, 3), "250")), Grade::Danger);
}

#[test]
fn records_come_strongest_first_and_duplicates_merge() {
    let mut a = fraud_at(room(ikejiri(1, 2, 3), "101"));
    let mut b = fraud_at(room(ikejiri(1, 2, 3), "101"));
    b.source = Some("shop-b".into());
    let mut c = fraud_at(ikejiri(1, 2, 4));
    c.source = Some("shop-c".into());
    a.note = Some("first".into());
    let index = index_of(&[a.clone(), a.clone(), b, c], &[]);
    let m = index.check(&room(ikejiri(1, 2, 3), "101")).address_match;
    assert_eq!(m.level, Grade::Danger);
    let sources: Vec<_> = m
        .records
        .iter()
        .map(|r| (r.grade, r.source.clone().unwrap()))
        .collect();
    assert_eq!(
        sources,
        vec![
            (Grade::Danger, "shop-a".to_string()),
            (Grade::Danger, "shop-b".to_string()),
            (Grade::Warning, "shop-c".to_string()),
        ]
    );
    assert_eq!(index.info().records, 4);
    assert_eq!(index.info().record_entries, 3);
    assert_eq!(index.info().keys["address_unit"], 2);
}

#[test]
fn old_records_are_down_weighted_or_ignored() {
    let mut old = fraud_at(room(ikejiri(1, 2, 3), "101"));
    old.recorded_at = Some("2020-01-01".into());
    let mut undated = fraud_at(room(ikejiri(1, 9, 3), "101"));
    undated.recorded_at = Some("long ago".into());
    let index = index_of(&[old, undated], &[]);
    let base = CheckOptions {
        max_age_days: Some(365),
        ..CheckOptions::default().with_today("2026-11-21").unwrap()
    };
    let down = |a: &Address| index.check_with(a, &base).address_match;
    let ignore = CheckOptions {
        old_records: OldRecords::Ignore,
        ..base.clone()
    };
    let target = room(ikejiri(1, 2, 3), "101");
    assert_eq!(level(&index, &target), Grade::Danger);
    let m = down(&target);
    assert_eq!(m.level, Grade::Caution);
    assert!(m.records[0].old);
    assert_eq!(down(&ikejiri(1, 2, 3)).level, Grade::Warning);
    assert_eq!(down(&ikejiri(1, 2, 5)).level, Grade::None);
    assert_eq!(
        index.check_with(&target, &ignore).address_match.level,
        Grade::None
    );
    // No readable date: never old.
    assert_eq!(down(&room(ikejiri(1, 9, 3), "101")).level, Grade::Danger);
    // Young enough.
    let lenient = CheckOptions {
        max_age_days: Some(3650),
        ..base.clone()
    };
    assert_eq!(
        index.check_with(&target, &lenient).address_match.level,
        Grade::Danger
    );
    // Ages beyond any date make nothing old (they wrapped around and made all old).
    for days in [i32::MAX as u32, i32::MAX as u32 + 30_000, u32::MAX] {
        let forever = CheckOptions {
            max_age_days: Some(days),
            ..ignore.clone()
        };
        assert_eq!(
            index.check_with(&target, &forever).address_match.level,
            Grade::Danger,
            "{days}"
        );
    }
}

fn forwarder() -> Forwarder {
    let mut address = place("東京都", "大田区", "平和島", Some(2), 1, Some(1));
    address.building = Some("東京流通センター B棟".into());
    address.input = "東京都大田区平和島2-1-1 東京流通センターB棟".into();
    Forwarder {
        name: "Example Forwarding".into(),
        address,
        code_pattern: Some(r"EXF-?\d{6}".into()),
    }
}

#[test]
fn forwarding_service_and_possible_signs() {
    let index = index_of(&[], &[forwarder()]);
    let fwd = |a: &Address| index.check(a).forwarding;
    let heiwajima =
        |chome, banchi, go| place("東京都", "大田区", "平和島", Some(chome), banchi, Some(go));

    let f = fwd(&heiwajima(2, 1, 1));
    assert_eq!(f.level, ForwardingLevel::Service);
    assert_eq!(f.service.as_deref(), Some("Example Forwarding"));
    assert_eq!(f.signs, vec!["forwarder_block"]);

    // Neighbouring block: ±1 番 or the same 番 with another 号.
    for a in [heiwajima(2, 2, 5), heiwajima(2, 1, 9)] {
        let f = fwd(&a);
        assert_eq!(f.level, ForwardingLevel::Possible, "{a:?}");
        assert_eq!(f.signs, vec!["forwarder_neighbour"]);
    }
    assert_eq!(fwd(&heiwajima(2, 3, 1)).level, ForwardingLevel::None);
    assert_eq!(fwd(&heiwajima(1, 1, 1)).level, ForwardingLevel::None);

    // The forwarder's building, written at a wrong lot number.
    let mut b = heiwajima(5, 9, 9);
    b.building = Some("東京流通センターB棟".into());
    assert_eq!(fwd(&b).signs, vec!["forwarder_building"]);
    assert_eq!(fwd(&b).level, ForwardingLevel::Possible);
    // Written in full width and with a space: still the building.
    b.building = Some("東京流通センター　Ｂ棟".into());
    assert_eq!(fwd(&b).signs, vec!["forwarder_building"]);
    // The same name in another town is another building.
    let mut elsewhere = place("東京都", "大田区", "大森北", Some(5), 9, Some(9));
    elsewhere.building = Some("東京流通センターB棟".into());
    assert_eq!(fwd(&elsewhere).level, ForwardingLevel::None);

    // The forwarder's customer code anywhere in the text.
    let mut c = place("東京都", "世田谷区", "池尻", Some(1), 2, Some(3));
    c.input = "東京都世田谷区池尻1-2-3 EXF-123456".into();
    let f = fwd(&c);
    assert_eq!(f.level, ForwardingLevel::Possible);
    assert!(f.signs.contains(&"customer_code".to_string()));
    assert_eq!(f.service.as_deref(), Some("Example Forwarding"));
}

#[test]
fn generic_codes_and_words_without_known_forwarders() {
    let index = index_of(&[fraud_at(ikejiri(9, 9, 9))], &[]);
    let mut a = ikejiri(1, 2, 3);
    a.input = "東京都世田谷区池尻1-2-3 SR123456".into();
    let f = index.check(&a).forwarding;
    assert_eq!(
        (f.level, f.signs.clone()),
        (ForwardingLevel::Possible, vec!["customer_code".to_string()])
    );
    // Not after an otherwise complete address: no sign.
    let incomplete = Address {
        input: "SR123456".into(),
        ..Default::default()
    };
    assert_eq!(
        index.check(&incomplete).forwarding.level,
        ForwardingLevel::None
    );
    for text in [
        "東京都大田区平和島1-1-1 ABC物流センター 転送",
        "1-1 Heiwajima c/o Warehouse",
    ] {
        let w = Address {
            input: text.into(),
            ..Default::default()
        };
        let f = index.check(&w).forwarding;
        assert_eq!(f.level, ForwardingLevel::Possible, "{text}");
        assert_eq!(f.signs, vec!["forwarding_words"]);
    }
    let mut plain = room(ikejiri(1, 2, 3), "101");
    plain.input = "東京都世田谷区池尻1-2-3 ハイツ池尻101".into();
    assert_eq!(index.check(&plain).forwarding, Forwarding::default());
}

#[test]
fn forwarding_id_is_the_unit() {
    let customer = |id: &str| {
        let mut a = place("東京都", "大田区", "平和島", Some(2), 1, Some(1));
        a.forwarding_id = Some(id.into());
        a.room = Some("301".into());
        a
    };
    let index = index_of(&[fraud_at(customer("EXF-000111"))], &[forwarder()]);
    let same = index.check(&customer("exf000111"));
    assert_eq!(same.address_match.level, Grade::Danger);
    assert_eq!(same.forwarding.level, ForwardingLevel::Service);
    // Another customer of the same forwarder is another person.
    assert_eq!(level(&index, &customer("EXF-000222")), Grade::None);
    let opts = CheckOptions::default();
    assert_eq!(
        index.address_grade(&customer("EXF-000222"), &opts),
        Grade::None
    );
    assert_eq!(
        index.address_grade(&customer("EXF-000111"), &opts),
        Grade::Danger
    );
    // Without an ID, the forwarder's block is the fraud's block.
    assert_eq!(
        level(
            &index,
            &place("東京都", "大田区", "平和島", Some(2), 1, Some(1))
        ),
        Grade::Caution
    );
}

#[test]
fn history_lookups_agree_with_the_index() {
    // The scorer asks the index as a `History` with normalized emails, E.164 phones and
    // trimmed fingerprints; those lookups skip the key building and normalizing of
    // `Index::known_*` and must give the same answers.
    use crate::history::History;
    let record = |email: &str, phone: &str, card: &str| FraudRecord {
        email: crate::contact::normalize_email(email),
        phone: Some(phone.into()),
        card_fingerprint: Some(card.into()),
        ..Default::default()
    };
    let index = index_of(
        &[
            record("Taro.Yamada+x@gmail.com", "+819012345678", "ABCDEF0123"),
            record("drop@example.jp", "+815011112222", "fp-7"),
        ],
        &[],
    );
    let agree = |inputs: &[&str], asked: &dyn Fn(&str) -> bool, known: &dyn Fn(&str) -> bool| {
        for i in inputs {
            assert_eq!(asked(i), known(i), "{i}");
        }
    };
    agree(
        &[
            "taroyamada@gmail.com",
            "Taro.Yamada@GoogleMail.com",
            "drop@example.jp",
            "drop@example.jp.",
            "dro@example.jp",
            "drop@example.j",
            "other@gmail.com",
            ".@gmail.com",
        ],
        // The scorer asks with the normalized form.
        &|e| crate::contact::normalize_email(e).is_some_and(|n| History::known_email(&index, &n)),
        &|e| !index.known_email(e).is_empty(),
    );
    agree(
        &[
            "+819012345678",
            "+815011112222",
            "+81501111222",
            "+8190123456789",
        ],
        &|p| History::known_phone(&index, p),
        &|p| !index.known_phone(p).is_empty(),
    );
    agree(
        &[
            "abcdef0123",
            "ABCDEF0123",
            "AbCdEf0123",
            "abcdef012",
            "abcdef01234",
            "fp-7",
            "FP-7",
            "fp-",
            "fp 7",
            "ｆｐ-7",
            "",
        ],
        &|c| History::known_card(&index, c),
        &|c| !index.known_card(c).is_empty(),
    );
    assert!(History::known_card(&index, "ABCDEF0123") && History::known_card(&index, "fp-7"));
}

#[test]
fn contact_lookups() {
    let r = FraudRecord {
        email: Some(crate::contact::normalize_email("Taro.Yamada+x@gmail.com").unwrap()),
        phone: Some("+819012345678".into()),
        card_fingerprint: Some("ABCDEF0123".into()),
        source: Some("psp".into()),
        ..Default::default()
    };
    let index = index_of(&[r], &[]);
    assert_eq!(
        index.known_email("taroyamada@googlemail.com")[0]
            .source
            .as_deref(),
        Some("psp")
    );
    assert_eq!(index.known_phone("090-1234-5678").len(), 1);
    assert_eq!(index.known_phone("+81 90-1234-5678").len(), 1);
    assert_eq!(index.known_card("abcdef0123").len(), 1);
    assert!(index.known_email("other@gmail.com").is_empty());
    assert!(index.known_phone("080-1111-2222").is_empty());
    assert!(index.known_card("abcdef").is_empty());
    assert!(index.known_email("not an email").is_empty());
    assert_eq!(index.info().keys["email"], 1);
    assert_eq!(index.info().keys["phone"], 1);
    assert_eq!(index.info().keys["card"], 1);
}

#[test]
fn batch_equals_one_by_one() {
    let records: Vec<_> = (1..30)
        .map(|b| fraud_at(ikejiri(b % 3, b, b % 4)))
        .collect();
    let index = index_of(&records, &[forwarder()]);
    let queries: Vec<_> = (0..60).rev().map(|b| ikejiri(b % 4, b, b % 5)).collect();
    let opts = CheckOptions::default();
    let batch = index.check_batch(&queries, &opts);
    for (q, got) in queries.iter().zip(batch) {
        assert_eq!(index.check_with(q, &opts), got);
    }
}

/// Flats in one town at 番 1 to `end - 1`, over three 丁目, with rooms 100 to 104: every
/// grade occurs among nearby queries.
fn dense_ikejiri(end: u32) -> Vec<FraudRecord> {
    (1..end)
        .map(|b| fraud_at(room(ikejiri(b % 3, b, b % 4), &format!("{}", 100 + b % 5))))
        .collect()
}

#[test]
fn grade_batch_equals_one_by_one_on_a_dense_town() {
    let records = dense_ikejiri(60);
    let index = index_of(&records, &[forwarder()]);
    let mut queries: Vec<_> = (0..80).rev().map(|b| ikejiri(b % 4, b, b % 5)).collect();
    queries.extend(records.iter().filter_map(|r| r.address.clone()));
    queries.push(Address::default());
    for near in [0, 1, 2, 40] {
        let opts = CheckOptions {
            near_banchi: near,
            ..Default::default()
        };
        let one: Vec<_> = queries
            .iter()
            .map(|q| index.address_grade(q, &opts))
            .collect();
        assert_eq!(index.grade_batch(&queries, &opts), one, "near {near}");
        for g in [Grade::Danger, Grade::Caution, Grade::Warning, Grade::None] {
            assert!(one.contains(&g), "near {near}: no {g:?}");
        }
    }
    assert!(index.grade_batch(&[], &CheckOptions::default()).is_empty());
}

#[test]
fn grade_batch_reuses_its_buffers_without_mixing_batches() {
    let records = dense_ikejiri(200);
    let index = index_of(&records, &[forwarder()]);
    let opts = CheckOptions::default();
    // Batches of different sizes (the small one below the bucket sort's threshold), each
    // graded after others have left their slots in the pooled buffers.
    let batch = |len: usize, shift: u32| -> Vec<Address> {
        (0..len as u32)
            .map(|i| ikejiri((i + shift) % 4, (i * 7 + shift) % 210, (i + shift) % 5))
            .collect()
    };
    let batches = [batch(500, 0), batch(30, 1), batch(1000, 2), batch(200, 3)];
    let want: Vec<Vec<Grade>> = batches
        .iter()
        .map(|b| b.iter().map(|q| index.address_grade(q, &opts)).collect())
        .collect();
    for _ in 0..2 {
        for (b, w) in batches.iter().zip(&want) {
            assert_eq!(&index.grade_batch(b, &opts), w);
        }
    }
    assert_eq!(
        index.batch_buffers.kept(),
        1,
        "one caller: one set of buffers kept"
    );
    // Callers on several threads at once each take their own set.
    std::thread::scope(|s| {
        for t in 0..4 {
            let (index, batches, want, opts) = (&index, &batches, &want, &opts);
            s.spawn(move || {
                for round in 0..20 {
                    let k = (t + round) % batches.len();
                    assert_eq!(&index.grade_batch(&batches[k], opts), &want[k]);
                }
            });
        }
    });
    let kept = index.batch_buffers.kept();
    assert!((1..=4).contains(&kept), "{kept} sets kept");
}

#[test]
fn base_union_keeps_old_and_adds_new_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idx.mkw");
    let mut a = IndexBuilder::new();
    a.add_fraud(&fraud_at(ikejiri(1, 2, 3)));
    a.add_forwarder(&forwarder());
    a.add_source(SourceFile {
        path: "a.csv".into(),
        kind: "fraud".into(),
        rows: 1,
        rejected: 0,
    });
    a.finish(&path).unwrap();
    let mut b = IndexBuilder::with_base(Index::open(&path).unwrap());
    let mut newer = fraud_at(ikejiri(1, 2, 3));
    newer.source = Some("shop-z".into());
    b.add_fraud(&newer);
    b.add_fraud(&fraud_at(ikejiri(4, 5, 6)));
    let info = b.finish(&path).unwrap();
    assert_eq!(info.records, 3);
    assert_eq!(info.sources.len(), 1);
    let index = Index::open(&path).unwrap();
    let m = index.check(&ikejiri(1, 2, 3)).address_match;
    assert_eq!(m.level, Grade::Danger);
    assert_eq!(m.records.len(), 2);
    assert_eq!(level(&index, &ikejiri(4, 5, 6)), Grade::Danger);
    assert_eq!(
        index
            .check(&place("東京都", "大田区", "平和島", Some(2), 1, Some(1)))
            .forwarding
            .level,
        ForwardingLevel::Service
    );
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("idx.mkw")]);
}

#[test]
fn small_runs_give_the_same_index() {
    let records: Vec<_> = (1..200)
        .map(|b| fraud_at(room(ikejiri(b % 5, b, b % 7), &format!("{}", b % 3))))
        .collect();
    let mut one = IndexBuilder::new();
    let mut many = IndexBuilder::new();
    many.run_limit(7);
    for r in &records {
        one.add_fraud(r);
        many.add_fraud(r);
    }
    let one = Index::new(one.finish_to_vec().unwrap()).unwrap();
    let many = Index::new(many.finish_to_vec().unwrap()).unwrap();
    assert_eq!(one.key_count(), many.key_count());
    for b in 0..210 {
        let q = room(ikejiri(b % 5, b, b % 7), "1");
        assert_eq!(one.check(&q), many.check(&q));
    }
}

/// Addresses over `towns` localities (town names `町0`, `町1`, ...), several blocks and
/// rooms each.
fn many_towns(towns: u32, per_town: u32) -> Vec<Address> {
    (0..towns)
        .flat_map(|t| {
            (0..per_town).map(move |i| {
                let mut a = place(
                    "東京都",
                    "世田谷区",
                    &format!("町{t}"),
                    Some(1 + i % 3),
                    1 + (i * 7 + t) % 9,
                    Some(1 + i % 4),
                );
                if i % 2 == 0 {
                    a.room = Some(format!("{}", 101 + i % 5));
                }
                a
            })
        })
        .collect()
}

#[test]
fn locality_table_answers_as_the_walk_from_the_root() {
    // Hundreds of localities give a table with a directory of many buckets; the full check
    // walks from the root and never reads the table, so the two paths are independent.
    let records: Vec<_> = many_towns(600, 3).into_iter().map(fraud_at).collect();
    let index = index_of(&records, &[]);
    let mut queries = many_towns(700, 4);
    for a in records.iter().filter_map(|r| r.address.clone()) {
        // The unit, another room of its block, another 号 and the next 番.
        queries.push(a.clone());
        queries.push(room(a.clone(), "999"));
        queries.push(Address {
            go: a.go.map(|g| g + 10),
            ..a.clone()
        });
        queries.push(Address {
            banchi: a.banchi.map(|b| b + 1),
            go: Some(20),
            ..a
        });
    }
    let opts = CheckOptions::default();
    let mut seen = BTreeSet::new();
    let graded = index.grade_batch(&queries, &opts);
    for (q, g) in queries.iter().zip(graded) {
        let want = index.check_with(q, &opts).address_match.level;
        assert_eq!(index.address_grade(q, &opts), want, "{}", q.unit_key());
        assert_eq!(g, want, "{}", q.unit_key());
        seen.insert(want);
    }
    assert_eq!(seen.len(), 4, "every grade occurs: {seen:?}");
}

#[test]
fn runs_and_side_files_give_the_same_locality_table() {
    let records: Vec<_> = many_towns(150, 3).into_iter().map(fraud_at).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for (limit, file) in [(usize::MAX, None), (7, None), (7, Some("runs.mkw"))] {
        let mut b = IndexBuilder::new();
        b.run_limit(limit);
        b.extend_fraud(&records);
        let out = match file {
            None => b.finish_to_vec().unwrap(),
            Some(name) => {
                let path = dir.path().join(name);
                b.finish(&path).unwrap();
                std::fs::read(&path).unwrap()
            }
        };
        bytes.push(section(&out, 4).to_vec());
    }
    assert!(!bytes[0].is_empty());
    assert_eq!(bytes[0], bytes[1]);
    assert_eq!(bytes[0], bytes[2]);
}

/// Section `i` of an index file (0 info, 1 records, 2 forwarders, 3 postings, 4 localities,
/// 5 keys).
fn section(bytes: &[u8], i: usize) -> &[u8] {
    let len = |i: usize| u64::from_le_bytes(bytes[16 + 8 * i..24 + 8 * i].try_into().unwrap());
    let start = super::format::HEADER_LEN + (0..i).map(|j| len(j) as usize).sum::<usize>();
    &bytes[start..start + len(i) as usize]
}

/// The file with section `i` replaced by `with`, lengths and checksums fixed up: a file
/// that passes `verify`.
fn with_section(bytes: &[u8], i: usize, with: &[u8]) -> Vec<u8> {
    let sections: Vec<&[u8]> = (0..6)
        .map(|j| if j == i { with } else { section(bytes, j) })
        .collect();
    let body = sections.concat();
    let crc_at = super::format::HEADER_LEN - 8;
    let mut out = bytes[..16].to_vec();
    for s in &sections {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    }
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    assert_eq!(out.len(), crc_at + 4);
    let hcrc = crc32fast::hash(&out);
    out.extend_from_slice(&hcrc.to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn files_without_a_locality_table_walk_from_the_root() {
    let records: Vec<_> = many_towns(40, 3).into_iter().map(fraud_at).collect();
    let mut b = IndexBuilder::new();
    b.extend_fraud(&records);
    let bytes = b.finish_to_vec().unwrap();
    let with = load(bytes.clone()).unwrap();
    let without = load(with_section(&bytes, 4, &[])).unwrap();
    assert!(without.size() < with.size());
    let queries = many_towns(50, 5);
    let opts = CheckOptions::default();
    let graded = with.grade_batch(&queries, &opts);
    assert_eq!(without.grade_batch(&queries, &opts), graded);
    // Interleaved runs too: without a table, a locality's state is found by a walk, not
    // asked for ahead.
    for runs in [2, 5] {
        let runs = Some(runs);
        assert_eq!(with.grade_batch_in_runs(&queries, &opts, runs), graded);
        assert_eq!(without.grade_batch_in_runs(&queries, &opts, runs), graded);
    }
    for (q, g) in queries.iter().zip(&graded) {
        assert_eq!(without.address_grade(q, &opts), *g);
        assert_eq!(with.address_grade(q, &opts), *g);
        // The full check with the table (starting at the locality with its stored output)
        // and without (walking from the root) finds the same records.
        let full = with.check_with(q, &opts);
        assert_eq!(full.address_match.level, *g);
        assert_eq!(without.check_with(q, &opts), full);
    }
    assert!(graded.contains(&Grade::Danger));
}

#[test]
fn a_table_pointing_past_the_keys_finds_nothing_and_does_not_panic() {
    let records: Vec<_> = many_towns(10, 2).into_iter().map(fraud_at).collect();
    let mut b = IndexBuilder::new();
    b.extend_fraud(&records);
    let bytes = b.finish_to_vec().unwrap();
    let mut table = section(&bytes, 4).to_vec();
    let count = u32::from_le_bytes(table[..4].try_into().unwrap()) as usize;
    let bits = u32::from_le_bytes(table[4..8].try_into().unwrap());
    let entries = 8 + 4 * ((1usize << bits) + 1);
    for i in 0..count {
        // Entries are 20 bytes: hash, state address, output.
        let at = entries + 20 * i + 8;
        table[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    let index = load(with_section(&bytes, 4, &table)).unwrap();
    let q = records[0].address.clone().unwrap();
    let opts = CheckOptions::default();
    assert_eq!(index.address_grade(&q, &opts), Grade::None);
    assert_eq!(
        index.grade_batch(std::slice::from_ref(&q), &opts),
        [Grade::None]
    );
    // The full check starts at the table's states too.
    assert_eq!(level(&index, &q), Grade::None);
    // A table whose length does not match its count is refused at open.
    let short = with_section(&bytes, 4, &table[..table.len() - 20]);
    assert!(matches!(
        Index::new(short),
        Err(Error::IndexCorrupted { .. })
    ));
}

#[test]
fn sharded_builds_answer_as_one_automaton() {
    let mut records: Vec<_> = many_towns(300, 3).into_iter().map(fraud_at).collect();
    for (i, r) in records.iter_mut().enumerate() {
        r.email = Some(format!("f{i}@example.jp"));
        r.phone = Some(format!("+8190{:08}", i));
        if i % 3 == 0 {
            // The same unit twice: an id list in the postings of some shard.
            r.source = Some(format!("shop-{}", i % 5));
        }
    }
    records.extend(records.clone().into_iter().step_by(3).map(|mut r| {
        r.source = Some("again".into());
        r
    }));
    let forwarders: Vec<_> = (0..5)
        .map(|i| Forwarder {
            name: format!("fwd {i}"),
            address: many_towns(300, 1)[i * 50].clone(),
            code_pattern: None,
        })
        .collect();
    let build = |shards: usize| {
        let mut b = IndexBuilder::new();
        b.shards(shards);
        b.extend_fraud(&records);
        for f in &forwarders {
            b.add_forwarder(f);
        }
        load(b.finish_to_vec().unwrap()).unwrap()
    };
    let one = build(1);
    assert_eq!(one.shard_count(), 1);
    let mut queries = many_towns(320, 4);
    queries.extend(forwarders.iter().map(|f| f.address.clone()));
    let opts = CheckOptions::default();
    for n in [2, 3, 8] {
        let many = build(n);
        assert_eq!(many.shard_count(), n, "{n} shards asked for");
        assert_eq!(many.key_count(), one.key_count());
        assert_eq!(many.info().keys, one.info().keys);
        assert_eq!(
            many.grade_batch(&queries, &opts),
            one.grade_batch(&queries, &opts)
        );
        for q in &queries {
            assert_eq!(many.check(q), one.check(q), "{}", q.unit_key());
            assert_eq!(many.address_grade(q, &opts), one.address_grade(q, &opts));
        }
        for i in (0..records.len()).step_by(7) {
            let email = format!("f{}@example.jp", i % 900);
            assert_eq!(many.known_email(&email), one.known_email(&email));
            assert!(!many.known_email(&email).is_empty());
        }
        assert!(many.known_email("nobody@example.jp").is_empty());
        // A base with several automata is read whole by a union build.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.mkw");
        let mut b = IndexBuilder::new();
        b.shards(n);
        b.extend_fraud(&records);
        b.finish(&path).unwrap();
        let mut more = IndexBuilder::with_base(Index::open(&path).unwrap());
        more.add_fraud(&FraudRecord {
            email: Some("new@example.jp".into()),
            ..Default::default()
        });
        more.finish(&path).unwrap();
        let grown = Index::open(&path).unwrap();
        assert_eq!(grown.shard_count(), 1);
        // The base had no forwarders (one block key each in `one`) and gains one email.
        assert_eq!(grown.key_count(), one.key_count() - forwarders.len() + 1);
        assert_eq!(grown.known_email("new@example.jp").len(), 1);
        for q in queries.iter().step_by(5) {
            assert_eq!(
                grown.check(q).address_match,
                one.check(q).address_match,
                "{}",
                q.unit_key()
            );
        }
    }
}

// ---- The file format.

fn sample_bytes() -> Vec<u8> {
    let mut b = IndexBuilder::new();
    // Two automata: the key section's directory is damaged and cut like everything else.
    b.shards(2);
    b.add_fraud(&fraud_at(room(ikejiri(1, 2, 3), "101")));
    b.add_fraud(&FraudRecord {
        email: Some("a@example.jp".into()),
        ..fraud_at(ikejiri(3, 4, 5))
    });
    b.add_forwarder(&forwarder());
    b.finish_to_vec().unwrap()
}

fn load(bytes: Vec<u8>) -> crate::Result<Index> {
    let index = Index::new(bytes)?;
    index.verify()?;
    Ok(index)
}

#[test]
fn valid_file_round_trips() {
    let index = load(sample_bytes()).unwrap();
    assert_eq!(index.shard_count(), 2);
    assert_eq!(index.info().format_version, FORMAT_VERSION);
    assert_eq!(index.info().forwarders, 1);
    assert_eq!(level(&index, &room(ikejiri(1, 2, 3), "101")), Grade::Danger);
}

#[test]
fn truncated_files_are_refused_as_truncated() {
    let bytes = sample_bytes();
    for len in 0..bytes.len() {
        match Index::new(bytes[..len].to_vec()) {
            Err(Error::IndexTruncated { expected, got }) => {
                assert_eq!(got, len as u64);
                assert!(expected > got);
            }
            other => panic!("length {len}: {other:?}"),
        }
    }
    let err = Index::new(bytes[..100].to_vec()).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn every_bit_flip_is_refused() {
    let bytes = sample_bytes();
    for i in 0..bytes.len() {
        for bit in [0, 3, 7] {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            assert!(
                load(b).is_err(),
                "flip of bit {bit} of byte {i} went unnoticed"
            );
        }
    }
    let mut b = bytes.clone();
    b[super::format::HEADER_LEN + 3] ^= 0x10;
    assert!(matches!(load(b), Err(Error::IndexCorrupted { .. })));
}

#[test]
fn foreign_files_are_refused_as_foreign() {
    let mut bytes = sample_bytes();
    bytes[0] = b'P';
    assert!(matches!(Index::new(bytes), Err(Error::NotAnIndex)));
    assert!(matches!(
        Index::new(b"email,phone\n".to_vec()),
        Err(Error::NotAnIndex)
    ));
    let err = Index::new(b"{\"a\":1}".to_vec()).unwrap_err();
    assert!(err.to_string().contains("not a mikiwame index"), "{err}");
}

fn with_version(mut bytes: Vec<u8>, version: u32) -> Vec<u8> {
    let crc_at = super::format::HEADER_LEN - 4;
    bytes[8..12].copy_from_slice(&version.to_le_bytes());
    let crc = crc32fast::hash(&bytes[..crc_at]);
    bytes[crc_at..crc_at + 4].copy_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn other_versions_are_refused_with_what_to_do() {
    let newer = Index::new(with_version(sample_bytes(), FORMAT_VERSION + 1)).unwrap_err();
    assert!(
        matches!(newer, Error::Version { expected, got } if expected == FORMAT_VERSION && got == FORMAT_VERSION + 1)
    );
    assert!(newer.to_string().contains("upgrade mikiwame"), "{newer}");
    let older = Index::new(with_version(sample_bytes(), 0)).unwrap_err();
    assert!(older.to_string().contains("rebuild"), "{older}");
}

#[test]
fn older_formats_are_refused_not_misread() {
    // Formats 1 and 3 had other address key bytes, format
    // 2 no locality table and a shorter header, format 4 keys from an older parser:
    // reading any of them with this layout would silently answer "none" or misplace
    // every section.
    assert_eq!(FORMAT_VERSION, 5);
    for old in [1, 2, 3, 4] {
        let err = Index::new(with_version(sample_bytes(), old)).unwrap_err();
        assert!(
            matches!(err, Error::Version { expected: 5, got } if got == old),
            "{err}"
        );
        assert!(err.to_string().contains("mikiwame index build"), "{err}");
    }
}

/// A format-2 file as that version wrote it: a 64-byte header with five section lengths
/// and both checksums at 56..64.
fn format_two_bytes() -> Vec<u8> {
    let v3 = sample_bytes();
    let len = |i: usize| u64::from_le_bytes(v3[16 + 8 * i..24 + 8 * i].try_into().unwrap());
    let body_start = super::format::HEADER_LEN;
    let mut sections = Vec::new();
    let mut at = body_start;
    for i in 0..6 {
        let l = len(i) as usize;
        if i != 4 {
            sections.push(&v3[at..at + l]);
        }
        at += l;
    }
    let body: Vec<u8> = sections.concat();
    let mut out = Vec::new();
    out.extend_from_slice(&v3[..8]);
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&64u32.to_le_bytes());
    for s in &sections {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    }
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    let hcrc = crc32fast::hash(&out);
    out.extend_from_slice(&hcrc.to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn a_real_format_two_file_is_refused_with_rebuild() {
    let err = Index::new(format_two_bytes()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Version {
                expected: FORMAT_VERSION,
                got: 2
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("rebuild the index with `mikiwame index build`"),
        "{err}"
    );
}

#[test]
fn an_automaton_that_does_not_parse_is_found_by_verify() {
    let bytes = sample_bytes();
    let keys = section(&bytes, 5);
    let layout = super::shards::parse(keys).unwrap();
    assert_eq!(layout.automata.len(), 2);
    // Cut the second automaton to a few bytes: the directory still parses, the
    // automaton does not. Opening reads the directory only; `verify` parses every
    // automaton.
    let cut = &keys[..layout.automata[1].start + 3];
    let index = Index::new(with_section(&bytes, 5, cut)).unwrap();
    assert!(matches!(index.verify(), Err(Error::IndexCorrupted { .. })));
    assert!(index.known_email("a@example.jp").len() <= 1);
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = sample_bytes();
    bytes.extend_from_slice(b"junk");
    assert!(matches!(
        Index::new(bytes),
        Err(Error::IndexCorrupted { .. })
    ));
}

#[test]
fn open_refuses_missing_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Index::open(dir.path().join("none")),
        Err(Error::Io { .. })
    ));
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Index::open(&empty),
        Err(Error::IndexTruncated { .. })
    ));
}

#[test]
fn load_reads_what_open_maps_and_refuses_what_it_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idx.mkw");
    let records: Vec<_> = many_towns(30, 3).into_iter().map(fraud_at).collect();
    let mut b = IndexBuilder::new();
    b.extend_fraud(&records);
    b.finish(&path).unwrap();
    let mapped = Index::open(&path).unwrap();
    let loaded = Index::load(&path).unwrap();
    assert_eq!(loaded.size(), mapped.size());
    let queries = many_towns(40, 4);
    let opts = CheckOptions::default();
    assert_eq!(
        loaded.grade_batch(&queries, &opts),
        mapped.grade_batch(&queries, &opts)
    );
    for q in &queries {
        assert_eq!(loaded.check(q), mapped.check(q));
    }
    assert!(matches!(
        Index::load(dir.path().join("none")),
        Err(Error::Io { .. })
    ));
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Index::load(&empty),
        Err(Error::IndexTruncated { .. })
    ));
    // `load` verifies the body, as `open` does.
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        Index::load(&path),
        Err(Error::IndexCorrupted { .. })
    ));
}

// ---- Model-based property test: the index agrees with a BTreeMap over printable keys.

fn arb_address() -> impl Strategy<Value = Address> {
    let towns = prop_oneof![
        Just(("東京都", "世田谷区", "池尻")),
        Just(("東京都", "渋谷区", "本町")),
        Just(("東京都", "中野区", "本町")),
        Just(("大阪府", "大阪市北区", "梅田")),
    ];
    (
        towns,
        prop::option::of(0u32..4),
        0u32..12,
        prop::option::of(1u32..6),
        prop::option::of(prop_oneof![Just("101"), Just("102"), Just("B01")]),
        prop::option::of(-1i16..3),
        prop::option::weighted(0.1, prop_oneof![Just("甲"), Just("イ")]),
        prop::option::weighted(0.1, prop_oneof![Just("SR000001"), Just("SR000002")]),
    )
        .prop_map(
            |((p, c, t), chome, banchi, go, room, floor, suffix, fid)| Address {
                prefecture: Some(p.into()),
                city: Some(c.into()),
                town: Some(t.into()),
                chome,
                banchi: Some(banchi),
                go,
                room: room.map(String::from),
                floor: floor.map(Floor),
                lot_suffix: suffix.map(String::from),
                forwarding_id: fid.map(String::from),
                ..Default::default()
            },
        )
}

/// The grade by the printable keys and the plain rules.
/// A model holding one record.
fn single(r: &Address) -> BTreeMap<String, Vec<Address>> {
    BTreeMap::from([(r.unit_key().as_str().to_string(), vec![r.clone()])])
}

fn model_grade(records: &BTreeMap<String, Vec<Address>>, q: &Address, near: u32) -> Grade {
    if records.contains_key(q.unit_key().as_str()) {
        return Grade::Danger;
    }
    let mut best = Grade::None;
    for r in records.values().flatten() {
        let g = if r.block_key() == q.block_key() {
            Grade::Caution
        } else if r.locality() == q.locality()
            && r.chome == q.chome
            && r.banchi
                .zip(q.banchi)
                .is_some_and(|(a, b)| a.abs_diff(b) <= near)
        {
            Grade::Warning
        } else {
            Grade::None
        };
        best = best.max(g);
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn index_agrees_with_a_btreemap_model(
        records in prop::collection::vec(arb_address(), 1..40),
        queries in prop::collection::vec(arb_address(), 0..40),
        emails in prop::collection::btree_set("[a-z]{1,6}@example\\.jp", 0..10),
        other_emails in prop::collection::btree_set("[a-z]{1,6}@example\\.com", 0..10),
        // Up to 16 the near 番 are walked one by one; wider settings read key ranges.
        near in prop_oneof![0u32..3, Just(17u32)],
        shards in 1usize..6,
        // Interleaved runs of the batch's walk, which only indexes of 32 MiB and more take
        // on their own.
        runs in 2usize..7,
    ) {
        let mut model: BTreeMap<String, Vec<Address>> = BTreeMap::new();
        let mut b = IndexBuilder::new();
        b.shards(shards);
        for a in &records {
            let unit = a.unit_key().as_str().to_string();
            model.entry(unit.clone()).or_default().push(a.clone());
            // The note names the unit, so that the matched records can be checked too:
            // their values come from the outputs summed along the keys.
            b.add_fraud(&FraudRecord { note: Some(unit), ..fraud_at(a.clone()) });
        }
        let email_set: BTreeSet<_> = emails.iter().cloned().collect();
        for e in &emails {
            b.add_fraud(&FraudRecord { email: Some(e.clone()), ..Default::default() });
        }
        let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
        index.verify().unwrap();
        prop_assert_eq!(index.info().keys["address_unit"], model.len() as u64);
        let opts = CheckOptions { near_banchi: near, ..Default::default() };
        for q in records.iter().chain(&queries) {
            // Model queries never sit at a forwarder, so no grade is suppressed.
            let want = model_grade(&model, q, near);
            let got = index.check_with(q, &opts).address_match;
            prop_assert_eq!(got.level, want, "query {:?}", q.unit_key());
            prop_assert_eq!(index.address_grade(q, &opts), want);
            prop_assert_eq!(got.records.is_empty(), want == Grade::None);
            // The strongest matched records are the model's records of that grade.
            let strongest: BTreeSet<String> = got
                .records
                .iter()
                .filter(|r| r.grade == want)
                .filter_map(|r| r.note.clone())
                .collect();
            let expected: BTreeSet<String> = model
                .iter()
                .filter(|(_, rs)| rs.iter().any(|r| model_grade(&single(r), q, near) == want))
                .map(|(unit, _)| unit.clone())
                .collect();
            if want != Grade::None {
                prop_assert_eq!(strongest, expected, "query {:?}", q.unit_key());
            }
        }
        // The batch agrees too, with keys long enough to leave its slots (forwarding IDs,
        // lettered rooms and lot suffixes) mixed among the usual ones.
        let batch: Vec<Address> = records.iter().chain(&queries).cloned().collect();
        let want: Vec<Grade> = batch.iter().map(|q| model_grade(&model, q, near)).collect();
        prop_assert_eq!(index.grade_batch(&batch, &opts), want.clone());
        prop_assert_eq!(index.grade_batch_in_runs(&batch, &opts, Some(runs)), want);
        for e in &emails {
            prop_assert_eq!(index.known_email(e).len(), 1);
        }
        for e in &other_emails {
            prop_assert!(!email_set.contains(e));
            prop_assert!(index.known_email(e).is_empty());
        }
    }

    #[test]
    fn grade_batch_equals_one_by_one(
        records in prop::collection::vec(arb_address(), 1..60),
        queries in prop::collection::vec(arb_address(), 0..60),
        forwarders in prop::collection::vec(arb_address(), 0..3),
        near in prop_oneof![0u32..3, Just(17u32)],
        max_age in prop::option::weighted(0.2, 0u32..400),
        shards in 1usize..6,
    ) {
        let mut b = IndexBuilder::new();
        b.shards(shards);
        for (i, a) in records.iter().enumerate() {
            // Dates spread over a year, so that the age options split the records.
            let mut r = fraud_at(a.clone());
            r.recorded_at = Some(format!("2026-{:02}-01", 1 + i % 12));
            b.add_fraud(&r);
        }
        for (i, a) in forwarders.iter().enumerate() {
            b.add_forwarder(&Forwarder {
                name: format!("forwarder {i}"),
                address: a.clone(),
                code_pattern: None,
            });
        }
        let index = Index::new(b.finish_to_vec().unwrap()).unwrap();
        let opts = CheckOptions {
            near_banchi: near,
            max_age_days: max_age,
            today: Some(20_800),
            ..Default::default()
        };
        // Recorded addresses, fresh ones and forwarders' own blocks, shuffled by the strategy.
        let batch: Vec<Address> = queries
            .iter()
            .chain(&records)
            .chain(&forwarders)
            .cloned()
            .collect();
        let one_by_one: Vec<Grade> = batch.iter().map(|q| index.address_grade(q, &opts)).collect();
        for (q, g) in batch.iter().zip(&one_by_one) {
            prop_assert_eq!(index.check_with(q, &opts).address_match.level, *g);
        }
        prop_assert_eq!(index.grade_batch(&batch, &opts), one_by_one);
    }

    #[test]
    fn loader_never_panics_on_mutations(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let mut bytes = sample_bytes();
        for (i, x) in flips {
            let i = i.index(bytes.len());
            bytes[i] ^= x | 1;
        }
        let len = bytes.len();
        bytes.truncate(len - cut.index(len / 4));
        if let Ok(index) = Index::new(bytes) {
            let _ = index.info();
            // Only verified files are queried (as `Index::open` ensures): the fst crate
            // does not promise panic-free traversal of damaged automata.
            if index.verify().is_ok() {
                let _ = index.check(&ikejiri(1, 2, 3));
                let _ = index.known_email("a@example.jp");
            }
        }
    }
}

#[test]
fn index_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Index>();
    shared::<IndexBuilder>();
}
