//! The EventData fields of one template, worked out once per chunk, so that each record
//! only renders its values.
//!
//! The rules follow the evtx crate's JSON writer (0.15.1, `binxml/compiled.rs`) and then
//! `json_record`: named `<Data Name="...">` elements become fields of that name, unnamed
//! ones fields numbered `Data1`, `Data2`, … in place of the first, and other elements
//! fields of their element name. An empty value is `""` in a `Data` element and `null` in
//! any other. Any other shape (repeated names, dependencies, attributes on the container,
//! mixed content) has no layout, and the record goes through the crate.

use super::tree::{Content, Element, Tree};
use super::value::{render, Rendered, Value};
use crate::scan::event::{DataField, FieldValue};

/// The fields of an EventData container, in the order `json_record` reads them.
#[derive(Debug)]
pub(crate) struct DataLayout {
    fields: Vec<LayoutField>,
}

#[derive(Debug)]
struct LayoutField {
    name: String,
    /// The substitution that contains the value.
    index: u16,
    /// The value when the substitution is NULL or empty.
    empty: FieldValue,
}

/// The naming of a container's `Data` children.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DataForm {
    /// No `Data` child.
    None,
    /// Every `Data` has a literal, non-empty `Name`.
    Named,
    /// No `Data` has a `Name`: the crate writes them as one `Data` member, whose values
    /// `json_record` numbers.
    Positional,
}

impl DataLayout {
    /// Works out the fields of `container`; `None` for a shape the decoder does not handle.
    pub fn of(chunk: &[u8], tree: &Tree, container: &Element) -> Option<DataLayout> {
        if !tree.attributes(container).is_empty() {
            return None;
        }
        let form = data_form(chunk, tree, container)?;
        let children = tree.children(container);
        let mut fields = Vec::with_capacity(children.len());
        let mut positional_written = false;
        for child in children {
            let Content::Element(id) = *child else {
                return None;
            };
            let element = tree.element(id);
            if !element.name.is(chunk, "Data") {
                if element.name.starts_with(chunk, b'#') || !tree.attributes(element).is_empty() {
                    return None;
                }
                // A non-Data leaf writes `null` when empty, which `json_record` reads as Null.
                fields.push(LayoutField {
                    name: element.name.decode(chunk)?,
                    index: leaf_substitution(tree, element)?,
                    empty: FieldValue::Null,
                });
                continue;
            }
            match form {
                DataForm::Named => {
                    let [attribute] = tree.attributes(element) else {
                        return None;
                    };
                    let [Content::Text(name)] = *tree.value(attribute) else {
                        return None;
                    };
                    if name.is(chunk, "Data") || name.starts_with(chunk, b'#') {
                        return None;
                    }
                    fields.push(LayoutField {
                        name: name.decode(chunk)?,
                        index: leaf_substitution(tree, element)?,
                        empty: FieldValue::Text(String::new()),
                    });
                }
                // The crate writes every unnamed Data where the first one is.
                DataForm::Positional if !positional_written => {
                    positional_written = true;
                    let data = children.iter().filter_map(|node| match *node {
                        Content::Element(id) => Some(tree.element(id)),
                        _ => None,
                    });
                    let data = data.filter(|element| element.name.is(chunk, "Data"));
                    for (position, element) in data.enumerate() {
                        fields.push(LayoutField {
                            name: format!("Data{}", position + 1),
                            index: leaf_substitution(tree, element)?,
                            empty: FieldValue::Text(String::new()),
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
        names_unique.then_some(DataLayout { fields })
    }

    /// Reads the fields from one instance's values; `None` for a value the decoder does not
    /// render.
    pub fn read(&self, chunk: &[u8], values: &[Value]) -> Option<Vec<DataField>> {
        let mut data = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let value = *values.get(usize::from(field.index))?;
            let value = match render(chunk, value)? {
                Rendered::Empty => field.empty.clone(),
                rendered => field_value(rendered)?,
            };
            data.push(DataField {
                name: field.name.clone(),
                value,
            });
        }
        Some(data)
    }
}

/// Checks the container's children and returns how its `Data` children are named.
fn data_form(chunk: &[u8], tree: &Tree, container: &Element) -> Option<DataForm> {
    let mut form = DataForm::None;
    for child in tree.children(container) {
        let Content::Element(id) = *child else {
            return None;
        };
        let element = tree.element(id);
        // A NULL value would remove the element and could change how the others render.
        if element.dependency.is_some() {
            return None;
        }
        if !element.name.is(chunk, "Data") {
            continue;
        }
        let this = match tree.attributes(element) {
            [] => DataForm::Positional,
            [attribute] if attribute.name.is(chunk, "Name") => match *tree.value(attribute) {
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

/// Returns the index of the one substitution a leaf element contains.
fn leaf_substitution(tree: &Tree, element: &Element) -> Option<u16> {
    match *tree.children(element) {
        [Content::Substitution(index)] => Some(index),
        _ => None,
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
