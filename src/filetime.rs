//! Windows FILETIME values: 100 ns ticks since 1601-01-01 UTC, as EVTX stores times.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Ticks between 1601-01-01 and 1970-01-01.
const UNIX_EPOCH_TICKS: u64 = 116_444_736_000_000_000;
const TICKS_PER_SECOND: u64 = 10_000_000;
const SECONDS_PER_DAY: u64 = 86_400;

/// A point in time as Windows stores it, kept whole so no precision is lost.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct FileTime(pub u64);

impl FileTime {
    /// Builds a time from its UTC calendar fields and the 100 ns ticks within the second.
    ///
    /// Returns `None` for a date before 1601 or fields out of range.
    pub fn from_utc(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        ticks: u32,
    ) -> Option<FileTime> {
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60
            && u64::from(ticks) < TICKS_PER_SECOND;
        if !valid {
            return None;
        }
        let days = days_from_civil(year, month, day) - days_from_civil(1601, 1, 1);
        let days = u64::try_from(days).ok()?;
        let seconds = days * SECONDS_PER_DAY
            + u64::from(hour) * 3600
            + u64::from(minute) * 60
            + u64::from(second);
        seconds
            .checked_mul(TICKS_PER_SECOND)?
            .checked_add(u64::from(ticks))
            .map(FileTime)
    }

    /// Parses the ISO 8601 form that [`fmt::Display`] writes, such as
    /// `2024-05-01T12:34:56.1234567Z`; fewer fraction digits are accepted.
    pub fn parse_iso(text: &str) -> Option<FileTime> {
        let text = text.strip_suffix('Z')?;
        let (date, time) = text.split_once('T')?;
        let mut date_parts = date.splitn(3, '-');
        let year = date_parts.next()?.parse().ok()?;
        let month = date_parts.next()?.parse().ok()?;
        let day = date_parts.next()?.parse().ok()?;
        let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut clock_parts = clock.splitn(3, ':');
        let hour = clock_parts.next()?.parse().ok()?;
        let minute = clock_parts.next()?.parse().ok()?;
        let second = clock_parts.next()?.parse().ok()?;
        if fraction.len() > 7 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let ticks = format!("{fraction:0<7}").parse().ok()?;
        FileTime::from_utc(year, month, day, hour, minute, second, ticks)
    }

    /// Milliseconds since the Unix epoch, for the browser's `Date`; earlier times are negative.
    pub fn unix_millis(self) -> i64 {
        (self.0 as i64 - UNIX_EPOCH_TICKS as i64) / 10_000
    }

    /// Builds a time from milliseconds since the Unix epoch; times before 1601 clamp to 0.
    pub fn from_unix_millis(millis: i64) -> FileTime {
        let ticks = i128::from(millis) * 10_000 + i128::from(UNIX_EPOCH_TICKS);
        FileTime(u64::try_from(ticks.max(0)).unwrap_or(u64::MAX))
    }
}

/// A date and wall-clock time as calendar fields, with no zone attached: what a clock at
/// some UTC offset reads at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 100 ns ticks within the second.
    pub ticks: u32,
}

impl FileTime {
    /// Splits the time into the calendar fields a clock `offset_seconds` ahead of UTC
    /// shows. Works for every offset, even where the wall clock reads a date before 1601.
    pub fn civil_at_offset(self, offset_seconds: i32) -> CivilTime {
        let ticks = i128::from(self.0) + i128::from(offset_seconds) * i128::from(TICKS_PER_SECOND);
        let seconds = ticks.div_euclid(i128::from(TICKS_PER_SECOND));
        let days = seconds.div_euclid(i128::from(SECONDS_PER_DAY));
        let second_of_day = seconds.rem_euclid(i128::from(SECONDS_PER_DAY)) as u32;
        // A u64 of ticks spans about 58,000 years, so the day count fits an i64.
        let (year, month, day) = civil_from_days(days as i64 + days_from_civil(1601, 1, 1));
        CivilTime {
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
            ticks: ticks.rem_euclid(i128::from(TICKS_PER_SECOND)) as u32,
        }
    }

    /// Builds the instant at which a clock `offset_seconds` ahead of UTC reads `civil`.
    ///
    /// Returns `None` for fields out of range or an instant outside what a FILETIME holds.
    pub fn from_civil_at_offset(civil: CivilTime, offset_seconds: i32) -> Option<FileTime> {
        let valid = (1..=12).contains(&civil.month)
            && (1..=days_in_month(civil.year, civil.month)).contains(&civil.day)
            && civil.hour < 24
            && civil.minute < 60
            && civil.second < 60
            && u64::from(civil.ticks) < TICKS_PER_SECOND;
        if !valid {
            return None;
        }
        let days = i128::from(days_from_civil(civil.year, civil.month, civil.day))
            - i128::from(days_from_civil(1601, 1, 1));
        let seconds = days * i128::from(SECONDS_PER_DAY)
            + i128::from(civil.hour * 3600 + civil.minute * 60 + civil.second)
            - i128::from(offset_seconds);
        let ticks = seconds * i128::from(TICKS_PER_SECOND) + i128::from(civil.ticks);
        u64::try_from(ticks).ok().map(FileTime)
    }
}

impl fmt::Display for FileTime {
    /// Writes UTC with all seven fraction digits, as Event Viewer's XML view shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0 / TICKS_PER_SECOND;
        let ticks = self.0 % TICKS_PER_SECOND;
        let days = (seconds / SECONDS_PER_DAY) as i64 + days_from_civil(1601, 1, 1);
        let (year, month, day) = civil_from_days(days);
        let second_of_day = seconds % SECONDS_PER_DAY;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ticks:07}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_keeps_seven_fraction_digits() {
        let time = FileTime::from_utc(2024, 5, 1, 12, 34, 56, 1_234_567).unwrap();
        assert_eq!(time.to_string(), "2024-05-01T12:34:56.1234567Z");
    }

    #[test]
    fn epoch_is_1601() {
        assert_eq!(FileTime(0).to_string(), "1601-01-01T00:00:00.0000000Z");
    }

    #[test]
    fn parse_round_trips_display() {
        for text in [
            "2024-02-29T23:59:59.9999999Z",
            "1999-12-31T00:00:00.0000001Z",
            "2100-03-01T01:02:03.0000000Z",
        ] {
            assert_eq!(FileTime::parse_iso(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn parse_pads_short_fractions() {
        let time = FileTime::parse_iso("2024-05-01T12:34:56.5Z").unwrap();
        assert_eq!(time.to_string(), "2024-05-01T12:34:56.5000000Z");
    }

    #[test]
    fn parse_rejects_invalid_dates() {
        assert_eq!(FileTime::parse_iso("2023-02-29T00:00:00Z"), None);
        assert_eq!(FileTime::parse_iso("2024-05-01 12:00:00Z"), None);
        assert_eq!(FileTime::parse_iso("2024-05-01T12:00:00.12345678Z"), None);
    }

    #[test]
    fn civil_at_offset_crosses_midnight() {
        let time = FileTime::from_utc(2024, 12, 31, 22, 30, 0, 5).unwrap();

        let ahead = time.civil_at_offset(5 * 3600 + 1800);
        let behind = time.civil_at_offset(-23 * 3600);

        assert_eq!((ahead.year, ahead.month, ahead.day), (2025, 1, 1));
        assert_eq!(
            (ahead.hour, ahead.minute, ahead.second, ahead.ticks),
            (4, 0, 0, 5)
        );
        assert_eq!(
            (behind.year, behind.month, behind.day, behind.hour),
            (2024, 12, 30, 23)
        );
    }

    #[test]
    fn civil_at_offset_before_1601() {
        let civil = FileTime(0).civil_at_offset(-60);

        assert_eq!((civil.year, civil.month, civil.day), (1600, 12, 31));
        assert_eq!((civil.hour, civil.minute, civil.second), (23, 59, 0));
    }

    #[test]
    fn from_civil_at_offset_inverts() {
        let time = FileTime::from_utc(2024, 3, 1, 0, 15, 9, 1_234_567).unwrap();

        for offset in [0, 3600, -9 * 3600 - 1800, 14 * 3600, 1172] {
            let civil = time.civil_at_offset(offset);
            assert_eq!(FileTime::from_civil_at_offset(civil, offset), Some(time));
        }
        let mut bad = time.civil_at_offset(0);
        bad.month = 2;
        bad.day = 30;
        assert_eq!(FileTime::from_civil_at_offset(bad, 0), None);
        assert_eq!(
            FileTime::from_civil_at_offset(FileTime(0).civil_at_offset(0), 1),
            None
        );
    }

    #[test]
    fn unix_millis_of_unix_epoch_is_zero() {
        let time = FileTime::from_utc(1970, 1, 1, 0, 0, 0, 0).unwrap();
        assert_eq!(time.unix_millis(), 0);
        assert_eq!(FileTime::from_unix_millis(0), time);
    }
}
