//! Ordering table views by a column.

use super::column::{Cell, Column};
use super::filter::Filter;
use super::table::Table;
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
        // Each row gets one integer key: its kind, its number, time ticks or text rank (see
        // `rank_keys`), and its position in `indices`, which breaks ties and so keeps equal
        // rows in their order. The sort then compares integers and never touches rows.
        let mut order: Vec<u128> = self
            .rank_keys(indices, column)
            .into_iter()
            .zip(0u32..)
            .map(|((kind, value), position)| {
                let key = (kind as u128) << 64 | u128::from(value);
                let key = if descending { MAX_RANK_KEY - key } else { key };
                key << 32 | u128::from(position)
            })
            .collect();
        order.sort_unstable();
        let sorted: Vec<u32> = order
            .iter()
            .map(|key| indices[(*key as u32) as usize])
            .collect();
        indices.copy_from_slice(&sorted);
    }

    /// Returns the sort key of `column` for each of `indices`, in the order of
    /// [`SortKey`]: text values are replaced by their rank among the distinct values.
    fn rank_keys(&self, indices: &[u32], column: Column) -> Vec<RankKey> {
        // Logs repeat few distinct values per column, so each row's text is looked up once
        // to number it, and only the distinct values are compared.
        let mut ids: HashMap<&str, u64, BuildHasherDefault<WordHasher>> = HashMap::default();
        let mut texts: Vec<&str> = Vec::new();
        let mut keys: Vec<RankKey> = indices
            .iter()
            .map(|index| match self.cell(*index, column) {
                Cell::Null => (KindRank::Null, 0),
                Cell::Number(number) => (KindRank::Number, number),
                Cell::Time(time) => (KindRank::Time, time.0),
                Cell::Text(text) => {
                    let id = *ids.entry(text).or_insert_with(|| {
                        texts.push(text);
                        texts.len() as u64 - 1
                    });
                    (KindRank::Text, id)
                }
            })
            .collect();
        let mut by_order: Vec<usize> = (0..texts.len()).collect();
        by_order.sort_by_cached_key(|id| (fold_case(texts[*id]), texts[*id]));
        let mut rank_of_id = vec![0u64; texts.len()];
        for (rank, id) in by_order.into_iter().enumerate() {
            rank_of_id[id] = rank as u64;
        }
        for key in &mut keys {
            if key.0 == KindRank::Text {
                key.1 = rank_of_id[key.1 as usize];
            }
        }
        keys
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

/// A multiply-and-rotate hash over 8-byte words, in the manner of rustc's FxHasher. Table
/// values are not chosen to collide, and SipHash, std's default, made text sorts several
/// times slower than number sorts on a million rows.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().expect("chunks of 8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for byte in words.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The kinds of cell in sort order, as in [`SortKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KindRank {
    Null,
    Number,
    Time,
    Text,
}

/// A row's sort key: its kind, then its number, time ticks or text rank.
type RankKey = (KindRank, u64);

/// The largest kind-and-value part of a packed key; subtracting from it reverses the order.
const MAX_RANK_KEY: u128 = (KindRank::Text as u128) << 64 | u64::MAX as u128;

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

    /// Orders the rows one comparison at a time with [`compare_cells`], as the sort did
    /// before it ranked its keys.
    fn reference_order(table: &Table, column: Column, descending: bool) -> Vec<u32> {
        let mut indices = table.all_indices();
        indices.sort_by(|a, b| {
            let order = compare_cells(table.cell(*a, column), table.cell(*b, column));
            if descending {
                order.reverse()
            } else {
                order
            }
        });
        indices
    }

    #[test]
    fn ranked_keys_match_cell_comparison() {
        let with = |record_id: u64, computer: &str, address: &str, port: FieldValue| {
            let mut raw = failure_at(record_id, record_id % 3);
            raw.computer = computer.into();
            raw.data[10].value = FieldValue::Text(address.into());
            raw.data[11].value = port;
            raw
        };
        let table = table_of(vec![
            with(1, "WS-2", "b-host", FieldValue::Unsigned(500)),
            with(2, "ws-1", "A-host", FieldValue::Null),
            with(3, "WS-1", "a-host", FieldValue::Text("n/a".into())),
            with(4, "Äb", "b-host", FieldValue::Unsigned(4500)),
            with(5, "äb", "", FieldValue::Unsigned(500)),
            with(6, "ws-1", "A-host", FieldValue::Text("N/A".into())),
        ]);

        for column in Column::ALL {
            for descending in [false, true] {
                let mut indices = table.all_indices();
                table.sort(&mut indices, sort(column, descending));

                let expected = reference_order(&table, column, descending);
                assert_eq!(indices, expected, "{column:?} descending={descending}");
            }
        }
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
