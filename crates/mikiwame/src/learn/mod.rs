//! Learning from a shop's own labels: refit the model's weights on labelled orders
//! ([`train`]) and measure how good and how well calibrated a model is ([`evaluate`]).
//!
//! Each order becomes its reason-code features ([`Engine::features_batch`]: the strength
//! with which each code fired, linking codes included), and an L2-regularized logistic
//! regression with intercept ([`logistic`]) fits one weight per code; the intercept
//! becomes the base rate. The result is a [`Model`] in the usual versioned format, so
//! `mikiwame score --model` and [`Engine::with_model_file`] load it unchanged.
//!
//! The penalty pulls each weight towards the engine's current weights (the documented
//! priors, by default), not towards zero: a code that never fires in the labels keeps its
//! prior weight, and a small history moves the weights only as far as it gives evidence.
//!
//! ```
//! use mikiwame::engine::Engine;
//! use mikiwame::learn::{self, synthetic, TrainOptions};
//!
//! let engine = Engine::new().with_threads(1);
//! let truth = synthetic::Truth::orders_example();
//! let labelled = synthetic::labelled_orders(&engine, &truth, 4000, 7);
//! let (model, report) = learn::train(&TrainOptions::default(), &engine,
//!     labelled.iter().cloned().map(Ok)).unwrap();
//! assert_eq!(report.orders, 4000);
//! let eval = learn::evaluate(&engine.with_model(model), labelled.into_iter().map(Ok));
//! assert!(eval.roc_auc.unwrap() > 0.7);
//! ```

pub mod chart;
mod labels;
pub mod logistic;
pub mod metrics;
pub mod synthetic;

use serde::{Deserialize, Serialize};

pub use labels::{
    read_labelled_csv, read_labelled_jsonl, read_labelled_line, Labelled, LabelledRow,
    MAX_ROW_WEIGHT,
};
pub use metrics::EvaluationReport;

use crate::engine::{Engine, Features};
use crate::error::Result;
use crate::order::{Order, RowError};
use crate::score::{Model, MAX_WEIGHT, MODEL_FORMAT_VERSION};
use crate::signals::ReasonCode;

/// What the weights are pulled towards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shrink {
    /// The engine's current weights (the default priors unless another model is loaded).
    #[default]
    Prior,
    /// Zero: the textbook ridge regression.
    Zero,
}

/// Options of [`train`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainOptions {
    /// The L2 strength λ: the penalty is λ/2 · Σ (weight − center)², next to a
    /// log-likelihood summed over orders, so λ = 1 weighs like about one order per code.
    pub l2: f64,
    /// What the penalty pulls the weights towards.
    pub shrink: Shrink,
    /// Orders featurized together (and linked with each other), as `score --chunk-size`.
    pub chunk_size: usize,
    /// A description for the model file; a default one names the data.
    pub description: Option<String>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: 1.0,
            shrink: Shrink::Prior,
            chunk_size: 65_536,
            description: None,
        }
    }
}

/// The most row errors a report keeps (all are counted).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// What [`train`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Orders trained on.
    pub orders: u64,
    /// Rows skipped because they could not be read.
    pub skipped: u64,
    /// The first [`MAX_REPORTED_ERRORS`] of them.
    pub errors: Vec<RowError>,
    /// Weighted fraudulent orders.
    pub fraud_weight: f64,
    /// Weighted legitimate orders.
    pub legit_weight: f64,
    /// Distinct feature vectors (the size of the fitted problem).
    pub distinct_feature_vectors: u64,
    /// Newton iterations.
    pub iterations: u64,
    /// Whether the optimizer converged.
    pub converged: bool,
    /// Mean log-loss on the training orders.
    pub log_loss: f64,
    /// Codes that never fired in the training orders: their weight stayed at the center.
    pub unseen_codes: Vec<ReasonCode>,
}

/// The feature index of each code: its position in [`ReasonCode::ALL`].
fn feature_vector(f: &Features) -> Vec<(usize, f64)> {
    f.hits
        .iter()
        .filter_map(|h| {
            ReasonCode::ALL
                .iter()
                .position(|c| *c == h.code)
                .map(|j| (j, h.strength))
        })
        .collect()
}

/// Featurizes labelled rows chunk by chunk into aggregated examples; bad rows are
/// counted and their first errors kept.
fn featurize(
    engine: &Engine,
    rows: impl IntoIterator<Item = LabelledRow>,
    chunk_size: usize,
    mut each: impl FnMut(&Features, &Labelled),
) -> (u64, Vec<RowError>) {
    let mut skipped = 0u64;
    let mut errors = Vec::new();
    let mut chunk: Vec<Labelled> = Vec::with_capacity(chunk_size.min(1 << 16));
    let mut flush = |chunk: &mut Vec<Labelled>| {
        let orders: Vec<Order> = chunk
            .iter_mut()
            .map(|l| std::mem::take(&mut l.order))
            .collect();
        for (f, l) in engine.features_batch(&orders).iter().zip(chunk.iter()) {
            each(f, l);
        }
        chunk.clear();
    };
    for row in rows {
        match row {
            Ok(l) => {
                chunk.push(l);
                if chunk.len() >= chunk_size.max(1) {
                    flush(&mut chunk);
                }
            }
            Err(bad) => {
                skipped += 1;
                if errors.len() < MAX_REPORTED_ERRORS {
                    errors.push(bad.error);
                }
            }
        }
    }
    if !chunk.is_empty() {
        flush(&mut chunk);
    }
    (skipped, errors)
}

/// Fits a model to labelled orders: features from `engine` (its history, shop and
/// thresholds), weights by L2-regularized logistic regression. The model keeps the
/// engine's thresholds. Bad rows are skipped and counted in the report.
///
/// Fails when the rows hold no fraud or no legitimate order, or the options are unusable.
pub fn train(
    options: &TrainOptions,
    engine: &Engine,
    rows: impl IntoIterator<Item = LabelledRow>,
) -> Result<(Model, TrainReport)> {
    let dim = ReasonCode::ALL.len();
    let mut examples = logistic::Examples::new(dim);
    let mut orders = 0u64;
    let (skipped, errors) = featurize(engine, rows, options.chunk_size, |f, l| {
        orders += 1;
        examples.add(&feature_vector(f), l.fraud, l.weight);
    });
    let prior = engine.model();
    let center: Vec<f64> = ReasonCode::ALL
        .iter()
        .map(|c| match options.shrink {
            Shrink::Prior => prior.weights.get(c).copied().unwrap_or(0.0),
            Shrink::Zero => 0.0,
        })
        .collect();
    let fit = logistic::fit(&examples, options.l2, &center)?;
    let (fraud_weight, legit_weight) = examples.totals();
    let unseen_codes: Vec<ReasonCode> = ReasonCode::ALL
        .iter()
        .enumerate()
        .filter(|(j, _)| examples.support(*j) == 0.0)
        .map(|(_, c)| *c)
        .collect();
    // Keep the base rate strictly inside (0, 1), as the model format requires.
    let base_rate = (1.0 / (1.0 + (-fit.intercept).exp())).clamp(1e-9, 1.0 - 1e-9);
    // Kept within what a model file may hold (a weight past ±100 log-odds says nothing
    // more; nearly separable data with a tiny --l2 can drive one there).
    let round = |w: f64| ((w * 1e4).round() / 1e4).clamp(-MAX_WEIGHT, MAX_WEIGHT);
    let model = Model {
        format_version: MODEL_FORMAT_VERSION,
        description: options.description.clone().unwrap_or_else(|| {
            format!(
                "trained by mikiwame train on {orders} labelled orders ({fraud_weight} fraud by weight), l2 = {}, shrink to {}",
                options.l2,
                match options.shrink {
                    Shrink::Prior => "prior",
                    Shrink::Zero => "zero",
                }
            )
        }),
        base_rate,
        weights: ReasonCode::ALL
            .iter()
            .zip(&fit.weights)
            .map(|(c, w)| (*c, round(*w)))
            .collect(),
        thresholds: prior.thresholds.clone(),
    };
    let report = TrainReport {
        orders,
        skipped,
        errors,
        fraud_weight,
        legit_weight,
        distinct_feature_vectors: examples.groups() as u64,
        iterations: fit.iterations as u64,
        converged: fit.converged,
        log_loss: fit.log_loss,
        unseen_codes,
    };
    Ok((model, report))
}

/// Scores labelled orders with the engine's model and measures the result (see
/// [`metrics`]). Bad rows are skipped and counted in `skipped`.
pub fn evaluate(engine: &Engine, rows: impl IntoIterator<Item = LabelledRow>) -> EvaluationReport {
    let mut scored = Vec::new();
    let (skipped, _) = featurize(engine, rows, TrainOptions::default().chunk_size, |f, l| {
        scored.push(metrics::Scored {
            probability: engine.model().probability(&f.hits),
            fraud: l.fraud,
            weight: l.weight,
        });
    });
    let mut report = metrics::report(&scored);
    report.skipped = skipped;
    report
}

#[cfg(test)]
mod tests;
