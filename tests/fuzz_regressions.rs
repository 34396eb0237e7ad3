//! Inputs that once made the scan panic, found by `scripts/fuzz`, rebuilt from fixture files
//! so no real log is copied into the repository.

#![cfg(not(target_arch = "wasm32"))]

use ipsec_lens::fixture::{damage, samples, write_evtx};
use ipsec_lens::scan::{self, Place};

const FILE_HEADER_SIZE: usize = 4096;

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// An inline template definition whose size field points past the end of its record made
/// the fast path compute `end - pos` with `pos > end` (scan_chunk fuzz target).
#[test]
fn template_size_past_record_end() {
    let mut bytes = write_evtx(&samples::known_4983()).unwrap();
    let record = damage::record_offset(&bytes, 0, 0).unwrap();
    let next = damage::record_offset(&bytes, 0, 1).unwrap();
    // Record header (24), fragment header (4), TemplateInstance token, 0x01, ID (4) and
    // definition offset (4) come before the inline definition, whose size is at +20.
    let definition = record + 24 + 4 + 10;
    assert_eq!(
        read_u32(&bytes, record + 24 + 4 + 6) as usize,
        definition - FILE_HEADER_SIZE,
        "the first record's template definition is inline"
    );
    // The substitution count is then read from the next record's signature, 0x2a2a.
    let size = (next - definition - 24) as u32;
    bytes[definition + 20..definition + 24].copy_from_slice(&size.to_le_bytes());
    damage::fix_chunk_crcs(&mut bytes, 0).unwrap();

    let (_, chunks) = scan::scan_file_bytes(&bytes).expect("the file header is intact");

    // The evtx crate rejects record 1 and reads the other six.
    let chunk = &chunks[0];
    assert_eq!(chunk.records, 6);
    let ids: Vec<u64> = chunk.events.iter().map(|event| event.record_id).collect();
    assert_eq!(ids, [2, 4, 5, 6, 7]);
    assert_eq!(chunk.skipped.len(), 1);
    assert_eq!(
        chunk.skipped[0].place,
        Place::Record {
            chunk: 0,
            record_id: 1
        }
    );
}
