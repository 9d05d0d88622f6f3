//! Binary key encoding for the index's one `fst::Map`.
//!
//! Every key starts with a [`Kind`] byte, so the kinds live in disjoint ranges of one map.
//! Address keys then hold the locality hash (8 bytes, big-endian) and the lot numbers in an
//! order-preserving variable-length encoding ([`put_varint`]): byte order is numeric order and
//! no encoded number is a prefix of another, so
//!
//! - every key under one town and 丁目 starts with the same bytes (the 丁目 prefix),
//! - all keys of one 番 lie in `[prefix + enc(b), prefix + enc(b + 1))`, which makes
//!   "番 within `near_banchi`" one range query, and
//! - a block's keys all start with the block prefix, which makes "same block" a prefix test.
//!
//! Missing numbers are encoded as a `0` byte and present ones as `n + 1`, so a missing 丁目
//! never looks like 丁目 0 or 1.
//!
//! The rest of a key is short, since every byte is one automaton state to build and to walk
//! (format 4; format 2 spent a byte on the sub-number count and a tag byte before every
//! room, format 1 a byte on each presence flag and wrote rooms as text):
//!
//! - the block's tail is one byte in the usual case (the 号's `n + 1`, or `0`, with no
//!   sub-numbers or lot suffix), else an escape byte, the 号, the sub-numbers and the suffix;
//! - the unit is one or two bytes for the usual flat (a plain room number without a floor:
//!   `0x10..=0x7F` for rooms 1-112, `0x80..=0xFF` and a second byte up to room 32,879),
//!   else a tag byte (`0x00..=0x0F`: which of forwarding ID, floor and room follow) and
//!   those parts.
//!
//! Every part is prefix-free, so a block's encoding never continues into another block's
//! and a unit's never into another unit's; the proptests below hold that, and equality
//! with the printable keys, over every branch.

use std::cell::RefCell;

use crate::address::{Address, LocalityHasher};
use unicode_normalization::UnicodeNormalization;

/// The namespace byte at the start of every key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub(crate) enum Kind {
    /// A fraud address unit: block prefix + unit suffix. Values point to records.
    Address = 0x01,
    /// A forwarding service's block. Values point to forwarders.
    ForwarderBlock = 0x02,
    /// A forwarding service's building name within its locality. Values point to forwarders.
    ForwarderBuilding = 0x03,
    /// A normalized email address. Values point to records.
    Email = 0x10,
    /// A phone number in E.164. Values point to records.
    Phone = 0x11,
    /// A card fingerprint. Values point to records.
    Card = 0x12,
}

impl Kind {
    /// Every kind, in key order.
    pub(crate) const ALL: [Kind; 6] = [
        Kind::Address,
        Kind::ForwarderBlock,
        Kind::ForwarderBuilding,
        Kind::Email,
        Kind::Phone,
        Kind::Card,
    ];

    /// The stable name used in build summaries and `index info`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Address => "address_unit",
            Kind::ForwarderBlock => "forwarder_block",
            Kind::ForwarderBuilding => "forwarder_building",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Card => "card",
        }
    }
}

/// Appends `v` in an order-preserving, prefix-free variable-length encoding (the SQLite4
/// varint): 1 byte up to 240, 2 bytes up to 2287, 3 bytes up to 67823, else a length byte
/// and big-endian bytes. Lexicographic order of the bytes equals numeric order.
#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v <= 240 {
        out.push(v as u8);
    } else if v <= 2287 {
        let x = v - 240;
        out.push((x / 256 + 241) as u8);
        out.push((x % 256) as u8);
    } else if v <= 67823 {
        let x = v - 2288;
        out.push(249);
        out.push((x / 256) as u8);
        out.push((x % 256) as u8);
    } else {
        let bytes = v.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(5);
        let n = 8 - skip; // 3..=8
        out.push(250 + (n as u8 - 3));
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// An optional number: `0` when missing, else the varint of `n + 1`.
#[inline]
fn put_opt(out: &mut Vec<u8>, n: Option<u32>) {
    match n {
        None => out.push(0),
        // The usual 丁目 and 番, here rather than through the call (`put_varint` is too
        // large to inline): about 25 instructions a number.
        Some(n @ 0..240) => out.push(n as u8 + 1),
        Some(n) => put_varint(out, u64::from(n) + 1),
    }
}

/// Appends the encoding of a present 番, as it follows the 丁目 part.
pub(crate) fn put_banchi(out: &mut Vec<u8>, n: u32) {
    put_opt(out, Some(n));
}

/// A block tail (号, sub-numbers, lot suffix) at or above this byte is escaped: the usual
/// tail, a 号 (or none) without sub-numbers or suffix, is the one byte below it.
const LOT_ESCAPE: u8 = 0xF0;
/// Unit tag: a forwarding customer ID follows (and nothing else).
const UNIT_FORWARDING_ID: u8 = 0x01;
/// Unit tag bit: a floor follows.
const UNIT_FLOOR: u8 = 0x02;
/// Unit tag bit: a room written as a plain number follows, as its varint.
const UNIT_ROOM_NUMBER: u8 = 0x04;
/// Unit tag bit: a room written otherwise follows, as a string.
const UNIT_ROOM_TEXT: u8 = 0x08;
/// A plain room number `1..=ROOM_ONE_BYTE` without a floor is the one byte
/// `ROOM_ONE_BASE + n - 1` (`0x10..=0x7F`, above every tag)…
const ROOM_ONE_BASE: u8 = 0x10;
const ROOM_ONE_BYTE: u64 = 112;
/// … and a larger one up to `ROOM_TWO_BYTES` is two bytes, the first at or above
/// `ROOM_TWO_BASE` (`0x80..=0xFF`), which the usual flat (`305`, `1204`) takes instead of a
/// tag byte and a varint.
const ROOM_TWO_BASE: u8 = 0x80;
const ROOM_TWO_BYTES: u64 = ROOM_ONE_BYTE + 0x7FFF;

/// The value of a room written as a plain decimal number without leading zeros (`101`,
/// not `0101`, `B1` or `１０１`), so that the number stands for exactly one spelling.
fn plain_number(room: &str) -> Option<u64> {
    let b = room.as_bytes();
    if b.is_empty() || b.len() > 18 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    room.parse().ok()
}

/// A length-prefixed byte string (prefix-free, so fields after it stay unambiguous).
fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Canonical form of a forwarding customer ID: NFKC, upper-case, without spaces and hyphens,
/// so `kx-004521` and `ＫＸ００４５２１` are one customer.
pub(crate) fn canonical_forwarding_id(id: &str) -> String {
    id.nfkc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '‐' | '−' | 'ー' | '_'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Canonical form of a building name for the forwarder-building key: NFKC, lower-case,
/// without spaces.
pub(crate) fn canonical_building(name: &str) -> String {
    name.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Canonical form of a card fingerprint: trimmed, lower-case. Borrowed when the input is
/// already in that form (nearly always: every scored order with a card asks for it).
pub(crate) fn canonical_card(fp: &str) -> Option<std::borrow::Cow<'_, str>> {
    let t = fp.trim();
    if !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
    {
        return Some(std::borrow::Cow::Borrowed(t));
    }
    let s = t.to_lowercase();
    (!s.is_empty() && !s.chars().any(char::is_whitespace)).then_some(std::borrow::Cow::Owned(s))
}

/// The length of the locality hash at the start of every address key body.
pub(crate) const LOCALITY_LEN: usize = 8;

/// The locality hash at the start of an address key body (0 for a body too short to hold
/// one, which [`encode_body`] never writes).
#[inline]
pub(crate) fn locality_of(body: &[u8]) -> u64 {
    let mut h = [0u8; LOCALITY_LEN];
    if let Some(b) = body.get(..LOCALITY_LEN) {
        h.copy_from_slice(b);
    }
    u64::from_be_bytes(h)
}

/// Where the parts of an address key body end, as byte lengths from the body's start
/// (without the kind byte): the town + 丁目 part, then the 番, then the rest of the block;
/// the unit suffix runs to the body's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marks {
    /// End of the locality hash and 丁目.
    pub(crate) chome: usize,
    /// End of the 番 (one `0` byte when there is none).
    pub(crate) banchi: usize,
    /// End of the block encoding.
    pub(crate) block: usize,
}

/// Appends the key body of an address (block encoding and unit suffix, without the kind
/// byte) to `out`, and returns where its parts end, counted from where it started; `None`
/// (and nothing appended) when the address has no locality at all.
///
/// The one encoder of address keys: the builder, single queries and batches all use it, so
/// they cannot disagree.
pub(crate) fn encode_body(a: &Address, out: &mut Vec<u8>) -> Option<Marks> {
    thread_local! {
        /// The prefecture and city hash states this thread has seen (see
        /// [`LocalityHasher`]): single queries and the build share the batch's saving.
        static LOCALITIES: RefCell<LocalityHasher> = RefCell::new(LocalityHasher::new());
    }
    LOCALITIES.with(|memo| match memo.try_borrow_mut() {
        Ok(mut memo) => encode_body_with(a, |a| memo.hash(a), out),
        Err(_) => encode_body_with(a, Address::locality_hash, out),
    })
}

/// [`encode_body`] with the locality hash computed by `locality` (which must equal
/// [`Address::locality_hash`]; a batch passes its memo).
pub(crate) fn encode_body_with(
    a: &Address,
    locality: impl FnOnce(&Address) -> u64,
    out: &mut Vec<u8>,
) -> Option<Marks> {
    if a.prefecture.is_none() && a.city.is_none() && a.town.is_none() && a.street.is_none() {
        return None;
    }
    let start = out.len();
    // A usual key fits: one capacity check instead of one per byte that grows the buffer.
    out.reserve(24);
    out.extend_from_slice(&locality(a).to_be_bytes()); // LOCALITY_LEN bytes
    put_opt(out, a.chome);
    let chome = out.len() - start;
    put_opt(out, a.banchi);
    let banchi = out.len() - start;
    // The block's tail. The usual one (a 号 or none, nothing else) is one byte: every key
    // byte is one automaton state to build and to walk.
    let go = a.go.map_or(0, |g| u64::from(g) + 1);
    if a.sub_numbers.is_empty() && a.lot_suffix.is_none() && go < u64::from(LOT_ESCAPE) {
        out.push(go as u8);
    } else {
        out.push(LOT_ESCAPE + u8::from(a.lot_suffix.is_some()));
        put_opt(out, a.go);
        put_varint(out, a.sub_numbers.len() as u64);
        for n in &a.sub_numbers {
            put_varint(out, u64::from(*n));
        }
        if let Some(x) = &a.lot_suffix {
            put_str(out, x);
        }
    }
    let block = out.len() - start;
    match &a.forwarding_id {
        Some(id) => {
            out.push(UNIT_FORWARDING_ID);
            put_str(out, &canonical_forwarding_id(id));
        }
        None => {
            // As in `Address::unit_key` (the model test holds the two together): a
            // numbered room says where it is, so the floor counts only without one.
            let numbered_room = a
                .room
                .as_deref()
                .is_some_and(|r| r.chars().any(|c| c.is_ascii_digit()));
            let floor = a.floor.filter(|_| !numbered_room);
            let room_number = a.room.as_deref().and_then(plain_number);
            match (floor, room_number) {
                // The usual flat: the room number alone, in one or two bytes.
                (None, Some(n @ 1..=ROOM_ONE_BYTE)) => out.push(ROOM_ONE_BASE + (n - 1) as u8),
                (None, Some(n @ 1..=ROOM_TWO_BYTES)) => {
                    let v = n - ROOM_ONE_BYTE - 1;
                    out.push(ROOM_TWO_BASE | (v >> 8) as u8);
                    out.push(v as u8);
                }
                _ => {
                    let mut tag = 0;
                    if floor.is_some() {
                        tag |= UNIT_FLOOR;
                    }
                    match (&a.room, room_number) {
                        (Some(_), Some(_)) => tag |= UNIT_ROOM_NUMBER,
                        (Some(_), None) => tag |= UNIT_ROOM_TEXT,
                        (None, _) => {}
                    }
                    out.push(tag);
                    if let Some(f) = floor {
                        // Flipping the sign bit makes basements sort before ground floors.
                        out.extend_from_slice(&((f.0 as u16) ^ 0x8000).to_be_bytes());
                    }
                    match (&a.room, room_number) {
                        (_, Some(n)) => put_varint(out, n),
                        (Some(r), None) => put_str(out, r),
                        (None, None) => {}
                    }
                }
            }
        }
    }
    Some(Marks {
        chome,
        banchi,
        block,
    })
}

/// The address key prefixes of one address, built once per query or record.
///
/// Ordered by key bytes first, so sorting queries by it sorts them in index order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AddressKeys {
    /// Where the parts of `body` end.
    marks: Marks,
    /// Block encoding followed by the unit suffix, without the kind byte.
    body: Vec<u8>,
    /// The 番, if any.
    pub(crate) banchi: Option<u32>,
}

impl AddressKeys {
    /// Encodes an address. Returns `None` when it has no locality at all.
    pub(crate) fn new(a: &Address) -> Option<AddressKeys> {
        let mut body = Vec::with_capacity(32);
        let marks = encode_body(a, &mut body)?;
        Some(AddressKeys {
            marks,
            body,
            banchi: a.banchi,
        })
    }

    /// The key body: block encoding and unit suffix, without the kind byte.
    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }

    /// The town + 丁目 part of the key body (after the kind byte).
    pub(crate) fn chome_part(&self) -> &[u8] {
        &self.body[..self.marks.chome]
    }

    /// The block part after the 丁目 part: 番, 号, sub-numbers, lot suffix.
    pub(crate) fn block_part(&self) -> &[u8] {
        &self.body[self.marks.chome..self.marks.block]
    }

    /// The block part after the 番: 号, sub-numbers, lot suffix (empty without a 番).
    pub(crate) fn block_after_banchi(&self) -> &[u8] {
        if self.banchi.is_none() {
            return &[];
        }
        &self.body[self.marks.banchi..self.marks.block]
    }

    /// The unit part after the block part: floor and room, or the forwarding ID.
    pub(crate) fn unit_part(&self) -> &[u8] {
        &self.body[self.marks.block..]
    }

    /// The full unit key of `kind`.
    pub(crate) fn unit(&self, kind: Kind) -> Vec<u8> {
        self.with_kind(kind, self.body.len())
    }

    /// The block prefix of `kind`: every unit of the block starts with it.
    pub(crate) fn block(&self, kind: Kind) -> Vec<u8> {
        self.with_kind(kind, self.marks.block)
    }

    /// The town + 丁目 prefix of `kind`.
    pub(crate) fn chome(&self, kind: Kind) -> Vec<u8> {
        self.with_kind(kind, self.marks.chome)
    }

    /// The half-open key range holding every key of `kind` whose 番 lies in `lo..=hi`.
    pub(crate) fn banchi_range(&self, kind: Kind, lo: u32, hi: u32) -> (Vec<u8>, Vec<u8>) {
        let prefix = self.chome(kind);
        let mut start = prefix.clone();
        put_opt(&mut start, Some(lo));
        let mut end = prefix;
        match hi.checked_add(1) {
            Some(h) => put_opt(&mut end, Some(h)),
            None => {
                // No 番 is larger than u32::MAX: the end is the end of the 丁目.
                return (start, prefix_end(&end).unwrap_or_default());
            }
        }
        (start, end)
    }

    fn with_kind(&self, kind: Kind, len: usize) -> Vec<u8> {
        let mut k = Vec::with_capacity(len + 1);
        k.push(kind as u8);
        k.extend_from_slice(&self.body[..len]);
        k
    }
}

impl PartialOrd for AddressKeys {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for AddressKeys {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.body().cmp(other.body())
    }
}

/// The smallest key greater than every key starting with `prefix`, or `None` when there is
/// none (the prefix is all `0xFF`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The forwarder-building key: locality hash and canonical building name.
pub(crate) fn building_key(a: &Address) -> Option<Vec<u8>> {
    let name = canonical_building(a.building.as_deref()?);
    if name.is_empty() {
        return None;
    }
    let mut k = Vec::with_capacity(name.len() + 9);
    k.push(Kind::ForwarderBuilding as u8);
    k.extend_from_slice(&a.locality_hash().to_be_bytes());
    k.extend_from_slice(name.as_bytes());
    Some(k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Floor;
    use proptest::prelude::*;

    fn enc(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        put_varint(&mut out, v);
        out
    }

    #[test]
    fn varint_boundaries_sort_and_have_expected_lengths() {
        let cases = [
            (0, 1),
            (240, 1),
            (241, 2),
            (2287, 2),
            (2288, 3),
            (67823, 3),
            (67824, 4),
            (u64::MAX, 9),
        ];
        for (v, len) in cases {
            assert_eq!(enc(v).len(), len, "{v}");
        }
        for w in cases.windows(2) {
            assert!(enc(w[0].0) < enc(w[1].0));
        }
        // The one-byte shortcut for optional numbers ends where the varint's does.
        for n in [0, 238, 239, 240, 241, u32::MAX] {
            let mut out = Vec::new();
            put_opt(&mut out, Some(n));
            assert_eq!(out, enc(u64::from(n) + 1), "{n}");
        }
    }

    proptest! {
        #[test]
        fn varint_order_is_numeric_order(a: u64, b: u64) {
            prop_assert_eq!(a.cmp(&b), enc(a).cmp(&enc(b)));
        }

        #[test]
        fn optional_numbers_are_the_varint_of_one_more(n in prop_oneof![0u32..300, proptest::num::u32::ANY]) {
            let mut out = Vec::new();
            put_opt(&mut out, Some(n));
            prop_assert_eq!(out, enc(u64::from(n) + 1));
        }

        #[test]
        fn varint_is_prefix_free(a: u64, b: u64) {
            prop_assume!(a != b);
            let (x, y) = (enc(a), enc(b));
            prop_assert!(!y.starts_with(&x) && !x.starts_with(&y));
        }
    }

    fn addr(chome: Option<u32>, banchi: Option<u32>, go: Option<u32>) -> Address {
        Address {
            prefecture: Some("東京都".into()),
            city: Some("世田谷区".into()),
            town: Some("池尻".into()),
            chome,
            banchi,
            go,
            ..Default::default()
        }
    }

    #[test]
    fn block_prefix_and_banchi_range_hold_their_units() {
        let mut a = addr(Some(1), Some(2), Some(3));
        a.floor = Some(Floor(-1));
        a.room = Some("B101".into());
        let k = AddressKeys::new(&a).unwrap();
        let unit = k.unit(Kind::Address);
        assert!(unit.starts_with(&k.block(Kind::Address)));
        assert!(unit.starts_with(&k.chome(Kind::Address)));
        let (lo, hi) = k.banchi_range(Kind::Address, 2, 2);
        assert!(lo <= unit && unit < hi);
        let (lo, hi) = k.banchi_range(Kind::Address, 3, 5);
        assert!(!(lo <= unit && unit < hi));
    }

    #[test]
    fn missing_chome_differs_from_chome_zero_and_one() {
        let keys: Vec<_> = [None, Some(0), Some(1)]
            .into_iter()
            .map(|c| AddressKeys::new(&addr(c, Some(2), None)).unwrap())
            .map(|k| k.chome(Kind::Address))
            .collect();
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
        assert_ne!(keys[0], keys[2]);
    }

    #[test]
    fn forwarding_id_replaces_floor_and_room() {
        let mut a = addr(Some(1), Some(2), Some(3));
        a.forwarding_id = Some("kx-004521".into());
        a.room = Some("101".into());
        let mut b = a.clone();
        b.forwarding_id = Some("KX004521".into());
        b.room = None;
        assert_eq!(
            AddressKeys::new(&a).unwrap().unit(Kind::Address),
            AddressKeys::new(&b).unwrap().unit(Kind::Address)
        );
    }

    fn arb_unit() -> impl Strategy<Value = Address> {
        let rooms = prop_oneof![
            Just("101"),
            // The edges of the one- and two-byte room forms.
            Just("112"),
            Just("113"),
            Just("1204"),
            Just("32879"),
            Just("32880"),
            Just("0101"),
            Just("1"),
            Just("B1"),
            Just(""),
            Just("１０１"),
            Just("1234567890123456789012"),
        ];
        (
            prop::option::of(rooms),
            prop::option::of(-2i16..3),
            prop::option::of(prop_oneof![Just("SR1"), Just("SR12")]),
            prop::collection::vec(0u32..300, 0..3),
            prop::option::of(prop_oneof![Just("甲"), Just("甲乙")]),
            prop::option::of(0u32..300),
        )
            .prop_map(|(room, floor, fid, subs, lot, go)| {
                let mut a = addr(Some(1), Some(2), go);
                a.room = room.map(String::from);
                a.floor = floor.map(Floor);
                a.forwarding_id = fid.map(String::from);
                a.sub_numbers = subs;
                a.lot_suffix = lot.map(String::from);
                a
            })
    }

    proptest! {
        #[test]
        fn unit_keys_are_equal_exactly_when_printable_keys_are_and_prefix_free(
            a in arb_unit(),
            b in arb_unit(),
        ) {
            let (ka, kb) = (AddressKeys::new(&a).unwrap(), AddressKeys::new(&b).unwrap());
            let (ua, ub) = (ka.unit(Kind::Address), kb.unit(Kind::Address));
            prop_assert_eq!(ua == ub, a.unit_key() == b.unit_key());
            prop_assert_eq!(
                ka.block(Kind::Address) == kb.block(Kind::Address),
                a.block_key() == b.block_key()
            );
            if ua != ub {
                prop_assert!(!ua.starts_with(&ub) && !ub.starts_with(&ua));
            }
            // A block's encoding never continues into another block's.
            let (ba, bb) = (ka.block(Kind::Address), kb.block(Kind::Address));
            if ba != bb {
                prop_assert!(!ba.starts_with(&bb) && !bb.starts_with(&ba));
            }
        }
    }

    #[test]
    fn usual_flat_keys_are_short() {
        let mut a = addr(Some(1), Some(2), Some(3));
        let len = |a: &Address| AddressKeys::new(a).unwrap().unit(Kind::Address).len();
        // Kind, hash, 丁目, 番, the block's tail, no unit.
        assert_eq!(len(&a), 13);
        // … and the room: one byte up to 112, two above.
        a.room = Some("101".into());
        assert_eq!(len(&a), 13);
        a.room = Some("305".into());
        assert_eq!(len(&a), 14);
        // A floor with the room, a sub-number or a lot suffix take the longer forms.
        a.room = Some("A".into());
        a.floor = Some(Floor(3));
        assert!(len(&a) > 14);
    }

    #[test]
    fn prefix_end_skips_ff() {
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF]), None);
    }
}
