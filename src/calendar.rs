//! Working calendars: weekly working windows and working-time arithmetic.
//!
//! A calendar is a set of half-open working intervals `[start, end)` within a
//! week, repeated every week from t = 0 (Monday 00:00). Everything else is
//! derived from one function, the working time before an instant,
//! `F(t) = working seconds in [0, t)`, and its inverse: a task of working
//! duration `d` started at `t` ends at the earliest `t'` with
//! `F(t') = F(t) + d`, so it pauses at closing and resumes at the next opening.

use crate::units::{DAY, WEEK, WEEKDAYS};

/// A weekly working calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    name: String,
    /// Working intervals within one week, seconds after Monday 00:00; sorted,
    /// disjoint and not touching (touching intervals are merged).
    intervals: Vec<(f64, f64)>,
    /// `prefix[i]`: working seconds in the week before `intervals[i].0`.
    prefix: Vec<f64>,
    /// Working seconds per week.
    per_week: f64,
    /// True for the 24/7 calendar, which takes exact fast paths.
    always: bool,
}

impl Calendar {
    /// The built-in 24/7 calendar `"always"`.
    pub fn always() -> Self {
        Calendar {
            name: "always".to_string(),
            intervals: vec![(0.0, WEEK)],
            prefix: vec![0.0],
            per_week: WEEK,
            always: true,
        }
    }

    /// Builds a calendar working on `days` (0 = Monday) in each of the daily
    /// `windows` (seconds after midnight). A window whose end is at or before
    /// its start runs past midnight. Overlapping windows are an error; a
    /// calendar with no working time is allowed here and checked by whoever
    /// needs working time.
    pub fn weekly(name: &str, days: &[usize], windows: &[(f64, f64)]) -> Result<Self, String> {
        let mut spans: Vec<(f64, f64)> = Vec::new();
        for &day in days {
            if day >= 7 {
                return Err(format!("day index {day} is not a weekday"));
            }
            for &(start, end) in windows {
                if !(0.0..=DAY).contains(&start) || !(0.0..=DAY).contains(&end) {
                    return Err("a window must lie within 00:00-24:00".to_string());
                }
                let end = if end <= start { end + DAY } else { end };
                let (s, e) = (day as f64 * DAY + start, day as f64 * DAY + end);
                if e > WEEK {
                    spans.push((s, WEEK));
                    spans.push((0.0, e - WEEK));
                } else {
                    spans.push((s, e));
                }
            }
        }
        spans.retain(|(s, e)| e > s);
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut intervals: Vec<(f64, f64)> = Vec::with_capacity(spans.len());
        for (s, e) in spans {
            match intervals.last_mut() {
                Some(last) if s < last.1 => {
                    return Err(format!(
                        "working windows overlap at {} (listed twice, or a window past midnight runs into the next day's)",
                        describe_instant(s)
                    ))
                }
                Some(last) if s == last.1 => last.1 = e,
                _ => intervals.push((s, e)),
            }
        }
        let mut prefix = Vec::with_capacity(intervals.len());
        let mut per_week = 0.0;
        for (s, e) in &intervals {
            prefix.push(per_week);
            per_week += e - s;
        }
        let always = intervals.len() == 1 && intervals[0] == (0.0, WEEK);
        Ok(Calendar {
            name: name.to_string(),
            intervals,
            prefix,
            per_week,
            always,
        })
    }

    /// The calendar's name in the scenario.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Working seconds per week.
    pub fn working_per_week(&self) -> f64 {
        self.per_week
    }

    /// True when the calendar has some working time.
    pub fn has_working_time(&self) -> bool {
        self.per_week > 0.0
    }

    /// Working seconds in `[0, t)`.
    pub fn working_before(&self, t: f64) -> f64 {
        if self.always {
            return t;
        }
        let week = floor(t / WEEK);
        let r = t - week * WEEK;
        let i = count_sorted(&self.intervals, |iv| iv.0 <= r);
        let within = if i == 0 {
            0.0
        } else {
            let (s, e) = self.intervals[i - 1];
            self.prefix[i - 1] + r.min(e) - s
        };
        week * self.per_week + within
    }

    /// Working seconds in `[a, b)`; zero when `b <= a`.
    pub fn working_between(&self, a: f64, b: f64) -> f64 {
        if b <= a {
            return 0.0;
        }
        (self.working_before(b) - self.working_before(a)).max(0.0)
    }

    /// The earliest instant `t` with `working_before(t) == u`; infinity for a
    /// calendar without working time.
    pub fn at_working(&self, u: f64) -> f64 {
        if self.always {
            return u;
        }
        if self.per_week <= 0.0 {
            return f64::INFINITY;
        }
        if u <= 0.0 {
            return 0.0;
        }
        let mut week = floor(u / self.per_week);
        let mut rem = u - week * self.per_week;
        if rem <= 0.0 {
            // Exactly a whole number of weeks: the end of last week's last window.
            week -= 1.0;
            rem = self.per_week;
        } else if rem > self.per_week {
            week += 1.0;
            rem -= self.per_week;
        }
        let i = count_sorted(&self.prefix, |&p| p < rem) - 1;
        let (s, e) = self.intervals[i];
        week * WEEK + (s + (rem - self.prefix[i])).min(e)
    }

    /// When a task of working duration `d` started at `t` ends.
    pub fn add_working(&self, t: f64, d: f64) -> f64 {
        if d <= 0.0 {
            return t;
        }
        if self.always {
            return t + d;
        }
        self.at_working(self.working_before(t) + d).max(t)
    }

    /// True when `t` lies in a working window.
    pub fn is_working(&self, t: f64) -> bool {
        if self.always {
            return true;
        }
        let r = t - floor(t / WEEK) * WEEK;
        let i = count_sorted(&self.intervals, |iv| iv.0 <= r);
        i > 0 && r < self.intervals[i - 1].1
    }

    /// The earliest working instant at or after `t`; infinity for a calendar
    /// without working time.
    pub fn next_working(&self, t: f64) -> f64 {
        if self.always || self.is_working(t) {
            return t;
        }
        if self.intervals.is_empty() {
            return f64::INFINITY;
        }
        let week = floor(t / WEEK);
        let r = t - week * WEEK;
        let i = count_sorted(&self.intervals, |iv| iv.0 <= r);
        let next = if i < self.intervals.len() {
            week * WEEK + self.intervals[i].0
        } else {
            (week + 1.0) * WEEK + self.intervals[0].0
        };
        next.max(t)
    }
}

/// How many leading items of sorted `items` satisfy `pred` (true on a
/// prefix): `partition_point`, by a branch-free count for a short calendar
/// (a working week rarely has more than a dozen windows, and a binary search
/// over random query times mispredicts at every level), by binary search for
/// a long one.
#[inline]
fn count_sorted<T>(items: &[T], pred: impl Fn(&T) -> bool) -> usize {
    if items.len() <= 32 {
        items.iter().map(|x| usize::from(pred(x))).sum()
    } else {
        items.partition_point(pred)
    }
}

/// `x.floor()`, bit for bit, without a call into the maths library: on
/// x86-64 without SSE4.1, `f64::floor` is a libm call, and the calendar
/// floors on every query. For 0 < x < 2^52, truncating to an integer is the
/// floor and converts back exactly; zeros, negatives, large values and NaN
/// take `f64::floor`.
#[inline]
fn floor(x: f64) -> f64 {
    if x > 0.0 && x < 4_503_599_627_370_496.0 {
        (x as u64) as f64
    } else {
        x.floor()
    }
}

/// A simulated time as a person reads it, e.g. `week 3 tue 09:00:05.250
/// (t = 1328405.25 s)`; weeks count from 1 as in docs/MODEL.md section 2.
pub fn describe_time(t: f64) -> String {
    let week = (t / WEEK).floor();
    let in_week = t - week * WEEK;
    let day = ((in_week / DAY).floor() as usize).min(6);
    let secs = in_week - day as f64 * DAY;
    let h = (secs / 3600.0).floor();
    let m = ((secs - h * 3600.0) / 60.0).floor();
    let s = secs - h * 3600.0 - m * 60.0;
    format!(
        "week {} {} {:02}:{:02}:{:06.3} (t = {t} s)",
        week + 1.0,
        WEEKDAYS[day],
        h,
        m,
        s
    )
}

fn describe_instant(s: f64) -> String {
    let day = ((s / DAY).floor() as usize).min(6);
    let secs = s - day as f64 * DAY;
    let h = (secs / 3600.0).floor();
    let m = ((secs - h * 3600.0) / 60.0).round();
    format!("{} {:02}:{:02}", WEEKDAYS[day], h, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{HOUR, MINUTE};

    fn office() -> Calendar {
        Calendar::weekly("office", &[0, 1, 2, 3, 4], &[(9.0 * HOUR, 17.0 * HOUR)]).unwrap()
    }

    #[test]
    fn the_count_is_the_partition_point() {
        for len in [0, 1, 5, 32, 33, 100] {
            let items: Vec<f64> = (0..len).map(|i| f64::from(i / 2)).collect();
            for q in -1..=len {
                let q = f64::from(q) / 2.0;
                let pred = |x: &f64| *x <= q;
                assert_eq!(count_sorted(&items, pred), items.partition_point(pred));
                let pred = |x: &f64| *x < q;
                assert_eq!(count_sorted(&items, pred), items.partition_point(pred));
            }
        }
    }

    #[test]
    fn the_fast_floor_is_f64_floor_bit_for_bit() {
        let edges = [
            0.0,
            -0.0,
            0.5,
            1.0,
            -1.5,
            1e-300,
            WEEK - 1e-9,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9.0e18,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ];
        let mut x = 0.123_f64;
        let values = edges.into_iter().chain((0..100_000).map(|_| {
            x = (x * 1_103_515.245 + 0.314_159).rem_euclid(1e7) - 1e3;
            x
        }));
        for v in values {
            assert_eq!(floor(v).to_bits(), v.floor().to_bits(), "{v}");
        }
    }

    #[test]
    fn task_started_before_closing_finishes_next_morning() {
        let cal = office();
        let start = 16.0 * HOUR + 50.0 * MINUTE; // Monday 16:50
        let end = cal.add_working(start, 30.0 * MINUTE);
        assert_eq!(end, DAY + 9.0 * HOUR + 20.0 * MINUTE);
    }

    #[test]
    fn friday_task_resumes_on_monday() {
        let cal = office();
        let start = 4.0 * DAY + 16.0 * HOUR; // Friday 16:00
        let end = cal.add_working(start, 2.0 * HOUR);
        assert_eq!(end, WEEK + 10.0 * HOUR);
        assert_eq!(cal.working_between(start, end), 2.0 * HOUR);
    }

    #[test]
    fn task_ending_at_closing_ends_at_closing() {
        let cal = office();
        assert_eq!(cal.add_working(16.0 * HOUR, HOUR), 17.0 * HOUR);
        let whole_week = cal.add_working(0.0, 40.0 * HOUR);
        assert_eq!(whole_week, 4.0 * DAY + 17.0 * HOUR);
    }

    #[test]
    fn lunch_break_pauses_work() {
        let cal = Calendar::weekly(
            "split",
            &[0, 1, 2, 3, 4],
            &[(9.0 * HOUR, 12.0 * HOUR), (13.0 * HOUR, 17.0 * HOUR)],
        )
        .unwrap();
        assert_eq!(cal.working_per_week(), 35.0 * HOUR);
        assert_eq!(cal.add_working(11.5 * HOUR, HOUR), 13.5 * HOUR);
        assert!(!cal.is_working(12.5 * HOUR));
        assert_eq!(cal.next_working(12.5 * HOUR), 13.0 * HOUR);
        assert_eq!(cal.next_working(17.0 * HOUR), DAY + 9.0 * HOUR);
        assert_eq!(cal.next_working(4.0 * DAY + 18.0 * HOUR), WEEK + 9.0 * HOUR);
    }

    #[test]
    fn window_past_midnight_wraps_the_week() {
        let cal = Calendar::weekly("night", &[6], &[(22.0 * HOUR, 2.0 * HOUR)]).unwrap();
        assert_eq!(cal.working_per_week(), 4.0 * HOUR);
        assert!(cal.is_working(HOUR)); // Monday 01:00, from Sunday's shift
        assert!(cal.is_working(6.0 * DAY + 23.0 * HOUR));
        assert_eq!(
            cal.add_working(6.0 * DAY + 23.0 * HOUR, 2.0 * HOUR),
            WEEK + HOUR
        );
    }

    #[test]
    fn overlapping_windows_are_rejected() {
        let err = Calendar::weekly(
            "x",
            &[0],
            &[(9.0 * HOUR, 12.0 * HOUR), (11.0 * HOUR, 13.0 * HOUR)],
        );
        assert!(err.unwrap_err().contains("overlap"));
        // Monday's 20:00-10:00 runs into Tuesday's 09:00-12:00.
        let late = Calendar::weekly(
            "y",
            &[0, 1],
            &[(20.0 * HOUR, 10.0 * HOUR), (9.0 * HOUR, 12.0 * HOUR)],
        );
        assert!(late.unwrap_err().contains("overlap"));
    }

    #[test]
    fn full_week_windows_equal_always() {
        let cal = Calendar::weekly("all", &[0, 1, 2, 3, 4, 5, 6], &[(0.0, DAY)]).unwrap();
        assert_eq!(cal.working_per_week(), WEEK);
        assert_eq!(cal.add_working(5.0, 10.0), 15.0);
    }

    #[test]
    fn empty_calendar_never_opens() {
        let cal = Calendar::weekly("none", &[], &[(9.0 * HOUR, 17.0 * HOUR)]).unwrap();
        assert!(!cal.has_working_time());
        assert_eq!(cal.next_working(0.0), f64::INFINITY);
        assert_eq!(cal.at_working(1.0), f64::INFINITY);
    }

    #[test]
    fn working_time_round_trips() {
        let cal = office();
        for k in 0..500 {
            let t = k as f64 * 7919.0;
            let u = cal.working_before(t);
            let back = cal.at_working(u);
            assert!(back <= t + 1e-6);
            assert!((cal.working_before(back) - u).abs() < 1e-6);
        }
    }
}
