//! Counts over a table view: the most common failure reasons and remote addresses, and
//! rows per file.

use super::column::Column;
use super::table::Table;
use crate::decode::Event4983;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A value and how many rows hold it; `None` counts rows where the field is missing or Null.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    pub value: Option<String>,
    pub count: u64,
}

/// How many rows of a view came from one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTotal {
    /// Index into [`Table::files`].
    pub file: u32,
    pub name: String,
    pub rows: u64,
}

impl Table {
    /// Counts the `limit` most common FailureReason values among `indices`, most common first
    /// and equal counts by value.
    pub fn top_failure_reasons(&self, indices: &[u32], limit: usize) -> Vec<ValueCount> {
        self.top_values(indices, limit, Column::FailureReason, |event| {
            event.failure_reason()
        })
    }

    /// Counts the `limit` most common RemoteAddress values among `indices`.
    pub fn top_remote_addresses(&self, indices: &[u32], limit: usize) -> Vec<ValueCount> {
        self.top_values(indices, limit, Column::RemoteAddress, |event| {
            event.remote_address()
        })
    }

    /// Rows among `indices` per file, for every file of the table (zero included), in file
    /// order.
    pub fn file_totals(&self, indices: &[u32]) -> Vec<FileTotal> {
        let mut counts = vec![0u64; self.files.len()];
        for index in indices {
            counts[self.rows[*index as usize].file as usize] += 1;
        }
        self.files
            .iter()
            .zip(counts)
            .enumerate()
            .map(|(file, (name, rows))| FileTotal {
                file: file as u32,
                name: name.clone(),
                rows,
            })
            .collect()
    }

    /// Counts the values of `column`, which `value_of` reads from an event, by their value
    /// numbers when the search index keeps them: a million rows then need no hashing.
    fn top_values<'a>(
        &'a self,
        indices: &[u32],
        limit: usize,
        column: Column,
        value_of: impl Fn(&'a Event4983) -> Option<&'a str>,
    ) -> Vec<ValueCount> {
        let Some(coded) = self.text_index.coded(column) else {
            return self.top_values_by_text(indices, limit, value_of);
        };
        let mut by_id = vec![0u64; coded.first_rows.len()];
        coded.ids.for_each_at(indices, |id| by_id[id as usize] += 1);
        // Each value number stands for one distinct value, so no two counts merge.
        let counted: Vec<(Option<&str>, u64)> = by_id
            .into_iter()
            .zip(&coded.first_rows)
            .filter(|(count, _)| *count > 0)
            .map(|(count, row)| (value_of(&self.rows[*row as usize].event), count))
            .collect();
        largest_values(counted, limit)
    }

    /// Counts as [`Table::top_values`] does, hashing each row's value.
    pub(crate) fn top_values_by_text<'a>(
        &'a self,
        indices: &[u32],
        limit: usize,
        value_of: impl Fn(&'a Event4983) -> Option<&'a str>,
    ) -> Vec<ValueCount> {
        let mut counts: HashMap<Option<&str>, u64> = HashMap::new();
        for index in indices {
            *counts
                .entry(value_of(&self.rows[*index as usize].event))
                .or_default() += 1;
        }
        largest_values(counts.into_iter().collect(), limit)
    }
}

/// Orders values by count, most common first and equal counts by value, and returns the
/// first `limit`.
fn largest_values(mut counted: Vec<(Option<&str>, u64)>, limit: usize) -> Vec<ValueCount> {
    counted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counted
        .into_iter()
        .take(limit)
        .map(|(value, count)| ValueCount {
            value: value.map(str::to_owned),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, one_chunk_report};
    use crate::scan::FieldValue;

    fn table() -> Table {
        let with = |record_id: u64, reason: FieldValue, address: &str| {
            let mut raw = failure_at(record_id, 0);
            raw.data[13].value = reason;
            raw.data[10].value = FieldValue::Text(address.into());
            raw
        };
        let text = |value: &str| FieldValue::Text(value.into());
        let first = one_chunk_report(
            "a.evtx",
            vec![
                with(1, text("timeout"), "10.0.0.9"),
                with(2, text("bad cert"), "10.0.0.8"),
                with(3, text("timeout"), "10.0.0.9"),
            ],
        );
        let second = one_chunk_report("b.evtx", vec![with(4, FieldValue::Null, "10.0.0.8")]);
        let empty = one_chunk_report("c.evtx", vec![]);
        Table::from_files(&[first, second, empty])
    }

    fn count(value: Option<&str>, count: u64) -> ValueCount {
        ValueCount {
            value: value.map(str::to_owned),
            count,
        }
    }

    #[test]
    fn top_failure_reasons_by_count_then_value() {
        let table = table();

        let top = table.top_failure_reasons(&table.all_indices(), 10);

        assert_eq!(
            top,
            [
                count(Some("timeout"), 2),
                count(None, 1),
                count(Some("bad cert"), 1)
            ]
        );
        assert_eq!(table.top_failure_reasons(&table.all_indices(), 1).len(), 1);
    }

    #[test]
    fn top_remote_addresses_over_a_view() {
        let table = table();

        let top = table.top_remote_addresses(&[1, 3], 10);

        assert_eq!(top, [count(Some("10.0.0.8"), 2)]);
    }

    #[test]
    fn file_totals_include_empty_files() {
        let table = table();

        let totals = table.file_totals(&[0, 1, 3]);

        let shown: Vec<(u32, &str, u64)> = totals
            .iter()
            .map(|t| (t.file, t.name.as_str(), t.rows))
            .collect();
        assert_eq!(
            shown,
            [(0, "a.evtx", 2), (1, "b.evtx", 1), (2, "c.evtx", 0)]
        );
    }
}
