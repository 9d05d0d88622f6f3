//! `mikiwame score`: orders (JSONL or CSV) in, one assessment per row out.
//!
//! The input is streamed in chunks, so memory stays bounded on inputs of any size: a chunk
//! of rows is read, parsed and scored in parallel on the engine's threads, written in input
//! order, and dropped. Orders are linked (shared addresses, bursts, name series) within
//! a chunk and with the history; `--chunk-size` sets how many orders that is. A chunk is
//! read and parsed in parts of at most 4,096 rows, each evaluated and dropped before the
//! next, so that only the chunk's evaluations (a fraction of its orders) are kept until
//! the chunk is linked.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use mikiwame::engine::{Assessment, Engine, Evaluations, ASSESSMENT_COLUMNS};
use mikiwame::order::{parse_json_line, BadRow, CsvColumns};
use mikiwame::score::Band;

use crate::engine::EngineArgs;
use crate::io::{open_input, stdout, write_error};
use crate::CliError;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// One JSON order per line.
    Jsonl,
    /// CSV with the flattened column names and a header row.
    Csv,
}

/// Arguments of `mikiwame score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: OutputFormat,
    /// Input format; default: CSV for `.csv` files, else JSONL when the input starts with
    /// `{`, else CSV.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Orders per chunk: the unit of linking (orders are linked within a chunk and with
    /// the index). A chunk is read, parsed and evaluated 4,096 orders at a time, so a
    /// larger chunk costs little memory.
    #[arg(long, default_value_t = 65_536, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub chunk_size: usize,
    /// Input file; absent or `-` reads standard input.
    pub file: Option<PathBuf>,
}

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Summary {
    rows: u64,
    errors: u64,
    alerts: [u64; 3],
}

impl Summary {
    fn add(&mut self, a: &Assessment) {
        self.rows += 1;
        if a.error.is_some() {
            self.errors += 1;
        } else if a.alert {
            self.alerts[match a.band {
                Band::High => 0,
                Band::Elevated => 1,
                Band::Low => 2,
            }] += 1;
        }
    }

    /// Adds the counts of another part of the output.
    fn merge(&mut self, other: &Summary) {
        self.rows += other.rows;
        self.errors += other.errors;
        for (a, b) in self.alerts.iter_mut().zip(other.alerts) {
            *a += b;
        }
    }

    fn line(&self) -> String {
        let [high, elevated, low] = self.alerts;
        format!(
            "{} orders, {} alerts (high {high}, elevated {elevated}, low {low}), {} errors",
            self.rows,
            high + elevated + low,
            self.errors
        )
    }
}

/// Runs the command.
///
/// The stages overlap: a reader thread reads the next part while the current one is parsed
/// and evaluated on the engine's threads; a complete chunk is linked, assessed and
/// serialized while the next chunk's parts are evaluated; a writer thread writes. So
/// reading, writing and the serial parts of linking do not hold the workers up.
pub fn run(args: Args) -> Result<(), CliError> {
    let engine = args.engine.engine()?;
    // On one thread nothing may run on rayon's global pool either.
    let parallel = engine.threads() > 1;
    let chunk = args.chunk_size.max(1);
    let mut input = open_input(args.file.as_deref())?;
    let format = match args.input_format {
        Some(f) => f,
        None if args
            .file
            .as_ref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            InputFormat::Csv
        }
        None => {
            let (format, rest) = sniff(input)?;
            input = rest;
            format
        }
    };
    // The JSONL reader takes lines as they are: a byte order mark would spoil row 1 (the
    // CSV reader drops it with the header).
    if format == InputFormat::Jsonl {
        let buf = input
            .fill_buf()
            .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
        if buf.starts_with(BOM) {
            input.consume(BOM.len());
        }
    }
    let progress = std::io::stderr().is_terminal();
    let mut summary = Summary::default();
    let (part_tx, part_rx) = std::sync::mpsc::sync_channel::<Result<Part, CliError>>(1);
    // Input buffers go back to the reader once their part is parsed: a fresh buffer for
    // every part would cost page faults and zeroing.
    let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let (out_tx, out_rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(2);
    std::thread::scope(|scope| -> Result<(), CliError> {
        let reader = scope.spawn(move || read_parts(input, format, chunk, &part_tx, &spare_rx));
        let writer = scope.spawn(move || -> Result<(), CliError> {
            let mut out = stdout();
            for blocks in out_rx {
                for bytes in blocks {
                    out.write_all(&bytes).map_err(write_error)?;
                }
            }
            out.flush().map_err(write_error)
        });
        let mut csv_header = args.format == OutputFormat::Csv;
        let mut input = Input {
            chunk,
            parts: part_rx.into_iter(),
            spare: spare_tx,
            ended: false,
            error: None,
        };
        // The chunk evaluated in the previous step is assessed in this one, while the
        // next chunk is evaluated: linking a chunk has serial parts, and the other core
        // would wait through them.
        let mut pending: Option<Evaluations> = None;
        loop {
            if input.ended && pending.is_none() {
                break;
            }
            let header = csv_header;
            // Each block of assessments is serialized, counted and dropped on the thread
            // that made it.
            let finish =
                |window: Evaluations, summary: &mut Summary| -> Result<Vec<Vec<u8>>, CliError> {
                    let blocks = engine.assess_blocks(window, OUTPUT_BLOCK, |block| {
                        let mut counts = Summary::default();
                        block.iter().for_each(|a| counts.add(a));
                        (serialize_block(block, args.format), counts)
                    });
                    let mut out = Vec::with_capacity(blocks.len() + 1);
                    if header {
                        out.push(csv_header_bytes()?);
                    }
                    for (bytes, counts) in blocks {
                        summary.merge(&counts);
                        out.push(bytes?);
                    }
                    Ok(out)
                };
            let previous = pending.take();
            let (done, next) = engine.install(|| {
                let finish_previous = || previous.map(|w| finish(w, &mut summary));
                if parallel {
                    rayon::join(finish_previous, || input.next_chunk(&engine))
                } else {
                    (finish_previous(), input.next_chunk(&engine))
                }
            });
            pending = next;
            if let Some(bytes) = done {
                csv_header = false;
                if progress {
                    note_part!("\rmikiwame score: {} orders", summary.rows);
                }
                // A closed channel means the writer failed; its error is reported below.
                if out_tx.send(bytes?).is_err() {
                    break;
                }
            }
        }
        let result = input.error.map_or(Ok(()), Err);
        if csv_header && result.is_ok() {
            // No rows at all: the CSV output still has its header.
            let _ = out_tx.send(vec![csv_header_bytes()?]);
        }
        drop(out_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(CliError::Internal("the writer thread failed".into())));
        // The reader ends on its own once the channel is gone.
        let _ = reader.join();
        result.and(written)
    })?;
    if progress {
        note_part!("\r");
    }
    note!("mikiwame score: {}", summary.line());
    Ok(())
}

fn usage(e: mikiwame::Error) -> CliError {
    CliError::Usage(e.to_string())
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The most leading white space looked through for the first byte (then: JSONL).
const SNIFF_LIMIT: usize = 1 << 20;

/// JSONL when the first byte that is not white space (after a byte order mark) is `{`,
/// else CSV. Reads on until that byte has come: a pipe's first read may hold only blank
/// lines (found by a review: such input was read as JSONL, header and all). The bytes
/// read are handed back in front of the rest of the input.
fn sniff(
    mut input: Box<dyn BufRead + Send>,
) -> Result<(InputFormat, Box<dyn BufRead + Send>), CliError> {
    let format_of = |first: Option<u8>| match first {
        Some(b'{') | None => InputFormat::Jsonl,
        Some(_) => InputFormat::Csv,
    };
    // Nearly always the first read tells, and the input is handed back as it is.
    let buf = input
        .fill_buf()
        .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
    let text = buf.strip_prefix(BOM).unwrap_or(buf);
    let mark_cut_short = BOM.starts_with(buf) && !buf.is_empty();
    if let Some(b) = text.iter().find(|b| !b.is_ascii_whitespace()) {
        if !mark_cut_short {
            return Ok((format_of(Some(*b)), input));
        }
    }
    let mut seen: Vec<u8> = Vec::new();
    let first = loop {
        let buf = input
            .fill_buf()
            .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
        if buf.is_empty() {
            break None;
        }
        let n = buf.len();
        seen.extend_from_slice(buf);
        input.consume(n);
        // A mark cut short by the read is not text yet: read on.
        if BOM.starts_with(&seen) {
            continue;
        }
        let text = seen.strip_prefix(BOM).unwrap_or(&seen);
        if let Some(b) = text.iter().find(|b| !b.is_ascii_whitespace()) {
            break Some(*b);
        }
        if seen.len() >= SNIFF_LIMIT {
            break None;
        }
    };
    let format = format_of(first);
    let rest: Box<dyn BufRead + Send> =
        Box::new(std::io::Read::chain(std::io::Cursor::new(seen), input));
    Ok((format, rest))
}

/// One part of a chunk's input rows, as read (not yet parsed).
enum Batch {
    /// JSONL: the part's bytes, and each non-blank line's row number and byte range
    /// (newline included, as `read_until` leaves it).
    Jsonl {
        bytes: Vec<u8>,
        lines: Vec<(u64, std::ops::Range<usize>)>,
    },
    /// CSV records, or the bad row of a record that could not be decoded.
    Csv {
        columns: std::sync::Arc<CsvColumns>,
        records: Vec<Result<csv::StringRecord, BadRow>>,
    },
}

/// Rows read, parsed and evaluated at a time within a chunk: the chunk stays the linking
/// window, but only this many parsed orders are in memory at once. With whole 65,536-row
/// chunks parsed at once the process grew to ~380 MB for 200,000 orders and spent up to
/// a third of its time in the kernel faulting in fresh pages (benches/README.md).
const PART: usize = 4096;

/// A part as the reader sends it: its rows, and whether it completes its chunk.
struct Part {
    batch: Batch,
    ends_chunk: bool,
}

/// The main loop's end of the reader's channel.
struct Input {
    /// Rows per chunk.
    chunk: usize,
    parts: std::sync::mpsc::IntoIter<Result<Part, CliError>>,
    spare: std::sync::mpsc::SyncSender<Vec<u8>>,
    /// True once the input ended (or failed): no part will come.
    ended: bool,
    /// The reader's error, reported after the rows read before it are written.
    error: Option<CliError>,
}

impl Input {
    /// Evaluates parts until a chunk is complete or the input ends: the chunk's
    /// evaluations, or `None` when no row was left.
    fn next_chunk(&mut self, engine: &Engine) -> Option<Evaluations> {
        let mut window = Evaluations::with_capacity(self.chunk.min(1 << 16));
        while !self.ended {
            match self.parts.next() {
                Some(Ok(part)) => {
                    part.batch.evaluate_into(engine, &mut window);
                    if let Batch::Jsonl { bytes, .. } = part.batch {
                        // The reader may have ended; then the buffer is simply dropped.
                        let _ = self.spare.try_send(bytes);
                    }
                    if part.ends_chunk {
                        break;
                    }
                }
                Some(Err(e)) => {
                    self.error = Some(e);
                    self.ended = true;
                }
                None => self.ended = true,
            }
        }
        (!window.is_empty()).then_some(window)
    }
}

impl Batch {
    /// Parses the part's rows (on the engine's threads) and appends their evaluations to
    /// `window`.
    fn evaluate_into(&self, engine: &Engine, window: &mut Evaluations) {
        // Each row is parsed, evaluated and dropped in one step on one thread.
        match self {
            Batch::Jsonl { bytes, lines } => engine.evaluate_each(
                lines,
                |(n, range)| parse_json_line(&bytes[range.clone()], *n),
                window,
            ),
            Batch::Csv { columns, records } => engine.evaluate_each(
                records,
                |r| match r {
                    Ok(rec) => columns.order(rec, rec.position().map_or(0, |p| p.line())),
                    Err(bad) => Err(bad.clone()),
                },
                window,
            ),
        }
    }
}

/// The reader stage: sends parts of at most [`PART`] rows, none straddling two chunks of
/// `chunk` rows, until the input ends, an error occurs (sent, then the stage ends) or the
/// receiver is gone.
fn read_parts(
    input: Box<dyn BufRead + Send>,
    format: InputFormat,
    chunk: usize,
    tx: &std::sync::mpsc::SyncSender<Result<Part, CliError>>,
    spare: &std::sync::mpsc::Receiver<Vec<u8>>,
) {
    let mut sizes = PartSizes { chunk, in_chunk: 0 };
    let result = match format {
        InputFormat::Jsonl => read_jsonl(input, &mut sizes, tx, spare),
        InputFormat::Csv => read_csv_records(input, &mut sizes, tx),
    };
    if let Err(e) = result {
        let _ = tx.send(Err(e));
    }
}

/// Where the reader stands in the current chunk.
struct PartSizes {
    chunk: usize,
    in_chunk: usize,
}

impl PartSizes {
    /// How many rows the next part may hold.
    fn next(&self) -> usize {
        PART.min(self.chunk - self.in_chunk)
    }

    /// Counts a part of `rows` rows: true when it completes its chunk.
    fn add(&mut self, rows: usize) -> bool {
        self.in_chunk += rows;
        let ends = self.in_chunk >= self.chunk;
        if ends {
            self.in_chunk = 0;
        }
        ends
    }
}

fn read_jsonl(
    mut input: Box<dyn BufRead + Send>,
    sizes: &mut PartSizes,
    tx: &std::sync::mpsc::SyncSender<Result<Part, CliError>>,
    spare: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<(), CliError> {
    let mut row = 0u64;
    loop {
        // A parsed part's buffer when one has come back, else a new one.
        let buffer = spare.try_recv().unwrap_or_default();
        let (bytes, lines) = read_lines(&mut input, sizes.next(), &mut row, buffer)?;
        if lines.is_empty() {
            return Ok(());
        }
        let ends_chunk = sizes.add(lines.len());
        let part = Part {
            batch: Batch::Jsonl { bytes, lines },
            ends_chunk,
        };
        if tx.send(Ok(part)).is_err() {
            return Ok(());
        }
    }
}

fn read_csv_records(
    input: Box<dyn BufRead + Send>,
    sizes: &mut PartSizes,
    tx: &std::sync::mpsc::SyncSender<Result<Part, CliError>>,
) -> Result<(), CliError> {
    // The shared reader reports a record whose quote never closes (it swallowed the rest
    // of the input) as a bad row.
    let mut records = mikiwame::order::CsvRecords::new(input).map_err(|e| match e {
        mikiwame::Error::Io { .. } => CliError::Usage(format!("cannot read input: {e}")),
        e => usage(e),
    })?;
    let columns = std::sync::Arc::new(records.columns().clone());
    loop {
        let max = sizes.next();
        let mut batch: Vec<Result<csv::StringRecord, BadRow>> = Vec::with_capacity(max);
        for rec in records.by_ref().take(max) {
            match rec {
                Ok(r) => batch.push(r),
                Err(e) => return Err(CliError::Usage(format!("cannot read input: {e}"))),
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let ends_chunk = sizes.add(batch.len());
        let part = Part {
            batch: Batch::Csv {
                columns: std::sync::Arc::clone(&columns),
                records: batch,
            },
            ends_chunk,
        };
        if tx.send(Ok(part)).is_err() {
            return Ok(());
        }
    }
}

/// Reads up to `max` non-blank lines into one buffer (`bytes`, emptied first and reused),
/// numbering them by line (blank lines count as rows but are skipped). One buffer per
/// part, not one string per line.
#[allow(clippy::type_complexity)]
fn read_lines(
    input: &mut Box<dyn BufRead + Send>,
    max: usize,
    row: &mut u64,
    mut bytes: Vec<u8>,
) -> Result<(Vec<u8>, Vec<(u64, std::ops::Range<usize>)>), CliError> {
    let mut lines = Vec::with_capacity(max);
    bytes.clear();
    bytes.reserve(max * 512);
    while lines.len() < max {
        let start = bytes.len();
        let n = input
            .read_until(b'\n', &mut bytes)
            .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
        if n == 0 {
            break;
        }
        *row += 1;
        if bytes[start..].iter().all(u8::is_ascii_whitespace) {
            bytes.truncate(start);
            continue;
        }
        lines.push((*row, start..bytes.len()));
    }
    Ok((bytes, lines))
}

/// Assessments serialized (and written) at a time: the output is written block by block
/// as it is (joining the blocks would copy a chunk's output once more).
const OUTPUT_BLOCK: usize = 1024;

/// Serializes a block of assessments: JSONL, or CSV rows.
fn serialize_block(block: &[Assessment], format: OutputFormat) -> Result<Vec<u8>, CliError> {
    match format {
        OutputFormat::Jsonl => {
            let mut buf = Vec::with_capacity(block.len() * 256);
            for a in block {
                a.write_json(&mut buf);
                buf.push(b'\n');
            }
            Ok(buf)
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::with_capacity(block.len() * 128));
            for a in block {
                w.write_record(csv_row(a)).map_err(csv_write_error)?;
            }
            w.into_inner()
                .map_err(|e| CliError::Internal(format!("cannot write output: {e}")))
        }
    }
}

/// The CSV header line.
fn csv_header_bytes() -> Result<Vec<u8>, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(csv_header()).map_err(csv_write_error)?;
    w.into_inner()
        .map_err(|e| CliError::Internal(format!("cannot write output: {e}")))
}

/// The CSV output columns: an assessment's, then where an unreadable row failed.
fn csv_header() -> impl Iterator<Item = &'static str> {
    ASSESSMENT_COLUMNS
        .into_iter()
        .chain(["error_row", "error_field", "error_message"])
}

fn csv_write_error(e: csv::Error) -> CliError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => write_error(io),
        other => CliError::Internal(format!("cannot write output: {other:?}")),
    }
}

/// One assessment as a CSV row: reasons as `code:points` joined by `;`.
fn csv_row(a: &Assessment) -> Vec<String> {
    let id = a.order_id.clone().unwrap_or_default();
    if let Some(e) = &a.error {
        let mut row = vec![id];
        row.extend(std::iter::repeat_n(String::new(), 8));
        row.extend([e.row.to_string(), e.field.clone(), e.message.clone()]);
        return row;
    }
    let reasons: Vec<String> = a
        .reasons
        .iter()
        .map(|r| format!("{}:{}", r.code, r.points))
        .collect();
    let quality: Vec<&str> = a.data_quality.iter().map(|d| d.as_str()).collect();
    vec![
        id,
        a.score.to_string(),
        a.band.as_str().to_string(),
        a.alert.to_string(),
        a.address_match.level.as_str().to_string(),
        a.address_match.stars.to_string(),
        a.forwarding.level.as_str().to_string(),
        reasons.join(";"),
        quality.join(";"),
        String::new(),
        String::new(),
        String::new(),
    ]
}
