//! Scans every file of the real-log corpus and compares the record count with the count
//! `evtx_dump -o jsonl` (evtx 0.15.1, default settings) gave for the same file.
//!
//! The corpus directory is `EVTX_CORPUS` or the default in [`corpus_dir`]. Its files are
//! not part of the repository, so the test passes with a message when it is absent.

#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The manifest column with the count that evtx_dump 0.15.1 printed.
const EVTX_DUMP_COUNT_COLUMN: &str = "records_parsed_by_evtx_dump_0_15_1";

/// Files where the scan reads more records than evtx_dump, with the count and the reason.
const MORE_THAN_EVTX_DUMP: &[KnownExcess] = &[KnownExcess {
    file: "log2timeline_plaso/System2.evtx",
    records: 283,
    reason: "the file ends inside its last chunk: evtx_dump skips a chunk shorter than \
             64 KiB, while the scan reads the whole records that the chunk's remaining bytes \
             hold (record 284 is cut off by the end of the file and skipped)",
}];

struct KnownExcess {
    file: &'static str,
    records: u64,
    reason: &'static str,
}

struct ManifestEntry {
    file: String,
    evtx_dump_records: u64,
}

fn corpus_dir() -> PathBuf {
    match std::env::var_os("EVTX_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/evtx-corpus"),
    }
}

/// Splits one CSV line into fields, honouring double quotes and `""` escapes (RFC 4180).
/// Corpus file names contain commas, so a plain split on ',' is wrong.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

fn read_manifest(path: &Path) -> Vec<ManifestEntry> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let mut lines = text.lines();
    let header = split_csv_line(lines.next().expect("MANIFEST.csv is empty"));
    let column = |name: &str| {
        header
            .iter()
            .position(|field| field == name)
            .unwrap_or_else(|| panic!("MANIFEST.csv has no column '{name}'"))
    };
    let file_column = column("file");
    let count_column = column(EVTX_DUMP_COUNT_COLUMN);

    lines
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(index, line)| {
            let fields = split_csv_line(line);
            let count = &fields[count_column];
            ManifestEntry {
                file: fields[file_column].clone(),
                evtx_dump_records: count.parse().unwrap_or_else(|_| {
                    panic!(
                        "MANIFEST.csv row {}: invalid record count '{count}'",
                        index + 2
                    )
                }),
            }
        })
        .collect()
}

/// Scans one file and returns its record count, or what went wrong.
fn count_records(path: &Path) -> Result<u64, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read the file: {error}"))?;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        ipsec_lens::scan::scan_file_bytes(&bytes)
    }));
    match outcome {
        Ok(Ok((_, chunks))) => Ok(chunks.iter().map(|chunk| chunk.records).sum()),
        Ok(Err(error)) => Err(format!("file header rejected: {error}")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(format!("the scan panicked: {message}"))
        }
    }
}

/// Compares one file's scan count with evtx_dump's; `None` when they agree as expected.
fn check_entry(corpus: &Path, entry: &ManifestEntry) -> Option<String> {
    let records = match count_records(&corpus.join(&entry.file)) {
        Ok(records) => records,
        Err(problem) => return Some(problem),
    };
    let expected = MORE_THAN_EVTX_DUMP
        .iter()
        .find(|known| known.file == entry.file)
        .map_or(entry.evtx_dump_records, |known| known.records);
    if records == expected {
        return None;
    }
    Some(format!(
        "scan read {records} records, expected {expected} (evtx_dump read {})",
        entry.evtx_dump_records
    ))
}

#[test]
fn corpus_record_counts_match_evtx_dump() {
    let corpus = corpus_dir();
    let manifest = corpus.join("MANIFEST.csv");
    if !manifest.is_file() {
        println!("corpus not found at {}: skipping", corpus.display());
        return;
    }
    let entries = read_manifest(&manifest);
    assert!(!entries.is_empty(), "MANIFEST.csv lists no files");

    let mut report = String::new();
    let mut mismatches = 0;
    for entry in &entries {
        if let Some(problem) = check_entry(&corpus, entry) {
            mismatches += 1;
            writeln!(report, "  {}: {problem}", entry.file).unwrap();
        }
    }
    for known in MORE_THAN_EVTX_DUMP {
        let listed = entries.iter().any(|entry| entry.file == known.file);
        assert!(
            listed,
            "{} is not in MANIFEST.csv ({})",
            known.file, known.reason
        );
    }

    println!("scanned {} corpus files", entries.len());
    assert_eq!(
        mismatches,
        0,
        "{mismatches} of {} files differ:\n{report}",
        entries.len()
    );
}

#[test]
fn csv_line_with_quoted_commas() {
    let fields = split_csv_line(r#""a,b.evtx",x,"say ""hi""",,3"#);

    assert_eq!(fields, ["a,b.evtx", "x", r#"say "hi""#, "", "3"]);
}
