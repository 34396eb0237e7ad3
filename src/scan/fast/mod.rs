//! Fast path: counts a chunk's records from their headers and template substitutions, and
//! decodes only the records that may be of interest.
//!
//! Rendering every record to JSON costs most of a scan (see docs/benchmarks.md), yet a
//! Security log holds few IPsec events. For each record the fast path reads the template
//! instance, finds from the template definition which substitution fills `EventID` and
//! which fills `TimeCreated/@SystemTime`, and reads those two values. Records with an
//! EventID of the IPsec family are decoded from their template tree and values into the
//! `RawEvent` the slow path would make (see `decode`), and the others are only counted.
//! Whatever the fast path does not recognise, in any record, makes it give the chunk back
//! to the slow path untouched, so the result never differs. When the decoder does not
//! handle one of a chunk's IPsec records, the evtx crate renders that chunk's IPsec records
//! instead.

mod bytes;
mod check;
mod decode;
mod instance;
mod layout;
mod template;
mod tree;
mod value;

use super::{interest, json_record, ChunkScan, RawEvent};
use crate::filetime::FileTime;
use bytes::{u32_at, u64_at};
use evtx::{EvtxChunkData, ParserSettings};
use instance::{record_facts, Facts, Templates};
use std::sync::Arc;

pub use check::{check_decoder, DecoderCheck};

const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_HEADER_SIZE: usize = 24;
const RECORD_MAGIC: [u8; 4] = [0x2a, 0x2a, 0, 0];

/// Estimated nodes past which a chunk goes to the slow path. The evtx crate (0.15.1,
/// `binxml/compiled.rs`) fails a chunk's further records once they have built about
/// 786,000 nodes, and a record past 262,144, so the fast path must not count such a chunk's
/// records itself. The crate's own sample chunks cost at most 16,545 nodes, and the largest
/// chunk of the corpus and of the generated logs is estimated here at 18,124.
const MAX_CHUNK_NODES: u64 = 100_000;
/// Estimated output past which a chunk goes to the slow path. The crate fails a chunk's
/// further records past 48 MiB of output, and a record past 16 MiB. Its sample chunks
/// render at most 234 KB, and the largest corpus or generated chunk is estimated at 1.1 MB.
const MAX_CHUNK_OUTPUT: u64 = 8 << 20;

/// One record as the header walk found it.
struct Walked {
    record_id: u64,
    facts: Facts,
    /// The chunk range of its BinXML: after the record header, before the size copy.
    binxml_start: usize,
    binxml_end: usize,
}

/// Counts of the ways the fast path read a chunk's IPsec-family records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FastPathUse {
    /// Records decoded from their substitution values.
    pub decoded: u64,
    /// Records built and rendered by the evtx crate, because the decoder did not handle
    /// one of the chunk's IPsec-family records.
    pub rendered: u64,
}

/// Reads the records of a chunk whose header and checksums `scan` already holds. Returns
/// `None`, leaving `scan` as it was, when the chunk needs the slow path.
pub(crate) fn read_records(chunk: &mut EvtxChunkData, scan: &mut ChunkScan) -> Option<FastPathUse> {
    let (walked, mut templates) = walk(chunk)?;
    // The string table is read on the slow path before any record; a chunk whose table
    // is unreadable is reported there.
    let settings = Arc::new(ParserSettings::default());
    if chunk.parse(settings.clone()).is_err() {
        return None;
    }
    let candidates = walked
        .iter()
        .rposition(|record| interest::IPSEC_FAMILY.contains(&record.facts.event_id))
        .map_or(0, |last| last + 1);
    let mut result = scan.clone();
    let mut used = FastPathUse::default();
    if decode_all(&chunk.data, &walked, &mut templates, &mut result, &mut used).is_none() {
        result = scan.clone();
        used = render_candidates(chunk, settings, &walked[..candidates], &mut result)?;
        for record in &walked[candidates..] {
            count(&mut result, record.record_id, record.facts);
        }
    }
    *scan = result;
    Some(used)
}

/// Counts every record and decodes the IPsec-family ones; `None` at the first one the
/// decoder does not handle, leaving `scan` partly filled.
fn decode_all(
    data: &[u8],
    walked: &[Walked],
    templates: &mut Templates,
    scan: &mut ChunkScan,
    used: &mut FastPathUse,
) -> Option<()> {
    for record in walked {
        count(scan, record.record_id, record.facts);
        let event_id = record.facts.event_id;
        if !interest::IPSEC_FAMILY.contains(&event_id) {
            continue;
        }
        let decoded =
            decode::decode_record(data, record.binxml_start, record.binxml_end, templates)?;
        used.decoded += 1;
        if interest::is_of_interest(&decoded.provider, event_id) {
            scan.events.push(RawEvent {
                event_id,
                version: decoded.version,
                record_id: record.record_id,
                time_created: record.facts.system_time.map(FileTime).unwrap_or_default(),
                provider: decoded.provider,
                computer: decoded.computer,
                data: decoded.data,
                recovered: scan.recovered,
            });
        }
    }
    Some(())
}

/// Has the evtx crate build the `walked` records, which start the chunk, and render the
/// IPsec-family ones to JSON as the slow path does.
fn render_candidates(
    chunk: &mut EvtxChunkData,
    settings: Arc<ParserSettings>,
    walked: &[Walked],
    scan: &mut ChunkScan,
) -> Option<FastPathUse> {
    let mut used = FastPathUse::default();
    if walked.is_empty() {
        return Some(used);
    }
    let mut parsed = chunk.parse(settings).ok()?;
    // The crate builds records in order, so building stops after the last candidate.
    let mut records = parsed.iter();
    for walked_record in walked {
        let Some(Ok(record)) = records.next() else {
            return None;
        };
        if record.event_record_id != walked_record.record_id {
            return None;
        }
        if !interest::IPSEC_FAMILY.contains(&walked_record.facts.event_id) {
            count(scan, walked_record.record_id, walked_record.facts);
            continue;
        }
        let rendered = record.into_json_value().ok()?;
        if !keep_rendered(scan, walked_record, &rendered) {
            return None;
        }
        used.rendered += 1;
    }
    Some(used)
}

/// Counts a record of interest from its JSON as the slow path does, after checking that
/// the fast path read the same System facts from its bytes.
fn keep_rendered(
    scan: &mut ChunkScan,
    walked: &Walked,
    rendered: &evtx::SerializedEvtxRecord<serde_json::Value>,
) -> bool {
    let facts = json_record::SystemFacts::read(&rendered.data);
    let time = walked.facts.system_time.map(FileTime);
    if facts.event_id != Some(walked.facts.event_id) || facts.time_created != time {
        return false;
    }
    count(scan, walked.record_id, walked.facts);
    if interest::is_of_interest(&facts.provider, walked.facts.event_id) {
        let recovered = scan.recovered || rendered.recovered;
        let event = json_record::to_raw_event(facts, walked.record_id, &rendered.data, recovered);
        scan.events.push(event);
    }
    true
}

fn count(scan: &mut ChunkScan, record_id: u64, facts: Facts) {
    scan.records += 1;
    scan.first_record_id = Some(
        scan.first_record_id
            .map_or(record_id, |id| id.min(record_id)),
    );
    scan.last_record_id = Some(
        scan.last_record_id
            .map_or(record_id, |id| id.max(record_id)),
    );
    if let Some(ticks) = facts.system_time {
        let time = FileTime(ticks);
        scan.first_time = Some(scan.first_time.map_or(time, |t| t.min(time)));
        scan.last_time = Some(scan.last_time.map_or(time, |t| t.max(time)));
    }
    *scan.event_counts.entry(facts.event_id).or_default() += 1;
}

/// Walks the live records from the chunk header on, as the evtx crate does for a chunk
/// without damage; `None` at the first sign of anything else.
fn walk(chunk: &EvtxChunkData) -> Option<(Vec<Walked>, Templates)> {
    let data = &chunk.data;
    let header = &chunk.header;
    let live_end = (header.free_space_offset as usize).min(data.len());
    let mut templates = Templates::default();
    let mut records = Vec::with_capacity(256);
    let mut offset = CHUNK_HEADER_SIZE;
    while offset < live_end {
        if data.get(offset..offset + 4)? != RECORD_MAGIC {
            return None;
        }
        let size = u32_at(data, offset + 4)? as usize;
        let record_id = u64_at(data, offset + 8)?;
        let written = u64_at(data, offset + 16)?;
        let end = offset.checked_add(size)?;
        // The evtx crate refuses a record header time it cannot represent.
        if size < RECORD_HEADER_SIZE + 4 || end > live_end || written > instance::latest_time() {
            return None;
        }
        if u32_at(data, end - 4)? as usize != size {
            return None;
        }
        let binxml_start = offset + RECORD_HEADER_SIZE;
        let binxml_end = end - 4;
        let facts = record_facts(data, binxml_start, binxml_end, &mut templates)?;
        records.push(Walked {
            record_id,
            facts,
            binxml_start,
            binxml_end,
        });
        if templates.spent.nodes > MAX_CHUNK_NODES || templates.spent.output > MAX_CHUNK_OUTPUT {
            return None;
        }
        if record_id == header.last_event_record_id {
            break;
        }
        offset = end;
    }
    Some((records, templates))
}
