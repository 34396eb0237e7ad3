//! Parses a template definition into an element tree whose leaves are literal text and
//! substitution indexes, so that a record can be decoded from its substitution values.
//!
//! Only the tokens Windows writes in templates are accepted: elements, attributes, UTF-16
//! literal text and substitutions. Anything else makes the parse fail, and the record then
//! goes through the evtx crate.

use super::bytes::{u16_at, u32_at};

/// The template header: next-template link, GUID, data size.
const DEFINITION_HEADER_SIZE: usize = 24;
const NO_DEPENDENCY: u16 = 0xffff;
/// Deeper nesting than Windows templates use is left to the evtx crate.
const MAX_DEPTH: usize = 32;

/// One element of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    /// The substitution whose NULL value removes this element (its DependencyId).
    pub dependency: Option<u16>,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Content>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub name: String,
    pub value: Vec<Content>,
}

/// A node inside an element or an attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Content {
    Element(Element),
    /// Literal UTF-16 text, decoded.
    Text(String),
    /// A substitution by its index in the instance's values.
    Substitution(u16),
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
    fn name(&mut self) -> Option<String> {
        let offset = self.u32()? as usize;
        let length = u16_at(self.chunk, offset.checked_add(6)?)? as usize;
        if offset == self.pos {
            self.pos += 10 + length * 2;
        }
        let bytes = self.chunk.get(offset + 8..offset + 8 + length * 2)?;
        decode_utf16(bytes)
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
    fn text(&mut self) -> Option<String> {
        if self.byte()? != 0x01 {
            return None;
        }
        let length = self.u16()? as usize;
        let end = self.pos.checked_add(length * 2)?;
        if end > self.end {
            return None;
        }
        let text = decode_utf16(&self.chunk[self.pos..end])?;
        self.pos = end;
        // The evtx crate cuts literal text at a NUL; such text is left to it.
        (!text.contains('\0')).then_some(text)
    }

    fn substitution(&mut self) -> Option<Content> {
        let index = self.u16()?;
        let _value_type = self.byte()?;
        Some(Content::Substitution(index))
    }
}

/// Decodes UTF-16LE; `None` for unpaired surrogates, which the evtx crate does not render.
pub(crate) fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let units = bytes
        .chunks_exact(2)
        .map(|unit| u16::from_le_bytes([unit[0], unit[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}
