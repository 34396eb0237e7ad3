//! Decoding: raw records of interest into typed IPsec events.
//!
//! Event 4983 gets a struct with its 18 EventData fields typed; the other IPsec events get a
//! generic form with fields named by the manifest. Both keep every stored value: a parameter
//! code keeps its raw text beside its words, and a number that does not fit stays as text.

pub mod codes;
pub mod event_4983;
pub mod family;
pub mod ipsec_event;
mod lookup;
pub mod messages;
pub mod number;
mod packed_texts;
pub mod render;
#[cfg(test)]
pub(crate) mod sample;
mod shared_names;
mod shared_values;

use crate::scan::interest::EVENT_4983;
use crate::scan::RawEvent;
use serde::{Deserialize, Serialize};

pub use codes::{code_text, describe_code, expand_codes};
pub use event_4983::{DataCell, Event4983, FIELDS_4983};
pub use family::{fields_for, FieldKind, FieldSpec};
pub use ipsec_event::{IpsecEvent, IpsecField};
pub use messages::message_template;
pub use number::Number;
pub use render::{render_message, render_template};
pub use shared_names::SharedNames;

/// A decoded record of interest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DecodedEvent {
    Failure4983(Box<Event4983>),
    Other(IpsecEvent),
}

/// Decodes a record by its event ID: 4983 typed, any other event generic.
pub fn decode_event(raw: &RawEvent) -> DecodedEvent {
    decode_event_sharing(raw, &mut SharedNames::default())
}

/// Decodes a record as [`decode_event`] does, taking the computer and provider names from
/// `names`.
pub fn decode_event_sharing(raw: &RawEvent, names: &mut SharedNames) -> DecodedEvent {
    if raw.event_id == EVENT_4983 {
        DecodedEvent::Failure4983(Box::new(Event4983::from_raw_sharing(raw, names)))
    } else {
        DecodedEvent::Other(IpsecEvent::from_raw_sharing(raw, names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::{raw_4983, raw_event};

    #[test]
    fn decode_event_splits_by_id() {
        let DecodedEvent::Failure4983(event) = decode_event(&raw_4983(4)) else {
            panic!("4983 should decode typed");
        };
        assert_eq!(event.record_id, 4);
        let DecodedEvent::Other(other) = decode_event(&raw_event(4984, 5, vec![])) else {
            panic!("4984 should decode generic");
        };
        assert_eq!(other.fields().len(), 13);
    }
}
