//! Calendar days, for the age of fraud records (no time-zone database needed: a record's
//! age is counted in whole days from the date written in `recorded_at`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of the date that `text` starts with (`YYYY-MM-DD`, `YYYY/MM/DD`
/// or `YYYYMMDD`, optionally followed by a time). `None` when it starts with no valid date.
pub(crate) fn parse_day(text: &str) -> Option<i32> {
    let t = text.trim();
    let digits: Vec<u32> = t
        .split(|c: char| !c.is_ascii_digit())
        .take(3)
        .filter_map(|p| p.parse().ok())
        .collect();
    let (y, m, d) = match digits.as_slice() {
        [y, m, d] if *y >= 1000 && t.len() >= 8 => (*y, *m, *d),
        [n, ..] if t.len() >= 8 && t.as_bytes()[..8].iter().all(u8::is_ascii_digit) => {
            (n / 10_000 % 10_000, n / 100 % 100, n % 100)
        }
        _ => return None,
    };
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y as i32, m, d))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Today, in days since 1970-01-01 (UTC).
pub(crate) fn today() -> i32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (secs / 86_400) as i32
}

/// An RFC 3339 UTC timestamp of a Unix time, for build metadata.
pub(crate) fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // civil_from_days (Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2024-03-01T10:00:00+09:00"), Some(19783));
        assert_eq!(parse_day("2024/03/01"), Some(19783));
        assert_eq!(parse_day("20240301"), Some(19783));
        assert_eq!(parse_day("2023-02-29"), None);
        assert_eq!(parse_day("last week"), None);
        assert_eq!(parse_day(""), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(19783 * 86_400 + 3661), "2024-03-01T01:01:01Z");
    }
}
