//! EventRecordID ranges per chunk, and the gaps between them.
//!
//! Windows numbers records consecutively, so a gap means records were cleared, overwritten
//! in a chunk that is gone, or skipped as unreadable.

use super::file_report::FileReport;
use crate::scan::ChunkScan;
use serde::{Deserialize, Serialize};

/// The record IDs one chunk held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChunkRange {
    pub index: u64,
    pub first: Option<u64>,
    pub last: Option<u64>,
    pub records: u64,
}

impl ChunkRange {
    pub fn of(scan: &ChunkScan) -> ChunkRange {
        ChunkRange {
            index: scan.index,
            first: scan.first_record_id,
            last: scan.last_record_id,
            records: scan.records,
        }
    }
}

/// EventRecordIDs missing between two chunks: every ID after `after` and before `before`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordIdGap {
    pub after: u64,
    pub before: u64,
}

impl RecordIdGap {
    /// Returns how many IDs are missing.
    pub fn len(&self) -> u64 {
        self.before - self.after - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl FileReport {
    /// Returns the lowest EventRecordID read.
    pub fn first_record_id(&self) -> Option<u64> {
        self.ranges.iter().filter_map(|range| range.first).min()
    }

    /// Returns the highest EventRecordID read.
    pub fn last_record_id(&self) -> Option<u64> {
        self.ranges.iter().filter_map(|range| range.last).max()
    }

    /// Gaps between the record ID ranges of the chunks read so far, lowest first.
    pub fn record_id_gaps(&self) -> Vec<RecordIdGap> {
        let mut ranges: Vec<(u64, u64)> = self
            .ranges
            .iter()
            .filter_map(|range| Some((range.first?, range.last?)))
            .collect();
        ranges.sort_unstable();
        let mut gaps = Vec::new();
        let mut highest: Option<u64> = None;
        for (first, last) in ranges {
            if let Some(after) = highest.filter(|after| first > after.saturating_add(1)) {
                gaps.push(RecordIdGap {
                    after,
                    before: first,
                });
            }
            highest = Some(highest.map_or(last, |h| h.max(last)));
        }
        gaps
    }

    /// IDs missing inside chunks: IDs a chunk's range spans minus the records it yielded.
    pub fn record_ids_missing_inside_chunks(&self) -> u64 {
        self.ranges
            .iter()
            .filter_map(|range| {
                let span = range.last?.checked_sub(range.first?)? + 1;
                Some(span.saturating_sub(range.records))
            })
            .sum()
    }
}
