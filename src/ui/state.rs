//! The page's shared state: the session, the report being built, and the worker pool.
//!
//! Rows live outside the reactive graph in one `RefCell`, because a million rows must not
//! be cloned per change; a revision counter makes views read them again.

use super::pool::Pool;
use crate::report::{FileReport, Filter, Sort, Table};
use crate::scan::xml::{RecordXml, XmlError};
use crate::session::{brings_first_rows, Session};
use crate::worker::protocol::{Reply, Request};
use crate::worker::schedule::RECYCLE_BYTES;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{File, FileList};

/// How often the table is rebuilt while files are still being read, in milliseconds.
/// Each rebuild copies every row, so it must stay rare for logs with many 4983 events.
const TABLE_REFRESH_MS: f64 = 1000.0;
/// Share of the page's time that table rebuilds may take while files are read. The wait
/// before the next rebuild grows with the last one's cost, so a log of a million 4983
/// events costs a few rebuilds instead of one per second, each longer than the last.
const TABLE_REBUILD_SHARE: f64 = 0.1;
/// Maximum delay before the views show new results, in milliseconds. Redrawing after
/// every worker reply would keep the page's thread busy with views instead of results.
const VIEW_REFRESH_MS: i32 = 150;

/// Everything the workers have delivered.
#[derive(Default)]
pub struct AppData {
    pub session: Session,
    /// One report per dropped file, in drop order (index = job number).
    pub reports: Vec<FileReport>,
    /// The 4983 rows of every file, rebuilt from `reports` as results arrive.
    pub table: Table,
    files: Vec<File>,
    table_built_at: f64,
    /// Milliseconds the last table rebuild took.
    table_build_ms: f64,
    /// Rows arrived since the table was last rebuilt.
    table_stale: bool,
    /// A file finished since the table was last rebuilt, so the next rebuild is not delayed.
    file_finished: bool,
}

/// A handle to the page state, cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct AppState {
    data: StoredValue<Rc<RefCell<AppData>>, LocalStorage>,
    pool: StoredValue<Option<Pool>, LocalStorage>,
    /// Bumped after every change to `data`.
    pub revision: RwSignal<u64>,
    /// Bumped after every rebuild of the table.
    pub table_revision: RwSignal<u64>,
    /// The workers have loaded and the page takes files.
    pub ready: RwSignal<bool>,
    pub filter: RwSignal<Filter>,
    pub sort: RwSignal<Option<Sort>>,
    /// The row whose details are open, as an index into the table's rows.
    pub selected: RwSignal<Option<u32>>,
    /// The zone every shown time is in.
    pub zone: RwSignal<crate::report::zone::ZoneChoice>,
    /// The dimension the top-N chart counts.
    pub top: RwSignal<crate::report::Dimension>,
    /// The alert rule the user added to the presets.
    pub custom_rule: RwSignal<Option<crate::report::AlertRule>>,
    /// A view refresh is scheduled.
    refresh_pending: StoredValue<bool>,
    /// The last record XMLs workers returned, newest last, for the detail panel. Several are
    /// kept because replies can come in another order than the requests (an XML request
    /// goes to the front of the queue), so the one for the open record may not be the last.
    pub xml: RwSignal<Vec<XmlResult>>,
    /// The file, chunk and record of the last XML request, whose reply is kept however many
    /// older replies come after it.
    xml_requested: StoredValue<Option<(u32, u64, u64)>>,
}

/// A record's XML as a worker rendered it, or why it could not.
#[derive(Clone, Debug, PartialEq)]
pub struct XmlResult {
    /// The file's index in `AppData::reports`, which is also its job number.
    pub file: u32,
    pub chunk: u64,
    pub record_id: u64,
    pub xml: Result<RecordXml, XmlError>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            data: StoredValue::new_local(Rc::new(RefCell::new(AppData::default()))),
            pool: StoredValue::new_local(None),
            revision: RwSignal::new(0),
            table_revision: RwSignal::new(0),
            ready: RwSignal::new(false),
            filter: RwSignal::new(Filter::default()),
            sort: RwSignal::new(None),
            selected: RwSignal::new(None),
            zone: RwSignal::new(Default::default()),
            top: RwSignal::new(Default::default()),
            custom_rule: RwSignal::new(None),
            refresh_pending: StoredValue::new(false),
            xml: RwSignal::new(Vec::new()),
            xml_requested: StoredValue::new(None),
        }
    }

    /// Starts the worker pool, sized to the machine's cores.
    pub fn start_workers(self) {
        let cores = web_sys::window()
            .map(|window| window.navigator().hardware_concurrency() as usize)
            .unwrap_or(2);
        let on_ready = Rc::new(move || self.ready.set(true));
        let on_reply = Rc::new(move |reply: Reply| self.take_reply(reply));
        let pool = Pool::new(
            worker_count_override().unwrap_or(cores),
            recycle_override().unwrap_or(RECYCLE_BYTES),
            on_ready,
            on_reply,
        );
        self.pool.set_value(Some(pool));
    }

    /// Reads the data without subscribing; call `revision.track()` first in views.
    pub fn with_data<T>(&self, read: impl FnOnce(&AppData) -> T) -> T {
        let data = self.data.get_value();
        let data = data.borrow();
        read(&data)
    }

    /// Queues every file of a drop or a pick.
    pub fn add_files(self, files: &FileList) {
        let mut requests = Vec::new();
        {
            let data = self.data.get_value();
            let mut data = data.borrow_mut();
            for index in 0..files.length() {
                let Some(file) = files.get(index) else {
                    continue;
                };
                let request = data.session.add_file(&file.name(), file.size() as u64);
                // The session's name differs from the file's when an earlier file has the
                // same name, and the report must carry the same name into every export.
                let name = data
                    .session
                    .files
                    .last()
                    .map_or_else(|| file.name(), |added| added.name.clone());
                data.reports
                    .push(FileReport::new(&name, file.size() as u64));
                data.files.push(file.clone());
                requests.push((request, file));
            }
        }
        self.bump();
        self.pool.with_value(|pool| {
            if let Some(pool) = pool {
                for (request, file) in requests {
                    pool.submit(request, file);
                }
            }
        });
    }

    /// Asks a worker to render record `record_id` of chunk `chunk` of file `file` as XML;
    /// the reply is stored in [`AppState::xml`].
    pub fn request_xml(self, file: u32, chunk: u64, record_id: u64) {
        let Some(handle) = self.with_data(|data| data.files.get(file as usize).cloned()) else {
            return;
        };
        let request = Request::Xml {
            job: file,
            chunk,
            record_id,
        };
        self.xml_requested.set_value(Some((file, chunk, record_id)));
        self.pool.with_value(|pool| {
            if let Some(pool) = pool {
                pool.submit(request, handle);
            }
        });
    }

    fn take_reply(self, reply: Reply) {
        // An XML reply concerns one record; the session and the reports never see it.
        if let Reply::Xml {
            job,
            chunk,
            record_id,
            xml,
        } = reply
        {
            let result = XmlResult {
                file: job,
                chunk,
                record_id,
                xml,
            };
            let requested = self.xml_requested.get_value();
            self.xml.update(|kept| keep_xml(kept, result, requested));
            return;
        }
        let (file, requests, first_rows) = {
            let data = self.data.get_value();
            let mut data = data.borrow_mut();
            let data = &mut *data;
            let (job, update) = match reply {
                Reply::Header { job, header } => {
                    if let Some(report) = data.reports.get_mut(job as usize) {
                        report.set_header(header.clone());
                    }
                    let mut update = data.session.on_header(job, header);
                    let crash = panic_test_enabled()
                        && data
                            .files
                            .get(job as usize)
                            .is_some_and(|file| file.name().contains("panic"));
                    if crash {
                        crash_first_batch(&mut update.requests);
                    }
                    (job, update)
                }
                Reply::Chunks {
                    job,
                    bytes_read,
                    scans,
                    ..
                } => (job, data.session.on_chunks(job, bytes_read, scans)),
                Reply::Hash { job, sha256 } => {
                    if let Some(report) = data.reports.get_mut(job as usize) {
                        match &sha256 {
                            Ok(hex) => report.set_sha256(hex.clone()),
                            Err(message) => report.note_hash_failed(message.clone()),
                        }
                    }
                    data.session.on_hash(job, sha256);
                    (job, Default::default())
                }
                Reply::HashProgress { job, bytes } => {
                    data.session.on_hash_progress(job, bytes);
                    (job, Default::default())
                }
                Reply::Failed { job, message } => {
                    if let Some(report) = data.reports.get_mut(job as usize) {
                        report.note_lost(message.clone());
                    }
                    (job, data.session.on_failed(job, message))
                }
                // The pool turns a finished hash part into the next part and progress.
                Reply::Ready
                | Reply::Panicked { .. }
                | Reply::Xml { .. }
                | Reply::HashPart { .. } => return,
            };
            let first_rows = brings_first_rows(data.table.rows.len(), &update.scans);
            if let Some(report) = data.reports.get_mut(job as usize) {
                if update
                    .requests
                    .iter()
                    .any(|r| matches!(r, Request::Hash { .. }))
                {
                    report.note_hash_pending();
                }
                data.table_stale |= !update.scans.is_empty();
                for scan in update.scans {
                    report.add_chunk(scan);
                }
            }
            data.file_finished |= data
                .session
                .file(job)
                .is_some_and(|file| !file.is_parsing());
            (
                data.files.get(job as usize).cloned(),
                update.requests,
                first_rows,
            )
        };
        self.pool.with_value(|pool| {
            if let (Some(pool), Some(file)) = (pool, file) {
                for request in requests {
                    pool.submit(request, file.clone());
                }
            }
        });
        // The first rows show at once because the person who dropped the file waits for them.
        // Later replies wait for the next scheduled redraw.
        if first_rows {
            self.refresh();
        } else {
            self.schedule_refresh();
        }
    }

    /// Redraws the views once within [`VIEW_REFRESH_MS`], however many replies arrive.
    fn schedule_refresh(self) {
        if self.refresh_pending.get_value() {
            return;
        }
        self.refresh_pending.set_value(true);
        let callback = wasm_bindgen::closure::Closure::once_into_js(move || self.refresh());
        let scheduled = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.unchecked_ref(),
                VIEW_REFRESH_MS,
            )
        });
        if !matches!(scheduled, Some(Ok(_))) {
            self.refresh();
        }
    }

    fn refresh(self) {
        self.refresh_pending.set_value(false);
        crate::worker::runtime::publish_memory_size();
        let selected = self.selected.get_untracked();
        let (rebuilt, still_stale, moved) = {
            let data = self.data.get_value();
            let mut data = data.borrow_mut();
            let now = data.file_finished || !data.session.busy();
            // Rows of a file read later shift the positions of the rows after them, so the
            // open row is found again by what it is, not where it was.
            let open_row = selected.and_then(|index| data.table.row_key(index));
            let rebuilt = data.table_stale && data.refresh_table(now);
            let mut moved = None;
            if rebuilt {
                data.table_stale = false;
                data.file_finished = false;
                let found = open_row.and_then(|key| data.table.index_of_key(key));
                if found != selected {
                    moved = Some(found);
                }
            }
            (rebuilt, data.table_stale, moved)
        };
        self.bump();
        if let Some(index) = moved {
            self.selected.set(index);
        }
        if rebuilt {
            self.table_revision.update(|revision| *revision += 1);
        }
        if still_stale {
            self.schedule_refresh();
        }
    }

    fn bump(self) {
        self.revision.update(|revision| *revision += 1);
    }
}

impl AppData {
    /// Rebuilds the table when `now` is set or the last rebuild is old enough, so rows show
    /// while big files are read without rebuilding after every batch.
    fn refresh_table(&mut self, now: bool) -> bool {
        let clock = js_sys::Date::now();
        let wait = TABLE_REFRESH_MS.max(self.table_build_ms / TABLE_REBUILD_SHARE);
        if !now && clock - self.table_built_at < wait {
            return false;
        }
        // The old table is dropped before the new one is built, so the two never take
        // memory at once: the page's wasm memory keeps its highest size, and on a log of
        // several GiB each table takes tens of MB.
        self.table = Table::default();
        self.table = Table::from_files(&self.reports);
        self.table_built_at = js_sys::Date::now();
        self.table_build_ms = self.table_built_at - clock;
        true
    }
}

/// Returns the page's query parameter `name`, if present.
fn query_parameter(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name)
}

/// `?workers=N` fixes the pool size, for benchmarks that compare worker counts.
fn worker_count_override() -> Option<usize> {
    query_parameter("workers")?.parse().ok()
}

/// Record XMLs kept for the detail panel.
const XML_KEPT: usize = 8;

/// Adds `result` to the `kept` XMLs, replacing one of the same record, and drops the oldest
/// beyond [`XML_KEPT`] except the one of the last request (`requested`). Replies of older
/// requests can come after it, because an XML request goes to the front of the queue.
fn keep_xml(kept: &mut Vec<XmlResult>, result: XmlResult, requested: Option<(u32, u64, u64)>) {
    let key = |xml: &XmlResult| (xml.file, xml.chunk, xml.record_id);
    kept.retain(|old| key(old) != key(&result));
    kept.push(result);
    while kept.len() > XML_KEPT {
        let Some(oldest) = kept.iter().position(|xml| Some(key(xml)) != requested) else {
            break;
        };
        kept.remove(oldest);
    }
}

/// `?recycle-kib=N` replaces each worker after it has read N KiB instead of
/// [`RECYCLE_BYTES`], so the end-to-end tests can replace workers many times on small files.
fn recycle_override() -> Option<u64> {
    let kib: u64 = query_parameter("recycle-kib")?.parse().ok()?;
    // One chunk at least: smaller values make every 64-byte hash part start a worker.
    Some(kib.max(64).saturating_mul(1024))
}

/// Turns the first chunk batch of a file into a request that crashes its worker, so the rest
/// of the file shows what a crash costs.
fn crash_first_batch(requests: &mut [Request]) {
    if let Some(request) = requests
        .iter_mut()
        .find(|request| matches!(request, Request::Chunks { .. }))
    {
        if let Request::Chunks { job, first, count } = *request {
            *request = Request::Panic { job, first, count };
        }
    }
}

/// `?panic-test` makes files whose name contains "panic" crash their worker on purpose,
/// so the end-to-end tests can prove a crash costs only that file.
fn panic_test_enabled() -> bool {
    query_parameter("panic-test").is_some()
}
