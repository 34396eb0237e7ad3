//! The EventData texts of one IPsec event, packed into one heap block.
//!
//! The page keeps every decoded event of every dropped file, so one block per event, with
//! small numbers instead of a string header per value, saves most of an event's memory. A
//! text that the file's [`SharedValues`] stores is not copied into the block at all.

use super::shared_values::SharedValues;
use std::fmt;
use std::sync::Arc;

/// Value texts of an event's fields, then the name and value of each field the manifest
/// list does not have.
///
/// Layout: byte 0 is the width `w` of every number that follows (2 or 4 bytes,
/// little-endian). Next come three counts: manifest values, other fields and texts kept in
/// the block. Then comes one slot per text (one per manifest value, a name and a value per
/// other field), the end offset of each text kept in the block, and those texts back to
/// back. A slot whose bits are all set is a missing or Null value. A slot with
/// only its top bit set names the texts kept in the block by index, and any other slot is
/// the number of a text in `shared`. An event without fields has an empty block, which
/// does not allocate.
#[derive(Clone, Default)]
pub(crate) struct PackedTexts {
    block: Box<[u8]>,
    /// The store of the texts that slots name by number; `None` when no slot does.
    shared: Option<Arc<SharedValues>>,
}

/// Position of the first slot among the block's numbers, after the three counts.
const FIRST_SLOT: usize = 3;

impl PackedTexts {
    /// Returns the number of manifest values.
    pub(crate) fn named_len(&self) -> usize {
        self.number(0)
    }

    /// Returns the number of fields beyond the manifest list.
    pub(crate) fn other_len(&self) -> usize {
        self.number(1)
    }

    /// Returns manifest value `index`, `None` when it is missing or Null.
    pub(crate) fn named_value(&self, index: usize) -> Option<&str> {
        assert!(
            index < self.named_len(),
            "manifest value {index} is out of range"
        );
        self.text(index)
    }

    /// Returns the name and the value of field `index` beyond the manifest list.
    pub(crate) fn other_field(&self, index: usize) -> (&str, Option<&str>) {
        assert!(
            index < self.other_len(),
            "other field {index} is out of range"
        );
        let slot = self.named_len() + 2 * index;
        (self.text(slot).unwrap_or(""), self.text(slot + 1))
    }

    fn width(&self) -> usize {
        self.block.first().map_or(0, |width| usize::from(*width))
    }

    fn slot_count(&self) -> usize {
        self.named_len() + 2 * self.other_len()
    }

    /// Reads number `position`: the three counts, then the slots, then the end offsets.
    fn number(&self, position: usize) -> usize {
        let width = self.width();
        if width == 0 {
            return 0;
        }
        let start = 1 + position * width;
        // Two fixed-size reads instead of one of `width` bytes, because each value read
        // decodes up to 5 numbers and a copy of variable length costs a call each.
        if width == 2 {
            usize::from(u16::from_le_bytes([
                self.block[start],
                self.block[start + 1],
            ]))
        } else {
            let bytes = [
                self.block[start],
                self.block[start + 1],
                self.block[start + 2],
                self.block[start + 3],
            ];
            u32::from_le_bytes(bytes) as usize
        }
    }

    fn text(&self, slot: usize) -> Option<&str> {
        let width = self.width();
        let value = self.number(FIRST_SLOT + slot);
        if value == missing_slot(width) {
            return None;
        }
        if value & in_block_bit(width) == 0 {
            let shared = self
                .shared
                .as_ref()
                .expect("a block that names shared values keeps their store");
            return Some(shared.text(value as u32));
        }
        let index = value & !in_block_bit(width);
        let ends = FIRST_SLOT + self.slot_count();
        let start = match index {
            0 => 0,
            _ => self.number(ends + index - 1),
        };
        let end = self.number(ends + index);
        let texts = 1 + (ends + self.number(2)) * width;
        let bytes = &self.block[texts + start..texts + end];
        Some(std::str::from_utf8(bytes).expect("each packed text is a whole UTF-8 string"))
    }
}

/// Compares the texts, not the blocks: the same text can be shared in one event and kept in
/// the block in another.
impl PartialEq for PackedTexts {
    fn eq(&self, other: &PackedTexts) -> bool {
        self.named_len() == other.named_len()
            && self.other_len() == other.other_len()
            && (0..self.slot_count()).all(|slot| self.text(slot) == other.text(slot))
    }
}

impl Eq for PackedTexts {}

/// Shows the texts, not the block's bytes.
impl fmt::Debug for PackedTexts {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_list()
            .entries((0..self.slot_count()).map(|slot| self.text(slot)))
            .finish()
    }
}

/// Returns the slot of a missing or Null value, which has every bit set.
fn missing_slot(width: usize) -> usize {
    (u32::MAX >> (32 - 8 * width)) as usize
}

/// Returns the bit that marks a slot naming a text kept in the block.
fn in_block_bit(width: usize) -> usize {
    1 << (8 * width - 1)
}

/// The place of one text of an event.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Missing,
    /// Index among the texts kept in the block.
    InBlock(usize),
    /// Number in the shared store.
    Shared(u32),
}

/// Collects an event's texts: every manifest value first, then the other fields.
#[derive(Debug, Default)]
pub(crate) struct PackedTextsBuilder {
    named: usize,
    others: usize,
    slots: Vec<Slot>,
    /// The end of each text kept in the block, in `texts`.
    ends: Vec<usize>,
    texts: String,
    /// The store that texts worth sharing go to, if any.
    shared: Option<Arc<SharedValues>>,
}

impl PackedTextsBuilder {
    /// Starts an event with room for `fields` manifest values or other fields.
    pub(crate) fn with_capacity(fields: usize) -> PackedTextsBuilder {
        PackedTextsBuilder {
            slots: Vec::with_capacity(fields),
            ..PackedTextsBuilder::default()
        }
    }

    /// Stores the texts worth sharing in `shared` instead of in the event's block.
    pub(crate) fn sharing(mut self, shared: &Arc<SharedValues>) -> PackedTextsBuilder {
        self.shared = Some(Arc::clone(shared));
        self
    }

    /// Adds the next manifest value.
    ///
    /// # Panics
    ///
    /// When a field beyond the manifest list was added before.
    pub(crate) fn push_named(&mut self, value: Option<&str>) {
        assert_eq!(self.others, 0, "manifest values come before other fields");
        self.named += 1;
        self.push(value);
    }

    /// Adds a field beyond the manifest list.
    pub(crate) fn push_other(&mut self, name: &str, value: Option<&str>) {
        self.others += 1;
        self.push(Some(name));
        self.push(value);
    }

    /// Reserves room for `bytes` more bytes of text, so that adding texts whose length is
    /// known up front allocates once instead of growing step by step.
    pub(crate) fn reserve_text(&mut self, bytes: usize) {
        self.texts.reserve(bytes);
    }

    fn push(&mut self, text: Option<&str>) {
        let Some(text) = text else {
            self.slots.push(Slot::Missing);
            return;
        };
        let shared = match &self.shared {
            Some(shared) if worth_sharing(text) => shared.number(text),
            _ => None,
        };
        let slot = match shared {
            Some(number) => Slot::Shared(number),
            None => {
                self.texts.push_str(text);
                self.ends.push(self.texts.len());
                Slot::InBlock(self.ends.len() - 1)
            }
        };
        self.slots.push(slot);
    }

    /// Packs the texts into one block, with 2-byte numbers when all of them fit.
    pub(crate) fn finish(self) -> PackedTexts {
        if self.slots.is_empty() {
            return PackedTexts::default();
        }
        let largest_shared = self
            .slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Shared(number) => Some(*number as usize),
                _ => None,
            })
            .max();
        let fits = |width: usize| {
            let largest = self.texts.len().max(self.named).max(self.others);
            largest <= missing_slot(width)
                && self.ends.len() < missing_slot(width) - in_block_bit(width)
                && largest_shared.is_none_or(|number| number < in_block_bit(width))
        };
        let width = if fits(2) { 2 } else { 4 };
        assert!(fits(4), "an event's texts exceed 4 GiB");
        let numbers = FIRST_SLOT + self.slots.len() + self.ends.len();
        let mut block = Vec::with_capacity(1 + numbers * width + self.texts.len());
        block.push(width as u8);
        let mut put = |number: usize| {
            let bytes = (number as u32).to_le_bytes();
            block.extend_from_slice(&bytes[..width]);
        };
        put(self.named);
        put(self.others);
        put(self.ends.len());
        for slot in &self.slots {
            put(match *slot {
                Slot::Missing => missing_slot(width),
                Slot::InBlock(index) => index | in_block_bit(width),
                Slot::Shared(number) => number as usize,
            });
        }
        for end in &self.ends {
            put(*end);
        }
        block.extend_from_slice(self.texts.as_bytes());
        PackedTexts {
            block: block.into_boxed_slice(),
            shared: largest_shared.and(self.shared),
        }
    }
}

/// Returns whether `text` is worth a number in the shared store. Decimal numbers are kept
/// in the block, because most are IDs that differ from event to event (filter IDs, SA
/// IDs), and short ones (ports, protocols) cost as little there as a number would.
fn worth_sharing(text: &str) -> bool {
    !text.is_empty() && !text.bytes().all(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(named: &[Option<&str>], others: &[(&str, Option<&str>)]) -> PackedTexts {
        fill(PackedTextsBuilder::default(), named, others)
    }

    fn fill(
        mut builder: PackedTextsBuilder,
        named: &[Option<&str>],
        others: &[(&str, Option<&str>)],
    ) -> PackedTexts {
        for value in named {
            builder.push_named(*value);
        }
        for (name, value) in others {
            builder.push_other(name, *value);
        }
        builder.finish()
    }

    #[test]
    fn empty_event_has_no_block() {
        let packed = pack(&[], &[]);

        assert_eq!(packed.block.len(), 0);
        assert_eq!(packed.named_len(), 0);
        assert_eq!(packed.other_len(), 0);
    }

    #[test]
    fn values_and_missing_values() {
        let packed = pack(&[Some("10.0.0.1"), None, Some(""), Some("é%%8223")], &[]);

        assert_eq!(packed.named_len(), 4);
        assert_eq!(packed.named_value(0), Some("10.0.0.1"));
        assert_eq!(packed.named_value(1), None);
        assert_eq!(packed.named_value(2), Some(""));
        assert_eq!(packed.named_value(3), Some("é%%8223"));
        assert_eq!(packed.block[0], 2);
    }

    #[test]
    fn other_fields_follow_manifest_values() {
        let packed = pack(&[Some("a")], &[("Extra", Some("7")), ("Empty", None)]);

        assert_eq!(packed.named_value(0), Some("a"));
        assert_eq!(packed.other_len(), 2);
        assert_eq!(packed.other_field(0), ("Extra", Some("7")));
        assert_eq!(packed.other_field(1), ("Empty", None));
    }

    #[test]
    fn long_texts_take_wide_offsets() {
        let long = "x".repeat(70_000);
        let packed = pack(&[Some("a"), None, Some(&long), Some("b")], &[]);

        assert_eq!(packed.block[0], 4);
        assert_eq!(packed.named_value(1), None);
        assert_eq!(packed.named_value(2), Some(long.as_str()));
        assert_eq!(packed.named_value(3), Some("b"));
    }

    #[test]
    fn text_just_below_wide_limit_stays_narrow() {
        let long = "y".repeat(0xffff);
        let packed = pack(&[Some(&long), None], &[]);

        assert_eq!(packed.block[0], 2);
        assert_eq!(packed.named_value(0), Some(long.as_str()));
        assert_eq!(packed.named_value(1), None);
    }

    fn pack_sharing(
        shared: &Arc<SharedValues>,
        named: &[Option<&str>],
        others: &[(&str, Option<&str>)],
    ) -> PackedTexts {
        fill(PackedTextsBuilder::default().sharing(shared), named, others)
    }

    #[test]
    fn shared_texts_stay_out_of_the_block() {
        let shared = Arc::new(SharedValues::default());
        let named = [
            Some("10.0.0.1"),
            Some("4500"),
            None,
            Some(""),
            Some("%%8223"),
        ];
        let others = [("Extra", Some("x")), ("Id", Some("17"))];

        let first = pack_sharing(&shared, &named, &others);
        let second = pack_sharing(&shared, &named, &others);

        for packed in [&first, &second] {
            assert_eq!(packed.named_value(0), Some("10.0.0.1"));
            assert_eq!(packed.named_value(1), Some("4500"));
            assert_eq!(packed.named_value(2), None);
            assert_eq!(packed.named_value(3), Some(""));
            assert_eq!(packed.named_value(4), Some("%%8223"));
            assert_eq!(packed.other_field(0), ("Extra", Some("x")));
            assert_eq!(packed.other_field(1), ("Id", Some("17")));
        }
        // "10.0.0.1", "%%8223", "Extra", "x" and "Id" are shared. "4500", "17" and "" are
        // kept in the block.
        assert_eq!(shared.len(), 5);
        assert_eq!(first.block.len(), 1 + (3 + 9 + 3) * 2 + "450017".len());
        assert_eq!(first, second);
        assert_eq!(first, pack(&named, &others));
    }

    #[test]
    fn different_texts_differ_when_shared() {
        let shared = Arc::new(SharedValues::default());

        let first = pack_sharing(&shared, &[Some("a"), Some("b")], &[]);
        let second = pack_sharing(&shared, &[Some("a"), Some("c")], &[]);
        let shorter = pack_sharing(&shared, &[Some("a")], &[]);

        assert_ne!(first, second);
        assert_ne!(first, shorter);
    }

    #[test]
    fn high_shared_numbers_take_wide_slots() {
        let shared = Arc::new(SharedValues::default());
        for number in 0..0x8000 {
            shared.number(&format!("v{number}"));
        }

        let low = pack_sharing(&shared, &[Some("v0"), Some("v32767")], &[]);
        let high = pack_sharing(&shared, &[Some("v0"), Some("v32768")], &[]);

        assert_eq!(low.block[0], 2);
        assert_eq!(high.block[0], 4);
        assert_eq!(low.named_value(1), Some("v32767"));
        assert_eq!(high.named_value(1), Some("v32768"));
    }

    #[test]
    fn full_store_leaves_texts_in_block() {
        let shared = Arc::new(SharedValues::default());
        for number in 0..crate::decode::shared_values::MAX_VALUES {
            shared.number(&format!("v{number}"));
        }

        let packed = pack_sharing(&shared, &[Some("v1"), Some("new")], &[]);

        assert_eq!(packed.named_value(0), Some("v1"));
        assert_eq!(packed.named_value(1), Some("new"));
        assert!(packed.block.ends_with(b"new"));
    }

    #[test]
    #[should_panic(expected = "manifest values come before other fields")]
    fn manifest_value_after_other_field_panics() {
        let mut builder = PackedTextsBuilder::default();
        builder.push_other("Extra", None);
        builder.push_named(Some("a"));
    }
}
