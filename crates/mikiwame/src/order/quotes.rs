//! Quoted CSV fields that never close.
//!
//! A field that opens a quote and never closes it runs to the end of the file: the `csv`
//! reader, like most, reads every later line into that one field, and the rows on those
//! lines are never seen. [`QuoteWatch`] passes a CSV stream through unchanged and tells,
//! once the stream has ended, whether it ended inside a quoted field, so that the reader
//! reports the row that swallowed the rest instead of scoring it.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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

/// A reader that passes a CSV stream through and watches its quoting ([`Quoting`]).
pub(crate) struct QuoteWatch<R> {
    inner: R,
    quoting: Quoting,
    /// Set once the stream has ended inside a quoted field.
    unclosed: Arc<AtomicBool>,
}

impl<R> QuoteWatch<R> {
    /// Watches `inner`; the flag reads true once the stream has ended inside quotes.
    pub(crate) fn new(inner: R) -> (QuoteWatch<R>, Arc<AtomicBool>) {
        let unclosed = Arc::new(AtomicBool::new(false));
        let watch = QuoteWatch {
            inner,
            quoting: Quoting::default(),
            unclosed: Arc::clone(&unclosed),
        };
        (watch, unclosed)
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            // The end of the stream (a read into no room says nothing).
            self.unclosed
                .store(self.quoting.unclosed(), Ordering::Relaxed);
        } else if let Some(read) = buf.get(..n) {
            self.quoting.feed(read);
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

    #[test]
    fn the_flag_is_set_when_the_stream_ends() {
        let text = b"order_id,name\nA,\"open\nB,x\n";
        let (mut w, flag) = QuoteWatch::new(&text[..]);
        let mut sink = Vec::new();
        w.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, text);
        assert!(flag.load(Ordering::Relaxed));
        // A read into no room after the end does not clear it.
        assert_eq!(w.read(&mut []).unwrap(), 0);
        assert!(flag.load(Ordering::Relaxed));
    }
}
