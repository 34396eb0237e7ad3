//! Reads a template definition's BinXML far enough to know where its EventID and
//! TimeCreated values come from, and checks that every token is one the fast path knows.

use super::bytes::{needs_json_escape, u16_at, u32_at, utf16_is_valid, Cursor};
use std::collections::HashMap;

/// Where the facts the scan counts come from, in one template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TemplateShape {
    /// The substitution that fills `Event/System/EventID`.
    pub event_id: Option<u16>,
    /// The substitution that fills `Event/System/TimeCreated/@SystemTime`.
    pub system_time: Option<u16>,
    /// Substitutions whose NULL value would drop an element on the way to either fact
    /// (their DependencyId); the fast path gives up on such records.
    pub dependencies: Vec<u16>,
    /// The highest substitution index the template uses, plus one.
    pub substitutions_used: usize,
    /// The cost of an instance without its values.
    pub cost: Cost,
    /// The maximum number of uses of one substitution: each use renders the value again.
    pub max_uses: u64,
}

/// An upper estimate of what the evtx crate builds and renders for a template instance: its
/// nodes (elements, attributes, text and substitutions) and its JSON or XML output in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cost {
    pub nodes: u64,
    pub output: u64,
}

impl Cost {
    pub fn add(&mut self, other: Cost) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.output = self.output.saturating_add(other.output);
    }

    pub fn times(self, factor: u64) -> Cost {
        Cost {
            nodes: self.nodes.saturating_mul(factor),
            output: self.output.saturating_mul(factor),
        }
    }
}

/// The template header: next-template link, GUID, data size.
const DEFINITION_HEADER_SIZE: usize = 24;
const NO_DEPENDENCY: u16 = 0xffff;

const EVENT: &str = "Event";
const SYSTEM: &str = "System";
const EVENT_ID: &str = "EventID";
const TIME_CREATED: &str = "TimeCreated";
const SYSTEM_TIME: &str = "SystemTime";

/// Where the walk is inside the tree; only the path to the two facts matters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Event,
    System,
    EventId,
    TimeCreated,
    Other,
}

/// What a substitution met in an element's content or attribute feeds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Nothing,
    EventId,
    SystemTime,
}

/// Parses the definition at chunk offset `at`; `None` for any shape not handled here,
/// which sends the chunk to the slow path.
pub(crate) fn read_definition(chunk: &[u8], at: usize) -> Option<(TemplateShape, usize)> {
    let size = u32_at(chunk, at.checked_add(20)?)? as usize;
    let start = at + DEFINITION_HEADER_SIZE;
    let end = start.checked_add(size)?;
    if end > chunk.len() {
        return None;
    }
    let shape = Walk::new(chunk, start, end).run()?;
    Some((shape, end))
}

struct Walk<'a> {
    at: Cursor<'a>,
    /// Open elements, innermost last.
    stack: Vec<Node>,
    /// The element whose start tag is being read, and its DependencyId.
    pending: Option<(Node, Option<u16>)>,
    attribute: Target,
    shape: TemplateShape,
    roots: usize,
    /// How many tokens made up the current fact's content; more than one is not handled.
    event_id_parts: usize,
    system_time_parts: usize,
    /// How often the template uses each substitution.
    uses: HashMap<u16, u64>,
}

impl<'a> Walk<'a> {
    fn new(chunk: &'a [u8], start: usize, end: usize) -> Walk<'a> {
        Walk {
            at: Cursor::new(chunk, start, end),
            stack: Vec::with_capacity(8),
            pending: None,
            attribute: Target::Nothing,
            shape: TemplateShape::default(),
            roots: 0,
            event_id_parts: 0,
            system_time_parts: 0,
            uses: HashMap::new(),
        }
    }

    fn run(mut self) -> Option<TemplateShape> {
        // A definition starts with a fragment header.
        if self.at.byte()? != 0x0f {
            return None;
        }
        self.at.pos += 3;
        loop {
            if self.at.pos >= self.at.end {
                return None;
            }
            let token = self.at.byte()?;
            match token {
                0x00 => break,
                0x01 | 0x41 => self.open_start(token & 0x40 != 0)?,
                0x02 => self.close_start()?,
                0x03 => {
                    self.close_start()?;
                    self.close_element()?;
                }
                0x04 => self.close_element()?,
                0x05 | 0x45 => self.value()?,
                0x06 | 0x46 => self.attribute_name()?,
                0x0d | 0x0e => self.substitution()?,
                _ => return None,
            }
        }
        let facts_complete = self.stack.is_empty() && self.pending.is_none() && self.roots == 1;
        let single_parts = self.event_id_parts <= 1 && self.system_time_parts <= 1;
        (facts_complete && single_parts).then_some(self.shape)
    }

    /// The name at a chunk offset, compared with `expected` without decoding it.
    fn name_is(&self, offset: usize, expected: &str) -> Option<bool> {
        let length = u16_at(self.at.chunk, offset.checked_add(6)?)? as usize;
        let chars = self.at.chunk.get(offset + 8..offset + 8 + length * 2)?;
        Some(
            length == expected.len()
                && expected
                    .bytes()
                    .zip(chars.chunks_exact(2))
                    .all(|(want, got)| got == [want, 0]),
        )
    }

    /// Reads a name reference, skipping the name when it is stored right here.
    fn name(&mut self) -> Option<usize> {
        let offset = self.at.u32()? as usize;
        if offset == self.at.pos {
            let length = u16_at(self.at.chunk, self.at.pos + 6)? as usize;
            self.at.pos += 10 + length * 2;
        }
        // The evtx crate refuses names that are not valid UTF-16, and writes names into its
        // JSON unescaped, so a name that JSON must escape fails the record there.
        let length = u16_at(self.at.chunk, offset.checked_add(6)?)? as usize;
        let chars = self.at.chunk.get(offset + 8..offset + 8 + length * 2)?;
        // A name renders at most twice (an XML start and end tag), at most 3 UTF-8 bytes a
        // UTF-16 unit.
        self.shape.cost.add(Cost {
            nodes: 1,
            output: 6 * length as u64 + 16,
        });
        (utf16_is_valid(chars) && !needs_json_escape(chars)).then_some(offset)
    }

    fn open_start(&mut self, has_attributes: bool) -> Option<()> {
        if self.pending.is_some() {
            return None;
        }
        let dependency = Some(self.at.u16()?).filter(|id| *id != NO_DEPENDENCY);
        let _data_size = self.at.u32()?;
        let name = self.name()?;
        if has_attributes {
            let _attribute_size = self.at.u32()?;
        }
        let parent = self.stack.last().copied();
        let node = match parent {
            None => {
                self.roots += 1;
                if self.name_is(name, EVENT)? {
                    Node::Event
                } else {
                    Node::Other
                }
            }
            Some(Node::Event) if self.name_is(name, SYSTEM)? => Node::System,
            Some(Node::System) if self.name_is(name, EVENT_ID)? => Node::EventId,
            Some(Node::System) if self.name_is(name, TIME_CREATED)? => Node::TimeCreated,
            _ => Node::Other,
        };
        self.pending = Some((node, dependency));
        self.attribute = Target::Nothing;
        Some(())
    }

    fn close_start(&mut self) -> Option<()> {
        let (node, dependency) = self.pending.take()?;
        self.stack.push(node);
        self.attribute = Target::Nothing;
        if node != Node::Other {
            // An element on the path that a NULL value can remove makes the facts depend
            // on the record's values.
            if let Some(id) = dependency {
                self.shape.dependencies.push(id);
            }
        }
        Some(())
    }

    fn close_element(&mut self) -> Option<()> {
        if self.pending.is_some() {
            return None;
        }
        self.stack.pop()?;
        Some(())
    }

    /// Where a value token met now ends up.
    fn target(&self) -> Target {
        if self.pending.is_some() {
            return self.attribute;
        }
        match self.stack.last() {
            Some(Node::EventId) => Target::EventId,
            _ => Target::Nothing,
        }
    }

    fn value(&mut self) -> Option<()> {
        // Literal text is read only as UTF-16 strings, the only kind Windows writes here.
        if self.at.byte()? != 0x01 {
            return None;
        }
        let length = self.at.u16()? as usize;
        let text = self.at.chunk.get(self.at.pos..self.at.pos + length * 2)?;
        if !utf16_is_valid(text) {
            return None;
        }
        self.at.pos += length * 2;
        if self.at.pos > self.at.end {
            return None;
        }
        // JSON escapes a UTF-16 unit to at most 6 bytes (`\u001f`).
        self.shape.cost.add(Cost {
            nodes: 1,
            output: 6 * length as u64 + 4,
        });
        match self.target() {
            Target::EventId => self.event_id_parts += 2,
            Target::SystemTime => self.system_time_parts += 2,
            Target::Nothing => {}
        }
        Some(())
    }

    fn attribute_name(&mut self) -> Option<()> {
        let (node, _) = self.pending?;
        let name = self.name()?;
        self.attribute = if node == Node::TimeCreated && self.name_is(name, SYSTEM_TIME)? {
            Target::SystemTime
        } else {
            Target::Nothing
        };
        Some(())
    }

    fn substitution(&mut self) -> Option<()> {
        let index = self.at.u16()?;
        let _value_type = self.at.byte()?;
        self.shape.substitutions_used = self.shape.substitutions_used.max(index as usize + 1);
        self.shape.cost.add(Cost {
            nodes: 1,
            output: 8,
        });
        let uses = self.uses.entry(index).or_default();
        *uses += 1;
        self.shape.max_uses = self.shape.max_uses.max(*uses);
        match self.target() {
            Target::EventId => {
                self.event_id_parts += 1;
                if self.shape.event_id.replace(index).is_some() {
                    return None;
                }
            }
            Target::SystemTime => {
                self.system_time_parts += 1;
                if self.shape.system_time.replace(index).is_some() {
                    return None;
                }
            }
            Target::Nothing => {}
        }
        Some(())
    }
}
