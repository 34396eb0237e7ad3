//! Reads the System facts and EventData of a record from the evtx crate's JSON rendering.
//!
//! The crate renders an element with attributes as `{"#attributes": {...}, "#text": ...}`
//! and one without as its bare value, so every accessor accepts both shapes.

use super::event::{DataField, FieldValue, RawEvent};
use crate::filetime::FileTime;
use serde_json::Value;

/// The parts of `Event/System` the scan needs.
pub(crate) struct SystemFacts {
    pub event_id: Option<u32>,
    pub version: u8,
    pub provider: String,
    pub computer: String,
    pub time_created: Option<FileTime>,
}

impl SystemFacts {
    pub fn read(record: &Value) -> SystemFacts {
        let system = &record["Event"]["System"];
        SystemFacts {
            event_id: text_of(&system["EventID"])
                .and_then(as_u64)
                .and_then(|id| u32::try_from(id).ok()),
            version: text_of(&system["Version"])
                .and_then(as_u64)
                .map_or(0, |v| v as u8),
            provider: attribute(&system["Provider"], "Name").unwrap_or_default(),
            computer: text_of(&system["Computer"])
                .map(value_text)
                .unwrap_or_default(),
            time_created: attribute(&system["TimeCreated"], "SystemTime")
                .and_then(|text| FileTime::parse_iso(&text)),
        }
    }
}

pub(crate) fn to_raw_event(
    facts: SystemFacts,
    record_id: u64,
    record: &Value,
    recovered: bool,
) -> RawEvent {
    let event = &record["Event"];
    let data = match &event["EventData"] {
        Value::Null => user_data_fields(&event["UserData"]),
        event_data => event_data_fields(event_data),
    };
    RawEvent {
        event_id: facts.event_id.unwrap_or_default(),
        version: facts.version,
        record_id,
        time_created: facts.time_created.unwrap_or_default(),
        provider: facts.provider,
        computer: facts.computer,
        data,
        recovered,
    }
}

/// Named `<Data Name=...>` elements render as an object of name to value; unnamed ones as
/// `{"Data": value}` or `{"Data": [values]}`, which get positional names.
fn event_data_fields(event_data: &Value) -> Vec<DataField> {
    let Value::Object(map) = event_data else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    for (name, value) in map {
        if name == "#attributes" {
            continue;
        }
        if name == "Data" {
            let values = match text_of(value) {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(other) => vec![other],
                None => vec![],
            };
            for (position, item) in values.into_iter().enumerate() {
                fields.push(DataField {
                    name: format!("Data{}", position + 1),
                    value: field_value(item),
                });
            }
            continue;
        }
        fields.push(DataField {
            name: name.clone(),
            value: field_value(value),
        });
    }
    fields
}

/// UserData contains one provider-defined element; its children become the fields.
fn user_data_fields(user_data: &Value) -> Vec<DataField> {
    let Value::Object(map) = user_data else {
        return Vec::new();
    };
    let Some((_, Value::Object(inner))) = map.iter().find(|(name, _)| *name != "#attributes")
    else {
        return Vec::new();
    };
    inner
        .iter()
        .filter(|(name, _)| *name != "#attributes")
        .map(|(name, value)| DataField {
            name: name.clone(),
            value: field_value(value),
        })
        .collect()
}

fn field_value(value: &Value) -> FieldValue {
    match text_of(value) {
        None | Some(Value::Null) => FieldValue::Null,
        Some(Value::String(text)) => FieldValue::Text(text.clone()),
        Some(Value::Number(number)) => {
            if let Some(unsigned) = number.as_u64() {
                FieldValue::Unsigned(unsigned)
            } else if let Some(signed) = number.as_i64() {
                FieldValue::Signed(signed)
            } else {
                FieldValue::Other(number.to_string())
            }
        }
        Some(other) => FieldValue::Other(other.to_string()),
    }
}

/// The element's content: `#text` when it has attributes, else the value itself.
fn text_of(value: &Value) -> Option<&Value> {
    match value {
        Value::Null => None,
        Value::Object(map) if map.contains_key("#attributes") || map.contains_key("#text") => {
            map.get("#text")
        }
        other => Some(other),
    }
}

fn attribute(element: &Value, name: &str) -> Option<String> {
    element.get("#attributes")?.get(name).map(value_text)
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}
