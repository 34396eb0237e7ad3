//! Any event of the IPsec family, with its EventData as named text and decoded codes.

use super::codes::expand_codes;
use super::family::fields_for;
use super::lookup::{find_field, read_text};
use super::render::render_message;
use crate::filetime::FileTime;
use crate::scan::RawEvent;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One EventData field of an IPsec event.
///
/// The page keeps every decoded event, so fields are kept small. A manifest name borrows
/// the static field list, and the texts are boxed strings without spare capacity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpsecField {
    /// The manifest name, or the name the record gave when it is not in the manifest list.
    pub name: Cow<'static, str>,
    /// The value as stored, numbers as decimal text; `None` when missing or Null.
    pub value: Option<Box<str>>,
    /// The value with `%%NNNN` codes replaced by words, present only when that changed it.
    pub words: Option<Box<str>>,
}

impl IpsecField {
    /// Returns the value as Event Viewer shows it, which is the words when it contains codes.
    pub fn shown(&self) -> Option<&str> {
        self.words.as_deref().or(self.value.as_deref())
    }
}

/// An IPsec event of any ID, untyped beyond text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpsecEvent {
    pub event_id: u32,
    pub version: u8,
    pub record_id: u64,
    pub time_created: FileTime,
    pub computer: String,
    pub provider: String,
    pub recovered: bool,
    /// The manifest's fields in its order (insertion string `%{i+1}` is field `i`), then any
    /// fields the record has beyond them. Without a manifest list, the record's own order.
    pub fields: Vec<IpsecField>,
}

impl IpsecEvent {
    /// Names the EventData of a raw record by the manifest list of its event ID and version.
    /// Unnamed `Data1`, `Data2`, … elements are taken by position.
    pub fn from_raw(raw: &RawEvent) -> IpsecEvent {
        let specs = fields_for(raw.event_id, raw.version).unwrap_or(&[]);
        let mut consumed: Vec<&str> = Vec::new();
        let mut fields: Vec<IpsecField> = Vec::with_capacity(specs.len().max(raw.data.len()));
        for (position, spec) in specs.iter().enumerate() {
            let found = find_field(raw, spec.name, position);
            if let Some(found) = found {
                consumed.push(&found.name);
            }
            let name = Cow::Borrowed(spec.name);
            fields.push(field(name, read_text(found.map(|f| &f.value))));
        }
        for extra in &raw.data {
            if !consumed.contains(&extra.name.as_str()) {
                let name = Cow::Owned(extra.name.clone());
                fields.push(field(name, read_text(Some(&extra.value))));
            }
        }
        IpsecEvent {
            event_id: raw.event_id,
            version: raw.version,
            record_id: raw.record_id,
            time_created: raw.time_created,
            computer: raw.computer.clone(),
            provider: raw.provider.clone(),
            recovered: raw.recovered,
            fields,
        }
    }

    /// Returns the field called `name`, if the event has one.
    pub fn field(&self, name: &str) -> Option<&IpsecField> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Renders the event's message as Event Viewer shows it.
    pub fn message(&self) -> String {
        render_message(self.event_id, &self.fields)
    }
}

fn field(name: Cow<'static, str>, value: Option<String>) -> IpsecField {
    let words = value
        .as_deref()
        .filter(|text| text.contains("%%"))
        .map(expand_codes)
        .filter(|expanded| Some(expanded.as_str()) != value.as_deref());
    IpsecField {
        name,
        value: value.map(String::into_boxed_str),
        words: words.map(String::into_boxed_str),
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

        let names: Vec<&str> = event.fields.iter().map(|f| &*f.name).collect();
        assert_eq!(names, ["LocalAddress", "RemoteAddress", "KeyModName"]);
        assert_eq!(event.fields[2].value.as_deref(), Some("%%8223"));
        assert_eq!(event.fields[2].words.as_deref(), Some("AuthIP"));
        assert_eq!(event.fields[0].words, None);
        assert_eq!(event.fields[0].shown(), Some("10.0.0.1"));
    }

    #[test]
    fn from_raw_fills_missing_and_keeps_extra() {
        let data = named(
            &["RemoteAddress", "Unexpected"],
            vec![text("10.0.0.2"), FieldValue::Unsigned(7)],
        );
        let event = IpsecEvent::from_raw(&raw_event(4960, 1, data));

        assert_eq!(event.fields.len(), 3);
        assert_eq!(event.field("SPI").unwrap().value, None);
        assert_eq!(
            event.field("Unexpected").unwrap().value.as_deref(),
            Some("7")
        );
    }

    #[test]
    fn from_raw_names_positional_fields() {
        let data = named(
            &["Data1", "Data2"],
            vec![text("10.0.0.2"), FieldValue::Unsigned(4096)],
        );
        let event = IpsecEvent::from_raw(&raw_event(4961, 1, data));

        assert_eq!(
            event.field("RemoteAddress").unwrap().value.as_deref(),
            Some("10.0.0.2")
        );
        assert_eq!(event.field("SPI").unwrap().value.as_deref(), Some("4096"));
        assert_eq!(event.fields.len(), 2);
    }

    #[test]
    fn unknown_event_keeps_record_order() {
        let data = named(&["B", "A"], vec![text("%%9999"), FieldValue::Null]);
        let event = IpsecEvent::from_raw(&raw_event(5481, 1, data));

        assert_eq!(event.fields[0].name, "B");
        assert_eq!(event.fields[0].words, None);
        assert_eq!(event.fields[1].value, None);
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
}
