//! Integrity facts of one file: what its header claims, what the scan found, and what was lost.
//!
//! The facts are derived from a [`FileReport`] alone, so they can be rebuilt at any time while
//! chunks arrive and need no access to the file.

use super::file_report::FileReport;
use super::record_ids::RecordIdGap;
use crate::filetime::FileTime;
use crate::read::{chunk_offset, CHUNK_SIZE};
use crate::scan::{Place, Severity, Skip};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How much of a chunk with problems was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChunkOutcome {
    /// No record was read: the chunk header, its tables or every record failed.
    Skipped,
    /// Some records were read, but others failed or the file ends inside the chunk.
    PartlyRead,
    /// Every record was read, but a warning applies, such as a wrong checksum.
    ReadWithWarnings,
}

impl ChunkOutcome {
    /// Returns the outcome's name in exports: `skipped`, `partly_read`, `read_with_warnings`.
    pub fn name(self) -> &'static str {
        match self {
            ChunkOutcome::Skipped => "skipped",
            ChunkOutcome::PartlyRead => "partly_read",
            ChunkOutcome::ReadWithWarnings => "read_with_warnings",
        }
    }
}

/// A chunk the scan met problems in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkProblem {
    pub index: u64,
    /// Byte offset of the chunk in the file.
    pub offset: u64,
    pub outcome: ChunkOutcome,
    pub records_read: u64,
    /// Records of this chunk listed in [`Integrity::record_failures`].
    pub records_failed: u64,
    /// The problems that concern the chunk as a whole, in the order the scan met them.
    pub reasons: Vec<String>,
}

/// A record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFailure {
    pub chunk: u64,
    /// The EventRecordID, when the record header could still be read.
    pub record_id: Option<u64>,
    /// The record's byte offset as the scan reported it, when its ID could not be read.
    pub offset: Option<u64>,
    pub reason: String,
}

/// The claims of one file's header and how much of the file could be read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrity {
    /// The header's dirty flag: Windows did not close the log cleanly. `None` without a header.
    pub dirty: Option<bool>,
    /// The header's full flag: the log reached its maximum size.
    pub full: Option<bool>,
    pub header_checksum_valid: Option<bool>,
    /// The chunk count the file header stores.
    pub header_chunk_count: Option<u16>,
    pub chunk_slots: u64,
    pub chunks_scanned: u64,
    pub chunks_with_records: u64,
    pub chunks_empty: u64,
    /// Chunks holding records at an index at or past the header's chunk count, as logs copied
    /// while open have.
    pub chunks_past_header_count: u64,
    /// Chunks the header counts that lie past the end of the file.
    pub chunks_missing: u64,
    /// Chunks with problems, by index.
    pub problem_chunks: Vec<ChunkProblem>,
    /// Records that failed, in file order.
    pub record_failures: Vec<RecordFailure>,
    pub record_id_gaps: Vec<RecordIdGap>,
    pub record_ids_missing_inside_chunks: u64,
    pub first_record_id: Option<u64>,
    pub last_record_id: Option<u64>,
    pub first_time: Option<FileTime>,
    pub last_time: Option<FileTime>,
}

impl Integrity {
    /// Builds the facts from a report, counting only the chunks scanned so far.
    pub fn of(report: &FileReport) -> Integrity {
        let header = report.header.as_ref();
        let header_chunk_count = header.map(|header| header.chunk_count);
        let chunks_past_header_count = header_chunk_count.map_or(0, |count| {
            report
                .ranges
                .iter()
                .filter(|range| range.records > 0 && range.index >= u64::from(count))
                .count() as u64
        });
        Integrity {
            dirty: header.map(|header| header.dirty),
            full: header.map(|header| header.full),
            header_checksum_valid: header.map(|header| header.checksum_valid),
            header_chunk_count,
            chunk_slots: report.chunk_slots,
            chunks_scanned: report.chunks_scanned,
            chunks_with_records: report
                .ranges
                .iter()
                .filter(|range| range.records > 0)
                .count() as u64,
            chunks_empty: report.chunks_empty,
            chunks_past_header_count,
            chunks_missing: header.map_or(0, |header| header.chunks_missing(report.chunk_slots)),
            problem_chunks: problem_chunks(report),
            record_failures: report.skipped.iter().filter_map(record_failure).collect(),
            record_id_gaps: report.record_id_gaps(),
            record_ids_missing_inside_chunks: report.record_ids_missing_inside_chunks(),
            first_record_id: report.first_record_id(),
            last_record_id: report.last_record_id(),
            first_time: report.first_time,
            last_time: report.last_time,
        }
    }

    /// Lists one line per damaged chunk, failed record and EventRecordID gap, at most
    /// `limit` of each, and then how many more the JSON export has.
    pub fn problem_lines(&self, limit: usize) -> Vec<String> {
        let mut lines = Vec::new();
        for chunk in self.problem_chunks.iter().take(limit) {
            let mut line = format!(
                "chunk {} at {:#x}: {} ({} records read, {} failed)",
                chunk.index,
                chunk.offset,
                chunk.outcome.name().replace('_', " "),
                chunk.records_read,
                chunk.records_failed,
            );
            // A chunk may have failed records and no reason of its own: the records' lines
            // follow below.
            if !chunk.reasons.is_empty() {
                line.push_str(": ");
                line.push_str(&chunk.reasons.join("; "));
            }
            lines.push(line);
        }
        for failure in self.record_failures.iter().take(limit) {
            let place = match (failure.record_id, failure.offset) {
                (Some(id), _) => format!("record {id}"),
                (None, Some(offset)) => format!("record at {offset:#x}"),
                (None, None) => "a record".into(),
            };
            lines.push(format!(
                "chunk {}, {place}: {}",
                failure.chunk, failure.reason
            ));
        }
        for gap in self.record_id_gaps.iter().take(limit) {
            lines.push(format!(
                "EventRecordIDs {} to {} missing ({} records)",
                gap.after + 1,
                gap.before - 1,
                gap.len()
            ));
        }
        let cut = self.problem_chunks.len().saturating_sub(limit)
            + self.record_failures.len().saturating_sub(limit)
            + self.record_id_gaps.len().saturating_sub(limit);
        if cut > 0 {
            lines.push(format!("{cut} more entries are in the JSON export"));
        }
        lines
    }

    /// Builds the JSON object of the export's `files[].integrity`, with times as ISO 8601.
    pub fn to_json(&self) -> Value {
        let chunks: Vec<Value> = self
            .problem_chunks
            .iter()
            .map(|chunk| {
                json!({
                    "chunk": chunk.index,
                    "offset": chunk.offset,
                    "outcome": chunk.outcome.name(),
                    "records_read": chunk.records_read,
                    "records_failed": chunk.records_failed,
                    "reasons": chunk.reasons,
                })
            })
            .collect();
        let failures: Vec<Value> = self
            .record_failures
            .iter()
            .map(|failure| {
                json!({
                    "chunk": failure.chunk,
                    "record_id": failure.record_id,
                    "offset": failure.offset,
                    "reason": failure.reason,
                })
            })
            .collect();
        let gaps: Vec<Value> = self
            .record_id_gaps
            .iter()
            .map(|gap| json!({"after": gap.after, "before": gap.before}))
            .collect();
        json!({
            "dirty": self.dirty,
            "full": self.full,
            "header_checksum_valid": self.header_checksum_valid,
            "header_chunk_count": self.header_chunk_count,
            "chunk_slots": self.chunk_slots,
            "chunks_scanned": self.chunks_scanned,
            "chunks_with_records": self.chunks_with_records,
            "chunks_empty": self.chunks_empty,
            "chunks_past_header_count": self.chunks_past_header_count,
            "chunks_missing": self.chunks_missing,
            "problem_chunks": chunks,
            "record_failures": failures,
            "record_id_gaps": gaps,
            "record_ids_missing_inside_chunks": self.record_ids_missing_inside_chunks,
            "first_record_id": self.first_record_id,
            "last_record_id": self.last_record_id,
            "first_time": self.first_time.map(|time| time.to_string()),
            "last_time": self.last_time.map(|time| time.to_string()),
        })
    }
}

impl FileReport {
    /// Builds this file's integrity facts with [`Integrity::of`].
    pub fn integrity(&self) -> Integrity {
        Integrity::of(self)
    }
}

/// Returns the chunk a problem is in; `None` for the file header.
fn chunk_of(place: &Place) -> Option<u64> {
    match place {
        Place::FileHeader => None,
        Place::Chunk { index, .. } => Some(*index),
        Place::Record { chunk, .. } | Place::RecordAt { chunk, .. } => Some(*chunk),
    }
}

fn record_failure(skip: &Skip) -> Option<RecordFailure> {
    let (chunk, record_id, offset) = match skip.place {
        Place::Record { chunk, record_id } => (chunk, Some(record_id), None),
        Place::RecordAt { chunk, offset } => (chunk, None, Some(offset)),
        Place::FileHeader | Place::Chunk { .. } => return None,
    };
    Some(RecordFailure {
        chunk,
        record_id,
        offset,
        reason: skip.reason.clone(),
    })
}

/// Lists the chunks with at least one problem. A chunk the file ends inside always has one,
/// because the scan notes the cut (or a bad signature when the chunk header itself is cut).
pub(super) fn problem_chunks(report: &FileReport) -> Vec<ChunkProblem> {
    let mut problems: Vec<ChunkProblem> = Vec::new();
    for skip in &report.skipped {
        let Some(index) = chunk_of(&skip.place) else {
            continue;
        };
        if problems.last().is_none_or(|last| last.index != index) {
            problems.push(ChunkProblem {
                index,
                offset: chunk_offset(index),
                outcome: ChunkOutcome::ReadWithWarnings,
                records_read: 0,
                records_failed: 0,
                reasons: Vec::new(),
            });
        }
        let problem = problems.last_mut().expect("pushed above");
        match skip.place {
            Place::Chunk { .. } => problem.reasons.push(skip.reason.clone()),
            _ => problem.records_failed += 1,
        }
        if skip.severity == Severity::Skipped {
            problem.outcome = ChunkOutcome::PartlyRead;
        }
    }
    for problem in &mut problems {
        problem.records_read = report
            .ranges
            .iter()
            .find(|range| range.index == problem.index)
            .map_or(0, |range| range.records);
        let cut = chunk_offset(problem.index) + CHUNK_SIZE > report.size;
        if cut {
            problem.outcome = ChunkOutcome::PartlyRead;
        }
        if problem.outcome == ChunkOutcome::PartlyRead && problem.records_read == 0 {
            problem.outcome = ChunkOutcome::Skipped;
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::FileHeader;
    use crate::report::sample::{chunk, failure_at};
    use crate::scan::ChunkScan;

    fn header(chunk_count: u16, dirty: bool) -> FileHeader {
        FileHeader {
            first_chunk_number: 0,
            last_chunk_number: u64::from(chunk_count).saturating_sub(1),
            next_record_id: 100,
            major_version: 3,
            minor_version: 1,
            chunk_count,
            dirty,
            full: false,
            checksum_valid: true,
        }
    }

    fn skip(place: Place, severity: Severity, reason: &str) -> Skip {
        Skip {
            place,
            severity,
            reason: reason.to_owned(),
        }
    }

    fn chunk_place(index: u64) -> Place {
        Place::Chunk {
            index,
            offset: chunk_offset(index),
        }
    }

    /// Builds a four-slot file whose header counts two chunks: chunk 0 clean, chunk 1 with a
    /// failed record, chunk 2 with a bad signature, chunk 3 (past the count) recovered.
    fn damaged_report() -> FileReport {
        let mut report = FileReport::new("a.evtx", 4096 + 4 * 65536);
        report.set_header(Ok(header(2, true)));
        report.add_chunk(chunk(0, vec![failure_at(1, 0), failure_at(2, 1)]));

        let mut partly = chunk(1, vec![failure_at(3, 2), failure_at(5, 4)]);
        partly.skipped = vec![skip(
            Place::Record {
                chunk: 1,
                record_id: 4,
            },
            Severity::Skipped,
            "invalid token",
        )];
        report.add_chunk(partly);

        let mut lost = ChunkScan {
            index: 2,
            offset: chunk_offset(2),
            ..ChunkScan::default()
        };
        lost.skipped = vec![skip(
            chunk_place(2),
            Severity::Skipped,
            "bad chunk signature",
        )];
        report.add_chunk(lost);

        let mut recovered = chunk(3, vec![failure_at(9, 8)]);
        recovered.recovered = true;
        recovered.skipped = vec![skip(
            chunk_place(3),
            Severity::Warning,
            "data CRC32 invalid",
        )];
        report.add_chunk(recovered);
        report
    }

    #[test]
    fn header_flags_and_counts() {
        let facts = damaged_report().integrity();

        assert_eq!(facts.dirty, Some(true));
        assert_eq!(facts.full, Some(false));
        assert_eq!(facts.header_checksum_valid, Some(true));
        assert_eq!(facts.header_chunk_count, Some(2));
        assert_eq!(facts.chunk_slots, 4);
        assert_eq!(facts.chunks_scanned, 4);
        assert_eq!(facts.chunks_with_records, 3);
        assert_eq!(facts.chunks_past_header_count, 1);
        assert_eq!(facts.chunks_missing, 0);
    }

    #[test]
    fn chunks_read_leave_out_the_skipped_ones() {
        let report = damaged_report();
        let skipped = report
            .integrity()
            .problem_chunks
            .iter()
            .filter(|chunk| chunk.outcome == ChunkOutcome::Skipped)
            .count() as u64;
        assert!(skipped > 0, "the damaged report has a skipped chunk");
        assert_eq!(report.chunks_read(), report.chunks_scanned - skipped);
    }

    #[test]
    fn problem_chunks_by_outcome() {
        let facts = damaged_report().integrity();

        assert_eq!(
            facts.problem_chunks,
            [
                ChunkProblem {
                    index: 1,
                    offset: 0x11000,
                    outcome: ChunkOutcome::PartlyRead,
                    records_read: 2,
                    records_failed: 1,
                    reasons: vec![],
                },
                ChunkProblem {
                    index: 2,
                    offset: 0x21000,
                    outcome: ChunkOutcome::Skipped,
                    records_read: 0,
                    records_failed: 0,
                    reasons: vec!["bad chunk signature".to_owned()],
                },
                ChunkProblem {
                    index: 3,
                    offset: 0x31000,
                    outcome: ChunkOutcome::ReadWithWarnings,
                    records_read: 1,
                    records_failed: 0,
                    reasons: vec!["data CRC32 invalid".to_owned()],
                },
            ]
        );
    }

    #[test]
    fn record_failures_and_gaps() {
        let facts = damaged_report().integrity();

        assert_eq!(
            facts.record_failures,
            [RecordFailure {
                chunk: 1,
                record_id: Some(4),
                offset: None,
                reason: "invalid token".to_owned(),
            }]
        );
        assert_eq!(
            facts.record_id_gaps,
            [RecordIdGap {
                after: 5,
                before: 9
            }]
        );
        assert_eq!(facts.record_ids_missing_inside_chunks, 1);
        assert_eq!(facts.first_record_id, Some(1));
        assert_eq!(facts.last_record_id, Some(9));
        assert_eq!(
            facts.first_time.map(|time| time.to_string()).as_deref(),
            Some("2024-05-01T12:34:56.1234567Z")
        );
        assert_eq!(
            facts.last_time.map(|time| time.to_string()).as_deref(),
            Some("2024-05-01T12:35:04.1234567Z")
        );
    }

    #[test]
    fn problem_lines_name_each_problem() {
        let facts = damaged_report().integrity();

        assert_eq!(
            facts.problem_lines(20),
            [
                // Its failed record has the line below, and the chunk no reason of its own.
                "chunk 1 at 0x11000: partly read (2 records read, 1 failed)",
                "chunk 2 at 0x21000: skipped (0 records read, 0 failed): bad chunk signature",
                "chunk 3 at 0x31000: read with warnings (1 records read, 0 failed): \
                 data CRC32 invalid",
                "chunk 1, record 4: invalid token",
                "EventRecordIDs 6 to 8 missing (3 records)",
            ]
        );
        let cut = facts.problem_lines(1);
        assert_eq!(cut.len(), 4);
        assert_eq!(cut[3], "2 more entries are in the JSON export");
    }

    #[test]
    fn cut_chunk_is_partly_read() {
        let mut report = FileReport::new("cut.evtx", 4096 + 65536 + 9000);
        report.set_header(Ok(header(2, false)));
        report.add_chunk(chunk(0, vec![failure_at(1, 0)]));
        let mut cut = chunk(1, vec![failure_at(2, 1)]);
        cut.skipped = vec![skip(chunk_place(1), Severity::Warning, "the file ends")];
        report.add_chunk(cut);

        let facts = report.integrity();

        assert_eq!(facts.problem_chunks.len(), 1);
        assert_eq!(facts.problem_chunks[0].outcome, ChunkOutcome::PartlyRead);
        assert_eq!(facts.problem_chunks[0].records_read, 1);
        assert_eq!(facts.chunks_missing, 0);
    }

    #[test]
    fn file_cut_inside_its_header_misses_chunks() {
        let mut report = FileReport::new("short.evtx", 2000);
        report.set_header(Ok(header(3, false)));

        let facts = report.integrity();

        assert_eq!(facts.chunk_slots, 0);
        assert_eq!(facts.chunks_missing, 3);
        assert_eq!(facts.problem_chunks, []);
    }

    #[test]
    fn no_header_gives_no_flags() {
        let mut report = FileReport::new("notes.txt", 12);
        report.set_header(Err(crate::read::HeaderError::TooShort { size: 12 }));

        let facts = report.integrity();

        assert_eq!(facts.dirty, None);
        assert_eq!(facts.header_chunk_count, None);
        assert_eq!(facts.chunks_missing, 0);
        assert_eq!(facts, Integrity::default());
    }

    #[test]
    fn json_has_every_fact() {
        let json = damaged_report().integrity().to_json().to_string();

        let expected = "{\"dirty\":true,\"full\":false,\"header_checksum_valid\":true,\
            \"header_chunk_count\":2,\"chunk_slots\":4,\"chunks_scanned\":4,\
            \"chunks_with_records\":3,\"chunks_empty\":0,\"chunks_past_header_count\":1,\
            \"chunks_missing\":0,\"problem_chunks\":[\
            {\"chunk\":1,\"offset\":69632,\"outcome\":\"partly_read\",\"records_read\":2,\
            \"records_failed\":1,\"reasons\":[]},\
            {\"chunk\":2,\"offset\":135168,\"outcome\":\"skipped\",\"records_read\":0,\
            \"records_failed\":0,\"reasons\":[\"bad chunk signature\"]},\
            {\"chunk\":3,\"offset\":200704,\"outcome\":\"read_with_warnings\",\
            \"records_read\":1,\"records_failed\":0,\"reasons\":[\"data CRC32 invalid\"]}],\
            \"record_failures\":[{\"chunk\":1,\"record_id\":4,\"offset\":null,\
            \"reason\":\"invalid token\"}],\"record_id_gaps\":[{\"after\":5,\"before\":9}],\
            \"record_ids_missing_inside_chunks\":1,\"first_record_id\":1,\"last_record_id\":9,\
            \"first_time\":\"2024-05-01T12:34:56.1234567Z\",\
            \"last_time\":\"2024-05-01T12:35:04.1234567Z\"}";
        assert_eq!(json, expected);
    }
}
