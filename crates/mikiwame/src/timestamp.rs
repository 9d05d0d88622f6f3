//! Points in time as orders write them (ISO 8601 / RFC 3339), read without a calendar crate.
//!
//! Orders carry `ordered_at` and `account_created_at`; the signals need only seconds since
//! the epoch (for windows and account age) and the hour in Japan (for night orders), so a
//! small strict reader is enough and keeps the dependency tree small.

use std::fmt;

/// Seconds east of UTC in Japan Standard Time (no daylight saving).
const JST_OFFSET_SECS: i64 = 9 * 3600;

/// A point in time: seconds since 1970-01-01T00:00:00Z.
///
/// ```
/// use mikiwame::timestamp::Timestamp;
/// let t = Timestamp::parse("2026-11-20T13:45:00+09:00").unwrap();
/// assert_eq!(t.jst_hour(), 13);
/// assert_eq!(Timestamp::parse("2026-11-20T04:45:00Z").unwrap(), t);
/// // Without an offset the time is read as Japan time.
/// assert_eq!(Timestamp::parse("2026-11-20 13:45").unwrap(), t);
/// assert!(Timestamp::parse("yesterday").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Reads `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, optional `:SS`
    /// and fraction, and an optional offset (`Z`, `+09:00`, `+0900`). A time without an
    /// offset is Japan time; a date alone is midnight Japan time. Returns `None` for
    /// anything else, including impossible dates (2026-02-30).
    pub fn parse(input: &str) -> Option<Timestamp> {
        let s = crate::ascii::trim(input).as_bytes();
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = s.get(from..from + len)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        };
        let year = num(0, 4)?;
        if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
            return None;
        }
        let month = num(5, 2)?;
        let day = num(8, 2)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let mut pos = 10;
        let (mut hour, mut minute, mut second) = (0, 0, 0);
        let mut offset = JST_OFFSET_SECS;
        if pos < s.len() {
            if !matches!(s[pos], b'T' | b't' | b' ') {
                return None;
            }
            hour = num(pos + 1, 2)?;
            if s.get(pos + 3) != Some(&b':') {
                return None;
            }
            minute = num(pos + 4, 2)?;
            pos += 6;
            if s.get(pos) == Some(&b':') {
                second = num(pos + 1, 2)?;
                pos += 3;
                if s.get(pos) == Some(&b'.') {
                    pos += 1;
                    while s.get(pos).is_some_and(u8::is_ascii_digit) {
                        pos += 1;
                    }
                }
            }
            if hour > 23 || minute > 59 || second > 60 {
                return None;
            }
            match s.get(pos) {
                None => {}
                Some(b'Z' | b'z') if pos + 1 == s.len() => offset = 0,
                Some(&sign @ (b'+' | b'-')) => {
                    let oh = num(pos + 1, 2)?;
                    let om = match s.get(pos + 3) {
                        Some(b':') if pos + 6 == s.len() => num(pos + 4, 2)?,
                        Some(_) if pos + 5 == s.len() => num(pos + 3, 2)?,
                        None if pos + 3 == s.len() => 0,
                        _ => return None,
                    };
                    if oh > 23 || om > 59 {
                        return None;
                    }
                    offset = (oh * 3600 + om * 60) * if sign == b'-' { -1 } else { 1 };
                }
                _ => return None,
            }
        }
        let days = days_from_civil(year, month, day);
        Some(Timestamp(
            days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        ))
    }

    /// The hour of the day (0..=23) in Japan.
    pub fn jst_hour(self) -> u32 {
        // rem_euclid keeps times before 1970 in range.
        ((self.0 + JST_OFFSET_SECS).rem_euclid(86_400) / 3600) as u32
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_offsets() {
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z"), Some(Timestamp(0)));
        assert_eq!(
            Timestamp::parse("1970-01-01T09:00:00+09:00"),
            Some(Timestamp(0))
        );
        assert_eq!(
            Timestamp::parse("1969-12-31T19:00:00-0500"),
            Some(Timestamp(0))
        );
        assert_eq!(
            Timestamp::parse("2000-03-01T00:00:00Z").map(|t| t.0),
            Some(951_868_800)
        );
        assert_eq!(
            Timestamp::parse("2026-11-20T13:45:00.123+09:00"),
            Timestamp::parse("2026-11-20T13:45:00+09:00")
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2026-13-01",
            "2026-02-29",
            "2026-11-20T25:00",
            "2026-11-20T10:00+09:00x",
            "2026/11/20",
            "20261120",
            "2026-11-20X10:00",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert!(Timestamp::parse("2024-02-29").is_some());
    }

    #[test]
    fn jst_hours() {
        assert_eq!(
            Timestamp::parse("2026-11-20T18:30:00Z").unwrap().jst_hour(),
            3
        );
        assert_eq!(Timestamp::parse("2026-11-20").unwrap().jst_hour(), 0);
    }
}
