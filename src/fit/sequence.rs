//! The reply model of a sequence fitted jointly (docs/MODEL.md section 12):
//! the first email's reply probability (linear in the lead score), the
//! follow-ups' reply factor and the reply delay, when the log has
//! follow-ups.
//!
//! In the model (section 10) the first email draws a reply with probability
//! p(score); while none is drawn, follow-up k draws one with p x factor^k;
//! the reply arrives a delay after the email that drew it, and follow-ups
//! keep going out until it arrives. A log shows the sends and the reply's
//! time, not which email drew it. The likelihood of a sequence with sends
//! t_0 < ... < t_m and
//!
//! * a reply at r: sum over the sends before r of
//!   S_k q_k f(r - t_k), with q_k = p factor^k and S_k = prod_{j<k} (1 - q_j);
//! * no reply by the log's end c: S_{m+1} + sum_k S_k q_k (1 - F(c - t_k))
//!   (a reply drawn but not yet arrived).
//!
//! With the delay's distribution F fixed, (a, b, factor) maximise it
//! (Nelder-Mead; Wald intervals from the numerical Hessian); with them
//! fixed, each reply is attributed to one send drawn from its posterior
//! (a fixed sequence of uniforms, so the fit is deterministic) and the
//! delay's family is fitted to the attributed delays as every duration is.
//! The two steps alternate until the rates settle.

use super::stats::{self, Candidate, Linear, Rate};

/// One sequence of a log: its sends (first first), reply, score.
#[derive(Debug, Clone)]
pub struct Observed {
    /// Send times, the first email first, in seconds.
    pub sends: Vec<f64>,
    /// The reply's arrival, if one arrived.
    pub reply: Option<f64>,
    /// The lead score (0 when the log has none).
    pub score: f64,
}

/// What the joint fit found.
#[derive(Debug, Clone)]
pub struct SequenceFit {
    /// The first email's reply probability at score 0 and 1.
    pub linear: Linear,
    /// The follow-ups' reply factor with its 95% interval (`k`: replies
    /// attributed to follow-ups, `n`: follow-ups sent before a reply was
    /// drawn).
    pub factor: Rate,
    /// Each reply's delay from the send it is attributed to.
    pub delays: Vec<f64>,
    /// Rounds of the alternation.
    pub rounds: usize,
}

/// (a, b, factor): p(score) = a + b score, q_k = p factor^k.
type Params = [f64; 3];

fn q(p: &Params, score: f64, k: usize) -> f64 {
    ((p[0] + p[1] * score) * p[2].powi(k as i32)).clamp(0.0, 1.0)
}

/// The delay's part of every sequence's likelihood, computed once per
/// delay: per sequence its score, whether it replied, and per send that
/// could have drawn the reply f(r - t_k) (replied) or 1 - F(c - t_k) (not
/// yet arrived), flat.
struct Terms {
    score: Vec<f64>,
    replied: Vec<bool>,
    /// Where each sequence's terms start in `terms` (one more at the end).
    start: Vec<usize>,
    terms: Vec<f64>,
}

impl Terms {
    fn new(seqs: &[Observed], end: f64, delay: &Candidate) -> Terms {
        let mut t = Terms {
            score: Vec::with_capacity(seqs.len()),
            replied: Vec::with_capacity(seqs.len()),
            start: Vec::with_capacity(seqs.len() + 1),
            terms: Vec::new(),
        };
        for s in seqs {
            t.score.push(s.score);
            t.replied.push(s.reply.is_some());
            t.start.push(t.terms.len());
            match s.reply {
                Some(r) => t.terms.extend(
                    s.sends
                        .iter()
                        .take_while(|&&x| x < r)
                        .map(|&x| delay.pdf(r - x)),
                ),
                None => t
                    .terms
                    .extend(s.sends.iter().map(|&x| 1.0 - delay.cdf(end - x))),
            }
        }
        t.start.push(t.terms.len());
        t
    }

    /// The log-likelihood of every sequence under `p`; -inf outside the
    /// parameters' range.
    fn log_likelihood(&self, p: &Params, sloped: bool) -> f64 {
        if p[2] <= 0.0 || p[2] > stats::MAX_REPLY_FACTOR || (!sloped && p[1] != 0.0) {
            return f64::NEG_INFINITY;
        }
        let mut total = 0.0;
        for i in 0..self.score.len() {
            let p0 = p[0] + p[1] * self.score[i];
            if !(0.0..=1.0).contains(&p0) {
                return f64::NEG_INFINITY;
            }
            let mut survive = 1.0;
            let mut l = 0.0;
            let mut qk = p0;
            for &term in &self.terms[self.start[i]..self.start[i + 1]] {
                let qc = qk.min(1.0);
                l += survive * qc * term;
                survive *= 1.0 - qc;
                qk *= p[2];
            }
            if !self.replied[i] {
                l += survive;
            }
            if l <= 0.0 {
                // A reply no send could have drawn under these rates.
                return f64::NEG_INFINITY;
            }
            total += l.ln();
        }
        total
    }
}

/// Nelder-Mead maximisation of `f` from `start` with initial steps `step`.
fn nelder_mead<const N: usize>(
    f: impl Fn(&[f64; N]) -> f64,
    start: [f64; N],
    step: [f64; N],
) -> [f64; N] {
    let mut simplex: Vec<([f64; N], f64)> = vec![(start, f(&start))];
    for i in 0..N {
        let mut x = start;
        x[i] += step[i];
        simplex.push((x, f(&x)));
    }
    for _ in 0..400 * N {
        // Best first (largest value).
        simplex.sort_by(|a, b| b.1.total_cmp(&a.1));
        let spread = simplex[0].1 - simplex[N].1;
        if spread.is_finite() && spread.abs() < 1e-9 {
            break;
        }
        let mut centroid = [0.0; N];
        for (x, _) in &simplex[..N] {
            for i in 0..N {
                centroid[i] += x[i] / N as f64;
            }
        }
        let along = |t: f64| {
            let mut x = [0.0; N];
            for i in 0..N {
                x[i] = centroid[i] + t * (simplex[N].0[i] - centroid[i]);
            }
            x
        };
        let reflected = along(-1.0);
        let fr = f(&reflected);
        if fr > simplex[0].1 {
            let expanded = along(-2.0);
            let fe = f(&expanded);
            simplex[N] = if fe > fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr > simplex[N - 1].1 {
            simplex[N] = (reflected, fr);
        } else {
            let contracted = along(0.5);
            let fc = f(&contracted);
            if fc > simplex[N].1 {
                simplex[N] = (contracted, fc);
            } else {
                let best = simplex[0].0;
                for (x, v) in simplex.iter_mut().skip(1) {
                    for i in 0..N {
                        x[i] = best[i] + 0.5 * (x[i] - best[i]);
                    }
                    *v = f(x);
                }
            }
        }
    }
    simplex.sort_by(|a, b| b.1.total_cmp(&a.1));
    simplex[0].0
}

/// The inverse of the negative Hessian of `f` at `x` over the coordinates
/// `free` (the covariance of a maximum-likelihood estimate), by central
/// differences; `None` when it is not positive definite.
fn covariance(f: impl Fn(&[f64]) -> f64, x: &[f64], free: &[usize]) -> Option<Vec<Vec<f64>>> {
    let n = free.len();
    let h: Vec<f64> = free.iter().map(|&i| 1e-4 * x[i].abs().max(1e-3)).collect();
    let at = |d: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, v) in d {
            y[free[i]] += v;
        }
        f(&y)
    };
    let f0 = f(x);
    let mut m = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i..n {
            let v = if i == j {
                (at(&[(i, h[i])]) - 2.0 * f0 + at(&[(i, -h[i])])) / (h[i] * h[i])
            } else {
                (at(&[(i, h[i]), (j, h[j])])
                    - at(&[(i, h[i]), (j, -h[j])])
                    - at(&[(i, -h[i]), (j, h[j])])
                    + at(&[(i, -h[i]), (j, -h[j])]))
                    / (4.0 * h[i] * h[j])
            };
            m[i][j] = -v;
            m[j][i] = -v;
        }
    }
    invert(m)
}

/// The log-likelihood of every sequence with the delay's parameters free
/// too: `x` = (a, b, factor, the delay family's two parameters). Slower
/// than [`Terms`]; used for the intervals, which must carry the delay's
/// uncertainty (it decides which send a reply answers).
fn full_log_likelihood(
    seqs: &[Observed],
    end: f64,
    x: &[f64],
    delay: &Candidate,
    sloped: bool,
) -> f64 {
    let mut d = *delay;
    d.params = [x[3], x[4]];
    let valid = match d.family {
        stats::Family::Exponential => x[3] > 0.0,
        stats::Family::Lognormal => x[4] > 0.0,
        stats::Family::Gamma => x[3] > 0.0 && x[4] > 0.0,
    };
    if !valid {
        return f64::NEG_INFINITY;
    }
    Terms::new(seqs, end, &d).log_likelihood(&[x[0], x[1], x[2]], sloped)
}

/// Gauss-Jordan inverse of a small positive-definite matrix.
fn invert(mut m: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let pivot = m[c][c];
        if !(pivot.is_finite() && pivot > 0.0) {
            return None;
        }
        for j in 0..n {
            m[c][j] /= pivot;
            inv[c][j] /= pivot;
        }
        for r in 0..n {
            if r != c {
                let factor = m[r][c];
                for j in 0..n {
                    m[r][j] -= factor * m[c][j];
                    inv[r][j] -= factor * inv[c][j];
                }
            }
        }
    }
    (0..n).all(|i| inv[i][i] > 0.0).then_some(inv)
}

/// The i-th of a fixed sequence of uniforms in [0, 1) (SplitMix64).
fn uniform(i: usize) -> f64 {
    let mut z = (i as u64)
        .wrapping_add(1)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Each reply's delay from the send drawn from its posterior under `p`
/// and `delay`; with the number of replies attributed to follow-ups.
fn attribute(seqs: &[Observed], p: &Params, delay: &Candidate) -> (Vec<f64>, u64) {
    let mut delays = Vec::new();
    let mut to_follow_ups = 0;
    for (i, s) in seqs.iter().enumerate() {
        let Some(r) = s.reply else {
            continue;
        };
        let mut weights = Vec::with_capacity(s.sends.len());
        let mut survive = 1.0;
        for (k, &t) in s.sends.iter().enumerate() {
            if t >= r {
                break;
            }
            let qk = q(p, s.score, k);
            weights.push(survive * qk * delay.pdf(r - t));
            survive *= 1.0 - qk;
        }
        let total: f64 = weights.iter().sum();
        let k = if total > 0.0 && total.is_finite() {
            let u = uniform(i) * total;
            let mut acc = 0.0;
            weights
                .iter()
                .position(|w| {
                    acc += w;
                    acc > u
                })
                .unwrap_or(weights.len() - 1)
        } else {
            // No send explains it under these rates: the last one before.
            weights.len().saturating_sub(1)
        };
        if let Some(&t) = s.sends.get(k) {
            if t < r {
                delays.push(r - t);
                to_follow_ups += u64::from(k > 0);
            }
        }
    }
    (delays, to_follow_ups)
}

/// The delay's best family fitted to `delays`, if any can be.
fn delay_fit(delays: &[f64]) -> Option<Candidate> {
    stats::fit_durations(delays).and_then(|d| d.candidates.first().copied())
}

/// Fits the reply model to `seqs` (sequences of first emails that did not
/// bounce), `end` the log's last instant. `sloped`: the reply probability
/// is linear in the score (else constant). `None` without a reply or when
/// the delays cannot be fitted.
pub fn fit(seqs: &[Observed], end: f64, sloped: bool) -> Option<SequenceFit> {
    let replies = seqs.iter().filter(|s| s.reply.is_some()).count();
    if replies == 0 {
        return None;
    }
    // Start: each reply from the last send before it, rates from the share
    // of sequences that replied.
    let delays: Vec<f64> = seqs
        .iter()
        .filter_map(|s| {
            let r = s.reply?;
            s.sends.iter().rev().find(|t| **t < r).map(|t| r - t)
        })
        .collect();
    let mut delay = delay_fit(&delays)?;
    let share = replies as f64 / seqs.len() as f64;
    let mut p: Params = [share / 2.0, 0.0, 0.7];
    let mut rounds = 0;
    for round in 1..=12 {
        rounds = round;
        let terms = Terms::new(seqs, end, &delay);
        let ll = |x: &[f64; 3]| terms.log_likelihood(x, sloped);
        // Later rounds start near the optimum: smaller first steps.
        let scale = if round == 1 { 1.0 } else { 0.1 };
        let step = [
            p[0].max(1e-3) * 0.5 * scale,
            if sloped { 0.05 * scale } else { 0.0 },
            0.2 * scale,
        ];
        let next = if sloped {
            nelder_mead(ll, p, step)
        } else {
            let two = nelder_mead(
                |x: &[f64; 2]| ll(&[x[0], 0.0, x[1]]),
                [p[0], p[2]],
                [step[0], step[2]],
            );
            [two[0], 0.0, two[1]]
        };
        let moved = (0..3).map(|i| (next[i] - p[i]).abs()).fold(0.0, f64::max);
        p = next;
        let (attributed, _) = attribute(seqs, &p, &delay);
        if let Some(d) = delay_fit(&attributed) {
            delay = d;
        }
        if moved < 1e-5 {
            break;
        }
    }
    // Last, the rates and the delay's parameters together, from where the
    // alternation left them: the joint maximum (the alternation's delay
    // comes from one draw of the attributions, not the maximum).
    let x0 = [p[0], p[1], p[2], delay.params[0], delay.params[1]];
    let d_step = [
        0.05 * delay.params[0].abs().max(0.1),
        0.05 * delay.params[1].abs().max(0.1),
    ];
    let joint = nelder_mead(
        |y: &[f64; 5]| {
            if !sloped && y[1] != 0.0 {
                return f64::NEG_INFINITY;
            }
            full_log_likelihood(seqs, end, y, &delay, sloped)
        },
        x0,
        [
            p[0].max(1e-3) * 0.05,
            if sloped { 0.005 } else { 0.0 },
            0.02,
            d_step[0],
            if delay.family == stats::Family::Exponential {
                0.0
            } else {
                d_step[1]
            },
        ],
    );
    p = [joint[0], joint[1], joint[2]];
    delay.params = [joint[3], joint[4]];
    // The intervals: the Hessian of the likelihood in the rates and the
    // delay's parameters together (the delay decides which send a reply
    // answers, so the first email's rate and the factor trade off through
    // it).
    let x = [p[0], p[1], p[2], delay.params[0], delay.params[1]];
    let mut free: Vec<usize> = if sloped {
        vec![0, 1, 2, 3]
    } else {
        vec![0, 2, 3]
    };
    if delay.family != stats::Family::Exponential {
        free.push(4);
    }
    let cov = covariance(
        |y| full_log_likelihood(seqs, end, y, &delay, sloped),
        &x,
        &free,
    );
    let var = |i: usize, j: usize| -> f64 {
        let (Some(a), Some(b)) = (
            free.iter().position(|f| *f == i),
            free.iter().position(|f| *f == j),
        ) else {
            return 0.0;
        };
        cov.as_ref().map_or(f64::NAN, |c| c[a][b])
    };
    let z = 1.959_963_984_540_054;
    let (attributed, to_follow_ups) = attribute(seqs, &p, &delay);
    let delays = attributed;
    let follow_up_trials: u64 = seqs
        .iter()
        .map(|s| {
            let drawn_before = s.reply.map_or(s.sends.len(), |r| {
                s.sends.iter().filter(|t| **t < r).count()
            });
            drawn_before.saturating_sub(1) as u64
        })
        .sum();
    let interval = |v: f64, var: f64, max: f64| {
        let se = var.max(0.0).sqrt();
        if se.is_finite() {
            ((v - z * se).max(0.0), (v + z * se).min(max))
        } else {
            (0.0, max)
        }
    };
    let rate = |v: f64, var: f64, k: u64, n: u64| {
        let (low, high) = interval(v, var, 1.0);
        Rate {
            value: v,
            low,
            high,
            k,
            n,
        }
    };
    let first_replies = replies as u64 - to_follow_ups;
    let linear = Linear {
        at_0: rate(p[0], var(0, 0), first_replies, seqs.len() as u64),
        at_1: rate(
            p[0] + p[1],
            var(0, 0) + 2.0 * var(0, 1) + var(1, 1),
            first_replies,
            seqs.len() as u64,
        ),
        sloped,
    };
    let (low, high) = interval(p[2], var(2, 2), stats::MAX_REPLY_FACTOR);
    Some(SequenceFit {
        linear,
        factor: Rate {
            value: p[2],
            low,
            high,
            k: to_follow_ups,
            n: follow_up_trials,
        },
        delays,
        rounds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sequences drawn from the model itself: the joint fit recovers the
    /// first email's rate, the factor and the delay's median, where
    /// attributing each reply to the last send before it does not.
    #[test]
    fn the_joint_fit_recovers_rate_factor_and_delay() {
        let (p0, factor, median, sigma) = (0.2, 0.5, 86_400.0, 1.0);
        let interval = 3.0 * 86_400.0;
        let end = 400.0 * 86_400.0;
        let mut seqs = Vec::new();
        let mut n = 0;
        for i in 0..6000 {
            let start = (i as f64) * 5_000.0;
            let mut sends = vec![start];
            let mut drawn: Option<f64> = None;
            for k in 0..=3 {
                let t = start + k as f64 * interval;
                if drawn.is_some_and(|r| r <= t) {
                    break;
                }
                if k > 0 {
                    sends.push(t);
                }
                n += 1;
                if drawn.is_none() && uniform(10 * n) < p0 * f64::powi(factor, k) {
                    // A lognormal delay from two uniforms (Box-Muller).
                    let (u1, u2) = (uniform(10 * n + 1).max(1e-12), uniform(10 * n + 2));
                    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                    drawn = Some(t + median * (sigma * z).exp());
                }
            }
            seqs.push(Observed {
                sends,
                reply: drawn.filter(|r| *r <= end),
                score: 0.0,
            });
        }
        let f = fit(&seqs, end, false).unwrap();
        let at_0 = f.linear.at_0;
        assert!(at_0.low <= p0 && p0 <= at_0.high, "{at_0:?}");
        assert!(
            f.factor.low <= factor && factor <= f.factor.high,
            "{:?}",
            f.factor
        );
        let mut d = f.delays.clone();
        d.sort_by(f64::total_cmp);
        let fitted_median = d[d.len() / 2];
        // The sample median of ~1,500 lognormal(sigma 1) delays is within
        // 10% of the true one with probability > 99.9% (its sd is about
        // 1.25 sigma / sqrt(n) = 3% in log terms).
        assert!(
            (fitted_median / median - 1.0).abs() < 0.1,
            "median {fitted_median}"
        );
        // The naive attribution (the last send before the reply) is short.
        let mut naive: Vec<f64> = seqs
            .iter()
            .filter_map(|s| {
                let r = s.reply?;
                s.sends.iter().rev().find(|t| **t < r).map(|t| r - t)
            })
            .collect();
        naive.sort_by(f64::total_cmp);
        assert!(
            naive[naive.len() / 2] < 0.9 * median,
            "{}",
            naive[naive.len() / 2]
        );
    }
}
