//! The worker's event loop in the browser: takes a request and a `File`, reads the byte
//! ranges as streams into a reused buffer (see `reader`), and posts back what the scan
//! found.

use super::protocol::{self, Reply, Request};
use super::reader::RangeReader;
use crate::read::{self, FileHeader, CHUNK_SIZE, FILE_HEADER_SIZE};
use crate::scan;
use crate::scan::xml::{self, RecordXml, XmlError};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

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
    /// Read buffers kept between runs of the loop, at most [`READERS`].
    readers: Vec<RangeReader>,
}

/// Readers a worker keeps: one for the request it scans and one for the next request's
/// read, which the browser carries out on its own threads during the scan.
const READERS: usize = 2;

/// A read of a chunk request's byte range that runs while the worker does other work. It
/// owns its reader and hands it back with the result.
type PendingRead = Pin<Box<dyn Future<Output = (RangeReader, Result<(), String>)>>>;

/// A chunk request whose read has started.
struct StartedChunks {
    job: u32,
    first: u64,
    count: u64,
    start: u64,
    end: u64,
    read: PendingRead,
}

/// Handles queued requests in order until the queue is empty. Before it scans a chunk
/// request, it starts the read of the next queued chunk request, so that read overlaps the
/// scan instead of following it.
async fn run(worker: Rc<RefCell<Worker>>) {
    let mut readers = std::mem::take(&mut worker.borrow_mut().readers);
    readers.resize_with(READERS, RangeReader::default);
    let mut started: Option<StartedChunks> = None;
    loop {
        let chunks = match started.take() {
            Some(chunks) => chunks,
            None => {
                let next = worker.borrow_mut().queue.pop_front();
                let Some(data) = next else {
                    break;
                };
                let reader = readers.pop().unwrap_or_default();
                match start_chunks(reader, &data) {
                    Ok(chunks) => chunks,
                    Err(reader) => {
                        let mut reader = reader;
                        let reply = handle(&mut reader, &data).await;
                        readers.push(reader);
                        post(&reply);
                        publish_memory_size();
                        continue;
                    }
                }
            }
        };
        let (reader, result) = chunks.read.await;
        started = start_next_chunks(&worker, &mut readers);
        let reply = match result {
            Ok(()) => {
                let StartedChunks {
                    job,
                    first,
                    count,
                    start,
                    end,
                    ..
                } = chunks;
                scan_chunks(&reader.bytes, job, first, count, start, end)
            }
            Err(message) => {
                let request = Request::Chunks {
                    job: chunks.job,
                    first: chunks.first,
                    count: chunks.count,
                };
                let lost = request.lost(&message);
                Reply::Failed {
                    job: chunks.job,
                    message: lost,
                }
            }
        };
        readers.push(reader);
        post(&reply);
        publish_memory_size();
    }
    let mut state = worker.borrow_mut();
    state.readers = readers;
    state.running = false;
}

/// Takes the next queued request off the queue and starts its read when it is a chunk
/// request and a reader is free. Any other request stays queued for the loop in [`run`].
fn start_next_chunks(
    worker: &Rc<RefCell<Worker>>,
    readers: &mut Vec<RangeReader>,
) -> Option<StartedChunks> {
    let mut state = worker.borrow_mut();
    let data = state.queue.front()?;
    let reader = readers.pop()?;
    match start_chunks(reader, data) {
        Ok(chunks) => {
            state.queue.pop_front();
            Some(chunks)
        }
        Err(reader) => {
            readers.push(reader);
            None
        }
    }
}

/// Starts the read of `data` if it is a well-formed chunk request with a file; otherwise
/// returns `reader` unused.
fn start_chunks(reader: RangeReader, data: &JsValue) -> Result<StartedChunks, RangeReader> {
    let Ok(Request::Chunks { job, first, count }) = decode_request(data) else {
        return Err(reader);
    };
    let Some(file) = request_file(data) else {
        return Err(reader);
    };
    let size = file.size() as u64;
    let start = read::chunk_offset(first);
    let end = read::chunk_offset(first + count).min(size);
    let mut reader = reader;
    let read = Box::pin(async move {
        let result = reader.read(&file, start, end).await;
        (reader, result)
    });
    Ok(StartedChunks {
        job,
        first,
        count,
        start,
        end,
        read,
    })
}

fn decode_request(data: &JsValue) -> Result<Request, protocol::ProtocolError> {
    let request_text = js_sys::Reflect::get(data, &"request".into())
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default();
    protocol::decode(&request_text)
}

fn request_file(data: &JsValue) -> Option<File> {
    js_sys::Reflect::get(data, &"file".into())
        .ok()
        .and_then(|value| value.dyn_into::<File>().ok())
}

/// Scans the chunk slots `first .. first + count` held in `buffer`, the file's bytes
/// `start..end`.
fn scan_chunks(buffer: &[u8], job: u32, first: u64, count: u64, start: u64, end: u64) -> Reply {
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

/// Runs any request other than a well-formed chunk request, which [`run`] reads ahead.
async fn handle(reader: &mut RangeReader, data: &JsValue) -> Reply {
    let request = match decode_request(data) {
        Ok(request) => request,
        Err(error) => {
            return Reply::Failed {
                job: u32::MAX,
                message: error.to_string(),
            }
        }
    };
    let job = request.job();
    let Some(file) = request_file(data) else {
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
        Request::Hash { job } => match hash_file(reader, &file, size).await {
            Ok(sha256) => Reply::Hash { job, sha256 },
            Err(message) => Reply::Failed {
                job,
                message: Request::Hash { job }.lost(&message),
            },
        },
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
            scan_chunks(&reader.bytes, job, first, count, start, end)
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

async fn hash_file(reader: &mut RangeReader, file: &File, size: u64) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut start = 0;
    while start < size {
        let end = (start + HASH_SLICE).min(size);
        reader.read(file, start, end).await?;
        hasher.update(&reader.bytes);
        start = end;
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}
