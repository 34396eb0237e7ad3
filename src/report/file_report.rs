//! One dropped file's results, assembled from chunk scans that arrive in any order.

use super::record_ids::ChunkRange;
use crate::decode::{decode_event_sharing, DecodedEvent, Event4983, IpsecEvent, SharedNames};
use crate::filetime::FileTime;
use crate::read::{chunk_slots, FileHeader, HeaderError};
use crate::scan::{ChunkScan, Place, Skip};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The results of one file: counts, header, problems met, and its decoded IPsec events.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub name: String,
    pub size: u64,
    /// The file header, once read; `None` until then and for a file that is no EVTX log.
    pub header: Option<FileHeader>,
    /// The reason the file could not be read at all. Its chunks are then never scanned.
    pub error: Option<HeaderError>,
    /// Chunk slots the file's size allows, counting a cut-off last one.
    pub chunk_slots: u64,
    pub chunks_scanned: u64,
    /// Slots holding only zero bytes, as unused space at the end of a log does.
    pub chunks_empty: u64,
    /// Chunks read although their checksums are wrong.
    pub chunks_recovered: u64,
    /// Records read, of every event ID.
    pub records: u64,
    /// Security-Auditing 4983 records kept (a 4983 of another provider is not counted).
    pub events_4983: u64,
    /// Records read by EventID, 4983 and every other ID alike.
    pub event_counts: BTreeMap<u32, u64>,
    /// Problems in file order (by chunk), each chunk's in the order the scan met them.
    pub skipped: Vec<Skip>,
    pub first_time: Option<FileTime>,
    pub last_time: Option<FileTime>,
    /// SHA-256 of the file's bytes as lowercase hex, filled in by the UI once computed.
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub hash_status: HashStatus,
    /// Requests whose worker stopped before replying, each saying what it lost (chunks or
    /// the header) and why.
    #[serde(default)]
    pub lost: Vec<String>,
    /// Record ID ranges by chunk index, for finding gaps.
    pub(crate) ranges: Vec<ChunkRange>,
    /// Decoded events by chunk, sorted by each chunk's first EventRecordID.
    parts: Vec<ChunkEvents>,
    /// The computer and provider names of the events decoded so far.
    #[serde(skip)]
    names: SharedNames,
}

/// The state of a file's SHA-256. The hash is a second pass over the file that starts after
/// the scans, so a report can be complete while its hash is still pending.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HashStatus {
    /// No hash was requested yet: the file header has not been read.
    #[default]
    NotRequested,
    /// Queued or being computed.
    Pending,
    Done,
    /// The reason the hash was not computed.
    Failed(String),
}

impl HashStatus {
    /// Returns the status as the JSON export names it.
    pub fn name(&self) -> &'static str {
        match self {
            HashStatus::NotRequested => "not requested",
            HashStatus::Pending => "pending",
            HashStatus::Done => "done",
            HashStatus::Failed(_) => "failed",
        }
    }
}

/// The decoded events of one chunk, in EventRecordID order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ChunkEvents {
    index: u64,
    first_record_id: u64,
    /// Shared with the rows of [`super::Table`], which point at these instead of copying.
    failures: Vec<Arc<Event4983>>,
    others: Vec<IpsecEvent>,
}

impl FileReport {
    /// Starts the report of a file whose header has not been read yet.
    pub fn new(name: &str, size: u64) -> FileReport {
        FileReport {
            name: name.to_owned(),
            size,
            chunk_slots: chunk_slots(size),
            ..FileReport::default()
        }
    }

    /// Records the result of reading the file header.
    pub fn set_header(&mut self, header: Result<FileHeader, HeaderError>) {
        match header {
            Ok(header) => self.header = Some(header),
            Err(error) => self.error = Some(error),
        }
    }

    /// Records the SHA-256 of the file's bytes, as lowercase hex.
    pub fn set_sha256(&mut self, hex: String) {
        self.sha256 = Some(hex);
        self.hash_status = HashStatus::Done;
    }

    /// Records that the SHA-256 was requested and has not arrived.
    pub fn note_hash_pending(&mut self) {
        self.hash_status = HashStatus::Pending;
    }

    /// Records why the SHA-256 was not computed.
    pub fn note_hash_failed(&mut self, message: String) {
        self.hash_status = HashStatus::Failed(message);
    }

    /// Returns the SHA-256 as a report shows it: the hash, or why there is none. A failure's
    /// message already begins with "the SHA-256 was not computed".
    pub fn sha256_text(&self) -> String {
        match (&self.sha256, &self.hash_status) {
            (Some(hex), _) => hex.clone(),
            (None, HashStatus::Pending) => "not computed yet".to_owned(),
            (None, HashStatus::Failed(message)) => message.clone(),
            (None, _) => "not computed: the file could not be read".to_owned(),
        }
    }

    /// Records a request of this file that failed as a whole.
    pub fn note_lost(&mut self, message: String) {
        self.lost.push(message);
    }

    /// Chunks scanned, less those skipped whole (bad signature, unreadable header): the
    /// number every view calls "chunks read".
    pub fn chunks_read(&self) -> u64 {
        let skipped = super::integrity::problem_chunks(self)
            .iter()
            .filter(|chunk| chunk.outcome == super::ChunkOutcome::Skipped)
            .count() as u64;
        self.chunks_scanned.saturating_sub(skipped)
    }

    /// Counts the problems the page lists for this file: each of `errors` and each problem
    /// of its chunks and records. `errors` are the session's messages about the whole file,
    /// such as a header that counts more chunks than the file has room for.
    pub fn problem_count(&self, errors: &[String]) -> usize {
        errors.len() + self.skipped.len()
    }

    /// Returns the problems of the whole file, not of single chunks or records, that a report
    /// lists: `page_errors`, the page's list, when the caller has one, or else the report's
    /// own header error and lost requests.
    pub fn file_errors(&self, page_errors: Option<&Vec<String>>) -> Vec<String> {
        if let Some(errors) = page_errors {
            return errors.clone();
        }
        let error = self.error.as_ref().map(ToString::to_string);
        error.into_iter().chain(self.lost.iter().cloned()).collect()
    }

    /// Returns whether every chunk slot has been scanned or the file failed as a whole.
    pub fn is_complete(&self) -> bool {
        self.error.is_some() || (self.header.is_some() && self.chunks_scanned >= self.chunk_slots)
    }

    /// Adds one chunk's results. Returns `false`, changing nothing, when a chunk with the same
    /// index was already added, since a retried request can deliver a chunk twice.
    pub fn add_chunk(&mut self, scan: ChunkScan) -> bool {
        let at = self
            .ranges
            .partition_point(|range| range.index < scan.index);
        if self
            .ranges
            .get(at)
            .is_some_and(|range| range.index == scan.index)
        {
            return false;
        }
        self.ranges.insert(at, ChunkRange::of(&scan));
        self.chunks_scanned += 1;
        self.chunks_empty += u64::from(scan.empty);
        self.chunks_recovered += u64::from(scan.recovered);
        self.records += scan.records;
        for (event_id, count) in &scan.event_counts {
            *self.event_counts.entry(*event_id).or_default() += count;
        }
        self.first_time = earliest(self.first_time, scan.first_time);
        self.last_time = latest(self.last_time, scan.last_time);
        let skip_at = self
            .skipped
            .partition_point(|skip| chunk_of(&skip.place) <= scan.index);
        self.skipped.splice(skip_at..skip_at, scan.skipped);
        self.add_events(scan.index, &scan.events);
        true
    }

    fn add_events(&mut self, index: u64, raw_events: &[crate::scan::RawEvent]) {
        if raw_events.is_empty() {
            return;
        }
        let mut part = ChunkEvents {
            index,
            first_record_id: raw_events.iter().map(|e| e.record_id).min().unwrap_or(0),
            ..ChunkEvents::default()
        };
        for raw in raw_events {
            match decode_event_sharing(raw, &mut self.names) {
                DecodedEvent::Failure4983(event) => {
                    self.events_4983 += 1;
                    part.failures.push(Arc::from(event));
                }
                DecodedEvent::Other(event) => part.others.push(event),
            }
        }
        // Carved and recovered records can come out of order within a chunk.
        part.failures.sort_by_key(|event| event.record_id);
        part.others.sort_by_key(|event| event.record_id);
        // The page keeps these vectors for as long as the file is open.
        part.failures.shrink_to_fit();
        part.others.shrink_to_fit();
        let key = (part.first_record_id, index);
        let at = self
            .parts
            .partition_point(|other| (other.first_record_id, other.index) < key);
        self.parts.insert(at, part);
    }

    /// Returns the 4983 events in EventRecordID order.
    pub fn events_4983(&self) -> impl Iterator<Item = &Event4983> {
        self.shared_events_4983().map(|event| &**event)
    }

    /// Returns the 4983 events in EventRecordID order as shared pointers, so a table can
    /// hold them without copying.
    pub(crate) fn shared_events_4983(&self) -> impl Iterator<Item = &Arc<Event4983>> {
        self.parts.iter().flat_map(|part| part.failures.iter())
    }

    /// Returns the other IPsec events in EventRecordID order.
    pub fn other_events(&self) -> impl Iterator<Item = &IpsecEvent> {
        self.parts.iter().flat_map(|part| part.others.iter())
    }

    /// Returns the index of the chunk that contains `event`, a 4983 of this file, so its bytes
    /// can be read again. The whole event is compared, because two chunks can contain records
    /// with the same EventRecordID.
    pub fn chunk_of_4983(&self, event: &Event4983) -> Option<u64> {
        self.parts
            .iter()
            .find(|part| {
                part.failures
                    .iter()
                    .any(|failure| failure.record_id == event.record_id && **failure == *event)
            })
            .map(|part| part.index)
    }

    /// Counts the IPsec events other than 4983 by event ID.
    pub fn other_event_counts(&self) -> BTreeMap<u32, u64> {
        let mut counts = BTreeMap::new();
        for event in self.other_events() {
            *counts.entry(event.event_id).or_default() += 1;
        }
        counts
    }
}

/// Returns the chunk a problem is in. The file header sorts before every chunk.
fn chunk_of(place: &Place) -> u64 {
    match place {
        Place::FileHeader => 0,
        Place::Chunk { index, .. } => *index,
        Place::Record { chunk, .. } | Place::RecordAt { chunk, .. } => *chunk,
    }
}

fn earliest(a: Option<FileTime>, b: Option<FileTime>) -> Option<FileTime> {
    a.into_iter().chain(b).min()
}

fn latest(a: Option<FileTime>, b: Option<FileTime>) -> Option<FileTime> {
    a.into_iter().chain(b).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{chunk, failure_at, other_event};
    use crate::scan::Severity;

    fn record_ids(report: &FileReport) -> Vec<u64> {
        report.events_4983().map(|event| event.record_id).collect()
    }

    #[test]
    fn chunks_in_any_order_merge_by_record_id() {
        let mut report = FileReport::new("a.evtx", 4096 + 3 * 65536);
        report.add_chunk(chunk(2, vec![failure_at(201, 0), failure_at(202, 0)]));
        report.add_chunk(chunk(0, vec![failure_at(1, 0), other_event(2)]));
        report.add_chunk(chunk(1, vec![failure_at(101, 0)]));

        assert_eq!(record_ids(&report), [1, 101, 201, 202]);
        assert_eq!(report.events_4983, 4);
        assert_eq!(report.records, 5);
        assert_eq!(report.chunks_scanned, 3);
        assert_eq!(report.event_counts.get(&4983), Some(&4));
        assert_eq!(report.event_counts.get(&4976), Some(&1));
        assert_eq!(report.other_event_counts().get(&4976), Some(&1));
        assert_eq!(report.other_events().next().unwrap().record_id, 2);
    }

    #[test]
    fn wrapped_log_reads_oldest_record_first() {
        let mut report = FileReport::new("a.evtx", 4096 + 2 * 65536);
        report.add_chunk(chunk(0, vec![failure_at(500, 0), failure_at(501, 0)]));
        report.add_chunk(chunk(1, vec![failure_at(2, 0), failure_at(1, 0)]));

        assert_eq!(record_ids(&report), [1, 2, 500, 501]);
        assert_eq!(report.first_record_id(), Some(1));
        assert_eq!(report.last_record_id(), Some(501));
    }

    #[test]
    fn duplicate_chunk_is_ignored() {
        let mut report = FileReport::new("a.evtx", 4096 + 65536);

        assert!(report.add_chunk(chunk(0, vec![failure_at(1, 0)])));
        assert!(!report.add_chunk(chunk(0, vec![failure_at(1, 0)])));
        assert_eq!(report.events_4983, 1);
        assert_eq!(report.records, 1);
        assert_eq!(report.chunks_scanned, 1);
    }

    #[test]
    fn skips_sort_by_chunk() {
        let skip = |place: Place, reason: &str| Skip {
            place,
            severity: Severity::Skipped,
            reason: reason.to_owned(),
        };
        let mut late = chunk(3, vec![]);
        late.skipped = vec![
            skip(
                Place::Chunk {
                    index: 3,
                    offset: 0x31000,
                },
                "bad chunk",
            ),
            skip(
                Place::Record {
                    chunk: 3,
                    record_id: 1234,
                },
                "bad record",
            ),
        ];
        let mut early = chunk(1, vec![]);
        early.skipped = vec![skip(
            Place::RecordAt {
                chunk: 1,
                offset: 0x11200,
            },
            "cut",
        )];
        let mut report = FileReport::new("a.evtx", 4096 + 4 * 65536);

        report.add_chunk(late);
        report.add_chunk(early);

        let shown: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "record at 0x11200 in chunk 1: cut",
                "chunk 3 at 0x31000: bad chunk",
                "record 1234: bad record",
            ]
        );
    }

    #[test]
    fn empty_and_recovered_chunks_are_counted() {
        let mut report = FileReport::new("a.evtx", 4096 + 3 * 65536);
        report.set_header(Ok(FileHeader {
            first_chunk_number: 0,
            last_chunk_number: 1,
            next_record_id: 3,
            major_version: 3,
            minor_version: 1,
            chunk_count: 2,
            dirty: false,
            full: false,
            checksum_valid: true,
        }));
        let mut recovered = chunk(1, vec![failure_at(2, 5)]);
        recovered.recovered = true;
        let empty = ChunkScan {
            index: 2,
            empty: true,
            ..ChunkScan::default()
        };

        report.add_chunk(chunk(0, vec![failure_at(1, 0)]));
        assert!(!report.is_complete());
        report.add_chunk(recovered);
        report.add_chunk(empty);

        assert!(report.is_complete());
        assert_eq!(report.chunk_slots, 3);
        assert_eq!(report.chunks_empty, 1);
        assert_eq!(report.chunks_recovered, 1);
        assert_eq!(report.first_time, Some(crate::decode::sample::SAMPLE_TIME));
        assert_eq!(
            report.last_time.unwrap().to_string(),
            "2024-05-01T12:35:01.1234567Z"
        );
    }

    #[test]
    fn problem_count_adds_file_errors() {
        let mut cut = chunk(0, vec![failure_at(1, 0)]);
        cut.skipped = vec![Skip {
            place: Place::Chunk {
                index: 0,
                offset: 0x1000,
            },
            severity: Severity::Warning,
            reason: "the file ends inside this chunk".to_owned(),
        }];
        let mut report = FileReport::new("a.evtx", 4096 + 9000);
        report.add_chunk(cut);

        assert_eq!(report.problem_count(&[]), 1);
        assert_eq!(
            report.problem_count(&["the file is cut short".to_owned()]),
            2
        );
    }

    #[test]
    fn header_error_completes_the_file() {
        let mut report = FileReport::new("notes.txt", 12);

        report.set_header(Err(HeaderError::TooShort { size: 12 }));

        assert!(report.is_complete());
        assert_eq!(report.chunk_slots, 0);
        assert_eq!(report.header, None);
        assert_eq!(report.error, Some(HeaderError::TooShort { size: 12 }));
    }

    #[test]
    fn gaps_between_chunks_are_found() {
        let mut report = FileReport::new("a.evtx", 4096 + 3 * 65536);
        report.add_chunk(chunk(2, vec![failure_at(10, 0), failure_at(11, 0)]));
        report.add_chunk(chunk(0, vec![failure_at(1, 0), failure_at(2, 0)]));
        let mut holey = chunk(1, vec![failure_at(3, 0), failure_at(6, 0)]);
        holey.records = 2;
        report.add_chunk(holey);

        let gaps = report.record_id_gaps();

        assert_eq!(
            gaps,
            [crate::report::RecordIdGap {
                after: 6,
                before: 10
            }]
        );
        assert_eq!(gaps[0].len(), 3);
        assert_eq!(report.record_ids_missing_inside_chunks(), 2);
    }

    #[test]
    fn chunk_of_4983_tells_duplicate_ids_apart() {
        let mut report = FileReport::new("a.evtx", 4096 + 3 * 65536);
        report.add_chunk(chunk(2, vec![failure_at(5, 60)]));
        report.add_chunk(chunk(0, vec![failure_at(1, 0), failure_at(5, 0)]));
        let events: Vec<Event4983> = report.events_4983().cloned().collect();
        let mut stranger = events[0].clone();
        stranger.record_id = 99;

        assert_eq!(record_ids(&report), [1, 5, 5]);
        assert_eq!(report.chunk_of_4983(&events[0]), Some(0));
        assert_eq!(report.chunk_of_4983(&events[1]), Some(0));
        assert_eq!(report.chunk_of_4983(&events[2]), Some(2));
        assert_eq!(report.chunk_of_4983(&stranger), None);
    }

    #[test]
    fn serde_round_trip() {
        let mut report = FileReport::new("a.evtx", 4096 + 65536);
        report.add_chunk(chunk(0, vec![failure_at(1, 0), other_event(2)]));

        let json = serde_json::to_string(&report).unwrap();
        let back: FileReport = serde_json::from_str(&json).unwrap();

        assert_eq!(back, report);
    }
}
