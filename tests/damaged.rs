//! Damaged logs, written with the fixture writer and broken in one known way each, checked
//! through `scan::scan_file_bytes` and `report::FileReport`: which records are still read,
//! which problem is listed where and why, and that the rest of the file still parses.

#![cfg(not(target_arch = "wasm32"))]

use ipsec_lens::fixture::samples::{self, Limit, TrafficOptions};
use ipsec_lens::fixture::{damage, write_evtx};
use ipsec_lens::read::{FileHeader, HeaderError};
use ipsec_lens::report::{ChunkOutcome, FileReport, RecordFailure, RecordIdGap};
use ipsec_lens::scan::{self, ChunkScan, Place, Severity, Skip};
use std::io::Cursor;

/// Records per chunk of [`traffic_file`], as the fixture writer lays them out.
const TRAFFIC_CHUNK_RECORDS: [u64; 4] = [92, 81, 79, 48];

/// Record IDs of the records of interest in `samples::known_4983` (record 3 is a 4624).
const KNOWN_EVENT_IDS: [u64; 6] = [1, 2, 4, 5, 6, 7];

const CUT_RECORD: &str = "the file ends inside this record, so it was not read";

const READ_ANYWAY: &str = "its records were read anyway and are marked recovered";

/// Writes the seven records of `samples::known_4983` as a one-chunk file.
fn known_file() -> Vec<u8> {
    write_evtx(&samples::known_4983()).expect("the known set fits one chunk")
}

/// Writes four chunks of generated traffic: 300 records with IDs 1 to 300, half of them 4983.
fn traffic_file() -> Vec<u8> {
    let options = TrafficOptions {
        ratio_4983: 0.5,
        ..TrafficOptions::default()
    };
    let (out, summary) =
        samples::write_traffic(Cursor::new(Vec::new()), &options, Limit::Records(300))
            .expect("writing to memory");
    assert_eq!(summary.records, 300);
    out.into_inner()
}

fn scan_ok(bytes: &[u8]) -> (FileHeader, Vec<ChunkScan>) {
    scan::scan_file_bytes(bytes).expect("the file header is intact")
}

/// Builds a file's report the way the app does: header first, then every chunk.
fn report_of(name: &str, bytes: &[u8]) -> FileReport {
    let mut report = FileReport::new(name, bytes.len() as u64);
    match scan::scan_file_bytes(bytes) {
        Ok((header, chunks)) => {
            report.set_header(Ok(header));
            for chunk in chunks {
                report.add_chunk(chunk);
            }
        }
        Err(error) => report.set_header(Err(error)),
    }
    report
}

fn event_ids(chunk: &ChunkScan) -> Vec<u64> {
    chunk.events.iter().map(|event| event.record_id).collect()
}

fn skip_texts(skips: &[Skip]) -> Vec<String> {
    skips
        .iter()
        .map(|skip| format!("{:?} {skip}", skip.severity))
        .collect()
}

/// Builds the problems of a chunk that the file ends `into_chunk` bytes into: the chunk's
/// warning and, when the end cuts through a record at file offset `cut_record`, that
/// record's failure.
fn cut_skips(into_chunk: usize, cut_record: Option<usize>) -> Vec<Skip> {
    let mut skips = vec![Skip {
        place: chunk_place(0),
        severity: Severity::Warning,
        reason: cut_reason(into_chunk, cut_record),
    }];
    if let Some(offset) = cut_record {
        skips.push(Skip {
            place: Place::RecordAt {
                chunk: 0,
                offset: offset as u64,
            },
            severity: Severity::Skipped,
            reason: CUT_RECORD.to_owned(),
        });
    }
    skips
}

/// Builds the warning for a chunk that the file ends `into_chunk` bytes into, past its
/// header. `cut_record` is the file offset of the record that the end cuts through.
fn cut_reason(into_chunk: usize, cut_record: Option<usize>) -> String {
    let lost = match cut_record {
        Some(offset) => format!("The record at {offset:#x} is cut off and listed as failed."),
        None => "No record is cut.".to_owned(),
    };
    format!(
        "the file ends {into_chunk} bytes into this chunk. {lost} The records before the end \
         are read and marked recovered, because the chunk's data CRC32 cannot be checked."
    )
}

fn chunk_place(index: u64) -> Place {
    Place::Chunk {
        index,
        offset: 4096 + index * 65536,
    }
}

/// Rewrites the file header's chunk count and flags, and its CRC32 over the first 120 bytes.
fn set_header_fields(bytes: &mut [u8], chunk_count: u16, flags: u32) {
    bytes[42..44].copy_from_slice(&chunk_count.to_le_bytes());
    bytes[120..124].copy_from_slice(&flags.to_le_bytes());
    let crc = crc32fast::hash(&bytes[..120]);
    bytes[124..128].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn clean_files_read_whole() {
    let (header, chunks) = scan_ok(&traffic_file());

    assert_eq!(header.chunk_count, 4);
    assert!(!header.dirty);
    assert!(header.checksum_valid);
    let records: Vec<u64> = chunks.iter().map(|chunk| chunk.records).collect();
    assert_eq!(records, TRAFFIC_CHUNK_RECORDS);
    for chunk in &chunks {
        assert_eq!(chunk.skipped, [], "chunk {}", chunk.index);
        assert!(!chunk.recovered, "chunk {}", chunk.index);
    }

    let (_, known) = scan_ok(&known_file());
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].records, 7);
    assert_eq!(event_ids(&known[0]), KNOWN_EVENT_IDS);
}

#[test]
fn flipped_chunk_magic_loses_only_that_chunk() {
    let mut bytes = traffic_file();
    damage::flip_chunk_magic(&mut bytes, 1).unwrap();

    let (_, chunks) = scan_ok(&bytes);

    assert_eq!(chunks[1].records, 0);
    assert_eq!(chunks[1].events, []);
    assert_eq!(
        chunks[1].skipped,
        [Skip {
            place: chunk_place(1),
            severity: Severity::Skipped,
            reason: "bad chunk signature: expected \"ElfChnk\\0\", found \
                     45 6c 66 43 68 6e 58 00"
                .to_owned(),
        }]
    );
    for index in [0, 2, 3] {
        assert_eq!(chunks[index].records, TRAFFIC_CHUNK_RECORDS[index]);
        assert_eq!(chunks[index].skipped, []);
    }

    let report = report_of("magic.evtx", &bytes);
    assert_eq!(report.records, 92 + 79 + 48);
    assert_eq!(
        report.record_id_gaps(),
        [RecordIdGap {
            after: 92,
            before: 174
        }]
    );
    let facts = report.integrity();
    assert_eq!(facts.problem_chunks.len(), 1);
    assert_eq!(facts.problem_chunks[0].index, 1);
    assert_eq!(facts.problem_chunks[0].offset, 0x11000);
    assert_eq!(facts.problem_chunks[0].outcome, ChunkOutcome::Skipped);
    assert_eq!(facts.chunks_with_records, 3);
}

/// Checks that chunk 1, whose checksum fails but whose records decode, yields them all
/// marked recovered.
fn assert_recovered(bytes: &[u8], reason: &str) {
    let (_, chunks) = scan_ok(bytes);

    assert!(chunks[1].recovered);
    assert_eq!(chunks[1].records, 81);
    assert_eq!(chunks[1].first_record_id, Some(93));
    assert_eq!(chunks[1].last_record_id, Some(173));
    assert!(!chunks[1].events.is_empty());
    assert!(chunks[1].events.iter().all(|event| event.recovered));
    assert!(chunks[0].events.iter().all(|event| !event.recovered));
    assert_eq!(
        chunks[1].skipped,
        [Skip {
            place: chunk_place(1),
            severity: Severity::Warning,
            reason: format!("{reason}; {READ_ANYWAY}"),
        }]
    );

    let report = report_of("crc.evtx", bytes);
    assert_eq!(report.records, 300);
    assert_eq!(report.chunks_recovered, 1);
    let recovered: Vec<u64> = report
        .events_4983()
        .filter(|event| event.recovered)
        .map(|event| event.record_id)
        .collect();
    let in_chunk_1: Vec<u64> = chunks[1]
        .events
        .iter()
        .filter(|event| event.event_id == 4983)
        .map(|event| event.record_id)
        .collect();
    assert_eq!(recovered, in_chunk_1);
    let facts = report.integrity();
    assert_eq!(facts.problem_chunks.len(), 1);
    assert_eq!(
        facts.problem_chunks[0].outcome,
        ChunkOutcome::ReadWithWarnings
    );
    assert_eq!(facts.record_id_gaps, []);
}

#[test]
fn bad_header_crc_marks_records_recovered() {
    let mut bytes = traffic_file();
    damage::corrupt_chunk_header_crc(&mut bytes, 1).unwrap();

    assert_recovered(&bytes, "header CRC32 invalid");
}

#[test]
fn bad_data_crc_marks_records_recovered() {
    let mut bytes = traffic_file();
    damage::corrupt_chunk_data_crc(&mut bytes, 1).unwrap();

    assert_recovered(&bytes, "data CRC32 invalid");
}

#[test]
fn empty_file_is_rejected() {
    assert_eq!(scan::scan_file_bytes(&[]), Err(HeaderError::Empty));

    let report = report_of("empty.evtx", &[]);
    assert!(report.is_complete());
    assert_eq!(
        report.error.as_ref().map(ToString::to_string).as_deref(),
        Some("the file is empty (0 bytes)")
    );
}

#[test]
fn non_evtx_bytes_are_rejected() {
    let zip = b"PK\x03\x04\x14\x00\x00\x00".repeat(40);
    let text = "Date,Source,Event ID\r\n2024-05-01,Security,4983\r\n".repeat(4);
    let short = b"MZ\x90\x00";

    let zip_error = scan::scan_file_bytes(&zip).unwrap_err();
    let text_error = scan::scan_file_bytes(text.as_bytes()).unwrap_err();
    let short_error = scan::scan_file_bytes(short).unwrap_err();

    assert_eq!(
        zip_error.to_string(),
        "not an EVTX file: it starts with bytes 50 4b 03 04 14 00 00 00 instead of the \
         signature \"ElfFile\\0\""
    );
    assert_eq!(
        text_error.to_string(),
        "not an EVTX file: it starts with \"Date,Sou\" instead of the signature \
         \"ElfFile\\0\""
    );
    assert_eq!(short_error, HeaderError::TooShort { size: 4 });
    let report = report_of("export.csv", text.as_bytes());
    assert!(report.is_complete());
    assert_eq!(report.records, 0);
    assert_eq!(report.chunks_scanned, 0);
}

#[test]
fn cut_inside_file_header() {
    let clean = known_file();
    for cut in [1, 7, 64, 127] {
        let mut bytes = clean.clone();
        damage::truncate(&mut bytes, cut);

        let error = scan::scan_file_bytes(&bytes).unwrap_err();

        assert_eq!(error, HeaderError::TooShort { size: cut as u64 });
    }
    for cut in [128, 129, 1000, 4095, 4096] {
        let mut bytes = clean.clone();
        damage::truncate(&mut bytes, cut);

        let (header, chunks) = scan_ok(&bytes);
        let report = report_of("cut.evtx", &bytes);

        assert_eq!(header.chunk_count, 1, "cut at {cut}");
        assert_eq!(chunks, [], "cut at {cut}");
        assert!(report.is_complete(), "cut at {cut}");
        // NOTE: the scan lists no problem for a file that ends before its first chunk,
        // so only the integrity facts show the chunk the header counts as missing.
        assert_eq!(report.skipped, [], "cut at {cut}");
        assert_eq!(report.integrity().chunks_missing, 1, "cut at {cut}");
    }
}

#[test]
fn cut_inside_chunk_header() {
    let clean = known_file();
    // NOTE: a cut inside the 8-byte signature still reads as a bad signature, although
    // the bytes that are there match it.
    let signature_cut =
        |found: &str| format!("bad chunk signature: expected \"ElfChnk\\0\", found {found}");
    let header_cut = |size: usize| {
        format!(
            "the file ends {size} bytes into this chunk's 512-byte header, so its string and \
             template tables are lost"
        )
    };
    let cases: [(usize, String); 5] = [
        (4097, signature_cut("45")),
        (4100, signature_cut("45 6c 66 43")),
        (4096 + 8, header_cut(8)),
        (4096 + 200, header_cut(200)),
        (4096 + 511, header_cut(511)),
    ];
    for (cut, reason) in cases {
        let mut bytes = clean.clone();
        damage::truncate(&mut bytes, cut);

        let (_, chunks) = scan_ok(&bytes);

        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].records, 0);
        assert_eq!(
            chunks[0].skipped,
            [Skip {
                place: chunk_place(0),
                severity: Severity::Skipped,
                reason,
            }],
            "cut at {cut}"
        );
        let facts = report_of("cut.evtx", &bytes).integrity();
        assert_eq!(facts.problem_chunks[0].outcome, ChunkOutcome::Skipped);
    }
}

#[test]
fn cut_between_records_keeps_those_before() {
    let clean = known_file();
    for record in 0..7u64 {
        let at = damage::record_offset(&clean, 0, record as usize).unwrap();
        let mut bytes = clean.clone();
        damage::truncate(&mut bytes, at);

        let (_, chunks) = scan_ok(&bytes);

        let chunk = &chunks[0];
        assert_eq!(chunk.records, record, "cut before record {record}");
        let kept: Vec<u64> = KNOWN_EVENT_IDS
            .into_iter()
            .filter(|id| *id <= record)
            .collect();
        assert_eq!(event_ids(chunk), kept);
        assert!(chunk.recovered);
        assert_eq!(
            skip_texts(&chunk.skipped),
            [format!(
                "Warning chunk 0 at 0x1000: {}",
                cut_reason(at - 4096, None)
            )]
        );
    }
}

#[test]
fn cut_inside_record_names_it() {
    let clean = known_file();
    for record in 0..7u64 {
        let at = damage::record_offset(&clean, 0, record as usize).unwrap();
        let mut bytes = clean.clone();
        damage::truncate(&mut bytes, at + 30);

        let (_, chunks) = scan_ok(&bytes);
        let report = report_of("cut.evtx", &bytes);

        let chunk = &chunks[0];
        assert_eq!(chunk.records, record, "cut inside record {}", record + 1);
        assert!(chunk.recovered);
        assert_eq!(chunk.skipped, cut_skips(at + 30 - 4096, Some(at)));
        let facts = report.integrity();
        assert_eq!(
            facts.record_failures,
            [RecordFailure {
                chunk: 0,
                record_id: None,
                offset: Some(at as u64),
                reason: CUT_RECORD.to_owned(),
            }]
        );
        let expected = if record == 0 {
            ChunkOutcome::Skipped
        } else {
            ChunkOutcome::PartlyRead
        };
        assert_eq!(facts.problem_chunks.len(), 1);
        assert_eq!(facts.problem_chunks[0].outcome, expected);
        assert_eq!(facts.problem_chunks[0].records_read, record);
        assert_eq!(facts.problem_chunks[0].records_failed, 1);
    }
}

/// Counts the records of `samples::known_4983` that end at or before byte `cut`.
fn whole_records_before(clean: &[u8], cut: usize) -> u64 {
    (0..7)
        .filter(|record| {
            let at = damage::record_offset(clean, 0, *record).unwrap();
            let size = u32::from_le_bytes(clean[at + 4..at + 8].try_into().unwrap());
            at + size as usize <= cut
        })
        .count() as u64
}

/// Cuts the file at many offsets. Every whole record before the cut is read. The record that
/// the cut goes through is reported as lost, not decoded from the zero padding.
#[test]
fn cut_record_is_not_read_from_padding() {
    let clean = known_file();
    // Cuts inside the chunk header are in `cut_inside_chunk_header`.
    for cut in (4096 + 512..clean.len()).step_by(97) {
        let mut bytes = clean.clone();
        damage::truncate(&mut bytes, cut);

        let (_, chunks) = scan_ok(&bytes);

        let whole = whole_records_before(&clean, cut);
        let kept: Vec<u64> = KNOWN_EVENT_IDS
            .into_iter()
            .filter(|id| *id <= whole)
            .collect();
        let next = (whole < 7).then(|| damage::record_offset(&clean, 0, whole as usize).unwrap());
        let cut_record = next.filter(|at| *at < cut);
        assert_eq!(chunks[0].records, whole, "cut at {cut}");
        assert_eq!(event_ids(&chunks[0]), kept, "cut at {cut}");
        assert_eq!(
            chunks[0].first_record_id,
            (whole > 0).then_some(1),
            "cut at {cut}"
        );
        assert_eq!(
            chunks[0].last_record_id,
            (whole > 0).then_some(whole),
            "cut at {cut}"
        );
        assert_eq!(
            chunks[0].skipped,
            cut_skips(cut - 4096, cut_record),
            "cut at {cut}"
        );
        let slow = scan::scan_chunk_slow(0, 4096, bytes[4096..].to_vec());
        assert_eq!(slow, chunks[0], "cut at {cut}, read without the fast path");
    }
}

/// Checks two cuts that a scan decoding the zero padding turns into made-up records: five
/// bytes into a record header (a record with ID 0) and inside a 4983's values (a 4983 with
/// all 18 values empty).
#[test]
fn cut_record_yields_no_phantom() {
    let clean = known_file();
    let second = damage::record_offset(&clean, 0, 1).unwrap();
    let mut five_bytes_in = clean.clone();
    damage::truncate(&mut five_bytes_in, second + 5);
    let first = damage::record_offset(&clean, 0, 0).unwrap();
    let mut values_cut = clean.clone();
    damage::truncate(&mut values_cut, first + 2612);

    let (_, phantom) = scan_ok(&five_bytes_in);
    let (_, emptied) = scan_ok(&values_cut);

    assert_eq!(phantom[0].records, 1);
    assert_eq!(phantom[0].first_record_id, Some(1));
    assert_eq!(phantom[0].last_record_id, Some(1));
    assert_eq!(event_ids(&phantom[0]), [1]);
    assert_eq!(
        phantom[0].skipped,
        cut_skips(second + 5 - 4096, Some(second))
    );
    assert_eq!(emptied[0].records, 0);
    assert_eq!(emptied[0].events, []);
    assert_eq!(emptied[0].first_record_id, None);
    assert_eq!(
        emptied[0].skipped,
        cut_skips(first + 2612 - 4096, Some(first))
    );
}

#[test]
fn cut_last_chunk_keeps_earlier_chunks() {
    let clean = traffic_file();
    let fifth = damage::record_offset(&clean, 3, 5).unwrap();
    let mut bytes = clean.clone();
    damage::truncate(&mut bytes, fifth);

    let (header, chunks) = scan_ok(&bytes);
    let report = report_of("cut.evtx", &bytes);

    assert_eq!(header.chunk_count, 4);
    assert_eq!(chunks.len(), 4);
    for index in 0..3 {
        assert_eq!(chunks[index].records, TRAFFIC_CHUNK_RECORDS[index]);
        assert_eq!(chunks[index].skipped, []);
    }
    assert_eq!(chunks[3].records, 5);
    assert!(chunks[3].recovered);
    assert_eq!(
        chunks[3].skipped,
        [Skip {
            place: chunk_place(3),
            severity: Severity::Warning,
            reason: cut_reason(fifth - (4096 + 3 * 65536), None),
        }]
    );
    assert_eq!(chunks[3].first_record_id, Some(253));
    assert_eq!(chunks[3].last_record_id, Some(257));
    assert_eq!(report.records, 92 + 81 + 79 + 5);
    assert_eq!(report.last_record_id(), Some(257));
    let facts = report.integrity();
    assert_eq!(facts.problem_chunks.len(), 1);
    assert_eq!(facts.problem_chunks[0].index, 3);
    assert_eq!(facts.problem_chunks[0].outcome, ChunkOutcome::PartlyRead);
    assert_eq!(facts.problem_chunks[0].records_read, 5);
}

#[test]
fn zero_record_size_skips_that_record() {
    let mut bytes = known_file();
    damage::zero_record_size(&mut bytes, 0, 2).unwrap();

    let (_, chunks) = scan_ok(&bytes);

    let chunk = &chunks[0];
    assert_eq!(chunk.records, 6);
    assert_eq!(event_ids(chunk), KNOWN_EVENT_IDS);
    assert_eq!(
        chunk.skipped,
        [Skip {
            place: Place::RecordAt {
                chunk: 0,
                offset: 0x20d0
            },
            severity: Severity::Skipped,
            reason: "Failed to read the record at offset 0x10d0 of chunk 0 (file offset \
                     0x20d0): Invalid EVTX record data size, should be equals or greater \
                     than 28, found `0`"
                .to_owned(),
        }]
    );
    let report = report_of("zero.evtx", &bytes);
    assert_eq!(report.records, 6);
    assert_eq!(report.record_ids_missing_inside_chunks(), 1);
}

#[test]
fn huge_record_size_skips_that_record() {
    let mut bytes = known_file();
    damage::huge_record_size(&mut bytes, 0, 2).unwrap();

    let (_, chunks) = scan_ok(&bytes);

    let chunk = &chunks[0];
    assert_eq!(chunk.records, 6);
    assert_eq!(event_ids(chunk), KNOWN_EVENT_IDS);
    assert_eq!(
        skip_texts(&chunk.skipped),
        [
            "Skipped record at 0x20d0 in chunk 0: Failed to read the record at offset 0x10d0 \
          of chunk 0 (file offset 0x20d0): Failed to parse record number 3: Failed to \
          create record model, reason: record BinXML slice is out of bounds"
        ]
    );
}

#[test]
fn self_referencing_string_terminates() {
    let mut bytes = known_file();
    damage::self_referencing_string(&mut bytes, 0).unwrap();

    let (_, chunks) = scan_ok(&bytes);

    assert_eq!(chunks[0].records, 7);
    assert_eq!(event_ids(&chunks[0]), KNOWN_EVENT_IDS);
    assert_eq!(chunks[0].skipped, []);
}

#[test]
fn bogus_filetime_skips_that_record() {
    let mut bytes = known_file();
    damage::bogus_filetime(&mut bytes, 0, 1).unwrap();

    let (_, chunks) = scan_ok(&bytes);
    let report = report_of("time.evtx", &bytes);

    let chunk = &chunks[0];
    assert_eq!(chunk.records, 6);
    assert_eq!(event_ids(chunk), [1, 4, 5, 6, 7]);
    assert_eq!(
        skip_texts(&chunk.skipped),
        [
            "Skipped record at 0x1ea8 in chunk 0: Failed to read the record at offset 0xea8 of \
          chunk 0 (file offset 0x1ea8): An error occurred while trying to deserialize evtx \
          stream: The record header's timestamp (FILETIME 0xffffffffffffffff) is out of \
          range"
        ]
    );
    assert_eq!(
        report.last_time.map(|time| time.to_string()).as_deref(),
        Some("2024-05-01T12:35:02.1234568Z")
    );
    let facts = report.integrity();
    assert_eq!(facts.record_failures.len(), 1);
    assert_eq!(facts.record_failures[0].offset, Some(0x1ea8));
    assert_eq!(facts.record_failures[0].record_id, None);
}

#[test]
fn chunks_past_header_count_are_read() {
    let mut bytes = traffic_file();
    set_header_fields(&mut bytes, 2, 0x1);

    let (header, chunks) = scan_ok(&bytes);
    let report = report_of("open.evtx", &bytes);

    assert_eq!(header.chunk_count, 2);
    assert!(header.dirty);
    assert!(header.checksum_valid);
    let records: Vec<u64> = chunks.iter().map(|chunk| chunk.records).collect();
    assert_eq!(records, TRAFFIC_CHUNK_RECORDS);
    assert_eq!(report.records, 300);
    let facts = report.integrity();
    assert_eq!(facts.dirty, Some(true));
    assert_eq!(facts.full, Some(false));
    assert_eq!(facts.header_chunk_count, Some(2));
    assert_eq!(facts.chunks_with_records, 4);
    assert_eq!(facts.chunks_past_header_count, 2);
    assert_eq!(facts.problem_chunks, []);
}

#[test]
fn damage_in_several_chunks_leaves_the_rest() {
    let mut bytes = traffic_file();
    damage::flip_chunk_magic(&mut bytes, 0).unwrap();
    damage::corrupt_chunk_data_crc(&mut bytes, 1).unwrap();
    damage::zero_record_size(&mut bytes, 2, 3).unwrap();
    let cut = damage::record_offset(&bytes, 3, 10).unwrap() + 30;
    damage::truncate(&mut bytes, cut);
    set_header_fields(&mut bytes, 4, 0x3);

    let report = report_of("mixed.evtx", &bytes);

    assert_eq!(report.records, 81 + 78 + 10);
    assert_eq!(report.chunks_recovered, 2);
    assert_eq!(report.first_record_id(), Some(93));
    assert_eq!(report.last_record_id(), Some(262));
    let facts = report.integrity();
    assert_eq!(facts.dirty, Some(true));
    assert_eq!(facts.full, Some(true));
    let outcomes: Vec<(u64, ChunkOutcome, u64, u64)> = facts
        .problem_chunks
        .iter()
        .map(|chunk| {
            (
                chunk.index,
                chunk.outcome,
                chunk.records_read,
                chunk.records_failed,
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (0, ChunkOutcome::Skipped, 0, 0),
            (1, ChunkOutcome::ReadWithWarnings, 81, 0),
            (2, ChunkOutcome::PartlyRead, 78, 1),
            (3, ChunkOutcome::PartlyRead, 10, 1),
        ]
    );
    let failed: Vec<(u64, Option<u64>)> = facts
        .record_failures
        .iter()
        .map(|failure| (failure.chunk, failure.record_id))
        .collect();
    // The scan reads nothing of the record that the end of the file cuts (ID 263), so it
    // is named by its offset.
    assert_eq!(failed, [(2, None), (3, None)]);
    let reasons: Vec<&[String]> = facts
        .problem_chunks
        .iter()
        .map(|chunk| chunk.reasons.as_slice())
        .collect();
    assert_eq!(
        reasons[3],
        [cut_reason(cut - (4096 + 3 * 65536), Some(cut - 30))]
    );
    assert_eq!(facts.record_id_gaps, []);
    assert_eq!(facts.record_ids_missing_inside_chunks, 1);
}

/// Damage inside chunk 1's records that its string table points into: the chunk's note
/// must not claim that records were read, since none were.
#[test]
fn unreadable_tables_with_bad_crc_read_nothing() {
    let mut bytes = traffic_file();
    let start = 4096 + 65536 + 512;
    for byte in &mut bytes[start..start + 2000] {
        *byte ^= 0x5a;
    }

    let report = report_of("tables.evtx", &bytes);

    let chunk_1: Vec<&Skip> = report
        .skipped
        .iter()
        .filter(|skip| skip.place == chunk_place(1))
        .collect();
    assert_eq!(chunk_1.len(), 1, "{:?}", skip_texts(&report.skipped));
    assert_eq!(chunk_1[0].severity, Severity::Skipped);
    let reason = &chunk_1[0].reason;
    assert!(
        reason.starts_with(
            "data CRC32 invalid and chunk tables unreadable, so none of its records were read: "
        ),
        "{reason}"
    );
    assert!(!reason.contains("read anyway"), "{reason}");
    let facts = report.integrity();
    assert_eq!(facts.problem_chunks.len(), 1);
    assert_eq!(facts.problem_chunks[0].outcome, ChunkOutcome::Skipped);
    assert_eq!(facts.problem_chunks[0].records_read, 0);
}

/// A cut through a record lists that record as failed, so the chunk's counts and its
/// reason agree.
#[test]
fn cut_record_counts_as_failed() {
    let mut bytes = traffic_file();
    damage::truncate(&mut bytes, 200_000);

    let facts = report_of("cut.evtx", &bytes).integrity();

    let last = facts
        .problem_chunks
        .last()
        .expect("the cut chunk has a problem");
    assert_eq!(last.index, 2);
    assert_eq!(last.outcome, ChunkOutcome::PartlyRead);
    assert_eq!(last.records_read, 78);
    assert_eq!(last.records_failed, 1);
    assert_eq!(facts.record_failures.len(), 1);
    assert_eq!(facts.record_failures[0].chunk, 2);
    assert_eq!(facts.record_failures[0].reason, CUT_RECORD);
}
