//! Each row's group in a top-N dimension, found from the value numbers of the search index
//! instead of hashing each row's text.
//!
//! Counting a million rows by text followed each row's event pointer and hashed its string,
//! about 200 ms natively per count. The search index already numbers the distinct values of
//! every column that has few of them ([`CodedColumn`]). A view's groups therefore come from
//! one small number per row and a table from value number to group, which is built over the
//! distinct values only. A column stored as plain text has no numbers, so callers then count
//! by text as before.

use super::column::Column;
use super::table::Table;
use super::taxonomy::Cause;
use super::text_index::CodedColumn;
use super::top::{fold_case, fold_hash, present, Dimension, KeyRef};
use super::value_ids::ValueIds;
use super::word_hash::WordMap;
use crate::decode::Event4983;
use std::borrow::Cow;

/// Marks a row that has no second group.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// The maximum cells (16 MB of `u32`) of the array that numbers pairs of local and remote
/// groups. With more possible pairs, a hash map numbers them.
const DENSE_PAIR_CELLS: usize = 1 << 22;

/// The groups of a view's rows in one dimension.
pub(crate) struct ViewGroups<'a> {
    /// Each group's key, indexed by group number. The keys differ from each other.
    pub(crate) keys: Vec<KeyRef<'a>>,
    /// The group of each row of the view, in the view's order.
    pub(crate) first: Vec<u32>,
    /// Each row's second group, or [`NO_GROUP`], for the certificate dimensions: a row whose
    /// local and remote values differ counts in both groups.
    pub(crate) second: Option<Vec<u32>>,
}

/// Returns a row's key in a dimension of one column, or one side of a certificate dimension.
type KeyOf = for<'e> fn(&'e Event4983) -> KeyRef<'e>;

fn text_key(value: Option<&str>) -> KeyRef<'_> {
    KeyRef::Text(present(value).map(Cow::Borrowed))
}

fn hash_key(value: Option<&str>) -> KeyRef<'_> {
    KeyRef::Text(present(value).map(fold_hash))
}

/// Returns the columns a dimension reads and how each value becomes a key, as
/// [`Dimension::keys_of`] makes them. Peer pairs and causes have none.
fn sides(dimension: Dimension) -> &'static [(Column, KeyOf)] {
    match dimension {
        Dimension::RemoteAddress => &[(Column::RemoteAddress, |e| text_key(e.remote_address()))],
        Dimension::FailureReason => &[(Column::FailureReason, |e| text_key(e.failure_reason()))],
        Dimension::Computer => &[(Column::Computer, |e| {
            KeyRef::Text(Some(fold_case(&e.computer)))
        })],
        Dimension::IssuingCa => &[
            (Column::LocalEmIssuingCa, |e| {
                text_key(e.local_em_issuing_ca())
            }),
            (Column::RemoteEmIssuingCa, |e| {
                text_key(e.remote_em_issuing_ca())
            }),
        ],
        Dimension::RootCa => &[
            (Column::LocalEmRootCa, |e| text_key(e.local_em_root_ca())),
            (Column::RemoteEmRootCa, |e| text_key(e.remote_em_root_ca())),
        ],
        Dimension::CertHash => &[
            (Column::LocalEmCertHash, |e| {
                hash_key(e.local_em_cert_hash())
            }),
            (Column::RemoteEmCertHash, |e| {
                hash_key(e.remote_em_cert_hash())
            }),
        ],
        Dimension::PeerPair | Dimension::Cause => &[],
    }
}

impl Table {
    /// Groups the rows `indices` by their keys in `dimension`, or returns `None` when a
    /// column the dimension reads keeps no value numbers.
    pub(crate) fn view_groups(
        &self,
        indices: &[u32],
        dimension: Dimension,
    ) -> Option<ViewGroups<'_>> {
        match dimension {
            Dimension::Cause => Some(self.cause_groups(indices)),
            Dimension::PeerPair => self.pair_groups(indices),
            _ => self.side_groups(indices, sides(dimension)),
        }
    }

    fn cause_groups(&self, indices: &[u32]) -> ViewGroups<'_> {
        const CAUSES: [Cause; 5] = [
            Cause::NoPolicy,
            Cause::Authentication,
            Cause::Timeout,
            Cause::PeerUnreachable,
            Cause::Other,
        ];
        debug_assert!(CAUSES.iter().enumerate().all(|(at, c)| c.index() == at));
        ViewGroups {
            keys: CAUSES.into_iter().map(KeyRef::Cause).collect(),
            first: indices
                .iter()
                .map(|index| self.causes[*index as usize].index() as u32)
                .collect(),
            second: None,
        }
    }

    /// Groups by one column's keys, or by the keys of two columns that share one key space.
    fn side_groups(&self, indices: &[u32], sides: &[(Column, KeyOf)]) -> Option<ViewGroups<'_>> {
        let mut numbers: WordMap<KeyRef<'_>, u32> = WordMap::default();
        let mut keys = Vec::new();
        let mut columns = Vec::new();
        for (column, key_of) in sides {
            let coded = self.text_index.coded(*column)?;
            let groups = self.groups_of_values(coded, *key_of, &mut numbers, &mut keys);
            columns.push((&coded.ids, groups));
        }
        let [(ids, groups), rest @ ..] = columns.as_slice() else {
            unreachable!("every dimension but pairs and causes reads a column");
        };
        let first = groups_at(ids, groups, indices);
        let second = rest.first().map(|(ids, groups)| {
            let mut second = groups_at(ids, groups, indices);
            for (other, main) in second.iter_mut().zip(&first) {
                if other == main {
                    *other = NO_GROUP;
                }
            }
            second
        });
        Some(ViewGroups {
            keys,
            first,
            second,
        })
    }

    /// Groups by local and remote address together.
    fn pair_groups(&self, indices: &[u32]) -> Option<ViewGroups<'_>> {
        self.pair_groups_with(indices, DENSE_PAIR_CELLS)
    }

    /// Groups as [`Table::pair_groups`] does, numbering pairs through an array of at most
    /// `dense_cells` cells.
    fn pair_groups_with(&self, indices: &[u32], dense_cells: usize) -> Option<ViewGroups<'_>> {
        let local = self.text_index.coded(Column::LocalAddress)?;
        let remote = self.text_index.coded(Column::RemoteAddress)?;
        let mut local_keys = Vec::new();
        let mut remote_keys = Vec::new();
        let local_groups = self.groups_of_values(
            local,
            |e| text_key(e.local_address()),
            &mut WordMap::default(),
            &mut local_keys,
        );
        let remote_groups = self.groups_of_values(
            remote,
            |e| text_key(e.remote_address()),
            &mut WordMap::default(),
            &mut remote_keys,
        );

        let mut first = groups_at(&local.ids, &local_groups, indices);
        let remote_of_rows = groups_at(&remote.ids, &remote_groups, indices);
        let mut keys: Vec<KeyRef<'_>> = Vec::new();
        let mut number_pair = |local: u32, remote: u32| {
            keys.push(KeyRef::Pair(
                borrowed_text(&local_keys[local as usize]),
                borrowed_text(&remote_keys[remote as usize]),
            ));
            (keys.len() - 1) as u32
        };

        let cells = local_keys.len().saturating_mul(remote_keys.len());
        if cells <= dense_cells {
            let width = remote_keys.len();
            let mut numbers = vec![NO_GROUP; cells];
            for (group, remote) in first.iter_mut().zip(remote_of_rows) {
                let cell = &mut numbers[*group as usize * width + remote as usize];
                if *cell == NO_GROUP {
                    *cell = number_pair(*group, remote);
                }
                *group = *cell;
            }
        } else {
            let mut numbers: WordMap<(u32, u32), u32> = WordMap::default();
            for (group, remote) in first.iter_mut().zip(remote_of_rows) {
                *group = *numbers
                    .entry((*group, remote))
                    .or_insert_with(|| number_pair(*group, remote));
            }
        }
        Some(ViewGroups {
            keys,
            first,
            second: None,
        })
    }

    /// Returns the group of each value number of `coded`, numbering keys not yet in
    /// `numbers` from `keys.len()` on and appending them to `keys`.
    fn groups_of_values<'a>(
        &'a self,
        coded: &CodedColumn,
        key_of: KeyOf,
        numbers: &mut WordMap<KeyRef<'a>, u32>,
        keys: &mut Vec<KeyRef<'a>>,
    ) -> Vec<u32> {
        coded
            .first_rows
            .iter()
            .map(|row| {
                let key = key_of(&self.rows[*row as usize].event);
                *numbers.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    (keys.len() - 1) as u32
                })
            })
            .collect()
    }
}

/// Returns the text of an address key, which [`text_key`] borrows from the event.
fn borrowed_text<'a>(key: &KeyRef<'a>) -> Option<&'a str> {
    match key {
        KeyRef::Text(None) => None,
        KeyRef::Text(Some(Cow::Borrowed(text))) => Some(text),
        KeyRef::Text(Some(Cow::Owned(_))) | KeyRef::Pair(..) | KeyRef::Cause(_) => {
            unreachable!("address keys are borrowed text")
        }
    }
}

/// Returns the group of each row of `indices`, through its value number in `ids`.
fn groups_at(ids: &ValueIds, groups: &[u32], indices: &[u32]) -> Vec<u32> {
    let mut at = Vec::with_capacity(indices.len());
    ids.for_each_at(indices, |id| at.push(groups[id as usize]));
    at
}

impl ViewGroups<'_> {
    /// Calls `visit` with each row's position in the view and each of its groups.
    pub(crate) fn for_each(&self, mut visit: impl FnMut(usize, u32)) {
        for (position, group) in self.first.iter().enumerate() {
            visit(position, *group);
        }
        if let Some(second) = &self.second {
            for (position, group) in second.iter().enumerate() {
                if *group != NO_GROUP {
                    visit(position, *group);
                }
            }
        }
    }

    /// Counts the rows of each group and finds its lowest row index, reading the view's
    /// row indices from `indices`, the slice the groups were made from.
    pub(crate) fn tally(&self, indices: &[u32]) -> Vec<(u64, u32)> {
        let mut tallies = vec![(0u64, u32::MAX); self.keys.len()];
        self.for_each(|position, group| {
            let (count, first_row) = &mut tallies[group as usize];
            *count += 1;
            *first_row = (*first_row).min(indices[position]);
        });
        tallies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{random_table, Random};
    use crate::report::Column;

    /// Returns all rows, every third row, all rows shuffled, a few rows and none.
    fn index_sets(table: &Table, random: &mut Random) -> Vec<Vec<u32>> {
        let all = table.all_indices();
        let every_third = all.iter().copied().filter(|index| index % 3 == 0).collect();
        let mut shuffled = all.clone();
        for place in (1..shuffled.len()).rev() {
            shuffled.swap(place, random.below(place + 1));
        }
        let few = shuffled[..7].to_vec();
        vec![all, every_third, shuffled, few, Vec::new()]
    }

    /// Tables with many equal times and numbered columns, and with columns of mostly
    /// unique values stored as plain text, which the counts read by text.
    fn tables() -> [Table; 2] {
        [
            random_table(11, 1500, 3, 300),
            random_table(12, 5200, 2, 1_000_000),
        ]
    }

    #[test]
    fn top_matches_count_by_text() {
        let mut random = Random::new(13);
        for (number, table) in tables().iter().enumerate() {
            for indices in index_sets(table, &mut random) {
                for dimension in Dimension::ALL {
                    let fast = table.top(&indices, dimension, usize::MAX);
                    let by_text = table.top_by_text(&indices, dimension, usize::MAX);

                    assert!(fast == by_text, "table {number}, {dimension:?}");
                }
            }
        }
    }

    #[test]
    fn value_counts_match_count_by_text() {
        let mut random = Random::new(14);
        for (number, table) in tables().iter().enumerate() {
            for indices in index_sets(table, &mut random) {
                let fast = [
                    table.top_failure_reasons(&indices, usize::MAX),
                    table.top_remote_addresses(&indices, usize::MAX),
                ];
                let by_text = [
                    table.top_values_by_text(&indices, usize::MAX, |event| event.failure_reason()),
                    table.top_values_by_text(&indices, usize::MAX, |event| event.remote_address()),
                ];

                assert!(fast == by_text, "table {number}, {} rows", indices.len());
            }
        }
    }

    #[test]
    fn alert_groups_match_grouping_by_text() {
        let mut random = Random::new(15);
        for (number, table) in tables().iter().enumerate() {
            for indices in index_sets(table, &mut random) {
                for dimension in Dimension::ALL {
                    let mut fast = table.events_by_key(&indices, dimension);
                    let mut by_text = table.events_by_key_text(&indices, dimension);
                    fast.sort_by(|a, b| a.0.cmp(&b.0));
                    by_text.sort_by(|a, b| a.0.cmp(&b.0));

                    assert!(fast == by_text, "table {number}, {dimension:?}");
                }
            }
        }
    }

    #[test]
    fn pairs_numbered_by_map_match_array() {
        let table = &tables()[0];
        let indices = table.all_indices();

        let array = table.pair_groups_with(&indices, usize::MAX).unwrap();
        let map = table.pair_groups_with(&indices, 0).unwrap();

        assert_eq!(array.keys, map.keys);
        assert_eq!(array.first, map.first);
        assert!(array.keys.len() > 20, "{} pairs", array.keys.len());
    }

    #[test]
    fn plain_columns_have_no_groups() {
        let table = &tables()[1];

        assert!(table.text_index.coded(Column::LocalEmCertHash).is_none());
        assert!(table.view_groups(&[0, 1], Dimension::CertHash).is_none());
        assert!(table
            .view_groups(&[0, 1], Dimension::RemoteAddress)
            .is_some());
    }
}
