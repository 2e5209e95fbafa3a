//! Differences against a baseline on common random numbers (docs/MODEL.md
//! section 11): the paired difference is the mean of per-replication
//! differences d_r = x_r - base_r with a Student-t 95% CI from their sd; the
//! unpaired CI (Welch, from the two runs' own sds) is given beside it.

use crate::metrics::{aggregate, student_t_975, Aggregate};

/// The difference of one metric between a point and the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// The paired difference: mean, sd and 95% CI of d_r over the
    /// replications where both are defined.
    pub paired: Aggregate,
    /// The unpaired 95% CI of the difference of means (Welch), ignoring the
    /// pairing: what the comparison would show without common random numbers.
    pub unpaired_ci95: Option<(f64, f64)>,
}

/// The difference `x - base`, replication by replication.
pub fn difference(x: &[Option<f64>], base: &[Option<f64>]) -> Difference {
    let paired = aggregate(
        x.iter()
            .zip(base)
            .map(|(a, b)| a.zip(*b).map(|(a, b)| a - b)),
    );
    let ax = aggregate(x.iter().copied());
    let ab = aggregate(base.iter().copied());
    Difference {
        paired,
        unpaired_ci95: welch(&ax, &ab),
    }
}

/// Welch's 95% interval for mean(a) - mean(b).
fn welch(a: &Aggregate, b: &Aggregate) -> Option<(f64, f64)> {
    let (ma, mb) = (a.mean?, b.mean?);
    let (sa, sb) = (a.sd?, b.sd?);
    let (na, nb) = (a.n as f64, b.n as f64);
    let (va, vb) = (sa * sa / na, sb * sb / nb);
    let se2 = va + vb;
    let d = ma - mb;
    if se2 == 0.0 {
        return Some((d, d));
    }
    // Welch-Satterthwaite degrees of freedom, rounded down (conservative).
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    let t = student_t_975((df.floor() as usize).max(1));
    let half = t * se2.sqrt();
    Some((d - half, d + half))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_differences_cancel_shared_noise() {
        // Both runs share a large per-replication effect; the difference is
        // a constant 1, so the paired CI is a point and the unpaired one wide.
        let base: Vec<Option<f64>> = [10.0, 20.0, 30.0, 40.0].map(Some).to_vec();
        let x: Vec<Option<f64>> = [11.0, 21.0, 31.0, 41.0].map(Some).to_vec();
        let d = difference(&x, &base);
        assert_eq!(d.paired.mean, Some(1.0));
        assert_eq!(d.paired.ci95_low, Some(1.0));
        assert_eq!(d.paired.ci95_high, Some(1.0));
        let (lo, hi) = d.unpaired_ci95.unwrap();
        assert!(lo < -15.0 && hi > 17.0, "{lo} {hi}");
    }

    #[test]
    fn undefined_replications_drop_out_of_the_pairs() {
        let base = vec![Some(1.0), None, Some(3.0)];
        let x = vec![Some(2.0), Some(5.0), Some(5.0)];
        let d = difference(&x, &base);
        assert_eq!(d.paired.n, 2);
        assert_eq!(d.paired.mean, Some(1.5));
    }

    #[test]
    fn welch_matches_a_hand_computation() {
        // a: mean 5, sd 1, n 5; b: mean 3, sd 2, n 5.
        let a = Aggregate {
            n: 5,
            mean: Some(5.0),
            sd: Some(1.0),
            ci95_low: None,
            ci95_high: None,
        };
        let b = Aggregate {
            n: 5,
            mean: Some(3.0),
            sd: Some(2.0),
            ci95_low: None,
            ci95_high: None,
        };
        let (lo, hi) = welch(&a, &b).unwrap();
        // se^2 = 1/5 + 4/5 = 1; df = 1 / (0.04/4 + 0.64/4) = 5.88 -> 5; t = 2.571.
        assert!((lo - (2.0 - 2.571)).abs() < 1e-9 && (hi - (2.0 + 2.571)).abs() < 1e-9);
    }
}
