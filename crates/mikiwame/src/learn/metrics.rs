//! How good a score is on labelled orders: ranking (ROC AUC), alerts (precision and
//! recall at a threshold) and calibration (Brier score, expected calibration error, a
//! reliability table).
//!
//! Every measure is weighted by the orders' weights (1 unless the labels file gives
//! one). Scores are the model's probabilities in percent, rounded as
//! [`crate::score::Model::score`] rounds them; the reliability table and the expected
//! calibration error use ten bins of the score, `0-9`, `10-19`, … `90-100`, so that "a
//! score of 70 means about 70 % fraud" can be read off the table directly.
//!
//! ```
//! use mikiwame::learn::metrics::{report, Scored};
//! let scored = [
//!     Scored { probability: 0.9, fraud: true, weight: 1.0 },
//!     Scored { probability: 0.2, fraud: false, weight: 1.0 },
//!     Scored { probability: 0.6, fraud: true, weight: 1.0 },
//!     Scored { probability: 0.05, fraud: false, weight: 1.0 },
//! ];
//! let r = report(&scored);
//! assert_eq!(r.roc_auc, Some(1.0));
//! assert_eq!(r.at_threshold[1].precision, Some(1.0)); // score >= 50
//! ```

use serde::{Deserialize, Serialize};

/// One scored, labelled order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The model's probability of fraud.
    pub probability: f64,
    /// The label: true for confirmed fraud.
    pub fraud: bool,
    /// The order's weight (> 0).
    pub weight: f64,
}

impl Scored {
    /// The score 0..=100, rounded as the scorer rounds it.
    pub fn score(&self) -> u8 {
        if self.probability.is_nan() {
            return 0;
        }
        (self.probability * 100.0).round().clamp(0.0, 100.0) as u8
    }
}

/// The alert thresholds reported: the default alert threshold and the `high` band.
pub const THRESHOLDS: [u8; 2] = [10, 50];

/// Precision and recall of "score >= threshold".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdStats {
    /// The score threshold.
    pub threshold: u8,
    /// Weighted orders at or above it.
    pub flagged: f64,
    /// Of those, the share that is fraud; `None` when nothing is flagged.
    pub precision: Option<f64>,
    /// Of all fraud, the share flagged; `None` when there is no fraud.
    pub recall: Option<f64>,
}

/// One row of the reliability table: orders whose score lies in `from..=to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// The lowest score of the bin.
    pub from: u8,
    /// The highest score of the bin.
    pub to: u8,
    /// Orders in the bin (unweighted count).
    pub count: u64,
    /// Their summed weight.
    pub weight: f64,
    /// Their mean predicted probability; `None` for an empty bin.
    pub predicted: Option<f64>,
    /// The share of them that is fraud; `None` for an empty bin.
    pub observed: Option<f64>,
}

/// One bar of the score histogram (orders by score and label, unweighted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// The lowest score of the bar.
    pub from: u8,
    /// The highest score of the bar.
    pub to: u8,
    /// Fraudulent orders.
    pub fraud: u64,
    /// Legitimate orders.
    pub legit: u64,
}

/// Everything `mikiwame evaluate` reports; serializes as its JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    /// Orders evaluated.
    pub orders: u64,
    /// Rows skipped because they could not be read.
    pub skipped: u64,
    /// Weighted share of fraud among the orders.
    pub fraud_rate: f64,
    /// Area under the ROC curve; `None` without both labels.
    pub roc_auc: Option<f64>,
    /// Mean squared error of the probability.
    pub brier: f64,
    /// Mean negative log-likelihood (natural log).
    pub log_loss: f64,
    /// Expected calibration error over the reliability bins: Σ share × |predicted − observed|.
    pub ece: f64,
    /// Precision and recall at each of [`THRESHOLDS`].
    pub at_threshold: Vec<ThresholdStats>,
    /// Predicted vs observed fraud rate per score decile.
    pub reliability: Vec<ReliabilityBin>,
    /// Orders per score band of width 5, by label.
    pub histogram: Vec<HistogramBin>,
}

/// Computes the report (with `skipped` 0; the caller sets it).
pub fn report(scored: &[Scored]) -> EvaluationReport {
    let total: f64 = scored.iter().map(|s| s.weight).sum();
    let fraud: f64 = scored.iter().filter(|s| s.fraud).map(|s| s.weight).sum();
    let mean = |v: f64| if total > 0.0 { v / total } else { 0.0 };
    let brier = mean(
        scored
            .iter()
            .map(|s| s.weight * (s.probability - f64::from(u8::from(s.fraud))).powi(2))
            .sum(),
    );
    let log_loss = mean(
        scored
            .iter()
            .map(|s| {
                let p = s.probability.clamp(1e-15, 1.0 - 1e-15);
                -s.weight * if s.fraud { p.ln() } else { (1.0 - p).ln() }
            })
            .sum(),
    );
    let at_threshold = THRESHOLDS
        .iter()
        .map(|&t| {
            let (flagged, hit) = scored
                .iter()
                .filter(|s| s.score() >= t)
                .fold((0.0, 0.0), |(f, h), s| {
                    (f + s.weight, h + if s.fraud { s.weight } else { 0.0 })
                });
            ThresholdStats {
                threshold: t,
                flagged,
                precision: (flagged > 0.0).then(|| hit / flagged),
                recall: (fraud > 0.0).then(|| hit / fraud),
            }
        })
        .collect();
    let mut reliability: Vec<ReliabilityBin> = (0..10u8)
        .map(|b| ReliabilityBin {
            from: b * 10,
            to: if b == 9 { 100 } else { b * 10 + 9 },
            count: 0,
            weight: 0.0,
            predicted: None,
            observed: None,
        })
        .collect();
    let mut sums = [(0.0f64, 0.0f64); 10];
    let mut histogram: Vec<HistogramBin> = (0..20u8)
        .map(|b| HistogramBin {
            from: b * 5,
            to: if b == 19 { 100 } else { b * 5 + 4 },
            fraud: 0,
            legit: 0,
        })
        .collect();
    for s in scored {
        let score = s.score();
        let b = usize::from(score / 10).min(9);
        reliability[b].count += 1;
        reliability[b].weight += s.weight;
        sums[b].0 += s.weight * s.probability;
        if s.fraud {
            sums[b].1 += s.weight;
        }
        let h = &mut histogram[usize::from(score / 5).min(19)];
        if s.fraud {
            h.fraud += 1;
        } else {
            h.legit += 1;
        }
    }
    let mut ece = 0.0;
    for (bin, (pred, obs)) in reliability.iter_mut().zip(sums) {
        if bin.weight > 0.0 {
            let p = pred / bin.weight;
            let o = obs / bin.weight;
            bin.predicted = Some(p);
            bin.observed = Some(o);
            ece += bin.weight / total * (p - o).abs();
        }
    }
    EvaluationReport {
        orders: scored.len() as u64,
        skipped: 0,
        fraud_rate: mean(fraud),
        roc_auc: roc_auc(scored),
        brier,
        log_loss,
        ece,
        at_threshold,
        reliability,
        histogram,
    }
}

/// The weighted ROC AUC: the chance that a random fraud scores above a random legitimate
/// order, ties counting half. Ranks by the probability itself, not the rounded score.
pub fn roc_auc(scored: &[Scored]) -> Option<f64> {
    let mut v: Vec<&Scored> = scored.iter().collect();
    v.sort_by(|a, b| a.probability.total_cmp(&b.probability));
    let (mut neg_below, mut area, mut pos_total) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        let (mut pos, mut neg) = (0.0, 0.0);
        while j < v.len() && v[j].probability == v[i].probability {
            if v[j].fraud {
                pos += v[j].weight;
            } else {
                neg += v[j].weight;
            }
            j += 1;
        }
        area += pos * (neg_below + 0.5 * neg);
        neg_below += neg;
        pos_total += pos;
        i = j;
    }
    (pos_total > 0.0 && neg_below > 0.0).then(|| area / (pos_total * neg_below))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(probability: f64, fraud: bool) -> Scored {
        Scored {
            probability,
            fraud,
            weight: 1.0,
        }
    }

    #[test]
    fn auc_counts_pairs_and_ties() {
        // Pairs (pos, neg): (0.8 > 0.3), (0.8 > 0.5), (0.5 = 0.5: half), (0.5 > 0.3).
        let v = [s(0.8, true), s(0.5, true), s(0.5, false), s(0.3, false)];
        assert_eq!(roc_auc(&v), Some(3.5 / 4.0));
        assert_eq!(roc_auc(&[s(0.5, true)]), None);
        let reversed = [s(0.1, true), s(0.9, false)];
        assert_eq!(roc_auc(&reversed), Some(0.0));
    }

    #[test]
    fn calibration_measures() {
        // Bin 20-29: predicted 0.25 on 4 orders, 1 fraud -> observed 0.25, no error.
        // Bin 80-89: predicted 0.8 on 2 orders, both fraud -> |0.8 - 1| on 2 of 6.
        let v = [
            s(0.25, true),
            s(0.25, false),
            s(0.25, false),
            s(0.25, false),
            s(0.8, true),
            s(0.8, true),
        ];
        let r = report(&v);
        assert!((r.ece - 2.0 / 6.0 * 0.2).abs() < 1e-12);
        let brier = (0.75f64.powi(2) + 3.0 * 0.0625 + 2.0 * 0.04) / 6.0;
        assert!((r.brier - brier).abs() < 1e-12);
        assert_eq!(r.reliability[2].count, 4);
        assert_eq!(r.reliability[2].observed, Some(0.25));
        assert_eq!(r.reliability[5].predicted, None);
        assert_eq!((r.histogram[5].fraud, r.histogram[5].legit), (1, 3));
        assert_eq!(r.histogram[16].fraud, 2);
        // Threshold 50 flags the two 0.8 orders: precision 1, recall 2/3.
        assert_eq!(r.at_threshold[1].precision, Some(1.0));
        assert!((r.at_threshold[1].recall.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.at_threshold[0].flagged, 6.0);
    }

    #[test]
    fn weights_count_as_repeats() {
        let once = [s(0.3, true), s(0.3, false), s(0.3, false), s(0.7, true)];
        let weighted = [
            s(0.3, true),
            Scored {
                weight: 2.0,
                ..s(0.3, false)
            },
            s(0.7, true),
        ];
        let (a, b) = (report(&once), report(&weighted));
        assert_eq!(a.roc_auc, b.roc_auc);
        assert!((a.brier - b.brier).abs() < 1e-12 && (a.ece - b.ece).abs() < 1e-12);
    }
}
