//! Which worker of the page's pool takes the next request, independent of the browser.
//!
//! The pool has scan workers and one hash worker. The SHA-256 pass reads the whole file in
//! order and takes about as long as the scan. The pool starts it only when no scan is
//! queued or running: beside the scan it took a core from the workers the rows wait for
//! (the scan of 1 GiB took 4.3 instead of 3.3 s on 2 cores). It has a worker of its own so
//! that a file dropped during a hash is scanned at once. Each scan worker holds up to
//! [`SCAN_DEPTH`] requests, so it starts the next one without waiting for the page's thread
//! to handle its last reply.
//!
//! A worker's reads leave garbage in its JavaScript heap that V8 frees only in a full
//! collection, which it seldom runs in a worker: after a 4 GiB log the workers held over
//! 100 MB of it. The pool therefore replaces a worker once it has been given
//! [`RECYCLE_BYTES`] to read, which frees its heap whole, and hashes a file in parts of as
//! many bytes (see [`hash_part_bytes`]) so that the hash worker is replaced as well.

use super::protocol::Request;
use crate::read::{CHUNK_SIZE, FILE_HEADER_SIZE};

/// Requests a scan worker holds at once: the one it runs and the one it runs next.
pub const SCAN_DEPTH: usize = 2;
/// Requests the hash worker holds at once. A hash takes a whole file, so there is nothing
/// to gain from queueing a second one in the worker.
pub const HASH_DEPTH: usize = 1;

/// Bytes a worker is given to read before the pool replaces it with a fresh one. Reading
/// 4 GiB left about 115 MB of garbage in two workers, so 256 MiB leaves a few MB each.
pub const RECYCLE_BYTES: u64 = 256 << 20;

/// Returns the bytes of a file that one hash request reads when workers are replaced after
/// `recycle_bytes`: as many, rounded down to a whole number of SHA-256's 64-byte blocks so
/// that the hash can pause at the end of each part.
pub fn hash_part_bytes(recycle_bytes: u64) -> u64 {
    (recycle_bytes / 64).max(1) * 64
}

/// Returns how many workers of `lane` that take requests the pool keeps. That is
/// `scan_workers` while `queued` scan requests wait, and one hash worker while a hash part
/// waits or follows the one under way (`parts_follow`), so the next part's worker loads
/// meanwhile. No other worker is started, and used scan workers end when the scans are done,
/// so between drops only fresh workers take memory.
pub fn workers_needed(lane: Lane, scan_workers: usize, queued: usize, parts_follow: bool) -> usize {
    match lane {
        Lane::Scan if queued > 0 => scan_workers,
        Lane::Hash if queued > 0 || parts_follow => 1,
        _ => 0,
    }
}

/// Returns where the hash part that starts at byte `from` of a `size`-byte file ends.
pub fn hash_part_end(from: u64, size: u64, part_bytes: u64) -> u64 {
    from.saturating_add(part_bytes).min(size)
}

/// Returns how many bytes of a `size`-byte file `request` reads, which is what
/// [`RECYCLE_BYTES`] counts.
pub fn bytes_to_read(request: &Request, size: u64) -> u64 {
    match *request {
        Request::Header { .. } => FILE_HEADER_SIZE.min(size),
        Request::Chunks { count, .. } | Request::Panic { count, .. } => count * CHUNK_SIZE,
        Request::Hash { .. } => size,
        Request::HashPart { to, state, .. } => to.saturating_sub(state.length),
        Request::Xml { .. } => CHUNK_SIZE,
    }
}

/// The kind of worker a request runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    Scan,
    Hash,
}

impl Lane {
    /// Returns the lane of `request`.
    pub fn of(request: &Request) -> Lane {
        match request {
            Request::Hash { .. } | Request::HashPart { .. } => Lane::Hash,
            _ => Lane::Scan,
        }
    }

    /// Returns how many requests a worker of this lane holds at once.
    pub fn depth(self) -> usize {
        match self {
            Lane::Scan => SCAN_DEPTH,
            Lane::Hash => HASH_DEPTH,
        }
    }
}

/// The state of one worker that the scheduler reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerLoad {
    pub lane: Lane,
    /// The worker has loaded its wasm module and takes requests.
    pub ready: bool,
    /// Requests posted to it without a reply yet.
    pub in_flight: usize,
}

/// Returns the worker for the next request of `lane`: the ready worker of that lane with
/// the fewest requests in flight, below the lane's depth. Ties go to the first worker, so
/// every worker gets one request before any gets a second.
pub fn pick_worker(workers: &[Option<WorkerLoad>], lane: Lane) -> Option<usize> {
    workers
        .iter()
        .enumerate()
        .filter_map(|(index, load)| Some((index, (*load)?)))
        .filter(|(_, load)| load.lane == lane && load.ready && load.in_flight < lane.depth())
        .min_by_key(|(index, load)| (load.in_flight, *index))
        .map(|(index, _)| index)
}

/// Returns where a scan request of a file of `size` bytes goes in the scan queue: before the
/// first request of a larger file. `queued` gives the file size of each queued request, 0
/// for one that is not a scan, such as an urgent XML request. A small file dropped with
/// large ones is then read first, and the requests of files of one size keep their order.
pub fn scan_position(queued: impl IntoIterator<Item = u64>, size: u64) -> usize {
    let mut position = 0;
    for queued_size in queued {
        if queued_size > size {
            return position;
        }
        position += 1;
    }
    position
}

/// Returns which of the queued hashes to start, given the sizes of their files: the smallest,
/// the first of equals. A hash reads its whole file, so a small file's hash would otherwise
/// wait behind the long hash of a large file dropped before it.
pub fn next_hash(sizes: &[u64]) -> Option<usize> {
    sizes
        .iter()
        .enumerate()
        .min_by_key(|(index, size)| (**size, *index))
        .map(|(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(in_flight: usize) -> Option<WorkerLoad> {
        Some(WorkerLoad {
            lane: Lane::Scan,
            ready: true,
            in_flight,
        })
    }

    fn hash(in_flight: usize) -> Option<WorkerLoad> {
        Some(WorkerLoad {
            lane: Lane::Hash,
            ready: true,
            in_flight,
        })
    }

    #[test]
    fn requests_map_to_lanes() {
        assert_eq!(Lane::of(&Request::Hash { job: 1 }), Lane::Hash);
        assert_eq!(Lane::of(&Request::Header { job: 1 }), Lane::Scan);
        assert_eq!(
            Lane::of(&Request::Chunks {
                job: 1,
                first: 0,
                count: 16
            }),
            Lane::Scan
        );
        assert_eq!(
            Lane::of(&Request::Panic {
                job: 1,
                first: 0,
                count: 4
            }),
            Lane::Scan
        );
    }

    #[test]
    fn least_loaded_scan_worker_first() {
        let workers = [scan(1), scan(0), hash(0)];

        assert_eq!(pick_worker(&workers, Lane::Scan), Some(1));
    }

    #[test]
    fn every_worker_gets_one_before_a_second() {
        let workers = [scan(0), scan(0)];

        assert_eq!(pick_worker(&workers, Lane::Scan), Some(0));
        assert_eq!(pick_worker(&[scan(1), scan(0)], Lane::Scan), Some(1));
        assert_eq!(pick_worker(&[scan(1), scan(1)], Lane::Scan), Some(0));
    }

    #[test]
    fn full_workers_take_nothing() {
        let workers = [scan(SCAN_DEPTH), scan(SCAN_DEPTH), hash(HASH_DEPTH)];

        assert_eq!(pick_worker(&workers, Lane::Scan), None);
        assert_eq!(pick_worker(&workers, Lane::Hash), None);
    }

    #[test]
    fn hash_goes_only_to_the_hash_worker() {
        let workers = [scan(0), hash(0)];

        assert_eq!(pick_worker(&workers, Lane::Hash), Some(1));
        assert_eq!(pick_worker(&[scan(0)], Lane::Hash), None);
    }

    #[test]
    fn small_file_scanned_before_larger_ones() {
        assert_eq!(scan_position([100, 100, 4096, 4096], 200), 2);
        assert_eq!(scan_position([0, 4096, 4096], 100), 1);
        assert_eq!(scan_position([100, 100], 100), 2);
        assert_eq!(scan_position([], 100), 0);
    }

    #[test]
    fn smallest_file_hashed_first() {
        assert_eq!(next_hash(&[4 << 30, 4096, 1 << 20]), Some(1));
        assert_eq!(next_hash(&[7, 7]), Some(0));
        assert_eq!(next_hash(&[]), None);
    }

    #[test]
    fn workers_needed_per_lane() {
        assert_eq!(workers_needed(Lane::Scan, 2, 5, false), 2);
        assert_eq!(workers_needed(Lane::Scan, 2, 0, true), 0);
        assert_eq!(workers_needed(Lane::Hash, 2, 1, false), 1);
        assert_eq!(workers_needed(Lane::Hash, 2, 0, true), 1);
        assert_eq!(workers_needed(Lane::Hash, 2, 0, false), 0);
    }

    #[test]
    fn hash_parts_end_on_blocks() {
        let part = hash_part_bytes(RECYCLE_BYTES);

        assert_eq!(part, RECYCLE_BYTES);
        assert_eq!(hash_part_bytes(1000), 960);
        assert_eq!(hash_part_bytes(10), 64);
        assert_eq!(hash_part_end(0, 10, part), 10);
        assert_eq!(hash_part_end(0, 3 * part, part), part);
        assert_eq!(hash_part_end(2 * part, 2 * part + 5, part), 2 * part + 5);
        assert_eq!(hash_part_end(0, 0, part), 0);
    }

    #[test]
    fn bytes_to_read_per_request() {
        use crate::worker::sha256_parts::Sha256State;
        let part = Request::HashPart {
            job: 0,
            to: 1 << 30,
            state: Sha256State {
                length: 64,
                ..Sha256State::INITIAL
            },
        };
        let chunks = Request::Chunks {
            job: 0,
            first: 3,
            count: 16,
        };

        assert_eq!(bytes_to_read(&part, 1 << 40), (1 << 30) - 64);
        assert_eq!(bytes_to_read(&chunks, 1 << 40), 16 * CHUNK_SIZE);
        assert_eq!(bytes_to_read(&Request::Header { job: 0 }, 100), 100);
    }

    #[test]
    fn loading_and_missing_workers_are_skipped() {
        let loading = Some(WorkerLoad {
            lane: Lane::Scan,
            ready: false,
            in_flight: 0,
        });
        let workers = [None, loading, scan(1)];

        assert_eq!(pick_worker(&workers, Lane::Scan), Some(2));
    }
}
