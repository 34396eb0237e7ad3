//! Sort ranks of a column stored as one string of all rows' lowercase text.
//!
//! Text sorts by its lowercase form, then by its stored bytes (see [`super::sort`]), and the
//! column's string contains each row's text lowercased the same way. Ranking from that
//! string reads the stored text only to break ties between values equal in lowercase, and
//! needs no hash table of all values, which made a first sort by a column of a million
//! mostly unique values take most of a second.

use super::column::{Cell, Column};
use super::sort::KindRank;
use super::table::Table;
use super::text_index::PlainColumn;
use std::cmp::Ordering;

impl Table {
    /// Returns every row's rank in `column`, which `plain` stores: equal cells share a
    /// rank, and a cell that sorts later ascending has a higher one.
    pub(super) fn plain_column_ranks(&self, column: Column, plain: &PlainColumn) -> Vec<u32> {
        // Other cells are packed as kind, value and row. Text cells are packed as the first
        // 8 bytes of their lowercase text, big-endian and padded with zeros, and row, so
        // sorting the keys orders the text by those bytes.
        let mut others: Vec<u128> = Vec::new();
        let mut texts: Vec<u128> = Vec::new();
        for row in 0..self.rows.len() as u32 {
            let (kind, value) = match self.cell(row, column) {
                Cell::Null => (KindRank::Null, 0),
                Cell::Number(number) => (KindRank::Number, number),
                Cell::Time(time) => (KindRank::Time, time.0),
                Cell::Text(_) => {
                    let prefix = prefix_of(plain.row_text(row as usize));
                    texts.push(u128::from(prefix) << 32 | u128::from(row));
                    continue;
                }
            };
            others.push(((kind as u128) << 64 | u128::from(value)) << 32 | u128::from(row));
        }
        others.sort_unstable();
        texts.sort_unstable();

        let mut ranks = vec![0u32; self.rows.len()];
        let mut rank = 0;
        for (place, key) in others.iter().enumerate() {
            if place > 0 && others[place - 1] >> 32 != key >> 32 {
                rank += 1;
            }
            ranks[(*key as u32) as usize] = rank;
        }
        if !others.is_empty() {
            rank += 1;
        }
        let compare = |a: u32, b: u32| self.compare_text_rows(column, plain, a, b);
        let mut rows: Vec<u32> = Vec::new();
        for run in texts.chunk_by(|a, b| a >> 32 == b >> 32) {
            // Rows in one run share their first 8 lowercase bytes, so only a full
            // comparison orders them. A new run always starts a new rank.
            if let [key] = run {
                ranks[(*key as u32) as usize] = rank;
                rank += 1;
                continue;
            }
            rows.clear();
            rows.extend(run.iter().map(|key| *key as u32));
            rows.sort_by(|a, b| compare(*a, *b));
            for (place, row) in rows.iter().enumerate() {
                if place > 0 && compare(rows[place - 1], *row) != Ordering::Equal {
                    rank += 1;
                }
                ranks[*row as usize] = rank;
            }
            rank += 1;
        }
        ranks
    }

    /// Orders two text rows of `column` by lowercase text, then by stored text.
    fn compare_text_rows(&self, column: Column, plain: &PlainColumn, a: u32, b: u32) -> Ordering {
        let stored = |row: u32| match self.cell(row, column) {
            Cell::Text(text) => text,
            Cell::Null | Cell::Number(_) | Cell::Time(_) => "",
        };
        plain
            .row_text(a as usize)
            .cmp(plain.row_text(b as usize))
            .then_with(|| stored(a).cmp(stored(b)))
    }
}

/// Returns the first 8 bytes of `text` as a big-endian number, padded with zeros, so
/// numbers order as the texts' first 8 bytes do.
fn prefix_of(text: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    let length = text.len().min(8);
    bytes[..length].copy_from_slice(&text[..length]);
    u64::from_be_bytes(bytes)
}
