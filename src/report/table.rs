//! The 4983 rows of every file in one table, with their search text prepared once.

use super::column::{Cell, Column};
use super::duplicates::Duplicates;
use super::file_report::FileReport;
use super::sort::SortRanks;
use super::taxonomy::Cause;
use super::text_index::{push_cause, push_cell, push_lowercase, TextIndex};
use crate::decode::Event4983;
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One 4983 event and the file it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Index into [`Table::files`].
    pub file: u32,
    /// The event as its [`FileReport`] holds it, shared rather than copied.
    pub event: Arc<Event4983>,
}

/// A row's identity that survives a rebuild of the table, unlike its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowKey {
    pub file: u32,
    pub record_id: u64,
    pub time_created: FileTime,
}

/// The 4983 rows of all files, file by file, each file's in EventRecordID order. A record
/// seen in an earlier file, or earlier in the same file, is left out (see [`Duplicates`]).
///
/// Views (filtered, sorted) are index vectors into `rows`, so no row is copied per view.
/// Rows are added only by [`Table::push_file`], which also indexes their text for search.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// File names; a row's `file` indexes this.
    pub files: Vec<String>,
    pub rows: Vec<Row>,
    /// The IPsec records counted so far and the copies left out.
    pub(crate) duplicates: Duplicates,
    /// The lowercase text of every row's values, for [`Table::filter`].
    pub(crate) text_index: TextIndex,
    /// Each sorted column's rank of every row, kept until rows are added.
    pub(crate) sort_ranks: SortRanks,
    /// Each row's failure cause: the timeline and the cause filter read it for every row,
    /// and grouping a reason's text costs far more than a lookup.
    pub(crate) causes: Vec<Cause>,
    /// Each row's TimeCreated, which the timeline and the alerts read for every row of a
    /// view: reading it here spares following each row's event pointer.
    pub(crate) times: Vec<FileTime>,
}

impl Table {
    /// Builds the table from file reports; row `file` indexes match positions in `reports`.
    pub fn from_files(reports: &[FileReport]) -> Table {
        let mut table = Table::default();
        let records = reports
            .iter()
            .map(|report| report.events_4983().count() + report.other_events().count())
            .sum();
        table.duplicates.reserve(records);
        for report in reports {
            table.push_file(report);
        }
        // Vectors grow by doubling, so up to half of each is spare room; a table is built
        // whole and then only read, so the room is given back.
        table.rows.shrink_to_fit();
        table.causes.shrink_to_fit();
        table.times.shrink_to_fit();
        table.text_index.shrink_to_fit();
        table
    }

    /// Appends one file's rows as the next file.
    pub fn push_file(&mut self, report: &FileReport) {
        let file = u32::try_from(self.files.len()).expect("fewer than 2^32 files");
        self.files.push(report.name.clone());
        let counted = self.duplicates.add_file(file, report);
        for (event, _) in report
            .shared_events_4983()
            .zip(counted)
            .filter(|(_, counted)| *counted)
        {
            let cause = self.text_index.push_row(&report.name, event);
            self.causes.push(cause);
            self.times.push(event.time_created);
            self.rows.push(Row {
                file,
                event: Arc::clone(event),
            });
        }
        self.sort_ranks = SortRanks::default();
    }

    /// Returns the name of the file a row came from.
    pub fn file_name(&self, row: &Row) -> &str {
        self.files.get(row.file as usize).map_or("", String::as_str)
    }

    /// Returns the cell of `column` in row `index`.
    pub fn cell(&self, index: u32, column: Column) -> Cell<'_> {
        let row = &self.rows[index as usize];
        column.cell(self.file_name(row), &row.event)
    }

    /// Returns what identifies row `index` across rebuilds: its file, EventRecordID and
    /// time (a file may hold one record ID twice, such as after a log was cleared).
    pub fn row_key(&self, index: u32) -> Option<RowKey> {
        let row = self.rows.get(index as usize)?;
        Some(RowKey {
            file: row.file,
            record_id: row.event.record_id,
            time_created: row.event.time_created,
        })
    }

    /// Returns the index of the row `key` names, if the table holds it.
    pub fn index_of_key(&self, key: RowKey) -> Option<u32> {
        let index = self.rows.iter().position(|row| {
            row.file == key.file
                && row.event.record_id == key.record_id
                && row.event.time_created == key.time_created
        })?;
        u32::try_from(index).ok()
    }

    /// Returns every row index in table order (file, then EventRecordID).
    pub fn all_indices(&self) -> Vec<u32> {
        let count = u32::try_from(self.rows.len()).expect("fewer than 2^32 rows");
        (0..count).collect()
    }
}

/// Joins every shown value of a row, raw codes and their words alike, in lowercase, each
/// ended by a line feed. [`TextIndex`] holds the same values column by column; this is the
/// row-at-a-time form for [`super::Filter::matches`] and for needles with a line feed.
pub(crate) fn search_text(file: &str, event: &Event4983) -> String {
    let mut text = String::with_capacity(512);
    for column in Column::ALL {
        push_cell(&mut text, column.cell(file, event));
        text.push('\n');
    }
    push_cause(&mut text, event);
    for value in event.other_values() {
        push_lowercase(&mut text, value);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, one_chunk_report};

    #[test]
    fn row_keeps_its_key_when_an_earlier_file_grows() {
        let early = one_chunk_report("a.evtx", vec![failure_at(1, 0)]);
        let late = one_chunk_report("b.evtx", vec![failure_at(7, 30), failure_at(8, 60)]);
        let before = Table::from_files(&[early, late.clone()]);
        let key = before.row_key(2).unwrap();
        assert_eq!((key.file, key.record_id), (1, 8));

        let grown = one_chunk_report("a.evtx", vec![failure_at(1, 0), failure_at(2, 10)]);
        let after = Table::from_files(&[grown, late]);

        assert_eq!(after.index_of_key(key), Some(3));
        assert_eq!(after.row_key(3), Some(key));
        assert_eq!(before.row_key(9), None);
    }
}
