//! Calendars and arrivals discovered from when things happen, as
//! process-mining tools discover resource calendars (Simod, pix): the week
//! is cut into 15-minute granules of local wall time; the days whose share
//! of events is close to the busy days' are working days; on them, the
//! granules holding a tenth or more of a typical busy granule's events are
//! working time, and runs of them make the daily windows.

use std::collections::BTreeMap;

use crate::calendar::Calendar;
use crate::units::{DAY, WEEK, WEEKDAYS};

/// Minutes in a granule.
pub const GRANULE_MINUTES: u32 = 15;
const GRANULES: usize = (24 * 60 / GRANULE_MINUTES) as usize;
/// The fewest instants a calendar is discovered from.
pub const MIN_CALENDAR_EVENTS: usize = 100;
/// A day is a working day when it holds at least this share of a busy
/// day's events.
const DAY_SHARE: f64 = 0.2;
/// A granule is working time when it holds at least this share of a
/// typical busy granule's events.
const GRANULE_SHARE: f64 = 0.1;

/// A discovered weekly calendar.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Discovered {
    /// Working days, 0 = Monday.
    pub days: Vec<usize>,
    /// Daily windows in minutes after midnight, `[start, end)`.
    pub windows: Vec<(u32, u32)>,
    /// Instants it was discovered from.
    pub n: usize,
}

impl Discovered {
    /// Every hour of every day: the `always` calendar.
    pub fn is_always(&self) -> bool {
        self.days.len() == 7 && self.windows == [(0, 24 * 60)]
    }

    /// `["mon", "tue", ...]` as TOML.
    pub fn days_toml(&self) -> String {
        let names: Vec<String> = self
            .days
            .iter()
            .map(|d| format!("\"{}\"", WEEKDAYS[*d]))
            .collect();
        format!("[{}]", names.join(", "))
    }

    /// `["09:00-12:00", "13:00-17:00"]` as TOML.
    pub fn hours_toml(&self) -> String {
        let w: Vec<String> = self
            .windows
            .iter()
            .map(|(s, e)| format!("\"{}-{}\"", clock(*s), clock(*e)))
            .collect();
        format!("[{}]", w.join(", "))
    }

    /// In words: `mon-fri 09:00-12:00, 13:00-17:00`.
    pub fn describe(&self) -> String {
        if self.is_always() {
            return "always (24/7)".into();
        }
        let days: Vec<&str> = self.days.iter().map(|d| WEEKDAYS[*d]).collect();
        let w: Vec<String> = self
            .windows
            .iter()
            .map(|(s, e)| format!("{}-{}", clock(*s), clock(*e)))
            .collect();
        format!("{} {}", days.join(","), w.join(", "))
    }

    /// The calendar, for working-time arithmetic.
    pub fn calendar(&self, name: &str) -> Calendar {
        if self.is_always() {
            return Calendar::always();
        }
        let windows: Vec<(f64, f64)> = self
            .windows
            .iter()
            .map(|(s, e)| (f64::from(*s) * 60.0, f64::from(*e) * 60.0))
            .collect();
        Calendar::weekly(name, &self.days, &windows).unwrap_or_else(|_| Calendar::always())
    }
}

fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The weekday (0 = Monday) and the granule of a wall time.
fn slot(t: f64) -> (usize, usize) {
    let r = t.rem_euclid(WEEK);
    let day = ((r / DAY).floor() as usize).min(6);
    let g = (((r - day as f64 * DAY) / 60.0 / f64::from(GRANULE_MINUTES)).floor() as usize)
        .min(GRANULES - 1);
    (day, g)
}

/// The median of a sample.
fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The calendar that holds the instants `times` (wall seconds from a
/// Monday 00:00); `None` with fewer than [`MIN_CALENDAR_EVENTS`].
pub fn calendar(times: &[f64]) -> Option<Discovered> {
    if times.len() < MIN_CALENDAR_EVENTS {
        return None;
    }
    let mut grid = vec![[0u64; GRANULES]; 7];
    for &t in times {
        let (d, g) = slot(t);
        grid[d][g] += 1;
    }
    let totals: Vec<f64> = grid.iter().map(|d| d.iter().sum::<u64>() as f64).collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let busy: Vec<f64> = totals.iter().copied().filter(|t| *t >= max / 2.0).collect();
    let typical_day = busy.iter().sum::<f64>() / busy.len().max(1) as f64;
    let days: Vec<usize> = (0..7)
        .filter(|d| totals[*d] >= DAY_SHARE * typical_day && totals[*d] > 0.0)
        .collect();
    let mut pooled = [0u64; GRANULES];
    for d in &days {
        for (g, c) in grid[*d].iter().enumerate() {
            pooled[g] += c;
        }
    }
    // A typical busy granule: the median of those holding 90% of the events.
    let mut sorted: Vec<u64> = pooled.iter().copied().filter(|c| *c > 0).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = sorted.iter().sum();
    let mut mass = 0;
    let mut top = Vec::new();
    for c in sorted {
        if mass as f64 >= 0.9 * total as f64 {
            break;
        }
        mass += c;
        top.push(c as f64);
    }
    let threshold = (GRANULE_SHARE * median(top)).max(1.0);
    let mut windows: Vec<(u32, u32)> = Vec::new();
    for (g, c) in pooled.iter().enumerate() {
        if (*c as f64) < threshold {
            continue;
        }
        let (s, e) = (g as u32 * GRANULE_MINUTES, (g as u32 + 1) * GRANULE_MINUTES);
        match windows.last_mut() {
            Some(last) if last.1 == s => last.1 = e,
            _ => windows.push((s, e)),
        }
    }
    Some(Discovered {
        days,
        windows,
        n: times.len(),
    })
}

/// How leads arrived.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum ArrivalFit {
    /// Spread over a calendar: leads a week, its 95% interval, and the
    /// calendar (`None`: too few arrivals to discover one).
    Poisson {
        /// Expected leads a week.
        per_week: f64,
        /// 95% interval.
        low: f64,
        /// See `low`.
        high: f64,
        /// The arrival calendar.
        calendar: Option<Discovered>,
        /// Weeks of working time observed (on the calendar).
        weeks: f64,
    },
    /// Bursts at one instant.
    Batch {
        /// The most common burst size.
        size: u64,
        /// The most common time between bursts, seconds.
        every: f64,
        /// The first burst's time in the week, seconds after Monday 00:00.
        at: f64,
        /// Bursts seen.
        bursts: usize,
    },
}

/// The most common value (ties: the smallest).
pub fn mode<T: Ord + Copy>(values: impl IntoIterator<Item = T>) -> Option<(T, usize)> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .fold(None, |best: Option<(T, usize)>, (v, c)| match best {
            Some((_, bc)) if bc >= c => best,
            _ => Some((v, c)),
        })
}

/// Share of arrivals that must share their instant with another for the
/// arrivals to be bursts (list imports).
const BURST_SHARE: f64 = 0.5;

/// Fits the arrivals at `times` (sorted or not) over the observed window
/// `[0, end)`.
pub fn arrivals(times: &[f64], end: f64) -> ArrivalFit {
    let mut sorted: Vec<f64> = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Group arrivals at one instant (to the millisecond).
    let mut groups: Vec<(f64, u64)> = Vec::new();
    for &t in &sorted {
        match groups.last_mut() {
            Some((at, n)) if ((t - *at) * 1000.0).round() == 0.0 => *n += 1,
            _ => groups.push((t, 1)),
        }
    }
    let in_bursts: u64 = groups.iter().filter(|(_, n)| *n > 1).map(|(_, n)| n).sum();
    if !sorted.is_empty() && in_bursts as f64 >= BURST_SHARE * sorted.len() as f64 {
        let bursts: Vec<(f64, u64)> = groups.into_iter().filter(|(_, n)| *n > 1).collect();
        let size = mode(bursts.iter().map(|(_, n)| *n)).map_or(1, |(v, _)| v);
        // Gaps to the minute; at least an hour (the scenario's bound).
        let every = mode(
            bursts
                .windows(2)
                .map(|w| ((w[1].0 - w[0].0) / 60.0).round() as i64),
        )
        .map_or(WEEK, |(m, _)| (m as f64 * 60.0).max(3600.0));
        let at = (bursts[0].0.rem_euclid(WEEK) / 60.0).round() * 60.0;
        return ArrivalFit::Batch {
            size,
            every,
            at: at.min(WEEK - 60.0),
            bursts: bursts.len(),
        };
    }
    let cal = calendar(&sorted);
    let working = match &cal {
        Some(c) => c.calendar("arrivals").working_between(0.0, end),
        None => end,
    };
    let per_week_working = cal
        .as_ref()
        .map_or(WEEK, |c| c.calendar("arrivals").working_per_week());
    let weeks = working / per_week_working;
    let n = sorted.len() as f64;
    // The exact Poisson interval of the count, by the chi-square (gamma)
    // quantiles: Garwood (1936).
    let (lo, hi) = poisson_interval(sorted.len() as u64);
    ArrivalFit::Poisson {
        per_week: n / weeks,
        low: lo / weeks,
        high: hi / weeks,
        calendar: cal,
        weeks,
    }
}

/// Garwood's exact 95% interval of a Poisson count.
pub fn poisson_interval(k: u64) -> (f64, f64) {
    use statrs::distribution::{ContinuousCDF, Gamma};
    let q = |shape: f64, p: f64| {
        Gamma::new(shape, 1.0)
            .map(|g| g.inverse_cdf(p))
            .unwrap_or(f64::NAN)
    };
    let kf = k as f64;
    let lo = if k == 0 { 0.0 } else { q(kf, 0.025) };
    (lo, q(kf + 1.0, 0.975))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::HOUR;

    /// Instants spread evenly over mon-fri 09:00-12:00 and 13:00-17:00.
    fn office(n_per_hour: usize, weeks: usize) -> Vec<f64> {
        let mut v = Vec::new();
        for w in 0..weeks {
            for d in 0..5 {
                for (s, e) in [(9, 12), (13, 17)] {
                    for h in s..e {
                        for k in 0..n_per_hour {
                            let t = w as f64 * WEEK
                                + d as f64 * DAY
                                + h as f64 * HOUR
                                + (k as f64 + 0.5) / n_per_hour as f64 * HOUR;
                            v.push(t);
                        }
                    }
                }
            }
        }
        v
    }

    #[test]
    fn an_office_calendar_is_discovered_exactly() {
        let mut times = office(8, 4);
        // A few stray events at night and on a Saturday.
        times.extend([2.0 * HOUR, 5.0 * DAY + 10.0 * HOUR]);
        let c = calendar(&times).unwrap();
        assert_eq!(c.days, vec![0, 1, 2, 3, 4]);
        assert_eq!(c.windows, vec![(540, 720), (780, 1020)]);
        assert_eq!(c.describe(), "mon,tue,wed,thu,fri 09:00-12:00, 13:00-17:00");
        assert_eq!(c.hours_toml(), "[\"09:00-12:00\", \"13:00-17:00\"]");
    }

    #[test]
    fn poisson_arrivals_count_working_weeks() {
        let times = office(4, 10);
        match arrivals(&times, 10.0 * WEEK) {
            ArrivalFit::Poisson {
                per_week,
                low,
                high,
                ..
            } => {
                assert!((per_week - 140.0).abs() < 1e-9, "{per_week}");
                assert!(low < 140.0 && high > 140.0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bursts_are_batches() {
        let times: Vec<f64> = (0..20)
            .flat_map(|w| std::iter::repeat_n(w as f64 * WEEK + 8.0 * HOUR, 50))
            .collect();
        match arrivals(&times, 20.0 * WEEK) {
            ArrivalFit::Batch {
                size, every, at, ..
            } => assert_eq!((size, every, at), (50, WEEK, 8.0 * HOUR)),
            other => panic!("{other:?}"),
        }
    }
}
