//! Finding EventData values by name or, in records without names, by position.

use crate::scan::{DataField, FieldValue, RawEvent};

/// Finds the field called `name`, or else the unnamed field at manifest `position`.
pub(crate) fn find_field<'a>(
    raw: &'a RawEvent,
    name: &str,
    position: usize,
) -> Option<&'a DataField> {
    raw.data
        .iter()
        .find(|field| field.name == name)
        .or_else(|| {
            let positional = format!("Data{}", position + 1);
            raw.data.iter().find(|field| field.name == positional)
        })
}

/// Reads a text field: a missing or Null value is `None`, anything else its text as stored.
pub(crate) fn read_text(value: Option<&FieldValue>) -> Option<String> {
    match value {
        None | Some(FieldValue::Null) => None,
        Some(other) => Some(other.to_text()),
    }
}
