//! Sets of characters as compile-time bitmaps, for the per-character tests on the hot
//! path of normalization.
//!
//! Text mixes digits, kana and kanji, so a `match` over character ranges mispredicts
//! often; a bitmap lookup is one load and a bit test, the same cost for every character.
//! This file is also compiled into the build script (with `fold.rs`), so it uses only
//! `core`.

/// A set of characters of the Basic Multilingual Plane (8 KiB), built at compile time.
/// Characters above the plane are never members.
pub(crate) struct CharSet([u64; 1024]);

impl CharSet {
    /// The set of the characters in `chars` and in the inclusive `ranges`.
    ///
    /// # Panics
    /// At compile time, for a character above U+FFFF.
    pub(crate) const fn new(chars: &[char], ranges: &[(char, char)]) -> CharSet {
        let mut bits = [0u64; 1024];
        let mut i = 0;
        while i < chars.len() {
            set(&mut bits, chars[i] as u32);
            i += 1;
        }
        let mut r = 0;
        while r < ranges.len() {
            let mut cp = ranges[r].0 as u32;
            while cp <= ranges[r].1 as u32 {
                set(&mut bits, cp);
                cp += 1;
            }
            r += 1;
        }
        CharSet(bits)
    }

    /// The set of the given characters, built at run time (for sets read from data
    /// files); characters above the Basic Multilingual Plane are left out.
    pub(crate) fn from_chars(chars: impl IntoIterator<Item = char>) -> CharSet {
        let mut bits = [0u64; 1024];
        for cp in chars.into_iter().map(u32::from).filter(|cp| *cp < 0x1_0000) {
            set(&mut bits, cp);
        }
        CharSet(bits)
    }

    /// Is `c` in the set?
    #[inline(always)]
    pub(crate) fn contains(&self, c: char) -> bool {
        let cp = c as u32;
        (cp < 0x1_0000) & ((self.0[((cp >> 6) & 0x3FF) as usize] >> (cp & 63)) & 1 != 0)
    }
}

const fn set(bits: &mut [u64; 1024], cp: u32) {
    assert!(
        cp < 0x1_0000,
        "a CharSet holds only the Basic Multilingual Plane"
    );
    bits[(cp >> 6) as usize] |= 1 << (cp & 63);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_non_members() {
        const S: CharSet = CharSet::new(&['大', '0'], &[('ぁ', 'ゖ')]);
        for c in ['大', '0', 'ぁ', 'あ', 'ゖ'] {
            assert!(S.contains(c), "{c:?}");
        }
        for c in ['小', '1', 'ゟ', 'ァ', '\u{1F600}', '\u{10000}', '぀'] {
            assert!(!S.contains(c), "{c:?}");
        }
        // Above the plane, even where the low bits would alias a member.
        assert!(!S.contains(char::from_u32(0x1_0000 + '大' as u32).unwrap()));
        let r = CharSet::from_chars(['大', '0', '\u{1F600}']);
        assert!(r.contains('大') && r.contains('0'));
        assert!(!r.contains('小') && !r.contains('\u{1F600}'));
    }
}
