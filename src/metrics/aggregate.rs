//! Aggregation of per-replication values: mean, standard deviation and a 95%
//! confidence interval from Student's t distribution.

/// Mean, sd and 95% CI of one metric over the replications where it is defined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregate {
    /// Replications in which the metric is defined.
    pub n: usize,
    /// Sample mean (`None` when no replication defines it).
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1 denominator; `None` below two values).
    pub sd: Option<f64>,
    /// Lower end of the 95% confidence interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% confidence interval of the mean.
    pub ci95_high: Option<f64>,
}

/// Two-sided 95% critical values of Student's t for 1..=30 degrees of
/// freedom (standard tables, e.g. NIST/SEMATECH e-Handbook, table 1.4.2.3).
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom: the table
/// up to 30, then the Cornish-Fisher expansion around the normal quantile
/// (Abramowitz and Stegun 26.7.5), accurate to 1e-4 there.
pub fn student_t_975(df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    if df <= T975.len() {
        return T975[df - 1];
    }
    let z: f64 = 1.959_963_984_540;
    let n = df as f64;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * n)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n.powi(3))
}

/// Aggregates the defined values of one metric.
pub fn aggregate(values: impl IntoIterator<Item = Option<f64>>) -> Aggregate {
    let xs: Vec<f64> = values.into_iter().flatten().collect();
    let n = xs.len();
    if n == 0 {
        return Aggregate {
            n,
            mean: None,
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Aggregate {
            n,
            mean: Some(mean),
            sd: None,
            ci95_low: None,
            ci95_high: None,
        };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let sd = var.sqrt();
    let half = student_t_975(n - 1) * sd / (n as f64).sqrt();
    Aggregate {
        n,
        mean: Some(mean),
        sd: Some(sd),
        ci95_low: Some(mean - half),
        ci95_high: Some(mean + half),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables_and_converge_to_normal() {
        assert_eq!(student_t_975(1), 12.706);
        assert_eq!(student_t_975(19), 2.093);
        // Tabulated t(0.975; 40) = 2.021, t(0.975; 120) = 1.980.
        assert!((student_t_975(40) - 2.021).abs() < 1e-3);
        assert!((student_t_975(120) - 1.980).abs() < 1e-3);
        assert!((student_t_975(100_000) - 1.95996).abs() < 1e-4);
    }

    #[test]
    fn aggregate_skips_undefined_values() {
        let a = aggregate([Some(1.0), None, Some(3.0)]);
        assert_eq!(a.n, 2);
        assert_eq!(a.mean, Some(2.0));
        assert!((a.sd.unwrap() - 2f64.sqrt()).abs() < 1e-12);
        let half = 12.706 * 2f64.sqrt() / 2f64.sqrt();
        assert!((a.ci95_high.unwrap() - (2.0 + half)).abs() < 1e-9);
        assert_eq!(aggregate([None]).mean, None);
        assert_eq!(aggregate([Some(5.0)]).sd, None);
    }
}
