//! Messages between the page and its scan workers, as JSON text.
//!
//! JSON text rather than structured clones keeps 64-bit values (QMFilterID, record IDs)
//! whole, since a JavaScript number holds only 53 bits.

use crate::read::{FileHeader, HeaderError};
use crate::scan::xml::{RecordXml, XmlError};
use crate::scan::ChunkScan;
use serde::{Deserialize, Serialize};

/// A job for a worker. The `File` it reads travels beside the request, not inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Read and check the file header.
    Header { job: u32 },
    /// Scan the chunk slots `first .. first + count`.
    Chunks { job: u32, first: u64, count: u64 },
    /// Compute the SHA-256 of the whole file, reading it in order.
    Hash { job: u32 },
    /// Panic on purpose instead of scanning these chunk slots, so tests can prove that a
    /// crashed worker costs only its request.
    Panic { job: u32, first: u64, count: u64 },
    /// Read chunk slot `chunk` again and render record `record_id` in it as XML.
    Xml {
        job: u32,
        chunk: u64,
        record_id: u64,
    },
}

impl Request {
    pub fn job(&self) -> u32 {
        match self {
            Request::Header { job }
            | Request::Chunks { job, .. }
            | Request::Hash { job }
            | Request::Panic { job, .. }
            | Request::Xml { job, .. } => *job,
        }
    }

    /// Says what the user loses when the worker running this request stops before it
    /// replies, and why (`cause`).
    pub fn lost(&self, cause: &str) -> String {
        match *self {
            Request::Header { .. } => {
                format!("the file header was not read, so no record was: {cause}")
            }
            Request::Chunks { first, count, .. } | Request::Panic { first, count, .. } => {
                match count {
                    0 | 1 => format!("chunk {first} was not read: {cause}"),
                    _ => format!(
                        "chunks {first} to {} ({count} chunks) were not read: {cause}",
                        first + count - 1
                    ),
                }
            }
            Request::Hash { .. } => format!("the SHA-256 was not computed: {cause}"),
            Request::Xml {
                chunk, record_id, ..
            } => format!("record {record_id} in chunk {chunk} was not rendered: {cause}"),
        }
    }
}

/// A worker's reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// The worker has loaded and takes requests.
    Ready,
    Header {
        job: u32,
        header: Result<FileHeader, HeaderError>,
    },
    Chunks {
        job: u32,
        first: u64,
        count: u64,
        bytes_read: u64,
        scans: Vec<ChunkScan>,
    },
    /// The file's SHA-256 as lowercase hex.
    Hash { job: u32, sha256: String },
    /// The reply to [`Request::Xml`]; a failure here concerns only that record.
    Xml {
        job: u32,
        chunk: u64,
        record_id: u64,
        xml: Result<RecordXml, XmlError>,
    },
    /// The request failed as a whole, such as when the browser could not read the file.
    Failed { job: u32, message: String },
    /// The worker panicked; it is unusable and the page replaces it.
    Panicked { message: String },
}

/// Why a message from a worker could not be understood.
#[derive(Debug, thiserror::Error)]
#[error("invalid message from a scan worker: {0}")]
pub struct ProtocolError(#[from] serde_json::Error);

pub fn encode<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).expect("protocol messages contain only serializable data")
}

pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ProtocolError> {
    Ok(serde_json::from_str(text)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lost_requests_name_what_is_missing() {
        let cause = "a worker stopped on an internal error (boom)";
        let batch = Request::Chunks {
            job: 0,
            first: 16,
            count: 16,
        };
        assert_eq!(
            batch.lost(cause),
            "chunks 16 to 31 (16 chunks) were not read: a worker stopped on an internal error \
             (boom)"
        );
        let single = Request::Panic {
            job: 0,
            first: 3,
            count: 1,
        };
        assert_eq!(single.lost("x"), "chunk 3 was not read: x");
        assert_eq!(
            Request::Header { job: 0 }.lost("x"),
            "the file header was not read, so no record was: x"
        );
        assert_eq!(
            Request::Hash { job: 0 }.lost("x"),
            "the SHA-256 was not computed: x"
        );
    }

    use super::*;

    #[test]
    fn reply_keeps_u64_record_ids_whole() {
        let scan = ChunkScan {
            first_record_id: Some(u64::MAX),
            ..ChunkScan::default()
        };
        let reply = Reply::Chunks {
            job: 1,
            first: 0,
            count: 1,
            bytes_read: 65536,
            scans: vec![scan],
        };
        let back: Reply = decode(&encode(&reply)).unwrap();
        assert_eq!(back, reply);
    }

    #[test]
    fn xml_reply_crosses_intact() {
        let reply = Reply::Xml {
            job: 3,
            chunk: 9,
            record_id: u64::MAX,
            xml: Ok(RecordXml {
                xml: "<Event>&lt;</Event>".to_owned(),
                caveats: vec![crate::scan::xml::Caveat::Carved],
            }),
        };
        let back: Reply = decode(&encode(&reply)).unwrap();
        assert_eq!(back, reply);
    }

    #[test]
    fn header_error_crosses_intact() {
        let reply = Reply::Header {
            job: 7,
            header: Err(HeaderError::Empty),
        };
        let back: Reply = decode(&encode(&reply)).unwrap();
        assert_eq!(back, reply);
    }
}
