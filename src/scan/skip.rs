//! What the scan could not read, where, and why.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where in a file a problem sits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// The 4 KiB file header.
    FileHeader,
    /// A chunk by its index in the file and its byte offset.
    Chunk { index: u64, offset: u64 },
    /// A record by its EventRecordID, within a chunk.
    Record { chunk: u64, record_id: u64 },
    /// A record whose ID could not be read, by its byte offset in the file.
    RecordAt { chunk: u64, offset: u64 },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::FileHeader => write!(f, "file header"),
            Place::Chunk { index, offset } => write!(f, "chunk {index} at {offset:#x}"),
            // The export format names a record by its ID alone; the chunk is in `Place`.
            Place::Record { record_id, .. } => write!(f, "record {record_id}"),
            Place::RecordAt { chunk, offset } => {
                write!(f, "record at {offset:#x} in chunk {chunk}")
            }
        }
    }
}

/// Whether the problem cost data or only deserves a mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// Records were read anyway, such as from a chunk whose checksum is wrong.
    Warning,
    /// Data was skipped.
    Skipped,
}

/// One problem the scan met and went past.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    pub place: Place,
    pub severity: Severity,
    pub reason: String,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.reason)
    }
}
