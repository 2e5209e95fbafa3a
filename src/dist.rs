//! Probability distributions of stage durations and lead fit, each knowing
//! its mean and variance.
//!
//! Durations are in seconds; fit values lie on [0, 1]. Constructors check
//! their parameters and return a message naming the broken constraint, which
//! the scenario loader places under the key path.

use std::path::Path;
use std::sync::Arc;

use rand::Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma, LogNormal, Triangular};

/// z such that P(Z <= z) = 0.9 for a standard normal variable; converts a
/// median and a 90th percentile into lognormal parameters.
pub const Z90: f64 = 1.281_551_565_545;

/// A distribution of a non-negative value.
///
/// Variant fields are the parameters of docs/MODEL.md section 4; `inner` is the
/// prepared sampler.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Dist {
    /// Always `value`.
    Constant(f64),
    /// Exponential with the given mean.
    Exponential { mean: f64, inner: Exp<f64> },
    /// Uniform on `[min, max]`.
    Uniform { min: f64, max: f64 },
    /// Triangular on `[min, max]` with the given mode.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
        inner: Triangular<f64>,
    },
    /// Lognormal given by its median and 90th percentile:
    /// mu = ln(median), sigma = ln(p90 / median) / z(0.9).
    LogNormal {
        median: f64,
        p90: f64,
        inner: LogNormal<f64>,
    },
    /// Gamma given by its mean and coefficient of variation: shape = 1 / cv^2.
    Gamma {
        mean: f64,
        cv: f64,
        inner: Gamma<f64>,
    },
    /// Beta on [0, 1].
    Beta {
        alpha: f64,
        beta: f64,
        inner: Beta<f64>,
    },
    /// Resampling of observed values (read from a CSV column).
    Empirical { values: Arc<[f64]> },
}

fn positive_finite(name: &str, v: f64) -> Result<f64, String> {
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("{name} must be a positive finite number, got {v}"));
    }
    Ok(v)
}

fn non_negative_finite(name: &str, v: f64) -> Result<f64, String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{name} must be a finite number >= 0, got {v}"));
    }
    Ok(v)
}

impl Dist {
    /// A constant value (zero allowed: an instantaneous stage).
    pub fn constant(value: f64) -> Result<Self, String> {
        Ok(Dist::Constant(non_negative_finite("value", value)?))
    }

    /// An exponential distribution with the given mean.
    pub fn exponential(mean: f64) -> Result<Self, String> {
        let mean = positive_finite("mean", mean)?;
        let inner = Exp::new(1.0 / mean).map_err(|e| format!("exponential: {e}"))?;
        Ok(Dist::Exponential { mean, inner })
    }

    /// A uniform distribution on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, String> {
        let min = non_negative_finite("min", min)?;
        let max = non_negative_finite("max", max)?;
        if max < min {
            return Err(format!("max ({max}) must not be below min ({min})"));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// A triangular distribution.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, String> {
        let min = non_negative_finite("min", min)?;
        let mode = non_negative_finite("mode", mode)?;
        let max = non_negative_finite("max", max)?;
        if !(min <= mode && mode <= max) || min == max {
            return Err(format!(
                "triangular needs min <= mode <= max and min < max, got min {min}, mode {mode}, max {max}"
            ));
        }
        let inner = Triangular::new(min, max, mode).map_err(|e| format!("triangular: {e}"))?;
        Ok(Dist::Triangular {
            min,
            mode,
            max,
            inner,
        })
    }

    /// A lognormal distribution from its median and 90th percentile.
    pub fn lognormal(median: f64, p90: f64) -> Result<Self, String> {
        let median = positive_finite("median", median)?;
        let p90 = positive_finite("p90", p90)?;
        if p90 <= median {
            return Err(format!("p90 ({p90}) must be above the median ({median})"));
        }
        let sigma = (p90 / median).ln() / Z90;
        let inner = LogNormal::new(median.ln(), sigma).map_err(|e| format!("lognormal: {e}"))?;
        Ok(Dist::LogNormal { median, p90, inner })
    }

    /// A gamma distribution from its mean and coefficient of variation.
    pub fn gamma(mean: f64, cv: f64) -> Result<Self, String> {
        let mean = positive_finite("mean", mean)?;
        let cv = positive_finite("cv", cv)?;
        let shape = 1.0 / (cv * cv);
        let inner = Gamma::new(shape, mean / shape).map_err(|e| format!("gamma: {e}"))?;
        if !shape.is_finite() || shape < 1e-6 {
            return Err(format!("cv ({cv}) is too large"));
        }
        Ok(Dist::Gamma { mean, cv, inner })
    }

    /// A beta distribution on [0, 1].
    pub fn beta(alpha: f64, beta: f64) -> Result<Self, String> {
        let alpha = positive_finite("alpha", alpha)?;
        let beta = positive_finite("beta", beta)?;
        if alpha > 1e6 || beta > 1e6 {
            return Err("alpha and beta must be at most 1e6".to_string());
        }
        let inner = Beta::new(alpha, beta).map_err(|e| format!("beta: {e}"))?;
        Ok(Dist::Beta { alpha, beta, inner })
    }

    /// Resamples the given observed values.
    pub fn empirical(values: Vec<f64>) -> Result<Self, String> {
        if values.is_empty() {
            return Err("an empirical distribution needs at least one value".to_string());
        }
        for v in &values {
            non_negative_finite("every observed value", *v)?;
        }
        Ok(Dist::Empirical {
            values: values.into(),
        })
    }

    /// Reads `column` of a CSV file (first line: header) and parses every
    /// non-empty cell with `parse`.
    pub fn empirical_from_csv(
        path: &Path,
        column: &str,
        parse: impl Fn(&str) -> Result<f64, String>,
    ) -> Result<Self, String> {
        let text = crate::input::read_text(path, crate::input::DATA_LIMIT)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines
            .next()
            .ok_or_else(|| format!("{} is empty", path.display()))?;
        let names = split_csv_line(header);
        let index = names
            .iter()
            .position(|n| n.trim() == column)
            .ok_or_else(|| {
                format!(
                    "{} has no column \"{column}\" (columns: {})",
                    path.display(),
                    names.join(", ")
                )
            })?;
        let mut values = Vec::new();
        for (row, line) in lines.enumerate() {
            let cells = split_csv_line(line);
            let cell = cells.get(index).map(|c| c.trim()).unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            let v = parse(cell).map_err(|e| {
                format!(
                    "{} row {} column \"{column}\": {e}",
                    path.display(),
                    row + 2
                )
            })?;
            values.push(v);
        }
        Dist::empirical(values).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean, .. } => *mean,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Dist::LogNormal { median, p90, .. } => {
                let sigma = (p90 / median).ln() / Z90;
                median * (0.5 * sigma * sigma).exp()
            }
            Dist::Gamma { mean, .. } => *mean,
            Dist::Beta { alpha, beta, .. } => alpha / (alpha + beta),
            Dist::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// The distribution's variance.
    pub fn variance(&self) -> f64 {
        match self {
            Dist::Constant(_) => 0.0,
            Dist::Exponential { mean, .. } => mean * mean,
            Dist::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Dist::Triangular {
                min: a,
                mode: c,
                max: b,
                ..
            } => (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
            Dist::LogNormal { median, p90, .. } => {
                let sigma = (p90 / median).ln() / Z90;
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * (2.0 * median.ln() + s2).exp()
            }
            Dist::Gamma { mean, cv, .. } => (mean * cv).powi(2),
            Dist::Beta {
                alpha: a, beta: b, ..
            } => a * b / ((a + b).powi(2) * (a + b + 1.0)),
            Dist::Empirical { values } => {
                let m = self.mean();
                values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64
            }
        }
    }

    /// The smallest and largest values the distribution can take
    /// (infinity where unbounded).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Constant(v) => (*v, *v),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (*min, *max),
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Empirical { values } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                }),
            Dist::Exponential { .. } | Dist::LogNormal { .. } | Dist::Gamma { .. } => {
                (0.0, f64::INFINITY)
            }
        }
    }

    /// Draws one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { inner, .. } => inner.sample(rng),
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Triangular { inner, .. } => inner.sample(rng),
            Dist::LogNormal { inner, .. } => inner.sample(rng),
            Dist::Gamma { inner, .. } => inner.sample(rng),
            Dist::Beta { inner, .. } => inner.sample(rng),
            Dist::Empirical { values } => values[rng.random_range(0..values.len())],
        }
    }
}

/// Splits one CSV line on commas, honouring double quotes.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Draws used to test each distribution's sample mean.
    const DRAWS: usize = 200_000;
    /// Tolerance in standard errors: a 5-sigma band fails by chance with
    /// probability below 1e-6 per check.
    const Z_TOLERANCE: f64 = 5.0;

    fn check_mean_and_variance(d: &Dist) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let xs: Vec<f64> = (0..DRAWS).map(|_| d.sample(&mut rng)).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let se = (d.variance() / n).sqrt();
        assert!(
            (mean - d.mean()).abs() <= Z_TOLERANCE * se + 1e-12,
            "{d:?}: sample mean {mean} vs mean {} (se {se})",
            d.mean()
        );
        // The sample variance of n draws has a relative standard error of
        // about sqrt((kurtosis - 1) / n); 5% covers every distribution here.
        if d.variance() > 0.0 {
            assert!(
                (var / d.variance() - 1.0).abs() < 0.05,
                "{d:?}: sample variance {var} vs variance {}",
                d.variance()
            );
        }
    }

    #[test]
    fn every_distribution_matches_its_mean_and_variance() {
        for d in [
            Dist::constant(3.0).unwrap(),
            Dist::exponential(120.0).unwrap(),
            Dist::uniform(10.0, 50.0).unwrap(),
            Dist::triangular(1.0, 2.0, 9.0).unwrap(),
            Dist::lognormal(120.0, 300.0).unwrap(),
            Dist::gamma(60.0, 0.5).unwrap(),
            Dist::beta(2.0, 5.0).unwrap(),
            Dist::empirical(vec![1.0, 2.0, 2.0, 10.0]).unwrap(),
        ] {
            check_mean_and_variance(&d);
        }
    }

    #[test]
    fn lognormal_p90_is_its_ninetieth_percentile() {
        let d = Dist::lognormal(60.0, 150.0).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let below = (0..DRAWS).filter(|_| d.sample(&mut rng) <= 150.0).count() as f64;
        // Binomial standard error of a 0.9 share over DRAWS draws.
        let se = (0.9 * 0.1 / DRAWS as f64).sqrt();
        assert!((below / DRAWS as f64 - 0.9).abs() < Z_TOLERANCE * se);
    }

    #[test]
    fn bad_parameters_are_rejected_with_the_constraint() {
        assert!(Dist::lognormal(60.0, 30.0).unwrap_err().contains("p90"));
        assert!(Dist::exponential(0.0).is_err());
        assert!(Dist::exponential(f64::NAN).is_err());
        assert!(Dist::uniform(5.0, 1.0).is_err());
        assert!(Dist::triangular(1.0, 0.5, 2.0).is_err());
        assert!(Dist::beta(-1.0, 2.0).is_err());
        assert!(Dist::constant(-1.0).is_err());
        assert!(Dist::empirical(vec![]).is_err());
        assert!(Dist::gamma(1.0, f64::INFINITY).is_err());
    }

    #[test]
    fn empirical_reads_a_csv_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.csv");
        std::fs::write(
            &path,
            "id,\"minutes, spent\",fit\n1,3,0.2\n2,5,0.4\n3,,0.9\n",
        )
        .unwrap();
        let d = Dist::empirical_from_csv(&path, "fit", |s| {
            s.parse::<f64>().map_err(|e| e.to_string())
        })
        .unwrap();
        assert!((d.mean() - 0.5).abs() < 1e-12);
        let m = Dist::empirical_from_csv(&path, "minutes, spent", |s| {
            s.parse::<f64>().map_err(|e| e.to_string())
        })
        .unwrap();
        assert_eq!(m.mean(), 4.0);
        assert!(Dist::empirical_from_csv(&path, "nope", |_| Ok(0.0)).is_err());
    }
}
