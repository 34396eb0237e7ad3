//! Times shown in a chosen time zone: the choice, UTC offsets, and conversions between
//! FILETIME instants and wall-clock text.
//!
//! Zone rules come from the caller through [`OffsetLookup`]. The page takes the offset at
//! each instant from the browser's `Intl.DateTimeFormat`, so no time zone database ships
//! with the app, daylight saving time follows the browser's rules, and this module is
//! tested natively with fixed and fake rules.

use super::filter::{Condition, Filter, FilterField};
use super::timeline::Unit;
use crate::filetime::{CivilTime, FileTime};

/// The maximum length of a zone name. The longest IANA name has 32 characters.
const MAX_ZONE_NAME: usize = 64;
const TICKS_PER_SECOND: u64 = 10_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// The zone the page shows times in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ZoneChoice {
    #[default]
    Utc,
    /// The zone of the browser showing the page, so two viewers of one link may differ.
    Local,
    /// An IANA zone name such as `Europe/Berlin`, checked only by the browser.
    Named(String),
}

impl ZoneChoice {
    /// Parses a choice as [`ZoneChoice::key`] writes it: `UTC` or `local` in any case, or a
    /// zone name of ASCII letters, digits and `/_+-:`.
    ///
    /// Returns `None` for empty text, other characters or names over 64 bytes, so hostile
    /// text never reaches the browser's zone lookup.
    pub fn parse(text: &str) -> Option<ZoneChoice> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("utc") {
            return Some(ZoneChoice::Utc);
        }
        if text.eq_ignore_ascii_case("local") {
            return Some(ZoneChoice::Local);
        }
        let valid = !text.is_empty()
            && text.len() <= MAX_ZONE_NAME
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_+-:".contains(&b));
        valid.then(|| ZoneChoice::Named(text.to_owned()))
    }

    /// Returns the choice as the URL fragment stores it: `UTC`, `local` or the zone name.
    pub fn key(&self) -> &str {
        match self {
            ZoneChoice::Utc => "UTC",
            ZoneChoice::Local => "local",
            ZoneChoice::Named(name) => name,
        }
    }
}

/// A zone's rules: its offset from UTC at each instant.
pub trait OffsetLookup {
    /// Returns how many seconds the zone's clocks are ahead of UTC at `time`, negative
    /// west of Greenwich.
    fn offset_seconds(&self, time: FileTime) -> i32;
}

/// A zone whose offset never changes, such as UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedOffset(pub i32);

impl OffsetLookup for FixedOffset {
    fn offset_seconds(&self, _time: FileTime) -> i32 {
        self.0
    }
}

static UTC_RULES: FixedOffset = FixedOffset(0);

/// Formats an offset as `+05:30` or `-03:00`, with seconds only where a historical local
/// mean time has them (`+00:17:30`).
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let magnitude = seconds.unsigned_abs();
    let (hours, minutes, rest) = (magnitude / 3600, magnitude / 60 % 60, magnitude % 60);
    if rest == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{rest:02}")
    }
}

/// The instant chosen for a wall-clock time that occurred twice because the clocks were
/// set back. The earliest suits a range's start, the latest its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Earliest,
    Latest,
}

/// Times as one zone shows them: its name for headings and its offset rules.
pub struct ZonedClock<'a> {
    /// The zone's name, such as `UTC` or `Asia/Kolkata`.
    pub name: String,
    pub lookup: &'a dyn OffsetLookup,
}

impl ZonedClock<'static> {
    /// Returns the clock that shows UTC.
    pub fn utc() -> ZonedClock<'static> {
        ZonedClock {
            name: "UTC".to_owned(),
            lookup: &UTC_RULES,
        }
    }
}

impl ZonedClock<'_> {
    /// Returns the wall-clock fields and the offset in seconds of `time` in this zone.
    pub fn civil(&self, time: FileTime) -> (CivilTime, i32) {
        let offset = self.lookup.offset_seconds(time);
        (time.civil_at_offset(offset), offset)
    }

    /// Formats a time with all seven fraction digits and its offset, such as
    /// `2024-05-01 14:34:56.1234567 +02:00`.
    pub fn format(&self, time: FileTime) -> String {
        let (civil, offset) = self.civil(time);
        format!(
            "{} {:02}:{:02}:{:02}.{:07} {}",
            date(&civil),
            civil.hour,
            civil.minute,
            civil.second,
            civil.ticks,
            format_offset(offset)
        )
    }

    /// Formats a time to the second with its offset, such as `2024-05-01 14:34:00 +02:00`,
    /// for chart buckets that start on whole minutes.
    pub fn format_seconds(&self, time: FileTime) -> String {
        let (civil, offset) = self.civil(time);
        format!(
            "{} {:02}:{:02}:{:02} {}",
            date(&civil),
            civil.hour,
            civil.minute,
            civil.second,
            format_offset(offset)
        )
    }

    /// Formats a time as an `<input type="datetime-local">` value to the second, such as
    /// `2024-05-01T14:34:56`.
    pub fn input_value(&self, time: FileTime) -> String {
        let (civil, _) = self.civil(time);
        format!(
            "{}T{:02}:{:02}:{:02}",
            date(&civil),
            civil.hour,
            civil.minute,
            civil.second
        )
    }

    /// Labels a chart bucket starting at `start`: `HH:MM` for minutes, `MM-DD HH:MM` for
    /// hours, and for days `YYYY-MM-DD` when the bucket starts at local midnight, else
    /// `MM-DD HH:MM`, because buckets start at UTC boundaries.
    pub fn axis_label(&self, start: FileTime, unit: Unit) -> String {
        let (civil, _) = self.civil(start);
        let clock = format!("{:02}:{:02}", civil.hour, civil.minute);
        let month_day = format!("{:02}-{:02}", civil.month, civil.day);
        match unit {
            Unit::Minute => clock,
            Unit::Day if clock == "00:00" => date(&civil),
            Unit::Hour | Unit::Day => format!("{month_day} {clock}"),
        }
    }

    /// Lists the active conditions of `filter` as [`Filter::conditions`] does, with the
    /// time bounds shown in this zone.
    pub fn conditions(&self, filter: &Filter) -> Vec<Condition> {
        let mut conditions = filter.conditions();
        for condition in &mut conditions {
            let bound = match condition.field {
                FilterField::From => filter.from,
                FilterField::To => filter.to,
                _ => None,
            };
            if let Some(time) = bound {
                condition.value = self.format(time);
            }
        }
        conditions
    }

    /// Finds the instant at which this zone's clocks read `civil`.
    ///
    /// A time the clocks passed twice (set back) resolves to the instant `pick` selects. A time the
    /// clocks skipped (set forward) resolves to the instant of the jump, the first instant
    /// after every earlier wall-clock time. Returns `None` only for instants a FILETIME
    /// cannot hold.
    pub fn resolve(&self, civil: CivilTime, pick: Pick) -> Option<FileTime> {
        let wall = FileTime::from_civil_at_offset(civil, 0)?;
        // NOTE: zones change offset at most once within a day of any instant in practice;
        // two changes that close together would be missed here.
        let nearby = [-SECONDS_PER_DAY, 0, SECONDS_PER_DAY].map(|shift| {
            let shifted = i128::from(wall.0) + i128::from(shift) * i128::from(TICKS_PER_SECOND);
            let shifted = FileTime(shifted.clamp(0, i128::from(u64::MAX)) as u64);
            self.lookup.offset_seconds(shifted)
        });
        let mut found: Vec<FileTime> = nearby
            .iter()
            .filter_map(|offset| {
                let time = FileTime::from_civil_at_offset(civil, *offset)?;
                (self.lookup.offset_seconds(time) == *offset).then_some(time)
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        let chosen = match pick {
            Pick::Earliest => found.first(),
            Pick::Latest => found.last(),
        };
        if let Some(time) = chosen {
            return Some(*time);
        }
        let (lowest, highest) = (nearby.iter().min()?, nearby.iter().max()?);
        let before = FileTime::from_civil_at_offset(civil, *highest)?;
        let after = FileTime::from_civil_at_offset(civil, *lowest)?;
        Some(self.transition_between(before, after))
    }

    /// Returns the first whole second after `before`, up to `after`, whose offset differs
    /// from the offset at `before`.
    fn transition_between(&self, before: FileTime, after: FileTime) -> FileTime {
        let offset = self.lookup.offset_seconds(before);
        let mut low = before.0 / TICKS_PER_SECOND;
        let mut high = after.0.div_ceil(TICKS_PER_SECOND);
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if self
                .lookup
                .offset_seconds(FileTime(middle * TICKS_PER_SECOND))
                == offset
            {
                low = middle;
            } else {
                high = middle;
            }
        }
        FileTime(high * TICKS_PER_SECOND)
    }
}

fn date(civil: &CivilTime) -> String {
    format!("{:04}-{:02}-{:02}", civil.year, civil.month, civil.day)
}

/// Parses an `<input type="datetime-local">` value (`2024-05-01T14:34`, with optional
/// seconds and fraction digits) into wall-clock fields. A space may replace the `T`.
///
/// Returns `None` for any other form or a field out of range.
pub fn parse_input_value(text: &str) -> Option<CivilTime> {
    let (date, clock) = text.trim().split_once(['T', ' '])?;
    let mut date_parts = date.splitn(3, '-');
    let year = number(date_parts.next()?)?;
    let month = number(date_parts.next()?)?;
    let day = number(date_parts.next()?)?;
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut clock_parts = clock.splitn(3, ':');
    let hour = number(clock_parts.next()?)?;
    let minute = number(clock_parts.next()?)?;
    let second = clock_parts.next().map_or(Some(0), number)?;
    if fraction.len() > 7 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ticks = format!("{fraction:0<7}").parse().ok()?;
    let civil = CivilTime {
        year: i64::from(year),
        month,
        day,
        hour,
        minute,
        second,
        ticks,
    };
    // Validates the fields, so February 30 and 24:00 are rejected here.
    FileTime::from_civil_at_offset(civil, 0).map(|_| civil)
}

/// Parses a field of ASCII digits only, so signs and spaces are rejected.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> FileTime {
        FileTime::parse_iso(text).unwrap()
    }

    /// Rules like central Europe in 2024: +01:00, +02:00 from 31 March 01:00 UTC until
    /// 27 October 01:00 UTC.
    struct FakeEurope;

    impl OffsetLookup for FakeEurope {
        fn offset_seconds(&self, time: FileTime) -> i32 {
            let summer = utc("2024-03-31T01:00:00Z")..utc("2024-10-27T01:00:00Z");
            if summer.contains(&time) {
                7200
            } else {
                3600
            }
        }
    }

    fn europe() -> ZonedClock<'static> {
        ZonedClock {
            name: "Fake/Europe".into(),
            lookup: &FakeEurope,
        }
    }

    fn wall(text: &str) -> CivilTime {
        parse_input_value(text).unwrap()
    }

    #[test]
    fn zone_choice_parses_and_keys() {
        assert_eq!(ZoneChoice::parse("utc"), Some(ZoneChoice::Utc));
        assert_eq!(ZoneChoice::parse(" Local "), Some(ZoneChoice::Local));
        assert_eq!(
            ZoneChoice::parse("America/Port-au-Prince"),
            Some(ZoneChoice::Named("America/Port-au-Prince".into()))
        );
        assert_eq!(
            ZoneChoice::parse("Etc/GMT+5").map(|zone| zone.key().to_owned()),
            Some("Etc/GMT+5".to_owned())
        );
        assert_eq!(ZoneChoice::Utc.key(), "UTC");
        assert_eq!(ZoneChoice::Local.key(), "local");
    }

    #[test]
    fn zone_choice_rejects_hostile_names() {
        for text in [
            "",
            "Europe/Berlin<script>",
            "a b",
            "Zürich",
            "x&tz=y",
            "%2F",
        ] {
            assert_eq!(ZoneChoice::parse(text), None, "{text:?}");
        }
        assert_eq!(ZoneChoice::parse(&"A".repeat(65)), None);
        assert!(ZoneChoice::parse(&"A".repeat(64)).is_some());
    }

    #[test]
    fn offsets_format_with_sign() {
        assert_eq!(format_offset(0), "+00:00");
        assert_eq!(format_offset(19_800), "+05:30");
        assert_eq!(format_offset(-12_600), "-03:30");
        assert_eq!(format_offset(1050), "+00:17:30");
    }

    #[test]
    fn format_shows_offset_and_fraction() {
        let time = utc("2024-05-01T12:34:56.1234567Z");
        let kolkata = ZonedClock {
            name: "Asia/Kolkata".into(),
            lookup: &FixedOffset(19_800),
        };

        assert_eq!(
            ZonedClock::utc().format(time),
            "2024-05-01 12:34:56.1234567 +00:00"
        );
        assert_eq!(europe().format(time), "2024-05-01 14:34:56.1234567 +02:00");
        assert_eq!(kolkata.format(time), "2024-05-01 18:04:56.1234567 +05:30");
        assert_eq!(kolkata.format_seconds(time), "2024-05-01 18:04:56 +05:30");
        assert_eq!(kolkata.input_value(time), "2024-05-01T18:04:56");
    }

    #[test]
    fn format_follows_daylight_saving() {
        let clock = europe();

        assert_eq!(
            clock.format(utc("2024-03-31T00:59:59Z")),
            "2024-03-31 01:59:59.0000000 +01:00"
        );
        assert_eq!(
            clock.format(utc("2024-03-31T01:00:00Z")),
            "2024-03-31 03:00:00.0000000 +02:00"
        );
        assert_eq!(
            clock.format(utc("2024-12-31T23:30:00Z")),
            "2025-01-01 00:30:00.0000000 +01:00"
        );
    }

    #[test]
    fn resolve_plain_time() {
        let clock = europe();

        let time = clock.resolve(wall("2024-05-01T14:34:56"), Pick::Earliest);

        assert_eq!(time, Some(utc("2024-05-01T12:34:56Z")));
    }

    #[test]
    fn resolve_repeated_hour_picks_end() {
        let clock = europe();
        let repeated = wall("2024-10-27T02:30");

        assert_eq!(
            clock.resolve(repeated, Pick::Earliest),
            Some(utc("2024-10-27T00:30:00Z"))
        );
        assert_eq!(
            clock.resolve(repeated, Pick::Latest),
            Some(utc("2024-10-27T01:30:00Z"))
        );
    }

    #[test]
    fn resolve_skipped_hour_gives_jump() {
        let clock = europe();
        let skipped = wall("2024-03-31T02:30:00");

        assert_eq!(
            clock.resolve(skipped, Pick::Earliest),
            Some(utc("2024-03-31T01:00:00Z"))
        );
        assert_eq!(
            clock.resolve(skipped, Pick::Latest),
            Some(utc("2024-03-31T01:00:00Z"))
        );
    }

    #[test]
    fn resolve_round_trips_input_value() {
        let clock = europe();
        let kolkata = ZonedClock {
            name: "Asia/Kolkata".into(),
            lookup: &FixedOffset(19_800),
        };

        for text in [
            "2024-01-15T08:00:00Z",
            "2024-03-31T00:59:59Z",
            "2024-03-31T01:00:00Z",
            "2024-07-01T23:59:59Z",
        ] {
            let time = utc(text);
            for zone in [&clock, &kolkata] {
                let typed = wall(&zone.input_value(time));
                assert_eq!(zone.resolve(typed, Pick::Earliest), Some(time), "{text}");
            }
        }
    }

    #[test]
    fn resolve_rejects_times_before_1601() {
        let kolkata = ZonedClock {
            name: "Asia/Kolkata".into(),
            lookup: &FixedOffset(19_800),
        };

        assert_eq!(
            kolkata.resolve(wall("1601-01-01T01:00"), Pick::Earliest),
            None
        );
    }

    #[test]
    fn axis_labels_follow_zone() {
        let kolkata = ZonedClock {
            name: "Asia/Kolkata".into(),
            lookup: &FixedOffset(19_800),
        };
        let utc_clock = ZonedClock::utc();
        let midnight = utc("2024-05-01T00:00:00Z");

        assert_eq!(utc_clock.axis_label(midnight, Unit::Minute), "00:00");
        assert_eq!(utc_clock.axis_label(midnight, Unit::Hour), "05-01 00:00");
        assert_eq!(utc_clock.axis_label(midnight, Unit::Day), "2024-05-01");
        assert_eq!(kolkata.axis_label(midnight, Unit::Minute), "05:30");
        assert_eq!(kolkata.axis_label(midnight, Unit::Day), "05-01 05:30");
        assert_eq!(
            kolkata.axis_label(utc("2024-04-30T18:30:00Z"), Unit::Day),
            "2024-05-01"
        );
    }

    #[test]
    fn conditions_show_bounds_in_zone() {
        let filter = Filter {
            text: "x".into(),
            from: Some(utc("2024-05-01T12:00:00Z")),
            to: Some(utc("2024-12-01T12:00:00.9999999Z")),
            ..Filter::default()
        };

        let values: Vec<String> = europe()
            .conditions(&filter)
            .into_iter()
            .map(|condition| condition.value)
            .collect();

        assert_eq!(
            values,
            [
                "x",
                "2024-05-01 14:00:00.0000000 +02:00",
                "2024-12-01 13:00:00.9999999 +01:00"
            ]
        );
    }

    #[test]
    fn input_value_parses_forms() {
        let minutes = wall("2024-05-01T14:34");
        let spaced = wall("2024-05-01 14:34:56.5");

        assert_eq!((minutes.hour, minutes.minute, minutes.second), (14, 34, 0));
        assert_eq!((spaced.second, spaced.ticks), (56, 5_000_000));
        for text in [
            "",
            "2024-05-01",
            "2024-02-30T00:00",
            "2024-05-01T24:00",
            "2024-05-01T-1:00",
            "2024-05-01T14:34:56.12345678",
            "2024-05-01T14:34+02:00",
        ] {
            assert_eq!(parse_input_value(text), None, "{text:?}");
        }
    }
}
