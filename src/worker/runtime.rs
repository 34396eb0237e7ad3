//! The worker's event loop in the browser: takes a request and a `File`, reads the byte
//! ranges with `FileReaderSync` (synchronous reads are allowed in workers), and posts back
//! what the scan found.

use super::protocol::{self, Reply, Request};
use crate::read::{self, FileHeader, CHUNK_SIZE, FILE_HEADER_SIZE};
use crate::scan;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

/// Installs the message handler and posts `Ready` to the page.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    std::panic::set_hook(Box::new(|info| {
        // Panics abort on wasm32, so tell the page before the trap ends this worker.
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let reply = Reply::Panicked {
            message: info.to_string(),
        };
        let _ = scope.post_message(&JsValue::from_str(&protocol::encode(&reply)));
    }));
    let reader = FileReaderSync::new().expect("FileReaderSync exists in dedicated workers");
    let mut buffer = Vec::new();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let reply = handle(&reader, &mut buffer, &event.data());
        post(&reply);
        publish_memory_size();
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Reply::Ready);
}

/// Puts the size of this worker's wasm memory in `self.ipsecLensWasmBytes`, where
/// bench/browser.mjs reads it. Wasm memory never shrinks, so the last value is the peak.
pub fn publish_memory_size() {
    let bytes = core::arch::wasm32::memory_size::<0>() as f64 * 65536.0;
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"ipsecLensWasmBytes".into(),
        &JsValue::from_f64(bytes),
    );
}

fn post(reply: &Reply) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&JsValue::from_str(&protocol::encode(reply)));
}

fn handle(reader: &FileReaderSync, buffer: &mut Vec<u8>, data: &JsValue) -> Reply {
    let request_text = js_sys::Reflect::get(data, &"request".into())
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default();
    let request: Request = match protocol::decode(&request_text) {
        Ok(request) => request,
        Err(error) => {
            return Reply::Failed {
                job: u32::MAX,
                message: error.to_string(),
            }
        }
    };
    let job = request.job();
    let Some(file) = js_sys::Reflect::get(data, &"file".into())
        .ok()
        .and_then(|v| v.dyn_into::<File>().ok())
    else {
        return Reply::Failed {
            job,
            message: "the request carried no file".into(),
        };
    };
    let size = file.size() as u64;
    match request {
        Request::Header { job } => {
            let end = FILE_HEADER_SIZE.min(size);
            match read_range(reader, &file, 0, end, buffer) {
                Ok(()) => Reply::Header {
                    job,
                    header: FileHeader::parse(buffer, size),
                },
                Err(message) => Reply::Failed { job, message },
            }
        }
        Request::Hash { job } => match hash_file(reader, &file, size, buffer) {
            Ok(sha256) => Reply::Hash { job, sha256 },
            Err(message) => Reply::Failed { job, message },
        },
        Request::Panic { job } => panic!("panic requested for job {job} by a test"),
        Request::Chunks { job, first, count } => {
            let start = read::chunk_offset(first);
            let end = read::chunk_offset(first + count).min(size);
            if let Err(message) = read_range(reader, &file, start, end, buffer) {
                return Reply::Failed { job, message };
            }
            let scans = (0..count)
                .filter_map(|n| {
                    let from = (n * CHUNK_SIZE) as usize;
                    let to = (from + CHUNK_SIZE as usize).min(buffer.len());
                    let bytes = buffer.get(from..to)?.to_vec();
                    Some(scan::scan_chunk(first + n, start + from as u64, bytes))
                })
                .collect();
            Reply::Chunks {
                job,
                first,
                count,
                bytes_read: end - start,
                scans,
            }
        }
    }
}

/// Bytes hashed per read: large enough that the call overhead vanishes, small enough to
/// keep the worker's memory flat.
const HASH_SLICE: u64 = 4 << 20;

fn hash_file(
    reader: &FileReaderSync,
    file: &File,
    size: u64,
    buffer: &mut Vec<u8>,
) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut start = 0;
    while start < size {
        let end = (start + HASH_SLICE).min(size);
        read_range(reader, file, start, end, buffer)?;
        hasher.update(&buffer[..]);
        start = end;
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Reads bytes `start..end` of the file into `buffer`, reusing its allocation.
fn read_range(
    reader: &FileReaderSync,
    file: &File,
    start: u64,
    end: u64,
    buffer: &mut Vec<u8>,
) -> Result<(), String> {
    let slice = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|error| format!("could not slice bytes {start}..{end}: {error:?}"))?;
    let array = reader
        .read_as_array_buffer(&slice)
        .map_err(|error| format!("could not read bytes {start}..{end}: {error:?}"))?;
    let view = js_sys::Uint8Array::new(&array);
    buffer.resize(view.length() as usize, 0);
    view.copy_to(buffer);
    Ok(())
}
