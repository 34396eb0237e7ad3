//! The life of each dropped file, from header to last chunk, independent of the browser.
//!
//! The page turns worker replies into calls here and sends the requests this returns, so
//! the order of work and the progress figures are tested natively.

use crate::read::{self, FileHeader, HeaderError, FILE_HEADER_SIZE};
use crate::scan::interest::EVENT_4983;
use crate::scan::ChunkScan;
use crate::worker::protocol::Request;
use std::collections::HashSet;

/// Minimum chunks one request reads (1 MiB), so a message's cost stays small beside its scan.
pub const MIN_CHUNKS_PER_REQUEST: u64 = 16;
/// Maximum chunks one request reads (4 MiB). In headless Chromium 156, `FileReaderSync` read
/// 1 MiB slices at about 100 MB/s and 4 MiB slices at about 200 MB/s (bench/profile.mjs,
/// 2 shared cores), because each read has a fixed cost.
pub const MAX_CHUNKS_PER_REQUEST: u64 = 64;
/// Requests a file is split into at least, while they stay above the minimum size, so the
/// workers share a small file evenly and its progress moves in steps.
const MIN_REQUESTS_PER_FILE: u64 = 16;

/// Chunks the first request of a file reads. It is small because the first rows show once
/// it is scanned. Each later request reads four times as many, up to the file's batch size.
const FIRST_REQUEST_CHUNKS: u64 = 4;

/// Returns how many chunks each request over a file of `slots` chunk slots reads once the
/// first requests have ramped up.
pub fn chunks_per_request(slots: u64) -> u64 {
    (slots / MIN_REQUESTS_PER_FILE).clamp(MIN_CHUNKS_PER_REQUEST, MAX_CHUNKS_PER_REQUEST)
}

/// Splits `slots` chunk slots into requests as `(first, count)`, ramping up from
/// [`FIRST_REQUEST_CHUNKS`] to [`chunks_per_request`].
pub fn plan_batches(slots: u64) -> Vec<(u64, u64)> {
    let batch = chunks_per_request(slots);
    let mut batches = Vec::new();
    let mut size = FIRST_REQUEST_CHUNKS.min(batch);
    let mut first = 0;
    while first < slots {
        let count = size.min(slots - first);
        batches.push((first, count));
        first += count;
        size = (size * 4).min(batch);
    }
    batches
}

/// Returns whether scans bring the first rows to a table of `rows_shown` rows. The page
/// then shows them at once instead of at its next scheduled redraw.
pub fn brings_first_rows(rows_shown: usize, scans: &[ChunkScan]) -> bool {
    rows_shown == 0
        && scans
            .iter()
            .flat_map(|scan| &scan.events)
            .any(|event| event.event_id == EVENT_4983)
}

/// Returns `name`, or if `taken` already contains it, `name (N)` with the smallest N from 2
/// that `taken` does not contain. Responders often collect `Security.evtx` from many hosts,
/// and the browser gives no folder, so the suffix is what tells such files apart.
pub fn unique_name(name: &str, taken: &HashSet<&str>) -> String {
    if !taken.contains(name) {
        return name.to_owned();
    }
    (2u64..)
        .map(|number| format!("{name} ({number})"))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .expect("fewer than 2^64 files share a name")
}

/// Status of a file's reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileStatus {
    Parsing,
    Done,
    Error,
}

impl FileStatus {
    /// The word the page shows and puts in `data-status`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Parsing => "parsing",
            FileStatus::Done => "done",
            FileStatus::Error => "error",
        }
    }
}

/// Progress of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileProgress {
    pub job: u32,
    pub name: String,
    pub size: u64,
    pub status: FileStatus,
    /// Bytes scanned so far, of `size`.
    pub bytes_done: u64,
    pub header: Option<FileHeader>,
    /// SHA-256 of the whole file as lowercase hex, once computed.
    pub sha256: Option<String>,
    /// The SHA-256 was requested and has not arrived. It does not keep the file parsing,
    /// because the rows and counts are final when the last chunk is in.
    hash_due: bool,
    /// Bytes the hash has read, from its worker's first progress reply on. `None` while the
    /// hash waits for the scans.
    pub hash_bytes: Option<u64>,
    /// The reason the SHA-256 was not computed.
    pub hash_error: Option<String>,
    /// Why the file failed as a whole, or what cut its reading short.
    pub errors: Vec<String>,
    requests_left: u64,
    /// Chunk batches whose reply came back, to tell a file of which nothing could be read.
    batches_read: u64,
}

impl FileProgress {
    pub fn is_parsing(&self) -> bool {
        self.status == FileStatus::Parsing
    }

    /// Returns whether the SHA-256 is still being computed.
    pub fn is_hashing(&self) -> bool {
        self.hash_due
    }

    /// Returns whether a reply is still due, such as the hash of a file whose header failed.
    pub fn has_requests_left(&self) -> bool {
        self.requests_left > 0 || self.hash_due
    }
}

/// Changes a reply made, for the page to act on.
#[derive(Debug, Default)]
pub struct Update {
    pub requests: Vec<Request>,
    pub scans: Vec<ChunkScan>,
}

/// Every file of the page, by job number.
#[derive(Debug, Default)]
pub struct Session {
    pub files: Vec<FileProgress>,
}

impl Session {
    /// Registers a dropped file and returns the request that reads its header. The file is
    /// named by [`unique_name`] against the files added before it, so a later drop never
    /// renames an earlier file, and every view and export can use this name.
    pub fn add_file(&mut self, name: &str, size: u64) -> Request {
        let job = self.files.len() as u32;
        let used_names: HashSet<&str> = self.files.iter().map(|file| file.name.as_str()).collect();
        let name = unique_name(name, &used_names);
        self.files.push(FileProgress {
            job,
            name,
            size,
            status: FileStatus::Parsing,
            bytes_done: 0,
            header: None,
            sha256: None,
            hash_due: false,
            hash_bytes: None,
            hash_error: None,
            errors: Vec::new(),
            requests_left: 0,
            batches_read: 0,
        });
        Request::Header { job }
    }

    pub fn file(&self, job: u32) -> Option<&FileProgress> {
        self.files.get(job as usize)
    }

    /// Takes the header; a valid one yields the chunk requests for the whole file.
    pub fn on_header(&mut self, job: u32, header: Result<FileHeader, HeaderError>) -> Update {
        let Some(file) = self.files.get_mut(job as usize) else {
            return Update::default();
        };
        let header = match header {
            Ok(header) => header,
            Err(error) => {
                file.errors.push(error.to_string());
                file.status = FileStatus::Error;
                // An examiner still records the hash of a file that is not a log.
                file.hash_due = true;
                return Update {
                    requests: vec![Request::Hash { job }],
                    scans: Vec::new(),
                };
            }
        };
        let promised = u64::from(header.chunk_count);
        let slots = read::chunk_slots(file.size);
        if header.chunks_missing(slots) > 0 {
            // A copy that stopped early looks whole in every other column of the page. The
            // header alone cannot tell that from a damaged chunk count, so both are named.
            let chunks = if promised == 1 { "chunk" } else { "chunks" };
            file.errors.push(format!(
                "the file header counts {promised} {chunks} of 64 KiB but the file has room \
                 for {slots}, so either the file is cut short or the header's chunk count is \
                 wrong"
            ));
        }
        file.header = Some(header);
        file.bytes_done = FILE_HEADER_SIZE.min(file.size);
        if slots == 0 {
            if promised == 0 {
                file.errors
                    .push("the file has a header but no chunks, so it holds no records".into());
            }
            file.status = FileStatus::Done;
            file.bytes_done = file.size;
            file.hash_due = true;
            return Update {
                requests: vec![Request::Hash { job }],
                scans: Vec::new(),
            };
        }
        // The hash comes last, so the pool finds the scans queued and delays the hash.
        let requests: Vec<Request> = plan_batches(slots)
            .into_iter()
            .map(|(first, count)| Request::Chunks { job, first, count })
            .chain([Request::Hash { job }])
            .collect();
        file.requests_left = requests.len() as u64 - 1;
        file.hash_due = true;
        Update {
            requests,
            scans: Vec::new(),
        }
    }

    /// Takes a batch of scanned chunks; the file is done when its last batch arrives.
    pub fn on_chunks(&mut self, job: u32, bytes_read: u64, scans: Vec<ChunkScan>) -> Update {
        let Some(file) = self.files.get_mut(job as usize) else {
            return Update::default();
        };
        file.bytes_done = (file.bytes_done + bytes_read).min(file.size);
        file.batches_read += 1;
        self.finish_request(job);
        Update {
            requests: Vec::new(),
            scans,
        }
    }

    /// Takes the file's SHA-256, or the reason it was not computed.
    pub fn on_hash(&mut self, job: u32, sha256: Result<String, String>) {
        if let Some(file) = self.files.get_mut(job as usize) {
            file.hash_due = false;
            match sha256 {
                Ok(sha256) => file.sha256 = Some(sha256),
                Err(message) => {
                    file.errors.push(message.clone());
                    file.hash_error = Some(message);
                }
            }
        }
    }

    /// Takes how far the hash of file `job` has read.
    pub fn on_hash_progress(&mut self, job: u32, bytes: u64) {
        if let Some(file) = self.files.get_mut(job as usize) {
            if file.hash_due {
                file.hash_bytes = Some(bytes.min(file.size));
            }
        }
    }

    /// Records a request that failed as a whole. A failed header makes the file an error; a
    /// failed chunk batch loses those chunks but keeps everything else.
    pub fn on_failed(&mut self, job: u32, message: String) -> Update {
        let Some(file) = self.files.get_mut(job as usize) else {
            return Update::default();
        };
        file.errors.push(message);
        if file.header.is_none() && file.status == FileStatus::Parsing {
            file.status = FileStatus::Error;
            // As for a file that is no log: the hash is still worth having.
            file.hash_due = true;
            return Update {
                requests: vec![Request::Hash { job }],
                scans: Vec::new(),
            };
        }
        self.finish_request(job);
        Update::default()
    }

    fn finish_request(&mut self, job: u32) {
        let file = &mut self.files[job as usize];
        file.requests_left = file.requests_left.saturating_sub(1);
        if file.requests_left == 0 && file.status == FileStatus::Parsing {
            file.bytes_done = file.size;
            if file.batches_read == 0 && file.header.is_some() && !file.errors.is_empty() {
                // "Done" would claim a result, and nothing was read, such as when the file
                // was deleted after the drop.
                file.status = FileStatus::Error;
                file.errors
                    .push("no chunk of the file could be read, so it has no records".into());
            } else {
                file.status = FileStatus::Done;
            }
        }
    }

    /// Returns each file's problems as a whole, in file order, for the saved report and the
    /// JSON export.
    pub fn file_errors(&self) -> Vec<Vec<String>> {
        self.files.iter().map(|file| file.errors.clone()).collect()
    }

    /// Returns whether any file is still being read.
    pub fn busy(&self) -> bool {
        self.files
            .iter()
            .any(|file| file.status == FileStatus::Parsing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{chunk, failure_at, other_event};

    #[test]
    fn first_4983_rows_show_at_once() {
        let with_4983 = [
            chunk(0, vec![other_event(1)]),
            chunk(1, vec![failure_at(2, 0)]),
        ];
        let without = [chunk(0, vec![other_event(1)])];
        assert!(brings_first_rows(0, &with_4983));
        assert!(!brings_first_rows(0, &without));
        assert!(!brings_first_rows(0, &[]));
        assert!(!brings_first_rows(3, &with_4983));
    }

    fn header() -> FileHeader {
        FileHeader {
            first_chunk_number: 0,
            last_chunk_number: 0,
            next_record_id: 1,
            major_version: 3,
            minor_version: 1,
            chunk_count: 1,
            dirty: false,
            full: false,
            checksum_valid: true,
        }
    }

    #[test]
    fn header_plans_batches_over_every_slot() {
        let mut session = Session::default();
        session.add_file("a.evtx", 4096 + 40 * 65536 + 100);
        let update = session.on_header(0, Ok(header()));
        assert_eq!(
            update.requests,
            vec![
                Request::Chunks {
                    job: 0,
                    first: 0,
                    count: 4
                },
                Request::Chunks {
                    job: 0,
                    first: 4,
                    count: 16
                },
                Request::Chunks {
                    job: 0,
                    first: 20,
                    count: 16
                },
                Request::Chunks {
                    job: 0,
                    first: 36,
                    count: 5
                },
                Request::Hash { job: 0 },
            ]
        );
    }

    #[test]
    fn big_file_reads_4_mib_per_request() {
        let mut session = Session::default();
        let slots = 1040;
        session.add_file("big.evtx", 4096 + slots * 65536);

        let update = session.on_header(0, Ok(header()));

        let (hash, chunks) = update.requests.split_last().expect("requests");
        let counts: Vec<u64> = chunks
            .iter()
            .map(|request| match request {
                Request::Chunks { count, .. } => *count,
                other => panic!("expected only chunk requests before the hash, got {other:?}"),
            })
            .collect();
        assert_eq!(*hash, Request::Hash { job: 0 });
        assert_eq!(counts[..4], [4, 16, 64, 64]);
        assert_eq!(counts.len(), 18);
        assert_eq!(counts[17], 1040 - 4 - 16 - 64 * 15);
        assert_eq!(counts.iter().sum::<u64>(), slots);
    }

    #[test]
    fn batch_size_grows_with_the_file() {
        assert_eq!(chunks_per_request(1), 16);
        assert_eq!(chunks_per_request(256), 16);
        assert_eq!(chunks_per_request(512), 32);
        assert_eq!(chunks_per_request(1024), 64);
        assert_eq!(chunks_per_request(65536), 64);
    }

    #[test]
    fn file_is_done_after_last_batch() {
        let mut session = Session::default();
        session.add_file("a.evtx", 4096 + 20 * 65536);
        session.on_header(0, Ok(header()));
        session.on_chunks(0, 16 * 65536, Vec::new());
        session.on_hash(0, Ok("ab".into()));
        assert_eq!(session.files[0].status, FileStatus::Parsing);
        session.on_failed(0, "could not read bytes".into());
        assert_eq!(session.files[0].status, FileStatus::Done);
        assert_eq!(
            session.files[0].errors,
            vec!["could not read bytes".to_string()]
        );
        assert_eq!(session.files[0].bytes_done, session.files[0].size);
        assert_eq!(session.files[0].sha256.as_deref(), Some("ab"));
    }

    #[test]
    fn file_is_done_before_its_hash() {
        let mut session = Session::default();
        session.add_file("a.evtx", 4096 + 4 * 65536);
        session.on_header(0, Ok(header()));

        session.on_chunks(0, 4 * 65536, Vec::new());

        assert_eq!(session.files[0].status, FileStatus::Done);
        assert!(!session.busy());
        assert!(session.files[0].is_hashing());
        assert!(session.files[0].has_requests_left());
        assert_eq!(session.files[0].hash_bytes, None);
        session.on_hash_progress(0, 65536);
        assert_eq!(session.files[0].hash_bytes, Some(65536));
        let lost = "the SHA-256 was not computed: NotReadableError";
        session.on_hash(0, Err(lost.into()));
        session.on_hash_progress(0, 1 << 40);
        assert_eq!(session.files[0].hash_bytes, Some(65536));
        assert_eq!(session.files[0].hash_error.as_deref(), Some(lost));
        assert!(!session.files[0].is_hashing());
        assert!(!session.files[0].has_requests_left());
        assert_eq!(session.files[0].status, FileStatus::Done);
        assert_eq!(session.files[0].sha256, None);
        assert_eq!(session.files[0].errors, [lost]);
    }

    #[test]
    fn file_of_which_nothing_was_read_fails() {
        let mut session = Session::default();
        session.add_file("gone.evtx", 4096 + 20 * 65536);
        session.on_header(0, Ok(header()));

        session.on_failed(0, "chunks 0 to 3 were not read: NotFoundError".into());
        session.on_failed(0, "chunks 4 to 19 were not read: NotFoundError".into());

        assert_eq!(session.files[0].status, FileStatus::Error);
        assert_eq!(
            session.files[0].errors.last().map(String::as_str),
            Some("no chunk of the file could be read, so it has no records")
        );
    }

    #[test]
    fn lost_header_request_still_asks_for_the_hash() {
        let mut session = Session::default();
        session.add_file("a.evtx", 4096 + 65536);
        let update = session.on_failed(0, "a worker stopped".into());
        assert_eq!(update.requests, [Request::Hash { job: 0 }]);
        assert_eq!(session.files[0].status, FileStatus::Error);
        assert!(session.files[0].has_requests_left());
        session.on_hash(0, Ok("ab".into()));
        assert!(!session.files[0].has_requests_left());
        assert_eq!(session.files[0].status, FileStatus::Error);
    }

    #[test]
    fn bad_header_makes_an_error() {
        let mut session = Session::default();
        session.add_file("notes.txt", 10);
        let update = session.on_header(0, Err(HeaderError::TooShort { size: 10 }));
        assert_eq!(update.requests, [Request::Hash { job: 0 }]);
        assert_eq!(session.files[0].status, FileStatus::Error);
        assert!(!session.busy());
        assert!(session.files[0].has_requests_left());
        session.on_hash(0, Ok("ab".into()));
        assert!(!session.files[0].has_requests_left());
        assert_eq!(session.files[0].sha256.as_deref(), Some("ab"));
        assert_eq!(session.files[0].status, FileStatus::Error);
    }

    #[test]
    fn header_only_file_is_done_with_a_note() {
        let mut session = Session::default();
        session.add_file("empty.evtx", 4096);
        let empty = FileHeader {
            chunk_count: 0,
            ..header()
        };
        let update = session.on_header(0, Ok(empty));
        assert_eq!(update.requests, [Request::Hash { job: 0 }]);
        assert_eq!(session.files[0].status, FileStatus::Done);
        assert!(session.files[0].is_hashing());
        session.on_hash(0, Ok("ab".into()));
        assert!(!session.files[0].is_hashing());
        assert_eq!(session.files[0].status, FileStatus::Done);
        assert_eq!(session.files[0].sha256.as_deref(), Some("ab"));
        assert_eq!(
            session.files[0].errors,
            ["the file has a header but no chunks, so it holds no records"]
        );
    }

    #[test]
    fn file_shorter_than_its_header_says_so() {
        let mut session = Session::default();
        session.add_file("cut.evtx", 4096 + 65536);
        let three = FileHeader {
            chunk_count: 3,
            ..header()
        };
        session.on_header(0, Ok(three));
        assert_eq!(
            session.files[0].errors,
            [
                "the file header counts 3 chunks of 64 KiB but the file has room for 1, so \
                 either the file is cut short or the header's chunk count is wrong"
            ]
        );
    }

    #[test]
    fn unique_name_keeps_a_free_name() {
        let taken = HashSet::from(["System.evtx"]);

        assert_eq!(unique_name("Security.evtx", &taken), "Security.evtx");
    }

    #[test]
    fn unique_name_numbers_a_taken_name() {
        let taken = HashSet::from(["Security.evtx"]);

        assert_eq!(unique_name("Security.evtx", &taken), "Security.evtx (2)");
    }

    #[test]
    fn unique_name_skips_taken_suffixes() {
        let taken = HashSet::from(["Security.evtx", "Security.evtx (2)"]);

        assert_eq!(unique_name("Security.evtx", &taken), "Security.evtx (3)");
    }

    #[test]
    fn unique_name_compares_case() {
        let taken = HashSet::from(["Security.evtx"]);

        assert_eq!(unique_name("security.evtx", &taken), "security.evtx");
    }

    #[test]
    fn add_file_names_same_names_apart() {
        let mut session = Session::default();
        for _ in 0..3 {
            session.add_file("Security.evtx", 4096);
        }
        // A file whose own name is a suffixed one still gets a name of its own.
        session.add_file("Security.evtx (2)", 4096);
        session.add_file("Security.evtx", 4096);

        let names: Vec<&str> = session
            .files
            .iter()
            .map(|file| file.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Security.evtx",
                "Security.evtx (2)",
                "Security.evtx (3)",
                "Security.evtx (2) (2)",
                "Security.evtx (4)",
            ]
        );
    }
}
