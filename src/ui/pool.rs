//! A pool of scan workers that share the chunks of every dropped file.
//!
//! A worker that panics or traps is replaced, and only the request it was working on fails.

use crate::worker::protocol::{self, Reply, Request};
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
}

/// A worker's message and error handlers.
type Callbacks = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

struct Slot {
    worker: Worker,
    ready: bool,
    task: Option<Task>,
    /// Keeps the worker's callbacks alive while it runs.
    callbacks: Callbacks,
}

struct Inner {
    slots: Vec<Option<Slot>>,
    queue: VecDeque<Task>,
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
    /// Starts `size` workers (at least one, at most [`MAX_WORKERS`]); `on_ready` runs once
    /// all have loaded, `on_reply` for every reply.
    pub fn new(size: usize, on_ready: Rc<dyn Fn()>, on_reply: Rc<dyn Fn(Reply)>) -> Pool {
        let size = size.clamp(1, MAX_WORKERS);
        let pool = Pool(Rc::new(RefCell::new(Inner {
            slots: (0..size).map(|_| None).collect(),
            queue: VecDeque::new(),
            on_reply,
            on_ready,
            announced_ready: false,
            retired: Vec::new(),
        })));
        for index in 0..size {
            pool.spawn(index);
        }
        pool
    }

    /// Queues a request over `file`; it runs when a worker is free. An XML request goes
    /// first, because a user waits on it while scans of large files may fill the queue.
    pub fn submit(&self, request: Request, file: File) {
        let urgent = matches!(request, Request::Xml { .. });
        let task = Task { request, file };
        let mut inner = self.0.borrow_mut();
        if urgent {
            inner.queue.push_front(task);
        } else {
            inner.queue.push_back(task);
        }
        drop(inner);
        self.dispatch();
    }

    fn spawn(&self, index: usize) {
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
                Pool(inner).replace(index, format!("the scan worker crashed: {message}"));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.0.borrow_mut().slots[index] = Some(Slot {
            worker,
            ready: false,
            task: None,
            callbacks: (on_message, on_error),
        });
    }

    fn handle_message(&self, index: usize, event: MessageEvent) {
        let text = event.data().as_string().unwrap_or_default();
        let reply: Reply = match protocol::decode(&text) {
            Ok(reply) => reply,
            Err(error) => {
                web_sys::console::error_1(&error.to_string().into());
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
            Reply::Panicked { message } => {
                self.replace(index, format!("the scan panicked: {message}"))
            }
            reply => {
                if let Some(slot) = self.0.borrow_mut().slots[index].as_mut() {
                    slot.task = None;
                }
                let on_reply = self.0.borrow().on_reply.clone();
                on_reply(reply);
                self.dispatch();
            }
        }
    }

    /// Fails the task a broken worker held, then starts a fresh worker in its place.
    fn replace(&self, index: usize, message: String) {
        let old = self.0.borrow_mut().slots[index].take();
        let Some(old) = old else {
            return;
        };
        old.worker.terminate();
        self.0.borrow_mut().retired.push(old.callbacks);
        if let Some(task) = old.task {
            let on_reply = self.0.borrow().on_reply.clone();
            on_reply(failure_reply(&task.request, message));
        }
        self.spawn(index);
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

    fn dispatch(&self) {
        loop {
            let mut inner = self.0.borrow_mut();
            let idle = inner
                .slots
                .iter()
                .position(|slot| slot.as_ref().is_some_and(|s| s.ready && s.task.is_none()));
            let (Some(position), false) = (idle, inner.queue.is_empty()) else {
                return;
            };
            let task = inner.queue.pop_front().expect("queue checked non-empty");
            let message = js_sys::Object::new();
            let request = JsValue::from_str(&protocol::encode(&task.request));
            let _ = js_sys::Reflect::set(&message, &"request".into(), &request);
            let _ = js_sys::Reflect::set(&message, &"file".into(), &task.file);
            let slot = inner.slots[position]
                .as_mut()
                .expect("position of a live slot");
            let worker = slot.worker.clone();
            slot.task = Some(task);
            drop(inner);
            if let Err(error) = worker.post_message(&message) {
                web_sys::console::error_2(&"could not post to a scan worker:".into(), &error);
            }
        }
    }
}

/// The reply that replaces the lost one of a request whose worker crashed. A failed XML request
/// concerns one record only, so it must not mark its file as failed.
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
        _ => Reply::Failed {
            job: request.job(),
            message,
        },
    }
}
