//! `bench_scan`: times the native scan of one EVTX file, chunk by chunk, on one thread.
//!
//! Usage: `bench_scan FILE [slow|fast|phases|table|sorts|memory|views|wire] [--repeat N]`
//!
//! - `slow` and `fast` scan every chunk with that path and print one `key=value` line
//!   (seconds, MB/s, records, events) that `scripts/bench` parses;
//! - `phases` splits the slow path's time into its steps, for profiling;
//! - `table` loads the events into a report table and times filtering and sorting it;
//! - `sorts` builds the table 3 times and times the first and a second sort of all rows by
//!   a few columns on each, since the first sort by a column ranks its rows;
//! - `memory` loads the events into a file report and a table and prints the heap bytes
//!   each uses per kept event, counted by this binary's global allocator, and the peaks
//!   while the replies are decoded and while the table is built;
//! - `wire` scans the file in requests of 64 chunks, as the page's largest, and times
//!   encoding and decoding each `Reply::Chunks` as JSON text (the protocol's old format)
//!   and as postcard bytes (its format now), best of `--repeat` per reply.
//! - `views` times each view the page counts from the rows on view (timeline, top lists,
//!   alerts, retry storms), over all rows and over the rows a text filter leaves.
//!
//! The file is read into memory first, so disk speed is not measured.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::run(std::env::args().skip(1).collect()));
}

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

/// A global allocator that passes every call to the system allocator and keeps the number
/// of bytes and blocks currently allocated, and the highest byte count, for the `memory`
/// mode.
#[cfg(not(target_arch = "wasm32"))]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicIsize, Ordering};

    static BYTES: AtomicIsize = AtomicIsize::new(0);
    static BLOCKS: AtomicIsize = AtomicIsize::new(0);
    static PEAK: AtomicIsize = AtomicIsize::new(0);

    pub struct Counting;

    /// Returns the bytes and blocks allocated and not yet freed, as requested by callers
    /// (the allocator's own per-block overhead is not included).
    pub fn live() -> (isize, isize) {
        (
            BYTES.load(Ordering::Relaxed),
            BLOCKS.load(Ordering::Relaxed),
        )
    }

    /// Returns the highest byte count since the last [`reset_peak`].
    pub fn peak() -> isize {
        PEAK.load(Ordering::Relaxed)
    }

    /// Starts a new peak at the bytes allocated now.
    pub fn reset_peak() {
        PEAK.store(BYTES.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    fn add(bytes: isize) {
        let now = BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    // SAFETY: every call goes to `System` unchanged; the counters only observe sizes.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let pointer = unsafe { System.alloc(layout) };
            if !pointer.is_null() {
                add(layout.size() as isize);
                BLOCKS.fetch_add(1, Ordering::Relaxed);
            }
            pointer
        }

        unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
            unsafe { System.dealloc(pointer, layout) };
            BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
            BLOCKS.fetch_sub(1, Ordering::Relaxed);
        }

        unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // A growing block counts as the old and the new block at once, because the
            // page's allocator (dlmalloc in wasm) copies it unless the space after it is free.
            if new_size > layout.size() {
                let both = BYTES.load(Ordering::Relaxed) + new_size as isize;
                PEAK.fetch_max(both, Ordering::Relaxed);
            }
            let moved = unsafe { System.realloc(pointer, layout, new_size) };
            if !moved.is_null() {
                add(new_size as isize - layout.size() as isize);
            }
            moved
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use evtx::{EvtxChunkData, ParserSettings};
    use ipsec_lens::read::{chunk_offset, chunk_slots, CHUNK_SIZE};
    use ipsec_lens::scan::{self, ChunkScan};
    use ipsec_lens::worker::protocol::{self, Reply};
    use std::sync::Arc;
    use std::time::Instant;

    pub fn run(argv: Vec<String>) -> i32 {
        let Some(path) = argv.first() else {
            eprintln!(
                "usage: bench_scan FILE [slow|fast|phases|table|sorts|memory|views|wire] \
                 [--repeat N]"
            );
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
            "sorts" => sorts(&bytes),
            "memory" => memory(&bytes),
            "views" => views(&bytes),
            "wire" => wire(&bytes, repeat),
            other => {
                eprintln!(
                    "bench_scan: unknown mode {other:?}: expected slow, fast, phases, table, \
                     sorts, memory, views, wire"
                );
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

    /// Bytes and seconds of one reply format, summed over the replies.
    #[derive(Default)]
    struct WireCost {
        bytes: usize,
        encode: f64,
        decode: f64,
    }

    impl WireCost {
        /// Encodes and decodes `reply` `repeat` times, adds the best times and the size, and
        /// checks that the decoded reply equals `reply`.
        fn add<E: AsRef<[u8]>>(
            &mut self,
            reply: &Reply,
            repeat: usize,
            encode: impl Fn(&Reply) -> E,
            decode: impl Fn(&[u8]) -> Reply,
        ) {
            let (mut best_encode, mut best_decode) = (f64::MAX, f64::MAX);
            let mut size = 0;
            for _ in 0..repeat {
                let started = Instant::now();
                let encoded = encode(reply);
                best_encode = best_encode.min(started.elapsed().as_secs_f64());
                let started = Instant::now();
                let decoded = decode(encoded.as_ref());
                best_decode = best_decode.min(started.elapsed().as_secs_f64());
                assert!(
                    &decoded == reply,
                    "a reply changed on its way through the encoding"
                );
                size = encoded.as_ref().len();
            }
            self.bytes += size;
            self.encode += best_encode;
            self.decode += best_decode;
        }

        fn print(&self, format: &str) {
            println!(
                "format={format} bytes={} encode_seconds={:.3} decode_seconds={:.3} \
                 total_seconds={:.3}",
                self.bytes,
                self.encode,
                self.decode,
                self.encode + self.decode
            );
        }
    }

    /// Scans chunk slots `first .. first + count` of the file into the reply a worker sends.
    fn chunks_reply(bytes: &[u8], first: u64, count: u64) -> Reply {
        let scans: Vec<ChunkScan> = chunks(bytes)
            .skip(first as usize)
            .take(count as usize)
            .map(|(index, offset, chunk)| scan::scan_chunk(index, offset, chunk.to_vec()))
            .collect();
        Reply::Chunks {
            job: 0,
            first,
            count,
            bytes_read: count * CHUNK_SIZE,
            scans,
        }
    }

    /// Scans the file in requests of 64 chunks and times each reply's encoding and decoding
    /// in JSON text and in postcard. The scan itself is not timed.
    fn wire(bytes: &[u8], repeat: usize) {
        const CHUNKS_PER_REPLY: u64 = 64;
        let slots = chunk_slots(bytes.len() as u64);
        let (mut json, mut binary) = (WireCost::default(), WireCost::default());
        let (mut replies, mut events) = (0, 0);
        for first in (0..slots).step_by(CHUNKS_PER_REPLY as usize) {
            let count = CHUNKS_PER_REPLY.min(slots - first);
            let reply = chunks_reply(bytes, first, count);
            if let Reply::Chunks { scans, .. } = &reply {
                events += scans.iter().map(|scan| scan.events.len()).sum::<usize>();
            }
            json.add(
                &reply,
                repeat,
                |reply| serde_json::to_string(reply).expect("a reply encodes as JSON"),
                |text| {
                    let text = std::str::from_utf8(text).expect("JSON text is UTF-8");
                    serde_json::from_str(text).expect("a reply decodes from JSON")
                },
            );
            binary.add(&reply, repeat, protocol::encode, |bytes| {
                protocol::decode(bytes).expect("a reply decodes from postcard")
            });
            replies += 1;
        }
        println!("replies={replies} chunks_per_reply={CHUNKS_PER_REPLY} events={events}");
        json.print("json");
        binary.print("postcard");
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

    /// Scans the file into a report, builds the table from it, and prints the heap bytes
    /// and blocks each holds, in total and per kept event (4983 or any other IPsec event)
    /// or per table row. The file's bytes are allocated before the first count, so they
    /// are not in either figure.
    ///
    /// The report is loaded as the page loads it: each request's scans are encoded as one
    /// reply, and the reply is decoded from a copy of its bytes before its chunks are added.
    /// `peak` lines give the highest bytes above the start while replies are decoded and
    /// added, and while the table is built from the whole report (the page drops the old
    /// table first, so the two never count at once).
    fn memory(bytes: &[u8]) {
        use super::counting::{live, peak, reset_peak};
        use ipsec_lens::report::Table;
        let (bytes_before, blocks_before) = live();
        let (report, loading_peak) = load_report_in_replies(bytes);
        let (bytes_report, blocks_report) = live();
        reset_peak();
        let table = Table::from_files(std::slice::from_ref(&report));
        let building_peak = peak();
        let (bytes_table, blocks_table) = live();
        let kept = report.events_4983().count() + report.other_events().count();
        let rows = table.all_indices().len();
        let report_bytes = bytes_report - bytes_before;
        let table_bytes = bytes_table - bytes_report;
        let per = |total: isize, count: usize| total as f64 / count.max(1) as f64;
        println!(
            "memory kept_events={kept} events_4983={} table_rows={rows}",
            report.events_4983
        );
        println!(
            "report bytes={report_bytes} blocks={} bytes_per_kept_event={:.0}",
            blocks_report - blocks_before,
            per(report_bytes, kept)
        );
        println!(
            "table bytes={table_bytes} blocks={} bytes_per_row={:.0}",
            blocks_table - blocks_report,
            per(table_bytes, rows)
        );
        println!(
            "total bytes={} bytes_per_kept_event={:.0}",
            report_bytes + table_bytes,
            per(report_bytes + table_bytes, kept)
        );
        println!(
            "peak loading_bytes={} table_build_bytes={} table_build_over_report={}",
            loading_peak - bytes_before,
            building_peak - bytes_before,
            building_peak - bytes_report
        );
    }

    /// Loads the file into a report through encoded replies of up to 64 chunks, as the
    /// page's workers send them, and returns it with the highest byte count met while the
    /// replies were decoded and added. The scans and the encoding happen in a worker, so
    /// they are left out of that peak, but the reply's bytes are in it, because the page
    /// copies them into its own memory to decode them.
    fn load_report_in_replies(bytes: &[u8]) -> (ipsec_lens::report::FileReport, isize) {
        use super::counting::{peak, reset_peak};
        let slots = chunk_slots(bytes.len() as u64);
        let mut report = ipsec_lens::report::FileReport::new("bench.evtx", bytes.len() as u64);
        report.set_header(ipsec_lens::read::FileHeader::parse(
            bytes,
            bytes.len() as u64,
        ));
        let mut highest = 0;
        for (first, count) in ipsec_lens::session::plan_batches(slots) {
            let reply = chunks_reply(bytes, first, count);
            let encoded = protocol::encode(&reply);
            drop(reply);
            reset_peak();
            let decoded: Reply = protocol::decode(&encoded.to_vec()).expect("a reply decodes");
            if let Reply::Chunks { scans, .. } = decoded {
                for scan in scans {
                    report.add_chunk(scan);
                }
            }
            // The encoded reply is the worker's, counted here only because both run in one
            // process.
            highest = highest.max(peak() - encoded.capacity() as isize);
        }
        (report, highest)
    }

    fn load_report(bytes: &[u8]) -> ipsec_lens::report::FileReport {
        let mut report = ipsec_lens::report::FileReport::new("bench.evtx", bytes.len() as u64);
        report.set_header(ipsec_lens::read::FileHeader::parse(
            bytes,
            bytes.len() as u64,
        ));
        for (index, offset, chunk) in chunks(bytes) {
            report.add_chunk(scan::scan_chunk(index, offset, chunk.to_vec()));
        }
        report
    }

    /// Builds the table from the file's events 3 times and sorts all rows of each new table
    /// twice by each of a few columns, printing both times: the first sort includes
    /// ranking the column's rows.
    fn sorts(bytes: &[u8]) {
        use ipsec_lens::report::{Column, Sort, Table};
        let report = load_report(bytes);
        let columns = [
            Column::Computer,
            Column::TimeCreated,
            Column::EventRecordId,
            Column::LocalEmCertHash,
        ];
        for _ in 0..3 {
            let table = Table::from_files(std::slice::from_ref(&report));
            for column in columns {
                let sort = Some(Sort {
                    column,
                    descending: true,
                });
                let mut times = [0.0; 2];
                for time in &mut times {
                    let mut indices = table.all_indices();
                    let started = Instant::now();
                    table.sort(&mut indices, sort);
                    *time = started.elapsed().as_secs_f64() * 1e3;
                }
                println!(
                    "sort column={} first_ms={:.1} second_ms={:.1}",
                    column.name(),
                    times[0],
                    times[1]
                );
            }
        }
    }

    /// Times the views the page computes from the rows on view (timeline, top lists, alert
    /// rules, retry storms), each the best of three, over every row and over the rows the
    /// browser benchmark's text filter leaves.
    fn views(bytes: &[u8]) {
        use ipsec_lens::report::{Filter, Table};
        let report = load_report(bytes);
        let table = Table::from_files(std::slice::from_ref(&report));
        let filter = Filter {
            text: "10.20.10.".into(),
            ..Filter::default()
        };
        for (view, rows) in [
            ("all", table.all_indices()),
            ("text", table.filter(&filter)),
        ] {
            time_views(&table, view, &rows);
        }
    }

    fn time_views(table: &ipsec_lens::report::Table, view: &str, rows: &[u32]) {
        use ipsec_lens::report::alerts::{STORM_GAP_MINUTES, STORM_MIN_COUNT};
        use ipsec_lens::report::{Dimension, PRESETS};
        // The page computes every view timed here but the top chart, which it counts for one
        // dimension at a time, peer pairs unless the user picks another.
        let mut total = 0.0;
        let mut best = |name: &str, on_page: bool, run: &dyn Fn() -> usize| {
            let mut times = [0.0f64; 3];
            let mut found = 0;
            for time in &mut times {
                let started = Instant::now();
                found = run();
                *time = started.elapsed().as_secs_f64() * 1e3;
            }
            let best = times.iter().copied().fold(f64::INFINITY, f64::min);
            if on_page {
                total += best;
            }
            println!(
                "view {view} {name} rows={} found={found} best_ms={best:.1}",
                rows.len()
            );
        };
        best("timeline", true, &|| table.timeline(rows).buckets.len());
        best("summary-top-reasons", true, &|| {
            table.top_failure_reasons(rows, 8).len()
        });
        best("summary-top-remote-addresses", true, &|| {
            table.top_remote_addresses(rows, 8).len()
        });
        for dimension in Dimension::ALL {
            best(
                &format!("top {dimension:?}"),
                dimension == Dimension::PeerPair,
                &|| table.top(rows, dimension, 10).len(),
            );
        }
        for (name, rule) in PRESETS {
            best(&format!("alerts {name}"), true, &|| {
                table.alerts(rows, rule).len()
            });
        }
        best("retry-storms", true, &|| {
            table
                .retry_storms(rows, STORM_GAP_MINUTES, STORM_MIN_COUNT)
                .len()
        });
        println!("view {view} page_total_ms={total:.1}");
    }

    /// Loads every event into a report table, then times building the table and filters
    /// and sorts over it: each view's best of three runs and its first run, which pays for
    /// any work the table keeps for later views.
    fn table(bytes: &[u8]) {
        use ipsec_lens::report::{Column, Filter, Sort, Table};
        let started = Instant::now();
        let report = load_report(bytes);
        let loaded = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let table = Table::from_files(std::slice::from_ref(&report));
        let built = started.elapsed().as_secs_f64();
        let rows = table.all_indices().len();
        println!(
            "table rows={rows} load_seconds={loaded:.3} build_ms={:.1}",
            built * 1e3
        );
        let text = Filter {
            text: "10.20.10.".into(),
            ..Filter::default()
        };
        let text_and_computer = Filter {
            computer: Some("srv-fs01.corp.contoso.com".into()),
            ..text.clone()
        };
        let by_time = Some(Sort {
            column: Column::TimeCreated,
            descending: true,
        });
        let by_computer = Some(Sort {
            column: Column::Computer,
            descending: false,
        });
        let cases: [(&str, &Filter, Option<Sort>); 5] = [
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
            (
                "text and computer filter, sort by computer",
                &text_and_computer,
                by_computer,
            ),
        ];
        for (name, filter, sort) in cases {
            let mut times = Vec::new();
            let mut shown = 0;
            for _ in 0..3 {
                let started = Instant::now();
                shown = table.view(filter, sort).len();
                times.push(started.elapsed().as_secs_f64());
            }
            let best = times.iter().copied().fold(f64::MAX, f64::min);
            println!(
                "view case=\"{name}\" rows={shown} ms={:.1} first_ms={:.1}",
                best * 1e3,
                times[0] * 1e3
            );
        }
    }
}
