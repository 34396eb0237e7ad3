//! The fixture writer's files, read back by independent readers: `evtx_dump` (evtx 0.15.1),
//! python-evtx, and this crate's own scanner. Every declared value must come back exactly.
#![cfg(not(target_arch = "wasm32"))]

use ipsec_lens::fixture::samples::{self, Limit, SecurityTraffic, TrafficOptions};
use ipsec_lens::fixture::{write_evtx, FixtureEvent, FixtureValue, Guid};
use ipsec_lens::scan::{self, FieldValue};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Creates a fresh directory for this test's files.
fn temp_dir(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ipsec-lens-fixture-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn evtx_dump() -> PathBuf {
    let home_bin =
        std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo/bin/evtx_dump"));
    find_on_path("evtx_dump")
        .or(home_bin.filter(|path| path.is_file()))
        .expect("evtx_dump not found: run scripts/test, which installs it")
}

/// Runs `evtx_dump -o jsonl` with checksum validation and returns one JSON value a record.
fn dump_jsonl(file: &Path) -> Vec<Value> {
    let output = Command::new(evtx_dump())
        .args(["--validate-checksums", "-o", "jsonl"])
        .arg(file)
        .output()
        .expect("run evtx_dump");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "evtx_dump failed: {stderr}");
    assert!(
        stderr.trim().is_empty(),
        "evtx_dump reported problems: {stderr}"
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON record a line"))
        .collect()
}

fn guid_text(guid: &Guid) -> String {
    let b = guid.0;
    format!(
        "{{{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{}}}",
        b[3],
        b[2],
        b[1],
        b[0],
        b[5],
        b[4],
        b[7],
        b[6],
        b[8],
        b[9],
        b[10..]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    )
}

/// Returns the JSON that evtx 0.15.1 renders for a value. It renders a NullType `<Data>` as "".
fn expected_json(value: &FixtureValue) -> Value {
    match value {
        FixtureValue::Null => json!(""),
        FixtureValue::Text(text) | FixtureValue::Sid(text) => json!(text),
        FixtureValue::U16(number) => json!(number),
        FixtureValue::U32(number) => json!(number),
        FixtureValue::U64(number) => json!(number),
        FixtureValue::HexU32(number) => json!(format!("0x{number:x}")),
        FixtureValue::HexU64(number) => json!(format!("0x{number:x}")),
        FixtureValue::Guid(guid) => json!(guid_text(guid)),
    }
}

/// Asserts that one `evtx_dump` record contains exactly the declared event.
fn assert_record(event: &FixtureEvent, record: &Value) {
    let id = event.record_id;
    let system = &record["Event"]["System"];
    assert_eq!(
        system["EventRecordID"],
        json!(id),
        "record {id}: EventRecordID"
    );
    assert_eq!(
        system["EventID"],
        json!(event.event_id),
        "record {id}: EventID"
    );
    assert_eq!(
        system["Version"],
        json!(event.version),
        "record {id}: Version"
    );
    assert_eq!(system["Level"], json!(event.level), "record {id}: Level");
    assert_eq!(system["Task"], json!(event.task), "record {id}: Task");
    assert_eq!(system["Opcode"], json!(event.opcode), "record {id}: Opcode");
    let keywords = format!("0x{:x}", event.keywords);
    assert_eq!(system["Keywords"], json!(keywords), "record {id}: Keywords");
    let time = &system["TimeCreated"]["#attributes"]["SystemTime"];
    assert_eq!(
        time,
        &json!(event.time_created.to_string()),
        "record {id}: SystemTime"
    );
    let provider = &system["Provider"]["#attributes"];
    assert_eq!(
        provider["Name"],
        json!(event.provider_name),
        "record {id}: Provider"
    );
    let guid = guid_text(&event.provider_guid);
    assert_eq!(provider["Guid"], json!(guid), "record {id}: Provider Guid");
    let execution = &system["Execution"]["#attributes"];
    assert_eq!(
        execution["ProcessID"],
        json!(event.process_id),
        "record {id}: ProcessID"
    );
    assert_eq!(
        execution["ThreadID"],
        json!(event.thread_id),
        "record {id}: ThreadID"
    );
    let activity = &system["Correlation"]["#attributes"]["ActivityID"];
    let expected_activity = event
        .activity_id
        .as_ref()
        .map_or(Value::Null, |g| json!(guid_text(g)));
    assert_eq!(activity, &expected_activity, "record {id}: ActivityID");
    assert_eq!(
        system["Channel"],
        json!(event.channel),
        "record {id}: Channel"
    );
    assert_eq!(
        system["Computer"],
        json!(event.computer),
        "record {id}: Computer"
    );

    let data = record["Event"]["EventData"]
        .as_object()
        .unwrap_or_else(|| panic!("record {id}: EventData is not an object"));
    let names: Vec<&str> = data.keys().map(String::as_str).collect();
    let declared: Vec<&str> = event.data.iter().map(|(name, _)| &**name).collect();
    assert_eq!(names, declared, "record {id}: Data names and order");
    for (name, value) in &event.data {
        assert_eq!(
            data[&**name],
            expected_json(value),
            "record {id}: Data {name}"
        );
    }
}

#[test]
fn known_set_reads_back_in_evtx_dump() {
    let dir = temp_dir("known-evtx-dump");
    let events = samples::known_4983();
    let file = dir.join("known_4983.evtx");
    std::fs::write(&file, write_evtx(&events).unwrap()).unwrap();

    let records = dump_jsonl(&file);

    assert_eq!(records.len(), events.len());
    for (event, record) in events.iter().zip(&records) {
        assert_record(event, record);
    }
    // Spot checks written out, in case the declared values and the reader agree wrongly.
    let first = &records[0]["Event"];
    assert_eq!(
        first["EventData"]["QMFilterID"].to_string(),
        "18446744073709551615"
    );
    let time = &first["System"]["TimeCreated"]["#attributes"]["SystemTime"];
    assert_eq!(time, "2024-05-01T12:34:56.1234567Z");
    assert_eq!(records[1]["Event"]["EventData"]["FailurePoint"], "%%9999");
    assert_eq!(records[1]["Event"]["EventData"]["LocalEMCertHash"], "");
    assert_eq!(
        records[1]["Event"]["EventData"]["QMFilterID"].to_string(),
        "9007199254740993"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn mixed_set_reads_back_in_evtx_dump() {
    let dir = temp_dir("mixed-evtx-dump");
    let options = TrafficOptions {
        seed: 42,
        ratio_4983: 0.05,
        ..TrafficOptions::default()
    };
    let file = dir.join("mixed.evtx");
    let out = std::fs::File::create(&file).unwrap();
    let (_, summary) = samples::write_traffic(out, &options, Limit::Records(6000)).unwrap();
    let events: Vec<FixtureEvent> = SecurityTraffic::new(&options).take(6000).collect();

    let records = dump_jsonl(&file);

    assert_eq!(summary.records, 6000);
    let chunks = (std::fs::metadata(&file).unwrap().len() - 4096) / 65536;
    assert!(
        chunks >= 40,
        "6000 records should fill many chunks, got {chunks}"
    );
    assert_eq!(records.len(), events.len());
    for (event, record) in events.iter().zip(&records) {
        assert_record(event, record);
    }
    let count_4983 = events.iter().filter(|event| event.event_id == 4983).count();
    assert_eq!(summary.records_4983, count_4983 as u64);
    assert!(
        count_4983 > 200,
        "expected about 300 of 4983, got {count_4983}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Returns the text python-evtx shows for a value, where it renders the same as declared.
fn python_text(value: &FixtureValue) -> Option<String> {
    match value {
        FixtureValue::Null => Some(String::new()),
        FixtureValue::Text(text) => Some(text.to_string()),
        FixtureValue::U16(number) => Some(number.to_string()),
        FixtureValue::U32(number) => Some(number.to_string()),
        FixtureValue::U64(number) => Some(number.to_string()),
        _ => None,
    }
}

fn run_python_evtx(file: &Path, events: &[FixtureEvent]) {
    let expected: Vec<Value> = events
        .iter()
        .map(|event| {
            let data: serde_json::Map<String, Value> = event
                .data
                .iter()
                .filter_map(|(name, value)| Some((name.to_string(), json!(python_text(value)?))))
                .collect();
            json!({
                "record_id": event.record_id,
                "event_id": event.event_id,
                "computer": event.computer,
                "data": data,
            })
        })
        .collect();
    let expected_file = file.with_extension("expected.json");
    std::fs::write(&expected_file, serde_json::to_vec(&expected).unwrap()).unwrap();
    let python = std::env::var("PYTHON_EVTX").unwrap_or_else(|_| "python3".to_string());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture_python_evtx.py");

    let output = Command::new(&python)
        .arg(script)
        .arg(file)
        .arg(&expected_file)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}; set PYTHON_EVTX"));

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(
        output.status.code(),
        Some(3),
        "python-evtx (module Evtx) is not installed for {python}: run scripts/test, which \
         installs it, or pip install python-evtx"
    );
    assert!(output.status.success(), "python-evtx disagrees:\n{stderr}");
}

#[test]
fn known_set_reads_back_in_python_evtx() {
    let dir = temp_dir("known-python");
    let events = samples::known_4983();
    let file = dir.join("known_4983.evtx");
    std::fs::write(&file, write_evtx(&events).unwrap()).unwrap();

    run_python_evtx(&file, &events);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn mixed_set_reads_back_in_python_evtx() {
    let dir = temp_dir("mixed-python");
    let options = TrafficOptions {
        seed: 7,
        ratio_4983: 0.2,
        ..TrafficOptions::default()
    };
    let events: Vec<FixtureEvent> = SecurityTraffic::new(&options).take(1200).collect();
    let file = dir.join("mixed.evtx");
    std::fs::write(&file, write_evtx(&events).unwrap()).unwrap();

    run_python_evtx(&file, &events);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Returns the scanner's reading of a value: the JSON rendering above, as a [`FieldValue`].
fn expected_field(value: &FixtureValue) -> FieldValue {
    match expected_json(value) {
        Value::String(text) => FieldValue::Text(text),
        Value::Number(number) => FieldValue::Unsigned(number.as_u64().unwrap()),
        other => panic!("no scanner value for {other}"),
    }
}

#[test]
fn scanner_reads_known_set_exactly() {
    let events = samples::known_4983();
    let bytes = write_evtx(&events).unwrap();

    let (header, chunks) = scan::scan_file_bytes(&bytes).unwrap();

    assert!(header.checksum_valid);
    assert_eq!(header.chunk_count, 1);
    assert_eq!(header.next_record_id, 8);
    assert_eq!(chunks.len(), 1);
    let chunk = &chunks[0];
    assert_eq!(chunk.skipped, vec![]);
    assert!(!chunk.recovered);
    assert_eq!(chunk.records, 7);
    assert_eq!(chunk.first_record_id, Some(1));
    assert_eq!(chunk.last_record_id, Some(7));
    assert_eq!(chunk.event_counts.get(&4983), Some(&3));
    assert_eq!(chunk.event_counts.get(&4624), Some(&1));

    let of_interest: Vec<&FixtureEvent> = events
        .iter()
        .filter(|event| event.event_id != 4624)
        .collect();
    assert_eq!(chunk.events.len(), of_interest.len());
    for (event, raw) in of_interest.iter().zip(&chunk.events) {
        let id = event.record_id;
        assert_eq!(raw.record_id, id);
        assert_eq!(raw.event_id, u32::from(event.event_id), "record {id}");
        assert_eq!(raw.version, event.version, "record {id}");
        assert_eq!(raw.time_created, event.time_created, "record {id}");
        assert_eq!(raw.provider, event.provider_name, "record {id}");
        assert_eq!(raw.computer, event.computer, "record {id}");
        assert!(!raw.recovered, "record {id}");
        let names: Vec<&str> = raw.data.iter().map(|field| field.name.as_str()).collect();
        let declared: Vec<&str> = event.data.iter().map(|(name, _)| &**name).collect();
        assert_eq!(names, declared, "record {id}");
        for ((name, value), field) in event.data.iter().zip(&raw.data) {
            assert_eq!(field.value, expected_field(value), "record {id}: {name}");
        }
    }
    let first = &chunk.events[0];
    assert_eq!(
        first.field("QMFilterID"),
        Some(&FieldValue::Unsigned(u64::MAX))
    );
}

#[test]
fn scanner_reads_mixed_chunks_without_skips() {
    let options = TrafficOptions {
        seed: 3,
        ratio_4983: 0.5,
        ..TrafficOptions::default()
    };
    let events: Vec<FixtureEvent> = SecurityTraffic::new(&options).take(3000).collect();
    let bytes = write_evtx(&events).unwrap();

    let (header, chunks) = scan::scan_file_bytes(&bytes).unwrap();

    assert_eq!(u64::from(header.chunk_count), chunks.len() as u64);
    assert!(chunks.len() > 20);
    let skipped: usize = chunks.iter().map(|chunk| chunk.skipped.len()).sum();
    assert_eq!(skipped, 0);
    let records: u64 = chunks.iter().map(|chunk| chunk.records).sum();
    assert_eq!(records, 3000);
    let scanned_4983: u64 = chunks
        .iter()
        .filter_map(|chunk| chunk.event_counts.get(&4983))
        .sum();
    let declared_4983 = events.iter().filter(|event| event.event_id == 4983).count();
    assert_eq!(scanned_4983, declared_4983 as u64);
}
