//! A pool of scan workers that share the chunks of every dropped file, and one worker that
//! computes each file's SHA-256 once no scan is left (see `worker::schedule` for why).
//!
//! A worker that panics or traps is replaced, and only the request it was working on fails;
//! the requests it held behind that one go back to the queue. A worker that has been given
//! `schedule::RECYCLE_BYTES` (or the page's choice) to read is replaced too, once it has
//! replied to its requests, because only that frees the garbage its reads leave (see
//! `worker::schedule`).

use crate::worker::protocol::{self, ProtocolError, Reply, Request};
use crate::worker::schedule::{
    bytes_to_read, hash_part_bytes, hash_part_end, next_hash, pick_worker, scan_position,
    workers_needed, Lane, WorkerLoad,
};
use crate::worker::sha256_parts::Sha256State;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker};

/// Where Trunk puts the worker's loader, relative to the page.
const WORKER_URL: &str = "./worker_loader.js";
/// Maximum number of workers, because each has its own wasm memory.
const MAX_WORKERS: usize = 8;
/// Workers in a row that may fail before they are ready. After that the pool starts no
/// more and fails the requests no running worker can take, because a worker that cannot load
/// (its scripts are gone from the server, or belong to another release) would otherwise be
/// started again forever.
const MAX_START_FAILURES: u32 = 3;

struct Task {
    request: Request,
    file: File,
    /// The file's size in bytes, read once, for ordering the scan queue; for a hash part,
    /// the bytes of the file left to hash.
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
    /// Bytes the requests posted to this worker read, counted towards `recycle_bytes`.
    bytes_given: u64,
    /// Whether the worker takes no more requests and ends after replying to those it has.
    /// A successor starts when requests wait for one (see [`Pool::staff`]).
    retiring: bool,
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
    module: WorkerModule,
    /// Bytes a worker reads before it is replaced; also the size of a hash part.
    recycle_bytes: u64,
    /// Scan workers to keep while scans are queued.
    scan_workers: usize,
    /// Workers that failed before they were ready since the last one that loaded.
    start_failures: u32,
    /// The reason no worker can start, set once [`MAX_START_FAILURES`] is reached.
    broken: Option<String>,
}

/// The worker's wasm module, which the page compiles once (see `ui::worker_module`).
enum WorkerModule {
    /// Still compiling; these workers wait for it.
    Compiling(Vec<Worker>),
    /// The compiled module, or `null` when the page could not compile it.
    Ready(JsValue),
}

/// The handle the page keeps; cloning it shares the same workers.
#[derive(Clone)]
pub struct Pool(Rc<RefCell<Inner>>);

impl Pool {
    /// Starts `size` scan workers (at least one, at most [`MAX_WORKERS`]) and the hash
    /// worker, each to be replaced after reading `recycle_bytes`; `on_ready` runs once all
    /// have loaded, `on_reply` for every reply.
    pub fn new(
        size: usize,
        recycle_bytes: u64,
        on_ready: Rc<dyn Fn()>,
        on_reply: Rc<dyn Fn(Reply)>,
    ) -> Pool {
        let size = size.clamp(1, MAX_WORKERS);
        let pool = Pool(Rc::new(RefCell::new(Inner {
            slots: (0..=size).map(|_| None).collect(),
            scan_queue: VecDeque::new(),
            hash_queue: VecDeque::new(),
            on_reply,
            on_ready,
            announced_ready: false,
            module: WorkerModule::Compiling(Vec::new()),
            recycle_bytes: recycle_bytes.max(1),
            scan_workers: size,
            start_failures: 0,
            broken: None,
        })));
        let weak = Rc::downgrade(&pool.0);
        wasm_bindgen_futures::spawn_local(async move {
            let module = super::worker_module::compile().await;
            if let Some(inner) = weak.upgrade() {
                Pool(inner).module_ready(module);
            }
        });
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
        let size = file.size() as u64;
        let request = match request {
            Request::Hash { job } => self.0.borrow().hash_part(job, Sha256State::INITIAL, size),
            request => request,
        };
        let lane = Lane::of(&request);
        let urgent = matches!(request, Request::Xml { .. });
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

    /// Starts a worker of `lane` in the first free slot.
    fn spawn_free(&self, lane: Lane) {
        let index = {
            let mut inner = self.0.borrow_mut();
            match inner.slots.iter().position(Option::is_none) {
                Some(index) => index,
                None => {
                    inner.slots.push(None);
                    inner.slots.len() - 1
                }
            }
        };
        self.spawn(index, lane);
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
                .filter(|message| !message.is_empty())
                .unwrap_or_else(|| {
                    "the browser gave no reason; the worker's scripts may be missing from the \
                     server"
                        .into()
                });
            if let Some(inner) = weak.upgrade() {
                let pool = Pool(inner);
                let loaded = pool.0.borrow().slots[index]
                    .as_ref()
                    .is_some_and(|slot| slot.ready);
                let cause = if loaded {
                    format!("a worker stopped on an internal error ({message})")
                } else {
                    format!("a worker failed to load ({message})")
                };
                pool.replace(index, cause);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        match &mut inner.module {
            WorkerModule::Compiling(waiting) => waiting.push(worker.clone()),
            WorkerModule::Ready(module) => post_module(&worker, module),
        }
        inner.slots[index] = Some(Slot {
            worker,
            lane,
            ready: false,
            tasks: VecDeque::new(),
            bytes_given: 0,
            retiring: false,
            callbacks: (on_message, on_error),
        });
    }

    /// Hands the compiled module to the workers that wait for it and to every later one.
    fn module_ready(&self, module: JsValue) {
        let waiting = std::mem::replace(
            &mut self.0.borrow_mut().module,
            WorkerModule::Ready(module.clone()),
        );
        if let WorkerModule::Compiling(workers) = waiting {
            for worker in workers {
                post_module(&worker, &module);
            }
        }
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
                let mut inner = self.0.borrow_mut();
                inner.start_failures = 0;
                if let Some(slot) = inner.slots[index].as_mut() {
                    slot.ready = true;
                }
                drop(inner);
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
            Reply::HashPart { job, state } => {
                let task = self.finish_task(index);
                if let Some(task) = task {
                    self.queue_next_part(task, state);
                }
                let on_reply = self.0.borrow().on_reply.clone();
                on_reply(Reply::HashProgress {
                    job,
                    bytes: state.length,
                });
                self.dispatch();
            }
            reply => {
                self.finish_task(index);
                let on_reply = self.0.borrow().on_reply.clone();
                on_reply(reply);
                self.dispatch();
            }
        }
    }

    /// Removes the oldest request of worker `index`, whose reply has come, and ends the
    /// worker if it is retiring and has no request left.
    fn finish_task(&self, index: usize) -> Option<Task> {
        let mut inner = self.0.borrow_mut();
        let slot = inner.slots[index].as_mut()?;
        let task = slot.tasks.pop_front();
        if slot.retiring && slot.tasks.is_empty() {
            let old = inner.slots[index].take().expect("slot checked above");
            drop(inner);
            end_worker(old);
        }
        task
    }

    /// Queues the hash part after `task`'s, which stopped at `state`.
    fn queue_next_part(&self, task: Task, state: Sha256State) {
        let job = task.request.job();
        let size = task.file.size() as u64;
        let next = Task {
            request: self.0.borrow().hash_part(job, state, size),
            file: task.file,
            size: size.saturating_sub(state.length),
        };
        self.0.borrow_mut().hash_queue.push_back(next);
    }

    /// Fails the request whose reply could not be decoded. Workers reply in request order,
    /// so the reply belongs to the oldest request the worker holds, and the worker can go
    /// on with the next one.
    fn reject_reply(&self, index: usize, error: &ProtocolError) {
        let task = self.finish_task(index);
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

    /// Fails the task a broken worker was running and puts the ones it held behind it back at
    /// the front of the queue, where a fresh worker takes them.
    fn replace(&self, index: usize, message: String) {
        let old = self.0.borrow_mut().slots[index].take();
        let Some(mut old) = old else {
            return;
        };
        let running = old.tasks.pop_front();
        let queued_behind = std::mem::take(&mut old.tasks);
        let (lane, loaded) = (old.lane, old.ready);
        end_worker(old);
        if !loaded {
            self.count_start_failure(&message);
        }
        {
            let mut inner = self.0.borrow_mut();
            let queue = inner.queue(lane);
            for task in queued_behind.into_iter().rev() {
                queue.push_front(task);
            }
        }
        if let Some(task) = running {
            let on_reply = self.0.borrow().on_reply.clone();
            on_reply(failure_reply(&task.request, message));
        }
        self.dispatch();
    }

    /// Counts a worker that stopped before it was ready. At [`MAX_START_FAILURES`] in a row
    /// the pool gives up starting workers (see [`Pool::fail_stranded`]).
    fn count_start_failure(&self, message: &str) {
        let mut inner = self.0.borrow_mut();
        inner.start_failures += 1;
        if inner.start_failures < MAX_START_FAILURES || inner.broken.is_some() {
            return;
        }
        let cause = format!(
            "{MAX_START_FAILURES} workers in a row failed to start, the last with: {message}. \
             The app's files on the server may have been removed or replaced by another \
             release since the page was loaded, so reload the page"
        );
        web_sys::console::error_1(&cause.clone().into());
        inner.broken = Some(cause);
    }

    /// Once no worker can start, fails the queued requests of each lane that has no worker
    /// left to take them. Workers still running go on with the requests they can take.
    fn fail_stranded(&self) {
        let (failed, cause, on_reply) = {
            let mut inner = self.0.borrow_mut();
            let Some(cause) = inner.broken.clone() else {
                return;
            };
            let mut failed = Vec::new();
            for lane in [Lane::Scan, Lane::Hash] {
                let served = inner
                    .slots
                    .iter()
                    .flatten()
                    .any(|slot| slot.lane == lane && !slot.retiring);
                if !served {
                    failed.extend(inner.queue(lane).drain(..));
                }
            }
            (failed, cause, inner.on_reply.clone())
        };
        for task in failed {
            fail_later(&on_reply, &task.request, cause.clone());
        }
    }

    fn announce_ready(&self) {
        let callback = {
            let mut inner = self.0.borrow_mut();
            // A worker that failed to load is not waited for; a later request starts another.
            let all_ready = inner.slots.iter().flatten().all(|slot| slot.ready)
                && inner.slots.iter().flatten().next().is_some();
            if inner.announced_ready || !all_ready {
                return;
            }
            inner.announced_ready = true;
            inner.on_ready.clone()
        };
        callback();
    }

    /// Posts queued requests until every worker is full or the queues are empty, starting
    /// workers where requests wait for them. A hash waits until no scan is queued or running:
    /// the scan workers already have a core each, and a hash beside them slowed the scan
    /// that the rows wait for. Once the scans are done, the scan workers that read anything
    /// end, so their memory is free while the hash runs and until the next drop.
    fn dispatch(&self) {
        self.fail_stranded();
        self.staff(Lane::Scan);
        while self.dispatch_one(Lane::Scan) {}
        self.staff(Lane::Scan);
        if self.0.borrow().scans_idle() {
            self.end_used_idle_scan_workers();
            self.staff(Lane::Hash);
            while self.dispatch_one(Lane::Hash) {}
            self.staff(Lane::Hash);
        }
    }

    /// Starts workers of `lane` until the number that take requests reaches
    /// [`workers_needed`].
    fn staff(&self, lane: Lane) {
        let missing = {
            let inner = self.0.borrow();
            if inner.broken.is_some() {
                return;
            }
            let live = inner
                .slots
                .iter()
                .flatten()
                .filter(|slot| slot.lane == lane && !slot.retiring)
                .count();
            // A hash part that reads less than the rest of its file has a part after it.
            let parts_follow = lane == Lane::Hash
                && inner.slots.iter().flatten().any(|slot| {
                    slot.lane == Lane::Hash
                        && slot
                            .tasks
                            .iter()
                            .any(|task| bytes_to_read(&task.request, task.size) < task.size)
                });
            let queued = match lane {
                Lane::Scan => inner.scan_queue.len(),
                Lane::Hash => inner.hash_queue.len(),
            };
            workers_needed(lane, inner.scan_workers, queued, parts_follow).saturating_sub(live)
        };
        for _ in 0..missing {
            self.spawn_free(lane);
        }
    }

    /// Ends the scan workers that have read something and hold no request.
    fn end_used_idle_scan_workers(&self) {
        let ended: Vec<Slot> = {
            let mut inner = self.0.borrow_mut();
            let mut ended = Vec::new();
            for entry in inner.slots.iter_mut() {
                let used_idle = entry.as_ref().is_some_and(|slot| {
                    slot.lane == Lane::Scan && slot.bytes_given > 0 && slot.tasks.is_empty()
                });
                if used_idle {
                    ended.extend(entry.take());
                }
            }
            ended
        };
        ended.into_iter().for_each(end_worker);
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
                        ready: slot.ready && !slot.retiring,
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
            let recycle_bytes = inner.recycle_bytes;
            let slot = inner.slots[position]
                .as_mut()
                .expect("position of a live slot");
            let worker = slot.worker.clone();
            slot.bytes_given += bytes_to_read(&task.request, task.size);
            slot.tasks.push_back(task);
            let retire = slot.bytes_given >= recycle_bytes;
            slot.retiring = retire;
            drop(inner);
            if let Err(error) = worker.post_message(&message) {
                web_sys::console::error_2(&"could not post to a scan worker:".into(), &error);
            }
            if retire {
                // Started now, the successor loads while this worker reads its last requests.
                // NOTE: it loads worker.js from the server again. A release deployed since
                // the page loaded does not fit the module; see MAX_START_FAILURES.
                self.staff(lane);
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

    /// Returns the request for the hash part of file `job` (of `size` bytes) that starts
    /// where `state` stopped.
    fn hash_part(&self, job: u32, state: Sha256State, size: u64) -> Request {
        let part = hash_part_bytes(self.recycle_bytes);
        Request::HashPart {
            job,
            to: hash_part_end(state.length, size, part),
            state,
        }
    }

    fn queue(&mut self, lane: Lane) -> &mut VecDeque<Task> {
        match lane {
            Lane::Scan => &mut self.scan_queue,
            Lane::Hash => &mut self.hash_queue,
        }
    }
}

/// Hands `on_reply` the failure of `request` in a later microtask, because the caller may
/// be inside the reply handler that submitted the request.
fn fail_later(on_reply: &Rc<dyn Fn(Reply)>, request: &Request, cause: String) {
    let on_reply = on_reply.clone();
    let reply = failure_reply(request, cause);
    wasm_bindgen_futures::spawn_local(async move { on_reply(reply) });
}

/// Sends a new worker its module, the first message it waits for (www/worker_loader.js).
fn post_module(worker: &Worker, module: &JsValue) {
    if let Err(error) = worker.post_message(module) {
        web_sys::console::error_2(&"could not hand a worker its module:".into(), &error);
    }
}

/// Stops a worker that has no request the page still waits for. Its callbacks are dropped in
/// a later microtask, because this may run inside one of them, which must outlive the call.
fn end_worker(slot: Slot) {
    slot.worker.set_onmessage(None);
    slot.worker.set_onerror(None);
    slot.worker.terminate();
    let callbacks = slot.callbacks;
    wasm_bindgen_futures::spawn_local(async move { drop(callbacks) });
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
        Request::Hash { job } | Request::HashPart { job, .. } => Reply::Hash {
            job,
            sha256: Err(request.lost(&message)),
        },
        _ => Reply::Failed {
            job: request.job(),
            message: request.lost(&message),
        },
    }
}
