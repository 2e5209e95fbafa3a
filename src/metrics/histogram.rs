//! A streaming log-bucketed histogram for waits and lead times: bounded
//! memory, quantiles within a stated relative error.

/// Values at or below this (hours) count as zero.
const SMALLEST: f64 = 1e-4;
/// Ratio between bucket edges: a quantile is reported within half a bucket,
/// a relative error below 0.25%.
const RATIO: f64 = 1.005;

/// A histogram of non-negative values with logarithmic buckets.
#[derive(Debug, Clone, Default)]
pub struct LogHistogram {
    zeros: u64,
    counts: Vec<u64>,
    total: u64,
    sum: f64,
}

impl LogHistogram {
    /// Adds one value (negative values count as zero).
    pub fn add(&mut self, value: f64) {
        self.total += 1;
        self.sum += value.max(0.0);
        if value.is_nan() || value <= SMALLEST {
            self.zeros += 1;
            return;
        }
        // Positive here, so the cast truncates to the floor.
        let bucket = ((value / SMALLEST).ln() / RATIO.ln()) as usize;
        if bucket >= self.counts.len() {
            self.counts.resize(bucket + 1, 0);
        }
        self.counts[bucket] += 1;
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The mean of the values added, `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum / self.total as f64)
    }

    /// The nearest-rank quantile `q` in (0, 1], as the geometric middle of its
    /// bucket; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        if rank <= self.zeros {
            return Some(0.0);
        }
        let mut seen = self.zeros;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(SMALLEST * RATIO.powf(i as f64 + 0.5));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_bucket_error() {
        let mut h = LogHistogram::default();
        for i in 1..=1000 {
            h.add(i as f64);
        }
        let p95 = h.quantile(0.95).unwrap();
        assert!((p95 / 950.0 - 1.0).abs() < 0.003, "{p95}");
        let p50 = h.quantile(0.5).unwrap();
        assert!((p50 / 500.0 - 1.0).abs() < 0.003, "{p50}");
        assert_eq!(h.mean().unwrap(), 500.5);
    }

    #[test]
    fn zeros_and_empty_are_handled() {
        let mut h = LogHistogram::default();
        assert!(h.quantile(0.5).is_none());
        h.add(0.0);
        h.add(0.0);
        h.add(10.0);
        assert_eq!(h.quantile(0.5).unwrap(), 0.0);
        assert!(h.quantile(1.0).unwrap() > 9.9);
    }
}
