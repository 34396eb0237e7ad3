//! Scanning: one chunk's bytes in, the records of interest and what was skipped out.
//!
//! Each chunk is read on its own, so a damaged chunk costs only its own records and chunks
//! can be scanned in any order, by any worker.

pub mod event;
mod fast;
pub mod interest;
mod json_record;
pub mod skip;
mod truncated;
pub mod xml;

use crate::filetime::FileTime;
use crate::read::CHUNK_SIZE;
use evtx::err::EvtxError;
use evtx::{EvtxChunkData, ParserSettings};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use event::{DataField, FieldValue, RawEvent};
pub use fast::FastPathUse;
#[doc(hidden)]
pub use fast::{check_decoder, DecoderCheck};
pub use skip::{Place, Severity, Skip};

const CHUNK_MAGIC: &[u8; 8] = b"ElfChnk\0";
const CHUNK_HEADER_SIZE: usize = 512;

/// Results of scanning one chunk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChunkScan {
    pub index: u64,
    pub offset: u64,
    /// The slot held only zero bytes, as unused chunks at the end of a log do.
    pub empty: bool,
    /// The chunk was read although its checksums are wrong.
    pub recovered: bool,
    /// Records read and rendered, of every event ID.
    pub records: u64,
    /// Records read, by EventID (records without a numeric EventID are not counted here).
    pub event_counts: BTreeMap<u32, u64>,
    /// The records of interest, in the chunk's order.
    pub events: Vec<RawEvent>,
    pub skipped: Vec<Skip>,
    pub first_record_id: Option<u64>,
    pub last_record_id: Option<u64>,
    pub first_time: Option<FileTime>,
    pub last_time: Option<FileTime>,
}

/// Scans the chunk at slot `index`; `bytes` may be shorter than a chunk when the file is cut.
pub fn scan_chunk(index: u64, offset: u64, bytes: Vec<u8>) -> ChunkScan {
    scan_chunk_with(index, offset, bytes, Path::Fast).0
}

/// [`scan_chunk`] rendering every record to JSON, for tests and benchmarks that compare
/// the fast path with it.
pub fn scan_chunk_slow(index: u64, offset: u64, bytes: Vec<u8>) -> ChunkScan {
    scan_chunk_with(index, offset, bytes, Path::Slow).0
}

/// [`scan_chunk`] without the fallback: `None` when the fast path hands the chunk to the
/// slow one, else the scan and how its IPsec-family records were read. Tests use it to
/// check that the fast path and its decoder really run.
pub fn scan_chunk_fast_only(
    index: u64,
    offset: u64,
    bytes: Vec<u8>,
) -> Option<(ChunkScan, FastPathUse)> {
    let (scan, used) = scan_chunk_with(index, offset, bytes, Path::FastOnly);
    used.map(|used| (scan, used))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    Fast,
    FastOnly,
    Slow,
}

/// Returns the scan and, when the fast path read the chunk's records itself, how it read
/// them. Chunks with nothing to read (empty, unreadable header) count as read by it.
fn scan_chunk_with(
    index: u64,
    offset: u64,
    mut bytes: Vec<u8>,
    path: Path,
) -> (ChunkScan, Option<FastPathUse>) {
    let nothing_read = Some(FastPathUse::default());
    let mut scan = ChunkScan {
        index,
        offset,
        ..ChunkScan::default()
    };
    let place = Place::Chunk { index, offset };
    if bytes.iter().all(|b| *b == 0) {
        scan.empty = true;
        return (scan, nothing_read);
    }
    if bytes.len() < CHUNK_HEADER_SIZE && bytes.starts_with(CHUNK_MAGIC) {
        scan.skipped.push(Skip {
            place,
            severity: Severity::Skipped,
            reason: format!(
                "the file ends {} bytes into this chunk's 512-byte header, so its string and \
                 template tables are lost",
                bytes.len()
            ),
        });
        return (scan, nothing_read);
    }
    if bytes.len() < CHUNK_HEADER_SIZE || &bytes[..8] != CHUNK_MAGIC {
        scan.skipped.push(Skip {
            place,
            severity: Severity::Skipped,
            reason: describe_bad_magic(&bytes),
        });
        return (scan, nothing_read);
    }
    let cut = bytes.len();
    let truncated = (cut as u64) < CHUNK_SIZE;
    // Past this file offset the chunk holds only the zeros added for a cut-off file.
    let mut records_end = offset + cut as u64;
    let mut cut_record = None;
    if truncated {
        if let Some(at) = truncated::drop_partial_record(&mut bytes) {
            records_end = offset + at as u64;
            cut_record = Some(records_end);
        }
        let lost = match cut_record {
            Some(at) => format!("The record at {at:#x} is cut off and listed as failed."),
            None => "No record is cut.".to_string(),
        };
        scan.skipped.push(Skip {
            place: place.clone(),
            severity: Severity::Warning,
            reason: format!(
                "the file ends {cut} bytes into this chunk. {lost} The records before the end \
                 are read and marked recovered, because the chunk's data CRC32 cannot be checked."
            ),
        });
        bytes.resize(CHUNK_SIZE as usize, 0);
    }
    let mut chunk = match EvtxChunkData::new(bytes, false) {
        Ok(chunk) => chunk,
        Err(error) => {
            scan.skipped.push(Skip {
                place,
                severity: Severity::Skipped,
                reason: format!("unreadable chunk header: {}", error_chain(&error)),
            });
            return (scan, nothing_read);
        }
    };
    chunk.number = Some(index);
    let checksum_problems = check_checksums(&chunk, truncated, &mut scan);
    // The checksum note goes before the problems met while reading, but its wording
    // depends on what reading found.
    let checksum_at = scan.skipped.len();
    let fast_use = match path {
        Path::Slow => None,
        Path::Fast | Path::FastOnly => fast::read_records(&mut chunk, &mut scan),
    };
    let mut tables = Tables::Readable;
    if fast_use.is_none() && path != Path::FastOnly {
        tables = read_records(&mut chunk, &mut scan);
    }
    if truncated {
        // The cut is reported once above; the parser's complaints about the zeros are noise.
        scan.skipped.retain(
            |skip| !matches!(skip.place, Place::RecordAt { offset, .. } if offset >= records_end),
        );
    }
    let records_failed = scan.skipped.len() - checksum_at;
    let outcome = ReadOutcome {
        tables,
        records_read: scan.records,
        records_failed,
    };
    if let Some(skip) = outcome.chunk_skip(&place, checksum_problems) {
        scan.skipped.insert(checksum_at, skip);
    }
    if let Some(offset) = cut_record {
        scan.skipped.push(Skip {
            place: Place::RecordAt {
                chunk: index,
                offset,
            },
            severity: Severity::Skipped,
            reason: "the file ends inside this record, so it was not read".to_string(),
        });
    }
    (scan, fast_use)
}

/// Marks the chunk recovered when a checksum fails and returns the failures, such as
/// "data CRC32 invalid". A cut-off chunk's data CRC32 cannot match, so it is not checked
/// and the chunk counts as recovered already.
fn check_checksums(chunk: &EvtxChunkData, truncated: bool, scan: &mut ChunkScan) -> Option<String> {
    scan.recovered = truncated;
    let mut problems = Vec::new();
    if !chunk.validate_header_checksum() {
        problems.push("header CRC32 invalid");
    }
    if !truncated && !chunk.validate_data_checksum() {
        problems.push("data CRC32 invalid");
    }
    if problems.is_empty() {
        return None;
    }
    scan.recovered = true;
    Some(problems.join(" and "))
}

/// Whether the chunk's string and template tables could be read.
#[derive(Debug, PartialEq)]
enum Tables {
    Readable,
    /// The tables failed, so no record was read. The text is the parser's error.
    Unreadable(String),
}

/// The result of reading a chunk's records, for wording the chunk's own problem.
struct ReadOutcome {
    tables: Tables,
    records_read: u64,
    /// Records listed as skipped while reading.
    records_failed: usize,
}

impl ReadOutcome {
    /// Builds the one problem that concerns the chunk as a whole, from its checksum
    /// failures and its tables, so the chunk's note never claims records were read when
    /// none were.
    fn chunk_skip(&self, place: &Place, checksum_problems: Option<String>) -> Option<Skip> {
        let (severity, reason) = match (&self.tables, checksum_problems) {
            (Tables::Readable, None) => return None,
            (Tables::Unreadable(cause), None) => (
                Severity::Skipped,
                format!("chunk tables unreadable, so none of its records were read: {cause}"),
            ),
            (Tables::Unreadable(cause), Some(problems)) => (
                Severity::Skipped,
                format!(
                    "{problems} and chunk tables unreadable, so none of its records were \
                     read: {cause}"
                ),
            ),
            (Tables::Readable, Some(problems)) if self.records_read == 0 => {
                let rest = if self.records_failed > 0 {
                    "none of its records could be read"
                } else {
                    "it contains no records"
                };
                (Severity::Warning, format!("{problems}, and {rest}"))
            }
            (Tables::Readable, Some(problems)) => (
                Severity::Warning,
                format!("{problems}; its records were read anyway and are marked recovered"),
            ),
        };
        Some(Skip {
            place: place.clone(),
            severity,
            reason,
        })
    }
}

/// Reads every record of the chunk into `scan` with the evtx parser, listing each record
/// that fails there. The tables' failure is returned, not listed, for the caller to word.
fn read_records(chunk: &mut EvtxChunkData, scan: &mut ChunkScan) -> Tables {
    let settings = Arc::new(ParserSettings::default());
    let mut parsed = match chunk.parse(settings) {
        Ok(parsed) => parsed,
        Err(error) => return Tables::Unreadable(error_chain(&error)),
    };
    for item in parsed.iter() {
        let record = match item {
            Ok(record) => record,
            Err(error) => {
                scan.skipped.push(record_skip(scan.index, &error));
                continue;
            }
        };
        let record_id = record.event_record_id;
        let rendered = match record.into_json_value() {
            Ok(rendered) => rendered,
            Err(error) => {
                scan.skipped.push(record_skip(scan.index, &error));
                continue;
            }
        };
        scan.records += 1;
        scan.first_record_id = Some(
            scan.first_record_id
                .map_or(record_id, |id| id.min(record_id)),
        );
        scan.last_record_id = Some(
            scan.last_record_id
                .map_or(record_id, |id| id.max(record_id)),
        );
        let facts = json_record::SystemFacts::read(&rendered.data);
        if let Some(time) = facts.time_created {
            scan.first_time = Some(scan.first_time.map_or(time, |t| t.min(time)));
            scan.last_time = Some(scan.last_time.map_or(time, |t| t.max(time)));
        }
        let Some(event_id) = facts.event_id else {
            continue;
        };
        *scan.event_counts.entry(event_id).or_default() += 1;
        if interest::is_of_interest(&facts.provider, event_id) {
            let event = json_record::to_raw_event(
                facts,
                record_id,
                &rendered.data,
                scan.recovered || rendered.recovered,
            );
            scan.events.push(event);
        }
    }
    Tables::Readable
}

fn record_skip(chunk: u64, error: &EvtxError) -> Skip {
    let place = match error {
        EvtxError::FailedToParseRecord { record_id, .. } => Place::Record {
            chunk,
            record_id: *record_id,
        },
        // evtx counts this offset from the chunk's start; a Place contains file offsets.
        EvtxError::FailedToReadRecordAt { offset, .. } => Place::RecordAt {
            chunk,
            offset: crate::read::chunk_offset(chunk) + offset,
        },
        _ => Place::Chunk {
            index: chunk,
            offset: crate::read::chunk_offset(chunk),
        },
    };
    Skip {
        place,
        severity: Severity::Skipped,
        reason: error_chain(error),
    }
}

/// Joins an error and its sources, since evtx's outer messages alone name no cause. Some
/// outer messages already quote their cause, so a cause is added only when its text is new.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !cause_text.is_empty() && !text.contains(&cause_text) {
            // "stream.: cause" reads as a typo; the colon ends the sentence instead.
            if text.ends_with('.') {
                text.pop();
            }
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn describe_bad_magic(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(8)];
    let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "bad chunk signature: expected \"ElfChnk\\0\", found {}",
        hex.join(" ")
    )
}

/// Scans a whole file held in memory: for native tools and tests, not the browser path.
pub fn scan_file_bytes(
    bytes: &[u8],
) -> Result<(crate::read::FileHeader, Vec<ChunkScan>), crate::read::HeaderError> {
    let header = crate::read::FileHeader::parse(bytes, bytes.len() as u64)?;
    let chunks = (0..crate::read::chunk_slots(bytes.len() as u64))
        .map(|index| {
            let offset = crate::read::chunk_offset(index);
            let end = (offset + CHUNK_SIZE).min(bytes.len() as u64);
            scan_chunk(index, offset, bytes[offset as usize..end as usize].to_vec())
        })
        .collect();
    Ok((header, chunks))
}

#[cfg(test)]
mod tests {
    use super::error_chain;
    use std::fmt;

    #[derive(Debug)]
    struct Layer {
        text: &'static str,
        cause: Option<Box<Layer>>,
    }

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.text)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.cause.as_deref().map(|cause| cause as _)
        }
    }

    fn layer(text: &'static str, cause: Option<Layer>) -> Layer {
        Layer {
            text,
            cause: cause.map(Box::new),
        }
    }

    #[test]
    fn chain_names_each_cause_once() {
        let inner = layer("offset 0x40 is past the end", None);
        let middle = layer("bad template: offset 0x40 is past the end", Some(inner));
        let outer = layer("failed to parse record 7", Some(middle));
        assert_eq!(
            error_chain(&outer),
            "failed to parse record 7: bad template: offset 0x40 is past the end"
        );
    }

    #[test]
    fn chain_drops_the_full_stop_before_a_cause() {
        let inner = layer("offset 9 is past the end", None);
        let outer = layer("could not read the stream.", Some(inner));
        assert_eq!(
            error_chain(&outer),
            "could not read the stream: offset 9 is past the end"
        );
    }

    #[test]
    fn chain_without_causes_is_the_message() {
        assert_eq!(error_chain(&layer("no chunk", None)), "no chunk");
    }
}
