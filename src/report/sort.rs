//! Ordering table views by a column.

use super::column::{Cell, Column};
use super::filter::Filter;
use super::radix_sort::sort_keys;
use super::table::Table;
use super::word_hash::WordMap;
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

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
        let computed;
        let ranks = match self.sort_ranks.get(self, column) {
            Some(ranks) => ranks,
            None => {
                computed = self.column_ranks(column);
                &computed
            }
        };
        // Each row gets one integer key: its rank in the column, complemented to sort
        // descending, then its position in `indices`, which breaks ties and so keeps equal
        // rows in their order. The sort then moves integers and never touches rows.
        let mut keys: Vec<u64> = indices
            .iter()
            .zip(0u32..)
            .map(|(index, position)| {
                let rank = ranks[*index as usize];
                let rank = if descending { u32::MAX - rank } else { rank };
                u64::from(rank) << 32 | u64::from(position)
            })
            .collect();
        sort_keys(&mut keys);
        let sorted: Vec<u32> = keys
            .iter()
            .map(|key| indices[(*key as u32) as usize])
            .collect();
        indices.copy_from_slice(&sorted);
    }

    /// Returns every row's rank in `column`: equal cells share a rank, and a cell that
    /// sorts later ascending has a higher one (see [`SortKey`]).
    fn column_ranks(&self, column: Column) -> Vec<u32> {
        if column == Column::TimeCreated && self.times.len() == self.rows.len() {
            return time_ranks(&self.times);
        }
        let coded = self
            .text_index
            .coded(column)
            .filter(|coded| coded.ids.len() == self.rows.len());
        if let Some(coded) = coded {
            // The column's distinct values are ranked once, then looked up per row.
            let mut order: Vec<usize> = (0..coded.first_rows.len()).collect();
            order.sort_by_cached_key(|id| SortKey::of(self.cell(coded.first_rows[*id], column)));
            let mut rank_of_value = vec![0u32; order.len()];
            let mut rank = 0;
            for (place, id) in order.iter().enumerate() {
                if place > 0 {
                    let before = self.cell(coded.first_rows[order[place - 1]], column);
                    let cell = self.cell(coded.first_rows[*id], column);
                    if compare_cells(before, cell) != Ordering::Equal {
                        rank += 1;
                    }
                }
                rank_of_value[*id] = rank;
            }
            let mut ranks = Vec::with_capacity(coded.ids.len());
            coded
                .ids
                .for_each(|id| ranks.push(rank_of_value[id as usize]));
            return ranks;
        }
        let plain = self
            .text_index
            .plain(column)
            .filter(|plain| plain.rows() == self.rows.len());
        if let Some(plain) = plain {
            return self.plain_column_ranks(column, plain);
        }
        // Packed as kind, value, row: sorting the packed keys orders the rows by cell.
        let mut order: Vec<u128> = self
            .rank_keys(&self.all_indices(), column)
            .into_iter()
            .zip(0u32..)
            .map(|((kind, value), row)| {
                ((kind as u128) << 64 | u128::from(value)) << 32 | u128::from(row)
            })
            .collect();
        order.sort_unstable();
        let mut ranks = vec![0u32; order.len()];
        let mut rank = 0;
        for (place, key) in order.iter().enumerate() {
            if place > 0 && order[place - 1] >> 32 != key >> 32 {
                rank += 1;
            }
            ranks[(*key as u32) as usize] = rank;
        }
        ranks
    }

    /// Returns the sort key of `column` for each of `indices`, in the order of
    /// [`SortKey`]: text values are replaced by their rank among the distinct values.
    fn rank_keys(&self, indices: &[u32], column: Column) -> Vec<RankKey> {
        // Logs repeat few distinct values per column, so each row's text is looked up once
        // to number it, and only the distinct values are compared.
        let mut ids: WordMap<&str, u64> = WordMap::default();
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

/// Each column's [`Table::column_ranks`], computed on the first sort by that column and
/// kept until rows are added, so later sorts by it only gather ranks and sort integers.
#[derive(Clone, Default)]
pub(crate) struct SortRanks([OnceLock<Vec<u32>>; Column::ALL.len()]);

impl SortRanks {
    /// Returns `column`'s ranks, computing them on first use. Returns `None` when the
    /// table's rows changed behind [`Table::push_file`], which resets the ranks.
    fn get<'a>(&'a self, table: &Table, column: Column) -> Option<&'a [u32]> {
        let ranks = self.0[column as usize].get_or_init(|| table.column_ranks(column));
        (ranks.len() == table.rows.len()).then_some(ranks.as_slice())
    }
}

/// Ranks are derived from the rows, so two tables with equal rows are equal whichever
/// columns they happened to sort by.
impl PartialEq for SortRanks {
    fn eq(&self, _: &SortRanks) -> bool {
        true
    }
}

impl fmt::Debug for SortRanks {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ranked = Column::ALL
            .iter()
            .filter(|column| self.0[**column as usize].get().is_some());
        formatter.debug_list().entries(ranked).finish()
    }
}

/// The kinds of cell in sort order, as in [`SortKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum KindRank {
    Null,
    Number,
    Time,
    Text,
}

/// A row's sort key: its kind, then its number, time ticks or text rank.
type RankKey = (KindRank, u64);

/// Returns each row's rank by time, equal times sharing a rank.
fn time_ranks(times: &[FileTime]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..times.len() as u32).collect();
    // Rows come in file order, which is mostly time order, and the stable sort merges such
    // runs in close to one pass. The times are read from the table, not from each event.
    order.sort_by_key(|row| times[*row as usize]);
    let mut ranks = vec![0u32; times.len()];
    let mut rank = 0;
    for (place, row) in order.iter().enumerate() {
        if place > 0 && times[order[place - 1] as usize] != times[*row as usize] {
            rank += 1;
        }
        ranks[*row as usize] = rank;
    }
    ranks
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
    use crate::report::sample::{failure_at, random_reports, random_table, table_of, Random};
    use crate::scan::FieldValue;
    use std::cmp::Reverse;

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

    /// Orders `indices` by each row's [`SortKey`] with a stable sort, so ties keep their
    /// order in `indices`.
    fn reference_sort(table: &Table, indices: &[u32], sort: Sort) -> Vec<u32> {
        let mut sorted = indices.to_vec();
        let key = |index: &u32| SortKey::of(table.cell(*index, sort.column));
        if sort.descending {
            sorted.sort_by_cached_key(|index| Reverse(key(index)));
        } else {
            sorted.sort_by_cached_key(key);
        }
        sorted
    }

    /// Returns all rows, every third row, and all rows shuffled, as sorts get them.
    fn index_sets(table: &Table, random: &mut Random) -> [Vec<u32>; 3] {
        let all = table.all_indices();
        let every_third = all.iter().copied().filter(|index| index % 3 == 0).collect();
        let mut shuffled = all.clone();
        for place in (1..shuffled.len()).rev() {
            shuffled.swap(place, random.below(place + 1));
        }
        [all, every_third, shuffled]
    }

    #[test]
    fn sort_matches_reference_on_random_tables() {
        // The first table is big enough for the radix sort and has columns of mostly
        // unique values. The second has many equal times and only numbered columns.
        let tables = [
            random_table(5, 5200, 2, 1_000_000),
            random_table(6, 1500, 3, 300),
        ];
        let mut random = Random::new(7);
        for (number, table) in tables.iter().enumerate() {
            for indices in index_sets(table, &mut random) {
                for column in Column::ALL {
                    for descending in [false, true] {
                        let sort = Sort { column, descending };
                        let mut sorted = indices.clone();
                        table.sort(&mut sorted, Some(sort));

                        let expected = reference_sort(table, &indices, sort);
                        assert!(sorted == expected, "table {number}, {sort:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn sort_after_growth_matches_reference() {
        let reports = random_reports(8, 6000, 2, 5000);
        let mut table = Table::from_files(&reports[..1]);
        let by_time = Sort {
            column: Column::TimeCreated,
            descending: true,
        };
        let by_computer = Sort {
            column: Column::Computer,
            descending: false,
        };
        let mut indices = table.all_indices();
        table.sort(&mut indices, Some(by_time));
        table.sort(&mut indices, Some(by_computer));

        table.push_file(&reports[1]);

        for sort in [by_time, by_computer] {
            let mut indices = table.all_indices();
            table.sort(&mut indices, Some(sort));
            let expected = reference_sort(&table, &table.all_indices(), sort);
            assert!(indices == expected, "{sort:?}");
        }
    }
}
