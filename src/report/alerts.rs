//! Alert rules over a view: bursts of 4983 events for one key, and retry storms of one
//! peer pair.
//!
//! A rule fires for a key when some window of `window_minutes` contains at least `min_count`
//! of its events. Windows that fire and share an event merge into one alert, so a long
//! burst is one line, not one line per window.

use super::aggregate::ValueCount;
use super::column::Column;
use super::filter::Filter;
use super::table::Table;
use super::top::{Dimension, Key, KeyRef};
use super::word_hash::WordMap;
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};

const TICKS_PER_MINUTE: u64 = 60 * 10_000_000;

/// At least `min_count` events with the same key within `window_minutes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    pub dimension: Dimension,
    /// Events needed in one window; 0 counts as 1.
    pub min_count: u32,
    /// The window length; events exactly this far apart still fall in one window.
    pub window_minutes: u32,
}

impl AlertRule {
    /// Describes the rule, such as `≥ 5 events from one remote address within 10 min`.
    pub fn describe(&self) -> String {
        let subject = match self.dimension {
            Dimension::RemoteAddress => "from one remote address",
            Dimension::PeerPair => "on one peer pair",
            Dimension::Computer => "on one computer",
            Dimension::FailureReason => "with one failure reason",
            Dimension::Cause => "with one cause",
            Dimension::IssuingCa => "naming one issuing CA",
            Dimension::RootCa => "naming one root CA",
            Dimension::CertHash => "naming one certificate thumbprint",
        };
        format!(
            "≥ {} events {subject} within {} min",
            self.min_count.max(1),
            self.window_minutes
        )
    }
}

/// The maximum event count of a custom rule.
pub const MAX_RULE_COUNT: u32 = 1_000_000;

/// The maximum window of a custom rule, in minutes: 366 days.
pub const MAX_RULE_WINDOW_MINUTES: u32 = 366 * 24 * 60;

/// An invalid number in the custom rule form, naming the field and its allowed range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "At least (events) is \"{0}\": enter a whole number from 1 to {max}.",
        max = MAX_RULE_COUNT
    )]
    InvalidCount(String),
    #[error(
        "Within (minutes) is \"{0}\": enter a whole number from 0 to {max}.",
        max = MAX_RULE_WINDOW_MINUTES
    )]
    InvalidWindow(String),
}

impl AlertRule {
    /// Reads a rule from the custom rule form's texts. The event count must be 1 to
    /// [`MAX_RULE_COUNT`] and the window 0 to [`MAX_RULE_WINDOW_MINUTES`]; an empty, signed
    /// or fractional text is invalid.
    pub fn parse(dimension: Dimension, count: &str, window: &str) -> Result<Self, RuleError> {
        let whole = |text: &str, range: std::ops::RangeInclusive<u32>| {
            let text = text.trim();
            let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| text.parse::<u32>().ok())
                .flatten()
                .filter(|value| range.contains(value))
        };
        let min_count = whole(count, 1..=MAX_RULE_COUNT)
            .ok_or_else(|| RuleError::InvalidCount(count.trim().to_owned()))?;
        let window_minutes = whole(window, 0..=MAX_RULE_WINDOW_MINUTES)
            .ok_or_else(|| RuleError::InvalidWindow(window.trim().to_owned()))?;
        Ok(AlertRule {
            dimension,
            min_count,
            window_minutes,
        })
    }
}

/// The dimensions a custom rule may group by, in the order the page offers them.
pub const CUSTOM_DIMENSIONS: [Dimension; 3] = [
    Dimension::RemoteAddress,
    Dimension::Computer,
    Dimension::PeerPair,
];

/// Rules worth checking on any log, with a short name each.
pub const PRESETS: [(&str, AlertRule); 3] = [
    (
        "Remote address burst",
        AlertRule {
            dimension: Dimension::RemoteAddress,
            min_count: 5,
            window_minutes: 10,
        },
    ),
    (
        "Computer burst",
        AlertRule {
            dimension: Dimension::Computer,
            min_count: 20,
            window_minutes: 60,
        },
    ),
    (
        "Peer pair burst",
        AlertRule {
            dimension: Dimension::PeerPair,
            min_count: 10,
            window_minutes: 30,
        },
    ),
];

/// The default longest pause inside a retry storm, in minutes.
pub const STORM_GAP_MINUTES: u32 = 10;

/// The default fewest failures that make a retry storm.
pub const STORM_MIN_COUNT: u32 = 3;

/// One firing of a rule: a key and the rows of its merged windows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub rule: AlertRule,
    pub key: Key,
    pub count: u64,
    pub first: FileTime,
    pub last: FileTime,
    /// Row indices in time order.
    pub rows: Vec<u32>,
}

impl Alert {
    /// Narrows `filter` to the alert's key and time range, which, applied to the view the
    /// alert came from, leaves exactly its rows.
    pub fn apply(&self, filter: &mut Filter) {
        self.rule.dimension.apply(&self.key, filter);
        filter.from = Some(self.first);
        filter.to = Some(self.last);
    }
}

/// Repeated failures of one peer pair, none more than the gap apart, as one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryStorm {
    /// A [`Key::Pair`].
    pub pair: Key,
    pub count: u64,
    pub first: FileTime,
    pub last: FileTime,
    /// The most common FailureReason of the storm.
    pub reason: ValueCount,
    /// Row indices in time order.
    pub rows: Vec<u32>,
}

impl RetryStorm {
    /// Narrows `filter` to the storm's peer pair and time range.
    pub fn apply(&self, filter: &mut Filter) {
        Dimension::PeerPair.apply(&self.pair, filter);
        filter.from = Some(self.first);
        filter.to = Some(self.last);
    }
}

impl Table {
    /// Evaluates `rule` over the rows `indices`. Alerts come largest first, then by first
    /// time and key.
    pub fn alerts(&self, indices: &[u32], rule: AlertRule) -> Vec<Alert> {
        let min_count = rule.min_count.max(1) as usize;
        let window = u64::from(rule.window_minutes) * TICKS_PER_MINUTE;
        let mut alerts = Vec::new();
        for (key, events) in self.events_by_key(indices, rule.dimension) {
            let first_row = events.iter().map(|event| event.1).min().unwrap_or(0);
            for range in burst_ranges(&events, min_count, window) {
                let rows: Vec<u32> = events[range.clone()].iter().map(|e| e.1).collect();
                alerts.push(Alert {
                    rule,
                    key: self.logged_key(rule.dimension, &key, first_row),
                    count: rows.len() as u64,
                    first: events[range.start].0,
                    last: events[range.end - 1].0,
                    rows,
                });
            }
        }
        alerts.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.first.cmp(&b.first))
                .then_with(|| a.key.cmp(&b.key))
        });
        alerts
    }

    /// Collapses the failures of each peer pair into storms: runs of at least `min_count`
    /// events in which each follows the previous within `max_gap_minutes`. Storms come
    /// largest first, then by first time.
    pub fn retry_storms(
        &self,
        indices: &[u32],
        max_gap_minutes: u32,
        min_count: u32,
    ) -> Vec<RetryStorm> {
        let gap = u64::from(max_gap_minutes) * TICKS_PER_MINUTE;
        let min_count = min_count.max(1) as usize;
        let mut storms = Vec::new();
        for (key, events) in self.events_by_key(indices, Dimension::PeerPair) {
            let mut start = 0;
            for end in 1..=events.len() {
                let run_ends = end == events.len() || events[end].0 .0 - events[end - 1].0 .0 > gap;
                if !run_ends {
                    continue;
                }
                if end - start >= min_count {
                    let rows: Vec<u32> = events[start..end].iter().map(|e| e.1).collect();
                    storms.push(RetryStorm {
                        pair: key.to_key(),
                        count: rows.len() as u64,
                        first: events[start].0,
                        last: events[end - 1].0,
                        reason: self.commonest_reason(&rows),
                        rows,
                    });
                }
                start = end;
            }
        }
        storms.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.first.cmp(&b.first))
                .then_with(|| a.pair.cmp(&b.pair))
        });
        storms
    }

    /// Groups rows by their keys in `dimension`, each group in time order (table order
    /// breaking ties). Groups come in no particular order.
    pub(crate) fn events_by_key(
        &self,
        indices: &[u32],
        dimension: Dimension,
    ) -> Vec<(KeyRef<'_>, Vec<(FileTime, u32)>)> {
        let Some(groups) = self.view_groups(indices, dimension) else {
            return self.events_by_key_text(indices, dimension);
        };
        let tallies = groups.tally(indices);
        let mut events: Vec<Vec<(FileTime, u32)>> = tallies
            .iter()
            .map(|(count, _)| Vec::with_capacity(*count as usize))
            .collect();
        groups.for_each(|position, group| {
            let index = indices[position];
            events[group as usize].push((self.times[index as usize], index));
        });
        let mut grouped: Vec<_> = groups
            .keys
            .into_iter()
            .zip(events)
            .filter(|(_, events)| !events.is_empty())
            .collect();
        for (_, events) in &mut grouped {
            // Views come in table order, in which times mostly rise, and the standard
            // library's stable sort finds such runs, so it beats an unstable sort here.
            // Row indices differ, so both give the same order.
            events.sort();
        }
        grouped
    }

    /// Groups as [`Table::events_by_key`] does, hashing each row's key.
    pub(crate) fn events_by_key_text(
        &self,
        indices: &[u32],
        dimension: Dimension,
    ) -> Vec<(KeyRef<'_>, Vec<(FileTime, u32)>)> {
        let mut groups: WordMap<KeyRef<'_>, Vec<(FileTime, u32)>> = WordMap::default();
        for index in indices {
            let event = &self.rows[*index as usize].event;
            for key in dimension.keys_of(event).into_iter().flatten() {
                groups
                    .entry(key)
                    .or_default()
                    .push((event.time_created, *index));
            }
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        for (_, events) in &mut groups {
            events.sort_unstable();
        }
        groups
    }

    fn commonest_reason(&self, rows: &[u32]) -> ValueCount {
        let mut counts: WordMap<Option<&str>, u64> = WordMap::default();
        let coded = self
            .text_index
            .coded(Column::FailureReason)
            // A short run among many distinct reasons is cheaper to count by text.
            .filter(|coded| coded.first_rows.len() <= rows.len().saturating_mul(4));
        if let Some(coded) = coded {
            // Each distinct reason has a value number, so counting numbers and reading each
            // number's text once spares hashing every row's text.
            let mut by_id = vec![0u64; coded.first_rows.len()];
            for index in rows {
                by_id[coded.ids.get(*index as usize) as usize] += 1;
            }
            for (id, count) in by_id
                .into_iter()
                .enumerate()
                .filter(|(_, count)| *count > 0)
            {
                let row = coded.first_rows[id] as usize;
                counts.insert(self.rows[row].event.failure_reason(), count);
            }
        } else {
            for index in rows {
                let reason = self.rows[*index as usize].event.failure_reason();
                *counts.entry(reason).or_default() += 1;
            }
        }
        let (value, count) = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .unwrap_or((None, 0));
        ValueCount {
            value: value.map(str::to_owned),
            count,
        }
    }
}

/// Finds the index ranges of `events` (sorted by time) covered by firing windows, merging
/// windows that share an event.
fn burst_ranges(
    events: &[(FileTime, u32)],
    min_count: usize,
    window: u64,
) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    if events.len() < min_count {
        return ranges;
    }
    for start in 0..=events.len() - min_count {
        let end = start + min_count;
        if events[end - 1].0 .0 - events[start].0 .0 > window {
            continue;
        }
        match ranges.last_mut() {
            Some(last) if start < last.end => last.end = end,
            _ => ranges.push(start..end),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::SAMPLE_TIME;
    use crate::report::sample::{failure_at, table_of};
    use crate::scan::{FieldValue, RawEvent};

    const SECOND: u64 = 10_000_000;

    /// Builds a failure from `remote` to local 10.0.0.1, `seconds` after the sample time.
    fn from(record_id: u64, remote: &str, seconds: u64) -> RawEvent {
        let mut raw = failure_at(record_id, seconds);
        raw.data[10].value = FieldValue::Text(remote.into());
        raw
    }

    fn at(seconds: u64) -> FileTime {
        FileTime(SAMPLE_TIME.0 + seconds * SECOND)
    }

    fn remote_rule(min_count: u32, window_minutes: u32) -> AlertRule {
        AlertRule {
            dimension: Dimension::RemoteAddress,
            min_count,
            window_minutes,
        }
    }

    /// 10.0.0.2 fails five times within 4 minutes and twice again 30 minutes later;
    /// 10.0.0.3 fails five times 3 minutes apart (12 minutes in all), and
    /// 10.0.0.4 five times exactly 10 minutes from first to last.
    fn burst_table() -> Table {
        let mut events = Vec::new();
        for (n, minute) in [0, 1, 2, 3, 4, 34, 35].into_iter().enumerate() {
            events.push(from(n as u64 + 1, "10.0.0.2", minute * 60));
        }
        for (n, minute) in [0, 3, 6, 9, 12].into_iter().enumerate() {
            events.push(from(n as u64 + 11, "10.0.0.3", minute * 60));
        }
        for (n, seconds) in [0, 150, 300, 450, 600].into_iter().enumerate() {
            events.push(from(n as u64 + 21, "10.0.0.4", seconds));
        }
        table_of(events)
    }

    #[test]
    fn preset_finds_exact_bursts() {
        let table = burst_table();

        let alerts = table.alerts(&table.all_indices(), PRESETS[0].1);

        let shown: Vec<(String, u64, FileTime, FileTime)> = alerts
            .iter()
            .map(|a| (a.key.to_string(), a.count, a.first, a.last))
            .collect();
        assert_eq!(
            shown,
            [
                ("10.0.0.2".to_owned(), 5, at(0), at(240)),
                ("10.0.0.4".to_owned(), 5, at(0), at(600)),
            ]
        );
        assert_eq!(alerts[0].rows, [0, 1, 2, 3, 4]);
        assert_eq!(alerts[1].rows, [12, 13, 14, 15, 16]);
    }

    #[test]
    fn window_edge_is_inclusive() {
        let mut events: Vec<RawEvent> = (0..4).map(|n| from(n + 1, "10.0.0.5", n * 150)).collect();
        events.push(from(5, "10.0.0.5", 600));
        let mut late = events.clone();
        late[4].time_created = FileTime(at(600).0 + 1);
        let on_edge = table_of(events);
        let past_edge = table_of(late);

        assert_eq!(
            on_edge
                .alerts(&on_edge.all_indices(), remote_rule(5, 10))
                .len(),
            1
        );
        assert!(past_edge
            .alerts(&past_edge.all_indices(), remote_rule(5, 10))
            .is_empty());
    }

    #[test]
    fn overlapping_windows_merge() {
        // Thirty failures one minute apart: every 5-in-10-minutes window overlaps the next.
        let events: Vec<RawEvent> = (0..30).map(|n| from(n + 1, "10.0.0.6", n * 60)).collect();
        let table = table_of(events);

        let alerts = table.alerts(&table.all_indices(), remote_rule(5, 10));

        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].count, 30);
        assert_eq!(alerts[0].last, at(29 * 60));
    }

    #[test]
    fn separate_bursts_stay_separate() {
        let table = burst_table();

        let alerts = table.alerts(&table.all_indices(), remote_rule(2, 1));

        let shown: Vec<(String, u64)> = alerts
            .iter()
            .map(|a| (a.key.to_string(), a.count))
            .collect();
        assert_eq!(
            shown,
            [("10.0.0.2".to_owned(), 5), ("10.0.0.2".to_owned(), 2)]
        );
    }

    #[test]
    fn alert_filter_selects_its_rows() {
        let table = burst_table();
        let alerts = table.alerts(&table.all_indices(), PRESETS[0].1);

        for alert in &alerts {
            let mut filter = Filter::default();
            alert.apply(&mut filter);

            assert_eq!(table.filter(&filter), alert.rows);
        }
    }

    #[test]
    fn computer_preset_needs_twenty() {
        let nineteen: Vec<RawEvent> = (0..19).map(|n| from(n + 1, "10.0.0.7", n * 60)).collect();
        let mut twenty = nineteen.clone();
        twenty.push(from(20, "10.0.0.8", 3600));
        let short = table_of(nineteen);
        let enough = table_of(twenty);

        assert!(short.alerts(&short.all_indices(), PRESETS[1].1).is_empty());
        let alerts = enough.alerts(&enough.all_indices(), PRESETS[1].1);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].key.to_string(), "host1.contoso.com");
        assert_eq!(alerts[0].count, 20);
    }

    #[test]
    fn computer_alert_keeps_logged_spelling() {
        let mut events: Vec<RawEvent> = (0..20).map(|n| from(n + 1, "10.0.0.7", n * 60)).collect();
        for (n, event) in events.iter_mut().enumerate() {
            event.computer = if n == 0 {
                "SRV-FS01.corp.contoso.com"
            } else {
                "srv-fs01.corp.contoso.com"
            }
            .into();
        }
        let table = table_of(events);

        let alerts = table.alerts(&table.all_indices(), PRESETS[1].1);

        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].key.to_string(), "SRV-FS01.corp.contoso.com");
        assert_eq!(alerts[0].count, 20);
    }

    #[test]
    fn rule_form_checks_ranges() {
        let parse = |count, window| AlertRule::parse(Dimension::Computer, count, window);

        assert_eq!(
            parse(" 7 ", "0"),
            Ok(AlertRule {
                dimension: Dimension::Computer,
                min_count: 7,
                window_minutes: 0,
            })
        );
        assert_eq!(parse("0", "10"), Err(RuleError::InvalidCount("0".into())));
        assert_eq!(parse("", "10"), Err(RuleError::InvalidCount("".into())));
        assert_eq!(parse("+5", "10"), Err(RuleError::InvalidCount("+5".into())));
        assert_eq!(
            parse("2.5", "10"),
            Err(RuleError::InvalidCount("2.5".into()))
        );
        assert_eq!(
            parse("1000001", "10"),
            Err(RuleError::InvalidCount("1000001".into()))
        );
        assert_eq!(parse("5", "-4"), Err(RuleError::InvalidWindow("-4".into())));
        assert_eq!(
            parse("5", "527041"),
            Err(RuleError::InvalidWindow("527041".into()))
        );
        assert!(parse("1000000", "527040").is_ok());
    }

    #[test]
    fn rule_errors_name_field_and_range() {
        let count = RuleError::InvalidCount("0".into()).to_string();
        let window = RuleError::InvalidWindow("-4".into()).to_string();

        assert_eq!(
            count,
            "At least (events) is \"0\": enter a whole number from 1 to 1000000."
        );
        assert_eq!(
            window,
            "Within (minutes) is \"-4\": enter a whole number from 0 to 527040."
        );
    }

    #[test]
    fn rule_descriptions() {
        assert_eq!(
            PRESETS[0].1.describe(),
            "≥ 5 events from one remote address within 10 min"
        );
        assert_eq!(
            PRESETS[1].1.describe(),
            "≥ 20 events on one computer within 60 min"
        );
    }

    #[test]
    fn retry_storms_collapse_by_pair() {
        let table = burst_table();

        let storms = table.retry_storms(&table.all_indices(), 5, 2);

        let shown: Vec<(String, u64, FileTime, FileTime)> = storms
            .iter()
            .map(|s| (s.pair.to_string(), s.count, s.first, s.last))
            .collect();
        assert_eq!(
            shown,
            [
                ("10.0.0.1 → 10.0.0.2".to_owned(), 5, at(0), at(240)),
                ("10.0.0.1 → 10.0.0.3".to_owned(), 5, at(0), at(720)),
                ("10.0.0.1 → 10.0.0.4".to_owned(), 5, at(0), at(600)),
                ("10.0.0.1 → 10.0.0.2".to_owned(), 2, at(2040), at(2100)),
            ]
        );
        assert_eq!(
            storms[0].reason,
            ValueCount {
                value: Some("No policy configured".into()),
                count: 5
            }
        );
        let mut filter = Filter::default();
        storms[3].apply(&mut filter);
        assert_eq!(table.filter(&filter), [5, 6]);
    }

    #[test]
    fn retry_storms_respect_min_count() {
        let table = burst_table();

        let storms = table.retry_storms(&table.all_indices(), 5, 3);

        assert_eq!(storms.len(), 3);
        assert!(storms.iter().all(|storm| storm.count == 5));
    }
}
