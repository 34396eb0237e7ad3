//! Hostile values in 4983 events, written with the fixture writer, scanned, decoded and
//! exported: the JSON export keeps every value exactly, and the CSV export quotes per
//! RFC 4180 and defuses cells a spreadsheet would run as a formula.

#![cfg(not(target_arch = "wasm32"))]

use ipsec_lens::fixture::hostile::{event, first_values, long_value, second_values, NAMES};
use ipsec_lens::fixture::{write_evtx, FixtureValue};
use ipsec_lens::report::{export_csv, export_json, FileReport, Table};
use ipsec_lens::scan;
use serde_json::Value;

fn hostile_report() -> FileReport {
    let bytes = write_evtx(&[event(1, first_values()), event(2, second_values())])
        .expect("the hostile events fit one chunk");
    let (header, chunks) = scan::scan_file_bytes(&bytes).expect("a valid file header");
    let mut report = FileReport::new("<b>evil</b>,\"name\".evtx", bytes.len() as u64);
    report.set_header(Ok(header));
    for chunk in chunks {
        assert_eq!(chunk.skipped, [], "chunk {}", chunk.index);
        report.add_chunk(chunk);
    }
    report
}

/// Returns what the scan reads back for a written value. The evtx crate ends a string at
/// its first NUL, and renders a NullType substitution as an empty string.
fn read_back(value: &FixtureValue) -> Value {
    match value {
        FixtureValue::Null => Value::from(""),
        FixtureValue::Text(text) => Value::from(text.split('\0').next().unwrap_or_default()),
        FixtureValue::U16(number) => Value::from(*number),
        FixtureValue::U64(number) => Value::from(*number),
        other => panic!("no hostile value is written as {other:?}"),
    }
}

fn exports() -> (String, String) {
    let reports = [hostile_report()];
    let table = Table::from_files(&reports);
    let indices = table.all_indices();
    (
        export_json(&reports, &[], &table, &indices),
        export_csv(&table, &indices),
    )
}

#[test]
fn scan_reads_both_events() {
    let report = hostile_report();

    assert_eq!(report.records, 2);
    assert_eq!(report.events_4983, 2);
    assert_eq!(report.skipped, []);
    let ids: Vec<u64> = report.events_4983().map(|event| event.record_id).collect();
    assert_eq!(ids, [1, 2]);
}

#[test]
fn json_keeps_values() {
    let (json, _) = exports();
    let parsed: Value = serde_json::from_str(&json).expect("the export is valid JSON");

    assert_eq!(parsed["files"][0]["name"], "<b>evil</b>,\"name\".evtx");
    let events = parsed["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    for (event, values) in events.iter().zip([first_values(), second_values()]) {
        assert_eq!(event["Computer"], "host\u{202e}1.contoso.com");
        for (name, value) in NAMES.iter().zip(&values) {
            assert_eq!(
                event[*name],
                read_back(value),
                "record {} {name}",
                event["EventRecordID"]
            );
        }
    }
    let reason = events[0]["FailureReason"].as_str().unwrap();
    assert_eq!(reason.chars().count(), 10_000);
    assert_eq!(reason, long_value());
}

#[test]
fn json_export_is_exact() {
    let (json, _) = exports();

    let first = r#"{"file":"<b>evil</b>,\"name\".evtx","EventRecordID":1,
        "TimeCreated":"2024-05-01T12:34:56.1234567Z","Computer":"hostRLO1.contoso.com",
        "LocalEMPrincipalName":"=cmd|' /C calc'!A0",
        "LocalEMCertHash":"<img src=x onerror=alert(1)>","LocalEMIssuingCA":"RLOgpj.exe",
        "LocalEMRootCA":"say \"hi\", ok","RemoteEMPrincipalName":"line1\r\nline2",
        "RemoteEMCertHash":"","RemoteEMIssuingCA":"",
        "RemoteEMRootCA":"bell\u0007 esc\u001b[31m delDEL unit\u001f nul",
        "LocalAddress":"@SUM(1)","LocalKeyModPort":"-5","RemoteAddress":"+1 555",
        "RemoteKeyModPort":"\t9","FailurePoint":"-2+3","FailureReason":"LONG",
        "State":"😀𝄞","Role":"\r=1","EMImpersonationState":"\n=2",
        "QMFilterID":18446744073709551615,"FailurePointText":"-2+3","StateText":"😀𝄞",
        "RoleText":"\r=1","EMImpersonationStateText":"\n=2"}"#;
    let second = r#"{"file":"<b>evil</b>,\"name\".evtx","EventRecordID":2,
        "TimeCreated":"2024-05-01T12:34:56.1234567Z","Computer":"hostRLO1.contoso.com",
        "LocalEMPrincipalName":"=","LocalEMCertHash":"+","LocalEMIssuingCA":"-",
        "LocalEMRootCA":"@","RemoteEMPrincipalName":"\t","RemoteEMCertHash":"\r",
        "RemoteEMIssuingCA":"+0.25","RemoteEMRootCA":"1,5","LocalAddress":"\"",
        "LocalKeyModPort":500,"RemoteAddress":"a","RemoteKeyModPort":4500,
        "FailurePoint":"%%8199","FailureReason":"</script><script>alert(1)</script>",
        "State":"%%8219","Role":"%%8206","EMImpersonationState":"%%8216","QMFilterID":"",
        "FailurePointText":"Local computer","StateText":"Sent first (EM attributes) payload",
        "RoleText":"Responder","EMImpersonationStateText":"Enabled"}"#;
    let events = format!("[{first},{second}]")
        .replace("\n        ", "")
        .replace("RLO", "\u{202e}")
        .replace("DEL", "\u{7f}")
        .replace("LONG", &long_value());
    // NOTE: a NullType QMFilterID comes out as "" rather than null, because the scan
    // renders NullType substitutions as empty strings.
    let start = json.find("\"events\":").expect("an events key") + "\"events\":".len();
    assert_eq!(json[start..json.len() - 1], events);
    assert!(json.ends_with("]}"));
}

#[test]
fn csv_export_is_exact() {
    let (_, csv) = exports();

    let header = "file,EventRecordID,TimeCreated,Computer,LocalEMPrincipalName,\
        LocalEMCertHash,LocalEMIssuingCA,LocalEMRootCA,RemoteEMPrincipalName,\
        RemoteEMCertHash,RemoteEMIssuingCA,RemoteEMRootCA,LocalAddress,LocalKeyModPort,\
        RemoteAddress,RemoteKeyModPort,FailurePoint,FailureReason,State,Role,\
        EMImpersonationState,QMFilterID,FailurePointText,StateText,RoleText,\
        EMImpersonationStateText\r\n";
    let first = format!(
        "\"<b>evil</b>,\"\"name\"\".evtx\",1,2024-05-01T12:34:56.1234567Z,\
         host\u{202e}1.contoso.com,'=cmd|' /C calc'!A0,<img src=x onerror=alert(1)>,\
         \u{202e}gpj.exe,\"say \"\"hi\"\", ok\",\"line1\r\nline2\",,,\
         bell\u{7} esc\u{1b}[31m del\u{7f} unit\u{1f} nul,'@SUM(1),-5,'+1 555,'\t9,'-2+3,\
         {},\u{1F600}\u{1D11E},\"'\r=1\",\"\n=2\",18446744073709551615,'-2+3,\
         \u{1F600}\u{1D11E},\"'\r=1\",\"\n=2\"\r\n",
        long_value()
    );
    let second = "\"<b>evil</b>,\"\"name\"\".evtx\",2,2024-05-01T12:34:56.1234567Z,\
        host\u{202e}1.contoso.com,'=,'+,-,'@,'\t,\"'\r\",+0.25,\"1,5\",\"\"\"\",500,a,4500,\
        %%8199,</script><script>alert(1)</script>,%%8219,%%8206,%%8216,,Local computer,\
        Sent first (EM attributes) payload,Responder,Enabled\r\n";
    assert_eq!(csv, format!("{header}{first}{second}"));
}
