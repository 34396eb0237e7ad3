//! Reports: per-file results, the 4983 table with its filters, sorting and counts, and the
//! JSON and CSV exports.
//!
//! Views of the table are vectors of row indices, so filtering and sorting a million rows
//! moves 4-byte indices, never rows.

pub mod aggregate;
pub mod alerts;
pub mod column;
mod column_conditions;
pub mod computer_names;
pub mod duplicates;
pub mod export_csv;
pub mod export_json;
pub mod file_report;
pub mod filter;
pub mod html_report;
pub mod integrity;
pub mod long_lists;
mod radix_sort;
pub mod record_ids;
pub mod related;
#[cfg(test)]
pub(crate) mod sample;
pub mod sort;
pub mod svg;
pub mod table;
pub mod taxonomy;
mod text_index;
mod text_ranks;
pub mod timeline;
pub mod top;
mod value_ids;
mod view_groups;
pub mod view_state;
pub mod visible;
pub(crate) mod word_hash;
pub mod zone;

pub use aggregate::{FileTotal, ValueCount};
pub use alerts::{Alert, AlertRule, RetryStorm, CUSTOM_DIMENSIONS, PRESETS};
pub use column::{Cell, Column};
pub use export_csv::export_csv;
pub use export_json::export_json;
pub use file_report::{FileReport, HashStatus};
pub use filter::{Condition, Filter, FilterField};
pub use html_report::{html_report, ReportInput, ROW_LIMIT};
pub use integrity::{ChunkOutcome, ChunkProblem, Integrity, RecordFailure};
pub use record_ids::RecordIdGap;
pub use related::{related_events, DEFAULT_WINDOW_MINUTES};
pub use sort::{compare_cells, Sort};
pub use svg::{timeline_chart, top_chart, BarTarget, Chart, Shape};
pub use table::{Row, Table};
pub use taxonomy::{Cause, CauseGroup};
pub use timeline::{Step, TimeBucket, Timeline, Unit};
pub use top::{Dimension, Key, TopEntry};
pub use visible::visible_text;
