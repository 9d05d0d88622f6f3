//! Compiles the gazetteer (`data/address/gazetteer.tsv`) into an embedded fst map, a town
//! record pool and small Rust tables, so that nothing is parsed at run time.
//!
//! The keys are folded with the very code that folds inputs (`src/address/fold.rs`,
//! `src/address/numerals.rs`, included below), so inputs and keys cannot drift apart.

#[allow(dead_code, missing_docs)]
#[path = "src/address/charset.rs"]
mod charset;
#[allow(dead_code, missing_docs)]
#[path = "src/signals/domain_filter.rs"]
mod domain_filter;
#[allow(dead_code, missing_docs)]
#[path = "src/fnv.rs"]
mod fnv;
#[allow(dead_code, missing_docs)]
#[path = "src/address/fold.rs"]
mod fold;
#[allow(dead_code, missing_docs)]
#[path = "src/address/numerals.rs"]
mod numerals;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Key namespaces (first byte of every key). Keep in step with `src/address/gazetteer.rs`.
const NS_PREF: u8 = 1;
const NS_CITY_IN_PREF: u8 = 2;
const NS_CITY: u8 = 3;
const NS_TOWN: u8 = 4;
const NS_POSTAL: u8 = 5;
/// Set on a city value when several cities share the key.
const AMBIGUOUS: u64 = 1 << 40;
/// Town offset meaning "no single town".
const NO_TOWN: u64 = 0xFFFF_FFFF;

/// Key codes below this are one byte; the rest are two, the first at or above this.
const KEY_ONE_BYTE: usize = 0xF0;
/// The range of code points with a dense key-code table (kana and CJK ideographs).
const KEY_DENSE_START: u32 = 0x3000;
const KEY_DENSE_END: u32 = 0xA000;

/// Splits a key into its namespace scope and the name (postal keys: all scope).
fn split_key(k: &[u8]) -> (&[u8], &[u8]) {
    let n = match k[0] {
        NS_PREF | NS_CITY => 1,
        NS_CITY_IN_PREF => 2,
        NS_TOWN => 3,
        _ => k.len(),
    };
    k.split_at(n)
}

/// Appends a key code: one byte below `KEY_ONE_BYTE`, else two (prefix-free).
fn push_key_code(key: &mut Vec<u8>, code: u16) {
    let code = code as usize;
    if code < KEY_ONE_BYTE {
        key.push(code as u8);
    } else {
        let rest = code - KEY_ONE_BYTE;
        key.push((KEY_ONE_BYTE + (rest >> 8)) as u8);
        key.push((rest & 0xFF) as u8);
    }
}

struct City {
    pref: u8,
    jis: String,
    name: String,
    kana: String,
}

fn folded(s: &str) -> String {
    fold::fold_for_match(s)
}

/// Name spellings to index besides the name itself.
fn spellings(name: &str) -> Vec<String> {
    let mut v = vec![name.to_string()];
    let width = fold::fold_width(name);
    let arabic = numerals::kanji_to_arabic(&width);
    let kanji = numerals::arabic_to_kanji(&width);
    for s in [width, arabic.clone(), kanji] {
        if !v.contains(&s) {
            v.push(s);
        }
    }
    // Hokkaido grid towns: 北3条西 is also written 北3西.
    if let Some(short) = short_grid(&arabic) {
        v.push(short);
    }
    v
}

fn short_grid(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let jo = chars.iter().position(|c| *c == '条')?;
    let after = &chars[jo + 1..];
    if jo == 0
        || !chars[jo - 1].is_ascii_digit()
        || after.len() != 1
        || !matches!(after[0], '東' | '西' | '南' | '北')
    {
        return None;
    }
    let mut out: String = chars[..jo].iter().collect();
    out.push(after[0]);
    Some(out)
}

fn push_kana(pool: &mut Vec<u8>, kana: &str) {
    let enc: Vec<u8> = kana
        .chars()
        .filter_map(|c| match c {
            '\u{30A0}'..='\u{30FF}' => Some((c as u32 - 0x30A0) as u8),
            c if c.is_ascii() => Some(0x80 | c as u8),
            _ => None,
        })
        .take(255)
        .collect();
    pool.push(enc.len() as u8);
    pool.extend_from_slice(&enc);
}

fn insert(keys: &mut BTreeMap<Vec<u8>, u64>, key: Vec<u8>, value: u64, ambiguous_ok: bool) {
    match keys.get_mut(&key) {
        None => {
            keys.insert(key, value);
        }
        Some(old) if ambiguous_ok && (*old & !AMBIGUOUS) != value => *old |= AMBIGUOUS,
        Some(_) => {}
    }
}

fn main() {
    build_disposable_domains();
    println!("cargo:rerun-if-changed=data/address/gazetteer.tsv");
    println!("cargo:rerun-if-changed=data/address/variants.tsv");
    println!("cargo:rerun-if-changed=src/address/fold.rs");
    println!("cargo:rerun-if-changed=src/address/numerals.rs");
    let tsv = std::fs::read_to_string("data/address/gazetteer.tsv")
        .expect("data/address/gazetteer.tsv is missing: run scripts/gazetteer.py");

    // Town names are stored with a character table ranked by frequency: the 128 most
    // common characters take one byte, the rest two (UTF-8 would take three).
    let mut freq: BTreeMap<char, u64> = BTreeMap::new();
    for line in tsv.lines().filter(|l| l.starts_with("T\t")) {
        if let Some(name) = line.split('\t').nth(1) {
            for c in name.chars() {
                *freq.entry(c).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(char, u64)> = freq.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let char_table: Vec<char> = ranked.into_iter().map(|(c, _)| c).collect();
    assert!(
        char_table.len() < 0x8000,
        "too many distinct characters for two bytes"
    );
    let char_index: std::collections::HashMap<char, usize> = char_table
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i))
        .collect();

    let mut prefs: Vec<(String, String)> = Vec::new();
    let mut cities: Vec<City> = Vec::new();
    let mut pool: Vec<u8> = Vec::new();
    let mut keys: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut postal: BTreeMap<String, (u64, u64)> = BTreeMap::new(); // code -> (city, town)
                                                                    // Per city: where its records start in the pool and in the relative offset table.
    let mut city_pool_base: Vec<u32> = Vec::new();
    let mut city_town_base: Vec<u32> = Vec::new();
    let mut town_rel: Vec<u16> = Vec::new();

    for line in tsv.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.first().copied() {
            Some("P") => {
                let id = prefs.len() as u64;
                let name = f[1].to_string();
                let mut k = vec![NS_PREF];
                k.extend(folded(&name).as_bytes());
                insert(&mut keys, k, id, false);
                let bare = name.strip_suffix(['都', '府', '県']).unwrap_or(&name);
                if bare != name && name != "北海道" {
                    let mut k = vec![NS_PREF];
                    k.extend(folded(bare).as_bytes());
                    insert(&mut keys, k, id, false);
                }
                prefs.push((name, f[2].to_string()));
            }
            Some("C") => {
                let id = cities.len() as u64;
                let pref = (prefs.len() - 1) as u8;
                let name = f[2].to_string();
                let mut names = vec![name.clone()];
                // 郡 may be omitted: 虻田郡洞爺湖町 -> 洞爺湖町. Only a 郡 that heads a town or
                // village: the 郡 of 小郡市, 蒲郡市 or 郡山市 is part of a city's name, and
                // cutting there made aliases `市` and `山市` (福岡市… read as 小郡市).
                if let Some(i) = name.find('郡') {
                    let rest = &name[i + '郡'.len_utf8()..];
                    if rest.chars().count() > 1 && rest.ends_with(['町', '村']) {
                        names.push(rest.to_string());
                    }
                }
                // An island's name may be omitted: 八丈島八丈町 -> 八丈町, 三宅島三宅村 -> 三宅村
                // (Japan Post's names; the towns' own are the short ones).
                if let Some(i) = name.find('島') {
                    let rest = &name[i + '島'.len_utf8()..];
                    if rest.chars().count() > 1
                        && rest.ends_with(['町', '村'])
                        && !rest.contains('郡')
                    {
                        names.push(rest.to_string());
                    }
                }
                // The designated city may be omitted: 横浜市港北区 -> 港北区.
                if let Some(i) = name.find('市') {
                    let rest = &name[i + '市'.len_utf8()..];
                    if rest.ends_with('区') && rest.chars().count() > 1 {
                        names.push(rest.to_string());
                    }
                }
                for n in &names {
                    let fname = folded(n);
                    let mut k = vec![NS_CITY_IN_PREF, pref];
                    k.extend(fname.as_bytes());
                    insert(&mut keys, k, id, true);
                    let mut k = vec![NS_CITY];
                    k.extend(fname.as_bytes());
                    insert(&mut keys, k, id, true);
                }
                for code in f.get(4).unwrap_or(&"").split(',').filter(|c| !c.is_empty()) {
                    postal.entry(code.to_string()).or_insert((id, NO_TOWN));
                }
                city_pool_base.push(pool.len() as u32);
                city_town_base.push(town_rel.len() as u32);
                cities.push(City {
                    pref,
                    jis: f[1].to_string(),
                    name,
                    kana: f[3].to_string(),
                });
            }
            Some("T") => {
                let city = (cities.len() - 1) as u16;
                let base = city_town_base[city as usize] as usize;
                let idx = (town_rel.len() - base) as u64;
                let rel = pool.len() - city_pool_base[city as usize] as usize;
                town_rel.push(u16::try_from(rel).expect("a city's towns fit in 64 KiB"));
                let offset = (u64::from(city) << 16) | idx;
                let name = f[1];
                let mut enc: Vec<u8> = Vec::new();
                for c in name.chars() {
                    let i = char_index[&c];
                    if i < 0x80 {
                        enc.push(i as u8);
                    } else {
                        enc.push(0x80 | (i >> 8) as u8);
                        enc.push((i & 0xFF) as u8);
                    }
                }
                let nlen = enc.len().min(127);
                pool.push(nlen as u8 | if f[3] == "c" { 0x80 } else { 0 });
                pool.extend_from_slice(&enc[..nlen]);
                push_kana(&mut pool, f[2]);
                for s in spellings(name) {
                    let mut k = vec![NS_TOWN];
                    k.extend(city.to_be_bytes());
                    k.extend(folded(&s).as_bytes());
                    insert(&mut keys, k, offset, false);
                }
                for code in f.get(4).unwrap_or(&"").split(',').filter(|c| !c.is_empty()) {
                    let e = postal
                        .entry(code.to_string())
                        .or_insert((u64::from(city), idx));
                    if e.1 != idx {
                        // Several towns share the code: keep the city, forget the town.
                        if e.0 == u64::from(city) {
                            e.1 = NO_TOWN;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (code, (city, town)) in &postal {
        let mut k = vec![NS_POSTAL];
        k.extend(code.as_bytes());
        // City in the high bits, town index within the city + 1 (0: no single town).
        let town = if *town == NO_TOWN { 0 } else { town + 1 };
        keys.insert(k, (city << 16) | town);
    }

    // Names in the keys are written with key codes, not UTF-8: one byte for the most
    // frequent characters, two for the rest, so a lookup decodes about 1.3 fst nodes per
    // character instead of 3 (the walk costs per byte, see `Gazetteer::prefixes`).
    let mut key_freq: BTreeMap<char, u64> = BTreeMap::new();
    for k in keys.keys() {
        let (_, name) = split_key(k);
        for c in std::str::from_utf8(name).expect("names are UTF-8").chars() {
            *key_freq.entry(c).or_default() += 1;
        }
    }
    let mut key_ranked: Vec<(char, u64)> = key_freq.into_iter().collect();
    key_ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert!(
        key_ranked.len() <= KEY_ONE_BYTE + (256 - KEY_ONE_BYTE) * 256,
        "too many distinct characters for the key codes"
    );
    let key_code: std::collections::HashMap<char, u16> = key_ranked
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (*c, i as u16))
        .collect();
    let mut coded: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for (k, v) in &keys {
        let (scope, name) = split_key(k);
        let mut key = scope.to_vec();
        for c in std::str::from_utf8(name).expect("names are UTF-8").chars() {
            push_key_code(&mut key, key_code[&c]);
        }
        assert!(coded.insert(key, *v).is_none(), "key codes are injective");
    }
    // The runtime table: dense for U+3000..U+A000 (kana and CJK), sorted pairs for the rest.
    let mut dense = vec![0u16; (KEY_DENSE_END - KEY_DENSE_START) as usize];
    let mut sparse: Vec<(char, u16)> = Vec::new();
    for (c, code) in &key_code {
        let cp = *c as u32;
        if (KEY_DENSE_START..KEY_DENSE_END).contains(&cp) {
            dense[(cp - KEY_DENSE_START) as usize] = code + 1;
        } else {
            sparse.push((*c, code + 1));
        }
    }
    sparse.sort_unstable();

    let mut builder = fst::MapBuilder::memory();
    for (k, v) in &coded {
        builder.insert(k, *v).expect("keys are sorted and unique");
    }
    let fst_bytes = builder.into_inner().expect("fst builds in memory");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("gazetteer.fst"), &fst_bytes).expect("write gazetteer.fst");
    std::fs::write(out.join("gazetteer.pool"), &pool).expect("write gazetteer.pool");
    std::fs::write(
        out.join("gazetteer_key_codes"),
        dense
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
    .expect("write key codes");

    let mut src = String::new();
    src.push_str("/// Prefectures: (name, kana), in JIS order.\npub(super) static PREFECTURES: &[(&str, &str)] = &[\n");
    for (n, k) in &prefs {
        let _ = writeln!(src, "    ({n:?}, {k:?}),");
    }
    src.push_str("];\n/// Municipalities: (prefecture index, JIS code, name, kana).\npub(super) static CITIES: &[(u8, &str, &str, &str)] = &[\n");
    for c in &cities {
        let _ = writeln!(
            src,
            "    ({}, {:?}, {:?}, {:?}),",
            c.pref, c.jis, c.name, c.kana
        );
    }
    src.push_str("];\n");
    let table: String = char_table.iter().collect();
    let _ = writeln!(src, "/// Characters of town names, most frequent first.\npub(super) static CHAR_TABLE: &str = {table:?};");
    let _ = writeln!(src, "/// Key codes (+1) of characters outside the dense range, sorted.\npub(super) static KEY_CODES_SPARSE: &[(char, u16)] = &{sparse:?};");
    let _ = writeln!(src, "/// Key codes below this take one byte.\npub(super) const KEY_ONE_BYTE: u16 = {KEY_ONE_BYTE};");
    let _ = writeln!(src, "/// The dense key-code table covers these code points.\npub(super) const KEY_DENSE: (u32, u32) = ({KEY_DENSE_START}, {KEY_DENSE_END});");
    let _ = writeln!(src, "/// Per city: start of its town records in the pool.\npub(super) static CITY_POOL_BASE: &[u32] = &{city_pool_base:?};");
    let _ = writeln!(src, "/// Per city: start of its towns in TOWN_REL.\npub(super) static CITY_TOWN_BASE: &[u32] = &{city_town_base:?};");
    std::fs::write(
        out.join("gazetteer_town_rel"),
        town_rel
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
    .expect("write town offsets");
    std::fs::write(out.join("gazetteer_tables.rs"), src).expect("write gazetteer_tables.rs");
}

/// Compiles `data/disposable_domains.txt` into the fst set that
/// `src/signals/contact.rs` embeds (lower-cased, sorted, deduplicated).
fn build_disposable_domains() {
    println!("cargo:rerun-if-changed=data/disposable_domains.txt");
    let text = std::fs::read_to_string("data/disposable_domains.txt")
        .expect("data/disposable_domains.txt is missing");
    let mut domains: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    domains.sort_unstable();
    domains.dedup();
    // A Bloom filter of the domains beside the set (two bits a domain): most domains looked up
    // (every order's email) are not in the list, and the filter answers most of them
    // without walking the automaton. The hash is `src/signals/domain_filter.rs`, shared
    // with the reader; a test in `src/signals/contact.rs` checks every listed domain.
    let mut filter = vec![0u8; domain_filter::BITS / 8];
    for d in &domains {
        for bit in domain_filter::bits_of(d) {
            filter[bit / 8] |= 1 << (bit % 8);
        }
    }
    let set = fst::Set::from_iter(domains).expect("sorted, deduplicated domains");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("disposable_domains.fst"), set.as_fst().as_bytes())
        .expect("OUT_DIR is writable");
    std::fs::write(out.join("disposable_domains.filter"), filter).expect("OUT_DIR is writable");
}
