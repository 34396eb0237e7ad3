//! Reads byte ranges of a `File` into wasm memory through one reused JavaScript buffer.
//!
//! `FileReaderSync` returns a new `ArrayBuffer` per read, and V8 frees those only when it
//! collects garbage, which it triggers after tens of megabytes of them. With 4 MiB reads
//! each worker then held 56 to 148 MB of dead buffers (measured with bench/profile.mjs on
//! Chromium 156). A byte stream read in "bring your own buffer" mode fills the same
//! buffer every time, so a worker keeps only one staging buffer besides its wasm memory.

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, ReadableStreamByobReader, ReadableStreamGetReaderOptions, ReadableStreamReaderMode,
};

/// Size of the staging buffer in bytes. A read returns at most this much, so a larger range
/// takes several reads.
const STAGING_BYTES: u32 = 1 << 20;

/// A worker's reusable read buffers.
#[derive(Default)]
pub struct RangeReader {
    /// The buffer each read fills. A read takes it over (the stream detaches it) and hands
    /// it back with the bytes, so it is `None` only while a read is under way.
    staging: Option<ArrayBuffer>,
    /// The bytes of the last range read.
    pub bytes: Vec<u8>,
}

impl RangeReader {
    /// Reads bytes `start..end` of `file` into [`RangeReader::bytes`], reusing both buffers.
    pub async fn read(&mut self, file: &File, start: u64, end: u64) -> Result<(), String> {
        let failed = |what: &str, error: JsValue| {
            format!(
                "could not {what} bytes {start}..{end} of the file: the browser reported \
                 \"{}\", which happens when the file was moved, changed or deleted after \
                 it was dropped",
                js_error_text(&error)
            )
        };
        let slice = file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|error| failed("slice", error))?;
        let options = ReadableStreamGetReaderOptions::new();
        options.set_mode(ReadableStreamReaderMode::Byob);
        let reader: ReadableStreamByobReader = slice
            .stream()
            .get_reader_with_options(&options)
            .unchecked_into();

        self.bytes.clear();
        let mut staging = self
            .staging
            .take()
            .unwrap_or_else(|| ArrayBuffer::new(STAGING_BYTES));
        loop {
            let view = Uint8Array::new(&staging);
            let result = JsFuture::from(reader.read_with_array_buffer_view(&view))
                .await
                .map_err(|error| failed("read", error))?;
            let value = Reflect::get(&result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
            let done = Reflect::get(&result, &"done".into())
                .ok()
                .and_then(|done| done.as_bool())
                .unwrap_or(true);
            // The stream returns the staging buffer in `value`, also when it is done.
            let Ok(piece) = value.dyn_into::<Uint8Array>() else {
                break;
            };
            let at = self.bytes.len();
            self.bytes.resize(at + piece.length() as usize, 0);
            piece.copy_to(&mut self.bytes[at..]);
            staging = piece.buffer();
            if done {
                break;
            }
        }
        reader.release_lock();

        if staging.byte_length() == STAGING_BYTES {
            self.staging = Some(staging);
        }

        let expected = end - start;
        if self.bytes.len() as u64 != expected {
            return Err(format!(
                "could not read bytes {start}..{end} of the file: the browser returned {} of \
                 {expected} bytes",
                self.bytes.len()
            ));
        }
        Ok(())
    }
}

/// Returns the name and message of a JavaScript error, without the `JsValue(...)` wrapping.
fn js_error_text(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => format!(
            "{}: {}",
            String::from(error.name()),
            String::from(error.message())
        ),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    }
}
