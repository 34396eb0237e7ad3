//! Event 4983, "An IPsec extended mode negotiation failed", with its EventData typed.

use super::codes::code_text;
use super::lookup::{find_field, read_text};
use super::messages::message_template;
use super::number::{read_number, Number};
use super::render::render_template;
use super::shared_names::SharedNames;
use crate::filetime::FileTime;
use crate::scan::{DataField, FieldValue, RawEvent};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The EventData names of event 4983 version 0, in manifest order: name `i` is `%{i+1}`.
pub const FIELDS_4983: [&str; 18] = [
    "LocalEMPrincipalName",
    "LocalEMCertHash",
    "LocalEMIssuingCA",
    "LocalEMRootCA",
    "RemoteEMPrincipalName",
    "RemoteEMCertHash",
    "RemoteEMIssuingCA",
    "RemoteEMRootCA",
    "LocalAddress",
    "LocalKeyModPort",
    "RemoteAddress",
    "RemoteKeyModPort",
    "FailurePoint",
    "FailureReason",
    "State",
    "Role",
    "EMImpersonationState",
    "QMFilterID",
];

/// One 4983 record. Text fields hold the stored string unchanged; `None` is a missing or
/// Null value. Serialized field names are the Windows EventData names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Event4983 {
    #[serde(rename = "EventRecordID")]
    pub record_id: u64,
    #[serde(rename = "TimeCreated")]
    pub time_created: FileTime,
    /// Shared with the other events of the file that name the same computer.
    #[serde(rename = "Computer")]
    pub computer: Arc<str>,
    #[serde(rename = "Provider")]
    pub provider: Arc<str>,
    /// `System/Version` of the record.
    #[serde(rename = "Version")]
    pub version: u8,
    /// Read from a damaged chunk or carved from slack space.
    #[serde(rename = "Recovered")]
    pub recovered: bool,
    #[serde(rename = "LocalEMPrincipalName")]
    pub local_em_principal_name: Option<Box<str>>,
    #[serde(rename = "LocalEMCertHash")]
    pub local_em_cert_hash: Option<Box<str>>,
    #[serde(rename = "LocalEMIssuingCA")]
    pub local_em_issuing_ca: Option<Box<str>>,
    #[serde(rename = "LocalEMRootCA")]
    pub local_em_root_ca: Option<Box<str>>,
    #[serde(rename = "RemoteEMPrincipalName")]
    pub remote_em_principal_name: Option<Box<str>>,
    #[serde(rename = "RemoteEMCertHash")]
    pub remote_em_cert_hash: Option<Box<str>>,
    #[serde(rename = "RemoteEMIssuingCA")]
    pub remote_em_issuing_ca: Option<Box<str>>,
    #[serde(rename = "RemoteEMRootCA")]
    pub remote_em_root_ca: Option<Box<str>>,
    #[serde(rename = "LocalAddress")]
    pub local_address: Option<Box<str>>,
    #[serde(rename = "LocalKeyModPort")]
    pub local_key_mod_port: Option<Number<u32>>,
    #[serde(rename = "RemoteAddress")]
    pub remote_address: Option<Box<str>>,
    #[serde(rename = "RemoteKeyModPort")]
    pub remote_key_mod_port: Option<Number<u32>>,
    /// A `%%8199`/`%%8200` code as stored; [`Event4983::failure_point_text`] gives words.
    #[serde(rename = "FailurePoint")]
    pub failure_point: Option<Box<str>>,
    #[serde(rename = "FailureReason")]
    pub failure_reason: Option<Box<str>>,
    /// A `%%8218`..`%%8221` code as stored.
    #[serde(rename = "State")]
    pub state: Option<Box<str>>,
    /// A `%%8205`/`%%8206` code as stored.
    #[serde(rename = "Role")]
    pub role: Option<Box<str>>,
    /// A `%%8216`/`%%8217` code as stored.
    #[serde(rename = "EMImpersonationState")]
    pub em_impersonation_state: Option<Box<str>>,
    #[serde(rename = "QMFilterID")]
    pub qm_filter_id: Option<Number<u64>>,
    /// EventData elements beyond the 18 known ones, such as from a later event version.
    #[serde(rename = "OtherFields", default, skip_serializing_if = "Vec::is_empty")]
    pub other_fields: Vec<DataField>,
}

/// One EventData value of a 4983 record, borrowed for display, sorting and export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataCell<'a> {
    Null,
    Text(&'a str),
    Number(u64),
}

impl Event4983 {
    /// Types the EventData of a raw record. Unnamed `Data1`..`Data18` elements are taken by
    /// position; a field absent from the record stays `None`.
    pub fn from_raw(raw: &RawEvent) -> Event4983 {
        Event4983::from_raw_sharing(raw, &mut SharedNames::default())
    }

    /// Types the EventData of a raw record as [`Event4983::from_raw`] does, taking the
    /// computer and provider names from `names`.
    pub fn from_raw_sharing(raw: &RawEvent, names: &mut SharedNames) -> Event4983 {
        let mut consumed: Vec<&str> = Vec::with_capacity(18);
        let mut value = |position: usize| {
            let found = find_field(raw, FIELDS_4983[position], position)?;
            consumed.push(&found.name);
            Some(&found.value)
        };
        let mut event = Event4983 {
            record_id: raw.record_id,
            time_created: raw.time_created,
            computer: names.share(&raw.computer),
            provider: names.share(&raw.provider),
            version: raw.version,
            recovered: raw.recovered,
            local_em_principal_name: boxed_text(value(0)),
            local_em_cert_hash: boxed_text(value(1)),
            local_em_issuing_ca: boxed_text(value(2)),
            local_em_root_ca: boxed_text(value(3)),
            remote_em_principal_name: boxed_text(value(4)),
            remote_em_cert_hash: boxed_text(value(5)),
            remote_em_issuing_ca: boxed_text(value(6)),
            remote_em_root_ca: boxed_text(value(7)),
            local_address: boxed_text(value(8)),
            local_key_mod_port: read_number(value(9)),
            remote_address: boxed_text(value(10)),
            remote_key_mod_port: read_number(value(11)),
            failure_point: boxed_text(value(12)),
            failure_reason: boxed_text(value(13)),
            state: boxed_text(value(14)),
            role: boxed_text(value(15)),
            em_impersonation_state: boxed_text(value(16)),
            qm_filter_id: read_number(value(17)),
            other_fields: Vec::new(),
        };
        event.other_fields = raw
            .data
            .iter()
            .filter(|field| !consumed.contains(&field.name.as_str()))
            .cloned()
            .collect();
        event
    }

    /// Returns the EventData value at manifest `position` (0 for `%1`), or `Null` past the 18th.
    pub fn data_cell(&self, position: usize) -> DataCell<'_> {
        match position {
            0 => text_cell(&self.local_em_principal_name),
            1 => text_cell(&self.local_em_cert_hash),
            2 => text_cell(&self.local_em_issuing_ca),
            3 => text_cell(&self.local_em_root_ca),
            4 => text_cell(&self.remote_em_principal_name),
            5 => text_cell(&self.remote_em_cert_hash),
            6 => text_cell(&self.remote_em_issuing_ca),
            7 => text_cell(&self.remote_em_root_ca),
            8 => text_cell(&self.local_address),
            9 => number_cell(&self.local_key_mod_port),
            10 => text_cell(&self.remote_address),
            11 => number_cell(&self.remote_key_mod_port),
            12 => text_cell(&self.failure_point),
            13 => text_cell(&self.failure_reason),
            14 => text_cell(&self.state),
            15 => text_cell(&self.role),
            16 => text_cell(&self.em_impersonation_state),
            17 => number_cell(&self.qm_filter_id),
            _ => DataCell::Null,
        }
    }

    /// Returns the 18 EventData values in manifest order, paired with [`FIELDS_4983`].
    pub fn data_cells(&self) -> [DataCell<'_>; 18] {
        std::array::from_fn(|position| self.data_cell(position))
    }

    /// Returns the words for `FailurePoint`, or the stored value when it is no known code.
    pub fn failure_point_text(&self) -> Option<&str> {
        self.failure_point.as_deref().map(code_text)
    }

    /// Returns the words for `State`, or the stored value when it is no known code.
    pub fn state_text(&self) -> Option<&str> {
        self.state.as_deref().map(code_text)
    }

    /// Returns the words for `Role`, or the stored value when it is no known code.
    pub fn role_text(&self) -> Option<&str> {
        self.role.as_deref().map(code_text)
    }

    /// Returns the words for `EMImpersonationState`, or the stored value when it is no known
    /// code.
    pub fn em_impersonation_state_text(&self) -> Option<&str> {
        self.em_impersonation_state.as_deref().map(code_text)
    }

    /// Renders the event's message as Event Viewer shows it, with codes in words.
    pub fn message(&self) -> String {
        let template = message_template(4983).expect("the template table has event 4983");
        render_template(template, &self.insertion_strings())
    }

    /// Returns the insertion strings `%1`..`%18` as stored, a missing value as empty text.
    pub fn insertion_strings(&self) -> Vec<String> {
        self.data_cells()
            .iter()
            .map(|cell| match cell {
                DataCell::Null => String::new(),
                DataCell::Text(text) => (*text).to_owned(),
                DataCell::Number(number) => number.to_string(),
            })
            .collect()
    }
}

/// Reads a text field into a boxed string, which has no spare capacity and is 8 bytes
/// smaller than a `String` on 64-bit targets.
fn boxed_text(value: Option<&FieldValue>) -> Option<Box<str>> {
    read_text(value).map(String::into_boxed_str)
}

fn text_cell(value: &Option<Box<str>>) -> DataCell<'_> {
    match value {
        Some(text) => DataCell::Text(text),
        None => DataCell::Null,
    }
}

fn number_cell<T: Copy + Into<u64>>(value: &Option<Number<T>>) -> DataCell<'_> {
    match value {
        None => DataCell::Null,
        Some(Number::Value(number)) => DataCell::Number((*number).into()),
        Some(Number::Invalid(text)) => DataCell::Text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::{named, raw_4983, raw_event, values_4983, SAMPLE_TIME};
    use crate::scan::FieldValue;

    #[test]
    fn from_raw_reads_named_fields() {
        let event = Event4983::from_raw(&raw_4983(77));

        assert_eq!(event.record_id, 77);
        assert_eq!(event.time_created, SAMPLE_TIME);
        assert_eq!(&*event.computer, "host1.contoso.com");
        assert_eq!(
            event.local_em_principal_name.as_deref(),
            Some("CONTOSO\\host1$")
        );
        assert_eq!(
            event.remote_em_root_ca.as_deref(),
            Some("CN=Fabrikam Root CA")
        );
        assert_eq!(event.local_address.as_deref(), Some("10.0.0.1"));
        assert_eq!(event.local_key_mod_port, Some(Number::Value(500)));
        assert_eq!(event.remote_key_mod_port, Some(Number::Value(4500)));
        assert_eq!(event.failure_point.as_deref(), Some("%%8199"));
        assert_eq!(
            event.failure_reason.as_deref(),
            Some("No policy configured")
        );
        assert_eq!(event.qm_filter_id, Some(Number::Value(u64::MAX)));
        assert!(event.other_fields.is_empty());
    }

    #[test]
    fn coded_fields_give_words() {
        let event = Event4983::from_raw(&raw_4983(1));

        assert_eq!(event.failure_point_text(), Some("Local computer"));
        assert_eq!(
            event.state_text(),
            Some("Sent first (EM attributes) payload")
        );
        assert_eq!(event.role_text(), Some("Initiator"));
        assert_eq!(event.em_impersonation_state_text(), Some("Enabled"));
    }

    #[test]
    fn unknown_codes_show_as_stored() {
        let mut event = Event4983::from_raw(&raw_4983(1));
        event.failure_point = Some("%%9999".into());
        event.role = Some("Initiator".into());
        event.state = None;

        assert_eq!(event.failure_point_text(), Some("%%9999"));
        assert_eq!(event.role_text(), Some("Initiator"));
        assert_eq!(event.state_text(), None);
    }

    #[test]
    fn from_raw_takes_unnamed_fields_by_position() {
        let names: Vec<String> = (1..=18).map(|n| format!("Data{n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let raw = raw_event(4983, 5, named(&names, values_4983()));

        let event = Event4983::from_raw(&raw);

        assert_eq!(event, Event4983::from_raw(&raw_4983(5)));
    }

    #[test]
    fn missing_and_null_fields_are_none() {
        let mut raw = raw_4983(9);
        raw.data.retain(|field| field.name != "RemoteAddress");
        raw.data[0].value = FieldValue::Null;
        raw.data[9].value = FieldValue::Null;

        let event = Event4983::from_raw(&raw);

        assert_eq!(event.remote_address, None);
        assert_eq!(event.local_em_principal_name, None);
        assert_eq!(event.local_key_mod_port, None);
        assert_eq!(event.data_cells()[10], DataCell::Null);
        assert_eq!(event.insertion_strings()[0], "");
    }

    #[test]
    fn numbers_as_text_parse_and_misfits_stay_text() {
        let mut raw = raw_4983(9);
        raw.data[9].value = FieldValue::Text("4500".into());
        raw.data[11].value = FieldValue::Unsigned(70_000_000_000);
        raw.data[17].value = FieldValue::Text("0x10".into());

        let event = Event4983::from_raw(&raw);

        assert_eq!(event.local_key_mod_port, Some(Number::Value(4500)));
        assert_eq!(
            event.remote_key_mod_port,
            Some(Number::Invalid("70000000000".into()))
        );
        assert_eq!(event.qm_filter_id, Some(Number::Invalid("0x10".into())));
        assert_eq!(event.data_cells()[11], DataCell::Text("70000000000"));
        assert_eq!(event.data_cells()[17], DataCell::Text("0x10"));
    }

    #[test]
    fn strings_stay_exactly_as_stored() {
        let mut raw = raw_4983(9);
        raw.data[13].value = FieldValue::Text("  spaced\r\n\u{202e}txt  ".into());
        raw.data[8].value = FieldValue::Text(String::new());

        let event = Event4983::from_raw(&raw);

        assert_eq!(
            event.failure_reason.as_deref(),
            Some("  spaced\r\n\u{202e}txt  ")
        );
        assert_eq!(event.local_address.as_deref(), Some(""));
    }

    #[test]
    fn extra_fields_are_kept() {
        let mut raw = raw_4983(9);
        raw.data.push(DataField {
            name: "NewField".into(),
            value: FieldValue::Text("x".into()),
        });

        let event = Event4983::from_raw(&raw);

        assert_eq!(event.other_fields.len(), 1);
        assert_eq!(event.other_fields[0].name, "NewField");
    }

    #[test]
    fn serde_round_trip_keeps_u64() {
        let event = Event4983::from_raw(&raw_4983(3));

        let json = serde_json::to_string(&event).unwrap();
        let back: Event4983 = serde_json::from_str(&json).unwrap();

        assert!(json.contains("\"QMFilterID\":18446744073709551615"));
        assert_eq!(back, event);
    }
}
