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
//! (Nelder-Mead); with them fixed, each reply is attributed to one send
//! drawn from its posterior (a fixed sequence of uniforms, so the fit is
//! deterministic) and the delay's family is fitted to the attributed delays
//! as every duration is. The two steps alternate until the rates settle.
//! Then each plausible family of the delay is maximised jointly with the
//! rates and the family with the lowest joint AIC is kept. The rates' and
//! the factor's intervals are likelihood-ratio intervals ([`lr_interval`])
//! per family, averaged over the families by their Akaike weights
//! ([`averaged_interval`]): the family is chosen from the same data.

use rayon::prelude::*;

use statrs::function::erf::erf;

use super::stats::{self, Candidate, DurationFit, Linear, Rate, Z_975};

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
    /// The reply delay: each family at its joint maximum with the rates,
    /// ranked by the joint likelihood's AIC (the best first), with its KS
    /// distance to `delays`.
    pub delay: DurationFit,
}

/// (a, b, factor): p(score) = a + b score, q_k = p factor^k.
type Params = [f64; 3];

fn q(p: &Params, score: f64, k: usize) -> f64 {
    ((p[0] + p[1] * score) * p[2].powi(k as i32)).clamp(0.0, 1.0)
}

/// The sequences as the likelihood reads them, laid out once: per sequence
/// its score and whether it replied, and per send that could have drawn
/// the reply the time from it to the reply (replied) or to the log's end
/// (not yet arrived), flat.
struct Layout {
    score: Vec<f64>,
    replied: Vec<bool>,
    /// Where each sequence's gaps start in `gaps` (one more at the end).
    start: Vec<usize>,
    gaps: Vec<f64>,
    /// Per gap: the reply's density is wanted (else the chance it has not
    /// arrived yet).
    density: Vec<bool>,
}

/// How far behind the best family's AIC on the attributed delays a family
/// may be and still be fitted jointly: 20, odds of e^10 against it.
const FAMILY_MARGIN: f64 = 20.0;

/// Sequences per parallel chunk of the likelihood: a fixed size, so the
/// sum's order (and its bits) do not depend on the threads.
const CHUNK: usize = 2048;

impl Layout {
    fn new(seqs: &[Observed], end: f64) -> Layout {
        let mut l = Layout {
            score: Vec::with_capacity(seqs.len()),
            replied: Vec::with_capacity(seqs.len()),
            start: Vec::with_capacity(seqs.len() + 1),
            gaps: Vec::new(),
            density: Vec::new(),
        };
        for s in seqs {
            l.score.push(s.score);
            l.replied.push(s.reply.is_some());
            l.start.push(l.gaps.len());
            match s.reply {
                Some(r) => {
                    for &x in s.sends.iter().take_while(|&&x| x < r) {
                        l.gaps.push(r - x);
                        l.density.push(true);
                    }
                }
                None => {
                    for &x in &s.sends {
                        l.gaps.push(end - x);
                        l.density.push(false);
                    }
                }
            }
        }
        l.start.push(l.gaps.len());
        l
    }
}

/// The delay's part of every sequence's likelihood, computed once per
/// delay: per gap of the [`Layout`] f(gap) or 1 - F(gap).
struct Terms<'a> {
    layout: &'a Layout,
    terms: Vec<f64>,
}

impl<'a> Terms<'a> {
    fn new(layout: &'a Layout, delay: &Candidate) -> Terms<'a> {
        let terms = layout
            .gaps
            .par_iter()
            .zip(layout.density.par_iter())
            .map(|(&g, &density)| {
                if density {
                    delay.pdf(g)
                } else {
                    1.0 - delay.cdf(g)
                }
            })
            .collect();
        Terms { layout, terms }
    }

    /// The log-likelihood of every sequence under `p`; -inf outside the
    /// parameters' range.
    fn log_likelihood(&self, p: &Params, sloped: bool) -> f64 {
        if p[2] <= 0.0 || p[2] > stats::MAX_REPLY_FACTOR || (!sloped && p[1] != 0.0) {
            return f64::NEG_INFINITY;
        }
        let l = self.layout;
        let chunks: Vec<f64> = (0..l.score.len().div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut total = 0.0;
                for i in c * CHUNK..((c + 1) * CHUNK).min(l.score.len()) {
                    let p0 = p[0] + p[1] * l.score[i];
                    if !(0.0..=1.0).contains(&p0) {
                        return f64::NEG_INFINITY;
                    }
                    let mut survive = 1.0;
                    let mut lik = 0.0;
                    let mut qk = p0;
                    for &term in &self.terms[l.start[i]..l.start[i + 1]] {
                        let qc = qk.min(1.0);
                        lik += survive * qc * term;
                        survive *= 1.0 - qc;
                        qk *= p[2];
                    }
                    if !l.replied[i] {
                        lik += survive;
                    }
                    if lik <= 0.0 {
                        // A reply no send could have drawn under these rates.
                        return f64::NEG_INFINITY;
                    }
                    total += lik.ln();
                }
                total
            })
            .collect();
        chunks.iter().sum()
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
fn full_log_likelihood(layout: &Layout, x: &[f64], delay: &Candidate, sloped: bool) -> f64 {
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
    Terms::new(layout, &d).log_likelihood(&[x[0], x[1], x[2]], sloped)
}

/// Half the 95% point of chi-square with one degree of freedom: how far
/// the log-likelihood drops at the ends of a 95% likelihood-ratio interval.
const HALF_CHI2_95: f64 = 1.920_729_410_347_062;

/// The 95% likelihood-ratio interval of the combination `w` of the free
/// coordinates of the maximum `x` of `f`, within `bounds`: along the line
/// on which the other parameters move with it as the covariance `cov`
/// says, the values where `f` has dropped by [`HALF_CHI2_95`]. Where `f`
/// is quadratic the line is the profile's path and the interval is Wald's;
/// elsewhere the line is not re-maximised at each point, so the interval
/// is at most as wide as the profile likelihood's. Unlike Wald's it follows
/// the likelihood's skew (a rate near 0 has a longer upper arm). `None`
/// when `w` has no variance.
fn lr_interval(
    f: &impl Fn(&[f64]) -> f64,
    x: &[f64],
    cov: &[Vec<f64>],
    free: &[usize],
    w: &[f64],
    bounds: (f64, f64),
) -> Option<(f64, f64)> {
    let n = free.len();
    let cw: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| cov[i][j] * w[j]).sum())
        .collect();
    let s2: f64 = (0..n).map(|i| w[i] * cw[i]).sum();
    if !(s2.is_finite() && s2 > 0.0) {
        return None;
    }
    let value: f64 = (0..n).map(|i| w[i] * x[free[i]]).sum();
    let top = f(x);
    // The drop in f at value + t.
    let drop = |t: f64| {
        let mut y = x.to_vec();
        for i in 0..n {
            y[free[i]] += t * cw[i] / s2;
        }
        let v = f(&y);
        if v.is_finite() {
            top - v
        } else {
            f64::INFINITY
        }
    };
    let end = |sign: f64| -> f64 {
        let limit = if sign < 0.0 {
            value - bounds.0
        } else {
            bounds.1 - value
        };
        if limit <= 0.0 {
            return value;
        }
        // Bracket from Wald's half-width, widening until f has dropped
        // far enough or the bound is reached.
        let (mut inside, mut t) = (0.0, (1.96 * s2.sqrt()).min(limit));
        while drop(sign * t) < HALF_CHI2_95 {
            if t >= limit {
                return value + sign * limit;
            }
            inside = t;
            t = (t * 1.6).min(limit);
        }
        let mut outside = t;
        // To a millionth of the standard error.
        while outside - inside > 1e-6 * s2.sqrt() {
            let mid = 0.5 * (inside + outside);
            if drop(sign * mid) < HALF_CHI2_95 {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        value + sign * 0.5 * (inside + outside)
    };
    Some((end(-1.0), end(1.0)))
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

/// The maximum of the likelihood in the rates and the delay's parameters
/// together, from the rates `p` and the delay `start` (whose family it
/// keeps): the point (a, b, factor, the delay's two parameters) and its
/// log-likelihood.
fn joint_maximum(layout: &Layout, p: Params, start: &Candidate, sloped: bool) -> ([f64; 5], f64) {
    let d = start.params;
    let f = |y: &[f64; 5]| full_log_likelihood(layout, y, start, sloped);
    let x = nelder_mead(
        f,
        [p[0], p[1], p[2], d[0], d[1]],
        [
            p[0].max(1e-3) * 0.05,
            if sloped { 0.005 } else { 0.0 },
            0.02,
            0.05 * d[0].abs().max(0.1),
            if start.family == stats::Family::Exponential {
                0.0
            } else {
                0.05 * d[1].abs().max(0.1)
            },
        ],
    );
    (x, f(&x))
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
    let layout = Layout::new(seqs, end);
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
        let terms = Terms::new(&layout, &delay);
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
    // alternation left them: the joint maximum for each family of the
    // delay, the family chosen by the joint likelihood's AIC (the
    // alternation's delay comes from one draw of the attributions, and at a
    // few hundred replies that draw alone picks the wrong family often).
    let (attributed, _) = attribute(seqs, &p, &delay);
    // A family far behind on the attributed delays (AIC more than
    // FAMILY_MARGIN over the best's) is not refitted: with many replies
    // the families are told apart without the joint fit.
    let starts: Vec<Candidate> = stats::fit_durations(&attributed)
        .map(|d| {
            let best = d.candidates.first().map_or(f64::INFINITY, |c| c.aic);
            d.candidates
                .into_iter()
                .filter(|c| c.aic <= best + FAMILY_MARGIN)
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| vec![delay]);
    let rate_params = if sloped { 3.0 } else { 2.0 };
    // Each family at its joint maximum: (a, b, factor) and the family with
    // its parameters, log-likelihood and AIC (KS is measured below).
    let mut families: Vec<(Params, Candidate)> = starts
        .par_iter()
        .map(|start| {
            let (x, ll) = joint_maximum(&layout, p, start, sloped);
            let k = rate_params + start.family.parameters();
            let c = Candidate {
                params: [x[3], x[4]],
                log_likelihood: ll,
                aic: 2.0 * k - 2.0 * ll,
                ..*start
            };
            ([x[0], x[1], x[2]], c)
        })
        .collect();
    families.sort_by(|a, b| a.1.aic.total_cmp(&b.1.aic));
    (p, delay) = families[0];
    // The intervals, averaged over the families by their Akaike weights
    // (the family is chosen from the same data, and an interval that
    // took it as known would be too narrow: see [`averaged_interval`]).
    let best_aic = delay.aic;
    let relative: Vec<f64> = families
        .iter()
        .map(|(_, c)| (-(c.aic - best_aic) / 2.0).exp())
        .collect();
    let total: f64 = relative.iter().sum();
    let weighed: Vec<(f64, [Estimate; 3])> = families
        .par_iter()
        .zip(relative.par_iter())
        .filter(|(_, w)| **w / total >= MIN_WEIGHT)
        .map(|((p, c), w)| (w / total, family_estimates(&layout, p, c, sloped)))
        .collect();
    let (delays, to_follow_ups) = attribute(seqs, &p, &delay);
    // Each family's KS distance to the delays attributed under the best.
    let mut sorted = delays.clone();
    sorted.sort_by(f64::total_cmp);
    let candidates: Vec<Candidate> = families
        .iter()
        .map(|(_, c)| {
            let d = stats::ks_distance(&sorted, |t| c.cdf(t));
            Candidate {
                ks_d: d,
                ks_p: stats::ks_p_value(d, sorted.len()),
                ..*c
            }
        })
        .collect();
    let delay_families = DurationFit {
        n: sorted.len(),
        zeros: sorted.iter().filter(|d| **d == 0.0).count(),
        candidates,
    };
    let follow_up_trials: u64 = seqs
        .iter()
        .map(|s| {
            let drawn_before = s.reply.map_or(s.sends.len(), |r| {
                s.sends.iter().filter(|t| **t < r).count()
            });
            drawn_before.saturating_sub(1) as u64
        })
        .sum();
    // Quantity `i` (the rate at score 0, at 1, the factor): the best
    // family's value, the averaged interval.
    let rate = |i: usize, k: u64, n: u64| {
        let per: Vec<(f64, Estimate)> = weighed.iter().map(|(w, e)| (*w, e[i])).collect();
        let value = per[0].1.value;
        let (low, high) = averaged_interval(&per);
        Rate {
            value,
            low,
            high,
            k,
            n,
        }
    };
    let first_replies = replies as u64 - to_follow_ups;
    let n = seqs.len() as u64;
    let linear = Linear {
        at_0: rate(0, first_replies, n),
        at_1: rate(1, first_replies, n),
        sloped,
    };
    Some(SequenceFit {
        linear,
        factor: rate(2, to_follow_ups, follow_up_trials),
        delays,
        rounds,
        delay: delay_families,
    })
}

/// A family's Akaike weight below which it is left out of the averaged
/// intervals: it moves a tail's 2.5% by less than 0.01 percentage
/// points.
const MIN_WEIGHT: f64 = 1e-4;

/// One family's estimate of a quantity with its 95% likelihood-ratio
/// interval.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    value: f64,
    low: f64,
    high: f64,
}

/// The rate at score 0, at score 1 and the factor at one family's joint
/// maximum `p`, `delay`, with their 95% likelihood-ratio intervals from
/// the Hessian of the likelihood in the rates and the delay's parameters
/// together (the delay decides which send a reply answers, so the first
/// email's rate and the factor trade off through it). Without a positive
/// definite Hessian an interval is the whole range.
fn family_estimates(layout: &Layout, p: &Params, delay: &Candidate, sloped: bool) -> [Estimate; 3] {
    let x = [p[0], p[1], p[2], delay.params[0], delay.params[1]];
    let mut free: Vec<usize> = if sloped {
        vec![0, 1, 2, 3]
    } else {
        vec![0, 2, 3]
    };
    if delay.family != stats::Family::Exponential {
        free.push(4);
    }
    let ll = |y: &[f64]| full_log_likelihood(layout, y, delay, sloped);
    let cov = covariance(ll, &x, &free);
    // (coordinate, weight) pairs: a, a + b, the factor.
    let of: [&[(usize, f64)]; 3] = [&[(0, 1.0)], &[(0, 1.0), (1, 1.0)], &[(2, 1.0)]];
    let max = [1.0, 1.0, stats::MAX_REPLY_FACTOR];
    std::array::from_fn(|i| {
        let w: Vec<f64> = free
            .iter()
            .map(|c| of[i].iter().find(|(j, _)| j == c).map_or(0.0, |(_, w)| *w))
            .collect();
        let value: f64 = of[i].iter().map(|(j, w)| w * x[*j]).sum();
        let (low, high) = cov
            .as_ref()
            .and_then(|c| lr_interval(&ll, &x, c, &free, &w, (0.0, max[i])))
            .unwrap_or((0.0, max[i]));
        Estimate { value, low, high }
    })
}

/// The standard normal's distribution function.
fn phi(z: f64) -> f64 {
    0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
}

/// The 95% interval of a quantity averaged over the delay's families by
/// their Akaike weights (`per`: weight and estimate, the best family
/// first): the model-averaged tail area interval (Turek and Fletcher 2012,
/// "Model-averaged Wald confidence intervals", Computational Statistics &
/// Data Analysis 56: 2809-2815), whose lower end L has sum_i w_i P(a
/// family i estimate above its value | truth L) = 2.5%, each family's
/// estimate normal with the standard error its own interval's lower arm
/// implies (the upper end likewise with the upper arms). One family: its
/// own interval. Each end lies between the families' own ends (so within
/// the quantity's range), and the interval holds the best family's value:
/// its weight is the largest of at most three, so at that value its tail
/// alone is at least 1/6.
fn averaged_interval(per: &[(f64, Estimate)]) -> (f64, f64) {
    if let [(_, only)] = per {
        return (only.low, only.high);
    }
    // The tail area above the estimates at truth t (lower end), below them
    // (upper end); a zero-width arm is a step.
    let tail = |t: f64, upper: bool| -> f64 {
        per.iter()
            .map(|(w, e)| {
                let (arm, gap) = if upper {
                    (e.high - e.value, t - e.value)
                } else {
                    (e.value - e.low, e.value - t)
                };
                let z = if arm > 0.0 {
                    gap / (arm / Z_975)
                } else if gap > 0.0 {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                };
                w * (1.0 - phi(z))
            })
            .sum()
    };
    // Each end lies between the families' own ends: bisection.
    let solve = |upper: bool| -> f64 {
        let ends = per.iter().map(|(_, e)| if upper { e.high } else { e.low });
        let (mut lo, mut hi) = (
            ends.clone().fold(f64::INFINITY, f64::min),
            ends.fold(f64::NEG_INFINITY, f64::max),
        );
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            // The tail shrinks as t moves out from the estimates: beyond
            // the end it is under 2.5%.
            let beyond = tail(mid, upper) < 0.025;
            if beyond == upper {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        0.5 * (lo + hi)
    };
    (solve(false), solve(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a quadratic log-likelihood the interval is Wald's; on a
    /// binomial one (k = 3 of n = 40) it is the likelihood-ratio interval,
    /// longer above the estimate than below, within the bounds.
    #[test]
    fn likelihood_ratio_intervals_follow_the_likelihood() {
        // -(x - 2)^2 / (2 * 0.25): sd 0.5, so 2 +- 1.95996 x 0.5.
        let quad = |x: &[f64]| -(x[0] - 2.0).powi(2) / 0.5;
        let (lo, hi) =
            lr_interval(&quad, &[2.0], &[vec![0.25]], &[0], &[1.0], (0.0, 10.0)).unwrap();
        assert!((lo - (2.0 - 0.979_982)).abs() < 1e-5, "{lo}");
        assert!((hi - (2.0 + 0.979_982)).abs() < 1e-5, "{hi}");
        // Binomial: the points where 3 ln p + 37 ln(1 - p) is 1.92073 below
        // its maximum at 0.075 (by bisection: 0.01920 and 0.18310).
        let binomial = |x: &[f64]| {
            if x[0] <= 0.0 || x[0] >= 1.0 {
                f64::NEG_INFINITY
            } else {
                3.0 * x[0].ln() + 37.0 * (1.0 - x[0]).ln()
            }
        };
        let p = 0.075;
        let var = p * (1.0 - p) / 40.0;
        let (lo, hi) =
            lr_interval(&binomial, &[p], &[vec![var]], &[0], &[1.0], (0.0, 1.0)).unwrap();
        let drop = |v: f64| binomial(&[p]) - binomial(&[v]);
        assert!((drop(lo) - HALF_CHI2_95).abs() < 1e-6, "{lo}");
        assert!((drop(hi) - HALF_CHI2_95).abs() < 1e-6, "{hi}");
        assert!(hi - p > p - lo, "[{lo}, {hi}]");
        assert!(lo > 0.0 && hi < 1.0);
        // A bound the likelihood does not drop to first is the end.
        let flat = |x: &[f64]| -(x[0] - 0.01).powi(2) / 2.0;
        let (lo, _) = lr_interval(&flat, &[0.01], &[vec![1.0]], &[0], &[1.0], (0.0, 1.0)).unwrap();
        assert_eq!(lo, 0.0);
    }

    /// Averaged over families by their Akaike weights: one family keeps its
    /// interval, two alike give theirs, and two apart give the tail-area
    /// interval scipy finds (brentq on the weighted normal tails: weights
    /// 0.7 and 0.3, estimates 0.5 and 0.6, standard errors 0.05 / 0.05 and
    /// 0.04 below / 0.03 above: [0.409862573, 0.642511059]).
    #[test]
    fn intervals_average_over_the_families() {
        let e = |value: f64, below: f64, above: f64| Estimate {
            value,
            low: value - Z_975 * below,
            high: value + Z_975 * above,
        };
        let one = e(0.5, 0.05, 0.05);
        assert_eq!(averaged_interval(&[(1.0, one)]), (one.low, one.high));
        let (lo, hi) = averaged_interval(&[(0.5, one), (0.5, one)]);
        assert!((lo - one.low).abs() < 1e-12 && (hi - one.high).abs() < 1e-12);
        let two = [(0.7, one), (0.3, e(0.6, 0.04, 0.03))];
        let (lo, hi) = averaged_interval(&two);
        assert!((lo - 0.409_862_572_713_581).abs() < 1e-9, "{lo}");
        assert!((hi - 0.642_511_059_213_354).abs() < 1e-9, "{hi}");
        // Between the families' own ends, holding the best family's value
        // even when the other, at 0.49 of the weight, lies wholly above it.
        assert!(two[0].1.low <= lo && lo <= two[1].1.low);
        assert!(two[0].1.high <= hi && hi <= two[1].1.high);
        let apart = [(0.51, one), (0.49, e(0.9, 0.01, 0.01))];
        let (lo, hi) = averaged_interval(&apart);
        assert!(lo < 0.5 && 0.5 < hi, "[{lo}, {hi}]");
    }

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
