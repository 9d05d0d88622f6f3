//! `mikiwame score`: orders (JSONL or CSV) in, one assessment per row out.
//!
//! The input is streamed in chunks, so memory stays bounded on inputs of any size: a chunk
//! of rows is read, parsed and scored in parallel on the engine's threads, written in input
//! order, and dropped. Orders are linked (shared addresses, bursts, name series) within
//! a chunk and with the history; `--chunk-size` sets how many orders that is.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use mikiwame::engine::{Assessment, Engine};
use mikiwame::order::{csv_bad_row, parse_json_row, BadRow, CsvColumns, Row, RowError};
use mikiwame::score::Band;
use mikiwame::shop::Shop;
use rayon::prelude::*;

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
    /// The fraud index (from `mikiwame index build`). Without it, orders are scored on
    /// their own and with each other, with no past fraud records.
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// Shop settings (JSON or TOML).
    #[arg(long)]
    pub shop: Option<PathBuf>,
    /// A scoring model file (TOML or JSON, format 1); default: the bundled priors.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: OutputFormat,
    /// Input format; default: CSV for `.csv` files, else JSONL when the input starts with
    /// `{`, else CSV.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Orders per chunk: the unit of parallel work and of linking.
    #[arg(long, default_value_t = 65_536)]
    pub chunk_size: usize,
    /// Worker threads (default: the number of CPUs).
    #[arg(long)]
    pub threads: Option<usize>,
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
pub fn run(args: Args) -> Result<(), CliError> {
    let mut engine = Engine::new();
    if let Some(path) = &args.index {
        let index = mikiwame::index::Index::open(path).map_err(usage)?;
        engine = engine.with_history(index);
    }
    if let Some(path) = &args.shop {
        engine = engine.with_shop(Shop::load(path).map_err(usage)?);
    }
    if let Some(path) = &args.model {
        engine = engine.with_model_file(path).map_err(usage)?;
    }
    if let Some(t) = args.threads {
        engine = engine.with_threads(t);
    }
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
        None => sniff(&mut input)?,
    };
    let mut out = stdout();
    let progress = std::io::stderr().is_terminal();
    let mut summary = Summary::default();
    let mut writer = Output::new(args.format, &mut out)?;
    let mut emit = |assessments: Vec<Assessment>, summary: &mut Summary| -> Result<(), CliError> {
        for a in &assessments {
            summary.add(a);
        }
        writer.write(&engine, &assessments)?;
        if progress {
            eprint!("\rmikiwame score: {} orders", summary.rows);
        }
        Ok(())
    };
    match format {
        InputFormat::Jsonl => {
            let mut row = 0u64;
            loop {
                let lines = read_lines(&mut input, chunk, &mut row)?;
                if lines.is_empty() {
                    break;
                }
                let assessments = engine.install(|| {
                    let rows: Vec<Row> = lines
                        .par_iter()
                        .map(|(n, line)| match line {
                            Ok(text) => parse_json_row(text, *n),
                            Err(bad) => Err(bad.clone()),
                        })
                        .collect();
                    engine.score_rows(&rows)
                });
                emit(assessments, &mut summary)?;
            }
        }
        InputFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(true)
                .from_reader(input);
            let header = reader
                .headers()
                .map_err(|e| CliError::Usage(format!("cannot read the CSV header: {e}")))?
                .clone();
            let columns = CsvColumns::from_header(header.iter()).map_err(usage)?;
            let mut records = reader.into_records();
            loop {
                let mut batch: Vec<Result<csv::StringRecord, BadRow>> = Vec::with_capacity(chunk);
                for rec in records.by_ref().take(chunk) {
                    match rec {
                        Ok(r) => batch.push(Ok(r)),
                        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                            return Err(CliError::Usage(format!("cannot read input: {e}")))
                        }
                        Err(e) => batch.push(Err(csv_bad_row(&e))),
                    }
                }
                if batch.is_empty() {
                    break;
                }
                let assessments = engine.install(|| {
                    let rows: Vec<Row> = batch
                        .par_iter()
                        .map(|r| match r {
                            Ok(rec) => columns.order(rec, rec.position().map_or(0, |p| p.line())),
                            Err(bad) => Err(bad.clone()),
                        })
                        .collect();
                    engine.score_rows(&rows)
                });
                emit(assessments, &mut summary)?;
            }
        }
    }
    writer.finish()?;
    drop(writer);
    out.flush().map_err(write_error)?;
    if progress {
        eprint!("\r");
    }
    eprintln!("mikiwame score: {}", summary.line());
    Ok(())
}

fn usage(e: mikiwame::Error) -> CliError {
    CliError::Usage(e.to_string())
}

/// JSONL when the first non-blank byte is `{`, else CSV.
fn sniff(input: &mut Box<dyn BufRead>) -> Result<InputFormat, CliError> {
    let buf = input
        .fill_buf()
        .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
    let first = buf
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or(buf)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    Ok(match first {
        Some(b'{') | None => InputFormat::Jsonl,
        Some(_) => InputFormat::Csv,
    })
}

/// Reads up to `max` non-blank lines, numbering them by line. A line that is not UTF-8
/// becomes a bad row in place.
#[allow(clippy::type_complexity)]
fn read_lines(
    input: &mut Box<dyn BufRead>,
    max: usize,
    row: &mut u64,
) -> Result<Vec<(u64, Result<String, BadRow>)>, CliError> {
    let mut lines = Vec::with_capacity(max.min(1 << 16));
    let mut buf = Vec::new();
    while lines.len() < max {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::Usage(format!("cannot read input: {e}")))?;
        if n == 0 {
            break;
        }
        *row += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = match String::from_utf8(std::mem::take(&mut buf)) {
            Ok(s) => Ok(s),
            Err(_) => Err(BadRow {
                order_id: None,
                error: RowError {
                    row: *row,
                    field: String::new(),
                    message: "the line is not valid UTF-8: save the file as UTF-8".into(),
                },
            }),
        };
        lines.push((*row, line));
    }
    Ok(lines)
}

/// The CSV output columns.
const CSV_HEADER: &[&str] = &[
    "order_id",
    "score",
    "band",
    "alert",
    "address_match",
    "stars",
    "forwarding",
    "reasons",
    "data_quality",
    "error_row",
    "error_field",
    "error_message",
];

enum Output<'w, W: Write> {
    Jsonl(&'w mut W),
    Csv(Box<csv::Writer<&'w mut W>>),
}

impl<'w, W: Write> Output<'w, W> {
    fn new(format: OutputFormat, out: &'w mut W) -> Result<Self, CliError> {
        Ok(match format {
            OutputFormat::Jsonl => Output::Jsonl(out),
            OutputFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER).map_err(csv_write_error)?;
                Output::Csv(Box::new(w))
            }
        })
    }

    fn write(&mut self, engine: &Engine, assessments: &[Assessment]) -> Result<(), CliError> {
        match self {
            Output::Jsonl(out) => {
                // Serializing is a large share of the work: do it in parallel, in blocks
                // that keep input order.
                let blocks: Vec<Result<Vec<u8>, serde_json::Error>> = engine.install(|| {
                    assessments
                        .par_chunks(1024)
                        .map(|block| {
                            let mut buf = Vec::with_capacity(block.len() * 200);
                            for a in block {
                                serde_json::to_writer(&mut buf, a)?;
                                buf.push(b'\n');
                            }
                            Ok(buf)
                        })
                        .collect()
                });
                for b in blocks {
                    let b =
                        b.map_err(|e| CliError::Internal(format!("cannot write output: {e}")))?;
                    out.write_all(&b).map_err(write_error)?;
                }
            }
            Output::Csv(w) => {
                for a in assessments {
                    w.write_record(csv_row(a)).map_err(csv_write_error)?;
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), CliError> {
        if let Output::Csv(w) = self {
            w.flush().map_err(write_error)?;
        }
        Ok(())
    }
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
