//! Any event of the IPsec family, with its EventData as named text and decoded codes.

use super::codes::expand_codes;
use super::family::{fields_for, FieldSpec};
use super::lookup::{find_field, read_text};
use super::packed_texts::{PackedTexts, PackedTextsBuilder};
use super::render::render_message;
use super::shared_names::SharedNames;
use crate::filetime::FileTime;
use crate::scan::RawEvent;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

/// One EventData field of an IPsec event, borrowed from the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpsecField<'a> {
    /// The manifest name, or the name the record gave when it is not in the manifest list.
    pub name: &'a str,
    /// The value as stored, numbers as decimal text; `None` when missing or Null.
    pub value: Option<&'a str>,
}

impl<'a> IpsecField<'a> {
    /// Returns the value with `%%NNNN` codes replaced by words, only when that changes it.
    ///
    /// The words are computed on each call rather than stored, because the page keeps
    /// every event and reads the words only to show or export one.
    pub fn words(&self) -> Option<String> {
        let value = self.value.filter(|value| value.contains("%%"))?;
        let expanded = expand_codes(value);
        (expanded != value).then_some(expanded)
    }

    /// Returns the value as Event Viewer shows it, which is the words when it contains codes.
    pub fn shown(&self) -> Option<Cow<'a, str>> {
        match self.words() {
            Some(words) => Some(Cow::Owned(words)),
            None => self.value.map(Cow::Borrowed),
        }
    }
}

/// Serializes `name`, `value` and `words`, the shape that exports and saved reports have.
impl Serialize for IpsecField<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut field = serializer.serialize_struct("IpsecField", 3)?;
        field.serialize_field("name", self.name)?;
        field.serialize_field("value", &self.value)?;
        field.serialize_field("words", &self.words())?;
        field.end()
    }
}

/// An IPsec event of any ID, untyped beyond text.
///
/// Its fields are packed into one heap block, since the page keeps every decoded event.
/// [`IpsecEvent::fields`] reads them back.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "StoredEvent")]
pub struct IpsecEvent {
    pub event_id: u32,
    pub version: u8,
    pub record_id: u64,
    pub time_created: FileTime,
    /// Shared with the other events of the file that name the same computer.
    pub computer: Arc<str>,
    pub provider: Arc<str>,
    pub recovered: bool,
    /// The values of the first `named_len` fields of the manifest list of `event_id` and
    /// `version`, then the fields beyond them with their names.
    texts: PackedTexts,
}

impl IpsecEvent {
    /// Names the EventData of a raw record by the manifest list of its event ID and version.
    /// Unnamed `Data1`, `Data2`, … elements are taken by position.
    pub fn from_raw(raw: &RawEvent) -> IpsecEvent {
        IpsecEvent::from_raw_sharing(raw, &mut SharedNames::default())
    }

    /// Names the EventData of a raw record as [`IpsecEvent::from_raw`] does, taking the
    /// computer and provider names from `names`.
    pub fn from_raw_sharing(raw: &RawEvent, names: &mut SharedNames) -> IpsecEvent {
        let specs = fields_for(raw.event_id, raw.version).unwrap_or(&[]);
        let mut consumed: Vec<&str> = Vec::new();
        let mut texts = PackedTextsBuilder::with_capacity(specs.len().max(raw.data.len()))
            .sharing(names.values());
        for (position, spec) in specs.iter().enumerate() {
            let found = find_field(raw, spec.name, position);
            if let Some(found) = found {
                consumed.push(&found.name);
            }
            texts.push_named(read_text(found.map(|f| &f.value)).as_deref());
        }
        for extra in &raw.data {
            if !consumed.contains(&extra.name.as_str()) {
                texts.push_other(&extra.name, read_text(Some(&extra.value)).as_deref());
            }
        }
        IpsecEvent {
            event_id: raw.event_id,
            version: raw.version,
            record_id: raw.record_id,
            time_created: raw.time_created,
            computer: names.share(&raw.computer),
            provider: names.share(&raw.provider),
            recovered: raw.recovered,
            texts: texts.finish(),
        }
    }

    /// Returns the fields: the manifest's in its order (insertion string `%{i+1}` is field
    /// `i`), then any the record has beyond them. Without a manifest list, the record's own
    /// order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = IpsecField<'_>> + '_ {
        let specs = self.manifest();
        let count = self.texts.named_len() + self.texts.other_len();
        (0..count).map(move |index| self.field_at(specs, index))
    }

    /// Returns the field called `name`, if the event has one.
    pub fn field(&self, name: &str) -> Option<IpsecField<'_>> {
        self.fields().find(|field| field.name == name)
    }

    /// Renders the event's message as Event Viewer shows it.
    pub fn message(&self) -> String {
        let fields: Vec<IpsecField> = self.fields().collect();
        render_message(self.event_id, &fields)
    }

    fn manifest(&self) -> &'static [FieldSpec] {
        fields_for(self.event_id, self.version).unwrap_or(&[])
    }

    fn field_at<'a>(&'a self, specs: &'static [FieldSpec], index: usize) -> IpsecField<'a> {
        let named = self.texts.named_len();
        if index < named {
            return IpsecField {
                name: specs[index].name,
                value: self.texts.named_value(index),
            };
        }
        let (name, value) = self.texts.other_field(index - named);
        IpsecField { name, value }
    }
}

/// Serializes `fields` as a list of `name`, `value` and `words`, not in the packed form, so
/// exports and saved reports keep their shape.
impl Serialize for IpsecEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut event = serializer.serialize_struct("IpsecEvent", 8)?;
        event.serialize_field("event_id", &self.event_id)?;
        event.serialize_field("version", &self.version)?;
        event.serialize_field("record_id", &self.record_id)?;
        event.serialize_field("time_created", &self.time_created)?;
        event.serialize_field("computer", &self.computer)?;
        event.serialize_field("provider", &self.provider)?;
        event.serialize_field("recovered", &self.recovered)?;
        event.serialize_field("fields", &FieldList(self))?;
        event.end()
    }
}

struct FieldList<'a>(&'a IpsecEvent);

impl Serialize for FieldList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = self.0.fields();
        let mut list = serializer.serialize_seq(Some(fields.len()))?;
        for field in fields {
            list.serialize_element(&field)?;
        }
        list.end()
    }
}

/// The serialized form of [`IpsecEvent`]. A field's `words` are ignored, because they
/// follow from its value.
#[derive(Deserialize)]
struct StoredEvent {
    event_id: u32,
    version: u8,
    record_id: u64,
    time_created: FileTime,
    computer: Arc<str>,
    provider: Arc<str>,
    recovered: bool,
    fields: Vec<StoredField>,
}

#[derive(Deserialize)]
struct StoredField {
    name: String,
    value: Option<String>,
}

impl From<StoredEvent> for IpsecEvent {
    /// Packs the leading fields that carry the manifest's names in its order as manifest
    /// values, and keeps every later field with its name, so the fields read back the same.
    fn from(stored: StoredEvent) -> IpsecEvent {
        let specs = fields_for(stored.event_id, stored.version).unwrap_or(&[]);
        let named = stored
            .fields
            .iter()
            .zip(specs)
            .take_while(|(field, spec)| field.name == spec.name)
            .count();
        let mut texts = PackedTextsBuilder::with_capacity(stored.fields.len());
        for field in &stored.fields[..named] {
            texts.push_named(field.value.as_deref());
        }
        for field in &stored.fields[named..] {
            texts.push_other(&field.name, field.value.as_deref());
        }
        IpsecEvent {
            event_id: stored.event_id,
            version: stored.version,
            record_id: stored.record_id,
            time_created: stored.time_created,
            computer: stored.computer,
            provider: stored.provider,
            recovered: stored.recovered,
            texts: texts.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::{named, raw_event};
    use crate::scan::FieldValue;

    fn text(value: &str) -> FieldValue {
        FieldValue::Text(value.to_owned())
    }

    #[test]
    fn from_raw_orders_fields_by_manifest() {
        let data = named(
            &["KeyModName", "LocalAddress", "RemoteAddress"],
            vec![text("%%8223"), text("10.0.0.1"), text("10.0.0.2")],
        );
        let event = IpsecEvent::from_raw(&raw_event(4976, 12, data));
        let fields: Vec<IpsecField> = event.fields().collect();

        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["LocalAddress", "RemoteAddress", "KeyModName"]);
        assert_eq!(fields[2].value, Some("%%8223"));
        assert_eq!(fields[2].words().as_deref(), Some("AuthIP"));
        assert_eq!(fields[2].shown().as_deref(), Some("AuthIP"));
        assert_eq!(fields[0].words(), None);
        assert_eq!(fields[0].shown().as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn from_raw_fills_missing_and_keeps_extra() {
        let data = named(
            &["RemoteAddress", "Unexpected"],
            vec![text("10.0.0.2"), FieldValue::Unsigned(7)],
        );
        let event = IpsecEvent::from_raw(&raw_event(4960, 1, data));

        assert_eq!(event.fields().len(), 3);
        assert_eq!(event.field("SPI").unwrap().value, None);
        assert_eq!(event.field("Unexpected").unwrap().value, Some("7"));
    }

    #[test]
    fn from_raw_names_positional_fields() {
        let data = named(
            &["Data1", "Data2"],
            vec![text("10.0.0.2"), FieldValue::Unsigned(4096)],
        );
        let event = IpsecEvent::from_raw(&raw_event(4961, 1, data));

        assert_eq!(
            event.field("RemoteAddress").unwrap().value,
            Some("10.0.0.2")
        );
        assert_eq!(event.field("SPI").unwrap().value, Some("4096"));
        assert_eq!(event.fields().len(), 2);
    }

    #[test]
    fn unknown_event_keeps_record_order() {
        let data = named(&["B", "A"], vec![text("%%9999"), FieldValue::Null]);
        let event = IpsecEvent::from_raw(&raw_event(5481, 1, data));
        let fields: Vec<IpsecField> = event.fields().collect();

        assert_eq!(fields[0].name, "B");
        assert_eq!(fields[0].words(), None);
        assert_eq!(fields[1].value, None);
        assert_eq!(
            event.message(),
            "Event 5481 has no known message.\nB: %%9999\nA: "
        );
    }

    #[test]
    fn message_of_4976() {
        let data = named(
            &["LocalAddress", "RemoteAddress", "KeyModName"],
            vec![text("10.0.0.1"), text("10.0.0.2"), text("%%8222")],
        );
        let event = IpsecEvent::from_raw(&raw_event(4976, 1, data));

        assert!(event.message().ends_with(
            "this negotiation.\n\nLocal Network Address:\t10.0.0.1\n\
             Remote Network Address:\t10.0.0.2\nKeying Module Name:\tIKEv1"
        ));
    }

    /// The JSON of an event, in the shape that exports and saved reports have.
    const STORED_4976: &str = "{\"event_id\":4976,\"version\":0,\"record_id\":3,\
        \"time_created\":133590404961234567,\"computer\":\"host1.contoso.com\",\
        \"provider\":\"Microsoft-Windows-Security-Auditing\",\"recovered\":false,\
        \"fields\":[{\"name\":\"LocalAddress\",\"value\":\"10.0.0.1\",\"words\":null},\
        {\"name\":\"RemoteAddress\",\"value\":null,\"words\":null},\
        {\"name\":\"KeyModName\",\"value\":\"%%8222 or %%9999\",\
        \"words\":\"IKEv1 or %%9999\"},\
        {\"name\":\"Unexpected\",\"value\":\"7\",\"words\":null}]}";

    fn sample_4976() -> IpsecEvent {
        let data = named(
            &["LocalAddress", "KeyModName", "Unexpected"],
            vec![
                text("10.0.0.1"),
                text("%%8222 or %%9999"),
                FieldValue::Unsigned(7),
            ],
        );
        IpsecEvent::from_raw(&raw_event(4976, 3, data))
    }

    #[test]
    fn serializes_in_stored_shape() {
        let json = serde_json::to_string(&sample_4976()).unwrap();

        assert_eq!(json, STORED_4976);
    }

    #[test]
    fn deserializes_stored_shape() {
        let back: IpsecEvent = serde_json::from_str(STORED_4976).unwrap();

        assert_eq!(back, sample_4976());
    }

    #[test]
    fn fields_out_of_manifest_order_round_trip() {
        let stored = STORED_4976.replace("\"LocalAddress\"", "\"Other\"");

        let back: IpsecEvent = serde_json::from_str(&stored).unwrap();

        let names: Vec<&str> = back.fields().map(|f| f.name).collect();
        assert_eq!(
            names,
            ["Other", "RemoteAddress", "KeyModName", "Unexpected"]
        );
        assert_eq!(back.field("Other").unwrap().value, Some("10.0.0.1"));
        assert_eq!(serde_json::to_string(&back).unwrap(), stored);
    }
}
