//! Compares the decoder with the evtx crate on every record of a chunk, whatever its
//! EventID, so that tests can check it on logs with few or no IPsec events.

use super::decode::decode_record;
use super::walk;
use crate::scan::json_record::{to_raw_event, SystemFacts};
use evtx::{EvtxChunkData, ParserSettings};
use std::sync::Arc;

/// The result of [`check_decoder`] on one chunk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecoderCheck {
    /// Records the decoder read, all matching the crate.
    pub decoded: u64,
    /// Records the decoder left to the crate.
    pub declined: u64,
    /// Records the decoder read differently from the crate, described.
    pub differences: Vec<String>,
}

/// Decodes every record of a whole, undamaged chunk and compares the result with what
/// `json_record` reads from the crate's JSON. `None` when the fast path would not take the
/// chunk or the crate cannot build one of its records.
pub fn check_decoder(bytes: Vec<u8>) -> Option<DecoderCheck> {
    let mut chunk = EvtxChunkData::new(bytes, false).ok()?;
    let (walked, mut templates) = walk(&chunk)?;
    let mut decoded = Vec::with_capacity(walked.len());
    for record in &walked {
        let result = decode_record(
            &chunk.data,
            record.binxml_start,
            record.binxml_end,
            &mut templates,
        );
        decoded.push(result);
    }
    let mut parsed = chunk.parse(Arc::new(ParserSettings::default())).ok()?;
    let mut check = DecoderCheck::default();
    for (record, (walked, decoded)) in parsed.iter().zip(walked.iter().zip(decoded)) {
        let record = record.ok()?;
        if record.event_record_id != walked.record_id {
            return None;
        }
        let Some(decoded) = decoded else {
            check.declined += 1;
            continue;
        };
        let Ok(rendered) = record.into_json_value() else {
            return None;
        };
        let facts = SystemFacts::read(&rendered.data);
        let expected = to_raw_event(facts, walked.record_id, &rendered.data, false);
        let same = expected.version == decoded.version
            && expected.provider == decoded.provider
            && expected.computer == decoded.computer
            && expected.data == decoded.data;
        if same {
            check.decoded += 1;
        } else {
            check.differences.push(format!(
                "record {}: crate gave version {}, provider {:?}, computer {:?}, data {:?}; \
                 decoder gave {decoded:?}",
                walked.record_id,
                expected.version,
                expected.provider,
                expected.computer,
                expected.data
            ));
        }
    }
    Some(check)
}
