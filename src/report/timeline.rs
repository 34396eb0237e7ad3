//! Event 4983 over time: rows of a view counted per time bucket and stacked by cause.

use super::table::Table;
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};

const TICKS_PER_MINUTE: u64 = 60 * 10_000_000;

/// The maximum number of one-minute, one-hour or one-day buckets. A longer span gets
/// buckets of several days, where aligning the first bucket can add one more.
pub const MAX_BUCKETS: u64 = 180;

/// The unit of a bucket's width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Minute,
    Hour,
    Day,
}

impl Unit {
    fn ticks(self) -> u64 {
        match self {
            Unit::Minute => TICKS_PER_MINUTE,
            Unit::Hour => 60 * TICKS_PER_MINUTE,
            Unit::Day => 24 * 60 * TICKS_PER_MINUTE,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
        }
    }
}

/// A bucket's width: `count` units. Only days come in multiples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub unit: Unit,
    pub count: u64,
}

impl Step {
    /// Returns the bucket width in 100 ns ticks.
    pub fn ticks(self) -> u64 {
        self.unit.ticks() * self.count
    }

    /// Chooses the finest unit that covers `first..=last` in at most [`MAX_BUCKETS`]
    /// buckets aligned to UTC unit boundaries, falling back to several days per bucket.
    pub fn for_span(first: FileTime, last: FileTime) -> Step {
        for unit in [Unit::Minute, Unit::Hour, Unit::Day] {
            if bucket_count(first, last, unit.ticks()) <= MAX_BUCKETS {
                return Step { unit, count: 1 };
            }
        }
        let days = bucket_count(first, last, Unit::Day.ticks());
        Step {
            unit: Unit::Day,
            count: days.div_ceil(MAX_BUCKETS),
        }
    }

    /// Describes the width, such as `1 hour` or `3 days`.
    pub fn describe(self) -> String {
        let plural = if self.count == 1 { "" } else { "s" };
        format!("{} {}{plural}", self.count, self.unit.name())
    }
}

/// Counts the aligned buckets of width `ticks` from the one holding `first` to the one
/// holding `last`.
fn bucket_count(first: FileTime, last: FileTime, ticks: u64) -> u64 {
    last.0 / ticks - first.0 / ticks + 1
}

/// One bucket: its time range and its rows per cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBucket {
    pub start: FileTime,
    /// The first time after the bucket, which covers `start..end`.
    pub end: FileTime,
    /// Rows per cause, indexed by [`Cause::index`].
    pub counts: [u64; 5],
}

impl TimeBucket {
    /// Returns the rows of every cause.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Returns the last time inside the bucket, for an inclusive filter bound.
    pub fn last_tick(&self) -> FileTime {
        FileTime(self.end.0 - 1)
    }
}

/// The rows of a view per time bucket, empty buckets included so gaps show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub step: Step,
    pub buckets: Vec<TimeBucket>,
}

impl Timeline {
    /// Returns the largest bucket total, 0 for an empty timeline.
    pub fn max_total(&self) -> u64 {
        self.buckets
            .iter()
            .map(TimeBucket::total)
            .max()
            .unwrap_or(0)
    }

    /// Formats a bucket's start for an axis: `HH:MM` for minutes, `MM-DD HH:00` for hours,
    /// `YYYY-MM-DD` for days, all UTC.
    pub fn axis_label(&self, bucket: &TimeBucket) -> String {
        let text = bucket.start.to_string();
        match self.step.unit {
            Unit::Minute => text[11..16].to_owned(),
            Unit::Hour => format!("{} {}:00", &text[5..10], &text[11..13]),
            Unit::Day => text[..10].to_owned(),
        }
    }
}

impl Table {
    /// Counts the rows `indices` per time bucket and cause, with the bucket width chosen
    /// from the span of their TimeCreated values. An empty view has no buckets.
    pub fn timeline(&self, indices: &[u32]) -> Timeline {
        let times = indices.iter().map(|index| self.times[*index as usize]);
        let (Some(first), Some(last)) = (times.clone().min(), times.max()) else {
            return Timeline {
                step: Step {
                    unit: Unit::Minute,
                    count: 1,
                },
                buckets: Vec::new(),
            };
        };
        let step = Step::for_span(first, last);
        let width = step.ticks();
        let origin = first.0 / width * width;
        let count = (last.0 - origin) / width + 1;
        let mut buckets: Vec<TimeBucket> = (0..count)
            .map(|position| {
                let start = origin + position * width;
                TimeBucket {
                    start: FileTime(start),
                    end: FileTime(start.saturating_add(width)),
                    counts: [0; 5],
                }
            })
            .collect();
        for index in indices {
            let position = ((self.times[*index as usize].0 - origin) / width) as usize;
            buckets[position].counts[self.cause_of(*index).index()] += 1;
        }
        Timeline { step, buckets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, table_of};
    use crate::scan::{FieldValue, RawEvent};

    fn time(text: &str) -> FileTime {
        FileTime::parse_iso(text).unwrap()
    }

    fn at(record_id: u64, when: &str, reason: &str) -> RawEvent {
        let mut raw = failure_at(record_id, 0);
        raw.time_created = time(when);
        raw.data[13].value = FieldValue::Text(reason.into());
        raw
    }

    #[test]
    fn step_follows_span() {
        let start = time("2024-05-01T12:00:00Z");
        let step = |end: &str| Step::for_span(start, time(end));

        assert_eq!(step("2024-05-01T12:00:00Z").unit, Unit::Minute);
        assert_eq!(step("2024-05-01T14:59:59Z").unit, Unit::Minute);
        assert_eq!(step("2024-05-01T15:00:00Z").unit, Unit::Hour);
        assert_eq!(step("2024-05-08T12:00:00Z").unit, Unit::Hour);
        assert_eq!(step("2024-05-09T12:00:00Z").unit, Unit::Day);
        assert_eq!(
            step("2024-10-27T00:00:00Z"),
            Step {
                unit: Unit::Day,
                count: 1
            }
        );
        assert_eq!(
            step("2025-05-01T00:00:00Z"),
            Step {
                unit: Unit::Day,
                count: 3
            }
        );
        assert_eq!(step("2025-05-01T00:00:00Z").describe(), "3 days");
    }

    #[test]
    fn minute_buckets_stack_causes() {
        let table = table_of(vec![
            at(1, "2024-05-01T12:00:10Z", "Negotiation timed out"),
            at(2, "2024-05-01T12:00:50Z", "No policy configured"),
            at(3, "2024-05-01T12:03:00Z", "Negotiation timed out"),
            at(4, "2024-05-01T12:00:59.9999999Z", "Negotiation timed out"),
        ]);

        let timeline = table.timeline(&table.all_indices());

        assert_eq!(timeline.step.unit, Unit::Minute);
        assert_eq!(timeline.buckets.len(), 4);
        assert_eq!(timeline.buckets[0].start, time("2024-05-01T12:00:00Z"));
        assert_eq!(timeline.buckets[0].end, time("2024-05-01T12:01:00Z"));
        assert_eq!(timeline.buckets[0].counts, [1, 0, 2, 0, 0]);
        assert_eq!(timeline.buckets[1].total(), 0);
        assert_eq!(timeline.buckets[2].total(), 0);
        assert_eq!(timeline.buckets[3].counts, [0, 0, 1, 0, 0]);
        assert_eq!(timeline.max_total(), 3);
        assert_eq!(timeline.axis_label(&timeline.buckets[3]), "12:03");
        assert_eq!(
            timeline.buckets[0].last_tick(),
            time("2024-05-01T12:00:59.9999999Z")
        );
    }

    #[test]
    fn hour_and_day_buckets_align_to_utc() {
        let table = table_of(vec![
            at(1, "2024-05-01T12:59:00Z", "x"),
            at(2, "2024-05-02T09:10:00Z", "x"),
        ]);

        let hours = table.timeline(&table.all_indices());
        let day_table = table_of(vec![
            at(1, "2024-05-01T23:00:00Z", "x"),
            at(2, "2024-06-15T01:00:00Z", "x"),
        ]);
        let days = day_table.timeline(&day_table.all_indices());

        assert_eq!(hours.step.unit, Unit::Hour);
        assert_eq!(hours.buckets.len(), 22);
        assert_eq!(hours.buckets[0].start, time("2024-05-01T12:00:00Z"));
        assert_eq!(hours.axis_label(&hours.buckets[21]), "05-02 09:00");
        assert_eq!(hours.buckets[21].counts, [0, 0, 0, 0, 1]);
        assert_eq!(days.step.unit, Unit::Day);
        assert_eq!(days.buckets.len(), 46);
        assert_eq!(days.axis_label(&days.buckets[45]), "2024-06-15");
    }

    #[test]
    fn view_subset_and_empty_view() {
        let table = table_of(vec![
            at(1, "2024-05-01T12:00:00Z", "x"),
            at(2, "2024-05-03T12:00:00Z", "x"),
        ]);

        let one = table.timeline(&[1]);
        let none = table.timeline(&[]);

        assert_eq!(one.buckets.len(), 1);
        assert_eq!(one.buckets[0].start, time("2024-05-03T12:00:00Z"));
        assert!(none.buckets.is_empty());
        assert_eq!(none.max_total(), 0);
    }

    #[test]
    fn bogus_old_time_keeps_bucket_count_bounded() {
        let table = table_of(vec![
            at(1, "1601-01-01T00:00:00Z", "x"),
            at(2, "2024-05-03T12:00:00Z", "x"),
        ]);

        let timeline = table.timeline(&table.all_indices());

        assert!(timeline.buckets.len() as u64 <= MAX_BUCKETS + 1);
        assert_eq!(
            timeline.buckets.iter().map(TimeBucket::total).sum::<u64>(),
            2
        );
    }
}
