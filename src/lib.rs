//! IPsec Lens: reads Windows `.evtx` logs and reports Security event 4983 and its IPsec
//! neighbours. The core here is plain Rust so `cargo test` runs it natively; the browser
//! glue lives in `ui` and `worker`, built only for wasm32.
//!
//! The data flows one way: [`read`] (file header, chunk offsets) → [`scan`] (chunks to
//! records of interest and skips) → [`decode`] (typed IPsec events) → [`report`] (filters,
//! aggregates, exports) → `ui`.

#![forbid(unsafe_code)]

pub mod decode;
pub mod filetime;
pub mod fixture;
pub mod read;
pub mod report;
pub mod scan;
pub mod session;
#[cfg(target_arch = "wasm32")]
pub mod ui;
pub mod worker;
