//! The options that `score`, `train` and `evaluate` share (index, shop settings, model,
//! threads) and the engine they describe.

use std::path::PathBuf;

use mikiwame::engine::Engine;
use mikiwame::shop::Shop;

use crate::CliError;

/// What a scoring command scores with.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// The fraud index (from `mikiwame index build`). Without it, orders are scored on
    /// their own and with each other, with no past fraud records.
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// Shop settings (JSON or TOML).
    #[arg(long)]
    pub shop: Option<PathBuf>,
    /// The scoring model (TOML or JSON, format 1); default: the bundled priors. `train`
    /// starts from it: it keeps its thresholds and, with `--shrink prior`, pulls the
    /// weights towards its weights.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Worker threads, 1 to 1024 (default: the number of CPUs).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_THREADS))]
    pub threads: Option<usize>,
}

/// The most worker threads `--threads` takes: each is a thread with its own stack, and a
/// review's `--threads 30000` ran for minutes before scoring 37 orders.
pub const MAX_THREADS: u64 = 1024;

impl EngineArgs {
    /// The engine: the files loaded, the thread count set. A file that cannot be read
    /// is a usage error naming it.
    pub fn engine(&self) -> Result<Engine, CliError> {
        let usage = |e: mikiwame::Error| CliError::Usage(e.to_string());
        let mut engine = Engine::new();
        if let Some(path) = &self.index {
            let index = crate::io::open_index(path)?;
            engine = engine.with_history(index);
        }
        if let Some(path) = &self.shop {
            engine = engine.with_shop(Shop::load(path).map_err(usage)?);
        }
        if let Some(path) = &self.model {
            engine = engine.with_model_file(path).map_err(usage)?;
        }
        if let Some(t) = self.threads {
            engine = engine.with_threads(t);
        }
        Ok(engine)
    }
}
