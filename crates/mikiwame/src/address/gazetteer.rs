//! The embedded gazetteer of Japan: prefectures, municipalities, towns, readings and postal
//! codes, from Japan Post's public data (regenerate with `scripts/gazetteer.py`).
//!
//! The build script compiles `data/address/gazetteer.tsv` into one `fst::Map` (names folded
//! as inputs are, with digit and kanji spellings of numerals and the short Hokkaido grid
//! form), a pool of town records and two small static tables. Lookups walk the fst along
//! the input and report every name that is a prefix of it, so the parser can take the
//! longest and fall back to shorter ones.
//!
//! Names in the keys are not UTF-8 but *key codes*: the build script ranks the ~2,500
//! characters of all names by frequency and gives the 240 most frequent one byte and the
//! rest two (lead byte 0xF0-0xFF), a prefix-free code. A walk costs per fst transition, so
//! this makes a lookup about 2.3x cheaper than walking UTF-8 (three bytes per kanji). The
//! start state of every lookup scope (prefectures, a prefecture's cities, a city's towns)
//! is found once when the gazetteer is first used.
//!
//! ```
//! use mikiwame::address::gazetteer::gazetteer;
//! let g = gazetteer();
//! let text: Vec<char> = "世田谷区池尻".chars().collect();
//! let tokyo = g.prefecture_prefixes(&"東京都".chars().collect::<Vec<_>>())[0].0;
//! let (city, used) = g.city_prefixes(Some(tokyo), &text)[0];
//! let city = city.unique().unwrap();
//! assert_eq!(g.city(city).name, "世田谷区");
//! let (town, _) = g.town_prefixes(city, &text[used..])[0];
//! assert_eq!(g.town(town).name, "池尻");
//! assert!(g.town(town).has_chome);
//! ```

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

mod tables {
    include!(concat!(env!("OUT_DIR"), "/gazetteer_tables.rs"));
}

static FST_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer.fst"));
static POOL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer.pool"));
static TOWN_REL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer_town_rel"));
static KEY_CODES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/gazetteer_key_codes"));

const NS_PREF: u8 = 1;
const NS_CITY_IN_PREF: u8 = 2;
const NS_CITY: u8 = 3;
const NS_TOWN: u8 = 4;
const NS_POSTAL: u8 = 5;
const AMBIGUOUS: u64 = 1 << 40;

/// A prefecture (index into the JIS-ordered list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrefId(u8);

/// A municipality (市区町村, with 郡 or designated city).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CityId(u16);

/// A town (町域): its municipality in the high 16 bits, its place among the municipality's
/// towns in the low 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TownId(u32);

/// What a city name matched: one municipality, or several that share the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CityMatch {
    /// Exactly one municipality.
    Unique(CityId),
    /// Several municipalities (府中市, 伊達市, 北区): one of them, for reference.
    Ambiguous(CityId),
}

impl CityMatch {
    /// The city when the match is unique.
    pub fn unique(self) -> Option<CityId> {
        match self {
            CityMatch::Unique(c) => Some(c),
            CityMatch::Ambiguous(_) => None,
        }
    }
}

/// A municipality's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct City {
    /// Its prefecture.
    pub pref: PrefId,
    /// The JIS X 0402 code.
    pub jis: &'static str,
    /// The name (札幌市中央区, 西多摩郡奥多摩町).
    pub name: &'static str,
    /// The reading in katakana.
    pub kana: &'static str,
}

/// A town's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Town {
    /// Its municipality.
    pub city: CityId,
    /// The name as Japan Post writes it.
    pub name: String,
    /// The reading in katakana.
    pub kana: String,
    /// True when the town is divided into 丁目.
    pub has_chome: bool,
}

/// What a postal code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostalArea {
    /// The municipality.
    pub city: CityId,
    /// The town, when the code belongs to exactly one.
    pub town: Option<TownId>,
}

/// The gazetteer.
pub struct Gazetteer {
    map: fst::Map<&'static [u8]>,
    /// Where each lookup scope's names start in the fst and the jumps past their first two
    /// characters (see [`Scope`]).
    scopes: Vec<Scope>,
}

/// Scope numbers: the namespaces without a qualifier, then one per prefecture (its
/// cities), then one per city (its towns).
const SCOPE_PREFECTURES: usize = 0;
const SCOPE_CITIES: usize = 1;
const SCOPE_CITIES_IN: usize = 2;

fn scope_towns_in(city: CityId) -> usize {
    SCOPE_CITIES_IN + tables::PREFECTURES.len() + city.0 as usize
}

/// One lookup scope: the fst state (node address, output so far) where its names start,
/// found once at load, and a table of the states after every two-character start of a
/// name, built on first use (used for the prefecture and city scopes, which stay in
/// cache; see [`Gazetteer::town_prefixes`] for why towns go without).
///
/// A walk costs per fst transition (decoding a node is about 100 instructions, and a
/// character takes 1.3 transitions), and nearly every lookup starts with two characters
/// of a real name, so one hash probe replaces the first ~2.6 transitions. The table is
/// derived from the fst itself, so a lookup finds exactly what the plain walk finds; a
/// text whose first two characters start no name falls back to the plain walk.
struct Scope {
    start: Option<(usize, u64)>,
    jumps: OnceLock<FxHashMap<u32, Jump>>,
}

/// The state after a name's first two characters (see [`Scope`]).
#[derive(Debug, Clone, Copy)]
struct Jump {
    /// Output so far.
    out: u64,
    /// The value of a name that ends after one and after two characters
    /// ([`NO_NAME`] for none).
    finals: [u64; 2],
    /// The node reached.
    addr: usize,
}

/// No name ends here (outputs are far below this).
const NO_NAME: u64 = u64::MAX;

impl Scope {
    fn new(fst: &fst::raw::Fst<&'static [u8]>, prefix: &[u8]) -> Scope {
        let mut node = fst.root();
        let mut out = fst::raw::Output::zero();
        let start = prefix
            .iter()
            .all(|b| step(fst, &mut node, &mut out, *b))
            .then(|| (node.addr(), out.value()));
        Scope {
            start,
            jumps: OnceLock::new(),
        }
    }

    /// The jump table, built on first use by visiting the scope's first two characters.
    fn jumps(&self, fst: &fst::raw::Fst<&'static [u8]>) -> &FxHashMap<u32, Jump> {
        self.jumps.get_or_init(|| {
            let mut table = FxHashMap::default();
            let Some((addr, start)) = self.start else {
                return table;
            };
            for (code1, node1, out1) in next_chars(fst, fst.node(addr), start) {
                let fin1 = final_value(&node1, out1);
                for (code2, node2, out2) in next_chars(fst, node1, out1) {
                    let jump = Jump {
                        out: out2,
                        finals: [fin1, final_value(&node2, out2)],
                        addr: node2.addr(),
                    };
                    table.insert(jump_key(code1, code2), jump);
                }
            }
            table
        })
    }
}

fn jump_key(code1: u16, code2: u16) -> u32 {
    (u32::from(code1) << 16) | u32::from(code2)
}

/// The value of the name ending at `node` (with `out` so far), or [`NO_NAME`].
fn final_value(node: &fst::raw::Node<'_>, out: u64) -> u64 {
    if node.is_final() {
        fst::raw::Output::new(out).cat(node.final_output()).value()
    } else {
        NO_NAME
    }
}

/// Every character (key code) that leaves `node`, with the state after it.
fn next_chars<'f>(
    fst: &'f fst::raw::Fst<&'static [u8]>,
    node: fst::raw::Node<'f>,
    out: u64,
) -> Vec<(u16, fst::raw::Node<'f>, u64)> {
    let mut found = Vec::new();
    for t in node.transitions() {
        let next = fst.node(t.addr);
        let out = fst::raw::Output::new(out).cat(t.out).value();
        let one = tables::KEY_ONE_BYTE;
        if u16::from(t.inp) < one {
            found.push((u16::from(t.inp), next, out));
        } else {
            let lead = (u16::from(t.inp) - one) << 8;
            for t2 in next.transitions() {
                let out = fst::raw::Output::new(out).cat(t2.out).value();
                found.push((one + (lead | u16::from(t2.inp)), fst.node(t2.addr), out));
            }
        }
    }
    found
}

/// The embedded gazetteer, loaded on first use.
///
/// # Panics
/// Never on user data; only if the build embedded a broken fst, which the crate's own tests
/// catch.
pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| {
        #[allow(clippy::expect_used)]
        let map = fst::Map::new(FST_BYTES).expect("the build script writes a valid fst");
        let fst = map.as_fst();
        let mut scopes = vec![Scope::new(fst, &[NS_PREF]), Scope::new(fst, &[NS_CITY])];
        scopes.extend(
            (0..tables::PREFECTURES.len()).map(|p| Scope::new(fst, &[NS_CITY_IN_PREF, p as u8])),
        );
        scopes.extend((0..tables::CITIES.len()).map(|c| {
            let [hi, lo] = (c as u16).to_be_bytes();
            Scope::new(fst, &[NS_TOWN, hi, lo])
        }));
        Gazetteer { map, scopes }
    })
}

impl Gazetteer {
    /// The embedded size in bytes (fst, town pool and static tables' strings).
    pub fn size_bytes(&self) -> usize {
        let tables: usize = tables::PREFECTURES
            .iter()
            .map(|(a, b)| a.len() + b.len())
            .sum::<usize>()
            + tables::CITIES
                .iter()
                .map(|(_, a, b, c)| 1 + a.len() + b.len() + c.len())
                .sum::<usize>();
        FST_BYTES.len()
            + POOL.len()
            + TOWN_REL.len()
            + KEY_CODES.len()
            + 6 * tables::KEY_CODES_SPARSE.len()
            + tables
            + 8 * tables::CITY_POOL_BASE.len()
    }

    /// Number of prefectures, municipalities and keys.
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            tables::PREFECTURES.len(),
            tables::CITIES.len(),
            self.map.len(),
        )
    }

    /// The prefecture's name (東京都).
    pub fn prefecture_name(&self, id: PrefId) -> &'static str {
        tables::PREFECTURES
            .get(id.0 as usize)
            .map(|p| p.0)
            .unwrap_or("")
    }

    /// A municipality's data.
    pub fn city(&self, id: CityId) -> City {
        let (pref, jis, name, kana) = tables::CITIES
            .get(id.0 as usize)
            .copied()
            .unwrap_or((0, "", "", ""));
        City {
            pref: PrefId(pref),
            jis,
            name,
            kana,
        }
    }

    /// True when the town is divided into 丁目 (cheaper than [`Gazetteer::town`]).
    pub fn town_has_chome(&self, id: TownId) -> bool {
        self.town_record(id)
            .and_then(|at| POOL.get(at))
            .is_some_and(|head| head & 0x80 != 0)
    }

    /// Where a town's record starts in the pool.
    fn town_record(&self, id: TownId) -> Option<usize> {
        let city = (id.0 >> 16) as usize;
        let idx = (id.0 & 0xFFFF) as usize;
        let base = *tables::CITY_TOWN_BASE.get(city)? as usize;
        let rel_at = 2 * (base + idx);
        let rel = u16::from_le_bytes([*TOWN_REL.get(rel_at)?, *TOWN_REL.get(rel_at + 1)?]);
        Some(*tables::CITY_POOL_BASE.get(city)? as usize + rel as usize)
    }

    /// A town's data.
    pub fn town(&self, id: TownId) -> Town {
        let city = (id.0 >> 16) as u16;
        let read = || -> Option<Town> {
            let at = self.town_record(id)?;
            let head = *POOL.get(at)?;
            let has_chome = head & 0x80 != 0;
            let name_len = (head & 0x7F) as usize;
            let name = decode_name(POOL.get(at + 1..at + 1 + name_len)?)?;
            let kana_at = at + 1 + name_len;
            let kana_len = *POOL.get(kana_at)? as usize;
            let mut kana = String::with_capacity(3 * kana_len);
            for b in POOL.get(kana_at + 1..kana_at + 1 + kana_len)? {
                if b & 0x80 != 0 {
                    kana.push(char::from(b & 0x7F));
                } else if let Some(c) = char::from_u32(0x30A0 + u32::from(*b)) {
                    kana.push(c);
                }
            }
            Some(Town {
                city: CityId(city),
                name,
                kana,
                has_chome,
            })
        };
        read().unwrap_or(Town {
            city: CityId(city),
            name: String::new(),
            kana: String::new(),
            has_chome: false,
        })
    }

    /// Every prefecture name (with or without 都/府/県) that starts `text`, longest first,
    /// with the number of characters it covers. `text` is in match form
    /// ([`super::fold::fold_for_match`]).
    pub fn prefecture_prefixes(&self, text: &[char]) -> Prefixes<PrefId> {
        self.prefixes(SCOPE_PREFECTURES, text, PrefId(0), |v| PrefId(v as u8))
    }

    /// Every municipality name that starts `text`, longest first. With a prefecture, only
    /// its municipalities; without, all of Japan (and a name shared by several is
    /// [`CityMatch::Ambiguous`]).
    pub fn city_prefixes(&self, pref: Option<PrefId>, text: &[char]) -> Prefixes<CityMatch> {
        let scope = match pref {
            Some(p) => SCOPE_CITIES_IN + p.0 as usize,
            None => SCOPE_CITIES,
        };
        let none = CityMatch::Unique(CityId(0));
        self.prefixes(scope, text, none, |v| {
            let id = CityId((v & 0xFFFF) as u16);
            if v & AMBIGUOUS != 0 {
                CityMatch::Ambiguous(id)
            } else {
                CityMatch::Unique(id)
            }
        })
    }

    /// Every town of `city` whose name starts `text`, longest first.
    pub fn town_prefixes(&self, city: CityId, text: &[char]) -> Prefixes<TownId> {
        // Without the jump table: there are ~1,900 town scopes, so a lookup's table is
        // usually out of cache, and its misses cost more than the transitions it saves
        // (measured: ~6% of normalization time in the hash probe alone).
        let scope = scope_towns_in(city);
        self.walk(scope, text, TownId(0), |v| TownId(v as u32), false)
    }

    /// The municipality (and town, when unique) of a 7-digit postal code.
    ///
    /// ```
    /// let g = mikiwame::address::gazetteer::gazetteer();
    /// let area = g.postal_area("1540001").unwrap();
    /// assert_eq!(g.city(area.city).name, "世田谷区");
    /// assert_eq!(g.town(area.town.unwrap()).name, "池尻");
    /// ```
    pub fn postal_area(&self, code: &str) -> Option<PostalArea> {
        let mut key = vec![NS_POSTAL];
        key.extend(code.as_bytes());
        let v = self.map.get(&key)?;
        let city = ((v >> 16) & 0xFFFF) as u32;
        let town = (v & 0xFFFF) as u32;
        Some(PostalArea {
            city: CityId(city as u16),
            town: if town == 0 {
                None
            } else {
                Some(TownId((city << 16) | (town - 1)))
            },
        })
    }

    /// Walks the fst from a scope's start state along `text` (in key codes), collecting
    /// every final state, converted by `id` (`blank` fills the unused slots). The first
    /// two characters go by the scope's jump table when they start a name.
    fn prefixes<T: Copy>(
        &self,
        scope: usize,
        text: &[char],
        blank: T,
        id: impl Fn(u64) -> T,
    ) -> Prefixes<T> {
        self.walk(scope, text, blank, id, true)
    }

    /// [`Gazetteer::prefixes`], with or without the jump table (tests compare the two).
    #[inline(always)]
    fn walk<T: Copy>(
        &self,
        scope: usize,
        text: &[char],
        blank: T,
        id: impl Fn(u64) -> T,
        use_jumps: bool,
    ) -> Prefixes<T> {
        let mut found = Prefixes {
            items: [(blank, 0); MAX_PREFIXES],
            len: 0,
        };
        let Some(scope) = self.scopes.get(scope) else {
            return found;
        };
        let Some((addr, start)) = scope.start else {
            return found;
        };
        let fst = self.map.as_fst();
        let mut node = fst.node(addr);
        let mut out = fst::raw::Output::new(start);
        let mut from = 0;
        if let ([c1, c2, ..], true) = (text, use_jumps) {
            if let (Some(k1), Some(k2)) = (key_code(*c1), key_code(*c2)) {
                if let Some(j) = scope.jumps(fst).get(&jump_key(k1, k2)) {
                    for (len, value) in [(1, j.finals[0]), (2, j.finals[1])] {
                        if value != NO_NAME {
                            found.push((id(value), len));
                        }
                    }
                    node = fst.node(j.addr);
                    out = fst::raw::Output::new(j.out);
                    from = 2;
                }
            }
        }
        for (i, c) in text.iter().enumerate().skip(from) {
            // A leaf: no longer name can match (saves a failing probe per lookup).
            if node.is_empty() {
                break;
            }
            let Some(code) = key_code(*c) else { break };
            let ok = if code < tables::KEY_ONE_BYTE {
                step(fst, &mut node, &mut out, code as u8)
            } else {
                let rest = code - tables::KEY_ONE_BYTE;
                step(
                    fst,
                    &mut node,
                    &mut out,
                    (tables::KEY_ONE_BYTE + (rest >> 8)) as u8,
                ) && step(fst, &mut node, &mut out, (rest & 0xFF) as u8)
            };
            if !ok {
                break;
            }
            if node.is_final() {
                found.push((id(out.cat(node.final_output()).value()), i + 1));
            }
        }
        found.items[..found.len].reverse();
        found
    }
}

/// One fst transition on `b`, if there is one.
#[inline(always)]
fn step<'f>(
    fst: &'f fst::raw::Fst<&'static [u8]>,
    node: &mut fst::raw::Node<'f>,
    out: &mut fst::raw::Output,
    b: u8,
) -> bool {
    match node.find_input(b) {
        Some(i) => {
            let t = node.transition(i);
            *out = out.cat(t.out);
            *node = fst.node(t.addr);
            true
        }
        None => false,
    }
}

/// The most names [`Gazetteer`] reports as prefixes of one text (the longest are kept).
const MAX_PREFIXES: usize = 8;

/// The names that start a text, longest first, each with the number of characters it
/// covers: at most eight, kept inline so that lookups allocate nothing.
///
/// ```
/// use mikiwame::address::gazetteer::gazetteer;
/// let text: Vec<char> = "東京都新宿区".chars().collect();
/// let found = gazetteer().prefecture_prefixes(&text);
/// assert_eq!(found.len(), 2); // 東京都, then 東京
/// assert_eq!(found[0].1, 3);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Prefixes<T> {
    items: [(T, usize); MAX_PREFIXES],
    len: usize,
}

impl<T: Copy> Prefixes<T> {
    /// Adds a longer match, dropping the shortest when full.
    fn push(&mut self, item: (T, usize)) {
        if self.len == MAX_PREFIXES {
            self.items.copy_within(1.., 0);
            self.len -= 1;
        }
        self.items[self.len] = item;
        self.len += 1;
    }
}

impl<T> std::ops::Deref for Prefixes<T> {
    type Target = [(T, usize)];
    fn deref(&self) -> &[(T, usize)] {
        &self.items[..self.len]
    }
}

impl<T> IntoIterator for Prefixes<T> {
    type Item = (T, usize);
    type IntoIter = std::iter::Take<std::array::IntoIter<(T, usize), MAX_PREFIXES>>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter().take(self.len)
    }
}

/// The key code of a character as the build script assigned it (`None`: no name in the
/// gazetteer contains it, so no lookup can go on past it).
fn key_code(c: char) -> Option<u16> {
    let cp = c as u32;
    let (lo, hi) = tables::KEY_DENSE;
    let v = if (lo..hi).contains(&cp) {
        let i = 2 * (cp - lo) as usize;
        u16::from_le_bytes([*KEY_CODES.get(i)?, *KEY_CODES.get(i + 1)?])
    } else {
        let i = tables::KEY_CODES_SPARSE
            .binary_search_by_key(&c, |p| p.0)
            .ok()?;
        tables::KEY_CODES_SPARSE.get(i)?.1
    };
    v.checked_sub(1)
}

/// Decodes a town name: one byte for the 128 most frequent characters, two for the rest.
fn decode_name(bytes: &[u8]) -> Option<String> {
    let table = chars_table();
    let mut out = String::with_capacity(bytes.len() * 3);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let idx = if b < 0x80 {
            i += 1;
            b as usize
        } else {
            let lo = *bytes.get(i + 1)?;
            i += 2;
            (((b & 0x7F) as usize) << 8) | lo as usize
        };
        out.push(*table.get(idx)?);
    }
    Some(out)
}

fn chars_table() -> &'static [char] {
    static T: OnceLock<Vec<char>> = OnceLock::new();
    T.get_or_init(|| tables::CHAR_TABLE.chars().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        super::super::fold::fold_for_match(s).chars().collect()
    }

    #[test]
    fn embedded_size_is_compact() {
        let g = gazetteer();
        assert!(g.size_bytes() < 4 * 1024 * 1024, "{} bytes", g.size_bytes());
        let (p, c, _) = g.counts();
        assert_eq!(p, 47);
        assert!(c > 1800);
    }

    /// Every name of every scope, alone, followed by more text, cut short and with a
    /// wrong second character: the jump table finds exactly what the plain walk finds.
    #[test]
    fn jump_tables_agree_with_the_plain_walk() {
        let g = gazetteer();
        let mut names: Vec<(usize, String)> = Vec::new();
        let mut towns: Vec<(usize, String)> = Vec::new();
        for p in 0..tables::PREFECTURES.len() {
            names.push((
                SCOPE_PREFECTURES,
                g.prefecture_name(PrefId(p as u8)).to_string(),
            ));
        }
        for c in 0..tables::CITIES.len() {
            let city = g.city(CityId(c as u16));
            names.push((SCOPE_CITIES, city.name.to_string()));
            names.push((
                SCOPE_CITIES_IN + city.pref.0 as usize,
                city.name.to_string(),
            ));
            // Towns go without jumps in production; their names still make texts that
            // start no city name, or only a short one.
            for t in 0..3 {
                let town = g.town(TownId(((c as u32) << 16) | t));
                if !town.name.is_empty() {
                    towns.push((SCOPE_CITIES_IN + city.pref.0 as usize, town.name));
                }
            }
        }
        let place_names = names.len();
        assert!(place_names > 3_000, "{place_names}");
        names.extend(towns);
        let mut found = 0;
        for (i, (scope, name)) in names.iter().enumerate() {
            let name = chars(name);
            let mut texts = vec![name.clone(), name[..1].to_vec()];
            texts.push([&name[..], &chars("1丁目2番")[..]].concat());
            texts.push([&name[..1], &['ぉ'], &name[1..]].concat());
            for text in texts {
                let fast = g.walk(*scope, &text, 0, |v| v, true);
                let plain = g.walk(*scope, &text, 0, |v| v, false);
                assert_eq!(&fast[..], &plain[..], "scope {scope} {text:?}");
                found += usize::from(i < place_names && !plain.is_empty());
            }
        }
        // Each place name is found alone and followed by a lot number (the comparisons
        // are of real finds, not only of misses).
        assert!(found >= 2 * place_names, "{found} of {place_names}");
    }

    #[test]
    fn ambiguous_cities() {
        let g = gazetteer();
        for name in ["府中市", "伊達市", "北区"] {
            let m = g.city_prefixes(None, &chars(name));
            assert!(matches!(m[0].0, CityMatch::Ambiguous(_)), "{name}");
        }
        let m = g.city_prefixes(None, &chars("世田谷区"));
        assert!(matches!(m[0].0, CityMatch::Unique(_)));
    }

    #[test]
    fn hokkaido_grid_spellings() {
        let g = gazetteer();
        let pref = g.prefecture_prefixes(&chars("北海道"))[0].0;
        let t = chars("札幌市中央区北3西6");
        let (city, used) = g.city_prefixes(Some(pref), &t)[0];
        let towns = g.town_prefixes(city.unique().unwrap(), &t[used..]);
        assert_eq!(g.town(towns[0].0).name, "北三条西");
    }
}
