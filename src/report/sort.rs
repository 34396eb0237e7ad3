//! Ordering table views by a column.

use super::column::{Cell, Column};
use super::filter::Filter;
use super::table::Table;
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};

/// A column to order by, and in which direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Table {
    /// Orders `indices` by `sort`, or back to table order for `None`. Ties keep their order
    /// in `indices`, so rows sorted from table order stay in file, then EventRecordID, order
    /// within equal values.
    pub fn sort(&self, indices: &mut [u32], sort: Option<Sort>) {
        let Some(Sort { column, descending }) = sort else {
            indices.sort_unstable();
            return;
        };
        // Keys are built once per row, so comparisons touch neither rows nor case folding.
        if descending {
            indices.sort_by_cached_key(|index| Reverse(SortKey::of(self.cell(*index, column))));
        } else {
            indices.sort_by_cached_key(|index| SortKey::of(self.cell(*index, column)));
        }
    }

    /// Returns the rows passing `filter`, ordered by `sort`, as the table shows and exports them.
    pub fn view(&self, filter: &Filter, sort: Option<Sort>) -> Vec<u32> {
        let mut indices = self.filter(filter);
        if sort.is_some() {
            self.sort(&mut indices, sort);
        }
        indices
    }
}

/// A cell's place in sort order: missing values first, then numbers and times by value,
/// then text by its lowercase form with the original bytes breaking ties. The variant order
/// is the order of kinds, since derived `Ord` compares variants first.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey<'a> {
    Null,
    Number(u64),
    Time(FileTime),
    Text(Cow<'a, str>, &'a str),
}

impl<'a> SortKey<'a> {
    fn of(cell: Cell<'a>) -> SortKey<'a> {
        match cell {
            Cell::Null => SortKey::Null,
            Cell::Number(number) => SortKey::Number(number),
            Cell::Time(time) => SortKey::Time(time),
            Cell::Text(text) => SortKey::Text(fold_case(text), text),
        }
    }
}

/// Orders two cells as [`Table::sort`] does ascending.
pub fn compare_cells(a: Cell<'_>, b: Cell<'_>) -> Ordering {
    SortKey::of(a).cmp(&SortKey::of(b))
}

/// Lowercases text, borrowing it when it has no uppercase ASCII and no other scripts.
fn fold_case(text: &str) -> Cow<'_, str> {
    if !text.is_ascii() {
        Cow::Owned(text.to_lowercase())
    } else if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, table_of};
    use crate::scan::FieldValue;

    fn ordered(table: &Table, sort: Option<Sort>) -> Vec<u64> {
        table
            .view(&Filter::default(), sort)
            .iter()
            .map(|index| table.rows[*index as usize].event.record_id)
            .collect()
    }

    fn sort(column: Column, descending: bool) -> Option<Sort> {
        Some(Sort { column, descending })
    }

    fn sample_table() -> Table {
        let with = |record_id: u64, seconds: u64, address: &str, port: FieldValue| {
            let mut raw = failure_at(record_id, seconds);
            raw.data[10].value = FieldValue::Text(address.into());
            raw.data[11].value = port;
            raw
        };
        table_of(vec![
            with(1, 30, "b-host", FieldValue::Unsigned(500)),
            with(2, 10, "A-host", FieldValue::Null),
            with(3, 20, "a-host", FieldValue::Text("n/a".into())),
            with(4, 0, "b-host", FieldValue::Unsigned(4500)),
        ])
    }

    #[test]
    fn default_is_table_order() {
        let table = sample_table();

        assert_eq!(ordered(&table, None), [1, 2, 3, 4]);
    }

    #[test]
    fn sorts_by_time() {
        let table = sample_table();

        assert_eq!(
            ordered(&table, sort(Column::TimeCreated, false)),
            [4, 2, 3, 1]
        );
        assert_eq!(
            ordered(&table, sort(Column::TimeCreated, true)),
            [1, 3, 2, 4]
        );
    }

    #[test]
    fn text_sort_ignores_case_and_is_stable() {
        let table = sample_table();

        assert_eq!(
            ordered(&table, sort(Column::RemoteAddress, false)),
            [2, 3, 1, 4]
        );
        assert_eq!(
            ordered(&table, sort(Column::RemoteAddress, true)),
            [1, 4, 3, 2]
        );
        assert_eq!(ordered(&table, sort(Column::File, true)), [1, 2, 3, 4]);
    }

    #[test]
    fn numbers_sort_after_null_and_before_text() {
        let table = sample_table();

        assert_eq!(
            ordered(&table, sort(Column::RemoteKeyModPort, false)),
            [2, 1, 4, 3]
        );
    }

    #[test]
    fn none_restores_table_order() {
        let table = sample_table();
        let mut indices = table.all_indices();
        table.sort(&mut indices, sort(Column::TimeCreated, false));

        table.sort(&mut indices, None);

        assert_eq!(indices, [0, 1, 2, 3]);
    }
}
