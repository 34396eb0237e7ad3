//! The lowercase text of every table value, stored column by column for free-text search.
//!
//! A row matches a search when one of its values, lowercased, contains the lowercased
//! needle. Logs repeat most values (a few computers, addresses, reasons, codes), so a column
//! with few distinct values stores each value once and gives each row the number of its
//! value: a search tests every distinct value once and then reads one number per row. A
//! column of mostly unique values (times, thumbprints, record IDs) keeps the text of all its
//! rows in one string, which one `memmem` pass searches. Both layouts end every value with
//! a line feed, as the rows' joined search text did before, so a needle without a line
//! feed never matches across two values.

use super::column::{Cell, Column};
use super::taxonomy::Cause;
use super::value_ids::ValueIds;
use super::word_hash::WordMap;
use crate::decode::Event4983;
use memchr::memmem::Finder;
use std::fmt::Write;

/// Distinct values a column numbers before it may switch to one string of all its rows.
/// Below this count a column stays numbered whatever its row count. Either layout finds the
/// same rows, so the number matters for speed and memory only.
const CODED_MIN_VALUES: usize = 4096;

/// A numbered column switches to one string once it has more than one distinct value per
/// this many rows: testing each distinct value then costs about as much as reading them all.
const CODED_ROWS_PER_VALUE: usize = 8;

/// The search text of a table's rows, one [`ColumnText`] per column.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TextIndex {
    /// One entry per column of [`Column::ALL`], in that order, then one for the failure
    /// cause's name and one for the values of [`Event4983::other_fields`]. Empty until the
    /// first row.
    columns: Vec<ColumnText>,
    rows: usize,
    /// The cause of each FailureReason text met, since grouping a text costs more than
    /// looking it up.
    causes: WordMap<Box<str>, Cause>,
}

/// Position of the failure cause's column in [`TextIndex::columns`].
const CAUSE_COLUMN: usize = Column::ALL.len();

/// The lowercase text of one column's values.
#[derive(Clone, Debug, PartialEq)]
enum ColumnText {
    Coded(CodedColumn),
    Plain(PlainColumn),
}

/// A column stored as its distinct values and one value number per row.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CodedColumn {
    /// Value number of each text value, keyed by the text as stored (not lowercased), so
    /// values that differ only in case get their own numbers and sort and filter apart.
    texts: WordMap<Box<str>, u32>,
    /// Value number of each number or time, keyed by kind (see [`value_kind`]) and value.
    others: WordMap<(u8, u64), u32>,
    /// Value number of Null, once a row has it.
    null: Option<u32>,
    /// Lowercase search text of each value number.
    lowercase: Vec<Box<str>>,
    /// A row holding each value number, from which its [`Cell`] can be read again.
    pub(crate) first_rows: Vec<u32>,
    /// The value number of each row.
    pub(crate) ids: ValueIds,
}

/// A column stored as the text of all its rows, each row's values ended by line feeds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PlainColumn {
    text: String,
    /// The end of each row's text in `text`; a row starts where the previous one ends.
    ends: Vec<usize>,
}

impl TextIndex {
    /// Returns the number of rows added.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Adds the values of one row: `event` from the file called `file`. Returns the row's
    /// failure cause, which it has to work out anyway.
    pub(crate) fn push_row(&mut self, file: &str, event: &Event4983) -> Cause {
        if self.columns.is_empty() {
            self.columns = Column::ALL
                .iter()
                .map(|_| ColumnText::Coded(CodedColumn::default()))
                .chain([
                    ColumnText::Coded(CodedColumn::default()),
                    ColumnText::Plain(PlainColumn::default()),
                ])
                .collect();
        }
        let row = u32::try_from(self.rows).expect("fewer than 2^32 rows");
        for (column, text) in Column::ALL.into_iter().zip(&mut self.columns) {
            text.push(column.cell(file, event), row);
        }
        let cause = match event.failure_reason() {
            None => Cause::of_reason(None),
            Some(reason) => match self.causes.get(reason) {
                Some(cause) => *cause,
                None => {
                    let cause = Cause::of_reason(Some(reason));
                    self.causes.insert(reason.into(), cause);
                    cause
                }
            },
        };
        self.columns[CAUSE_COLUMN].push(Cell::Text(cause.label()), row);
        let Some(ColumnText::Plain(other)) = self.columns.last_mut() else {
            unreachable!("the last column holds the other fields");
        };
        for value in event.other_values() {
            push_lowercase(&mut other.text, value);
            other.text.push('\n');
        }
        other.ends.push(other.text.len());
        self.rows += 1;
        cause
    }

    /// Frees the spare capacity of every column.
    pub(crate) fn shrink_to_fit(&mut self) {
        for column in &mut self.columns {
            match column {
                ColumnText::Coded(coded) => {
                    coded.ids.shrink_to_fit();
                    coded.first_rows.shrink_to_fit();
                    coded.lowercase.shrink_to_fit();
                }
                ColumnText::Plain(plain) => {
                    plain.text.shrink_to_fit();
                    plain.ends.shrink_to_fit();
                }
            }
        }
    }

    /// Returns the rows, in ascending order, of which some value contains `needle`.
    /// `needle` must be lowercase, not empty and free of line feeds.
    pub(crate) fn matching_rows(&self, needle: &str) -> Vec<u32> {
        debug_assert!(!needle.is_empty() && !needle.contains('\n'));
        let finder = Finder::new(needle);
        let mut matched = vec![false; self.rows];
        for column in &self.columns {
            match column {
                ColumnText::Coded(coded) => coded.mark_matches(&finder, &mut matched),
                ColumnText::Plain(plain) => plain.mark_matches(&finder, &mut matched),
            }
        }
        (0u32..)
            .zip(matched)
            .filter_map(|(row, matched)| matched.then_some(row))
            .collect()
    }

    /// Returns `column`'s text, if it is stored as one string of all rows.
    pub(crate) fn plain(&self, column: Column) -> Option<&PlainColumn> {
        match self.columns.get(column as usize)? {
            ColumnText::Plain(plain) => Some(plain),
            ColumnText::Coded(_) => None,
        }
    }

    /// Returns `column`'s value numbers, unless it is stored as plain text.
    pub(crate) fn coded(&self, column: Column) -> Option<&CodedColumn> {
        match self.columns.get(column as usize)? {
            ColumnText::Coded(coded) => Some(coded),
            ColumnText::Plain(_) => None,
        }
    }
}

impl ColumnText {
    fn push(&mut self, cell: Cell<'_>, row: u32) {
        match self {
            ColumnText::Coded(coded) => {
                coded.push(cell, row);
                let values = coded.lowercase.len();
                if values > CODED_MIN_VALUES && values * CODED_ROWS_PER_VALUE > coded.ids.len() {
                    *self = ColumnText::Plain(coded.to_plain());
                }
            }
            ColumnText::Plain(plain) => {
                push_cell(&mut plain.text, cell);
                plain.text.push('\n');
                plain.ends.push(plain.text.len());
            }
        }
    }
}

impl CodedColumn {
    fn push(&mut self, cell: Cell<'_>, row: u32) {
        let next = u32::try_from(self.lowercase.len()).expect("fewer than 2^32 values");
        let (id, added) = match cell {
            Cell::Null => match self.null {
                Some(id) => (id, false),
                None => {
                    self.null = Some(next);
                    (next, true)
                }
            },
            Cell::Text(text) => match self.texts.get(text) {
                Some(id) => (*id, false),
                None => {
                    self.texts.insert(text.into(), next);
                    (next, true)
                }
            },
            Cell::Number(_) | Cell::Time(_) => {
                let id = *self.others.entry(value_kind(cell)).or_insert(next);
                (id, id == next)
            }
        };
        if added {
            let mut lowercase = String::new();
            push_cell(&mut lowercase, cell);
            self.lowercase.push(lowercase.into_boxed_str());
            self.first_rows.push(row);
        }
        self.ids.push(id);
    }

    /// Marks the rows whose value contains the needle.
    fn mark_matches(&self, finder: &Finder<'_>, matched: &mut [bool]) {
        let hits: Vec<bool> = self
            .lowercase
            .iter()
            .map(|value| finder.find(value.as_bytes()).is_some())
            .collect();
        if !hits.contains(&true) {
            return;
        }
        let mut row = 0;
        self.ids.for_each(|id| {
            matched[row] |= hits[id as usize];
            row += 1;
        });
    }

    fn to_plain(&self) -> PlainColumn {
        let mut plain = PlainColumn::default();
        self.ids.for_each(|id| {
            plain.text.push_str(&self.lowercase[id as usize]);
            plain.text.push('\n');
            plain.ends.push(plain.text.len());
        });
        plain
    }
}

impl PlainColumn {
    pub(crate) fn rows(&self) -> usize {
        self.ends.len()
    }

    /// Returns the lowercase text of `row` in a column of one value per row, without the
    /// line feed that ends it.
    pub(crate) fn row_text(&self, row: usize) -> &[u8] {
        let start = row.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text.as_bytes()[start..self.ends[row] - 1]
    }

    /// Marks the rows whose text contains the needle, searching all rows in one pass.
    fn mark_matches(&self, finder: &Finder<'_>, matched: &mut [bool]) {
        let text = self.text.as_bytes();
        let mut row = 0;
        let mut start = 0;
        while let Some(found) = finder.find(&text[start..]) {
            let at = start + found;
            // Matches come in text order, so the row is found by walking forward. A row with
            // a match is done, so the search goes on from the next row's start.
            while self.ends[row] <= at {
                row += 1;
            }
            matched[row] = true;
            start = self.ends[row];
        }
    }
}

/// Returns the kind and value of a number or time cell, so the two never share a number.
fn value_kind(cell: Cell<'_>) -> (u8, u64) {
    match cell {
        Cell::Number(number) => (0, number),
        Cell::Time(time) => (1, time.0),
        Cell::Null | Cell::Text(_) => unreachable!("only numbers and times are keyed here"),
    }
}

/// Appends a cell's text as the search matches it: lowercase, numbers in decimal, times
/// in ISO 8601, Null as nothing.
pub(crate) fn push_cell(text: &mut String, cell: Cell<'_>) {
    match cell {
        Cell::Null => {}
        Cell::Text(value) => push_lowercase(text, value),
        Cell::Number(number) => write!(text, "{number}").expect("writing to a String"),
        // Lowercased like the needle, so "2024-05-01T12" finds the ISO text.
        Cell::Time(time) => push_lowercase(text, &time.to_string()),
    }
}

/// Adds the name of the row's failure cause (such as "timeout"), so that a search for a
/// cause the charts show finds its rows, whatever words the reasons use.
pub(crate) fn push_cause(text: &mut String, event: &Event4983) {
    let cause = Cause::of_reason(event.failure_reason());
    push_lowercase(text, cause.label());
    text.push('\n');
}

/// Appends `value` lowercased as `str::to_lowercase` does, and faster for ASCII text.
pub(crate) fn push_lowercase(text: &mut String, value: &str) {
    if value.is_ascii() {
        text.extend(value.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        text.push_str(&value.to_lowercase());
    }
}
