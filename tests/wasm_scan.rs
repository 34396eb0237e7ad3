//! The scan compiled to wasm32 and run in headless Chromium, on an EVTX file that the
//! fixture writer builds in the browser. Run with `CHROMEDRIVER=/usr/bin/chromedriver
//! cargo test --target wasm32-unknown-unknown --test wasm_scan`.
//!
//! These checks repeat native ones on purpose: 64-bit integers, UTF-16 text and time
//! arithmetic are where a wasm32 build can differ from a native one.

#![cfg(target_arch = "wasm32")]

use ipsec_lens::fixture::samples::known_4983;
use ipsec_lens::fixture::write_evtx;
use ipsec_lens::scan::{scan_file_bytes, ChunkScan, FieldValue, RawEvent, Severity};
use std::collections::BTreeMap;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn known_file() -> Vec<u8> {
    write_evtx(&known_4983()).expect("the known sample set is writable")
}

fn scan_known() -> Vec<ChunkScan> {
    let (_, chunks) = scan_file_bytes(&known_file()).expect("the fixture header is valid");
    chunks
}

fn text(event: &RawEvent, name: &str) -> String {
    match event.field(name) {
        Some(FieldValue::Text(text)) => text.clone(),
        other => panic!(
            "record {}: {name} is {other:?}, expected text",
            event.record_id
        ),
    }
}

fn unsigned(event: &RawEvent, name: &str) -> u64 {
    match event.field(name) {
        Some(FieldValue::Unsigned(number)) => *number,
        other => panic!(
            "record {}: {name} is {other:?}, expected a number",
            event.record_id
        ),
    }
}

#[wasm_bindgen_test]
fn known_file_counts() {
    let bytes = known_file();
    let (header, chunks) = scan_file_bytes(&bytes).expect("the fixture header is valid");

    assert_eq!(bytes.len(), 4096 + 65536);
    assert_eq!(header.chunk_count, 1);
    assert_eq!(header.next_record_id, 8);
    assert_eq!(chunks.len(), 1);
    let chunk = &chunks[0];
    assert_eq!(chunk.records, 7);
    assert!(chunk.skipped.is_empty(), "skipped: {:?}", chunk.skipped);
    assert!(!chunk.recovered);
    let expected_counts = BTreeMap::from([(4624, 1), (4653, 1), (4654, 1), (4983, 3), (4984, 1)]);
    assert_eq!(chunk.event_counts, expected_counts);
    assert_eq!(chunk.first_record_id, Some(1));
    assert_eq!(chunk.last_record_id, Some(7));
}

#[wasm_bindgen_test]
fn known_file_events_of_interest() {
    let chunks = scan_known();
    let events = &chunks[0].events;

    // Record 3 is a 4624 logon, which the scan counts but does not keep.
    let ids: Vec<(u64, u32)> = events.iter().map(|e| (e.record_id, e.event_id)).collect();
    assert_eq!(
        ids,
        [
            (1, 4983),
            (2, 4983),
            (4, 4984),
            (5, 4653),
            (6, 4654),
            (7, 4983)
        ]
    );
    for event in events {
        assert_eq!(event.provider, "Microsoft-Windows-Security-Auditing");
        assert!(
            !event.recovered,
            "record {} marked recovered",
            event.record_id
        );
    }
}

#[wasm_bindgen_test]
fn known_file_4983_values() {
    let chunks = scan_known();
    let first = &chunks[0].events[0];
    let second = &chunks[0].events[1];

    assert_eq!(first.computer, "WS-0142.corp.contoso.com");
    assert_eq!(
        first.time_created.to_string(),
        "2024-05-01T12:34:56.1234567Z"
    );
    assert_eq!(text(first, "LocalEMPrincipalName"), "CONTOSO\\alice");
    assert_eq!(text(first, "RemoteAddress"), "10.20.10.5");
    assert_eq!(unsigned(first, "LocalKeyModPort"), 500);
    assert_eq!(text(first, "FailurePoint"), "%%8199");
    assert_eq!(
        text(first, "FailureReason"),
        "IKE authentication credentials are unacceptable"
    );
    // u64::MAX and 2^53 + 1 lose precision if any step goes through a JavaScript number.
    assert_eq!(unsigned(first, "QMFilterID"), u64::MAX);
    assert_eq!(unsigned(second, "QMFilterID"), (1 << 53) + 1);
    assert_eq!(
        second.time_created.to_string(),
        "2024-05-01T12:34:57.1234568Z"
    );
    assert_eq!(text(second, "LocalAddress"), "fe80::1c2d:3e4f:5a6b:7c8d");
    assert_eq!(text(second, "FailurePoint"), "%%9999");
}

#[wasm_bindgen_test]
fn cut_file_reports_lost_records() {
    let mut bytes = known_file();
    bytes.truncate(4096 + 3000);

    let (_, chunks) = scan_file_bytes(&bytes).expect("the header is intact");

    assert_eq!(chunks.len(), 1);
    let chunk = &chunks[0];
    assert_eq!(chunk.records, 0);
    let first = &chunk.skipped[0];
    assert_eq!(first.severity, Severity::Warning);
    assert_eq!(
        first.reason,
        "the file ends 3000 bytes into this chunk. The record at 0x1200 is cut off and \
         listed as failed. The records before the end are read and marked recovered, \
         because the chunk's data CRC32 cannot be checked."
    );
    assert_eq!(chunk.skipped[1].severity, Severity::Skipped);
    assert_eq!(chunk.skipped.len(), 2);
    assert!(chunk.recovered);
}
