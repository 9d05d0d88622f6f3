//! Invariants of the address normalizer, checked on generated inputs.
#![allow(clippy::unwrap_used)]

use mikiwame::address::{normalize, numerals::to_kanji};
use proptest::prelude::*;

const TOWNS: &[&str] = &[
    "東京都世田谷区池尻",
    "東京都千代田区丸の内",
    "大阪府大阪市北区梅田",
    "北海道札幌市中央区北三条西",
    "神奈川県横浜市港北区新横浜",
    "東京都世田谷区三軒茶屋",
];
const BUILDINGS: &[&str] = &["", " ハイツ池尻", " コーポ青葉", " グランドタワー"];

fn wide(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() || c == '-' {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn address() -> impl Strategy<Value = String> {
    (
        0..TOWNS.len(),
        1u32..=9,
        1u32..=60,
        1u32..=40,
        0..BUILDINGS.len(),
        proptest::option::of(100u32..=1999),
    )
        .prop_map(|(t, c, b, g, bl, room)| {
            let mut s = format!("{}{c}-{b}-{g}{}", TOWNS[t], BUILDINGS[bl]);
            if let Some(r) = room {
                s.push_str(&format!(" {r}号室"));
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn idempotent_on_rendered_output(s in address()) {
        let a = normalize(&s).unwrap();
        let again = normalize(&a.render()).unwrap();
        prop_assert_eq!(again.block_key(), a.block_key());
        prop_assert_eq!(again.unit_key(), a.unit_key());
    }

    #[test]
    fn spaces_and_newlines_do_not_change_keys(s in address(), seed in any::<u64>()) {
        let a = normalize(&s).unwrap();
        // Insert a space, newline or ideographic space between components and around
        // hyphens (not inside a number: "1 0" is two numbers).
        let mut out = String::new();
        let mut x = seed;
        let mut prev = ' ';
        for c in s.chars() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let boundary = matches!(prev, '都' | '府' | '県' | '道' | '区' | '-')
                || c == '-'
                || (c.is_ascii_digit() != prev.is_ascii_digit());
            prev = c;
            if boundary {
                match x >> 61 {
                    0 => out.push(' '),
                    1 => out.push('\n'),
                    2 => out.push('\u{3000}'),
                    _ => {}
                }
            }
            out.push(c);
        }
        let b = normalize(&out).unwrap();
        prop_assert_eq!(b.unit_key(), a.unit_key(), "{:?}", out);
    }

    #[test]
    fn widening_digits_does_not_change_keys(s in address()) {
        let a = normalize(&s).unwrap();
        let b = normalize(&wide(&s)).unwrap();
        prop_assert_eq!(b.unit_key(), a.unit_key());
    }

    #[test]
    fn kanji_numbers_do_not_change_keys(n in 1u32..=9999, t in 0..TOWNS.len()) {
        // 番地 of any size, in digits or kanji.
        let digits = format!("三重県いなべ市北勢町阿下喜{n}番地");
        let kanji = format!("三重県いなべ市北勢町阿下喜{}番地", to_kanji(n));
        prop_assert_eq!(normalize(&digits).unwrap().block_key(), normalize(&kanji).unwrap().block_key());
        // 丁目-番-号 with each in kanji.
        let c = n % 9 + 1;
        let b = n % 97 + 1;
        let g = n;
        let digits = format!("{}{c}丁目{b}番{g}号", TOWNS[t]);
        let kanji = format!("{}{}丁目{}番{}号", TOWNS[t], to_kanji(c), to_kanji(b), to_kanji(g));
        prop_assert_eq!(normalize(&digits).unwrap().unit_key(), normalize(&kanji).unwrap().unit_key());
    }

    #[test]
    fn arbitrary_unicode_never_panics(s in "\\PC{0,200}") {
        let _ = normalize(&s);
    }

    #[test]
    fn arbitrary_chars_never_panic(s in proptest::collection::vec(any::<char>(), 0..300)) {
        let s: String = s.into_iter().collect();
        if let Ok(a) = normalize(&s) {
            // Keys are always printable.
            prop_assert!(!a.unit_key().as_str().chars().any(|c| c.is_control()));
        }
    }
}

#[test]
fn bad_input_gives_anomalies_or_errors() {
    use mikiwame::address::{Anomaly, MAX_ADDRESS_BYTES};
    for s in ["", "   ", "\u{0}\u{1}\u{7}", "（（（", "）】」", "!!!"] {
        let a = normalize(s).unwrap();
        assert!(a.anomalies.contains(&Anomaly::Unparsed), "{s:?}");
    }
    let long = "東京都".repeat(MAX_ADDRESS_BYTES);
    let err = normalize(&long).unwrap_err();
    assert!(err.to_string().contains("4096"), "{err}");
    // Just under the cap still parses.
    let near: String = "1-".repeat(MAX_ADDRESS_BYTES / 2 - 1);
    assert!(normalize(&near).is_ok());
    let brackets = format!("東京都世田谷区池尻1-2-3 {}", "(".repeat(1000));
    assert_eq!(
        normalize(&brackets).unwrap().block_key().as_str(),
        "東京都世田谷区池尻|c1|b2|g3"
    );
}
