//! The EVTX file header and where a file's chunks sit.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Size of the file header block that precedes the first chunk.
pub const FILE_HEADER_SIZE: u64 = 4096;
/// Size of every chunk.
pub const CHUNK_SIZE: u64 = 65536;

const FILE_MAGIC: &[u8; 8] = b"ElfFile\0";
const FLAG_DIRTY: u32 = 0x1;
const FLAG_FULL: u32 = 0x2;
const FLAG_NO_CRC32: u32 = 0x4;

/// Why a file cannot be read as EVTX at all.
#[derive(Debug, Error, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeaderError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error(
        "the file is {size} {}, shorter than the 128-byte EVTX file header",
        if *size == 1 { "byte" } else { "bytes" }
    )]
    TooShort { size: u64 },
    #[error("not an EVTX file: it starts with {found} instead of the signature \"ElfFile\\0\"")]
    BadMagic { found: String },
}

/// The facts of the file header that the report shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHeader {
    pub first_chunk_number: u64,
    pub last_chunk_number: u64,
    pub next_record_id: u64,
    pub major_version: u16,
    pub minor_version: u16,
    pub chunk_count: u16,
    /// Windows did not close the log cleanly, so chunks past `chunk_count` may hold records.
    pub dirty: bool,
    /// The log reached its maximum size.
    pub full: bool,
    /// The stored CRC32 of the first 120 bytes matches, or the header says it has none.
    pub checksum_valid: bool,
}

impl FileHeader {
    /// Returns how many of the chunks this header counts lie past a file with room for
    /// `slots` chunks, as in a copy that stopped early or a header whose chunk count is
    /// damaged.
    pub fn chunks_missing(&self, slots: u64) -> u64 {
        u64::from(self.chunk_count).saturating_sub(slots)
    }

    /// Reads the header from the first bytes of a file (128 at least).
    pub fn parse(bytes: &[u8], file_size: u64) -> Result<FileHeader, HeaderError> {
        if file_size == 0 {
            return Err(HeaderError::Empty);
        }
        if bytes.len() < 128 {
            return Err(HeaderError::TooShort { size: file_size });
        }
        if &bytes[..8] != FILE_MAGIC {
            return Err(HeaderError::BadMagic {
                found: describe_magic(&bytes[..8]),
            });
        }
        let flags = read_u32(bytes, 120);
        let stored_checksum = read_u32(bytes, 124);
        let checksum_valid = flags & FLAG_NO_CRC32 != 0 || stored_checksum == crc32(&bytes[..120]);
        Ok(FileHeader {
            first_chunk_number: read_u64(bytes, 8),
            last_chunk_number: read_u64(bytes, 16),
            next_record_id: read_u64(bytes, 24),
            minor_version: read_u16(bytes, 36),
            major_version: read_u16(bytes, 38),
            chunk_count: read_u16(bytes, 42),
            dirty: flags & FLAG_DIRTY != 0,
            full: flags & FLAG_FULL != 0,
            checksum_valid,
        })
    }
}

/// The byte offset of chunk `index`.
pub fn chunk_offset(index: u64) -> u64 {
    FILE_HEADER_SIZE + index * CHUNK_SIZE
}

/// How many chunk slots a file of `file_size` bytes has, counting a cut-off last one.
///
/// Every slot is read, not only the header's `chunk_count`, because logs copied while open
/// hold chunks the header does not count yet.
pub fn chunk_slots(file_size: u64) -> u64 {
    file_size
        .saturating_sub(FILE_HEADER_SIZE)
        .div_ceil(CHUNK_SIZE)
}

/// Shows the first bytes of a non-EVTX file as printable ASCII or hex, for the error text.
fn describe_magic(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("\"{}\"", String::from_utf8_lossy(bytes))
    } else {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

pub(crate) fn read_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4-byte slice"))
}

pub(crate) fn read_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8-byte slice"))
}

/// CRC32 (IEEE), as EVTX headers use it.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_bytes() -> Vec<u8> {
        let mut bytes = vec![0u8; 4096];
        bytes[..8].copy_from_slice(FILE_MAGIC);
        bytes[42..44].copy_from_slice(&3u16.to_le_bytes());
        bytes[120..124].copy_from_slice(&FLAG_DIRTY.to_le_bytes());
        let checksum = crc32(&bytes[..120]);
        bytes[124..128].copy_from_slice(&checksum.to_le_bytes());
        bytes
    }

    #[test]
    fn parse_reads_count_and_flags() {
        let header = FileHeader::parse(&header_bytes(), 4096).unwrap();
        assert_eq!(header.chunk_count, 3);
        assert!(header.dirty);
        assert!(!header.full);
        assert!(header.checksum_valid);
    }

    #[test]
    fn parse_flags_a_wrong_checksum() {
        let mut bytes = header_bytes();
        bytes[24] = 9;
        assert!(!FileHeader::parse(&bytes, 4096).unwrap().checksum_valid);
    }

    #[test]
    fn parse_rejects_other_files() {
        assert_eq!(FileHeader::parse(&[], 0), Err(HeaderError::Empty));
        assert_eq!(
            FileHeader::parse(b"MZ", 2),
            Err(HeaderError::TooShort { size: 2 })
        );
        let text =
            b"PK\x03\x04rest of a zip file........................................".repeat(3);
        let error = FileHeader::parse(&text, text.len() as u64).unwrap_err();
        assert_eq!(error.to_string(), "not an EVTX file: it starts with bytes 50 4b 03 04 72 65 73 74 instead of the signature \"ElfFile\\0\"");
    }

    #[test]
    fn too_short_message_counts_bytes() {
        let single = HeaderError::TooShort { size: 1 }.to_string();
        let plural = HeaderError::TooShort { size: 2 }.to_string();

        assert_eq!(
            single,
            "the file is 1 byte, shorter than the 128-byte EVTX file header"
        );
        assert!(plural.starts_with("the file is 2 bytes,"));
    }

    #[test]
    fn chunk_slots_count_a_cut_off_chunk() {
        assert_eq!(chunk_slots(4096), 0);
        assert_eq!(chunk_slots(4096 + 65536), 1);
        assert_eq!(chunk_slots(4096 + 65537), 2);
        assert_eq!(chunk_offset(2), 4096 + 2 * 65536);
    }
}
