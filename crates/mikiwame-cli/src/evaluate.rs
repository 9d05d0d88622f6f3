//! `mikiwame evaluate`: how good and how well calibrated a model is on labelled orders.

use std::io::Write;
use std::path::PathBuf;

use mikiwame::learn;

use crate::engine::EngineArgs;
use crate::io::{stdout, write_error};
use crate::score::InputFormat;
use crate::train::with_rows;
use crate::CliError;

/// Arguments of `mikiwame evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Labelled orders (JSONL or CSV), as for `train`.
    #[arg(long)]
    pub labels: PathBuf,
    /// Input format; default: CSV for `.csv` files, else JSONL.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Write the JSON report here instead of standard output.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write an SVG chart (reliability curve and score histogram) here.
    #[arg(long)]
    pub chart: Option<PathBuf>,
    /// The chart's title.
    #[arg(long, default_value = "mikiwame evaluate")]
    pub title: String,
}

/// Runs the command.
pub fn run(args: Args) -> Result<(), CliError> {
    for output in args.json.iter().chain(&args.chart) {
        crate::io::refuse_overwriting_inputs(output, [args.labels.as_path()])?;
    }
    let engine = args.engine.engine()?;
    let report = with_rows(&args.labels, args.input_format, |rows| {
        Ok(learn::evaluate(&engine, rows))
    })?;
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| CliError::Internal(e.to_string()))?;
    match &args.json {
        Some(path) => std::fs::write(path, json + "\n")
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?,
        None => {
            let mut out = stdout();
            out.write_all(json.as_bytes()).map_err(write_error)?;
            out.write_all(b"\n").map_err(write_error)?;
            out.flush().map_err(write_error)?;
        }
    }
    if let Some(path) = &args.chart {
        std::fs::write(path, learn::chart::svg(&report, &args.title))
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if report.skipped > 0 {
        note!(
            "mikiwame evaluate: {} rows skipped (unreadable or unlabelled)",
            report.skipped
        );
    }
    let at = |i: usize| {
        report.at_threshold.get(i).map_or(String::new(), |t| {
            format!(
                "precision/recall at {}: {}/{}",
                t.threshold,
                t.precision.map_or("n/a".into(), |p| format!("{p:.3}")),
                t.recall.map_or("n/a".into(), |r| format!("{r:.3}"))
            )
        })
    };
    note!(
        "mikiwame evaluate: {} orders, ROC AUC {}, Brier {:.4}, ECE {:.4}, {}, {}",
        report.orders,
        report.roc_auc.map_or("n/a".into(), |a| format!("{a:.3}")),
        report.brier,
        report.ece,
        at(0),
        at(1)
    );
    Ok(())
}
