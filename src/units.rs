//! Units of time: duration strings (`"45s"`, `"1.5h"`), clock times and weekdays.
//!
//! The simulation clock is seconds from t = 0, Monday 00:00 of week 1.

/// Seconds in a minute.
pub const MINUTE: f64 = 60.0;
/// Seconds in an hour.
pub const HOUR: f64 = 3600.0;
/// Seconds in a calendar day.
pub const DAY: f64 = 86_400.0;
/// Seconds in a week.
pub const WEEK: f64 = 7.0 * DAY;

/// The weekday names accepted in calendars and batch times, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parses a duration string with a unit (`s`, `m`, `h`, `d`, `w`) into seconds.
///
/// A bare number, a negative, NaN or infinite value is an error: a scenario
/// must say which unit it means.
pub fn parse_duration(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let unit = t.chars().last().ok_or_else(|| empty_duration(text))?;
    let scale = match unit {
        's' => 1.0,
        'm' => MINUTE,
        'h' => HOUR,
        'd' => DAY,
        'w' => WEEK,
        c if c.is_ascii_digit() || c == '.' => {
            return Err(format!(
                "duration \"{text}\" has no unit; write it with one of s, m, h, d, w (e.g. \"{t}s\")"
            ))
        }
        _ => {
            return Err(format!(
                "duration \"{text}\" has an unknown unit; use one of s, m, h, d, w (e.g. \"45s\", \"1.5h\")"
            ))
        }
    };
    let number = &t[..t.len() - unit.len_utf8()];
    let value: f64 = number.trim().parse().map_err(|_| {
        format!("duration \"{text}\" is not a number followed by a unit (e.g. \"6m\")")
    })?;
    if !value.is_finite() {
        return Err(format!("duration \"{text}\" is not finite"));
    }
    if value < 0.0 {
        return Err(format!("duration \"{text}\" is negative"));
    }
    let seconds = value * scale;
    if !seconds.is_finite() || seconds > MAX_DURATION {
        return Err(format!(
            "duration \"{text}\" is longer than the longest supported ({} weeks)",
            MAX_DURATION / WEEK
        ));
    }
    Ok(seconds)
}

/// The longest duration a scenario may name: 1,000 years. Longer values are
/// typos, and would lose sub-second precision on an `f64` clock.
pub const MAX_DURATION: f64 = 52_000.0 * WEEK;

fn empty_duration(text: &str) -> String {
    format!("duration \"{text}\" is empty; write a number and a unit such as \"6m\"")
}

/// Formats seconds as the shortest exact duration string (`"90s"`, `"2h"`).
pub fn format_duration(seconds: f64) -> String {
    for (unit, scale) in [("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MINUTE)] {
        let v = seconds / scale;
        if seconds != 0.0 && v.fract() == 0.0 {
            return format!("{v}{unit}");
        }
    }
    format!("{seconds}s")
}

/// Parses a clock time `"HH:MM"` (`"24:00"` allowed) into seconds after midnight.
pub fn parse_clock(text: &str) -> Result<f64, String> {
    let bad = || format!("clock time \"{text}\" is not HH:MM between 00:00 and 24:00");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(f64::from(h) * HOUR + f64::from(m) * MINUTE)
}

/// Parses a weekday name (`"mon"` … `"sun"`, any case) into 0 (Monday) … 6.
pub fn parse_weekday(text: &str) -> Result<usize, String> {
    let lower = text.trim().to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .position(|d| *d == lower || (lower.len() > 3 && lower.starts_with(d)))
        .ok_or_else(|| {
            format!(
                "\"{text}\" is not a weekday; use one of {}",
                WEEKDAYS.join(", ")
            )
        })
}

/// Parses a weekly instant `"mon 08:00"` or `"08:00"` (Monday) into seconds
/// after Monday 00:00.
pub fn parse_week_time(text: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.split_once(char::is_whitespace) {
        Some((day, clock)) => {
            let day = parse_weekday(day)?;
            let clock = parse_clock(clock)?;
            if clock >= DAY {
                return Err(format!("\"{text}\": a weekly time must be before 24:00"));
            }
            Ok(day as f64 * DAY + clock)
        }
        None => {
            let clock = parse_clock(t)?;
            if clock >= DAY {
                return Err(format!("\"{text}\": a weekly time must be before 24:00"));
            }
            Ok(clock)
        }
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's
/// algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_every_unit() {
        assert_eq!(parse_duration("45s").unwrap(), 45.0);
        assert_eq!(parse_duration("6m").unwrap(), 360.0);
        assert_eq!(parse_duration("1.5h").unwrap(), 5400.0);
        assert_eq!(parse_duration("2d").unwrap(), 2.0 * DAY);
        assert_eq!(parse_duration("3w").unwrap(), 3.0 * WEEK);
        assert_eq!(parse_duration("0s").unwrap(), 0.0);
    }

    #[test]
    fn durations_reject_bare_negative_and_nan() {
        assert!(parse_duration("45").unwrap_err().contains("no unit"));
        assert!(parse_duration("-3m").unwrap_err().contains("negative"));
        assert!(parse_duration("NaNs").is_err());
        assert!(parse_duration("infh").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("1e300w").is_err());
    }

    #[test]
    fn clock_and_week_times_parse() {
        assert_eq!(parse_clock("09:30").unwrap(), 9.5 * HOUR);
        assert_eq!(parse_clock("24:00").unwrap(), DAY);
        assert!(parse_clock("24:01").is_err());
        assert!(parse_clock("9").is_err());
        assert_eq!(parse_week_time("tue 08:00").unwrap(), DAY + 8.0 * HOUR);
        assert_eq!(parse_week_time("08:00").unwrap(), 8.0 * HOUR);
        assert!(parse_week_time("xyz 08:00").is_err());
    }

    #[test]
    fn durations_format_back() {
        assert_eq!(format_duration(90.0), "90s");
        assert_eq!(format_duration(7200.0), "2h");
        assert_eq!(format_duration(WEEK * 26.0), "26w");
    }
}
