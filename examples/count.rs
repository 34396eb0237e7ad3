fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        match ipsec_lens::scan::scan_file_bytes(&bytes) {
            Ok((_, chunks)) => {
                let records: u64 = chunks.iter().map(|c| c.records).sum();
                let skipped: usize = chunks.iter().map(|c| c.skipped.len()).sum();
                println!("{records}\t{skipped}\t{path}");
            }
            Err(e) => println!("ERR\t{e}\t{path}"),
        }
    }
}
