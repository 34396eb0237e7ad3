//! SHA-256 over a file in parts, each part hashed by a worker that may not be the one that
//! hashed the part before.
//!
//! A worker's reads leave garbage that V8 frees only in a rare full collection, so the pool
//! replaces a worker after it has read a set amount (see `worker::schedule::RECYCLE_BYTES`).
//! A hash that read a 4 GiB file in one request kept one worker alive for all of it. The
//! hash therefore goes in parts whose ends fall on whole 64-byte blocks, and between two
//! parts its state travels in the request: the eight words of the compression function and
//! the bytes hashed so far.

use serde::{Deserialize, Serialize};
use sha2::digest::generic_array::GenericArray;

/// The bytes SHA-256 compresses at a time.
pub const BLOCK: usize = 64;

/// The state of a SHA-256 between two parts, at a block boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sha256State {
    pub words: [u32; 8],
    /// Bytes hashed so far; a multiple of [`BLOCK`].
    pub length: u64,
}

impl Sha256State {
    /// The state before the first byte (FIPS 180-4, section 5.3.3).
    pub const INITIAL: Sha256State = Sha256State {
        words: [
            0x6a09_e667,
            0xbb67_ae85,
            0x3c6e_f372,
            0xa54f_f53a,
            0x510e_527f,
            0x9b05_688c,
            0x1f83_d9ab,
            0x5be0_cd19,
        ],
        length: 0,
    };
}

/// A part's end that does not fall on a block boundary, so the hash cannot stop there.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the SHA-256 cannot pause after {length} bytes: a part must end on a whole \
     {BLOCK}-byte block, and {pending} bytes of a block are left"
)]
pub struct PauseError {
    pub length: u64,
    pub pending: usize,
}

/// A SHA-256 under way: the state plus the bytes of an unfinished block.
pub struct Sha256Stream {
    state: Sha256State,
    pending: Vec<u8>,
}

impl Sha256Stream {
    /// Goes on from `state`, as an earlier part left it.
    pub fn resume(state: Sha256State) -> Sha256Stream {
        Sha256Stream {
            state,
            pending: Vec::with_capacity(BLOCK),
        }
    }

    /// Returns how many bytes have been hashed, including those of an unfinished block.
    pub fn length(&self) -> u64 {
        self.state.length + self.pending.len() as u64
    }

    /// Hashes `bytes`, keeping a last unfinished block for the next call.
    pub fn update(&mut self, mut bytes: &[u8]) {
        if !self.pending.is_empty() {
            let take = (BLOCK - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < BLOCK {
                return;
            }
            compress(&mut self.state, &self.pending);
            self.pending.clear();
        }
        let whole = bytes.len() / BLOCK * BLOCK;
        compress(&mut self.state, &bytes[..whole]);
        self.pending.extend_from_slice(&bytes[whole..]);
    }

    /// Returns the state for the next part, which must start at a block boundary.
    pub fn pause(self) -> Result<Sha256State, PauseError> {
        if self.pending.is_empty() {
            Ok(self.state)
        } else {
            Err(PauseError {
                length: self.length(),
                pending: self.pending.len(),
            })
        }
    }

    /// Pads the message and returns the digest.
    pub fn finish(mut self) -> [u8; 32] {
        let bits = self.length() * 8;
        let mut tail = std::mem::take(&mut self.pending);
        tail.push(0x80);
        let padded = (tail.len() + 8).div_ceil(BLOCK) * BLOCK;
        tail.resize(padded - 8, 0);
        tail.extend_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &tail);
        let mut digest = [0; 32];
        for (out, word) in digest.chunks_exact_mut(4).zip(self.state.words) {
            out.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

/// Compresses whole blocks into `state`; `blocks.len()` is a multiple of [`BLOCK`].
fn compress(state: &mut Sha256State, blocks: &[u8]) {
    for block in blocks.chunks_exact(BLOCK) {
        let block = GenericArray::from_slice(block);
        sha2::compress256(&mut state.words, std::slice::from_ref(block));
    }
    state.length += blocks.len() as u64;
}

/// Writes a digest as lowercase hex.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn bytes(length: usize) -> Vec<u8> {
        (0..length).map(|n| (n * 31 % 251) as u8).collect()
    }

    #[test]
    fn whole_message_matches_the_sha2_crate() {
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4096 + 17] {
            let data = bytes(length);
            let mut stream = Sha256Stream::resume(Sha256State::INITIAL);
            stream.update(&data);

            assert_eq!(
                stream.finish().as_slice(),
                Sha256::digest(&data).as_slice(),
                "{length} bytes"
            );
        }
    }

    #[test]
    fn uneven_updates_match_one_update() {
        let data = bytes(1000);
        let mut stream = Sha256Stream::resume(Sha256State::INITIAL);
        for piece in data.chunks(7) {
            stream.update(piece);
        }

        assert_eq!(stream.finish().as_slice(), Sha256::digest(&data).as_slice());
    }

    #[test]
    fn parts_carry_the_state_through_a_pause() {
        let data = bytes(64 * 50 + 9);
        let mut state = Sha256State::INITIAL;
        for part in [0..640, 640..640, 640..3200] {
            let mut stream = Sha256Stream::resume(state);
            stream.update(&data[part]);
            state = stream.pause().expect("parts end on blocks");
        }
        let mut last = Sha256Stream::resume(state);
        last.update(&data[3200..]);

        assert_eq!(state.length, 3200);
        assert_eq!(last.finish().as_slice(), Sha256::digest(&data).as_slice());
    }

    #[test]
    fn pause_inside_a_block_is_refused() {
        let mut stream = Sha256Stream::resume(Sha256State::INITIAL);
        stream.update(&bytes(100));

        let error = stream.pause().unwrap_err();

        assert_eq!(
            error,
            PauseError {
                length: 100,
                pending: 36
            }
        );
        assert!(error.to_string().contains("after 100 bytes"));
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0x0a, 0xff]), "0aff");
    }
}
