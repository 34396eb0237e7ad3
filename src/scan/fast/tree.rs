//! Parses a template definition into an element tree whose leaves are literal text and
//! substitution indexes, so that a record can be decoded from its substitution values.
//!
//! Only the tokens Windows writes in templates are accepted: elements, attributes, UTF-16
//! literal text and substitutions. Anything else makes the parse fail, and the record then
//! goes through the evtx crate.

use super::bytes::{u16_at, u32_at, utf16_is_valid, Cursor};

/// The template header: next-template link, GUID, data size.
const DEFINITION_HEADER_SIZE: usize = 24;
const NO_DEPENDENCY: u16 = 0xffff;
/// Deeper nesting than Windows templates use is left to the evtx crate.
const MAX_DEPTH: usize = 32;

/// A template's elements, attributes and content nodes, each kind in one vector, so that
/// parsing a template allocates a few times and not once per element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tree {
    /// The root element first.
    elements: Vec<Element>,
    attributes: Vec<Attribute>,
    contents: Vec<Content>,
}

impl Tree {
    /// The root element's ID.
    pub const ROOT: ElementId = ElementId(0);

    pub fn root(&self) -> &Element {
        &self.elements[0]
    }

    pub fn element(&self, id: ElementId) -> &Element {
        &self.elements[id.0 as usize]
    }

    pub fn attributes(&self, element: &Element) -> &[Attribute] {
        element.attributes.of(&self.attributes)
    }

    pub fn children(&self, element: &Element) -> &[Content] {
        element.children.of(&self.contents)
    }

    pub fn value(&self, attribute: &Attribute) -> &[Content] {
        attribute.value.of(&self.contents)
    }
}

/// An element's index in its [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ElementId(u32);

/// A range of one of a [`Tree`]'s vectors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of<T>(self, items: &[T]) -> &[T] {
        &items[self.start as usize..self.end as usize]
    }
}

/// One element of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: Name,
    /// The substitution whose NULL value removes this element (its DependencyId).
    pub dependency: Option<u16>,
    attributes: Span,
    children: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub name: Name,
    value: Span,
}

/// A node inside an element or an attribute value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Content {
    Element(ElementId),
    /// Literal text, without NUL.
    Text(Utf16),
    /// A substitution by its index in the instance's values.
    Substitution(u16),
}

/// UTF-16LE text in the chunk, checked to decode, and decoded only where it is used: most
/// of a template's names and text are only compared or not read at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Utf16 {
    start: u32,
    units: u16,
}

/// An element or attribute name.
pub(crate) type Name = Utf16;

impl Utf16 {
    fn bytes(self, chunk: &[u8]) -> &[u8] {
        let start = self.start as usize;
        &chunk[start..start + 2 * usize::from(self.units)]
    }

    pub fn is_empty(self) -> bool {
        self.units == 0
    }

    /// Whether the text is `expected`, which must be ASCII.
    pub fn is(self, chunk: &[u8], expected: &str) -> bool {
        usize::from(self.units) == expected.len()
            && expected
                .bytes()
                .zip(self.bytes(chunk).chunks_exact(2))
                .all(|(want, got)| got == [want, 0])
    }

    pub fn starts_with(self, chunk: &[u8], prefix: u8) -> bool {
        self.units > 0 && self.bytes(chunk)[..2] == [prefix, 0]
    }

    pub fn decode(self, chunk: &[u8]) -> Option<String> {
        decode_utf16(self.bytes(chunk))
    }
}

/// Parses the definition at chunk offset `at` into its tree; `None` for any token or shape
/// not handled here.
pub(crate) fn read_tree(chunk: &[u8], at: usize) -> Option<Tree> {
    let size = u32_at(chunk, at.checked_add(20)?)? as usize;
    let start = at + DEFINITION_HEADER_SIZE;
    let end = start.checked_add(size)?;
    if end > chunk.len() {
        return None;
    }
    let mut parser = Parser {
        at: Cursor::new(chunk, start, end),
        tree: Tree {
            elements: Vec::with_capacity(32),
            attributes: Vec::with_capacity(16),
            contents: Vec::with_capacity(64),
        },
        pending: Vec::with_capacity(32),
    };
    // A definition starts with a fragment header.
    if parser.at.byte()? != 0x0f {
        return None;
    }
    parser.at.pos += 3;
    let token = parser.at.byte()?;
    if token & !0x40 != 0x01 {
        return None;
    }
    parser.element(token, 0)?;
    (parser.at.byte()? == 0x00).then_some(parser.tree)
}

struct Parser<'a> {
    at: Cursor<'a>,
    tree: Tree,
    /// Children of the elements being read, innermost last; each element moves its own to
    /// `tree.contents` when it ends, so that they are contiguous there.
    pending: Vec<Content>,
}

impl Parser<'_> {
    /// Reads a name reference, skipping the name when it is stored right here.
    fn name(&mut self) -> Option<Name> {
        let offset = self.at.u32()? as usize;
        let units = u16_at(self.at.chunk, offset.checked_add(6)?)?;
        if offset == self.at.pos {
            self.at.pos += 10 + usize::from(units) * 2;
        }
        let start = offset + 8;
        let bytes = self.at.chunk.get(start..start + usize::from(units) * 2)?;
        utf16_is_valid(bytes).then_some(Utf16 {
            start: u32::try_from(start).ok()?,
            units,
        })
    }

    /// Reads an element whose start token (0x01 or 0x41) was `token` into the tree.
    fn element(&mut self, token: u8, depth: usize) -> Option<ElementId> {
        if depth > MAX_DEPTH {
            return None;
        }
        let dependency = Some(self.at.u16()?).filter(|id| *id != NO_DEPENDENCY);
        let _data_size = self.at.u32()?;
        let name = self.name()?;
        if token & 0x40 != 0 {
            let _attribute_size = self.at.u32()?;
        }

        let id = ElementId(u32::try_from(self.tree.elements.len()).ok()?);
        self.tree.elements.push(Element {
            name,
            dependency,
            attributes: Span::default(),
            children: Span::default(),
        });

        // Attributes, until the start tag closes. No element starts inside a start tag, so
        // this element's attributes are contiguous.
        let attributes_start = self.tree.attributes.len();
        let closed = loop {
            match self.at.byte()? {
                0x06 | 0x46 => {
                    let name = self.name()?;
                    let value = self.attribute_value()?;
                    self.tree.attributes.push(Attribute { name, value });
                }
                0x02 => break false,
                0x03 => break true,
                _ => return None,
            }
        };
        let attributes = span(attributes_start, self.tree.attributes.len())?;
        self.tree.elements[id.0 as usize].attributes = attributes;
        if closed {
            return Some(id);
        }

        let pending_start = self.pending.len();
        loop {
            let child = match self.at.byte()? {
                0x04 => break,
                token @ (0x01 | 0x41) => Content::Element(self.element(token, depth + 1)?),
                0x05 | 0x45 => Content::Text(self.text()?),
                0x0d | 0x0e => self.substitution()?,
                _ => return None,
            };
            self.pending.push(child);
        }

        let children_start = self.tree.contents.len();
        self.tree
            .contents
            .extend(self.pending.drain(pending_start..));
        let children = span(children_start, self.tree.contents.len())?;
        self.tree.elements[id.0 as usize].children = children;
        Some(id)
    }

    /// Reads the value tokens of one attribute into the tree: those up to the next attribute
    /// or the end of the start tag, which are left unread.
    fn attribute_value(&mut self) -> Option<Span> {
        let start = self.tree.contents.len();
        loop {
            let value = match self.at.chunk.get(self.at.pos)? {
                0x05 | 0x45 => {
                    self.at.pos += 1;
                    Content::Text(self.text()?)
                }
                0x0d | 0x0e => {
                    self.at.pos += 1;
                    self.substitution()?
                }
                _ => return span(start, self.tree.contents.len()),
            };
            self.tree.contents.push(value);
        }
    }

    /// Reads a literal value: only UTF-16 strings, the kind Windows writes in templates.
    fn text(&mut self) -> Option<Utf16> {
        if self.at.byte()? != 0x01 {
            return None;
        }
        let units = self.at.u16()?;
        let start = self.at.pos;
        let end = start.checked_add(usize::from(units) * 2)?;
        if end > self.at.end {
            return None;
        }
        let bytes = &self.at.chunk[start..end];
        self.at.pos = end;
        // The evtx crate cuts literal text at a NUL; such text is left to it.
        let has_nul = bytes.chunks_exact(2).any(|unit| unit == [0, 0]);
        (!has_nul && utf16_is_valid(bytes)).then_some(Utf16 {
            start: u32::try_from(start).ok()?,
            units,
        })
    }

    fn substitution(&mut self) -> Option<Content> {
        let index = self.at.u16()?;
        let _value_type = self.at.byte()?;
        Some(Content::Substitution(index))
    }
}

fn span(start: usize, end: usize) -> Option<Span> {
    Some(Span {
        start: u32::try_from(start).ok()?,
        end: u32::try_from(end).ok()?,
    })
}

/// Decodes UTF-16LE; `None` for unpaired surrogates, which the evtx crate does not render.
pub(crate) fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len() / 2);
    // Names and most values are ASCII, which needs no decoding.
    for (at, unit) in bytes.chunks_exact(2).enumerate() {
        if unit[1] != 0 || unit[0] >= 0x80 {
            return decode_utf16_rest(text, &bytes[2 * at..]);
        }
        text.push(char::from(unit[0]));
    }
    Some(text)
}

/// Appends the decoded `bytes` to `text`.
fn decode_utf16_rest(mut text: String, bytes: &[u8]) -> Option<String> {
    let units = bytes
        .chunks_exact(2)
        .map(|unit| u16::from_le_bytes([unit[0], unit[1]]));
    text.reserve(bytes.len());
    for decoded in char::decode_utf16(units) {
        text.push(decoded.ok()?);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::decode_utf16;

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn decode_utf16_reads_ascii_and_the_rest() {
        for text in ["", "Data", "ä after ascii", "mixed 日本 and 😀 pairs"] {
            assert_eq!(decode_utf16(&utf16(text)).as_deref(), Some(text));
        }
    }

    #[test]
    fn decode_utf16_rejects_unpaired_surrogates() {
        let mut bytes = utf16("ok");
        bytes.extend_from_slice(&0xd800u16.to_le_bytes());
        assert_eq!(decode_utf16(&bytes), None);
    }
}
