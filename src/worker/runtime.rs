//! The worker's event loop in the browser: takes a request and a `File`, reads the byte
//! ranges as streams into a reused buffer (see `reader`), and posts back what the scan
//! found.

use super::protocol::{self, Reply, Request};
use super::reader::RangeReader;
use super::sha256_parts::{self, Sha256State, Sha256Stream};
use crate::read::{self, FileHeader, CHUNK_SIZE, FILE_HEADER_SIZE};
use crate::scan;
use crate::scan::xml::{self, RecordXml, XmlError};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

/// Installs the message handler and posts `Ready` to the page.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    std::panic::set_hook(Box::new(|info| {
        // Panics abort on wasm32, so tell the page before the trap ends this worker.
        post(&Reply::Panicked {
            message: info.to_string(),
        });
    }));
    let worker = Rc::new(RefCell::new(Worker::default()));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let start_loop = {
            let mut state = worker.borrow_mut();
            state.queue.push_back(event.data());
            !std::mem::replace(&mut state.running, true)
        };
        if start_loop {
            wasm_bindgen_futures::spawn_local(run(worker.clone()));
        }
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Reply::Ready);
}

/// The requests the page has posted and this worker has not replied to yet. Reads are
/// asynchronous, so messages arrive while a request runs; they wait here to keep replies in
/// request order.
#[derive(Default)]
struct Worker {
    queue: VecDeque<JsValue>,
    /// The loop in [`run`] is working through `queue`.
    running: bool,
    reader: Option<RangeReader>,
}

/// Handles queued requests one at a time until the queue is empty.
async fn run(worker: Rc<RefCell<Worker>>) {
    let mut reader = worker.borrow_mut().reader.take().unwrap_or_default();
    loop {
        let next = worker.borrow_mut().queue.pop_front();
        let Some(data) = next else {
            break;
        };
        let reply = handle(&mut reader, &data).await;
        post(&reply);
        publish_memory_size();
    }
    let mut state = worker.borrow_mut();
    state.reader = Some(reader);
    state.running = false;
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

/// Posts `reply` as a `Uint8Array` and transfers its buffer, so the page receives the
/// bytes without a second copy.
fn post(reply: &Reply) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let bytes = protocol::encode_js(reply);
    let transfer = js_sys::Array::of1(&bytes.buffer());
    if let Err(error) = scope.post_message_with_transfer(&bytes, &transfer) {
        web_sys::console::error_2(&"a scan worker could not post its reply:".into(), &error);
    }
}

async fn handle(reader: &mut RangeReader, data: &JsValue) -> Reply {
    let request_value = js_sys::Reflect::get(data, &"request".into()).unwrap_or_default();
    let request: Request = match protocol::decode_js(&request_value) {
        Ok(request) => request,
        Err(error) => {
            return Reply::Failed {
                job: u32::MAX,
                message: format!("the scan worker cannot read its request: {error}"),
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
            match reader.read(&file, 0, end).await {
                Ok(()) => Reply::Header {
                    job,
                    header: FileHeader::parse(&reader.bytes, size),
                },
                Err(message) => Reply::Failed {
                    job,
                    message: Request::Header { job }.lost(&message),
                },
            }
        }
        // The pool sends parts; a whole-file request is one part from the start.
        Request::Hash { job } => {
            hash_part(reader, &file, job, size, Sha256State::INITIAL, size).await
        }
        Request::HashPart { job, to, state } => {
            hash_part(reader, &file, job, size, state, to).await
        }
        Request::Panic { job, .. } => panic!("panic requested for job {job} by a test"),
        Request::Xml {
            job,
            chunk,
            record_id,
        } => {
            let xml = chunk_xml(reader, &file, size, chunk, record_id).await;
            Reply::Xml {
                job,
                chunk,
                record_id,
                xml,
            }
        }
        Request::Chunks { job, first, count } => {
            let start = read::chunk_offset(first);
            let end = read::chunk_offset(first + count).min(size);
            if let Err(message) = reader.read(&file, start, end).await {
                let lost = Request::Chunks { job, first, count }.lost(&message);
                return Reply::Failed { job, message: lost };
            }
            let buffer = &reader.bytes;
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

/// Reads chunk slot `chunk` of the file and renders record `record_id` in it as XML.
async fn chunk_xml(
    reader: &mut RangeReader,
    file: &File,
    size: u64,
    chunk: u64,
    record_id: u64,
) -> Result<RecordXml, XmlError> {
    let start = read::chunk_offset(chunk).min(size);
    let end = read::chunk_offset(chunk + 1).min(size);
    reader
        .read(file, start, end)
        .await
        .map_err(|reason| XmlError::Read {
            chunk,
            record_id,
            reason,
        })?;
    xml::record_xml(chunk, reader.bytes.clone(), record_id)
}

/// Bytes hashed per read: large enough that the call overhead vanishes, small enough to
/// keep the worker's memory flat.
const HASH_SLICE: u64 = 4 << 20;
/// Bytes hashed between two progress replies, about a quarter of a second of hashing here,
/// so the page can show that a hash of several GiB is moving.
const HASH_PROGRESS_STEP: u64 = 64 << 20;

/// Hashes bytes `state.length..to` of the file. At the file's end the reply is the digest,
/// else the state for the next part.
async fn hash_part(
    reader: &mut RangeReader,
    file: &File,
    job: u32,
    size: u64,
    state: Sha256State,
    to: u64,
) -> Reply {
    let request = Request::HashPart { job, to, state };
    let lost = |message: String| Reply::Hash {
        job,
        sha256: Err(request.lost(&message)),
    };
    let to = to.min(size);
    let mut stream = Sha256Stream::resume(state);
    let mut start = state.length;
    let mut next_progress = (start / HASH_PROGRESS_STEP + 1) * HASH_PROGRESS_STEP;
    if start == 0 {
        post(&Reply::HashProgress { job, bytes: 0 });
    }
    while start < to {
        let end = (start + HASH_SLICE).min(to);
        if let Err(message) = reader.read(file, start, end).await {
            return lost(message);
        }
        stream.update(&reader.bytes);
        if end >= next_progress && end < to {
            post(&Reply::HashProgress { job, bytes: end });
            next_progress = end + HASH_PROGRESS_STEP;
        }
        start = end;
    }
    if to == size {
        return Reply::Hash {
            job,
            sha256: Ok(sha256_parts::hex(&stream.finish())),
        };
    }
    match stream.pause() {
        Ok(state) => Reply::HashPart { job, state },
        Err(error) => lost(error.to_string()),
    }
}
