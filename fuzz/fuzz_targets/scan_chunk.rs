//! Feeds one chunk's bytes to `scan_chunk`, as a worker receives a slice of a file.
//! Inputs shorter than a chunk take the path of a file cut inside its last chunk.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let scan = ipsec_lens::scan::scan_chunk(3, 4096 + 3 * 65536, data.to_vec());
    let mut report = ipsec_lens::report::FileReport::new("fuzz.evtx", 4096 + 4 * 65536);
    report.add_chunk(scan);
    let _ = report.integrity();
});
