//! Reports: per-file results, the 4983 table with its filters, sorting and counts, and the
//! JSON and CSV exports.
//!
//! Views of the table are vectors of row indices, so filtering and sorting a million rows
//! moves 4-byte indices, never rows.

pub mod aggregate;
pub mod column;
pub mod export_csv;
pub mod export_json;
pub mod file_report;
pub mod filter;
pub mod record_ids;
#[cfg(test)]
pub(crate) mod sample;
pub mod sort;
pub mod table;

pub use aggregate::{FileTotal, ValueCount};
pub use column::{Cell, Column};
pub use export_csv::export_csv;
pub use export_json::export_json;
pub use file_report::FileReport;
pub use filter::Filter;
pub use record_ids::RecordIdGap;
pub use sort::{compare_cells, Sort};
pub use table::{Row, Table};
