//! Reading fraud records and forwarders from CSV or JSONL, and building from files.
//!
//! Columns (DESIGN.md): fraud records have `address`, `email`, `phone`, `card_fingerprint`
//! (any of them), `recorded_at`, `source`, `note`, and an optional `postal_code` for the
//! address; forwarders have `name`, `address`, optional `code_pattern`. A bad row never
//! stops reading: it becomes a [`Rejection`] with its line number, field and reason.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::address::{normalize_with_postal_code, Address, Anomaly};
use crate::contact::{normalize_email, normalize_phone};
use crate::error::{Error, Result};

use super::build::{Forwarder, FraudRecord, IndexBuilder};
use super::forwarding::compile_pattern;
use super::keys::{canonical_card, AddressKeys};
use super::open::Index;
use super::table::{BuildInfo, SourceFile};

/// The layout of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Comma-separated, with a header row naming the columns.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl InputFormat {
    /// The format of a file: by its extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else by
    /// its first non-blank byte (`{` is JSONL).
    pub fn detect(path: &Path, first_bytes: &[u8]) -> InputFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => InputFormat::Csv,
            Some("jsonl" | "ndjson" | "json") => InputFormat::Jsonl,
            _ => match first_bytes.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => InputFormat::Jsonl,
                _ => InputFormat::Csv,
            },
        }
    }
}

/// A row that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The file it came from (empty when read from a stream).
    pub file: String,
    /// The line number in the file (1-based; a CSV header is line 1).
    pub row: u64,
    /// The field concerned (empty when the row as a whole is unreadable).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl Rejection {
    fn new(row: u64, field: &str, reason: impl Into<String>) -> Self {
        Rejection {
            file: String::new(),
            row,
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// The fields of one input row, by name.
struct Row {
    line: u64,
    fields: Vec<(String, String)>,
}

impl Row {
    /// A field's value, trimmed; `None` when missing or blank.
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Rows are read and normalized this many at a time, so memory stays flat for any input.
const CHUNK: usize = 1 << 16;

/// Reads rows in chunks, calling `f` with each chunk (and rows that could not be read).
fn for_each_chunk(
    input: &mut dyn BufRead,
    format: InputFormat,
    mut f: impl FnMut(Vec<Row>, Vec<Rejection>),
) -> std::io::Result<()> {
    let mut rows = Vec::with_capacity(CHUNK);
    let mut bad = Vec::new();
    match format {
        InputFormat::Jsonl => {
            let mut line = String::new();
            let mut n = 0u64;
            loop {
                line.clear();
                let mut buf = Vec::new();
                if input.read_until(b'\n', &mut buf)? == 0 {
                    break;
                }
                n += 1;
                match String::from_utf8(buf) {
                    Ok(s) => line = s,
                    Err(_) => {
                        bad.push(Rejection::new(n, "", "line is not valid UTF-8"));
                        continue;
                    }
                }
                let text = line.trim();
                if text.is_empty() {
                    continue;
                }
                match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
                    Ok(obj) => {
                        let fields = obj
                            .into_iter()
                            .filter_map(|(k, v)| {
                                let v = match v {
                                    serde_json::Value::String(s) => s,
                                    serde_json::Value::Number(n) => n.to_string(),
                                    serde_json::Value::Bool(b) => b.to_string(),
                                    _ => return None,
                                };
                                Some((k, v))
                            })
                            .collect();
                        rows.push(Row { line: n, fields });
                    }
                    Err(e) => bad.push(Rejection::new(n, "", format!("not a JSON object: {e}"))),
                }
                if rows.len() >= CHUNK {
                    f(std::mem::take(&mut rows), std::mem::take(&mut bad));
                }
            }
        }
        InputFormat::Csv => {
            // Watched for a quote that never closes: the last row then swallowed the rest.
            let (input, watched) = crate::order::quotes::QuoteWatch::new(input);
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(true)
                .from_reader(input);
            let headers: Vec<String> = match reader.headers() {
                Ok(h) => h
                    .iter()
                    .map(|s| s.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
                    .collect(),
                Err(e) => {
                    bad.push(Rejection::new(1, "", format!("unreadable header row: {e}")));
                    f(rows, bad);
                    return Ok(());
                }
            };
            if let Some(twice) = headers
                .iter()
                .enumerate()
                .find_map(|(i, h)| headers[..i].contains(h).then_some(h))
                .filter(|h| !h.is_empty())
            {
                let reason = crate::order::quotes::column_twice_problem(twice);
                bad.push(Rejection::new(1, twice, reason));
                f(rows, bad);
                return Ok(());
            }
            let mut record = csv::StringRecord::new();
            // Whether the last record read is the newest of `rows` (not a rejection).
            let mut last_in_rows = false;
            loop {
                let line = reader.position().line() + 1;
                match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record
                            .position()
                            .map_or(line, |p| watched.line_at(p.byte()));
                        if record
                            .iter()
                            .skip(headers.len())
                            .any(|f| !f.trim().is_empty())
                        {
                            let reason = crate::order::quotes::split_row_problem(
                                record.len(),
                                headers.len(),
                            );
                            bad.push(Rejection::new(line, "", reason));
                            last_in_rows = false;
                            continue;
                        }
                        let fields = headers
                            .iter()
                            .zip(record.iter())
                            .map(|(h, v)| (h.clone(), v.to_string()))
                            .collect();
                        rows.push(Row { line, fields });
                        last_in_rows = true;
                    }
                    Err(e) => {
                        last_in_rows = false;
                        let line = e.position().map_or(line, |p| watched.line_at(p.byte()));
                        if let csv::ErrorKind::Io(io) = e.kind() {
                            return Err(std::io::Error::new(io.kind(), io.to_string()));
                        }
                        bad.push(Rejection::new(line, "", format!("unreadable row: {e}")));
                    }
                }
                if rows.len() > CHUNK {
                    // The newest row stays back: it may be the last, checked below.
                    let newest = rows.pop();
                    reject_swallowing(&mut rows, &mut bad, headers.len());
                    f(std::mem::take(&mut rows), std::mem::take(&mut bad));
                    rows.extend(newest);
                }
            }
            if last_in_rows && watched.unclosed() {
                if let Some(last) = rows.pop() {
                    let (field, text) = last
                        .fields
                        .last()
                        .map_or(("", ""), |(h, v)| (h.as_str(), v.as_str()));
                    bad.push(Rejection::new(
                        last.line,
                        field,
                        crate::order::quotes::unclosed_problem(text, "not added"),
                    ));
                }
            }
            reject_swallowing(&mut rows, &mut bad, headers.len());
        }
    }
    if !rows.is_empty() || !bad.is_empty() {
        f(rows, bad);
    }
    Ok(())
}

/// Moves the rows with a field that swallowed later rows (two stray quotes; see
/// `quotes::row_shaped_lines`) from `rows` to `bad`.
fn reject_swallowing(rows: &mut Vec<Row>, bad: &mut Vec<Rejection>, columns: usize) {
    rows.retain(|row| {
        let first = row.fields.first().map_or("", |(_, v)| v.as_str());
        let swallowed = row.fields.iter().find_map(|(name, text)| {
            let n = crate::order::quotes::row_shaped_lines(text, columns, first);
            (n > 0).then_some((name, text, n))
        });
        let Some((name, text, n)) = swallowed else {
            return true;
        };
        let problem = crate::order::quotes::swallowed_problem(text, n, "not added");
        bad.push(Rejection::new(row.line, name, problem));
        false
    });
}

/// Normalizes an address field; the reason when it cannot be keyed.
fn parse_address(text: &str, postal: Option<&str>) -> Result<Address, String> {
    let a = normalize_with_postal_code(text, postal).map_err(|e| e.to_string())?;
    check_address(a)
}

/// Whether a parsed address can be keyed; kept apart from parsing so tests can feed parsed
/// addresses.
fn check_address(a: Address) -> Result<Address, String> {
    if a.anomalies.contains(&Anomaly::Unparsed) {
        return Err("cannot be read as an address".into());
    }
    if AddressKeys::new(&a).is_none() {
        return Err("no prefecture, city or town found".into());
    }
    if a.banchi.is_none() && a.street.is_none() {
        return Err("no lot number (番地): it would match a whole town".into());
    }
    Ok(a)
}

fn fraud_row(row: &Row) -> Result<FraudRecord, Rejection> {
    let reject = |field: &str, reason: String| Rejection::new(row.line, field, reason);
    let mut r = FraudRecord {
        recorded_at: row.get("recorded_at").map(str::to_string),
        source: row.get("source").map(str::to_string),
        note: row.get("note").map(str::to_string),
        ..Default::default()
    };
    if let Some(text) = row.get("address") {
        r.address =
            Some(parse_address(text, row.get("postal_code")).map_err(|e| reject("address", e))?);
    }
    if let Some(e) = row.get("email") {
        r.email =
            Some(normalize_email(e).ok_or_else(|| reject("email", "not an email address".into()))?);
    }
    if let Some(p) = row.get("phone") {
        r.phone =
            Some(normalize_phone(p).ok_or_else(|| reject("phone", "not a phone number".into()))?);
    }
    if let Some(c) = row.get("card_fingerprint") {
        r.card_fingerprint = Some(
            canonical_card(c)
                .map(std::borrow::Cow::into_owned)
                .ok_or_else(|| reject("card_fingerprint", "contains spaces".into()))?,
        );
    }
    if r.address.is_none() && r.email.is_none() && r.phone.is_none() && r.card_fingerprint.is_none()
    {
        return Err(reject(
            "address",
            "none of address, email, phone, card_fingerprint is given".into(),
        ));
    }
    Ok(r)
}

fn forwarder_row(row: &Row) -> Result<Forwarder, Rejection> {
    let reject = |field: &str, reason: String| Rejection::new(row.line, field, reason);
    let name = row
        .get("name")
        .ok_or_else(|| reject("name", "missing".into()))?;
    let text = row
        .get("address")
        .ok_or_else(|| reject("address", "missing".into()))?;
    let address = parse_address(text, row.get("postal_code")).map_err(|e| reject("address", e))?;
    let code_pattern = match row.get("code_pattern") {
        None => None,
        Some(p) => {
            compile_pattern(p)
                .map_err(|e| reject("code_pattern", format!("not a valid regex: {e}")))?;
            Some(p.to_string())
        }
    };
    Ok(Forwarder {
        name: name.to_string(),
        address,
        code_pattern,
    })
}

/// Reads all fraud records of a CSV or JSONL stream, normalizing them in parallel.
///
/// ```
/// use mikiwame::index::{read_fraud, InputFormat};
/// let csv = "email,phone,source\nfraud@example.jp,,shop-a\nnot-an-email,,shop-a\n";
/// let (records, rejected) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
/// assert_eq!(records.len(), 1);
/// assert_eq!((rejected[0].row, rejected[0].field.as_str()), (3, "email"));
/// ```
pub fn read_fraud(
    mut input: impl BufRead,
    format: InputFormat,
) -> Result<(Vec<FraudRecord>, Vec<Rejection>)> {
    read_all(&mut input, format, fraud_row)
}

/// Reads all forwarders of a CSV or JSONL stream.
pub fn read_forwarders(
    mut input: impl BufRead,
    format: InputFormat,
) -> Result<(Vec<Forwarder>, Vec<Rejection>)> {
    read_all(&mut input, format, forwarder_row)
}

fn read_all<T: Send>(
    input: &mut dyn BufRead,
    format: InputFormat,
    parse: fn(&Row) -> Result<T, Rejection>,
) -> Result<(Vec<T>, Vec<Rejection>)> {
    let mut ok = Vec::new();
    let mut rejected = Vec::new();
    for_each_chunk(input, format, |rows, bad| {
        rejected.extend(bad);
        for r in rows.par_iter().map(parse).collect::<Vec<_>>() {
            match r {
                Ok(v) => ok.push(v),
                Err(e) => rejected.push(e),
            }
        }
    })
    .map_err(|e| Error::io("<input>", e))?;
    rejected.sort_by_key(|r| r.row);
    Ok((ok, rejected))
}

/// What [`build_from_files`] reads and writes.
#[derive(Debug, Clone, Default)]
pub struct BuildInputs {
    /// Fraud record files (CSV or JSONL).
    pub fraud: Vec<PathBuf>,
    /// Forwarder files (CSV or JSONL).
    pub forwarders: Vec<PathBuf>,
    /// An existing index to add to.
    pub base: Option<PathBuf>,
    /// The index file to write (may be the base itself).
    pub output: PathBuf,
    /// Any rejected row makes the build fail: nothing is written.
    pub strict: bool,
}

/// The outcome of [`build_from_files`].
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The metadata of the written index; `None` when `strict` and rows were rejected, in
    /// which case nothing was written.
    pub info: Option<BuildInfo>,
    /// Every rejected row.
    pub rejections: Vec<Rejection>,
}

fn open_input(path: &Path) -> Result<(BufReader<File>, InputFormat)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let first = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    let format = InputFormat::detect(path, first);
    Ok((reader, format))
}

/// Reads the input files, normalizes their rows in parallel and writes the index
/// atomically. Rows are streamed in chunks, so memory holds the keys, not the inputs.
pub fn build_from_files(inputs: &BuildInputs) -> Result<BuildReport> {
    let mut builder = match &inputs.base {
        Some(p) => IndexBuilder::with_base(Index::open(p)?),
        None => IndexBuilder::new(),
    };
    let mut rejections = Vec::new();
    for (path, is_fraud) in inputs
        .fraud
        .iter()
        .map(|p| (p, true))
        .chain(inputs.forwarders.iter().map(|p| (p, false)))
    {
        let (mut reader, format) = open_input(path)?;
        let file = path.display().to_string();
        let mut rows = 0u64;
        let mut bad_rows = Vec::new();
        for_each_chunk(&mut reader, format, |chunk, bad| {
            rows += (chunk.len() + bad.len()) as u64;
            bad_rows.extend(bad);
            if is_fraud {
                let mut ok = Vec::with_capacity(chunk.len());
                for r in chunk.par_iter().map(fraud_row).collect::<Vec<_>>() {
                    match r {
                        Ok(rec) => ok.push(rec),
                        Err(e) => bad_rows.push(e),
                    }
                }
                builder.extend_fraud(&ok);
            } else {
                let parsed: Vec<_> = chunk.par_iter().map(forwarder_row).collect();
                for r in parsed {
                    match r {
                        Ok(f) => {
                            builder.add_forwarder(&f);
                        }
                        Err(e) => bad_rows.push(e),
                    }
                }
            }
        })
        .map_err(|e| Error::io(path, e))?;
        bad_rows.sort_by_key(|r| r.row);
        builder.add_source(SourceFile {
            path: file.clone(),
            kind: if is_fraud { "fraud" } else { "forwarders" }.to_string(),
            rows,
            rejected: bad_rows.len() as u64,
        });
        rejections.extend(bad_rows.into_iter().map(|mut r| {
            r.file = file.clone();
            r
        }));
    }
    if inputs.strict && !rejections.is_empty() {
        return Ok(BuildReport {
            info: None,
            rejections,
        });
    }
    let info = builder.finish(&inputs.output)?;
    Ok(BuildReport {
        info: Some(info),
        rejections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, fields: &[(&str, &str)]) -> Row {
        Row {
            line,
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn contacts_are_canonical_and_bad_fields_rejected() {
        let r = fraud_row(&row(
            2,
            &[
                ("email", "T.a.r.o+x@GMail.com"),
                ("phone", "090-1234-5678"),
                ("card_fingerprint", " F9A1 "),
                ("recorded_at", "2026-01-02"),
            ],
        ))
        .unwrap();
        assert_eq!(r.email.as_deref(), Some("taro@gmail.com"));
        assert_eq!(r.phone.as_deref(), Some("+819012345678"));
        assert_eq!(r.card_fingerprint.as_deref(), Some("f9a1"));
        let e = fraud_row(&row(7, &[("phone", "call me")])).unwrap_err();
        assert_eq!((e.row, e.field.as_str()), (7, "phone"));
        let e = fraud_row(&row(8, &[("note", "only a note")])).unwrap_err();
        assert_eq!(e.field, "address");
    }

    #[test]
    fn addresses_without_lot_numbers_are_refused() {
        let town_only = Address {
            prefecture: Some("東京都".into()),
            city: Some("世田谷区".into()),
            town: Some("池尻".into()),
            ..Default::default()
        };
        assert!(check_address(town_only.clone()).is_err());
        assert!(check_address(Address::default()).is_err());
        let with_lot = Address {
            banchi: Some(2),
            ..town_only
        };
        assert!(check_address(with_lot).is_ok());
    }

    #[test]
    fn forwarder_patterns_must_compile() {
        let e = forwarder_row(&row(
            3,
            &[
                ("name", "X"),
                ("address", "東京都"),
                ("code_pattern", "SR[0-9"),
            ],
        ))
        .unwrap_err();
        assert_eq!(e.field, "address", "a prefecture alone has no lot number");
        let fields = |p: &'static str| {
            row(
                5,
                &[
                    ("name", "X"),
                    ("address", "東京都大田区平和島3丁目5番2号"),
                    ("code_pattern", p),
                ],
            )
        };
        let e = forwarder_row(&fields("SR[0-9")).unwrap_err();
        assert_eq!((e.row, e.field.as_str()), (5, "code_pattern"));
        let f = forwarder_row(&fields("SR[0-9]{6}")).unwrap();
        assert_eq!(f.address.banchi, Some(5));
        assert_eq!(f.code_pattern.as_deref(), Some("SR[0-9]{6}"));
        let e = forwarder_row(&row(4, &[("address", "東京都")])).unwrap_err();
        assert_eq!(e.field, "name");
    }

    #[test]
    fn csv_and_jsonl_rows_carry_line_numbers() {
        let csv = "email,source\n\"a@example.jp\",x\nbad,x\n\n\"b@example.jp\",y\n";
        let (ok, bad) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].row, 3);
        // Blank lines and \r\n endings count as an editor counts them (the csv crate's own
        // numbers count neither).
        for eol in ["\n", "\r\n", "\r"] {
            let csv = [
                "email,source",
                "a@example.jp,x",
                "",
                "",
                "bad,x",
                "b@example.jp,y",
                "",
            ]
            .join(eol);
            let (ok, bad) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
            assert_eq!(ok.len(), 2, "{eol:?}");
            assert_eq!(
                bad.iter().map(|b| b.row).collect::<Vec<_>>(),
                [5],
                "{eol:?}"
            );
        }
        let jsonl = "{\"email\":\"a@example.jp\"}\nnot json\n{\"email\": 12}\n{\"phone\":\"+81 90 1234 5678\"}\n";
        let (ok, bad) = read_fraud(jsonl.as_bytes(), InputFormat::Jsonl).unwrap();
        assert_eq!(ok.len(), 2, "{bad:?}");
        assert_eq!(bad.iter().map(|b| b.row).collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn a_column_twice_or_a_row_split_by_a_comma_is_rejected() {
        let (ok, bad) = read_fraud(
            "email,Email\na@example.jp,b@example.jp\n".as_bytes(),
            InputFormat::Csv,
        )
        .unwrap();
        assert_eq!((ok.len(), bad.len()), (0, 1));
        assert_eq!((bad[0].row, bad[0].field.as_str()), (1, "email"));
        let csv = "address,source\n東京都世田谷区池尻1-2-3,ハイツ101,shop-a\n東京都世田谷区池尻1-2-4,shop-b,,\n";
        let (ok, bad) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!((ok.len(), bad.len()), (1, 1), "{bad:?}");
        assert_eq!(bad[0].row, 2);
    }

    #[test]
    fn two_stray_quotes_reject_the_row_that_swallowed_the_rows_between() {
        // Found by a review: the rows between the quotes were lost without a word.
        let csv = "email,note,source\na@example.jp,x,s\nb@example.jp,\"oops,s\nc@example.jp,y,s\nd@example.jp,\"z,s\ne@example.jp,w,s\n";
        let (ok, bad) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!(ok.len(), 2, "a and e");
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!((bad[0].row, bad[0].field.as_str()), (3, "note"));
        assert!(bad[0].reason.contains("read as rows"), "{}", bad[0].reason);
        // A note over two lines is a note; so is a forwarder's address over lines with
        // as many commas as the file has columns (found by a second review).
        let csv =
            "name,address,code_pattern\nExample Fwd,\"Unit 4\n1-2-3 Heiwajima, Ota-ku, Tokyo\",\n";
        let (ok, bad) = read_forwarders(csv.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!(
            bad.iter()
                .filter(|b| b.reason.contains("read as rows"))
                .count(),
            0,
            "{bad:?} {}",
            ok.len()
        );
        let csv = "email,note\na@example.jp,\"called, no answer\nretry later\"\n";
        let (ok, bad) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!((ok.len(), bad.len()), (1, 0), "{bad:?}");
    }

    #[test]
    fn a_quote_that_never_closes_rejects_the_row_that_swallowed_the_rest() {
        let csv = "email,note\na@example.jp,ok\nb@example.jp,\"open\nc@example.jp,x\n";
        let (ok, bad) = read_fraud(csv.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!(ok.len(), 1, "{bad:?}");
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].row, bad[0].field.as_str()), (3, "note"));
        assert!(bad[0].reason.contains("1 more lines"), "{}", bad[0].reason);
        // Closed over two lines: a note with a line break, kept.
        let closed = "email,note\na@example.jp,\"two\nlines\"\nc@example.jp,x\n";
        let (ok, bad) = read_fraud(closed.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!((ok.len(), bad.len()), (2, 0), "{bad:?}");
        // The last record unreadable itself: no good row is taken for it.
        let broken = b"email,note\na@example.jp,ok\nb@example.jp,\"\xff\n";
        let (ok, bad) = read_fraud(&broken[..], InputFormat::Csv).unwrap();
        assert_eq!((ok.len(), bad.len()), (1, 1), "{bad:?}");
        // The swallowing row the last of a full chunk: it was held back, not handed on.
        let mut long = String::from("email,note\n");
        for i in 1..CHUNK {
            long.push_str(&format!("u{i}@example.jp,ok\n"));
        }
        long.push_str("z@example.jp,\"open\n");
        let (ok, bad) = read_fraud(long.as_bytes(), InputFormat::Csv).unwrap();
        assert_eq!((ok.len(), bad.len()), (CHUNK - 1, 1), "{bad:?}");
    }

    #[test]
    fn format_detection() {
        assert_eq!(
            InputFormat::detect(Path::new("a.csv"), b"{"),
            InputFormat::Csv
        );
        assert_eq!(
            InputFormat::detect(Path::new("a.jsonl"), b"x"),
            InputFormat::Jsonl
        );
        assert_eq!(
            InputFormat::detect(Path::new("a"), b"  {\"a\":1}"),
            InputFormat::Jsonl
        );
        assert_eq!(
            InputFormat::detect(Path::new("a"), b"email,phone"),
            InputFormat::Csv
        );
    }
}
