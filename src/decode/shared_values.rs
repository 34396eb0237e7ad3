//! EventData texts stored once for all the events of one file.
//!
//! Most IPsec values repeat from event to event (a few reasons, addresses, codes, CAs), and
//! the page keeps every decoded event, so each event's packed block refers to such a value
//! by number instead of holding a copy.

use crate::report::word_hash::WordMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The maximum number of values one store keeps. Past it, a value new to the store stays in
/// its event's own block, which bounds the store for logs whose values rarely repeat.
pub(crate) const MAX_VALUES: usize = 1 << 16;

/// Values in the first segment. Each later segment has room for twice as many as the one
/// before.
const FIRST_SEGMENT: usize = 256;

/// Segments enough for [`MAX_VALUES`]: 256 · (2⁹ − 1) = 130,816 values.
const SEGMENTS: usize = 9;

/// Slots for the values of one segment, each set once.
type Segment = Box<[OnceLock<Arc<str>>]>;

/// An append-only list of texts, each numbered in the order it was first added.
///
/// Texts are read through `&self` while others are added, so that events can share one
/// store through an `Arc` while later events of the file are decoded. Each slot is set once
/// and a segment never moves once allocated, so a text read stays valid for as long as the
/// store lives.
pub struct SharedValues {
    /// Segment `k` contains the values numbered from `FIRST_SEGMENT · (2ᵏ − 1)` on,
    /// `FIRST_SEGMENT · 2ᵏ` of them.
    segments: [OnceLock<Segment>; SEGMENTS],
    /// The number of each text added, which also counts them.
    numbers: Mutex<WordMap<Arc<str>, u32>>,
}

impl Default for SharedValues {
    fn default() -> SharedValues {
        SharedValues {
            segments: std::array::from_fn(|_| OnceLock::new()),
            numbers: Mutex::default(),
        }
    }
}

impl SharedValues {
    /// Returns the number of `text`, adding it first when it is new. Returns `None` when the
    /// text is new and the store already contains [`MAX_VALUES`] texts.
    pub(crate) fn number(&self, text: &str) -> Option<u32> {
        let mut numbers = self.numbers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(number) = numbers.get(text) {
            return Some(*number);
        }
        if numbers.len() >= MAX_VALUES {
            return None;
        }
        let number = u32::try_from(numbers.len()).expect("MAX_VALUES fits in a u32");
        let (segment, offset) = locate(number);
        let slots = self.segments[segment].get_or_init(|| {
            (0..FIRST_SEGMENT << segment)
                .map(|_| OnceLock::new())
                .collect()
        });
        let value: Arc<str> = Arc::from(text);
        // Numbers are handed out once each under the lock, so the slot is still empty.
        let _ = slots[offset].set(Arc::clone(&value));
        numbers.insert(value, number);
        Some(number)
    }

    /// Returns the text numbered `number`.
    ///
    /// # Panics
    ///
    /// When no text has that number.
    pub(crate) fn text(&self, number: u32) -> &str {
        let (segment, offset) = locate(number);
        self.segments
            .get(segment)
            .and_then(|slots| slots.get()?.get(offset)?.get())
            .unwrap_or_else(|| panic!("no shared value is numbered {number}"))
    }

    /// Returns the number of texts in the store.
    pub(crate) fn len(&self) -> usize {
        self.numbers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Shows the number of texts, not the texts, which can be tens of thousands.
impl fmt::Debug for SharedValues {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SharedValues")
            .field("len", &self.len())
            .finish()
    }
}

/// Returns the segment of value `number` and its offset in that segment.
fn locate(number: u32) -> (usize, usize) {
    let number = number as usize;
    let segment = (number / FIRST_SEGMENT + 1).ilog2() as usize;
    (segment, number - FIRST_SEGMENT * ((1 << segment) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_get_one_number() {
        let values = SharedValues::default();

        let first = values.number("10.0.0.1");
        let second = values.number("10.0.0.2");
        let again = values.number("10.0.0.1");

        assert_eq!(first, Some(0));
        assert_eq!(second, Some(1));
        assert_eq!(again, Some(0));
        assert_eq!(values.text(0), "10.0.0.1");
        assert_eq!(values.text(1), "10.0.0.2");
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn segments_meet_without_gaps() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(255), (0, 255));
        assert_eq!(locate(256), (1, 0));
        assert_eq!(locate(767), (1, 511));
        assert_eq!(locate(768), (2, 0));
        let last = u32::try_from(MAX_VALUES - 1).unwrap();
        let (segment, offset) = locate(last);
        assert!(segment < SEGMENTS);
        assert!(offset < FIRST_SEGMENT << segment);
    }

    #[test]
    fn full_store_takes_no_new_text() {
        let values = SharedValues::default();
        for number in 0..MAX_VALUES {
            values.number(&number.to_string());
        }

        assert_eq!(values.number("new"), None);
        assert_eq!(values.number("7"), Some(7));
        assert_eq!(values.text(65_535), "65535");
        assert_eq!(values.len(), MAX_VALUES);
    }

    #[test]
    #[should_panic(expected = "no shared value is numbered 3")]
    fn unknown_number_panics() {
        let values = SharedValues::default();
        values.number("a");

        values.text(3);
    }
}
