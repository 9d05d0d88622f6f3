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
    /// The fst state (node address, output so far) after each lookup scope, found once at
    /// load so that a lookup starts right at its names: the namespaces without a
    /// qualifier, then one per prefecture (its cities), then one per city (its towns).
    scopes: Scopes,
}

/// Start states of the lookup scopes (see [`Gazetteer`]); `None` for an empty scope.
struct Scopes {
    prefectures: Option<(usize, u64)>,
    cities: Option<(usize, u64)>,
    cities_in: Vec<Option<(usize, u64)>>,
    towns_in: Vec<Option<(usize, u64)>>,
}

impl Scopes {
    fn new(fst: &fst::raw::Fst<&'static [u8]>) -> Scopes {
        let start = |scope: &[u8]| -> Option<(usize, u64)> {
            let mut node = fst.root();
            let mut out = fst::raw::Output::zero();
            for b in scope {
                if !step(fst, &mut node, &mut out, *b) {
                    return None;
                }
            }
            Some((node.addr(), out.value()))
        };
        Scopes {
            prefectures: start(&[NS_PREF]),
            cities: start(&[NS_CITY]),
            cities_in: (0..tables::PREFECTURES.len())
                .map(|p| start(&[NS_CITY_IN_PREF, p as u8]))
                .collect(),
            towns_in: (0..tables::CITIES.len())
                .map(|c| {
                    let [hi, lo] = (c as u16).to_be_bytes();
                    start(&[NS_TOWN, hi, lo])
                })
                .collect(),
        }
    }
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
        let scopes = Scopes::new(map.as_fst());
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
        self.prefixes(self.scopes.prefectures, text, PrefId(0), |v| {
            PrefId(v as u8)
        })
    }

    /// Every municipality name that starts `text`, longest first. With a prefecture, only
    /// its municipalities; without, all of Japan (and a name shared by several is
    /// [`CityMatch::Ambiguous`]).
    pub fn city_prefixes(&self, pref: Option<PrefId>, text: &[char]) -> Prefixes<CityMatch> {
        let scope = match pref {
            Some(p) => self.scopes.cities_in.get(p.0 as usize).copied().flatten(),
            None => self.scopes.cities,
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
        let scope = self.scopes.towns_in.get(city.0 as usize).copied().flatten();
        self.prefixes(scope, text, TownId(0), |v| TownId(v as u32))
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
    /// every final state, converted by `id` (`blank` fills the unused slots).
    fn prefixes<T: Copy>(
        &self,
        scope: Option<(usize, u64)>,
        text: &[char],
        blank: T,
        id: impl Fn(u64) -> T,
    ) -> Prefixes<T> {
        let mut found = Prefixes {
            items: [(blank, 0); MAX_PREFIXES],
            len: 0,
        };
        let Some((addr, start)) = scope else {
            return found;
        };
        let fst = self.map.as_fst();
        let mut node = fst.node(addr);
        let mut out = fst::raw::Output::new(start);
        for (i, c) in text.iter().enumerate() {
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
