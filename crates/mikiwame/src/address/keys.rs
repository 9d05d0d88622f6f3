//! The two keys that identify a place: [`BlockKey`] and [`UnitKey`].

use serde::{Deserialize, Serialize};

use super::components::{Address, Script};

/// Identifies a building plot: prefecture, city, town, 丁目, 番(地), 号 and sub-numbers.
///
/// A printable string, equal for every notation of the same plot. Components are separated
/// by `|` and tagged (`c` 丁目, `b` 番, `g` 号, `s` sub-number, `x` lot suffix), so a missing
/// 丁目 never looks like 丁目 1.
///
/// ```
/// let a = mikiwame::address::normalize("東京都世田谷区池尻1-2-3").unwrap();
/// assert_eq!(a.block_key().as_str(), "東京都世田谷区池尻|c1|b2|g3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BlockKey(String);

/// Identifies a unit: the [`BlockKey`] plus floor and room, or the forwarding customer ID.
///
/// For a detached house (no floor, no room) it equals the block key's text.
///
/// ```
/// let a = mikiwame::address::normalize("東京都世田谷区池尻1-2-3 ハイツ池尻3F").unwrap();
/// assert_eq!(a.unit_key().as_str(), "東京都世田谷区池尻|c1|b2|g3|f3");
/// let b = mikiwame::address::normalize("東京都世田谷区池尻1-2-3 ハイツ池尻3F 301号室").unwrap();
/// assert_eq!(b.unit_key().as_str(), "東京都世田谷区池尻|c1|b2|g3|r301");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitKey(String);

impl BlockKey {
    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's string, without a copy.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl UnitKey {
    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's string, without a copy.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for BlockKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for UnitKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Address {
    /// The place part of the keys: prefecture, city and town joined without separators
    /// (for Latin script: country, city, town and street joined by commas).
    pub fn locality(&self) -> String {
        // Room for the locality and the lot and unit parts that the keys append.
        let mut s = String::with_capacity(96);
        self.locality_pieces(|piece| s.push_str(piece));
        s
    }

    /// Feeds the pieces of [`Address::locality`] (parts and separators) in order, so that
    /// the string and its hash are made from one definition.
    fn locality_pieces(&self, mut feed: impl FnMut(&str)) {
        let (parts, separator) = match self.script {
            Script::Japanese => (
                [
                    self.prefecture.as_deref(),
                    self.city.as_deref(),
                    self.town.as_deref(),
                    None,
                ],
                "",
            ),
            Script::Latin => (
                [
                    self.country.as_deref(),
                    self.city.as_deref(),
                    self.town.as_deref(),
                    self.street.as_deref(),
                ],
                ",",
            ),
        };
        for (i, part) in parts.into_iter().flatten().enumerate() {
            if i > 0 {
                feed(separator);
            }
            feed(part);
        }
    }

    /// A stable 64-bit identity of the locality (FNV-1a of [`Address::locality`]), for
    /// binary index keys. It depends only on canonical names, never on gazetteer row
    /// numbers, so index files survive a gazetteer update.
    ///
    /// ```
    /// let a = mikiwame::address::normalize("東京都世田谷区池尻1-2-3").unwrap();
    /// let b = mikiwame::address::normalize("世田谷区池尻１丁目").unwrap();
    /// assert_eq!(a.locality_hash(), b.locality_hash());
    /// ```
    pub fn locality_hash(&self) -> u64 {
        // FNV-1a over the pieces in turn, exactly as over the joined string, without
        // building it (index keys are made for every record and every query).
        let mut h = crate::fnv::Fnv1a::new();
        self.locality_pieces(|piece| h.bytes(piece.as_bytes()));
        h.finish()
    }

    /// The key of the building plot.
    pub fn block_key(&self) -> BlockKey {
        let mut s = self.locality();
        push_tagged(&mut s, 'c', self.chome);
        push_tagged(&mut s, 'b', self.banchi);
        push_tagged(&mut s, 'g', self.go);
        for n in &self.sub_numbers {
            push_tagged(&mut s, 's', Some(*n));
        }
        if let Some(x) = &self.lot_suffix {
            s.push_str("|x");
            s.push_str(x);
        }
        BlockKey(s)
    }

    /// The key of the unit: the block key plus floor and room, or the forwarding ID.
    pub fn unit_key(&self) -> UnitKey {
        let mut s = self.block_key().0;
        if let Some(id) = &self.forwarding_id {
            s.push_str("|id");
            s.push_str(id);
        } else {
            // A numbered room already says where it is; the floor is kept only when the
            // room does not (3F, or 3F-A), so "3F 301号室" and "301号室" agree.
            let numbered_room = self
                .room
                .as_deref()
                .is_some_and(|r| r.chars().any(|c| c.is_ascii_digit()));
            if let (Some(f), false) = (self.floor, numbered_room) {
                s.push_str("|f");
                s.push_str(&f.to_string());
            }
            if let Some(r) = &self.room {
                s.push_str("|r");
                s.push_str(r);
            }
        }
        UnitKey(s)
    }
}

/// [`Address::locality_hash`] for many addresses (a batch, or one thread's queries),
/// remembering the hash state after the prefecture and city. Addresses from the parser
/// borrow those two names from the gazetteer as `'static` text, so one pair of pointers
/// and lengths always names one pair of texts, and addresses share few pairs: the hash then
/// reads only the town's bytes. Names that are not borrowed that way (owned, or Latin
/// addresses) are hashed in full.
pub(crate) struct LocalityHasher {
    /// Direct-mapped: the pointers and lengths of a prefecture and city, and the hash
    /// state after both.
    slots: Vec<Option<(PairKey, crate::fnv::Fnv1a)>>,
}

/// Where a borrowed prefecture and city lie: address and length of each.
type PairKey = (usize, usize, usize, usize);

impl LocalityHasher {
    /// An empty memo of 256 pairs (a batch's prefecture and city pairs are few: Japan has
    /// about 1,900 cities, and orders gather in the large ones).
    pub(crate) fn new() -> LocalityHasher {
        LocalityHasher::with_slots(256)
    }

    /// An empty memo of `slots` pairs (at least one).
    fn with_slots(slots: usize) -> LocalityHasher {
        LocalityHasher {
            slots: vec![None; slots.max(1)],
        }
    }

    /// Equal to `a.locality_hash()`.
    pub(crate) fn hash(&mut self, a: &Address) -> u64 {
        use std::borrow::Cow;
        let (Script::Japanese, Some(Cow::Borrowed(pref)), Some(Cow::Borrowed(city))) =
            (a.script, &a.prefecture, &a.city)
        else {
            return a.locality_hash();
        };
        let key = (
            pref.as_ptr() as usize,
            pref.len(),
            city.as_ptr() as usize,
            city.len(),
        );
        let mixed = (key.0 ^ key.2.rotate_left(17)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        let slot = mixed % self.slots.len();
        let mut h = match self.slots[slot] {
            Some((k, state)) if k == key => state,
            _ => {
                let mut state = crate::fnv::Fnv1a::new();
                state.bytes(pref.as_bytes());
                state.bytes(city.as_bytes());
                self.slots[slot] = Some((key, state));
                state
            }
        };
        // The Japanese locality joins its pieces without a separator.
        if let Some(town) = &a.town {
            h.bytes(town.as_bytes());
        }
        h.finish()
    }
}

impl Address {
    /// The address written out in one canonical notation (prefecture, city, town,
    /// N丁目N番N号, building, floor, room). Normalizing it again gives the same keys.
    ///
    /// ```
    /// let a = mikiwame::address::normalize("世田谷区池尻１－２－３ ハイツ池尻１０１").unwrap();
    /// assert_eq!(a.render(), "東京都世田谷区池尻1丁目2番3号 ハイツ池尻 101号室");
    /// let again = mikiwame::address::normalize(&a.render()).unwrap();
    /// assert_eq!(again.unit_key(), a.unit_key());
    /// ```
    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        if self.script == Script::Latin {
            let mut s = self.street.clone().unwrap_or_default();
            if let Some(f) = self.floor {
                let _ = write!(s, " {f}F");
            }
            if let Some(r) = &self.room {
                let _ = write!(s, " #{r}");
            }
            return s;
        }
        let mut s = String::new();
        for part in [
            self.prefecture.as_deref(),
            self.city.as_deref(),
            self.town.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            s.push_str(part);
        }
        if let Some(c) = self.chome {
            let _ = write!(s, "{c}丁目");
        }
        if let Some(b) = self.banchi {
            let _ = write!(s, "{b}番");
        }
        if let Some(g) = self.go {
            let _ = write!(s, "{g}号");
        }
        for n in &self.sub_numbers {
            let _ = write!(s, "-{n}");
        }
        if let Some(x) = &self.lot_suffix {
            s.push_str(x);
        }
        if let Some(id) = &self.forwarding_id {
            let _ = write!(s, " {id}");
        }
        if let Some(b) = &self.building {
            let _ = write!(s, " {b}");
        }
        if let Some(f) = self.floor {
            let _ = write!(s, " {f}F");
        }
        if let Some(r) = &self.room {
            let _ = write!(s, " {r}号室");
        }
        s
    }
}

fn push_tagged(s: &mut String, tag: char, n: Option<u32>) {
    if let Some(n) = n {
        s.push('|');
        s.push(tag);
        push_number(s, n);
    }
}

/// Appends a number in decimal without a formatter (keys are built for every order).
/// A byte at a time: for a few digits that beats an append of the slice (a `memcpy`
/// call).
fn push_number(s: &mut String, n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for b in &buf[i..] {
        s.push(char::from(*b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::borrow::Cow;

    fn fnv1a(s: &str) -> u64 {
        crate::fnv::fnv1a(s.as_bytes())
    }

    proptest! {
        /// The hash runs over the parts in turn; it must equal the hash of the joined
        /// locality, which index files depend on.
        #[test]
        fn locality_hash_is_fnv1a_of_the_locality(
            latin: bool,
            p in prop::option::of("[東京都大阪府a-z,]{0,3}"),
            c in prop::option::of("[a-zあ-ん区市]{0,4}"),
            t in prop::option::of("[池尻梅田0-9]{0,4}"),
            st in prop::option::of("[a-z 0-9]{0,6}"),
        ) {
            let script = if latin { Script::Latin } else { Script::Japanese };
            let a = Address {
                script,
                prefecture: p.clone().map(Into::into),
                country: p,
                city: c.map(Into::into),
                town: t,
                street: st,
                ..Default::default()
            };
            prop_assert_eq!(a.locality_hash(), fnv1a(&a.locality()));
        }

        /// The batch memo hashes as `locality_hash` does, whether the names are borrowed
        /// (remembered), owned (hashed in full) or Latin, with or without a town, and
        /// when many pairs share its few slots.
        #[test]
        fn locality_memo_equals_locality_hash(
            picks in prop::collection::vec(
                (0usize..6, 0usize..6, any::<bool>(), any::<bool>(),
                 prop::option::of("[池尻梅田一二]{0,3}")),
                1..200,
            )
        ) {
            const PREFS: [&str; 6] = ["東京都", "大阪府", "北海道", "京都府", "", "東京"];
            const CITIES: [&str; 6] = ["世田谷区", "大阪市北区", "札幌市", "京都市", "", "区"];
            // One slot makes every other pair evict the last; 256 is the batch's memo.
            let mut memos = [LocalityHasher::with_slots(1), LocalityHasher::new()];
            for (p, c, owned, latin, town) in picks {
                let name = |s: &'static str| -> Cow<'static, str> {
                    if owned { Cow::Owned(s.to_string()) } else { Cow::Borrowed(s) }
                };
                let a = Address {
                    script: if latin { Script::Latin } else { Script::Japanese },
                    prefecture: Some(name(PREFS[p])),
                    city: Some(name(CITIES[c])),
                    town,
                    ..Default::default()
                };
                for memo in &mut memos {
                    prop_assert_eq!(memo.hash(&a), a.locality_hash());
                }
            }
        }

        #[test]
        fn numbers_are_written_in_decimal(n: u32) {
            let mut s = String::from("x");
            push_number(&mut s, n);
            prop_assert_eq!(s, format!("x{n}"));
        }
    }
}
