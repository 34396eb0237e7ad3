//! The JSON export: `{"files": [...], "duplicates": [...], "events": [...]}`, events in
//! table view order.

use super::column::{Cell, Column};
use super::file_report::{FileReport, HashStatus};
use super::table::Table;
use crate::filetime::FileTime;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

/// Writes the files, the records seen more than once, and the rows `indices` (a view of
/// `table`) as one JSON object. `file_errors` are the page's problems of each whole file, in
/// the order of `reports`. Without them, each file lists its report's own problems (see
/// [`FileReport::file_errors`]).
///
/// Each event has the keys of [`Column::ALL`] in that order. UInt32 and UInt64 fields are
/// JSON numbers with every digit, a value stored as text that is not a number stays a JSON
/// string, and a missing or Null value is `null`.
pub fn export_json(
    reports: &[FileReport],
    file_errors: &[Vec<String>],
    table: &Table,
    indices: &[u32],
) -> String {
    let export = Export {
        files: reports
            .iter()
            .enumerate()
            .map(|(position, report)| file_entry(report, file_errors.get(position)))
            .collect(),
        duplicates: table
            .duplicates()
            .overlaps()
            .iter()
            .map(|overlap| overlap.to_json(&table.files))
            .collect(),
        events: Events { table, indices },
    };
    serde_json::to_string(&export).expect("serializing strings and numbers to a String cannot fail")
}

#[derive(Serialize)]
struct Export<'a> {
    files: Vec<Value>,
    /// Copies left out of `events`, by pair of files and computer.
    duplicates: Vec<Value>,
    events: Events<'a>,
}

/// The events, serialized row by row so no JSON tree of a large view is built.
struct Events<'a> {
    table: &'a Table,
    indices: &'a [u32],
}

struct Event<'a> {
    table: &'a Table,
    index: u32,
}

impl Serialize for Events<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut events = serializer.serialize_seq(Some(self.indices.len()))?;
        for index in self.indices {
            events.serialize_element(&Event {
                table: self.table,
                index: *index,
            })?;
        }
        events.end()
    }
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut event = serializer.serialize_map(Some(Column::ALL.len()))?;
        for column in Column::ALL {
            match self.table.cell(self.index, column) {
                Cell::Null => event.serialize_entry(column.name(), &None::<()>)?,
                Cell::Text(text) => event.serialize_entry(column.name(), text)?,
                Cell::Number(number) => event.serialize_entry(column.name(), &number)?,
                Cell::Time(time) => event.serialize_entry(column.name(), &TimeText(time))?,
            }
        }
        event.end()
    }
}

/// A time as its ISO 8601 text, written without an intermediate `String`.
struct TimeText(FileTime);

impl Serialize for TimeText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Builds a file's summary: the keys every export has, then header and chunk facts.
fn file_entry(report: &FileReport, page_errors: Option<&Vec<String>>) -> Value {
    let skipped: Vec<Value> = report
        .skipped
        .iter()
        .map(|skip| json!({"where": skip.place.to_string(), "reason": skip.reason}))
        .collect();
    let header = report.header.as_ref().map(|header| {
        json!({
            "version": format!("{}.{}", header.major_version, header.minor_version),
            "chunk_count": header.chunk_count,
            "next_record_id": header.next_record_id,
            "dirty": header.dirty,
            "full": header.full,
            "checksum_valid": header.checksum_valid,
        })
    });
    let gaps: Vec<Value> = report
        .record_id_gaps()
        .iter()
        .map(|gap| json!({"after": gap.after, "before": gap.before}))
        .collect();
    json!({
        "name": report.name,
        "size": report.size,
        "records": report.records,
        "events_4983": report.events_4983,
        "skipped": skipped,
        "error": report.error.as_ref().map(ToString::to_string),
        // An export taken while the file is read says so, because its counts are not final.
        "complete": report.is_complete(),
        "problems": report.file_errors(page_errors),
        "lost": report.lost,
        "header": header,
        "chunk_slots": report.chunk_slots,
        "chunks_scanned": report.chunks_scanned,
        "chunks_read": report.chunks_read(),
        "chunks_empty": report.chunks_empty,
        "chunks_recovered": report.chunks_recovered,
        "first_time": report.first_time.map(|time| time.to_string()),
        "last_time": report.last_time.map(|time| time.to_string()),
        "other_ipsec_events": report.other_event_counts(),
        "record_id_gaps": gaps,
        "sha256": report.sha256,
        "sha256_status": report.hash_status.name(),
        "sha256_error": match &report.hash_status {
            HashStatus::Failed(message) => Some(message),
            _ => None,
        },
        "integrity": report.integrity().to_json(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{
        failure_at, hostile_table, long_reason, one_chunk_report, same_name_reports,
    };
    use crate::scan::{Place, Severity, Skip};

    #[test]
    fn hostile_values_stay_exact() {
        let table = hostile_table();

        let json = export_json(&[], &[], &table, &[0]);

        let expected = format!(
            "{{\"files\":[],\"duplicates\":[],\"events\":[{{\"file\":\"a.evtx\",\
             \"EventRecordID\":7,\
             \"TimeCreated\":\"2024-05-01T12:34:56.1234567Z\",\"Computer\":\"host1.contoso.com\",\
             \"LocalEMPrincipalName\":\"=cmd|' /C calc'!A0\",\
             \"LocalEMCertHash\":\"<img src=x onerror=alert(1)>\",\
             \"LocalEMIssuingCA\":\"\u{202e}gpj.exe\",\"LocalEMRootCA\":\"say \\\"hi\\\", ok\",\
             \"RemoteEMPrincipalName\":\"line1\\r\\nline2\",\"RemoteEMCertHash\":\"\",\
             \"RemoteEMIssuingCA\":null,\"RemoteEMRootCA\":\"-5\",\"LocalAddress\":\"+1 555\",\
             \"LocalKeyModPort\":\"-1\",\"RemoteAddress\":\"@SUM(1)\",\"RemoteKeyModPort\":null,\
             \"FailurePoint\":\"%%9999\",\"FailureReason\":\"{}\",\"State\":\"\\tTabbed\",\
             \"Role\":\"%%8206\",\"EMImpersonationState\":\"\\r=1\",\
             \"QMFilterID\":18446744073709551615,\"FailurePointText\":\"%%9999\",\
             \"StateText\":\"\\tTabbed\",\"RoleText\":\"Responder\",\
             \"EMImpersonationStateText\":\"\\r=1\"}}]}}",
            long_reason()
        );
        assert_eq!(json, expected);
    }

    #[test]
    fn files_list_counts_and_skips() {
        let mut report = one_chunk_report("a.evtx", vec![]);
        report.skipped.push(Skip {
            place: Place::Chunk {
                index: 3,
                offset: 0x31000,
            },
            severity: Severity::Skipped,
            reason: "bad chunk signature".into(),
        });
        report.skipped.push(Skip {
            place: Place::Record {
                chunk: 3,
                record_id: 1234,
            },
            severity: Severity::Skipped,
            reason: "invalid token".into(),
        });
        let mut failed = crate::report::FileReport::new("notes.txt", 2);
        failed.set_header(Err(crate::read::HeaderError::TooShort { size: 2 }));
        failed.note_hash_failed("the SHA-256 was not computed: NotReadableError".into());
        report.set_sha256(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_owned(),
        );

        let json = export_json(&[report, failed], &[], &Table::default(), &[]);

        let expected = "{\"files\":[\
            {\"name\":\"a.evtx\",\"size\":69632,\"records\":0,\"events_4983\":0,\
            \"skipped\":[{\"where\":\"chunk 3 at 0x31000\",\"reason\":\"bad chunk signature\"},\
            {\"where\":\"record 1234\",\"reason\":\"invalid token\"}],\"error\":null,\
            \"complete\":false,\"problems\":[],\"lost\":[],\"header\":null,\"chunk_slots\":1,\"chunks_scanned\":1,\
            \"chunks_read\":0,\"chunks_empty\":0,\
            \"chunks_recovered\":0,\"first_time\":null,\"last_time\":null,\
            \"other_ipsec_events\":{},\"record_id_gaps\":[],\
            \"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\
            \"sha256_status\":\"done\",\"sha256_error\":null,\
            \"integrity\":{\"dirty\":null,\"full\":null,\
            \"header_checksum_valid\":null,\"header_chunk_count\":null,\"chunk_slots\":1,\
            \"chunks_scanned\":1,\"chunks_with_records\":0,\"chunks_empty\":0,\
            \"chunks_past_header_count\":0,\"chunks_missing\":0,\"problem_chunks\":[\
            {\"chunk\":3,\"offset\":200704,\"outcome\":\"skipped\",\"records_read\":0,\
            \"records_failed\":1,\"reasons\":[\"bad chunk signature\"]}],\
            \"record_failures\":[{\"chunk\":3,\"record_id\":1234,\"offset\":null,\
            \"reason\":\"invalid token\"}],\"record_id_gaps\":[],\
            \"record_ids_missing_inside_chunks\":0,\"first_record_id\":null,\
            \"last_record_id\":null,\"first_time\":null,\"last_time\":null}},\
            {\"name\":\"notes.txt\",\"size\":2,\"records\":0,\"events_4983\":0,\"skipped\":[],\
            \"error\":\"the file is 2 bytes, shorter than the 128-byte EVTX file header\",\
            \"complete\":true,\
            \"problems\":[\"the file is 2 bytes, shorter than the 128-byte EVTX file header\"],\
            \"lost\":[],\"header\":null,\"chunk_slots\":0,\"chunks_scanned\":0,\
            \"chunks_read\":0,\"chunks_empty\":0,\
            \"chunks_recovered\":0,\"first_time\":null,\"last_time\":null,\
            \"other_ipsec_events\":{},\"record_id_gaps\":[],\"sha256\":null,\
            \"sha256_status\":\"failed\",\
            \"sha256_error\":\"the SHA-256 was not computed: NotReadableError\",\
            \"integrity\":{\"dirty\":null,\"full\":null,\"header_checksum_valid\":null,\
            \"header_chunk_count\":null,\"chunk_slots\":0,\"chunks_scanned\":0,\
            \"chunks_with_records\":0,\"chunks_empty\":0,\"chunks_past_header_count\":0,\
            \"chunks_missing\":0,\"problem_chunks\":[],\"record_failures\":[],\
            \"record_id_gaps\":[],\"record_ids_missing_inside_chunks\":0,\
            \"first_record_id\":null,\"last_record_id\":null,\"first_time\":null,\
            \"last_time\":null}}],\"duplicates\":[],\"events\":[]}";
        assert_eq!(json, expected);
    }

    #[test]
    fn copies_are_listed_and_left_out() {
        let first = one_chunk_report("a.evtx", vec![failure_at(1, 0), failure_at(2, 1)]);
        let second = one_chunk_report("b.evtx", vec![failure_at(2, 1), failure_at(3, 2)]);
        let reports = [first, second];
        let table = Table::from_files(&reports);

        let json = export_json(&reports, &[], &table, &table.all_indices());
        let value: Value = serde_json::from_str(&json).unwrap();

        let ids: Vec<(&str, u64)> = value["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|event| {
                let file = event["file"].as_str().unwrap();
                (file, event["EventRecordID"].as_u64().unwrap())
            })
            .collect();
        assert_eq!(ids, [("a.evtx", 1), ("a.evtx", 2), ("b.evtx", 3)]);
        assert_eq!(value["files"][1]["events_4983"], 2);
        assert_eq!(
            value["duplicates"].to_string(),
            "[{\"computer\":\"host1.contoso.com\",\"kept_file\":\"a.evtx\",\
             \"copy_file\":\"b.evtx\",\"records\":1,\"events_4983\":1,\
             \"other_ipsec_events\":0,\"message\":\"1 record of host1.contoso.com (1 of \
             event 4983, 0 other IPsec events) appears in both a.evtx and b.evtx; counted \
             once, from a.evtx, the file dropped earlier.\"}]"
        );
    }

    #[test]
    fn page_problems_listed_per_file() {
        let report = crate::report::FileReport::new("cut.evtx", 4096 + 65536);
        let cut = "the file header counts 3 chunks of 64 KiB but the file has room for 1";

        let json = export_json(&[report], &[vec![cut.to_owned()]], &Table::default(), &[]);

        let value: Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(value["files"][0]["problems"], json!([cut]));
        assert_eq!(value["files"][0]["complete"], json!(false));
    }

    #[test]
    fn same_name_files_match_duplicates() {
        let reports = same_name_reports();
        let table = Table::from_files(&reports);

        let json = export_json(&reports, &[], &table, &table.all_indices());
        let value: Value = serde_json::from_str(&json).unwrap();

        assert_eq!(value["files"][0]["name"], "Security.evtx");
        assert_eq!(value["files"][1]["name"], "Security.evtx (2)");
        assert_eq!(
            value["duplicates"][0]["kept_file"],
            value["files"][0]["name"]
        );
        assert_eq!(
            value["duplicates"][0]["copy_file"],
            value["files"][1]["name"]
        );
        assert_eq!(value["events"][0]["file"], "Security.evtx");
    }

    #[test]
    fn output_parses_back() {
        let table = hostile_table();

        let json = export_json(&[], &[], &table, &[0, 0]);
        let value: Value = serde_json::from_str(&json).unwrap();

        assert_eq!(value["events"].as_array().unwrap().len(), 2);
        assert_eq!(value["events"][1]["QMFilterID"].as_u64(), Some(u64::MAX));
        assert_eq!(
            value["events"][1]["FailureReason"].as_str().unwrap().len(),
            10_000
        );
    }
}
