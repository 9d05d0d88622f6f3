//! `mikiwame index build` and `mikiwame index info`.

use std::io::Write;
use std::path::PathBuf;

use mikiwame::index::{build_from_files, BuildInfo, BuildInputs};

use crate::CliError;

/// Arguments of `mikiwame index`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, clap::Subcommand)]
enum IndexCommand {
    /// Build an index from fraud records and forwarders (CSV or JSONL).
    Build(BuildArgs),
    /// Print an index's format version, build time, source files and counts per key kind.
    Info(InfoArgs),
}

/// Arguments of `mikiwame index build`.
#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// Fraud records: `address`, `email`, `phone`, `card_fingerprint` (any of them),
    /// `recorded_at`, `source`, `note`. May be repeated.
    #[arg(long, value_name = "FILE")]
    fraud: Vec<PathBuf>,
    /// Forwarding services: `name`, `address`, optional `code_pattern`. May be repeated.
    #[arg(long, value_name = "FILE")]
    forwarders: Vec<PathBuf>,
    /// The index file to write (atomically: temporary file, then rename).
    #[arg(short, long, value_name = "INDEX")]
    output: PathBuf,
    /// An existing index to add to (may be the output itself).
    #[arg(long, value_name = "INDEX")]
    base: Option<PathBuf>,
    /// Any rejected row makes the build fail, and nothing is written.
    #[arg(long)]
    strict: bool,
}

/// Arguments of `mikiwame index info`.
#[derive(Debug, clap::Args)]
struct InfoArgs {
    /// The index file.
    index: PathBuf,
    /// Print the metadata as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `mikiwame index ...`.
pub fn run(args: Args) -> Result<(), CliError> {
    match args.command {
        IndexCommand::Build(a) => build(a),
        IndexCommand::Info(a) => info(a),
    }
}

fn build(a: BuildArgs) -> Result<(), CliError> {
    if a.fraud.is_empty() && a.forwarders.is_empty() && a.base.is_none() {
        return Err(CliError::Usage(
            "index build needs --fraud FILE, --forwarders FILE or --base INDEX".into(),
        ));
    }
    // The base index may be the output (it is read before the new file replaces it).
    crate::io::refuse_overwriting_inputs(
        &a.output,
        a.fraud.iter().chain(&a.forwarders).map(PathBuf::as_path),
    )?;
    let inputs = BuildInputs {
        fraud: a.fraud,
        forwarders: a.forwarders,
        base: a.base,
        output: a.output.clone(),
        strict: a.strict,
    };
    let report = build_from_files(&inputs).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut err = std::io::stderr().lock();
    for r in &report.rejections {
        let _ = writeln!(
            err,
            "rejected: {} row {}, field `{}`: {}",
            r.file, r.row, r.field, r.reason
        );
    }
    match report.info {
        Some(info) => {
            let _ = writeln!(err, "wrote {}", a.output.display());
            let _ = write_summary(&mut err, &info, report.rejections.len());
            Ok(())
        }
        None => Err(CliError::Usage(format!(
            "{} rows rejected and --strict given: nothing written",
            report.rejections.len()
        ))),
    }
}

fn write_summary(out: &mut dyn Write, info: &BuildInfo, rejected: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "records: {} ({} distinct descriptions), forwarders: {}, rejected rows: {rejected}",
        info.records, info.record_entries, info.forwarders
    )?;
    let keys: Vec<String> = info.keys.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(out, "keys: {}", keys.join(", "))
}

fn info(a: InfoArgs) -> Result<(), CliError> {
    let index = crate::io::open_index(&a.index)?;
    let info = index.info();
    let mut out = crate::io::stdout();
    if a.json {
        let mut v = serde_json::to_value(info).map_err(|e| CliError::Internal(e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.insert("bytes".into(), index.size().into());
        }
        crate::io::write_json_line(&mut out, &v)?;
    } else {
        let text = (|| -> std::io::Result<()> {
            writeln!(out, "index: {}", a.index.display())?;
            writeln!(out, "format version: {}", info.format_version)?;
            writeln!(
                out,
                "built at: {} (mikiwame {})",
                info.built_at, info.library_version
            )?;
            writeln!(out, "size: {} bytes", index.size())?;
            let rejected = info.sources.iter().map(|s| s.rejected as usize).sum();
            write_summary(&mut out, info, rejected)?;
            for s in &info.sources {
                writeln!(
                    out,
                    "source: {} ({}, {} rows, {} rejected)",
                    s.path, s.kind, s.rows, s.rejected
                )?;
            }
            out.flush()
        })();
        text.map_err(crate::io::write_error)?;
    }
    out.flush().map_err(crate::io::write_error)
}
