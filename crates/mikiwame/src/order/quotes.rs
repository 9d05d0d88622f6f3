//! Quoted CSV fields that never close.
//!
//! A field that opens a quote and never closes it runs to the end of the file: the `csv`
//! reader, like most, reads every later line into that one field, and the rows on those
//! lines are never seen. [`QuoteWatch`] passes a CSV stream through unchanged and tells,
//! once the stream has ended, whether it ended inside a quoted field, so that the reader
//! reports the row that swallowed the rest instead of scoring it.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The quoting state of a CSV stream, as the `csv` crate's reader moves through it: a
/// quote opens a quoted field only at a field's start (the stream's start, or after a
/// comma or a line break); inside, `""` is a quote and a lone `"` closes the field;
/// elsewhere a quote is text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quoting {
    in_quotes: bool,
    /// Inside quotes, the last byte was a quote: it closes the field unless the next byte
    /// is another quote.
    quote_pending: bool,
    /// Outside quotes, the next byte starts a field.
    field_start: bool,
    /// At the stream's start, the bytes of a UTF-8 byte order mark matched so far (`csv`
    /// skips one there); `None` past it.
    bom: Option<usize>,
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Default for Quoting {
    fn default() -> Self {
        Quoting {
            in_quotes: false,
            quote_pending: false,
            field_start: true,
            bom: Some(0),
        }
    }
}

/// Whether a byte ends a field outside quotes.
fn ends_field(b: u8) -> bool {
    matches!(b, b',' | b'\n' | b'\r')
}

impl Quoting {
    /// Moves through the next bytes of the stream. Jumps from quote to quote: bytes
    /// between quotes change nothing but whether the next quote starts a field.
    pub(crate) fn feed(&mut self, mut buf: &[u8]) {
        while let Some(n) = self.bom {
            let Some((&b, rest)) = buf.split_first() else {
                return;
            };
            if BOM.get(n) == Some(&b) {
                buf = rest;
                self.bom = (n + 1 < BOM.len()).then_some(n + 1);
            } else {
                // A part of a mark is text of the first field.
                self.bom = None;
                self.field_start = n == 0;
            }
        }
        while let Some((&first, rest)) = buf.split_first() {
            if self.quote_pending {
                self.quote_pending = false;
                if first == b'"' {
                    // An escaped quote: still inside.
                    buf = rest;
                    continue;
                }
                // The field closed; this byte is outside, right after the closing quote.
                self.in_quotes = false;
                self.field_start = false;
            }
            let Some(at) = memchr::memchr(b'"', buf) else {
                if !self.in_quotes {
                    self.field_start = buf.last().map_or(self.field_start, |b| ends_field(*b));
                }
                return;
            };
            if self.in_quotes {
                self.quote_pending = true;
            } else {
                let start = match at.checked_sub(1) {
                    Some(before) => ends_field(buf[before]),
                    None => self.field_start,
                };
                self.in_quotes = start;
                self.field_start = false;
            }
            buf = &buf[at + 1..];
        }
    }

    /// At the stream's end: whether a quoted field is still open.
    pub(crate) fn unclosed(&self) -> bool {
        self.in_quotes && !self.quote_pending
    }
}

/// What to say of a record whose last field, `text`, opened a quote that never closed:
/// how many lines it swallowed and what happened to them (`lost`: "not scored", "not
/// added"). The lines counted are those after the one the quote opened on (a last line
/// break ends no line).
pub(crate) fn unclosed_problem(text: &str, lost: &str) -> String {
    let swallowed = text.lines().count().saturating_sub(1);
    format!(
        "this field opens a quote that never closes, so the {swallowed} more lines after it \
         were read into it and {lost}: close the quote (write a quote inside a field as \"\")"
    )
}

/// The lines after the first of a quoted field that read as rows of their own: split at
/// commas they give as many fields as the header has (at least two), and their first
/// field has the shape of the record's own first field (`A-2` and `A-3`: letters, a
/// hyphen, digits). Two stray quotes (`"oops` on one row, `"z` on a later one) make one
/// field of every line between them, and the rows on those lines are not seen; a field
/// that holds such lines is reported.
///
/// A field with line breaks but no row-shaped line is not: an address over two lines, a
/// note with a comma or two, even when the file has only two or three columns (a second
/// review found `Flat 3\n12 Baker Street, London, NW1 6XE` taken for a row).
pub(crate) fn row_shaped_lines(field: &str, columns: usize, first: &str) -> usize {
    if columns < 2 || memchr::memchr2(b'\n', b'\r', field.as_bytes()).is_none() {
        return 0;
    }
    let own = shape(first.trim());
    if own.is_empty() {
        return 0;
    }
    field
        .lines()
        .skip(1)
        .filter(|line| {
            line.split(',').count() == columns
                && line
                    .split(',')
                    .next()
                    .is_some_and(|f| shape(f.trim()) == own)
        })
        .count()
}

/// A text's shape: runs of ASCII digits as `9`, of ASCII letters as `A`, of other
/// letters as `L`, of white space as one space; other characters as they are.
fn shape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let class = if c.is_ascii_digit() {
            '9'
        } else if c.is_ascii_alphabetic() {
            'A'
        } else if c.is_alphabetic() {
            'L'
        } else if c.is_whitespace() {
            ' '
        } else {
            c
        };
        let run = matches!(class, '9' | 'A' | 'L' | ' ');
        if !(run && out.ends_with(class)) {
            out.push(class);
        }
    }
    out
}

/// What to say of a record with `fields` fields under a header of `width` names, when
/// an extra field holds text.
pub(crate) fn split_row_problem(fields: usize, width: usize) -> String {
    format!(
        "this row has {fields} fields but the header {width}: a comma inside a field split \
         it, so the fields after it are in the wrong columns; put the field in quotes"
    )
}

/// What to say of a header that names `column` twice.
pub(crate) fn column_twice_problem(column: &str) -> String {
    format!("the header has the column `{column}` twice: keep one, or rename the other")
}

/// What to say of a record whose field `text` holds `rows` lines that read as rows (see
/// [`row_shaped_lines`]); `lost` says what happened to them ("not scored", "not added").
pub(crate) fn swallowed_problem(text: &str, rows: usize, lost: &str) -> String {
    let lines = text.lines().count();
    format!(
        "this field runs over {lines} lines, and {rows} of the later ones read as rows of \
         their own: a quote probably opened without closing, and the rows on those lines \
         were read into this field and {lost}: close the quote (write a quote inside a \
         field as \"\")"
    )
}

/// The line breaks of a stream that lie past the last place asked about, to turn a
/// record's byte offset into the line an editor shows it on.
///
/// The `csv` crate numbers lines itself, but does not count blank lines, nor the breaks of
/// `\r\n` or `\r` endings, so rows of such files were reported lines too early. Here a
/// line break is `\n`, `\r\n` or a lone `\r`.
#[derive(Debug, Default)]
pub(crate) struct LineBreaks {
    /// The first and last byte of each break not yet passed (`\r\n` spans two), in order.
    ahead: VecDeque<(u64, u64)>,
    /// Breaks passed so far.
    passed: u64,
}

impl LineBreaks {
    /// The line (from 1) of the record that the `csv` reader says starts at `offset`.
    /// Offsets must be asked in order: breaks before `offset` are forgotten.
    ///
    /// The reader places a record after blank lines, or after the `\n` of a `\r\n` whose
    /// `\r` ended the record before, at the first of those breaks: breaks that follow on
    /// from `offset` are passed too.
    pub(crate) fn line_at(&mut self, offset: u64) -> u64 {
        while self.ahead.front().is_some_and(|b| b.1 < offset) {
            self.ahead.pop_front();
            self.passed += 1;
        }
        let mut at = offset;
        while let Some(&(first, last)) = self.ahead.front() {
            if first > at {
                break;
            }
            self.ahead.pop_front();
            self.passed += 1;
            at = last + 1;
        }
        self.passed + 1
    }
}

/// What a [`QuoteWatch`] tells while and after its stream is read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Watched {
    /// Set once the stream has ended inside a quoted field.
    pub unclosed: Arc<AtomicBool>,
    /// The stream's line breaks.
    pub breaks: Arc<Mutex<LineBreaks>>,
}

impl Watched {
    /// The line (from 1) that the byte at `offset` lies on (see [`LineBreaks::line_at`]).
    pub(crate) fn line_at(&self, offset: u64) -> u64 {
        self.breaks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .line_at(offset)
    }

    /// Whether the stream ended inside a quoted field.
    pub(crate) fn unclosed(&self) -> bool {
        self.unclosed.load(Ordering::Relaxed)
    }
}

/// A reader that passes a CSV stream through and watches its quoting ([`Quoting`]) and
/// where its lines break.
pub(crate) struct QuoteWatch<R> {
    inner: R,
    quoting: Quoting,
    watched: Watched,
    /// Bytes read so far.
    offset: u64,
    /// The offset of a `\r` that ended the last read: a break of its own unless a `\n`
    /// follows.
    cr_at_end: Option<u64>,
}

impl<R> QuoteWatch<R> {
    /// Watches `inner`.
    pub(crate) fn new(inner: R) -> (QuoteWatch<R>, Watched) {
        let watched = Watched::default();
        let watch = QuoteWatch {
            inner,
            quoting: Quoting::default(),
            watched: watched.clone(),
            offset: 0,
            cr_at_end: None,
        };
        (watch, watched)
    }

    /// Notes the line breaks of `read`, the bytes after `self.offset`.
    fn note_breaks(&mut self, read: &[u8]) {
        let mut breaks = self
            .watched
            .breaks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let base = self.offset;
        let mut skip_first = false;
        if let Some(cr) = self.cr_at_end.take() {
            if read.first() == Some(&b'\n') {
                breaks.ahead.push_back((cr, base));
                skip_first = true;
            } else {
                breaks.ahead.push_back((cr, cr));
            }
        }
        let mut after_cr = false;
        for at in memchr::memchr2_iter(b'\n', b'\r', read) {
            let o = base + at as u64;
            if read[at] == b'\n' {
                // The \n of a \r\n was noted with its \r.
                if !(after_cr || (skip_first && at == 0)) {
                    breaks.ahead.push_back((o, o));
                }
                after_cr = false;
                continue;
            }
            match read.get(at + 1) {
                Some(b'\n') => {
                    breaks.ahead.push_back((o, o + 1));
                    after_cr = true;
                }
                Some(_) => breaks.ahead.push_back((o, o)),
                None => self.cr_at_end = Some(o),
            }
        }
        self.offset += read.len() as u64;
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = self.inner.read(buf)?;
        // The csv crate drops a byte order mark that its first read holds whole, but when
        // that read holds the mark and nothing more, it reads an empty header (the header
        // then has no `order_id`). The first read is therefore made to hold more.
        if self.offset == 0 {
            while n > 0 && n <= BOM.len() && n < buf.len() {
                match self.inner.read(&mut buf[n..])? {
                    0 => break,
                    more => n += more,
                }
            }
        }
        if n == 0 && !buf.is_empty() {
            // The end of the stream (a read into no room says nothing).
            self.watched
                .unclosed
                .store(self.quoting.unclosed(), Ordering::Relaxed);
        } else if let Some(read) = buf.get(..n) {
            self.quoting.feed(read);
            self.note_breaks(read);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The states byte by byte, as `csv_core` moves through them: the model of `feed`.
    fn model(bytes: &[u8]) -> bool {
        #[derive(PartialEq)]
        enum S {
            Start,
            Field,
            Quoted,
            QuoteInQuoted,
        }
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let mut s = S::Start;
        for &b in bytes {
            s = match (s, b) {
                (S::Start, b'"') => S::Quoted,
                (S::Start | S::Field, b) if ends_field(b) => S::Start,
                (S::Start | S::Field, _) => S::Field,
                (S::Quoted, b'"') => S::QuoteInQuoted,
                (S::Quoted, _) => S::Quoted,
                (S::QuoteInQuoted, b'"') => S::Quoted,
                (S::QuoteInQuoted, b) if ends_field(b) => S::Start,
                (S::QuoteInQuoted, _) => S::Field,
            };
        }
        s == S::Quoted
    }

    fn watched(bytes: &[u8], chunk: usize) -> bool {
        let mut q = Quoting::default();
        for piece in bytes.chunks(chunk.max(1)) {
            q.feed(piece);
        }
        q.unclosed()
    }

    #[test]
    fn open_quotes_at_the_end_are_seen() {
        assert!(watched(b"a,b\n1,\"x\n2,y\n", 64));
        assert!(watched(b"\"", 64));
        assert!(watched(b"a,\"x\"\"", 64), "an escaped quote, then the end");
        assert!(!watched(b"a,\"x\"\"\"", 64));
        assert!(!watched(b"a,b\"c\n", 64), "a quote inside a field is text");
        assert!(
            !watched(b"a,\"x\"y\"\n", 64),
            "after the closing quote, quotes are text"
        );
        assert!(!watched(b"a,\"multi\nline\"\n", 64));
        assert!(!watched(b"\xEF\xBB\xBF\"order_id\"\n", 2));
        assert!(!watched(b"", 64));
    }

    proptest::proptest! {
        /// Jumping from quote to quote, in any chunks, agrees with the byte-by-byte model.
        #[test]
        fn feed_agrees_with_the_model(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b',', b'"', b'\n', b'\r', 0xEF, 0xBB, 0xBF]),
                0..40,
            ),
            chunk in 1usize..9,
        ) {
            proptest::prop_assert_eq!(watched(&bytes, chunk), model(&bytes));
        }

        /// What the `csv` writer writes never reads as unclosed, and the reader reads the
        /// same records through the watch; an opened quote at the end always reads so.
        #[test]
        fn written_csv_is_closed_and_an_open_quote_is_not(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a\",\n\r ]{0,5}", 1..4),
                1..5,
            ),
            tail in "[a,\n ]{0,6}",
        ) {
            let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for r in &rows {
                w.write_record(r).expect("in memory");
            }
            let written = w.into_inner().expect("in memory");
            proptest::prop_assert!(!watched(&written, 7));
            let read = |watch: bool| -> Vec<csv::StringRecord> {
                let builder = || {
                    let mut b = csv::ReaderBuilder::new();
                    b.has_headers(false).flexible(true);
                    b
                };
                if watch {
                    let (w, _) = QuoteWatch::new(written.as_slice());
                    builder().from_reader(w).records().filter_map(|r| r.ok()).collect()
                } else {
                    builder().from_reader(written.as_slice()).records().filter_map(|r| r.ok()).collect()
                }
            };
            proptest::prop_assert_eq!(read(true), read(false));
            let mut open = written.clone();
            open.extend_from_slice(b"x,\"");
            open.extend_from_slice(tail.as_bytes());
            proptest::prop_assert!(watched(&open, 5));
        }
    }

    /// Hands out at most `chunk` bytes a read, so that breaks fall across reads.
    struct Trickle<'a> {
        rest: &'a [u8],
        chunk: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.rest.len().min(self.chunk).min(buf.len());
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    proptest::proptest! {
        /// Every record is numbered with the line it starts on, as an editor shows it:
        /// with `\n`, `\r\n` or `\r` endings, blank lines before it, and line breaks
        /// inside quoted fields before it, in reads of any size.
        #[test]
        fn records_are_numbered_with_the_line_they_start_on(
            records in proptest::collection::vec(
                ("[a-z]{1,3}", "[a-z ]{0,3}", 0usize..3, proptest::bool::ANY),
                1..8,
            ),
            eol in proptest::sample::select(vec!["\n", "\r\n", "\r"]),
            chunk in 1usize..12,
            bom in proptest::bool::ANY,
        ) {
            let mut text = String::from(if bom { "\u{feff}" } else { "" });
            text.push_str("order_id,name");
            text.push_str(eol);
            let mut line = 2;
            let mut expected = Vec::new();
            for (id, name, blanks, multiline) in &records {
                for _ in 0..*blanks {
                    text.push_str(eol);
                    line += 1;
                }
                expected.push(line);
                if *multiline {
                    text.push_str(&format!("{id},\"{name}{eol}{name}\""));
                    line += 1;
                } else {
                    text.push_str(&format!("{id},{name}"));
                }
                text.push_str(eol);
                line += 1;
            }
            let input = Trickle { rest: text.as_bytes(), chunk };
            let got: Vec<u64> = crate::order::CsvRecords::new(input)
                .expect("a header")
                .map(|r| {
                    let r = r.expect("in memory").expect("a good record");
                    r.position().map_or(0, csv::Position::line)
                })
                .collect();
            proptest::prop_assert_eq!(got, expected, "{:?}", text);
        }
    }

    #[test]
    fn the_flag_is_set_when_the_stream_ends() {
        let text = b"order_id,name\nA,\"open\nB,x\n";
        let (mut w, flag) = QuoteWatch::new(&text[..]);
        let mut sink = Vec::new();
        w.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, text);
        assert!(flag.unclosed());
        // A read into no room after the end does not clear it.
        assert_eq!(w.read(&mut []).unwrap(), 0);
        assert!(flag.unclosed());
    }
}
