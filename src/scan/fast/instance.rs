//! Reads one template instance: its template's shape and its substitution values, checking
//! every value the way the evtx crate would read and render it.

use super::bytes::{u16_at, u32_at, u64_at, utf16_is_valid};
use super::layout::DataLayout;
use super::template::{read_definition, Cost, TemplateShape};
use super::tree::{read_tree, ElementId, Tree};
use super::value::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// Deeper BinXML nesting than Windows writes is left to the slow path.
const MAX_DEPTH: usize = 4;

/// The System facts of one record, as the slow path would read them from its JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    pub event_id: u32,
    /// The raw FILETIME of `TimeCreated/@SystemTime`.
    pub system_time: Option<u64>,
}

/// Template shapes of one chunk by definition offset; `None` marks a definition the fast
/// path does not handle.
#[derive(Default)]
pub(crate) struct Templates {
    shapes: HashMap<u32, Option<Rc<TemplateShape>>>,
    /// Element trees, parsed only for the templates of records that are decoded.
    trees: HashMap<u32, Option<Rc<Tree>>>,
    /// EventData layouts by definition offset and container element, worked out once.
    layouts: HashMap<(u32, ElementId), Option<Rc<DataLayout>>>,
    /// The values of the record read last, kept to reuse the allocation.
    values: Vec<Value>,
    /// The estimated cost to the evtx crate of the records read so far, from above.
    pub spent: Cost,
}

impl Templates {
    fn shape(&mut self, chunk: &[u8], offset: u32) -> Option<Rc<TemplateShape>> {
        self.shapes
            .entry(offset)
            .or_insert_with(|| {
                read_definition(chunk, offset as usize).map(|(shape, _)| Rc::new(shape))
            })
            .clone()
    }

    /// Returns the element tree of the definition at `offset`, or `None` when it has a
    /// shape the decoder does not handle.
    pub fn tree(&mut self, chunk: &[u8], offset: u32) -> Option<Rc<Tree>> {
        self.trees
            .entry(offset)
            .or_insert_with(|| read_tree(chunk, offset as usize).map(Rc::new))
            .clone()
    }

    /// Returns the fields of the EventData element `container` of the definition at
    /// `offset`, whose tree is `tree`, or `None` when the decoder does not handle its shape.
    pub fn data_layout(
        &mut self,
        chunk: &[u8],
        offset: u32,
        tree: &Tree,
        container: ElementId,
    ) -> Option<Rc<DataLayout>> {
        self.layouts
            .entry((offset, container))
            .or_insert_with(|| DataLayout::of(chunk, tree, tree.element(container)).map(Rc::new))
            .clone()
    }
}

/// Reads the record BinXML in `chunk[start..end]`: a fragment header, one template
/// instance and an end-of-stream token. `None` when anything is unexpected.
pub(crate) fn record_facts(
    chunk: &[u8],
    start: usize,
    end: usize,
    templates: &mut Templates,
) -> Option<Facts> {
    let mut values = std::mem::take(&mut templates.values);
    values.clear();
    let facts =
        instance(chunk, start, end, templates, 0, Some(&mut values)).and_then(|(shape, cost)| {
            templates.spent.add(cost);
            facts_of(chunk, &shape, &values)
        });
    templates.values = values;
    facts
}

/// Reads the facts from an instance's values, which [`instance`] has checked.
fn facts_of(chunk: &[u8], shape: &TemplateShape, values: &[Value]) -> Option<Facts> {
    for dependency in &shape.dependencies {
        match values.get(*dependency as usize) {
            Some(value) if value.kind != 0 && value.size > 0 => {}
            _ => return None,
        }
    }
    let event_id = {
        let value = values.get(shape.event_id? as usize)?;
        match (value.kind, value.size) {
            (0x06, 2) => u32::from(u16_at(chunk, value.start)?),
            (0x08, 4) => u32_at(chunk, value.start)?,
            _ => return None,
        }
    };
    let system_time = match shape.system_time {
        None => None,
        Some(index) => {
            let value = values.get(index as usize)?;
            if (value.kind, value.size) != (0x11, 8) {
                return None;
            }
            let ticks = u64_at(chunk, value.start)?;
            // Later times render with a cut year (evtx keeps four digits) and would not
            // read back as the same instant.
            if ticks > latest_time() {
                return None;
            }
            Some(ticks)
        }
    };
    Some(Facts {
        event_id,
        system_time,
    })
}

/// Returns the start of 9999-12-30 as a FILETIME. Below it the evtx crate can represent a
/// record header time (its limit is 9999-12-30T22:00Z) and renders a value that reads back
/// unchanged.
pub(crate) fn latest_time() -> u64 {
    const DAYS_1601_TO_9999_12_30: u64 = 3_067_669;
    DAYS_1601_TO_9999_12_30 * 86_400 * 10_000_000
}

/// Reads the template instance in `chunk[start..end]` up to its value count: returns the
/// definition's chunk offset and where the count is.
fn instance_header(chunk: &[u8], start: usize, end: usize) -> Option<(u32, usize)> {
    if end > chunk.len() || start + 14 > end {
        return None;
    }
    // A record starts with a fragment header; a nested BinXML value may leave it out.
    let token = match chunk[start] {
        0x0f => start + 4,
        _ => start,
    };
    if chunk[token] != 0x0c {
        return None;
    }
    let definition = u32_at(chunk, token + 6)?;
    let mut pos = token + 10;
    if pos == definition as usize {
        let size = u32_at(chunk, pos + 20)? as usize;
        pos = pos.checked_add(24 + size)?;
    }
    Some((definition, pos))
}

/// Reads the definition offset and the substitution values of an instance that
/// [`record_facts`] has already checked.
pub(crate) fn instance_values(chunk: &[u8], start: usize, end: usize) -> Option<(u32, Vec<Value>)> {
    let (definition, mut pos) = instance_header(chunk, start, end)?;
    let count = u32_at(chunk, pos)? as usize;
    pos += 4;
    if count > end.saturating_sub(pos) / 4 {
        return None;
    }
    let descriptors = pos;
    pos += count * 4;
    let mut values = Vec::with_capacity(count);
    for index in 0..count {
        let at = descriptors + index * 4;
        let size = u16_at(chunk, at)? as usize;
        if pos + size > end {
            return None;
        }
        values.push(Value {
            kind: chunk[at + 2],
            start: pos,
            size,
        });
        pos += size;
    }
    Some((definition, values))
}

/// Checks the template instance in `chunk[start..end]` and returns its template's shape and
/// the instance's cost. Appends its values to `values` when given: nested instances need
/// only the check.
fn instance(
    chunk: &[u8],
    start: usize,
    end: usize,
    templates: &mut Templates,
    depth: usize,
    mut values: Option<&mut Vec<Value>>,
) -> Option<(Rc<TemplateShape>, Cost)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (definition, mut pos) = instance_header(chunk, start, end)?;
    let shape = templates.shape(chunk, definition)?;
    let count = u32_at(chunk, pos)? as usize;
    pos += 4;
    if count < shape.substitutions_used || count > end.saturating_sub(pos) / 4 {
        return None;
    }
    let descriptors = pos;
    pos += count * 4;
    let mut values_cost = Cost::default();
    if let Some(values) = values.as_deref_mut() {
        values.reserve(count);
    }
    for index in 0..count {
        let at = descriptors + index * 4;
        let size = u16_at(chunk, at)? as usize;
        let kind = chunk[at + 2];
        if pos + size > end {
            return None;
        }
        let value = Value {
            kind,
            start: pos,
            size,
        };
        values_cost.add(check_value(chunk, value, templates, depth)?);
        if let Some(values) = values.as_deref_mut() {
            values.push(value);
        }
        pos += size;
    }
    // The instance must end the stream, or be followed by its end token.
    if pos != end && chunk[pos] != 0x00 {
        return None;
    }
    let mut cost = shape.cost;
    cost.add(values_cost.times(shape.max_uses));
    Some((shape, cost))
}

/// Checks, strictly, that the evtx crate reads and renders this value without error, and
/// returns what rendering it once costs.
fn check_value(
    chunk: &[u8],
    value: Value,
    templates: &mut Templates,
    depth: usize,
) -> Option<Cost> {
    let bytes = &chunk[value.start..value.start + value.size];
    let size = value.size;
    if value.kind == 0x21 && size > 0 {
        let end = value.start + size;
        let nested = instance(chunk, value.start, end, templates, depth + 1, None);
        return nested.map(|(_, cost)| cost);
    }
    let fits = match value.kind {
        0x00 | 0x0e => true,
        0x01 => size.is_multiple_of(2) && utf16_is_valid(bytes),
        0x03 | 0x04 => size == 1,
        0x05 | 0x06 => size == 2,
        0x07 | 0x08 | 0x0b | 0x0d | 0x14 => size == 4,
        0x09 | 0x0a | 0x0c | 0x11 | 0x15 => size == 8,
        0x10 => size == 4 || size == 8,
        0x0f | 0x12 => size == 16,
        0x13 => size >= 8 && size == 8 + 4 * bytes[1] as usize,
        0x21 => true,
        0x81 => {
            size.is_multiple_of(2)
                && (size == 0 || bytes[size - 2..] == [0, 0])
                && utf16_is_valid(bytes)
        }
        _ => false,
    };
    // Text escapes to at most 3 times its UTF-16 size, binary to twice its size, and every
    // other type to less than 8 times its size plus 32 bytes.
    fits.then_some(Cost {
        nodes: 1,
        output: 8 * size as u64 + 32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filetime::FileTime;

    #[test]
    fn latest_time_is_the_start_of_9999_12_30() {
        let expected = FileTime::from_utc(9999, 12, 30, 0, 0, 0, 0).unwrap();
        assert_eq!(FileTime(latest_time()), expected);
    }
}
