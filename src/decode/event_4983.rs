//! Event 4983, "An IPsec extended mode negotiation failed", with its EventData typed.

use super::codes::code_text;
use super::lookup::find_field;
use super::messages::message_template;
use super::number::{read_number, Number};
use super::packed_texts::{PackedTexts, PackedTextsBuilder};
use super::render::render_template;
use super::shared_names::SharedNames;
use super::shared_values::SharedValues;
use crate::filetime::FileTime;
use crate::scan::{DataField, FieldValue, RawEvent};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

mod stored;

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

/// Manifest positions of the numeric fields: the UInt32 ports and the UInt64 filter ID.
const LOCAL_KEY_MOD_PORT: usize = 9;
const REMOTE_KEY_MOD_PORT: usize = 11;
const QM_FILTER_ID: usize = 17;

/// One 4983 record. Text values are the stored strings unchanged, and `None` is a missing or
/// Null value. Methods named after the EventData fields read them.
///
/// The EventData values are packed into one heap block, since the page keeps every decoded
/// event. A numeric value that fits its type is kept beside the block instead. The event
/// serializes as an object keyed by the Windows EventData names, with an `OtherFields` list
/// only when the record has fields beyond the 18.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(from = "stored::StoredEvent4983<'static>")]
pub struct Event4983 {
    pub record_id: u64,
    pub time_created: FileTime,
    /// Shared with the other events of the file that name the same computer.
    pub computer: Arc<str>,
    pub provider: Arc<str>,
    /// `System/Version` of the record.
    pub version: u8,
    /// Read from a damaged chunk or carved from slack space.
    pub recovered: bool,
    local_key_mod_port: Option<u32>,
    remote_key_mod_port: Option<u32>,
    qm_filter_id: Option<u64>,
    /// Manifest value `i` is field `i` of [`FIELDS_4983`]. A numeric field has its text here
    /// only when that is not a number of its type. The fields beyond the 18 follow, each
    /// name led by its value's kind (see [`kind_tag`]).
    texts: PackedTexts,
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
        let values: [Option<&FieldValue>; 18] = std::array::from_fn(|position| {
            let found = find_field(raw, FIELDS_4983[position], position)?;
            consumed.push(&found.name);
            Some(&found.value)
        });
        let mut texts: [Option<Cow<str>>; 18] = std::array::from_fn(|position| match position {
            LOCAL_KEY_MOD_PORT | REMOTE_KEY_MOD_PORT | QM_FILTER_ID => None,
            _ => values[position].and_then(value_text),
        });
        let (local_key_mod_port, text) = split_number(read_number(values[LOCAL_KEY_MOD_PORT]));
        texts[LOCAL_KEY_MOD_PORT] = text;
        let (remote_key_mod_port, text) = split_number(read_number(values[REMOTE_KEY_MOD_PORT]));
        texts[REMOTE_KEY_MOD_PORT] = text;
        let (qm_filter_id, text) = split_number(read_number(values[QM_FILTER_ID]));
        texts[QM_FILTER_ID] = text;
        let others = raw
            .data
            .iter()
            .filter(|field| !consumed.contains(&field.name.as_str()));
        Event4983 {
            record_id: raw.record_id,
            time_created: raw.time_created,
            computer: names.share(&raw.computer),
            provider: names.share(&raw.provider),
            version: raw.version,
            recovered: raw.recovered,
            local_key_mod_port,
            remote_key_mod_port,
            qm_filter_id,
            texts: pack_texts(&texts, others, Some(names.values())),
        }
    }

    /// Returns `LocalEMPrincipalName`.
    pub fn local_em_principal_name(&self) -> Option<&str> {
        self.text(0)
    }

    /// Returns `LocalEMCertHash`, the local certificate's thumbprint.
    pub fn local_em_cert_hash(&self) -> Option<&str> {
        self.text(1)
    }

    /// Returns `LocalEMIssuingCA`.
    pub fn local_em_issuing_ca(&self) -> Option<&str> {
        self.text(2)
    }

    /// Returns `LocalEMRootCA`.
    pub fn local_em_root_ca(&self) -> Option<&str> {
        self.text(3)
    }

    /// Returns `RemoteEMPrincipalName`.
    pub fn remote_em_principal_name(&self) -> Option<&str> {
        self.text(4)
    }

    /// Returns `RemoteEMCertHash`, the remote certificate's thumbprint.
    pub fn remote_em_cert_hash(&self) -> Option<&str> {
        self.text(5)
    }

    /// Returns `RemoteEMIssuingCA`.
    pub fn remote_em_issuing_ca(&self) -> Option<&str> {
        self.text(6)
    }

    /// Returns `RemoteEMRootCA`.
    pub fn remote_em_root_ca(&self) -> Option<&str> {
        self.text(7)
    }

    /// Returns `LocalAddress`.
    pub fn local_address(&self) -> Option<&str> {
        self.text(8)
    }

    /// Returns `LocalKeyModPort`. The text of a value that is not a UInt32 is copied.
    pub fn local_key_mod_port(&self) -> Option<Number<u32>> {
        owned_number(self.local_key_mod_port, self.text(LOCAL_KEY_MOD_PORT))
    }

    /// Returns `RemoteAddress`.
    pub fn remote_address(&self) -> Option<&str> {
        self.text(10)
    }

    /// Returns `RemoteKeyModPort`. The text of a value that is not a UInt32 is copied.
    pub fn remote_key_mod_port(&self) -> Option<Number<u32>> {
        owned_number(self.remote_key_mod_port, self.text(REMOTE_KEY_MOD_PORT))
    }

    /// Returns `FailurePoint`, a `%%8199`/`%%8200` code as stored;
    /// [`Event4983::failure_point_text`] gives words.
    pub fn failure_point(&self) -> Option<&str> {
        self.text(12)
    }

    /// Returns `FailureReason`.
    pub fn failure_reason(&self) -> Option<&str> {
        self.text(13)
    }

    /// Returns `State`, a `%%8218`..`%%8221` code as stored.
    pub fn state(&self) -> Option<&str> {
        self.text(14)
    }

    /// Returns `Role`, a `%%8205`/`%%8206` code as stored.
    pub fn role(&self) -> Option<&str> {
        self.text(15)
    }

    /// Returns `EMImpersonationState`, a `%%8216`/`%%8217` code as stored.
    pub fn em_impersonation_state(&self) -> Option<&str> {
        self.text(16)
    }

    /// Returns `QMFilterID`. The text of a value that is not a UInt64 is copied.
    pub fn qm_filter_id(&self) -> Option<Number<u64>> {
        owned_number(self.qm_filter_id, self.text(QM_FILTER_ID))
    }

    /// Returns the EventData elements beyond the 18 known ones, such as from a later event
    /// version, copied out of the packed block.
    pub fn other_fields(&self) -> Vec<DataField> {
        (0..self.texts.other_len())
            .map(|index| {
                let (tagged, value) = self.texts.other_field(index);
                let (kind, name) = tagged.split_at(1);
                DataField {
                    name: name.to_owned(),
                    value: field_value(kind, value),
                }
            })
            .collect()
    }

    /// Returns the value of each field beyond the 18 as Event Viewer shows it, a Null value
    /// as empty text, without copying.
    pub fn other_values(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.texts.other_len()).map(|index| self.texts.other_field(index).1.unwrap_or(""))
    }

    /// Returns the EventData value at manifest `position` (0 for `%1`), or `Null` past the 18th.
    pub fn data_cell(&self, position: usize) -> DataCell<'_> {
        let number = match position {
            LOCAL_KEY_MOD_PORT => self.local_key_mod_port.map(u64::from),
            REMOTE_KEY_MOD_PORT => self.remote_key_mod_port.map(u64::from),
            QM_FILTER_ID => self.qm_filter_id,
            _ => None,
        };
        match (number, self.text(position)) {
            (Some(number), _) => DataCell::Number(number),
            (None, Some(text)) => DataCell::Text(text),
            (None, None) => DataCell::Null,
        }
    }

    /// Returns the 18 EventData values in manifest order, paired with [`FIELDS_4983`].
    pub fn data_cells(&self) -> [DataCell<'_>; 18] {
        std::array::from_fn(|position| self.data_cell(position))
    }

    /// Returns the words for `FailurePoint`, or the stored value when it is no known code.
    pub fn failure_point_text(&self) -> Option<&str> {
        self.failure_point().map(code_text)
    }

    /// Returns the words for `State`, or the stored value when it is no known code.
    pub fn state_text(&self) -> Option<&str> {
        self.state().map(code_text)
    }

    /// Returns the words for `Role`, or the stored value when it is no known code.
    pub fn role_text(&self) -> Option<&str> {
        self.role().map(code_text)
    }

    /// Returns the words for `EMImpersonationState`, or the stored value when it is no known
    /// code.
    pub fn em_impersonation_state_text(&self) -> Option<&str> {
        self.em_impersonation_state().map(code_text)
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

    /// Replaces the value of EventData field `name` as if the record had stored `value` as
    /// text, repacking every value.
    ///
    /// # Panics
    ///
    /// When `name` is not in [`FIELDS_4983`].
    #[cfg(test)]
    pub(crate) fn set_value(&mut self, name: &str, value: Option<&str>) {
        let position = FIELDS_4983
            .iter()
            .position(|field| *field == name)
            .unwrap_or_else(|| panic!("{name} is not a field of event 4983"));
        let mut texts: [Option<Cow<str>>; 18] =
            std::array::from_fn(|index| self.text(index).map(Cow::Borrowed));
        texts[position] = value.map(Cow::Borrowed);
        let typed = value.map(|value| FieldValue::Text(value.to_owned()));
        let mut numbers = (
            self.local_key_mod_port,
            self.remote_key_mod_port,
            self.qm_filter_id,
        );
        match position {
            LOCAL_KEY_MOD_PORT => {
                (numbers.0, texts[position]) = split_number(read_number(typed.as_ref()));
            }
            REMOTE_KEY_MOD_PORT => {
                (numbers.1, texts[position]) = split_number(read_number(typed.as_ref()));
            }
            QM_FILTER_ID => {
                (numbers.2, texts[position]) = split_number(read_number(typed.as_ref()));
            }
            _ => {}
        }
        let others = self.other_fields();
        let packed = pack_texts(&texts, &others, None);
        (
            self.local_key_mod_port,
            self.remote_key_mod_port,
            self.qm_filter_id,
        ) = numbers;
        self.texts = packed;
    }

    /// Reads the text at manifest `position`. A default event has no values.
    fn text(&self, position: usize) -> Option<&str> {
        if position < self.texts.named_len() {
            self.texts.named_value(position)
        } else {
            None
        }
    }
}

/// Shows the values by their EventData names rather than the packed block.
impl fmt::Debug for Event4983 {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = formatter.debug_struct("Event4983");
        debug
            .field("record_id", &self.record_id)
            .field("time_created", &self.time_created)
            .field("computer", &self.computer)
            .field("provider", &self.provider)
            .field("version", &self.version)
            .field("recovered", &self.recovered);
        for (name, cell) in FIELDS_4983.iter().zip(self.data_cells()) {
            debug.field(name, &cell);
        }
        debug.field("other_fields", &self.other_fields()).finish()
    }
}

/// Packs the 18 values in manifest order, then the fields beyond them, sharing the texts
/// worth it through `shared` when given.
fn pack_texts<'a>(
    texts: &[Option<Cow<str>>; 18],
    others: impl IntoIterator<Item = &'a DataField>,
    shared: Option<&Arc<SharedValues>>,
) -> PackedTexts {
    let others: Vec<&DataField> = others.into_iter().collect();
    let mut builder = PackedTextsBuilder::with_capacity(texts.len() + 2 * others.len());
    if let Some(shared) = shared {
        builder = builder.sharing(shared);
    }
    let named_bytes: usize = texts.iter().flatten().map(|text| text.len()).sum();
    let other_bytes: usize = others
        .iter()
        .map(|field| 1 + field.name.len() + value_len(&field.value))
        .sum();
    builder.reserve_text(named_bytes + other_bytes);
    for text in texts {
        builder.push_named(text.as_deref());
    }
    let mut name = String::new();
    for field in others {
        name.clear();
        name.push(kind_tag(&field.value));
        name.push_str(&field.name);
        builder.push_other(&name, value_text(&field.value).as_deref());
    }
    builder.finish()
}

/// Returns the maximum length of a value's text. A number gets 20 bytes, the longest text of
/// a u64 or an i64.
fn value_len(value: &FieldValue) -> usize {
    match value {
        FieldValue::Null => 0,
        FieldValue::Text(text) | FieldValue::Other(text) => text.len(),
        FieldValue::Unsigned(_) | FieldValue::Signed(_) => 20,
    }
}

/// Returns the letter that leads a packed field name and records the kind of its value, so
/// the field serializes as it was stored (`{"Unsigned":7}`, not `{"Text":"7"}`).
fn kind_tag(value: &FieldValue) -> char {
    match value {
        FieldValue::Null => 'N',
        FieldValue::Text(_) => 'T',
        FieldValue::Unsigned(_) => 'U',
        FieldValue::Signed(_) => 'S',
        FieldValue::Other(_) => 'O',
    }
}

/// Rebuilds a value from its [`kind_tag`] and packed text.
fn field_value(kind: &str, text: Option<&str>) -> FieldValue {
    let Some(text) = text else {
        return FieldValue::Null;
    };
    match kind {
        "U" => FieldValue::Unsigned(text.parse().expect("an Unsigned value is packed as digits")),
        "S" => FieldValue::Signed(text.parse().expect("a Signed value is packed as digits")),
        "O" => FieldValue::Other(text.to_owned()),
        _ => FieldValue::Text(text.to_owned()),
    }
}

/// Reads a value as text, borrowing stored text. A Null value gives `None`.
fn value_text(value: &FieldValue) -> Option<Cow<'_, str>> {
    match value {
        FieldValue::Null => None,
        FieldValue::Text(text) | FieldValue::Other(text) => Some(Cow::Borrowed(text)),
        other => Some(Cow::Owned(other.to_text())),
    }
}

/// Splits a numeric value into the number that fits its type and the text that does not.
fn split_number<T>(number: Option<Number<T>>) -> (Option<T>, Option<Cow<'static, str>>) {
    match number {
        None => (None, None),
        Some(Number::Value(value)) => (Some(value), None),
        Some(Number::Invalid(text)) => (None, Some(Cow::Owned(text))),
    }
}

fn owned_number<T>(value: Option<T>, text: Option<&str>) -> Option<Number<T>> {
    match (value, text) {
        (Some(value), _) => Some(Number::Value(value)),
        (None, Some(text)) => Some(Number::Invalid(text.to_owned())),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::{
        named, raw_4983, raw_4983_unusual, raw_event, values_4983, SAMPLE_TIME,
    };
    use crate::scan::FieldValue;

    #[test]
    fn from_raw_reads_named_fields() {
        let event = Event4983::from_raw(&raw_4983(77));

        assert_eq!(event.record_id, 77);
        assert_eq!(event.time_created, SAMPLE_TIME);
        assert_eq!(&*event.computer, "host1.contoso.com");
        assert_eq!(event.local_em_principal_name(), Some("CONTOSO\\host1$"));
        assert_eq!(event.remote_em_root_ca(), Some("CN=Fabrikam Root CA"));
        assert_eq!(event.local_address(), Some("10.0.0.1"));
        assert_eq!(event.local_key_mod_port(), Some(Number::Value(500)));
        assert_eq!(event.remote_key_mod_port(), Some(Number::Value(4500)));
        assert_eq!(event.failure_point(), Some("%%8199"));
        assert_eq!(event.failure_reason(), Some("No policy configured"));
        assert_eq!(event.qm_filter_id(), Some(Number::Value(u64::MAX)));
        assert!(event.other_fields().is_empty());
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
        event.set_value("FailurePoint", Some("%%9999"));
        event.set_value("Role", Some("Initiator"));
        event.set_value("State", None);

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

        assert_eq!(event.remote_address(), None);
        assert_eq!(event.local_em_principal_name(), None);
        assert_eq!(event.local_key_mod_port(), None);
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

        assert_eq!(event.local_key_mod_port(), Some(Number::Value(4500)));
        assert_eq!(
            event.remote_key_mod_port(),
            Some(Number::Invalid("70000000000".into()))
        );
        assert_eq!(event.qm_filter_id(), Some(Number::Invalid("0x10".into())));
        assert_eq!(event.data_cells()[11], DataCell::Text("70000000000"));
        assert_eq!(event.data_cells()[17], DataCell::Text("0x10"));
    }

    #[test]
    fn strings_stay_exactly_as_stored() {
        let mut raw = raw_4983(9);
        raw.data[13].value = FieldValue::Text("  spaced\r\n\u{202e}txt  ".into());
        raw.data[8].value = FieldValue::Text(String::new());

        let event = Event4983::from_raw(&raw);

        assert_eq!(event.failure_reason(), Some("  spaced\r\n\u{202e}txt  "));
        assert_eq!(event.local_address(), Some(""));
    }

    #[test]
    fn extra_fields_are_kept() {
        let mut raw = raw_4983(9);
        raw.data.push(DataField {
            name: "NewField".into(),
            value: FieldValue::Text("x".into()),
        });

        let event = Event4983::from_raw(&raw);

        assert_eq!(event.other_fields().len(), 1);
        assert_eq!(event.other_fields()[0].name, "NewField");
        assert_eq!(event.other_values().collect::<Vec<_>>(), ["x"]);
    }

    #[test]
    fn extra_fields_keep_value_kinds() {
        let event = Event4983::from_raw(&raw_4983_unusual());

        let others = event.other_fields();
        let values: Vec<&str> = event.other_values().collect();

        assert_eq!(others, raw_4983_unusual().data[17..]);
        assert_eq!(values, ["", "7", "7", "-7", "[true,1.5]", ""]);
        assert_eq!(event.remote_em_principal_name(), None);
        assert_eq!(event.local_em_root_ca(), None);
        assert_eq!(
            event.remote_key_mod_port(),
            Some(Number::Invalid("0x1f4".into()))
        );
        assert_eq!(event.data_cell(11), DataCell::Text("0x1f4"));
    }

    #[test]
    fn set_value_repacks_one_value() {
        let mut event = Event4983::from_raw(&raw_4983_unusual());

        event.set_value("QMFilterID", Some("42"));
        event.set_value("LocalKeyModPort", Some("port"));
        event.set_value("FailureReason", None);

        assert_eq!(event.qm_filter_id(), Some(Number::Value(42)));
        assert_eq!(
            event.local_key_mod_port(),
            Some(Number::Invalid("port".into()))
        );
        assert_eq!(event.failure_reason(), None);
        assert_eq!(event.local_address(), Some("10.0.0.1"));
        assert_eq!(event.other_fields(), raw_4983_unusual().data[17..]);
    }

    #[test]
    fn default_event_has_no_values() {
        let event = Event4983::default();

        assert_eq!(event.data_cells(), [DataCell::Null; 18]);
        assert!(event.other_fields().is_empty());
    }
}
