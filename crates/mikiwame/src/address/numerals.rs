//! Kanji numerals: 一〜九, 十/百/千 forms (二十三, 千二百三十四), 〇 digit strings (一〇五)
//! and the formal 壱弐参.
//!
//! This file is also compiled into the crate's build script, so it uses only `std`.
//!
//! ```
//! use mikiwame::address::numerals::{kanji_number, to_kanji};
//! let chars: Vec<char> = "千二百三十四番".chars().collect();
//! assert_eq!(kanji_number(&chars), Some((1234, 6)));
//! assert_eq!(to_kanji(1234), "千二百三十四");
//! ```

/// The value of a kanji digit (〇 and 一〜九, plus the formal 壱弐参).
pub fn kanji_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壱' | '壹' => 1,
        '二' | '弐' | '貳' => 2,
        '三' | '参' | '參' => 3,
        '四' => 4,
        '五' | '伍' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The value of a kanji unit (十, 百, 千, and the formal 拾).
fn kanji_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// True for a character that can be part of a kanji numeral.
pub fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || kanji_unit(c).is_some()
}

/// Reads a kanji numeral at the start of `s`: returns its value and how many characters it
/// took, or `None` when `s` does not start with one.
///
/// Both the multiplicative form (二十三, 千二百三十四, 十) and the positional digit string
/// (一〇五, 二三) are read. Values above 99,999,999 are refused.
///
/// ```
/// use mikiwame::address::numerals::kanji_number;
/// let read = |s: &str| kanji_number(&s.chars().collect::<Vec<_>>());
/// assert_eq!(read("二十三"), Some((23, 3)));
/// assert_eq!(read("一〇五号"), Some((105, 3)));
/// assert_eq!(read("十番"), Some((10, 1)));
/// assert_eq!(read("番"), None);
/// ```
pub fn kanji_number(s: &[char]) -> Option<(u32, usize)> {
    let len = s.iter().take_while(|c| is_kanji_numeral(**c)).count();
    if len == 0 {
        return None;
    }
    let run = &s[..len];
    if run.iter().all(|c| kanji_digit(*c).is_some()) {
        // Positional: 一〇五 = 105.
        let mut v: u64 = 0;
        for c in run {
            v = v * 10 + u64::from(kanji_digit(*c)?);
            if v > 99_999_999 {
                return None;
            }
        }
        return Some((v as u32, len));
    }
    // Multiplicative: sections of [digit] unit, then an optional final digit.
    let mut total: u32 = 0;
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    for (i, c) in run.iter().enumerate() {
        if let Some(d) = kanji_digit(*c) {
            if pending.is_some() {
                // Two digits in a row inside a multiplicative numeral: stop before it.
                return finish(total, pending, i);
            }
            pending = Some(d);
        } else if let Some(u) = kanji_unit(*c) {
            if u >= last_unit {
                // 十十 or 百千: not one numeral; stop here.
                return finish(total, pending, i);
            }
            total += pending.unwrap_or(1) * u;
            pending = None;
            last_unit = u;
        }
    }
    finish(total, pending, len)
}

fn finish(total: u32, pending: Option<u32>, used: usize) -> Option<(u32, usize)> {
    if used == 0 {
        None
    } else {
        Some((total + pending.unwrap_or(0), used))
    }
}

/// Writes a number in multiplicative kanji (the usual way in place names).
///
/// ```
/// use mikiwame::address::numerals::to_kanji;
/// assert_eq!(to_kanji(10), "十");
/// assert_eq!(to_kanji(24), "二十四");
/// assert_eq!(to_kanji(0), "〇");
/// ```
pub fn to_kanji(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "〇".to_string();
    }
    let mut out = String::new();
    let mut rest = n;
    if rest >= 10_000 {
        out.push_str(&to_kanji(rest / 10_000));
        out.push('万');
        rest %= 10_000;
    }
    for (unit, ch) in [(1000, '千'), (100, '百'), (10, '十')] {
        let d = rest / unit;
        if d > 0 {
            if d > 1 {
                out.push(DIGITS[d as usize]);
            }
            out.push(ch);
        }
        rest %= unit;
    }
    if rest > 0 {
        out.push(DIGITS[rest as usize]);
    }
    out
}

/// Replaces every run of kanji numerals in `s` by its arabic value (北二十四条西 →
/// 北24条西). Used to give gazetteer names a digit spelling as well.
///
/// ```
/// assert_eq!(mikiwame::address::numerals::kanji_to_arabic("北二十四条西"), "北24条西");
/// ```
pub fn kanji_to_arabic(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        match kanji_number(&chars[i..]) {
            Some((v, used)) if used > 0 => {
                out.push_str(&v.to_string());
                i += used;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Replaces every run of ASCII digits in `s` by multiplicative kanji (南1条通 → 南一条通).
///
/// ```
/// assert_eq!(mikiwame::address::numerals::arabic_to_kanji("南1条通"), "南一条通");
/// ```
pub fn arabic_to_kanji(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut num = String::new();
    for c in s.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if !num.is_empty() {
            match num.parse::<u32>() {
                Ok(v) => out.push_str(&to_kanji(v)),
                Err(_) => out.push_str(&num),
            }
            num.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Option<(u32, usize)> {
        kanji_number(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn forms() {
        assert_eq!(read("一"), Some((1, 1)));
        assert_eq!(read("十一"), Some((11, 2)));
        assert_eq!(read("二十"), Some((20, 2)));
        assert_eq!(read("百五"), Some((105, 2)));
        assert_eq!(read("千二百三十四"), Some((1234, 6)));
        assert_eq!(read("九千九百九十九"), Some((9999, 7)));
        assert_eq!(read("壱弐参"), Some((123, 3)));
        assert_eq!(read("一〇五"), Some((105, 3)));
        assert_eq!(read("〇〇一"), Some((1, 3)));
    }

    #[test]
    fn stops_where_the_numeral_ends() {
        // 十一番地 vs 十番地一: the numeral ends at 番.
        assert_eq!(read("十一番地"), Some((11, 2)));
        assert_eq!(read("十番地一"), Some((10, 1)));
    }

    #[test]
    fn round_trip() {
        for n in 1..=9999 {
            let k = to_kanji(n);
            assert_eq!(read(&k), Some((n, k.chars().count())), "{n} {k}");
        }
    }
}
