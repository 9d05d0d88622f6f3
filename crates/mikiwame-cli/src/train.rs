//! `mikiwame train`: labelled orders in, a model file out (see `mikiwame::learn`).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use mikiwame::learn::{self, LabelledRow, Shrink, TrainOptions};

use crate::engine::EngineArgs;
use crate::io::open_input;
use crate::score::InputFormat;
use crate::CliError;

/// What the L2 penalty pulls the weights towards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShrinkArg {
    /// The weights of the base model (the bundled priors unless --model is given).
    Prior,
    /// Zero.
    Zero,
}

/// Arguments of `mikiwame train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Labelled orders (JSONL or CSV): the order fields plus `label` (1/0) or `fraud`
    /// (true/false), and optionally `weight`.
    #[arg(long)]
    pub labels: PathBuf,
    /// L2 strength λ (about λ orders' worth of evidence per code).
    #[arg(long, default_value_t = 1.0)]
    pub l2: f64,
    /// What the penalty pulls the weights towards.
    #[arg(long, value_enum, default_value = "prior")]
    pub shrink: ShrinkArg,
    /// Input format; default: CSV for `.csv` files, else JSONL.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Also write the training report (JSON) here.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Where to write the model (TOML, or JSON when the name ends in `.json`).
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

fn usage(e: mikiwame::Error) -> CliError {
    CliError::Usage(e.to_string())
}

/// Runs `f` over the labelled rows of `path`; an I/O failure of the input ends the rows
/// and fails the command.
pub fn with_rows<R>(
    path: &Path,
    format: Option<InputFormat>,
    f: impl FnOnce(&mut dyn Iterator<Item = LabelledRow>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    let input = open_input(Some(path))?;
    let csv = match format {
        Some(f) => f == InputFormat::Csv,
        None => path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")),
    };
    let failure: RefCell<Option<mikiwame::Error>> = RefCell::new(None);
    let stop = |r: mikiwame::Result<LabelledRow>| match r {
        Ok(row) => Some(row),
        Err(e) => {
            *failure.borrow_mut() = Some(e);
            None
        }
    };
    let result = if csv {
        let mut rows = learn::read_labelled_csv(input)
            .map_err(usage)?
            .map_while(stop);
        f(&mut rows)?
    } else {
        let mut rows = learn::read_labelled_jsonl(input).map_while(stop);
        f(&mut rows)?
    };
    match failure.into_inner() {
        Some(e) => Err(CliError::Usage(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
        None => Ok(result),
    }
}

/// Prints the kept row errors, and how many more there were.
pub fn print_errors(command: &str, errors: &[mikiwame::order::RowError], skipped: u64) {
    for e in errors {
        note!("mikiwame {command}: skipped {e}");
    }
    if skipped > errors.len() as u64 {
        note!(
            "mikiwame {command}: … and {} more rows skipped",
            skipped - errors.len() as u64
        );
    }
}

/// Runs the command.
pub fn run(args: Args) -> Result<(), CliError> {
    let engine = args.engine.engine()?;
    let options = TrainOptions {
        l2: args.l2,
        shrink: match args.shrink {
            ShrinkArg::Prior => Shrink::Prior,
            ShrinkArg::Zero => Shrink::Zero,
        },
        ..TrainOptions::default()
    };
    crate::io::refuse_overwriting_inputs(&args.output, [args.labels.as_path()])?;
    let (model, report) = with_rows(&args.labels, args.input_format, |rows| {
        learn::train(&options, &engine, rows).map_err(usage)
    })?;
    let text = if args.output.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(&model).map_err(|e| CliError::Internal(e.to_string()))?
    } else {
        model.to_toml()?
    };
    std::fs::write(&args.output, text)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", args.output.display())))?;
    if let Some(path) = &args.report {
        let json =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Internal(e.to_string()))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    print_errors("train", &report.errors, report.skipped);
    note!(
        "mikiwame train: {} orders ({} fraud by weight), {} skipped, {} distinct feature vectors, {} iterations{}, log-loss {:.4}, base rate {:.4}; wrote {}",
        report.orders,
        report.fraud_weight,
        report.skipped,
        report.distinct_feature_vectors,
        report.iterations,
        if report.converged { "" } else { " (not converged)" },
        report.log_loss,
        model.base_rate,
        args.output.display()
    );
    Ok(())
}
