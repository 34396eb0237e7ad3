//! The scan worker: reads slices of a `File` and scans them off the page's thread.

pub mod protocol;
#[cfg(target_arch = "wasm32")]
mod reader;
#[cfg(target_arch = "wasm32")]
pub mod runtime;
pub mod schedule;
pub mod sha256_parts;
