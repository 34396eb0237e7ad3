//! The EventData texts of one IPsec event, packed into one heap block.
//!
//! The page keeps every decoded event of every dropped file, so one block per event, with
//! small offsets instead of a string header per value, saves most of an event's memory.

/// Value texts of an event's fields, then the name and value of each field the manifest
/// list does not have, all in one block.
///
/// Layout: byte 0 is the width `w` of every number that follows (2 or 4 bytes,
/// little-endian). Next come the number of manifest values and the number of other fields,
/// then the end offset of each text (one per manifest value, a name and a value per other
/// field), then all texts back to back. The top bit of an end marks a missing or Null
/// value, whose text is empty. An event without fields has an empty block, which does not
/// allocate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PackedTexts(Box<[u8]>);

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
        self.0.first().map_or(0, |width| usize::from(*width))
    }

    /// Reads header number `position`. Numbers 0 and 1 are the counts, and the ends follow.
    fn number(&self, position: usize) -> usize {
        let width = self.width();
        if width == 0 {
            return 0;
        }
        let start = 1 + position * width;
        // Two fixed-size reads instead of one of `width` bytes, because each value read
        // decodes up to 5 numbers and a copy of variable length costs a call each.
        if width == 2 {
            usize::from(u16::from_le_bytes([self.0[start], self.0[start + 1]]))
        } else {
            let bytes = [
                self.0[start],
                self.0[start + 1],
                self.0[start + 2],
                self.0[start + 3],
            ];
            u32::from_le_bytes(bytes) as usize
        }
    }

    fn text(&self, slot: usize) -> Option<&str> {
        let missing = missing_bit(self.width());
        let end = self.number(2 + slot);
        if end & missing != 0 {
            return None;
        }
        let start = match slot {
            0 => 0,
            _ => self.number(1 + slot) & !missing,
        };
        let slots = self.named_len() + 2 * self.other_len();
        let texts = 1 + (2 + slots) * self.width();
        let bytes = &self.0[texts + start..texts + end];
        Some(std::str::from_utf8(bytes).expect("each packed text is a whole UTF-8 string"))
    }
}

fn missing_bit(width: usize) -> usize {
    1 << (8 * width - 1)
}

/// Collects an event's texts: every manifest value first, then the other fields.
#[derive(Debug, Default)]
pub(crate) struct PackedTextsBuilder {
    named: usize,
    others: usize,
    /// The end of each text in `texts`, and whether the value is missing.
    ends: Vec<(usize, bool)>,
    texts: String,
}

impl PackedTextsBuilder {
    /// Starts an event with room for `fields` manifest values or other fields.
    pub(crate) fn with_capacity(fields: usize) -> PackedTextsBuilder {
        PackedTextsBuilder {
            ends: Vec::with_capacity(fields),
            ..PackedTextsBuilder::default()
        }
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
        self.texts.push_str(text.unwrap_or(""));
        self.ends.push((self.texts.len(), text.is_none()));
    }

    /// Packs the texts into one block, with 2-byte numbers when all of them fit.
    pub(crate) fn finish(self) -> PackedTexts {
        if self.ends.is_empty() {
            return PackedTexts::default();
        }
        let largest = self.texts.len().max(self.named).max(self.others);
        let width: usize = if largest < missing_bit(2) { 2 } else { 4 };
        assert!(largest < missing_bit(4), "an event's texts exceed 2 GiB");
        let mut block = Vec::with_capacity(1 + (2 + self.ends.len()) * width + self.texts.len());
        block.push(width as u8);
        let mut put = |number: usize| {
            let bytes = (number as u32).to_le_bytes();
            block.extend_from_slice(&bytes[..width]);
        };
        put(self.named);
        put(self.others);
        for (end, missing) in self.ends {
            put(if missing {
                end | missing_bit(width)
            } else {
                end
            });
        }
        block.extend_from_slice(self.texts.as_bytes());
        PackedTexts(block.into_boxed_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(named: &[Option<&str>], others: &[(&str, Option<&str>)]) -> PackedTexts {
        let mut builder = PackedTextsBuilder::default();
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

        assert_eq!(packed.0.len(), 0);
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
        assert_eq!(packed.0[0], 2);
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
        let long = "x".repeat(40_000);
        let packed = pack(&[Some("a"), None, Some(&long), Some("b")], &[]);

        assert_eq!(packed.0[0], 4);
        assert_eq!(packed.named_value(1), None);
        assert_eq!(packed.named_value(2), Some(long.as_str()));
        assert_eq!(packed.named_value(3), Some("b"));
    }

    #[test]
    fn text_just_below_wide_limit_stays_narrow() {
        let long = "y".repeat(0x7fff);
        let packed = pack(&[Some(&long), None], &[]);

        assert_eq!(packed.0[0], 2);
        assert_eq!(packed.named_value(0), Some(long.as_str()));
        assert_eq!(packed.named_value(1), None);
    }

    #[test]
    #[should_panic(expected = "manifest values come before other fields")]
    fn manifest_value_after_other_field_panics() {
        let mut builder = PackedTextsBuilder::default();
        builder.push_other("Extra", None);
        builder.push_named(Some("a"));
    }
}
