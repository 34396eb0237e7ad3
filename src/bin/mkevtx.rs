//! `mkevtx`: writes a fixture EVTX file of generated or known Security events.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::run(std::env::args().skip(1).collect()));
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use ipsec_lens::fixture::host_log;
    use ipsec_lens::fixture::samples::{self, Limit, TrafficOptions};
    use ipsec_lens::fixture::EvtxWriter;
    use std::fs::File;
    use std::io::BufWriter;
    use std::time::Instant;

    const HELP: &str = "\
Usage: mkevtx --out FILE [--records N | --bytes SIZE] [--ratio-4983 R] [--seed S]
              [--preset mixed|known|hostile|dominant|related|host-log|burst]
              [--computer NAME] [--address IP] [--first-record N]

Writes a Windows EVTX file of Security events for tests and benchmarks.

Options:
  --out FILE        output path (overwritten)
  --records N       number of records to generate (default 10000)
  --bytes SIZE      generate until the file reaches SIZE bytes; suffixes K, M, G
                    (powers of 1024); the file ends on a whole 64 KiB chunk
  --ratio-4983 R    fraction of records that are event 4983, 0 to 1
                    (default 0.01 for mixed, 0.95 for dominant)
  --seed S          generator seed, an unsigned integer (default 0)
  --preset P        mixed: Security traffic with some 4983 (default)
                    dominant: mostly 4983, for large-table benchmarks
                    known: the 7 hand-declared test events; ignores the other options
                    hostile: 2 events of 4983 with HTML, formula, bidi and 10,000-character
                    values; ignores the other options
                    related: one 4983 (record 7) with 4653/4654 events of its peer pair at
                    known distances; ignores the other options
                    host-log: records --first-record to --first-record + --records - 1
                    of one computer's log, each fixed by its EventRecordID, so two
                    overlapping ranges are two exports that share records. IDs 1 and 3
                    modulo 5 are 4983, 0 modulo 5 are 4653, the rest 4624, 30 s apart
                    burst: 49 records of SRV-FS01 with 18 scattered 4983 events and a
                    burst of 12 4983 from 192.168.50.7 within 2 min 45 s (IDs 5022 to
                    5033); ignores the other options
  --computer NAME   host-log: the computer's name (default DC01.corp.contoso.com)
  --address IP      host-log: the computer's own address (default 10.20.0.10)
  --first-record N  host-log: the first EventRecordID (default 1)
  --help            print this help";

    #[derive(Debug, PartialEq)]
    enum Preset {
        Mixed,
        Known,
        Hostile,
        Dominant,
        Related,
        HostLog,
        Burst,
    }

    #[derive(Debug)]
    struct Args {
        out: String,
        limit: Limit,
        ratio_4983: Option<f64>,
        seed: u64,
        preset: Preset,
        /// Only for `host-log`.
        computer: String,
        address: String,
        first_record_id: u64,
    }

    /// Returns the process exit code: 0 on success, 1 on a write failure, 2 on bad usage.
    pub fn run(argv: Vec<String>) -> i32 {
        if argv.iter().any(|arg| arg == "--help" || arg == "-h") {
            println!("{HELP}");
            return 0;
        }
        let args = match parse(argv) {
            Ok(args) => args,
            Err(message) => {
                eprintln!("mkevtx: {message}\nRun mkevtx --help for the options.");
                return 2;
            }
        };
        match write(&args) {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("mkevtx: {message}");
                1
            }
        }
    }

    fn parse(argv: Vec<String>) -> Result<Args, String> {
        let mut out = None;
        let mut limit = Limit::Records(10_000);
        let mut ratio_4983 = None;
        let mut seed = 0;
        let mut preset = Preset::Mixed;
        let mut computer = String::from("DC01.corp.contoso.com");
        let mut address = String::from("10.20.0.10");
        let mut first_record_id = 1;
        let mut items = argv.into_iter();
        while let Some(flag) = items.next() {
            let mut value = || {
                items
                    .next()
                    .ok_or_else(|| format!("option {flag} needs a value"))
            };
            match flag.as_str() {
                "--out" => out = Some(value()?),
                "--records" => {
                    let text = value()?;
                    let count = text
                        .parse()
                        .map_err(|_| format!("invalid --records {text:?}: expected a count"))?;
                    limit = Limit::Records(count);
                }
                "--bytes" => limit = Limit::Bytes(parse_size(&value()?)?),
                "--ratio-4983" => {
                    let text = value()?;
                    let ratio: f64 = text
                        .parse()
                        .map_err(|_| format!("invalid --ratio-4983 {text:?}: expected a number"))?;
                    if !(0.0..=1.0).contains(&ratio) {
                        return Err(format!("invalid --ratio-4983 {ratio}: must be 0 to 1"));
                    }
                    ratio_4983 = Some(ratio);
                }
                "--seed" => {
                    let text = value()?;
                    seed = text
                        .parse()
                        .map_err(|_| format!("invalid --seed {text:?}: expected an integer"))?;
                }
                "--preset" => {
                    preset = match value()?.as_str() {
                        "mixed" => Preset::Mixed,
                        "known" => Preset::Known,
                        "hostile" => Preset::Hostile,
                        "dominant" => Preset::Dominant,
                        "related" => Preset::Related,
                        "host-log" => Preset::HostLog,
                        "burst" => Preset::Burst,
                        other => {
                            return Err(format!(
                                "unknown --preset {other:?}: expected mixed, known, hostile, \
                                 dominant, related, host-log or burst"
                            ))
                        }
                    }
                }
                "--computer" => computer = value()?,
                "--address" => address = value()?,
                "--first-record" => {
                    let text = value()?;
                    first_record_id = text.parse().ok().filter(|id| *id >= 1).ok_or_else(|| {
                        format!("invalid --first-record {text:?}: expected 1 or more")
                    })?;
                }
                other => return Err(format!("unknown option {other:?}")),
            }
        }
        let out = out.ok_or("missing --out FILE")?;
        if preset == Preset::HostLog && matches!(limit, Limit::Bytes(_)) {
            return Err("--preset host-log takes --records, not --bytes".to_owned());
        }
        Ok(Args {
            out,
            limit,
            ratio_4983,
            seed,
            preset,
            computer,
            address,
            first_record_id,
        })
    }

    /// Parses `1073741824`, `512K`, `100M` or `4G` (powers of 1024).
    fn parse_size(text: &str) -> Result<u64, String> {
        let upper = text.trim().to_ascii_uppercase();
        let (digits, unit) = match upper.strip_suffix(['K', 'M', 'G']) {
            Some(digits) => (digits, &upper[digits.len()..]),
            None => (upper.as_str(), ""),
        };
        let multiplier: u64 = match unit {
            "K" => 1 << 10,
            "M" => 1 << 20,
            "G" => 1 << 30,
            _ => 1,
        };
        digits
            .parse::<u64>()
            .ok()
            .and_then(|number| number.checked_mul(multiplier))
            .ok_or_else(|| format!("invalid --bytes {text:?}: expected a size such as 1G or 512M"))
    }

    fn write(args: &Args) -> Result<(), String> {
        let file = File::create(&args.out)
            .map_err(|error| format!("cannot create {}: {error}", args.out))?;
        let out = BufWriter::with_capacity(1 << 20, file);
        let started = Instant::now();
        let failed = |error| format!("writing {} failed: {error}", args.out);

        let declared = match args.preset {
            Preset::Known => Some(samples::known_4983()),
            Preset::Hostile => Some(ipsec_lens::fixture::hostile::hostile_4983()),
            Preset::Related => Some(ipsec_lens::fixture::related::related_4983()),
            Preset::HostLog => {
                let Limit::Records(count) = args.limit else {
                    unreachable!("parse rejects --bytes with host-log")
                };
                Some(host_log::host_log(
                    &args.computer,
                    &args.address,
                    args.first_record_id,
                    count,
                ))
            }
            Preset::Burst => Some(host_log::burst_log()),
            Preset::Mixed | Preset::Dominant => None,
        };
        if let Some(events) = declared {
            let mut writer = EvtxWriter::new(out).map_err(failed)?;
            for event in &events {
                writer.write_event(event).map_err(failed)?;
            }
            writer.finish().map_err(failed)?;
            println!("wrote {}: {} declared records", args.out, events.len());
            return Ok(());
        }

        let default_ratio = if args.preset == Preset::Dominant {
            0.95
        } else {
            0.01
        };
        let options = TrafficOptions {
            seed: args.seed,
            ratio_4983: args.ratio_4983.unwrap_or(default_ratio),
            ..TrafficOptions::default()
        };
        let (_, summary) = samples::write_traffic(out, &options, args.limit).map_err(failed)?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "wrote {}: {} records ({} of event 4983), {} bytes in {:.2} s ({:.0} MB/s)",
            args.out,
            summary.records,
            summary.records_4983,
            summary.bytes,
            seconds,
            summary.bytes as f64 / 1e6 / seconds.max(1e-9)
        );
        Ok(())
    }
}
