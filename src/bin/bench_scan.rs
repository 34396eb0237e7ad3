//! `bench_scan`: times the native scan of one EVTX file, chunk by chunk, on one thread.
//!
//! Usage: `bench_scan FILE [slow|fast|phases|table] [--repeat N]`
//!
//! - `slow` and `fast` scan every chunk with that path and print one `key=value` line
//!   (seconds, MB/s, records, events) that `scripts/bench` parses;
//! - `phases` splits the slow path's time into its steps, for profiling;
//! - `table` loads the events into a report table and times filtering and sorting it.
//!
//! The file is read into memory first, so disk speed is not measured.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::run(std::env::args().skip(1).collect()));
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use evtx::{EvtxChunkData, ParserSettings};
    use ipsec_lens::read::{chunk_offset, chunk_slots, CHUNK_SIZE};
    use ipsec_lens::scan::{self, ChunkScan};
    use std::sync::Arc;
    use std::time::Instant;

    pub fn run(argv: Vec<String>) -> i32 {
        let Some(path) = argv.first() else {
            eprintln!("usage: bench_scan FILE [slow|fast|phases|table] [--repeat N]");
            return 2;
        };
        let mode = argv.get(1).map_or("fast", String::as_str);
        let repeat = argv
            .iter()
            .position(|arg| arg == "--repeat")
            .and_then(|at| argv.get(at + 1))
            .and_then(|text| text.parse().ok())
            .unwrap_or(1usize);
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("bench_scan: cannot read {path}: {error}");
                return 1;
            }
        };
        match mode {
            "slow" => time_scan(&bytes, repeat, "slow", scan::scan_chunk_slow),
            "fast" => time_scan(&bytes, repeat, "fast", scan::scan_chunk),
            "phases" => phases(&bytes),
            "table" => table(&bytes),
            other => {
                eprintln!("bench_scan: unknown mode {other:?}: expected slow, fast, phases, table");
                return 2;
            }
        }
        0
    }

    fn chunks(bytes: &[u8]) -> impl Iterator<Item = (u64, u64, &[u8])> {
        (0..chunk_slots(bytes.len() as u64)).map(move |index| {
            let offset = chunk_offset(index);
            let end = (offset + CHUNK_SIZE).min(bytes.len() as u64);
            (index, offset, &bytes[offset as usize..end as usize])
        })
    }

    fn time_scan(
        bytes: &[u8],
        repeat: usize,
        name: &str,
        scan: fn(u64, u64, Vec<u8>) -> ChunkScan,
    ) {
        let mut best = f64::MAX;
        let (mut records, mut events, mut skipped) = (0, 0, 0);
        for _ in 0..repeat {
            let started = Instant::now();
            records = 0;
            events = 0;
            skipped = 0;
            for (index, offset, chunk) in chunks(bytes) {
                let result = scan(index, offset, chunk.to_vec());
                records += result.records;
                events += result.events.len();
                skipped += result.skipped.len();
            }
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!(
            "path={name} bytes={} seconds={best:.3} mb_per_s={:.1} records={records} \
             events={events} skipped={skipped}",
            bytes.len(),
            bytes.len() as f64 / 1e6 / best
        );
    }

    /// Times the slow path's steps separately: copying the chunk, the checksums, the
    /// string table, building each record, rendering it to JSON text, parsing that text.
    fn phases(bytes: &[u8]) {
        let settings = Arc::new(ParserSettings::default());
        let mut spent = [0f64; 6];
        let names = [
            "copy+header",
            "checksums",
            "string table",
            "build records (iter)",
            "render JSON text",
            "parse JSON text",
        ];
        let mut records = 0u64;
        for (_, _, chunk_bytes) in chunks(bytes) {
            let mut clock = Instant::now();
            fn lap(spent: &mut [f64; 6], slot: usize, clock: &mut Instant) {
                spent[slot] += clock.elapsed().as_secs_f64();
                *clock = Instant::now();
            }
            let Ok(mut chunk) = EvtxChunkData::new(chunk_bytes.to_vec(), false) else {
                continue;
            };
            lap(&mut spent, 0, &mut clock);
            let _ = chunk.validate_header_checksum() && chunk.validate_data_checksum();
            lap(&mut spent, 1, &mut clock);
            let Ok(mut parsed) = chunk.parse(settings.clone()) else {
                continue;
            };
            lap(&mut spent, 2, &mut clock);
            let mut texts = Vec::new();
            let mut build = 0.0;
            let mut render = 0.0;
            let mut iter = parsed.iter();
            loop {
                let started = Instant::now();
                let Some(item) = iter.next() else { break };
                build += started.elapsed().as_secs_f64();
                let Ok(record) = item else { continue };
                let started = Instant::now();
                if let Ok(text) = record.into_json() {
                    texts.push(text.data);
                }
                render += started.elapsed().as_secs_f64();
            }
            spent[3] += build;
            spent[4] += render;
            clock = Instant::now();
            for text in &texts {
                let _: serde_json::Value = serde_json::from_str(text).expect("evtx JSON parses");
                records += 1;
            }
            lap(&mut spent, 5, &mut clock);
        }
        let total: f64 = spent.iter().sum();
        println!("records={records} total_seconds={total:.3}");
        for (name, seconds) in names.iter().zip(spent) {
            println!(
                "  {name:<22} {seconds:7.3} s  {:5.1} %",
                100.0 * seconds / total
            );
        }
    }

    /// Loads every event into a report table, then times filters and sorts over it, each
    /// the best of three runs.
    fn table(bytes: &[u8]) {
        use ipsec_lens::report::{Column, FileReport, Filter, Sort, Table};
        let started = Instant::now();
        let mut report = FileReport::new("bench.evtx", bytes.len() as u64);
        report.set_header(ipsec_lens::read::FileHeader::parse(
            bytes,
            bytes.len() as u64,
        ));
        for (index, offset, chunk) in chunks(bytes) {
            report.add_chunk(scan::scan_chunk(index, offset, chunk.to_vec()));
        }
        let table = Table::from_files(std::slice::from_ref(&report));
        let rows = table.all_indices().len();
        println!(
            "table rows={rows} load_seconds={:.3}",
            started.elapsed().as_secs_f64()
        );
        let text = Filter {
            text: "10.20.10.".into(),
            ..Filter::default()
        };
        let by_time = Some(Sort {
            column: Column::TimeCreated,
            descending: true,
        });
        let by_computer = Some(Sort {
            column: Column::Computer,
            descending: false,
        });
        let cases: [(&str, &Filter, Option<Sort>); 4] = [
            (
                "no filter, sort by time descending",
                &Filter::default(),
                by_time,
            ),
            (
                "no filter, sort by computer",
                &Filter::default(),
                by_computer,
            ),
            ("text filter, no sort", &text, None),
            ("text filter, sort by time descending", &text, by_time),
        ];
        for (name, filter, sort) in cases {
            let mut best = f64::MAX;
            let mut shown = 0;
            for _ in 0..3 {
                let started = Instant::now();
                shown = table.view(filter, sort).len();
                best = best.min(started.elapsed().as_secs_f64());
            }
            println!("view case=\"{name}\" rows={shown} ms={:.1}", best * 1e3);
        }
    }
}
