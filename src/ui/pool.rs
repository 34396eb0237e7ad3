//! A pool of scan workers that share the chunks of every dropped file, and one worker that
//! computes each file's SHA-256 once no scan is left (see `worker::schedule` for why).
//!
//! A worker that panics or traps is replaced, and only the request it was working on fails;
//! the requests it held behind that one go back to the queue.

use crate::worker::protocol::{self, ProtocolError, Reply, Request};
use crate::worker::schedule::{next_hash, pick_worker, scan_position, Lane, WorkerLoad};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker};

/// Where Trunk puts the worker's loader, relative to the page.
const WORKER_URL: &str = "./worker_loader.js";
/// Maximum number of workers, because each has its own wasm memory.
const MAX_WORKERS: usize = 8;

struct Task {
    request: Request,
    file: File,
    /// The file's size in bytes, read once, for ordering the scan queue.
    size: u64,
}

/// A worker's message and error handlers.
type Callbacks = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

struct Slot {
    worker: Worker,
    lane: Lane,
    ready: bool,
    /// Requests posted to the worker, in the order it answers them.
    tasks: VecDeque<Task>,
    /// Keeps the worker's callbacks alive while it runs.
    callbacks: Callbacks,
}

struct Inner {
    slots: Vec<Option<Slot>>,
    scan_queue: VecDeque<Task>,
    hash_queue: VecDeque<Task>,
    on_reply: Rc<dyn Fn(Reply)>,
    on_ready: Rc<dyn Fn()>,
    announced_ready: bool,
    /// Callbacks of replaced workers. A worker is replaced from inside its own callback,
    /// which must outlive that call, so they are kept here instead of dropped.
    retired: Vec<Callbacks>,
}

/// The handle the page keeps; cloning it shares the same workers.
#[derive(Clone)]
pub struct Pool(Rc<RefCell<Inner>>);

impl Pool {
    /// Starts `size` scan workers (at least one, at most [`MAX_WORKERS`]) and the hash
    /// worker; `on_ready` runs once all have loaded, `on_reply` for every reply.
    pub fn new(size: usize, on_ready: Rc<dyn Fn()>, on_reply: Rc<dyn Fn(Reply)>) -> Pool {
        let size = size.clamp(1, MAX_WORKERS);
        let pool = Pool(Rc::new(RefCell::new(Inner {
            slots: (0..=size).map(|_| None).collect(),
            scan_queue: VecDeque::new(),
            hash_queue: VecDeque::new(),
            on_reply,
            on_ready,
            announced_ready: false,
            retired: Vec::new(),
        })));
        for index in 0..size {
            pool.spawn(index, Lane::Scan);
        }
        pool.spawn(size, Lane::Hash);
        pool
    }

    /// Queues a request over `file`; it runs when a worker of its lane has room. An XML
    /// request goes first, because a user waits on it while scans of large files may fill
    /// the queue.
    pub fn submit(&self, request: Request, file: File) {
        let lane = Lane::of(&request);
        let urgent = matches!(request, Request::Xml { .. });
        let size = file.size() as u64;
        let task = Task {
            request,
            file,
            size,
        };
        let mut inner = self.0.borrow_mut();
        let queue = inner.queue(lane);
        if urgent {
            queue.push_front(task);
        } else if lane == Lane::Scan {
            let sizes = queue.iter().map(|queued| match queued.request {
                Request::Xml { .. } => 0,
                _ => queued.size,
            });
            let position = scan_position(sizes, size);
            queue.insert(position, task);
        } else {
            queue.push_back(task);
        }
        drop(inner);
        self.dispatch();
    }

    fn spawn(&self, index: usize, lane: Lane) {
        let worker = match Worker::new(WORKER_URL) {
            Ok(worker) => worker,
            Err(error) => {
                web_sys::console::error_2(&"could not start a scan worker:".into(), &error);
                return;
            }
        };
        let weak = Rc::downgrade(&self.0);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                Pool(inner).handle_message(index, event);
            }
        });
        let weak = Rc::downgrade(&self.0);
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            let message = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|error| error.message())
                .unwrap_or_else(|| "the scan worker stopped".into());
            if let Some(inner) = weak.upgrade() {
                let cause = format!("a worker stopped on an internal error ({message})");
                Pool(inner).replace(index, cause);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.0.borrow_mut().slots[index] = Some(Slot {
            worker,
            lane,
            ready: false,
            tasks: VecDeque::new(),
            callbacks: (on_message, on_error),
        });
    }

    fn handle_message(&self, index: usize, event: MessageEvent) {
        let reply: Reply = match protocol::decode_js(&event.data()) {
            Ok(reply) => reply,
            Err(error) => {
                self.reject_reply(index, &error);
                return;
            }
        };
        match reply {
            Reply::Ready => {
                if let Some(slot) = self.0.borrow_mut().slots[index].as_mut() {
                    slot.ready = true;
                }
                self.announce_ready();
                self.dispatch();
            }
            Reply::Panicked { message } => self.replace(
                index,
                format!("a worker stopped on an internal error ({message})"),
            ),
            // Progress comes before the request's reply, so the request stays in flight.
            progress @ Reply::HashProgress { .. } => {
                let on_reply = self.0.borrow().on_reply.clone();
                on_reply(progress);
            }
            reply => {
                if let Some(slot) = self.0.borrow_mut().slots[index].as_mut() {
                    slot.tasks.pop_front();
                }
                let on_reply = self.0.borrow().on_reply.clone();
                on_reply(reply);
                self.dispatch();
            }
        }
    }

    /// Fails the request whose reply could not be decoded. Workers reply in request order,
    /// so the reply belongs to the oldest request the worker holds, and the worker can go
    /// on with the next one.
    fn reject_reply(&self, index: usize, error: &ProtocolError) {
        let task = self.0.borrow_mut().slots[index]
            .as_mut()
            .and_then(|slot| slot.tasks.pop_front());
        let cause = format!("scan worker {index} sent a reply the page cannot read: {error}");
        let Some(task) = task else {
            web_sys::console::error_1(&format!("{cause} (no request was waiting)").into());
            return;
        };
        let job = task.request.job();
        web_sys::console::error_1(&format!("job {job}: {cause}").into());
        let on_reply = self.0.borrow().on_reply.clone();
        on_reply(failure_reply(&task.request, cause));
        self.dispatch();
    }

    /// Fails the task a broken worker was running, puts the ones it held behind it back at
    /// the front of the queue, then starts a fresh worker in its place.
    fn replace(&self, index: usize, message: String) {
        let old = self.0.borrow_mut().slots[index].take();
        let Some(mut old) = old else {
            return;
        };
        old.worker.terminate();
        let running = old.tasks.pop_front();
        {
            let mut inner = self.0.borrow_mut();
            inner.retired.push(old.callbacks);
            let queue = inner.queue(old.lane);
            for task in old.tasks.into_iter().rev() {
                queue.push_front(task);
            }
        }
        if let Some(task) = running {
            let on_reply = self.0.borrow().on_reply.clone();
            on_reply(failure_reply(&task.request, message));
        }
        self.spawn(index, old.lane);
    }

    fn announce_ready(&self) {
        let callback = {
            let mut inner = self.0.borrow_mut();
            let all_ready = inner
                .slots
                .iter()
                .all(|slot| slot.as_ref().is_some_and(|s| s.ready));
            if inner.announced_ready || !all_ready {
                return;
            }
            inner.announced_ready = true;
            inner.on_ready.clone()
        };
        callback();
    }

    /// Posts queued requests until every worker is full or the queues are empty. A hash
    /// waits until no scan is queued or running: the scan workers already have a core each,
    /// and a hash beside them slowed the scan that the rows wait for.
    fn dispatch(&self) {
        while self.dispatch_one(Lane::Scan) {}
        if self.0.borrow().scans_idle() {
            while self.dispatch_one(Lane::Hash) {}
        }
    }

    /// Posts the next request of `lane`; returns `false` when there is none or no room.
    fn dispatch_one(&self, lane: Lane) -> bool {
        {
            let mut inner = self.0.borrow_mut();
            if inner.queue(lane).is_empty() {
                return false;
            }
            let loads: Vec<Option<WorkerLoad>> = inner
                .slots
                .iter()
                .map(|slot| {
                    slot.as_ref().map(|slot| WorkerLoad {
                        lane: slot.lane,
                        ready: slot.ready,
                        in_flight: slot.tasks.len(),
                    })
                })
                .collect();
            let Some(position) = pick_worker(&loads, lane) else {
                return false;
            };
            let next = match lane {
                Lane::Scan => 0,
                Lane::Hash => {
                    let sizes: Vec<u64> = inner.hash_queue.iter().map(|task| task.size).collect();
                    next_hash(&sizes).unwrap_or(0)
                }
            };
            let task = inner
                .queue(lane)
                .remove(next)
                .expect("queue checked non-empty");
            let message = js_sys::Object::new();
            let request = protocol::encode_js(&task.request);
            let _ = js_sys::Reflect::set(&message, &"request".into(), &request);
            let _ = js_sys::Reflect::set(&message, &"file".into(), &task.file);
            let slot = inner.slots[position]
                .as_mut()
                .expect("position of a live slot");
            let worker = slot.worker.clone();
            slot.tasks.push_back(task);
            drop(inner);
            if let Err(error) = worker.post_message(&message) {
                web_sys::console::error_2(&"could not post to a scan worker:".into(), &error);
            }
        }
        true
    }
}

impl Inner {
    /// Returns whether no scan request is queued or held by a worker.
    fn scans_idle(&self) -> bool {
        self.scan_queue.is_empty()
            && self
                .slots
                .iter()
                .flatten()
                .all(|slot| slot.lane != Lane::Scan || slot.tasks.is_empty())
    }

    fn queue(&mut self, lane: Lane) -> &mut VecDeque<Task> {
        match lane {
            Lane::Scan => &mut self.scan_queue,
            Lane::Hash => &mut self.hash_queue,
        }
    }
}

/// Builds the reply that stands in for the lost reply of a request whose worker crashed. A
/// failed XML request concerns one record only, so it does not mark its file as failed.
fn failure_reply(request: &Request, message: String) -> Reply {
    match *request {
        Request::Xml {
            job,
            chunk,
            record_id,
        } => Reply::Xml {
            job,
            chunk,
            record_id,
            xml: Err(crate::scan::xml::XmlError::Worker {
                chunk,
                record_id,
                reason: message,
            }),
        },
        Request::Hash { job } => Reply::Hash {
            job,
            sha256: Err(request.lost(&message)),
        },
        _ => Reply::Failed {
            job: request.job(),
            message: request.lost(&message),
        },
    }
}
