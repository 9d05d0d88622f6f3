//! The scorer: reason codes -> points -> probability -> score 0..100, band and alert.
//!
//! Points add in log-odds onto the base rate, so that independent pieces of evidence
//! multiply the odds: `p = sigmoid(logit(base_rate) + Σ weight × strength)`, and the
//! score is `p` in percent. The weights and thresholds are a [`Model`], loaded from a
//! versioned file (the default priors are `data/model_default.toml`).
//!
//! ```
//! use mikiwame::score::{Band, Model};
//! use mikiwame::signals::{Hit, ReasonCode};
//!
//! let model = Model::default();
//! assert_eq!(model.score(&[]), 1); // the base rate, 1 %
//! let danger = model.score(&[Hit::new(ReasonCode::FraudAddress)]);
//! assert_eq!(Band::of(danger), Band::High);
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::signals::{Hit, ReasonCode, Thresholds};

/// The model format this library reads and writes.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The largest weight (in log-odds, either sign) a model may give a reason code.
pub const MAX_WEIGHT: f64 = 100.0;

/// A scoring model: base rate, one weight per reason code, and the signals' thresholds.
///
/// A code missing from `weights` adds no points (a trained model may drop codes); an
/// unknown code is refused, so that a misspelt code does not silently do nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The format version ([`MODEL_FORMAT_VERSION`]).
    pub format_version: u32,
    /// What this model is (shown by tools; free text).
    #[serde(default)]
    pub description: String,
    /// The share of fraudulent orders before any signal, in (0, 1).
    pub base_rate: f64,
    /// Points (log-odds) per reason code.
    pub weights: BTreeMap<ReasonCode, f64>,
    /// The thresholds of the signals.
    #[serde(default)]
    pub thresholds: Thresholds,
}

const DEFAULT_MODEL: &str = include_str!("../data/model_default.toml");

impl Default for Model {
    /// The documented priors of `data/model_default.toml`.
    fn default() -> Self {
        // The bundled file is tested to parse; should it ever not, every code weighs
        // nothing rather than the library failing to start.
        Model::from_toml(DEFAULT_MODEL).unwrap_or_else(|_| Model {
            format_version: MODEL_FORMAT_VERSION,
            description: "empty fallback".into(),
            base_rate: 0.01,
            weights: BTreeMap::new(),
            thresholds: Thresholds::default(),
        })
    }
}

/// The version field alone, read first so that a newer format gets a version error
/// rather than a confusing field error.
#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<u32>,
}

impl Model {
    /// Reads a model from TOML.
    pub fn from_toml(text: &str) -> Result<Model> {
        let v: VersionOnly = toml::from_str(text).map_err(|e| Error::Model {
            message: e.to_string(),
        })?;
        check_version(v.format_version)?;
        let m: Model = toml::from_str(text).map_err(|e| Error::Model {
            message: e.to_string(),
        })?;
        m.validated()
    }

    /// Reads a model from JSON.
    ///
    /// ```
    /// let m = mikiwame::score::Model::from_json(r#"{"format_version": 1, "base_rate": 0.02,
    ///     "weights": {"night_order": 1.0}}"#).unwrap();
    /// assert_eq!(m.base_rate, 0.02);
    /// let err = mikiwame::score::Model::from_json(r#"{"format_version": 9, "base_rate": 0.02, "weights": {}}"#);
    /// assert!(matches!(err, Err(mikiwame::Error::ModelVersion { expected: 1, got: 9 })));
    /// ```
    pub fn from_json(text: &str) -> Result<Model> {
        let v: VersionOnly = serde_json::from_str(text).map_err(|e| Error::Model {
            message: e.to_string(),
        })?;
        check_version(v.format_version)?;
        let m: Model = serde_json::from_str(text).map_err(|e| Error::Model {
            message: e.to_string(),
        })?;
        m.validated()
    }

    /// Reads a model file: JSON when it ends in `.json` or starts with `{`, else TOML.
    pub fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let json = path.extension().and_then(|e| e.to_str()) == Some("json")
            || text.trim_start().starts_with('{');
        let parsed = if json {
            Model::from_json(&text)
        } else {
            Model::from_toml(&text)
        };
        parsed.map_err(|e| match e {
            Error::Model { message } => Error::Model {
                message: format!("{}: {message}", path.display()),
            },
            other => other,
        })
    }

    /// The model as TOML, in the format [`Model::load`] reads.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Model {
            message: e.to_string(),
        })
    }

    fn validated(self) -> Result<Model> {
        if !(self.base_rate > 0.0 && self.base_rate < 1.0) {
            return Err(Error::Model {
                message: format!(
                    "base_rate is {}, but must lie strictly between 0 and 1",
                    self.base_rate
                ),
            });
        }
        // Past ±100 log-odds a weight says nothing more (e^100 to one), and sums of
        // weights like 1e308 overflow: points printed as null and scores as NaN.
        if let Some((code, w)) = self
            .weights
            .iter()
            .find(|(_, w)| !(w.is_finite() && w.abs() <= MAX_WEIGHT))
        {
            return Err(Error::Model {
                message: format!(
                    "weight of {code} is {w}: weights are log-odds between -{MAX_WEIGHT} and {MAX_WEIGHT}"
                ),
            });
        }
        Ok(self)
    }

    /// The points a hit adds: its code's weight times its strength.
    pub fn points(&self, hit: &Hit) -> f64 {
        self.weights.get(&hit.code).copied().unwrap_or(0.0) * hit.strength
    }

    /// The probability of fraud given the hits.
    pub fn probability(&self, hits: &[Hit]) -> f64 {
        let base = (self.base_rate / (1.0 - self.base_rate)).ln();
        let z = base + hits.iter().map(|h| self.points(h)).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The score, 0..=100: the probability in percent, rounded.
    pub fn score(&self, hits: &[Hit]) -> u8 {
        let p = self.probability(hits);
        if p.is_nan() {
            return 0;
        }
        (p * 100.0).round().clamp(0.0, 100.0) as u8
    }
}

fn check_version(got: Option<u32>) -> Result<()> {
    match got {
        Some(MODEL_FORMAT_VERSION) => Ok(()),
        Some(got) => Err(Error::ModelVersion {
            expected: MODEL_FORMAT_VERSION,
            got,
        }),
        None => Err(Error::Model {
            message: "no format_version: write `format_version = 1` at the top".into(),
        }),
    }
}

/// The band of a score.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Below 10.
    #[default]
    Low,
    /// 10 to 49.
    Elevated,
    /// 50 and above.
    High,
}

impl Band {
    /// The band of a score.
    ///
    /// ```
    /// use mikiwame::score::Band;
    /// assert_eq!([Band::of(9), Band::of(10), Band::of(49), Band::of(50)],
    ///            [Band::Low, Band::Elevated, Band::Elevated, Band::High]);
    /// ```
    pub fn of(score: u8) -> Band {
        match score {
            50.. => Band::High,
            10..=49 => Band::Elevated,
            _ => Band::Low,
        }
    }

    /// The stable name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Elevated => "elevated",
            Band::High => "high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_model_has_every_code() {
        let m = Model::from_toml(DEFAULT_MODEL).unwrap();
        for code in ReasonCode::ALL {
            assert!(m.weights.contains_key(code), "{code}");
            assert!(m.weights[code] > 0.0, "{code}");
        }
        assert_eq!(m.thresholds, Thresholds::default());
    }

    #[test]
    fn points_add_in_log_odds() {
        let m = Model::default();
        let one = m.probability(&[Hit::new(ReasonCode::NightOrder)]);
        let two = m.probability(&[
            Hit::new(ReasonCode::NightOrder),
            Hit::new(ReasonCode::HighAmount),
        ]);
        let odds = |p: f64| p / (1.0 - p);
        let w = m.weights[&ReasonCode::HighAmount];
        assert!((odds(two) / odds(one) - w.exp()).abs() < 1e-9);
        assert_eq!(m.score(&[Hit::new(ReasonCode::FraudAddress)]), 60);
        assert_eq!(
            m.score(&[Hit {
                code: ReasonCode::FraudAddress,
                strength: 0.4
            }]),
            7
        );
    }

    #[test]
    fn scores_stay_in_range() {
        let m = Model::default();
        let all: Vec<Hit> = ReasonCode::ALL.iter().map(|c| Hit::new(*c)).collect();
        assert_eq!(m.score(&all), 100);
        let mut neg = m.clone();
        neg.weights.insert(ReasonCode::NightOrder, -1e6);
        assert_eq!(neg.score(&[Hit::new(ReasonCode::NightOrder)]), 0);
    }

    #[test]
    fn round_trip_and_refusals() {
        let m = Model::default();
        let again = Model::from_toml(&m.to_toml().unwrap()).unwrap();
        assert_eq!(m, again);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(Model::from_json(&json).unwrap(), m);
        assert!(matches!(
            Model::from_toml("format_version = 2\nbase_rate = 0.1\n[weights]\n"),
            Err(Error::ModelVersion { got: 2, .. })
        ));
        assert!(Model::from_toml("base_rate = 0.1\n[weights]\n").is_err());
        assert!(Model::from_toml("format_version = 1\nbase_rate = 1.5\n[weights]\n").is_err());
        let unknown =
            Model::from_toml("format_version = 1\nbase_rate = 0.1\n[weights]\nnite_order = 1.0\n");
        assert!(unknown.unwrap_err().to_string().contains("nite_order"));
        // Found by a review: 1e308 loaded, and points came out as null.
        for w in ["1e308", "-101.0", "inf"] {
            let huge =
                format!("format_version = 1\nbase_rate = 0.1\n[weights]\nnight_order = {w}\n");
            assert!(Model::from_toml(&huge).is_err(), "{w}");
        }
        let edge = "format_version = 1\nbase_rate = 0.1\n[weights]\nnight_order = -100.0\n";
        assert!(Model::from_toml(edge).is_ok());
    }
}
