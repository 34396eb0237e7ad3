//! A record of interest as the scan found it: its System facts and its EventData, untyped.

use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};

/// One value of an EventData `<Data>` element, with the kind the log stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FieldValue {
    /// The element rendered as JSON null.
    // NOTE: evtx 0.15 renders a NullType substitution as "", so such values arrive as
    // `Text("")`, not as `Null`.
    Null,
    Text(String),
    Unsigned(u64),
    Signed(i64),
    /// Booleans, floats, arrays and other shapes, rendered as JSON text.
    Other(String),
}

impl FieldValue {
    /// The value as text, as Event Viewer would show it; `Null` gives an empty string.
    pub fn to_text(&self) -> String {
        match self {
            FieldValue::Null => String::new(),
            FieldValue::Text(text) | FieldValue::Other(text) => text.clone(),
            FieldValue::Unsigned(number) => number.to_string(),
            FieldValue::Signed(number) => number.to_string(),
        }
    }

    /// The value as an unsigned number, when it is one or is text holding only one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            FieldValue::Unsigned(number) => Some(*number),
            FieldValue::Signed(number) => u64::try_from(*number).ok(),
            FieldValue::Text(text) => text.trim().parse().ok(),
            _ => None,
        }
    }
}

/// A named EventData element. Unnamed `<Data>` elements get the name `Data1`, `Data2`, ….
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataField {
    pub name: String,
    pub value: FieldValue,
}

/// A record whose EventID and provider the scan was asked to keep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawEvent {
    pub event_id: u32,
    /// `System/Version`; 0 when absent.
    pub version: u8,
    pub record_id: u64,
    pub time_created: FileTime,
    pub provider: String,
    pub computer: String,
    pub data: Vec<DataField>,
    /// Read from a chunk whose checksum failed, or carved from slack space.
    pub recovered: bool,
}

impl RawEvent {
    /// The value of the EventData element called `name`, if the record has one.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.data
            .iter()
            .find(|field| field.name == name)
            .map(|field| &field.value)
    }
}
