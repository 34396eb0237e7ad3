//! Reading: the file header and the plan of which byte ranges hold chunks.
//!
//! The browser side feeds the scan slices of a `File` by these offsets, so no file is held
//! whole in memory.

pub mod header;

pub use header::{
    chunk_offset, chunk_slots, FileHeader, HeaderError, CHUNK_SIZE, FILE_HEADER_SIZE,
};
