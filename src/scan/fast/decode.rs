//! Decodes a record of interest from its template tree and substitution values into what
//! `json_record` would read from the evtx crate's JSON (evtx 0.15.1): `Provider/@Name`,
//! `Version`, `Computer` and, through [`DataLayout`](super::layout::DataLayout), the
//! EventData fields. Every shape whose rendering is not certain (repeated names, UserData,
//! arrays, floats, nested instances other than EventData) returns `None`, and the chunk
//! then goes through the crate.

use super::instance::{instance_values, Templates};
use super::tree::{Content, Element, Tree};
use super::value::{render, Rendered, Value};
use crate::scan::event::DataField;

/// The facts of one record that its header walk does not read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Decoded {
    pub version: u8,
    pub provider: String,
    pub computer: String,
    pub data: Vec<DataField>,
}

/// One template instance: its tree and its values, in the chunk.
#[derive(Clone, Copy)]
struct Instance<'a> {
    chunk: &'a [u8],
    tree: &'a Tree,
    values: &'a [Value],
}

/// Decodes the record whose BinXML (one template instance) is `chunk[start..end]`.
pub(crate) fn decode_record(
    chunk: &[u8],
    start: usize,
    end: usize,
    templates: &mut Templates,
) -> Option<Decoded> {
    let (definition, values) = instance_values(chunk, start, end)?;
    let tree = templates.tree(chunk, definition)?;
    let record = Instance {
        chunk,
        tree: &tree,
        values: &values,
    };
    let root = tree.root();
    if !root.name.is(chunk, "Event") || !record.present(root)? {
        return None;
    }
    let mut decoded = Decoded::default();
    let mut system_seen = false;
    let mut data_seen = false;
    for child in tree.children(root) {
        match *child {
            Content::Element(id) => {
                let element = tree.element(id);
                match element_kind(chunk, element) {
                    EventChild::System => {
                        if std::mem::replace(&mut system_seen, true) {
                            return None;
                        }
                        if record.present(element)? {
                            record.read_system(element, &mut decoded)?;
                        }
                    }
                    EventChild::EventData => {
                        if std::mem::replace(&mut data_seen, true) {
                            return None;
                        }
                        if record.present(element)? {
                            let layout = templates.data_layout(chunk, definition, &tree, id)?;
                            decoded.data = layout.read(chunk, &values)?;
                        }
                    }
                    EventChild::UserData => return None,
                    EventChild::Other => {}
                }
            }
            // Windows puts EventData in a BinXML value holding a nested template instance.
            Content::Substitution(index) => match record.render(index)? {
                Rendered::Empty => {}
                Rendered::Nested { start, end } => {
                    let (definition, nested_values) = instance_values(chunk, start, end)?;
                    let nested_tree = templates.tree(chunk, definition)?;
                    let root = nested_tree.root();
                    if !root.name.is(chunk, "EventData") || root.dependency.is_some() {
                        return None;
                    }
                    if std::mem::replace(&mut data_seen, true) {
                        return None;
                    }
                    let layout =
                        templates.data_layout(chunk, definition, &nested_tree, Tree::ROOT)?;
                    decoded.data = layout.read(chunk, &nested_values)?;
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

impl Instance<'_> {
    fn render(&self, index: u16) -> Option<Rendered> {
        render(self.chunk, *self.values.get(usize::from(index))?)
    }

    /// Returns whether `element` stays in the record: the value it depends on, if any, is
    /// not NULL.
    fn present(&self, element: &Element) -> Option<bool> {
        match element.dependency {
            None => Some(true),
            Some(index) => Some(!self.values.get(usize::from(index))?.is_null()),
        }
    }

    fn read_system(&self, system: &Element, decoded: &mut Decoded) -> Option<()> {
        let chunk = self.chunk;
        let mut seen = [false; 3];
        for child in self.tree.children(system) {
            let element = match *child {
                Content::Element(id) => self.tree.element(id),
                Content::Text(_) => return None,
                // A nested element here could take one of the names read below.
                Content::Substitution(index) => match self.render(index)? {
                    Rendered::Empty => continue,
                    _ => return None,
                },
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
            if !self.present(element)? {
                continue;
            }
            let children = self.tree.children(element);
            match slot {
                0 => decoded.provider = self.provider_name(element)?,
                1 => decoded.version = version(self.content(children)?)?,
                _ => decoded.computer = self.content(children)?.into_text()?,
            }
        }
        Some(())
    }

    /// Returns the `Name` attribute's text. The crate leaves out an attribute with an empty
    /// value, so it reads as "" like a missing one.
    fn provider_name(&self, provider: &Element) -> Option<String> {
        let mut names = self
            .tree
            .attributes(provider)
            .iter()
            .filter(|attribute| attribute.name.is(self.chunk, "Name"));
        let Some(attribute) = names.next() else {
            return Some(String::new());
        };
        if names.next().is_some() {
            return None;
        }
        self.content(self.tree.value(attribute))?.into_text()
    }

    /// Renders an element's content or an attribute's value: nothing, one literal text or
    /// one substitution. Mixed content is left to the crate.
    fn content(&self, nodes: &[Content]) -> Option<Rendered> {
        match *nodes {
            [] => Some(Rendered::Empty),
            [Content::Text(text)] if text.is_empty() => Some(Rendered::Empty),
            [Content::Text(text)] => Some(Rendered::Text(text.decode(self.chunk)?)),
            [Content::Substitution(index)] => match self.render(index)? {
                Rendered::Nested { .. } => None,
                rendered => Some(rendered),
            },
            _ => None,
        }
    }
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
