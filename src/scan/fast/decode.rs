//! Decodes a record of interest from its template tree and substitution values into what
//! `json_record` would read from the evtx crate's JSON: `Provider/@Name`, `Version`,
//! `Computer` and the EventData fields.
//!
//! The rules follow the crate's JSON writer (evtx 0.15.1, `binxml/compiled.rs`): named
//! `<Data Name="...">` elements become members named after them, unnamed ones one `Data`
//! member whose values `json_record` numbers `Data1`, `Data2`, …, and an empty value is `""`
//! in a `Data` element and `null` in any other. Every shape whose rendering is not certain
//! (repeated names, dependencies inside EventData, UserData, arrays, floats, nested
//! instances in values) returns `None`, and the chunk then goes through the crate.

use super::instance::{instance_values, Templates};
use super::tree::{Attribute, Content, Element};
use super::value::{render, Rendered, Value};
use crate::scan::event::{DataField, FieldValue};

/// The facts of one record that its header walk does not read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Decoded {
    pub version: u8,
    pub provider: String,
    pub computer: String,
    pub data: Vec<DataField>,
}

/// Decodes the record whose BinXML (one template instance) is `chunk[start..end]`.
pub(crate) fn decode_record(
    chunk: &[u8],
    start: usize,
    end: usize,
    templates: &mut Templates,
) -> Option<Decoded> {
    let (definition, values) = instance_values(chunk, start, end)?;
    let root = templates.tree(chunk, definition)?;
    if !root.name.is(chunk, "Event") || !present(&root, &values)? {
        return None;
    }
    let mut decoded = Decoded::default();
    let mut system_seen = false;
    let mut data_seen = false;
    for child in &root.children {
        match child {
            Content::Element(element) => match element_kind(chunk, element) {
                EventChild::System => {
                    if std::mem::replace(&mut system_seen, true) {
                        return None;
                    }
                    if present(element, &values)? {
                        read_system(chunk, element, &values, &mut decoded)?;
                    }
                }
                EventChild::EventData => {
                    if std::mem::replace(&mut data_seen, true) {
                        return None;
                    }
                    if present(element, &values)? {
                        decoded.data = event_data(chunk, element, &values)?;
                    }
                }
                EventChild::UserData => return None,
                EventChild::Other => {}
            },
            // Windows puts EventData in a BinXML value holding a nested template instance.
            Content::Substitution(index) => match render(chunk, *values.get(*index as usize)?)? {
                Rendered::Empty => {}
                Rendered::Nested { start, end } => {
                    let (definition, nested_values) = instance_values(chunk, start, end)?;
                    let nested = templates.tree(chunk, definition)?;
                    if !nested.name.is(chunk, "EventData") || nested.dependency.is_some() {
                        return None;
                    }
                    if std::mem::replace(&mut data_seen, true) {
                        return None;
                    }
                    decoded.data = event_data(chunk, &nested, &nested_values)?;
                }
                _ => return None,
            },
            Content::Text(_) => return None,
        }
    }
    Some(decoded)
}

/// The children of `Event` the decoder reads.
enum EventChild {
    System,
    EventData,
    UserData,
    Other,
}

fn element_kind(chunk: &[u8], element: &Element) -> EventChild {
    if element.name.is(chunk, "System") {
        EventChild::System
    } else if element.name.is(chunk, "EventData") {
        EventChild::EventData
    } else if element.name.is(chunk, "UserData") {
        EventChild::UserData
    } else {
        EventChild::Other
    }
}

/// Whether `element` stays in the record: the value it depends on, if any, is not NULL.
fn present(element: &Element, values: &[Value]) -> Option<bool> {
    match element.dependency {
        None => Some(true),
        Some(index) => Some(!values.get(index as usize)?.is_null()),
    }
}

fn read_system(
    chunk: &[u8],
    system: &Element,
    values: &[Value],
    decoded: &mut Decoded,
) -> Option<()> {
    let mut seen = [false; 3];
    for child in &system.children {
        let element = match child {
            Content::Element(element) => element,
            Content::Text(_) => return None,
            Content::Substitution(index) => {
                // A nested element here could take one of the names read below.
                match render(chunk, *values.get(*index as usize)?)? {
                    Rendered::Empty => continue,
                    _ => return None,
                }
            }
        };
        let slot = if element.name.is(chunk, "Provider") {
            0
        } else if element.name.is(chunk, "Version") {
            1
        } else if element.name.is(chunk, "Computer") {
            2
        } else {
            continue;
        };
        // A repeated name gets a `_1` suffix; which one comes first is left to the crate.
        if std::mem::replace(&mut seen[slot], true) {
            return None;
        }
        if !present(element, values)? {
            continue;
        }
        match slot {
            0 => decoded.provider = provider_name(chunk, element, values)?,
            1 => decoded.version = version(content(chunk, &element.children, values)?)?,
            _ => decoded.computer = content(chunk, &element.children, values)?.into_text()?,
        }
    }
    Some(())
}

/// The `Name` attribute's text; an attribute with an empty value is left out, so it reads
/// as "" like a missing one.
fn provider_name(chunk: &[u8], provider: &Element, values: &[Value]) -> Option<String> {
    let mut names = provider
        .attributes
        .iter()
        .filter(|attribute| attribute.name.is(chunk, "Name"));
    let Some(Attribute { value, .. }) = names.next() else {
        return Some(String::new());
    };
    if names.next().is_some() {
        return None;
    }
    content(chunk, value, values)?.into_text()
}

/// `json_record` reads `Version` as an unsigned number, or text holding one, cut to 8 bits;
/// anything else is 0.
fn version(rendered: Rendered) -> Option<u8> {
    let number = match rendered {
        Rendered::Unsigned(number) => Some(number),
        Rendered::Text(text) => text.trim().parse::<u64>().ok(),
        Rendered::Empty | Rendered::Signed(_) | Rendered::Bool(_) => None,
        Rendered::Nested { .. } => return None,
    };
    Some(number.map_or(0, |number| number as u8))
}

/// The value of an element's content or an attribute's value: nothing, one literal text or
/// one substitution. Mixed content is left to the crate.
fn content(chunk: &[u8], nodes: &[Content], values: &[Value]) -> Option<Rendered> {
    match nodes {
        [] => Some(Rendered::Empty),
        [Content::Text(text)] if text.is_empty() => Some(Rendered::Empty),
        [Content::Text(text)] => Some(Rendered::Text(text.decode(chunk)?)),
        [Content::Substitution(index)] => match render(chunk, *values.get(*index as usize)?)? {
            Rendered::Nested { .. } => None,
            rendered => Some(rendered),
        },
        _ => None,
    }
}

/// How the EventData container names its `Data` children.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DataForm {
    /// No `Data` child.
    None,
    /// Every `Data` has a literal, non-empty `Name`.
    Named,
    /// No `Data` has a `Name`: they become one `Data` member, numbered by `json_record`.
    Positional,
}

fn event_data(chunk: &[u8], container: &Element, values: &[Value]) -> Option<Vec<DataField>> {
    if !container.attributes.is_empty() {
        return None;
    }
    let form = data_form(chunk, container)?;
    let mut fields = Vec::with_capacity(container.children.len());
    let mut positional_written = false;
    for child in &container.children {
        let Content::Element(element) = child else {
            return None;
        };
        if !element.name.is(chunk, "Data") {
            if element.name.starts_with(chunk, b'#') || !element.attributes.is_empty() {
                return None;
            }
            // A non-Data leaf writes `null` when empty, which `json_record` reads as Null.
            let value = match leaf_value(chunk, element, values)? {
                Rendered::Empty => FieldValue::Null,
                rendered => field_value(rendered)?,
            };
            fields.push(DataField {
                name: element.name.decode(chunk)?,
                value,
            });
            continue;
        }
        match form {
            DataForm::Named => {
                let [Attribute { value, .. }] = element.attributes.as_slice() else {
                    return None;
                };
                let [Content::Text(name)] = value.as_slice() else {
                    return None;
                };
                if name.is(chunk, "Data") || name.starts_with(chunk, b'#') {
                    return None;
                }
                fields.push(DataField {
                    name: name.decode(chunk)?,
                    value: data_value(chunk, element, values)?,
                });
            }
            // The crate writes every unnamed Data where the first one is.
            DataForm::Positional if !positional_written => {
                positional_written = true;
                let data = container.children.iter().filter_map(|node| match node {
                    Content::Element(element) if element.name.is(chunk, "Data") => Some(element),
                    _ => None,
                });
                for (position, element) in data.enumerate() {
                    fields.push(DataField {
                        name: format!("Data{}", position + 1),
                        value: data_value(chunk, element, values)?,
                    });
                }
            }
            DataForm::Positional | DataForm::None => {}
        }
    }
    let names_unique = fields
        .iter()
        .enumerate()
        .all(|(at, field)| fields[..at].iter().all(|other| other.name != field.name));
    names_unique.then_some(fields)
}

/// Checks the container's children and returns how its `Data` children are named.
fn data_form(chunk: &[u8], container: &Element) -> Option<DataForm> {
    let mut form = DataForm::None;
    for child in &container.children {
        let Content::Element(element) = child else {
            return None;
        };
        // A NULL value would remove the element and could change how the others render.
        if element.dependency.is_some() {
            return None;
        }
        if !element.name.is(chunk, "Data") {
            continue;
        }
        let this = match element.attributes.as_slice() {
            [] => DataForm::Positional,
            [Attribute { name, value }] if name.is(chunk, "Name") => match value.as_slice() {
                [Content::Text(text)] if !text.is_empty() => DataForm::Named,
                _ => return None,
            },
            _ => return None,
        };
        if form != DataForm::None && form != this {
            return None;
        }
        form = this;
    }
    Some(form)
}

/// The single substitution a leaf element holds.
fn leaf_value(chunk: &[u8], element: &Element, values: &[Value]) -> Option<Rendered> {
    let [Content::Substitution(index)] = element.children.as_slice() else {
        return None;
    };
    match render(chunk, *values.get(*index as usize)?)? {
        Rendered::Nested { .. } => None,
        rendered => Some(rendered),
    }
}

/// A `Data` element's value: `""` when empty.
fn data_value(chunk: &[u8], element: &Element, values: &[Value]) -> Option<FieldValue> {
    match leaf_value(chunk, element, values)? {
        Rendered::Empty => Some(FieldValue::Text(String::new())),
        rendered => field_value(rendered),
    }
}

fn field_value(rendered: Rendered) -> Option<FieldValue> {
    Some(match rendered {
        Rendered::Empty => FieldValue::Null,
        Rendered::Unsigned(number) => FieldValue::Unsigned(number),
        Rendered::Signed(number) => FieldValue::Signed(number),
        Rendered::Bool(value) => FieldValue::Other(value.to_string()),
        Rendered::Text(text) => FieldValue::Text(text),
        Rendered::Nested { .. } => return None,
    })
}
