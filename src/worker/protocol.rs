//! Messages between the page and its scan workers, in postcard's binary format.
//!
//! A message crosses as the bytes of a `Uint8Array`, and a reply's buffer is transferred
//! rather than copied. Structured clones of JavaScript objects would cut 64-bit values
//! (QMFilterID, record IDs), because a JavaScript number has only 53 bits of precision.
//! Postcard writes every integer whole, as a varint. Its replies are also about half the
//! size of the JSON text the protocol used before, and encode and decode in 40 % of the
//! time (see docs/benchmarks.md, "Binary replies").
//!
//! NOTE: postcard does not describe its data, so serde attributes that need a
//! self-describing format (`untagged`, `flatten`, `skip_serializing_if`) break a type that
//! travels here. None of the types in [`Request`] and [`Reply`] use them, and the tests
//! below round-trip every one of them.

use crate::read::{FileHeader, HeaderError};
use crate::scan::xml::{RecordXml, XmlError};
use crate::scan::ChunkScan;
use crate::worker::sha256_parts::Sha256State;
use serde::{Deserialize, Serialize};

/// A job for a worker. The `File` it reads travels beside the request, not inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Read and check the file header.
    Header { job: u32 },
    /// Scan the chunk slots `first .. first + count`.
    Chunks { job: u32, first: u64, count: u64 },
    /// Compute the SHA-256 of the whole file, reading it in order. The pool sends it to a
    /// worker as [`Request::HashPart`]s.
    Hash { job: u32 },
    /// Continue the SHA-256 of the file from `state`, whose length is where this part starts,
    /// up to byte `to`. The last part ends at the file's end.
    HashPart {
        job: u32,
        to: u64,
        state: Sha256State,
    },
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
            | Request::HashPart { job, .. }
            | Request::Panic { job, .. }
            | Request::Xml { job, .. } => *job,
        }
    }

    /// Says what the user loses when the worker running this request stops before it
    /// replies, and why (`cause`).
    pub fn lost(&self, cause: &str) -> String {
        match *self {
            Request::Header { .. } => {
                format!("the file header was not read, so no record was read: {cause}")
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
            Request::Hash { .. } | Request::HashPart { .. } => {
                format!("the SHA-256 was not computed: {cause}")
            }
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
    /// The file's SHA-256 as lowercase hex, or what stopped it, as [`Request::lost`] words it.
    Hash {
        job: u32,
        sha256: Result<String, String>,
    },
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
    /// The hash of file `job` has read `bytes` bytes so far. It comes before the
    /// [`Reply::Hash`] of the same request, which remains the request's reply.
    HashProgress { job: u32, bytes: u64 },
    /// A [`Request::HashPart`] that did not reach the file's end is done; the next part
    /// goes on from `state`.
    HashPart { job: u32, state: Sha256State },
}

/// A failure to decode a message between the page and a worker, with its reason. The
/// receiver adds which worker and request it concerns.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The message was not a `Uint8Array`, such as text from a worker of another build.
    #[error("the message is not binary data but a JavaScript {found}")]
    NotBinary { found: String },
    /// The bytes do not hold a message of type `kind`.
    #[error("the {length}-byte {kind} message is invalid at byte {offset}: {cause}")]
    Invalid {
        kind: &'static str,
        length: usize,
        offset: usize,
        #[source]
        cause: postcard::Error,
    },
    /// A whole message was read and bytes remain after it.
    #[error("the {length}-byte {kind} message has {extra} bytes left after its end")]
    TrailingBytes {
        kind: &'static str,
        length: usize,
        extra: usize,
    },
}

/// Encodes a message in postcard's format.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Serializing to a growing Vec fails only when a `Serialize` implementation reports an
    // error or gives a sequence of unknown length, and the derived ones used here do neither.
    postcard::to_allocvec(message).expect("protocol messages have only sequences of known length")
}

/// Decodes a whole message of type `T`; any byte left over is an error.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, ProtocolError> {
    let kind = message_kind::<T>();
    let mut deserializer = postcard::Deserializer::from_bytes(bytes);
    let result = T::deserialize(&mut deserializer);
    let rest = deserializer.finalize().unwrap_or_default();
    match result {
        Ok(_) if !rest.is_empty() => Err(ProtocolError::TrailingBytes {
            kind,
            length: bytes.len(),
            extra: rest.len(),
        }),
        Ok(message) => Ok(message),
        Err(cause) => Err(ProtocolError::Invalid {
            kind,
            length: bytes.len(),
            offset: bytes.len() - rest.len(),
            cause,
        }),
    }
}

/// Encodes a message as a `Uint8Array` that owns its own `ArrayBuffer`, which a
/// `postMessage` can therefore transfer.
#[cfg(target_arch = "wasm32")]
pub fn encode_js<T: Serialize>(message: &T) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(encode(message).as_slice())
}

/// Decodes a message that arrived as a JavaScript value, which must be a `Uint8Array`.
#[cfg(target_arch = "wasm32")]
pub fn decode_js<T: for<'de> Deserialize<'de>>(
    value: &wasm_bindgen::JsValue,
) -> Result<T, ProtocolError> {
    use wasm_bindgen::JsCast;
    match value.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes) => decode(&bytes.to_vec()),
        None => Err(ProtocolError::NotBinary {
            found: value.js_typeof().as_string().unwrap_or_default(),
        }),
    }
}

/// Returns the last segment of `T`'s type name, such as `Reply`, for error messages.
fn message_kind<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filetime::FileTime;
    use crate::fixture::samples::{SecurityTraffic, TrafficOptions};
    use crate::fixture::{damage, hostile, samples, write_evtx};
    use crate::read::{chunk_offset, chunk_slots, CHUNK_SIZE};
    use crate::scan::xml::Caveat;
    use crate::scan::{scan_chunk, DataField, FieldValue, Place, RawEvent, Severity, Skip};

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
            "the file header was not read, so no record was read: x"
        );
        assert_eq!(
            Request::Hash { job: 0 }.lost("x"),
            "the SHA-256 was not computed: x"
        );
    }

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

    fn round_trip<T>(message: &T)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let back: T = decode(&encode(message)).unwrap();
        assert_eq!(&back, message);
    }

    /// Writes traffic with 4983 events among others, the hostile 4983 events and the known
    /// samples, then damages chunk 1's data CRC and one record of chunk 2.
    fn damaged_fixture_log() -> Vec<u8> {
        let options = TrafficOptions {
            ratio_4983: 0.2,
            ..TrafficOptions::default()
        };
        let mut events: Vec<_> = SecurityTraffic::new(&options).take(600).collect();
        events.extend(hostile::hostile_4983());
        events.extend(samples::known_4983());
        for (index, event) in events.iter_mut().enumerate() {
            event.record_id = index as u64 + 1;
        }
        // The writer computes the next record ID, so u64::MAX itself would overflow it.
        events.last_mut().unwrap().record_id = u64::MAX - 1;
        let mut bytes = write_evtx(&events).unwrap();
        assert!(
            chunk_slots(bytes.len() as u64) >= 3,
            "the log needs 3 chunks"
        );
        damage::corrupt_chunk_data_crc(&mut bytes, 1).unwrap();
        damage::zero_record_size(&mut bytes, 2, 5).unwrap();
        bytes
    }

    /// An event with the field kinds that the fixture writer cannot store.
    fn event_with_rare_values() -> RawEvent {
        let field = |name: &str, value| DataField {
            name: name.to_owned(),
            value,
        };
        RawEvent {
            event_id: 4983,
            version: 255,
            record_id: u64::MAX,
            time_created: FileTime(u64::MAX),
            provider: "Microsoft-Windows-Security-Auditing".to_owned(),
            computer: "h\u{202e}ost\u{0}".to_owned(),
            data: vec![
                field("Null", FieldValue::Null),
                field("Signed", FieldValue::Signed(i64::MIN)),
                field("Other", FieldValue::Other("[true,1.5]".to_owned())),
                field("QMFilterID", FieldValue::Unsigned(u64::MAX)),
                field("Empty", FieldValue::Text(String::new())),
            ],
            recovered: true,
        }
    }

    fn kind_name(value: &FieldValue) -> &'static str {
        match value {
            FieldValue::Null => "Null",
            FieldValue::Text(_) => "Text",
            FieldValue::Unsigned(_) => "Unsigned",
            FieldValue::Signed(_) => "Signed",
            FieldValue::Other(_) => "Other",
        }
    }

    #[test]
    fn fixture_log_replies_round_trip() {
        let bytes = damaged_fixture_log();
        let mut scans: Vec<ChunkScan> = (0..chunk_slots(bytes.len() as u64))
            .map(|index| {
                let start = chunk_offset(index) as usize;
                let end = (start + CHUNK_SIZE as usize).min(bytes.len());
                scan_chunk(index, start as u64, bytes[start..end].to_vec())
            })
            .collect();
        scans[0].events.push(event_with_rare_values());

        let events = scans.iter().flat_map(|scan| &scan.events);
        let mut kinds: Vec<&str> = events
            .flat_map(|event| &event.data)
            .map(|field| kind_name(&field.value))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds, ["Null", "Other", "Signed", "Text", "Unsigned"]);
        let skips: Vec<_> = scans.iter().flat_map(|scan| &scan.skipped).collect();
        assert!(skips.iter().any(|skip| skip.severity == Severity::Warning));
        assert!(skips.iter().any(|skip| skip.severity == Severity::Skipped));
        assert!(skips
            .iter()
            .any(|skip| matches!(skip.place, Place::Chunk { .. })));
        assert!(scans.iter().any(|scan| scan.recovered));

        for (batch, chunk_scans) in scans.chunks(2).enumerate() {
            let first = batch as u64 * 2;
            round_trip(&Reply::Chunks {
                job: u32::MAX,
                first,
                count: chunk_scans.len() as u64,
                bytes_read: chunk_scans.len() as u64 * CHUNK_SIZE,
                scans: chunk_scans.to_vec(),
            });
        }
    }

    #[test]
    fn every_place_and_empty_scan_round_trip() {
        let skip = |place, severity| Skip {
            place,
            severity,
            reason: "reason \u{1F600}".to_owned(),
        };
        let scan = ChunkScan {
            index: u64::MAX,
            offset: u64::MAX,
            empty: true,
            recovered: true,
            records: u64::MAX,
            event_counts: [(0, 0), (4983, u64::MAX), (u32::MAX, 1)].into(),
            events: Vec::new(),
            skipped: vec![
                skip(Place::FileHeader, Severity::Warning),
                skip(
                    Place::Chunk {
                        index: 1,
                        offset: u64::MAX,
                    },
                    Severity::Skipped,
                ),
                skip(
                    Place::Record {
                        chunk: 2,
                        record_id: u64::MAX,
                    },
                    Severity::Skipped,
                ),
                skip(
                    Place::RecordAt {
                        chunk: 3,
                        offset: 0x73060,
                    },
                    Severity::Warning,
                ),
            ],
            first_record_id: Some(0),
            last_record_id: None,
            first_time: Some(FileTime(u64::MAX)),
            last_time: None,
        };
        round_trip(&Reply::Chunks {
            job: 0,
            first: 0,
            count: 2,
            bytes_read: 0,
            scans: vec![scan, ChunkScan::default()],
        });
    }

    #[test]
    fn other_replies_round_trip() {
        round_trip(&Reply::Ready);
        round_trip(&Reply::Header {
            job: 1,
            header: Ok(FileHeader {
                first_chunk_number: u64::MAX,
                last_chunk_number: 0,
                next_record_id: u64::MAX,
                major_version: 3,
                minor_version: 1,
                chunk_count: u16::MAX,
                dirty: true,
                full: false,
                checksum_valid: true,
            }),
        });
        round_trip(&Reply::Header {
            job: 2,
            header: Err(HeaderError::TooShort { size: u64::MAX }),
        });
        round_trip(&Reply::Header {
            job: 3,
            header: Err(HeaderError::BadMagic {
                found: "\"MZ\\x90\\0\"".to_owned(),
            }),
        });
        round_trip(&Reply::Hash {
            job: 4,
            sha256: Ok(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_owned(),
            ),
        });
        round_trip(&Reply::Hash {
            job: 5,
            sha256: Err("the SHA-256 was not computed: NotReadableError".to_owned()),
        });
        round_trip(&Reply::Failed {
            job: u32::MAX,
            message: "reading the file failed: NotReadableError".to_owned(),
        });
        round_trip(&Reply::HashProgress {
            job: 6,
            bytes: u64::MAX,
        });
        round_trip(&Reply::HashPart {
            job: 6,
            state: Sha256State {
                words: [u32::MAX; 8],
                length: u64::MAX - 63,
            },
        });
        round_trip(&Reply::Panicked {
            message: "panicked at src/scan/mod.rs:1:1: boom".to_owned(),
        });
    }

    #[test]
    fn xml_replies_round_trip() {
        let xml_reply = |xml| Reply::Xml {
            job: 5,
            chunk: 6,
            record_id: u64::MAX,
            xml,
        };
        round_trip(&xml_reply(Ok(RecordXml {
            xml: "<?xml version=\"1.0\"?>\n<Event/>".to_owned(),
            caveats: vec![
                Caveat::HeaderChecksum,
                Caveat::DataChecksum,
                Caveat::CutOff { length: u64::MAX },
                Caveat::Carved,
            ],
        })));
        let reason = || "why".to_owned();
        let (chunk, record_id) = (6, u64::MAX);
        let errors = [
            XmlError::EmptyChunk { chunk, record_id },
            XmlError::ShortChunk {
                chunk,
                record_id,
                length: 100,
            },
            XmlError::BadSignature {
                chunk,
                record_id,
                reason: reason(),
            },
            XmlError::Header {
                chunk,
                record_id,
                reason: reason(),
            },
            XmlError::Tables {
                chunk,
                record_id,
                reason: reason(),
            },
            XmlError::Render {
                chunk,
                record_id,
                reason: reason(),
            },
            XmlError::NotFound {
                chunk,
                record_id,
                records: 3,
                unreadable: 1,
                cut_at: Some(u64::MAX),
            },
            XmlError::NotFound {
                chunk,
                record_id,
                records: 0,
                unreadable: 0,
                cut_at: None,
            },
            XmlError::Read {
                chunk,
                record_id,
                reason: reason(),
            },
            XmlError::Worker {
                chunk,
                record_id,
                reason: reason(),
            },
        ];
        for error in errors {
            round_trip(&xml_reply(Err(error)));
        }
    }

    #[test]
    fn requests_round_trip() {
        round_trip(&Request::Header { job: 0 });
        round_trip(&Request::Chunks {
            job: 1,
            first: u64::MAX - 64,
            count: 64,
        });
        round_trip(&Request::Hash { job: u32::MAX });
        round_trip(&Request::HashPart {
            job: 3,
            to: 1 << 40,
            state: Sha256State::INITIAL,
        });
        round_trip(&Request::Panic {
            job: 2,
            first: 0,
            count: 16,
        });
        round_trip(&Request::Xml {
            job: 3,
            chunk: 9,
            record_id: u64::MAX,
        });
    }

    fn sample_reply() -> Vec<u8> {
        encode(&Reply::Chunks {
            job: 7,
            first: 0,
            count: 1,
            bytes_read: 65536,
            scans: vec![ChunkScan {
                events: vec![event_with_rare_values()],
                ..ChunkScan::default()
            }],
        })
    }

    #[test]
    fn cut_reply_is_an_error() {
        let bytes = sample_reply();
        for length in 0..bytes.len() {
            let result = decode::<Reply>(&bytes[..length]);
            assert!(result.is_err(), "{length} of {} bytes decoded", bytes.len());
        }
        let error = decode::<Reply>(&bytes[..10]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the 10-byte Reply message is invalid at byte 10: Hit the end of buffer, \
             expected more data"
        );
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let mut bytes = encode(&Reply::Ready);
        bytes.extend([0, 0]);
        let error = decode::<Reply>(&bytes).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the 3-byte Reply message has 2 bytes left after its end"
        );
    }

    #[test]
    fn unknown_reply_variant_is_an_error() {
        let error = decode::<Reply>(&[200, 1]).unwrap_err();
        assert!(
            matches!(error, ProtocolError::Invalid { offset: 2, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn damaged_reply_bytes_do_not_panic() {
        let bytes = sample_reply();
        for at in 0..bytes.len() {
            for value in [0x00, 0x7f, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] = value;
                // Any outcome but a panic is fine: some changes still form a valid reply.
                let _ = decode::<Reply>(&damaged);
            }
        }
    }

    #[test]
    fn request_is_not_a_reply() {
        let bytes = encode(&Request::Xml {
            job: 3,
            chunk: 9,
            record_id: u64::MAX,
        });
        assert!(decode::<Reply>(&bytes).is_err());
    }
}
