//! Records seen more than once: overlapping exports of one computer's Security log, or the
//! live log beside an archived copy, dropped together, and records repeated inside one file.
//!
//! Two records are the same when their computer, EventRecordID and TimeCreated are equal.
//! Computer names compare ASCII case-insensitively, as Windows host names do. EventRecordID
//! alone is not enough: every computer numbers its own log, and a cleared log starts again
//! at 1, so the same number at another time or on another computer is another record.
//!
//! The copy that counts is the first one met in drop order: the copy in the file dropped
//! earlier, and inside one file the first in EventRecordID order (the earlier chunk first).
//! That makes the result independent of which worker finishes first, and a person picks
//! the copy to keep by the order of the drop. Every later copy is left out of the table,
//! and so out of the counts, charts, alerts and exports built from it, and is counted
//! here by pair of files and computer.
//!
//! Only IPsec records (4983 and its neighbours) are compared, because the scan keeps no
//! other record. The per-file record counts of the summary still include every copy.

use super::file_report::FileReport;
use super::table::Table;
use crate::decode::IpsecEvent;
use crate::filetime::FileTime;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// The identity of one record, with the computer as a number so a key contains no string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct RecordKey {
    computer: u32,
    record_id: u64,
    time_created: FileTime,
}

/// A record counted, and the file whose copy counts. It compares and hashes by its record
/// alone, so a set of them maps each record to its file. The page keeps one per IPsec
/// record of every file, so the file number fills the 4 bytes of padding that a
/// `HashMap<RecordKey, u32>` entry would add: 24 bytes instead of 32.
#[derive(Clone, Copy, Debug)]
struct CountedRecord {
    record_id: u64,
    time_created: FileTime,
    computer: u32,
    kept_file: u32,
}

impl CountedRecord {
    fn new(key: RecordKey, kept_file: u32) -> CountedRecord {
        CountedRecord {
            record_id: key.record_id,
            time_created: key.time_created,
            computer: key.computer,
            kept_file,
        }
    }
}

impl PartialEq for CountedRecord {
    fn eq(&self, other: &CountedRecord) -> bool {
        (self.computer, self.record_id, self.time_created)
            == (other.computer, other.record_id, other.time_created)
    }
}

impl Eq for CountedRecord {}

impl Hash for CountedRecord {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.computer, self.record_id, self.time_created).hash(state);
    }
}

/// The file whose copies count, the file holding later copies, and their computer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct CopyPlace {
    kept_file: u32,
    copy_file: u32,
    computer: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CopyCounts {
    events_4983: u64,
    other_ipsec: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecordKind {
    Failure4983,
    OtherIpsec,
}

/// The IPsec records counted so far, each with the file of its counted copy, and the
/// copies left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Duplicates {
    /// ASCII-lowercased computer name to its number.
    computer_numbers: HashMap<String, u32>,
    /// Each computer's name as first met, by number, for messages.
    computer_names: Vec<String>,
    /// The computer of the previous record. Most files hold one computer, so checking it
    /// first saves lowercasing and hashing the name of every record.
    last_computer: Option<u32>,
    /// Every record counted, with the file whose copy counts.
    counted: HashSet<CountedRecord>,
    copies: BTreeMap<CopyPlace, CopyCounts>,
}

/// Copies of one computer's records that a file repeats, and the file whose copies count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap {
    /// The computer's name as first met.
    pub computer: String,
    /// Index into [`Table::files`] of the file whose copies count.
    pub kept_file: u32,
    /// Index into [`Table::files`] of the file whose copies are left out. It equals
    /// `kept_file` for records repeated inside one file.
    pub copy_file: u32,
    /// Copies of 4983 records left out.
    pub events_4983: u64,
    /// Copies of the other IPsec records left out.
    pub other_ipsec: u64,
}

impl Duplicates {
    /// Makes room for `records` more records, so that adding them does not grow the set
    /// step by step. Each growth allocates the new set before it frees the old one, and
    /// the page's wasm memory keeps its highest size.
    pub fn reserve(&mut self, records: usize) {
        self.counted.reserve(records);
    }

    /// Marks the IPsec records of `report`, file number `file` in drop order, as seen.
    /// Returns, for each event of `report.events_4983()` in that order, whether it is the
    /// counted copy (`true`) or a copy of a record counted before (`false`).
    ///
    /// NOTE: the first caller for a record keeps it, so files must come in drop order for
    /// the copy of the file dropped first to count, as [`Table::from_files`] does.
    pub fn add_file(&mut self, file: u32, report: &FileReport) -> Vec<bool> {
        let counted = report
            .events_4983()
            .map(|event| {
                let key = self.key(&event.computer, event.record_id, event.time_created);
                self.count_once(file, key, RecordKind::Failure4983)
            })
            .collect();
        for event in report.other_events() {
            let key = self.key(&event.computer, event.record_id, event.time_created);
            self.count_once(file, key, RecordKind::OtherIpsec);
        }
        counted
    }

    /// Lists the copies left out, by file whose copies count, then file of the copies,
    /// then computer in order of first appearance.
    pub fn overlaps(&self) -> Vec<Overlap> {
        self.copies
            .iter()
            .map(|(place, counts)| Overlap {
                computer: self.computer_names[place.computer as usize].clone(),
                kept_file: place.kept_file,
                copy_file: place.copy_file,
                events_4983: counts.events_4983,
                other_ipsec: counts.other_ipsec,
            })
            .collect()
    }

    /// Counts the copies left out, over all files.
    pub fn copies(&self) -> u64 {
        self.copies
            .values()
            .map(|counts| counts.events_4983 + counts.other_ipsec)
            .sum()
    }

    /// Counts the IPsec records of file `file` that are left out as copies of records
    /// counted from an earlier file or earlier in the same file.
    pub fn copies_in_file(&self, file: u32) -> u64 {
        self.copies
            .iter()
            .filter(|(place, _)| place.copy_file == file)
            .map(|(_, counts)| counts.events_4983 + counts.other_ipsec)
            .sum()
    }

    fn key(&mut self, computer: &str, record_id: u64, time_created: FileTime) -> RecordKey {
        RecordKey {
            computer: self.computer_number(computer),
            record_id,
            time_created,
        }
    }

    fn computer_number(&mut self, name: &str) -> u32 {
        if let Some(last) = self.last_computer {
            if self.computer_names[last as usize].eq_ignore_ascii_case(name) {
                return last;
            }
        }
        let next = u32::try_from(self.computer_names.len()).expect("fewer than 2^32 computers");
        let number = *self
            .computer_numbers
            .entry(name.to_ascii_lowercase())
            .or_insert(next);
        if number == next {
            self.computer_names.push(name.to_owned());
        }
        self.last_computer = Some(number);
        number
    }

    /// Records `key` as seen in `file`, returning whether this is its first copy.
    fn count_once(&mut self, file: u32, key: RecordKey, kind: RecordKind) -> bool {
        let record = CountedRecord::new(key, file);
        let kept_file = match self.counted.get(&record) {
            None => {
                self.counted.insert(record);
                return true;
            }
            Some(counted) => counted.kept_file,
        };
        let place = CopyPlace {
            kept_file,
            copy_file: file,
            computer: key.computer,
        };
        let counts = self.copies.entry(place).or_default();
        match kind {
            RecordKind::Failure4983 => counts.events_4983 += 1,
            RecordKind::OtherIpsec => counts.other_ipsec += 1,
        }
        false
    }
}

impl Overlap {
    /// Counts the copies left out, 4983 and other IPsec records together.
    pub fn records(&self) -> u64 {
        self.events_4983 + self.other_ipsec
    }

    /// Describes the overlap in one sentence, naming the files from `files` (the table's
    /// file names), such as "60 records of dc01 (40 of event 4983, 20 other IPsec events)
    /// appear in both a.evtx and b.evtx; counted once, from a.evtx, the file dropped
    /// earlier."
    pub fn describe(&self, files: &[String]) -> String {
        let records = self.records();
        let (noun, verb) = if records == 1 {
            ("record", "appears")
        } else {
            ("records", "appear")
        };
        let subject = format!(
            "{records} {noun} of {} ({} of event 4983, {} other IPsec events)",
            self.computer, self.events_4983, self.other_ipsec
        );
        let kept = file_label(files, self.kept_file);
        if self.kept_file == self.copy_file {
            return format!("{subject} {verb} more than once in {kept}; each is counted once.");
        }
        let copy = file_label(files, self.copy_file);
        format!(
            "{subject} {verb} in both {kept} and {copy}; counted once, from {kept}, the file \
             dropped earlier."
        )
    }

    /// Builds the overlap's JSON object, with file names from `files`.
    pub fn to_json(&self, files: &[String]) -> Value {
        json!({
            "computer": self.computer,
            "kept_file": file_label(files, self.kept_file),
            "copy_file": file_label(files, self.copy_file),
            "records": self.records(),
            "events_4983": self.events_4983,
            "other_ipsec_events": self.other_ipsec,
            "message": self.describe(files),
        })
    }
}

/// Names file `index` as `files` does. The session gives every dropped file a distinct
/// name, so these names match the file column and the export's `files[].name`.
fn file_label(files: &[String], index: u32) -> &str {
    files.get(index as usize).map_or("", String::as_str)
}

/// Keeps the first copy of each record among `events` and drops the later ones, comparing
/// records as the table does. Used for lists built from every file's IPsec events, such as
/// the events related to one failure.
pub fn first_copies(events: Vec<&IpsecEvent>) -> Vec<&IpsecEvent> {
    let mut seen = HashSet::new();
    events
        .into_iter()
        .filter(|event| {
            seen.insert((
                event.computer.to_ascii_lowercase(),
                event.record_id,
                event.time_created,
            ))
        })
        .collect()
}

impl Table {
    /// Returns the records counted once and the copies left out of the table.
    pub fn duplicates(&self) -> &Duplicates {
        &self.duplicates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{
        chunk, failure_at, one_chunk_report, other_event, same_name_reports,
    };
    use crate::scan::RawEvent;

    /// Builds 4983 records `ids` of the sample computer, record `n` at `n` seconds.
    fn failures(ids: std::ops::RangeInclusive<u64>) -> Vec<RawEvent> {
        ids.map(|id| failure_at(id, id)).collect()
    }

    fn on_computer(mut event: RawEvent, computer: &str) -> RawEvent {
        event.computer = computer.to_owned();
        event
    }

    fn row_ids(table: &Table) -> Vec<(u32, u64)> {
        table
            .rows
            .iter()
            .map(|row| (row.file, row.event.record_id))
            .collect()
    }

    #[test]
    fn overlapping_exports_count_once() {
        let first = one_chunk_report("a.evtx", failures(1..=10));
        let second = one_chunk_report("b.evtx", failures(6..=15));

        let table = Table::from_files(&[first, second]);

        assert_eq!(table.rows.len(), 15);
        let mut expected: Vec<(u32, u64)> = (1..=10).map(|id| (0, id)).collect();
        expected.extend((11..=15).map(|id| (1, id)));
        assert_eq!(row_ids(&table), expected);
        assert_eq!(table.duplicates().copies(), 5);
        assert_eq!(table.duplicates().copies_in_file(0), 0);
        assert_eq!(table.duplicates().copies_in_file(1), 5);
        assert_eq!(
            table.duplicates().overlaps(),
            [Overlap {
                computer: "host1.contoso.com".into(),
                kept_file: 0,
                copy_file: 1,
                events_4983: 5,
                other_ipsec: 0,
            }]
        );
    }

    #[test]
    fn first_dropped_file_keeps_its_copy() {
        let mut recovered = failure_at(3, 3);
        recovered.recovered = true;
        let first = one_chunk_report("archive.evtx", vec![recovered]);
        let second = one_chunk_report("live.evtx", failures(1..=4));

        let table = Table::from_files(&[first, second]);

        assert_eq!(row_ids(&table), [(0, 3), (1, 1), (1, 2), (1, 4)]);
        assert!(table.rows[0].event.recovered);
    }

    #[test]
    fn other_time_is_another_record() {
        let first = one_chunk_report("a.evtx", vec![failure_at(7, 0)]);
        let second = one_chunk_report("b.evtx", vec![failure_at(7, 1)]);

        let table = Table::from_files(&[first, second]);

        assert_eq!(row_ids(&table), [(0, 7), (1, 7)]);
        assert_eq!(table.duplicates().copies(), 0);
        assert_eq!(table.duplicates().overlaps(), []);
    }

    #[test]
    fn other_computer_is_another_record() {
        let first = one_chunk_report("a.evtx", vec![failure_at(7, 0)]);
        let second = one_chunk_report(
            "b.evtx",
            vec![on_computer(failure_at(7, 0), "host2.contoso.com")],
        );

        let table = Table::from_files(&[first, second]);

        assert_eq!(row_ids(&table), [(0, 7), (1, 7)]);
        assert_eq!(table.duplicates().copies(), 0);
    }

    #[test]
    fn computer_case_is_ignored() {
        let first = one_chunk_report("a.evtx", vec![failure_at(7, 0)]);
        let second = one_chunk_report(
            "b.evtx",
            vec![on_computer(failure_at(7, 0), "HOST1.Contoso.com")],
        );

        let table = Table::from_files(&[first, second]);

        assert_eq!(row_ids(&table), [(0, 7)]);
        assert_eq!(
            table.duplicates().overlaps()[0].computer,
            "host1.contoso.com"
        );
    }

    #[test]
    fn repeat_inside_one_file_counts_once() {
        let mut report = FileReport::new("a.evtx", 4096 + 2 * 65536);
        report.add_chunk(chunk(0, failures(1..=3)));
        report.add_chunk(chunk(1, failures(3..=4)));

        let table = Table::from_files(&[report]);

        assert_eq!(row_ids(&table), [(0, 1), (0, 2), (0, 3), (0, 4)]);
        let overlaps = table.duplicates().overlaps();
        assert_eq!(overlaps.len(), 1);
        assert_eq!((overlaps[0].kept_file, overlaps[0].copy_file), (0, 0));
        assert_eq!(
            overlaps[0].describe(&table.files),
            "1 record of host1.contoso.com (1 of event 4983, 0 other IPsec events) appears \
             more than once in a.evtx; each is counted once."
        );
    }

    #[test]
    fn other_ipsec_copies_are_counted() {
        let first = one_chunk_report(
            "a.evtx",
            vec![failure_at(1, 1), other_event(2), other_event(3)],
        );
        let second = one_chunk_report("b.evtx", vec![other_event(3), failure_at(4, 4)]);

        let table = Table::from_files(&[first, second]);

        assert_eq!(row_ids(&table), [(0, 1), (1, 4)]);
        let overlaps = table.duplicates().overlaps();
        assert_eq!(overlaps.len(), 1);
        assert_eq!(overlaps[0].events_4983, 0);
        assert_eq!(overlaps[0].other_ipsec, 1);
        assert_eq!(table.duplicates().copies_in_file(1), 1);
    }

    #[test]
    fn overlaps_are_listed_per_pair_and_computer() {
        let mixed = |ids: std::ops::RangeInclusive<u64>| -> Vec<RawEvent> {
            ids.flat_map(|id| [failure_at(id, id), on_computer(failure_at(id, id), "dc01")])
                .collect()
        };
        let first = one_chunk_report("a.evtx", mixed(1..=4));
        let second = one_chunk_report("b.evtx", mixed(3..=6));
        let third = one_chunk_report("c.evtx", failures(4..=8));

        let table = Table::from_files(&[first, second, third]);

        let found: Vec<(u32, u32, String, u64)> = table
            .duplicates()
            .overlaps()
            .into_iter()
            .map(|o| (o.kept_file, o.copy_file, o.computer, o.events_4983))
            .collect();
        assert_eq!(
            found,
            [
                (0, 1, "host1.contoso.com".to_owned(), 2),
                (0, 1, "dc01".to_owned(), 2),
                (0, 2, "host1.contoso.com".to_owned(), 1),
                (1, 2, "host1.contoso.com".to_owned(), 2),
            ]
        );
        assert_eq!(table.rows.len(), 8 + 4 + 2);
        assert_eq!(table.duplicates().copies(), 7);
    }

    #[test]
    fn describe_names_both_files() {
        let overlap = Overlap {
            computer: "dc01.example.org".into(),
            kept_file: 0,
            copy_file: 1,
            events_4983: 200,
            other_ipsec: 12,
        };
        let files = ["a.evtx".to_owned(), "b.evtx".to_owned()];

        assert_eq!(
            overlap.describe(&files),
            "212 records of dc01.example.org (200 of event 4983, 12 other IPsec events) \
             appear in both a.evtx and b.evtx; counted once, from a.evtx, the file dropped \
             earlier."
        );
    }

    #[test]
    fn same_file_names_use_session_names() {
        let reports = same_name_reports();

        let table = Table::from_files(&reports);
        let overlap = &table.duplicates().overlaps()[0];

        assert_eq!(
            overlap.describe(&table.files),
            "2 records of host1.contoso.com (2 of event 4983, 0 other IPsec events) appear \
             in both Security.evtx and Security.evtx (2); counted once, from Security.evtx, \
             the file dropped earlier."
        );
        let json = overlap.to_json(&table.files);
        assert_eq!(json["kept_file"], "Security.evtx");
        assert_eq!(json["copy_file"], "Security.evtx (2)");
    }

    #[test]
    fn overlap_json_has_counts() {
        let first = one_chunk_report("a.evtx", vec![failure_at(1, 1), other_event(2)]);
        let second = one_chunk_report("b.evtx", vec![failure_at(1, 1), other_event(2)]);
        let table = Table::from_files(&[first, second]);

        let json = table.duplicates().overlaps()[0].to_json(&table.files);

        assert_eq!(
            json.to_string(),
            "{\"computer\":\"host1.contoso.com\",\"kept_file\":\"a.evtx\",\
             \"copy_file\":\"b.evtx\",\"records\":2,\"events_4983\":1,\
             \"other_ipsec_events\":1,\"message\":\"2 records of host1.contoso.com (1 of \
             event 4983, 1 other IPsec events) appear in both a.evtx and b.evtx; counted \
             once, from a.evtx, the file dropped earlier.\"}"
        );
    }

    #[test]
    fn related_events_list_copies_once() {
        use crate::decode::sample::{named, raw_event};
        use crate::scan::FieldValue;
        let text = |value: &str| FieldValue::Text(value.to_owned());
        let main_mode = raw_event(
            4653,
            2,
            named(
                &["LocalAddress", "RemoteAddress"],
                vec![text("10.0.0.1"), text("10.0.0.2")],
            ),
        );
        let first = one_chunk_report("a.evtx", vec![main_mode.clone(), failure_at(3, 0)]);
        let second = one_chunk_report("b.evtx", vec![main_mode]);
        let reports = [first, second];
        let failure = reports[0].events_4983().next().unwrap();

        let related = crate::report::related_events(&reports, failure, 5);

        assert_eq!(related.len(), 1);
        assert!(std::ptr::eq(
            related[0],
            reports[0].other_events().next().unwrap()
        ));
    }

    #[test]
    fn first_copies_keeps_earliest() {
        let first = one_chunk_report("a.evtx", vec![other_event(2), other_event(3)]);
        let second = one_chunk_report(
            "b.evtx",
            vec![other_event(2), on_computer(other_event(3), "host2")],
        );
        let reports = [first, second];
        let events: Vec<&IpsecEvent> = reports.iter().flat_map(|r| r.other_events()).collect();

        let kept = first_copies(events);

        let ids: Vec<(u64, &str)> = kept
            .iter()
            .map(|event| (event.record_id, &*event.computer))
            .collect();
        assert_eq!(
            ids,
            [
                (2, "host1.contoso.com"),
                (3, "host1.contoso.com"),
                (3, "host2")
            ]
        );
        assert!(std::ptr::eq(
            kept[0],
            reports[0].other_events().next().unwrap()
        ));
    }
}
