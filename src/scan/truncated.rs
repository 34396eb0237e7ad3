//! Cut-off last chunks: keep the whole records before the end of the file, and nothing of
//! the record the end cuts through.
//!
//! The scan pads a cut-off chunk with zero bytes to the chunk size. Without this step the
//! parser reads those zeros as the rest of the cut record and reports values that were
//! never in the log, such as EventRecordID 0 or a 4983 with empty fields.

use crate::read::header::read_u32;

const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_MAGIC: [u8; 4] = [0x2a, 0x2a, 0x00, 0x00];
/// Record header (24 bytes) plus the trailing size copy (4 bytes).
const MIN_RECORD_SIZE: usize = 28;

/// Zeroes the record that the end of `bytes` cuts through, if any, and returns its offset
/// in the chunk. Stops at the first place that is not a record header, because what
/// follows is free space (or damage that the parser reports on its own).
pub fn drop_partial_record(bytes: &mut [u8]) -> Option<usize> {
    let mut position = CHUNK_HEADER_SIZE;
    while position < bytes.len() {
        if position + 8 > bytes.len() {
            return zero_from(bytes, position);
        }
        if bytes[position..position + 4] != RECORD_MAGIC {
            return None;
        }
        let size = read_u32(bytes, position + 4) as usize;
        if size < MIN_RECORD_SIZE {
            return None;
        }
        if position + size > bytes.len() {
            return zero_from(bytes, position);
        }
        position += size;
    }
    None
}

fn zero_from(bytes: &mut [u8], position: usize) -> Option<usize> {
    bytes[position..].fill(0);
    Some(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: usize) -> Vec<u8> {
        let mut bytes = vec![0xab; size];
        bytes[..4].copy_from_slice(&RECORD_MAGIC);
        bytes[4..8].copy_from_slice(&(size as u32).to_le_bytes());
        bytes
    }

    fn chunk_with(records: &[usize]) -> Vec<u8> {
        let mut bytes = vec![0x11; CHUNK_HEADER_SIZE];
        for size in records {
            bytes.extend(record(*size));
        }
        bytes
    }

    #[test]
    fn whole_records_are_kept() {
        let mut bytes = chunk_with(&[100, 200]);
        let before = bytes.clone();
        assert_eq!(drop_partial_record(&mut bytes), None);
        assert_eq!(bytes, before);
    }

    #[test]
    fn cut_record_is_zeroed() {
        let mut bytes = chunk_with(&[100, 200]);
        bytes.truncate(CHUNK_HEADER_SIZE + 100 + 50);
        assert_eq!(
            drop_partial_record(&mut bytes),
            Some(CHUNK_HEADER_SIZE + 100)
        );
        assert!(bytes[CHUNK_HEADER_SIZE + 100..].iter().all(|b| *b == 0));
        assert_eq!(bytes[CHUNK_HEADER_SIZE + 99], 0xab);
    }

    #[test]
    fn cut_record_header_is_zeroed() {
        let mut bytes = chunk_with(&[100, 200]);
        bytes.truncate(CHUNK_HEADER_SIZE + 100 + 5);
        assert_eq!(
            drop_partial_record(&mut bytes),
            Some(CHUNK_HEADER_SIZE + 100)
        );
    }

    #[test]
    fn free_space_stops_the_walk() {
        let mut bytes = chunk_with(&[100]);
        bytes.extend([0u8; 40]);
        assert_eq!(drop_partial_record(&mut bytes), None);
    }
}
