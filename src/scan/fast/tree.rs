//! Parses a template definition into an element tree whose leaves are literal text and
//! substitution indexes, so that a record can be decoded from its substitution values.
//!
//! Only the tokens Windows writes in templates are accepted: elements, attributes, UTF-16
//! literal text and substitutions. Anything else makes the parse fail, and the record then
//! goes through the evtx crate.

use super::bytes::{u16_at, u32_at, utf16_is_valid};

/// The template header: next-template link, GUID, data size.
const DEFINITION_HEADER_SIZE: usize = 24;
const NO_DEPENDENCY: u16 = 0xffff;
/// Deeper nesting than Windows templates use is left to the evtx crate.
const MAX_DEPTH: usize = 32;

/// One element of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: Name,
    /// The substitution whose NULL value removes this element (its DependencyId).
    pub dependency: Option<u16>,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Content>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub name: Name,
    pub value: Vec<Content>,
}

/// A node inside an element or an attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Content {
    Element(Element),
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

/// Parses the definition at chunk offset `at` into its root element; `None` for any token or
/// shape not handled here.
pub(crate) fn read_tree(chunk: &[u8], at: usize) -> Option<Element> {
    let size = u32_at(chunk, at.checked_add(20)?)? as usize;
    let start = at + DEFINITION_HEADER_SIZE;
    let end = start.checked_add(size)?;
    if end > chunk.len() {
        return None;
    }
    let mut parser = Parser {
        chunk,
        pos: start,
        end,
    };
    // A definition starts with a fragment header.
    if parser.byte()? != 0x0f {
        return None;
    }
    parser.pos += 3;
    let token = parser.byte()?;
    if token & !0x40 != 0x01 {
        return None;
    }
    let root = parser.element(token, 0)?;
    (parser.byte()? == 0x00).then_some(root)
}

struct Parser<'a> {
    chunk: &'a [u8],
    pos: usize,
    end: usize,
}

impl Parser<'_> {
    fn byte(&mut self) -> Option<u8> {
        if self.pos >= self.end {
            return None;
        }
        let value = *self.chunk.get(self.pos)?;
        self.pos += 1;
        Some(value)
    }

    fn u16(&mut self) -> Option<u16> {
        let value = u16_at(self.chunk, self.pos)?;
        self.pos += 2;
        Some(value)
    }

    fn u32(&mut self) -> Option<u32> {
        let value = u32_at(self.chunk, self.pos)?;
        self.pos += 4;
        Some(value)
    }

    /// Reads a name reference, skipping the name when it is stored right here.
    fn name(&mut self) -> Option<Name> {
        let offset = self.u32()? as usize;
        let units = u16_at(self.chunk, offset.checked_add(6)?)?;
        if offset == self.pos {
            self.pos += 10 + usize::from(units) * 2;
        }
        let start = offset + 8;
        let bytes = self.chunk.get(start..start + usize::from(units) * 2)?;
        utf16_is_valid(bytes).then_some(Utf16 {
            start: u32::try_from(start).ok()?,
            units,
        })
    }

    /// Reads an element whose start token (0x01 or 0x41) was `token`.
    fn element(&mut self, token: u8, depth: usize) -> Option<Element> {
        if depth > MAX_DEPTH {
            return None;
        }
        let dependency = Some(self.u16()?).filter(|id| *id != NO_DEPENDENCY);
        let _data_size = self.u32()?;
        let name = self.name()?;
        let mut element = Element {
            name,
            dependency,
            attributes: Vec::new(),
            children: Vec::new(),
        };
        if token & 0x40 != 0 {
            let _attribute_size = self.u32()?;
        }
        // Attributes, until the start tag closes.
        loop {
            match self.byte()? {
                0x06 | 0x46 => {
                    let name = self.name()?;
                    let value = self.attribute_value()?;
                    element.attributes.push(Attribute { name, value });
                }
                0x02 => break,
                0x03 => return Some(element),
                _ => return None,
            }
        }
        loop {
            match self.byte()? {
                0x04 => return Some(element),
                token @ (0x01 | 0x41) => {
                    let child = self.element(token, depth + 1)?;
                    element.children.push(Content::Element(child));
                }
                0x05 | 0x45 => element.children.push(Content::Text(self.text()?)),
                0x0d | 0x0e => element.children.push(self.substitution()?),
                _ => return None,
            }
        }
    }

    /// Reads the value tokens of one attribute: those up to the next attribute or the end of
    /// the start tag, which are left unread.
    fn attribute_value(&mut self) -> Option<Vec<Content>> {
        let mut value = Vec::new();
        loop {
            match self.chunk.get(self.pos)? {
                0x05 | 0x45 => {
                    self.pos += 1;
                    value.push(Content::Text(self.text()?));
                }
                0x0d | 0x0e => {
                    self.pos += 1;
                    value.push(self.substitution()?);
                }
                _ => return Some(value),
            }
        }
    }

    /// Reads a literal value: only UTF-16 strings, the kind Windows writes in templates.
    fn text(&mut self) -> Option<Utf16> {
        if self.byte()? != 0x01 {
            return None;
        }
        let units = self.u16()?;
        let start = self.pos;
        let end = start.checked_add(usize::from(units) * 2)?;
        if end > self.end {
            return None;
        }
        let bytes = &self.chunk[start..end];
        self.pos = end;
        // The evtx crate cuts literal text at a NUL; such text is left to it.
        let has_nul = bytes.chunks_exact(2).any(|unit| unit == [0, 0]);
        (!has_nul && utf16_is_valid(bytes)).then_some(Utf16 {
            start: u32::try_from(start).ok()?,
            units,
        })
    }

    fn substitution(&mut self) -> Option<Content> {
        let index = self.u16()?;
        let _value_type = self.byte()?;
        Some(Content::Substitution(index))
    }
}

/// Decodes UTF-16LE; `None` for unpaired surrogates, which the evtx crate does not render.
pub(crate) fn decode_utf16(bytes: &[u8]) -> Option<String> {
    // Names and most values are ASCII, which needs no decoding.
    if bytes
        .chunks_exact(2)
        .all(|unit| unit[1] == 0 && unit[0] < 0x80)
    {
        let ascii: Vec<u8> = bytes.iter().step_by(2).copied().collect();
        return String::from_utf8(ascii).ok();
    }
    let units = bytes
        .chunks_exact(2)
        .map(|unit| u16::from_le_bytes([unit[0], unit[1]]));
    let mut text = String::with_capacity(bytes.len());
    for decoded in char::decode_utf16(units) {
        text.push(decoded.ok()?);
    }
    Some(text)
}
