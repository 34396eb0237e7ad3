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

/// A xorshift generator, so generated tables are the same on every run.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Returns a number below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that differ only in case, lowercase differently in Unicode (`ß`, final `Σ`,
/// `İ`), hold line feeds, are empty, or are Null, for comparing fast paths to slow ones.
const TRICKY_TEXTS: [&str; 14] = [
    "host1.contoso.com",
    "HOST1.contoso.com",
    "Host1.Contoso.Com",
    "ÄB-srv",
    "äb-SRV",
    "ΟΔΟΣ Σ",
    "Straße",
    "İstanbul",
    "10.0.0.1",
    "10.0.0.10",
    "line1\nline2",
    " padded ",
    "",
    "%%8199",
];

/// Builds a table of [`random_reports`].
pub fn random_table(seed: u64, rows: usize, files: usize, time_span: u64) -> Table {
    Table::from_files(&random_reports(seed, rows, files, time_span))
}

/// Builds `files` files of `rows` 4983 rows in all, with values drawn from small pools of
/// tricky texts (so most columns repeat values), unique thumbprints and filter IDs, times
/// within `time_span` seconds (so a small span gives many equal times), and extra EventData
/// fields on some rows.
pub fn random_reports(seed: u64, rows: usize, files: usize, time_span: u64) -> Vec<FileReport> {
    let mut random = Random::new(seed);
    let mut reports = Vec::new();
    for file in 0..files {
        let mut events = Vec::new();
        for row in 0..rows / files {
            let record_id = (file * rows + row + 1) as u64;
            let mut raw = failure_at(record_id, random.next() % time_span);
            raw.computer = (*random.pick(&TRICKY_TEXTS)).to_owned();
            for (position, field) in raw.data.iter_mut().enumerate() {
                field.value = random_value(&mut random, position);
            }
            if random.below(10) == 0 {
                let like = random.below(18);
                raw.data.push(crate::scan::DataField {
                    name: "ExtraField".to_owned(),
                    value: random_value(&mut random, like),
                });
            }
            events.push(raw);
        }
        let name = if file % 2 == 0 { "a.evtx" } else { "Ä.EVTX" };
        reports.push(one_chunk_report(name, events));
    }
    reports
}

/// Returns a value for EventData field `position`: thumbprints (1, 5) and the filter ID
/// (17) are mostly unique, the others come mostly from [`TRICKY_TEXTS`], numbers or Null.
fn random_value(random: &mut Random, position: usize) -> FieldValue {
    let text = |value: String| FieldValue::Text(value);
    match (position, random.below(12)) {
        (_, 0) => FieldValue::Null,
        // Empty or tricky, so the column's lowercase text has ties and shared prefixes.
        (1 | 5 | 17, 1) if random.below(2) == 0 => text(String::new()),
        (1 | 5 | 17, 1) => text((*random.pick(&TRICKY_TEXTS)).to_owned()),
        (1 | 5, pick) => {
            let hex = format!("{:016X}{:016x}", random.next(), random.next());
            text(if pick % 2 == 0 {
                hex
            } else {
                hex.to_lowercase()
            })
        }
        (17, _) => FieldValue::Unsigned(random.next() >> random.below(64)),
        (9 | 11, 1) => text("n/a".to_owned()),
        (9 | 11, 2) => text(" 500 ".to_owned()),
        (9 | 11, pick) => FieldValue::Unsigned([500, 4500, 0][pick % 3]),
        (_, 1) => FieldValue::Unsigned(random.next() % 1000),
        _ => text((*random.pick(&TRICKY_TEXTS)).to_owned()),
    }
}

/// Returns the reports of two different logs both dropped as `Security.evtx`, named as the
/// session names them, each with the 4983 records 1 and 2 of one computer.
pub fn same_name_reports() -> Vec<FileReport> {
    let mut session = crate::session::Session::default();
    session.add_file("Security.evtx", 0);
    session.add_file("Security.evtx", 0);
    session
        .files
        .iter()
        .map(|file| one_chunk_report(&file.name, vec![failure_at(1, 1), failure_at(2, 2)]))
        .collect()
}
