//! L2-regularized logistic regression with intercept, fitted by Newton's method (IRLS).
//!
//! With ~25 features a dense Newton step is exact and cheap: the Hessian is a 26 × 26
//! matrix solved by Cholesky. Orders with the same feature vector are first aggregated
//! into one [`Examples`] group holding their summed fraud and legitimate weights, so a
//! million orders cost one hash insert each and every Newton iteration costs only the
//! number of distinct vectors (typically a few thousand).
//!
//! The objective minimized is the weighted negative log-likelihood plus a ridge penalty
//! that pulls each weight towards a *center* (zero, or the prior weights):
//!
//! ```text
//! f(b, w) = -Σ_g [pos_g · ln σ(z_g) + neg_g · ln(1 - σ(z_g))] + λ/2 · Σ_j (w_j - c_j)²
//! z_g = b + Σ_j w_j · x_gj
//! ```
//!
//! The intercept `b` is not penalized. Each step solves `H d = ∇f` and halves the step
//! until `f` decreases (Armijo), so the iteration never diverges.
//!
//! ```
//! use mikiwame::learn::logistic::{fit, Examples};
//! let mut ex = Examples::new(1);
//! // Feature 0 off: 1 fraud in 10; on: 1 in 2.
//! ex.add(&[], true, 1.0);
//! ex.add(&[], false, 9.0);
//! ex.add(&[(0, 1.0)], true, 5.0);
//! ex.add(&[(0, 1.0)], false, 5.0);
//! let f = fit(&ex, 1e-9, &[0.0]).unwrap();
//! assert!((f.intercept - (1.0f64 / 9.0).ln()).abs() < 1e-6);
//! assert!((f.weights[0] - 9.0f64.ln()).abs() < 1e-5);
//! ```

use std::collections::HashMap;

use crate::error::{Error, Result};

/// Labelled examples aggregated by feature vector.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    dim: usize,
    index: HashMap<Vec<(u32, u64)>, usize>,
    /// Distinct sparse feature vectors: (feature, value) with value != 0, sorted.
    xs: Vec<Vec<(u32, f64)>>,
    pos: Vec<f64>,
    neg: Vec<f64>,
}

impl Examples {
    /// No examples yet, over `dim` features.
    pub fn new(dim: usize) -> Examples {
        Examples {
            dim,
            ..Default::default()
        }
    }

    /// The number of features.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Adds one example: its nonzero features as (feature, value), its label, its weight.
    /// Features outside `0..dim` and zero values are ignored; a repeated feature adds up.
    pub fn add(&mut self, features: &[(usize, f64)], fraud: bool, weight: f64) {
        let mut x: Vec<(u32, f64)> = Vec::with_capacity(features.len());
        for &(j, v) in features {
            if j >= self.dim || v == 0.0 || !v.is_finite() {
                continue;
            }
            match x.iter_mut().find(|(k, _)| *k as usize == j) {
                Some((_, acc)) => *acc += v,
                None => x.push((j as u32, v)),
            }
        }
        x.sort_by_key(|(k, _)| *k);
        let key: Vec<(u32, u64)> = x.iter().map(|(k, v)| (*k, v.to_bits())).collect();
        let g = match self.index.get(&key) {
            Some(&g) => g,
            None => {
                let g = self.xs.len();
                self.index.insert(key, g);
                self.xs.push(x);
                self.pos.push(0.0);
                self.neg.push(0.0);
                g
            }
        };
        if fraud {
            self.pos[g] += weight;
        } else {
            self.neg[g] += weight;
        }
    }

    /// The number of distinct feature vectors.
    pub fn groups(&self) -> usize {
        self.xs.len()
    }

    /// The summed weights of fraudulent and of legitimate examples.
    pub fn totals(&self) -> (f64, f64) {
        (self.pos.iter().sum(), self.neg.iter().sum())
    }

    /// How many (weighted) examples have feature `j` nonzero.
    pub fn support(&self, j: usize) -> f64 {
        self.xs
            .iter()
            .zip(self.pos.iter().zip(&self.neg))
            .filter(|(x, _)| x.iter().any(|(k, _)| *k as usize == j))
            .map(|(_, (p, n))| p + n)
            .sum()
    }
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The intercept: the log-odds of fraud with no feature.
    pub intercept: f64,
    /// One weight (log-odds per unit of the feature) per feature.
    pub weights: Vec<f64>,
    /// Newton iterations run.
    pub iterations: usize,
    /// True when the last step was below the tolerance.
    pub converged: bool,
    /// The weighted mean negative log-likelihood at the fit (without the penalty).
    pub log_loss: f64,
}

const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-9;

/// ln(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits intercept and weights by Newton's method with step halving.
///
/// `l2` is the ridge strength λ (>= 0; a tiny floor keeps the Hessian invertible when a
/// feature never fires), `center` the weights the penalty pulls towards (one per feature).
pub fn fit(ex: &Examples, l2: f64, center: &[f64]) -> Result<Fit> {
    let d = ex.dim;
    if center.len() != d {
        return Err(Error::Model {
            message: format!("{} center weights given for {d} features", center.len()),
        });
    }
    if !(l2 >= 0.0 && l2.is_finite()) {
        return Err(Error::Model {
            message: format!("the L2 strength is {l2}: give a finite number >= 0"),
        });
    }
    let (total_pos, total_neg) = ex.totals();
    // An empty sum is -0.0, which prints as "-0".
    let (total_pos, total_neg) = (total_pos + 0.0, total_neg + 0.0);
    if !(total_pos > 0.0 && total_neg > 0.0) {
        return Err(Error::Model {
            message: format!(
                "training needs both fraudulent and legitimate orders (found {total_pos} and {total_neg} by weight): add labelled orders of the missing kind"
            ),
        });
    }
    let lambda = l2.max(1e-9);
    let n = d + 1; // θ = (b, w_0 .. w_{d-1})
    let mut theta = vec![0.0; n];
    theta[0] = (total_pos / total_neg).ln();
    theta[1..].copy_from_slice(center);

    let z_of = |theta: &[f64], x: &[(u32, f64)]| {
        theta[0]
            + x.iter()
                .map(|(j, v)| theta[*j as usize + 1] * v)
                .sum::<f64>()
    };
    let nll = |theta: &[f64]| {
        ex.xs
            .iter()
            .zip(ex.pos.iter().zip(&ex.neg))
            .map(|(x, (p, q))| {
                let z = z_of(theta, x);
                p * softplus(-z) + q * softplus(z)
            })
            .sum::<f64>()
    };
    let objective = |theta: &[f64]| {
        nll(theta)
            + 0.5
                * lambda
                * theta[1..]
                    .iter()
                    .zip(center)
                    .map(|(w, c)| (w - c) * (w - c))
                    .sum::<f64>()
    };

    let mut f = objective(&theta);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let mut grad = vec![0.0; n];
        let mut hess = vec![0.0; n * n];
        for (x, (p, q)) in ex.xs.iter().zip(ex.pos.iter().zip(&ex.neg)) {
            let prob = sigmoid(z_of(&theta, x));
            let r = (p + q) * prob - p;
            let s = (p + q) * prob * (1.0 - prob);
            // x̃ = (1, x): the intercept column is implicit.
            grad[0] += r;
            hess[0] += s;
            for &(j, v) in x {
                let a = j as usize + 1;
                grad[a] += r * v;
                hess[a] += s * v; // row 0, column a
                for &(k, u) in x {
                    hess[a * n + k as usize + 1] += s * v * u;
                }
            }
        }
        for a in 1..n {
            hess[a * n] = hess[a];
            grad[a] += lambda * (theta[a] - center[a - 1]);
            hess[a * n + a] += lambda;
        }
        let step = solve_spd(&mut hess, &grad, n)?;
        let mut t = 1.0;
        let slope: f64 = grad.iter().zip(&step).map(|(g, s)| g * s).sum();
        loop {
            let trial: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a - t * s).collect();
            let ft = objective(&trial);
            if ft <= f - 1e-4 * t * slope || t < 1e-10 {
                theta = trial;
                f = ft;
                break;
            }
            t *= 0.5;
        }
        let size = step.iter().fold(0.0f64, |m, s| m.max((t * s).abs()));
        if size < TOLERANCE || slope.abs() < TOLERANCE * TOLERANCE {
            converged = true;
            break;
        }
    }
    Ok(Fit {
        intercept: theta[0],
        weights: theta[1..].to_vec(),
        iterations,
        converged,
        log_loss: nll(&theta) / (total_pos + total_neg),
    })
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major, `n × n`, destroyed)
/// by Cholesky factorization.
fn solve_spd(a: &mut [f64], b: &[f64], n: usize) -> Result<Vec<f64>> {
    // A = L Lᵀ, L stored in the lower triangle of `a`.
    for j in 0..n {
        let mut diag = a[j * n + j];
        for k in 0..j {
            diag -= a[j * n + k] * a[j * n + k];
        }
        if !(diag > 0.0 && diag.is_finite()) {
            return Err(Error::Model {
                message: "the training problem is numerically singular: raise --l2".into(),
            });
        }
        let l = diag.sqrt();
        a[j * n + j] = l;
        for i in j + 1..n {
            let mut v = a[i * n + j];
            for k in 0..j {
                v -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = v / l;
        }
    }
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= a[i * n + k] * y[k];
        }
        y[i] /= a[i * n + i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= a[k * n + i] * y[k];
        }
        y[i] /= a[i * n + i];
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves() {
        let mut a = vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let orig = a.clone();
        let b = [1.0, -2.0, 0.5];
        let x = solve_spd(&mut a, &b, 3).unwrap();
        for i in 0..3 {
            let ax: f64 = (0..3).map(|k| orig[i * 3 + k] * x[k]).sum();
            assert!((ax - b[i]).abs() < 1e-12);
        }
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        assert!(solve_spd(&mut singular, &[1.0, 1.0], 2).is_err());
    }

    #[test]
    fn aggregation_groups_identical_vectors() {
        let mut ex = Examples::new(3);
        ex.add(&[(0, 1.0), (2, 0.5)], true, 1.0);
        ex.add(&[(2, 0.5), (0, 1.0)], false, 2.0);
        ex.add(&[(1, 0.0), (7, 1.0)], false, 1.0); // both ignored: the empty vector
        ex.add(&[], true, 1.0);
        assert_eq!(ex.groups(), 2);
        assert_eq!(ex.totals(), (2.0, 3.0));
        assert_eq!(ex.support(2), 3.0);
    }

    #[test]
    fn two_features_match_closed_form() {
        // Saturated model (every cell its own parameter set): the MLE reproduces the
        // observed log-odds of each cell, whatever the starting point.
        let mut ex = Examples::new(2);
        let cells = [
            (vec![], 2.0, 98.0),
            (vec![(0, 1.0)], 10.0, 90.0),
            (vec![(1, 1.0)], 20.0, 80.0),
        ];
        for (x, p, q) in &cells {
            ex.add(x, true, *p);
            ex.add(x, false, *q);
        }
        let f = fit(&ex, 0.0, &[3.0, -3.0]).unwrap();
        assert!(f.converged);
        let logit = |p: f64, q: f64| (p / q).ln();
        assert!((f.intercept - logit(2.0, 98.0)).abs() < 1e-6);
        assert!((f.weights[0] - (logit(10.0, 90.0) - logit(2.0, 98.0))).abs() < 1e-6);
        assert!((f.weights[1] - (logit(20.0, 80.0) - logit(2.0, 98.0))).abs() < 1e-6);
    }

    #[test]
    fn ridge_pulls_to_center_and_unseen_features_stay_there() {
        let mut ex = Examples::new(2);
        ex.add(&[(0, 1.0)], true, 3.0);
        ex.add(&[(0, 1.0)], false, 1.0);
        ex.add(&[], true, 1.0);
        ex.add(&[], false, 20.0);
        let loose = fit(&ex, 1e-6, &[0.0, 1.5]).unwrap();
        let tight = fit(&ex, 100.0, &[0.0, 1.5]).unwrap();
        assert!(tight.weights[0].abs() < loose.weights[0].abs() / 5.0);
        // Feature 1 never fires: its weight is exactly the center.
        assert!((loose.weights[1] - 1.5).abs() < 1e-9);
        assert!((tight.weights[1] - 1.5).abs() < 1e-9);
    }

    #[test]
    fn separable_data_stays_finite_under_ridge() {
        let mut ex = Examples::new(1);
        ex.add(&[(0, 1.0)], true, 50.0);
        ex.add(&[], false, 50.0);
        let f = fit(&ex, 1.0, &[0.0]).unwrap();
        assert!(f.weights[0].is_finite() && f.weights[0] > 3.0);
        assert!(fit(&Examples::new(1), 1.0, &[0.0]).is_err());
        assert!(fit(&ex, -1.0, &[0.0]).is_err());
    }
}
