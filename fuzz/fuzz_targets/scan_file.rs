//! Feeds a whole file to `scan_file_bytes` and builds its report, integrity facts and
//! exports, so header, chunk and record parsing and every consumer of their output run.

#![no_main]

use ipsec_lens::report::{export_csv, export_json, FileReport, Table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut report = FileReport::new("fuzz.evtx", data.len() as u64);
    match ipsec_lens::scan::scan_file_bytes(data) {
        Ok((header, chunks)) => {
            report.set_header(Ok(header));
            for chunk in chunks {
                report.add_chunk(chunk);
            }
        }
        Err(error) => report.set_header(Err(error)),
    }
    let reports = [report];
    let table = Table::from_files(&reports);
    let indices = table.all_indices();
    let _ = export_json(&reports, &table, &indices);
    let _ = export_csv(&table, &indices);
});
