//! Chunk scans and tables for unit tests.

use super::{FileReport, Table};
use crate::decode::sample::{raw_4983, raw_event, SAMPLE_TIME};
use crate::filetime::FileTime;
use crate::scan::{ChunkScan, FieldValue, RawEvent};

/// Builds a scan of chunk `index` containing `events`, with one record per event.
pub fn chunk(index: u64, events: Vec<RawEvent>) -> ChunkScan {
    let mut scan = ChunkScan {
        index,
        offset: crate::read::chunk_offset(index),
        records: events.len() as u64,
        first_record_id: events.iter().map(|e| e.record_id).min(),
        last_record_id: events.iter().map(|e| e.record_id).max(),
        first_time: events.iter().map(|e| e.time_created).min(),
        last_time: events.iter().map(|e| e.time_created).max(),
        ..ChunkScan::default()
    };
    for event in &events {
        *scan.event_counts.entry(event.event_id).or_default() += 1;
    }
    scan.events = events;
    scan
}

/// Builds a 4983 record whose time is `seconds` after the sample time.
pub fn failure_at(record_id: u64, seconds: u64) -> RawEvent {
    let mut raw = raw_4983(record_id);
    raw.time_created = FileTime(SAMPLE_TIME.0 + seconds * 10_000_000);
    raw
}

/// Builds a 4976 record (invalid main mode packet), one of the other IPsec events.
pub fn other_event(record_id: u64) -> RawEvent {
    raw_event(4976, record_id, vec![])
}

/// Builds the report of a one-chunk file containing `events`.
pub fn one_chunk_report(name: &str, events: Vec<RawEvent>) -> FileReport {
    let mut report = FileReport::new(name, 4096 + 65536);
    report.add_chunk(chunk(0, events));
    report
}

/// Builds a table of one file containing `events`, in the order given.
pub fn table_of(events: Vec<RawEvent>) -> Table {
    Table::from_files(&[one_chunk_report("a.evtx", events)])
}

/// Returns a 10,000-character FailureReason.
pub fn long_reason() -> String {
    "x".repeat(10_000)
}

/// Builds a table of one 4983 row (record 7 of `a.evtx`) whose values try to break exports.
/// They include a spreadsheet formula, HTML, a right-to-left override, quotes, commas, line
/// breaks, an empty string, Null, a number that is not a port, and a 10,000-character string.
pub fn hostile_table() -> Table {
    let text = |value: &str| FieldValue::Text(value.to_owned());
    let values = vec![
        text("=cmd|' /C calc'!A0"),
        text("<img src=x onerror=alert(1)>"),
        text("\u{202e}gpj.exe"),
        text("say \"hi\", ok"),
        text("line1\r\nline2"),
        text(""),
        FieldValue::Null,
        text("-5"),
        text("+1 555"),
        text("-1"),
        text("@SUM(1)"),
        FieldValue::Null,
        text("%%9999"),
        text(&long_reason()),
        text("\tTabbed"),
        text("%%8206"),
        text("\r=1"),
        FieldValue::Unsigned(u64::MAX),
    ];
    let data = crate::decode::sample::named(&crate::decode::FIELDS_4983, values);
    table_of(vec![raw_event(4983, 7, data)])
}
