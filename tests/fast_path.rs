//! The fast scan path must give exactly the slow path's `ChunkScan` for every chunk: of
//! every corpus file, of generated logs, and of damaged ones.
//!
//! The corpus is found through `EVTX_CORPUS` or beside the project; its part passes with a
//! message when it is absent.

#![cfg(not(target_arch = "wasm32"))]

use ipsec_lens::fixture::damage;
use ipsec_lens::fixture::host_log::{burst_log, host_log};
use ipsec_lens::fixture::hostile::hostile_4983;
use ipsec_lens::fixture::related::related_4983;
use ipsec_lens::fixture::samples::{self, Limit, TrafficOptions};
use ipsec_lens::fixture::{write_evtx, FixtureEvent};
use ipsec_lens::read::{chunk_offset, chunk_slots, CHUNK_SIZE};
use ipsec_lens::scan::{
    check_decoder, scan_chunk, scan_chunk_fast_only, scan_chunk_slow, DecoderCheck,
};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Counts of the chunks the fast path scanned itself and of those it handed back. Of the
/// IPsec-family records in the chunks it scanned, it counts those it decoded from their
/// substitution values and those the evtx crate rendered instead.
#[derive(Debug, Default, PartialEq, Eq)]
struct Coverage {
    fast: usize,
    fell_back: usize,
    decoded_records: u64,
    rendered_records: u64,
    /// Chunks with at least one IPsec-family record that the crate rendered.
    rendered_chunks: usize,
}

/// Compares both paths on every chunk slot of `bytes`; returns the differences found.
fn compare_file(name: &str, bytes: &[u8], coverage: &mut Coverage) -> Vec<String> {
    let mut differences = Vec::new();
    for index in 0..chunk_slots(bytes.len() as u64) {
        let offset = chunk_offset(index);
        let end = (offset + CHUNK_SIZE).min(bytes.len() as u64);
        let chunk = bytes[offset as usize..end as usize].to_vec();
        let slow = scan_chunk_slow(index, offset, chunk.clone());
        let fast = scan_chunk(index, offset, chunk.clone());
        match scan_chunk_fast_only(index, offset, chunk) {
            Some((_, used)) => {
                coverage.fast += 1;
                coverage.decoded_records += used.decoded;
                coverage.rendered_records += used.rendered;
                if used.rendered > 0 {
                    coverage.rendered_chunks += 1;
                }
            }
            None => coverage.fell_back += 1,
        }
        if fast != slow {
            differences.push(format!(
                "{name} chunk {index}: fast path gave {} records, {} events, {:?} counts; \
                 slow path {} records, {} events, {:?} counts",
                fast.records,
                fast.events.len(),
                fast.event_counts,
                slow.records,
                slow.events.len(),
                slow.event_counts
            ));
        }
    }
    differences
}

fn traffic(records: u64, ratio_4983: f64, seed: u64) -> Vec<u8> {
    let options = TrafficOptions {
        seed,
        ratio_4983,
        ..TrafficOptions::default()
    };
    let (out, _) =
        samples::write_traffic(Cursor::new(Vec::new()), &options, Limit::Records(records))
            .expect("writing to memory cannot fail");
    out.into_inner()
}

/// Writes a small log of every kind `mkevtx` writes.
fn generated_logs() -> Vec<(&'static str, Vec<u8>)> {
    let write =
        |events: Vec<FixtureEvent>| write_evtx(&events).expect("writing to memory cannot fail");
    vec![
        ("mixed", traffic(3000, 0.01, 11)),
        ("dominant", traffic(1500, 0.95, 12)),
        ("no 4983", traffic(1500, 0.0, 13)),
        ("known", write(samples::known_4983())),
        ("hostile", write(hostile_4983())),
        ("related", write(related_4983())),
        (
            "host log",
            write(host_log("DC01.corp.contoso.com", "10.20.0.10", 1, 400)),
        ),
        ("burst", write(burst_log())),
    ]
}

#[test]
fn generated_logs_scan_the_same_on_both_paths() {
    let files = generated_logs();
    let mut differences = Vec::new();
    for (name, bytes) in &files {
        let mut coverage = Coverage::default();
        differences.extend(compare_file(name, bytes, &mut coverage));
        // The generated logs have the shapes the fast path is for: it must take every chunk.
        assert_eq!(
            coverage.fell_back, 0,
            "{name}: the fast path handed chunks back"
        );
        assert!(coverage.fast > 0, "{name}: no chunk scanned");
        // Their IPsec records have the shapes the decoder is for: none may need the crate.
        assert_eq!(
            coverage.rendered_records, 0,
            "{name}: the evtx crate rendered IPsec-family records the decoder gave up on"
        );
        assert!(
            coverage.decoded_records > 0,
            "{name}: no IPsec-family record decoded"
        );
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn damaged_logs_scan_the_same_on_both_paths() {
    let clean = traffic(1200, 0.05, 21);
    type Damage = fn(&mut Vec<u8>) -> Result<(), damage::DamageError>;
    let damages: [(&str, Damage); 12] = [
        ("flipped chunk magic", |b| damage::flip_chunk_magic(b, 1)),
        ("bad header CRC", |b| damage::corrupt_chunk_header_crc(b, 0)),
        ("bad data CRC", |b| damage::corrupt_chunk_data_crc(b, 2)),
        ("zero record size", |b| damage::zero_record_size(b, 1, 5)),
        ("zero first record size", |b| {
            damage::zero_record_size(b, 0, 0)
        }),
        ("huge record size", |b| damage::huge_record_size(b, 2, 3)),
        ("self-referencing string", |b| {
            damage::self_referencing_string(b, 1)
        }),
        ("bogus filetime", |b| damage::bogus_filetime(b, 0, 4)),
        // The evtx crate writes element names into its JSON unescaped, so such a record
        // fails to render on the slow path.
        ("quote in an element name", |b| {
            mark_name(b, 1, "Computer", b'"')
        }),
        ("backslash in an element name", |b| {
            mark_name(b, 2, "Keywords", b'\\')
        }),
        ("cut mid-chunk", |b| {
            let length = b.len() - 40_000;
            damage::truncate(b, length);
            Ok(())
        }),
        ("cut mid-record", |b| {
            damage::truncate(b, 4096 + 65536 + 1000);
            Ok(())
        }),
    ];
    let mut differences = Vec::new();
    for (name, apply) in damages {
        let mut bytes = clean.clone();
        apply(&mut bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
        let mut coverage = Coverage::default();
        differences.extend(compare_file(name, &bytes, &mut coverage));
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// Returns the byte offset of the first UTF-16LE copy of `text` in `bytes`.
fn find_utf16(bytes: &[u8], text: &str) -> Option<usize> {
    let needle: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Replaces the second character of the first copy of `name` in chunk `chunk` with the
/// ASCII character `mark` and makes the chunk's checksums match again.
fn mark_name(
    bytes: &mut [u8],
    chunk: usize,
    name: &str,
    mark: u8,
) -> Result<(), damage::DamageError> {
    let start = 4096 + chunk * 65536;
    let at = find_utf16(&bytes[start..start + 65536], name)
        .unwrap_or_else(|| panic!("no {name} in chunk {chunk}"));
    bytes[start + at + 2] = mark;
    damage::fix_chunk_crcs(bytes, chunk)
}

fn corpus_dir() -> PathBuf {
    match std::env::var_os("EVTX_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/evtx-corpus"),
    }
}

fn evtx_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            evtx_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("evtx"))
        {
            found.push(path);
        }
    }
}

#[test]
fn corpus_scans_the_same_on_both_paths() {
    let corpus = corpus_dir();
    if !corpus.is_dir() {
        eprintln!(
            "skipped: no corpus at {} (set EVTX_CORPUS to run this test)",
            corpus.display()
        );
        return;
    }
    let mut files = Vec::new();
    evtx_files(&corpus, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no .evtx files under {}",
        corpus.display()
    );
    let mut differences = Vec::new();
    let mut coverage = Coverage::default();
    for path in &files {
        let bytes = std::fs::read(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let name = path
            .strip_prefix(&corpus)
            .unwrap_or(path)
            .display()
            .to_string();
        differences.extend(compare_file(&name, &bytes, &mut coverage));
    }
    eprintln!(
        "corpus: {} files, {} chunks on the fast path, {} handed to the slow path; \
         IPsec-family records on the fast path: {} decoded, {} rendered by the evtx crate \
         (in {} chunks)",
        files.len(),
        coverage.fast,
        coverage.fell_back,
        coverage.decoded_records,
        coverage.rendered_records,
        coverage.rendered_chunks
    );
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// Runs the decoder on every record of every whole chunk of `bytes`, whatever its EventID,
/// and adds up what it found.
fn check_decoder_on_file(name: &str, bytes: &[u8], total: &mut DecoderCheck) {
    for index in 0..chunk_slots(bytes.len() as u64) {
        let offset = chunk_offset(index);
        let end = offset + CHUNK_SIZE;
        if end > bytes.len() as u64 {
            break;
        }
        let Some(check) = check_decoder(bytes[offset as usize..end as usize].to_vec()) else {
            continue;
        };
        total.decoded += check.decoded;
        total.declined += check.declined;
        total.differences.extend(
            check
                .differences
                .into_iter()
                .map(|d| format!("{name} chunk {index}: {d}")),
        );
    }
}

#[test]
fn decoder_matches_crate_on_generated_records() {
    for (name, bytes) in &generated_logs() {
        let mut total = DecoderCheck::default();
        check_decoder_on_file(name, bytes, &mut total);
        assert!(
            total.differences.is_empty(),
            "{}",
            total.differences.join("\n")
        );
        assert_eq!(total.declined, 0, "{name}: the decoder declined records");
        assert!(total.decoded > 0, "{name}: no record decoded");
    }
}

/// The corpus has no IPsec-family records on the fast path, so the decoder is checked on
/// all its records.
#[test]
fn decoder_matches_crate_on_corpus_records() {
    let corpus = corpus_dir();
    if !corpus.is_dir() {
        eprintln!(
            "skipped: no corpus at {} (set EVTX_CORPUS to run this test)",
            corpus.display()
        );
        return;
    }
    let mut files = Vec::new();
    evtx_files(&corpus, &mut files);
    files.sort();
    let mut total = DecoderCheck::default();
    for path in &files {
        let bytes = std::fs::read(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let name = path
            .strip_prefix(&corpus)
            .unwrap_or(path)
            .display()
            .to_string();
        check_decoder_on_file(&name, &bytes, &mut total);
    }
    eprintln!(
        "corpus, every record of the fast path's chunks: {} decoded as the crate renders \
         them, {} declined, {} different",
        total.decoded,
        total.declined,
        total.differences.len()
    );
    let first_differences: Vec<&String> = total.differences.iter().take(20).collect();
    assert!(total.differences.is_empty(), "{first_differences:#?}");
}
