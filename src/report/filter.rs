//! Row filters: free text, time range, and exact field values.

use super::table::{Row, Table};
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};

/// The conditions a row must meet to be shown. Every condition is optional and all must hold.
///
/// Exact conditions compare the stored value; an empty condition (`Some("")`) matches rows
/// where the field is missing, Null or empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Text that some shown value must contain, compared case-insensitively; empty is off.
    pub text: String,
    /// The earliest TimeCreated shown, inclusive.
    pub from: Option<FileTime>,
    /// The latest TimeCreated shown, inclusive.
    pub to: Option<FileTime>,
    /// The computer name, compared case-insensitively as Windows names are.
    pub computer: Option<String>,
    pub remote_address: Option<String>,
    pub failure_reason: Option<String>,
    /// A raw code such as `%%8199`.
    pub failure_point: Option<String>,
    /// A raw code such as `%%8219`.
    pub state: Option<String>,
    /// A raw code such as `%%8205`.
    pub role: Option<String>,
    /// A raw code such as `%%8216`.
    pub em_impersonation_state: Option<String>,
}

impl Filter {
    /// Returns whether a row passes. [`Table::filter`] is faster for many rows because it
    /// lowercases the text once.
    pub fn matches(&self, row: &Row) -> bool {
        self.matches_with(row, &self.text.to_lowercase())
    }

    fn matches_with(&self, row: &Row, needle: &str) -> bool {
        let event = &row.event;
        let time = event.time_created;
        self.from.is_none_or(|from| time >= from)
            && self.to.is_none_or(|to| time <= to)
            && self
                .computer
                .as_deref()
                .is_none_or(|expected| same_ignoring_case(&event.computer, expected))
            && equal(&self.remote_address, &event.remote_address)
            && equal(&self.failure_reason, &event.failure_reason)
            && equal(&self.failure_point, &event.failure_point)
            && equal(&self.state, &event.state)
            && equal(&self.role, &event.role)
            && equal(&self.em_impersonation_state, &event.em_impersonation_state)
            && (needle.is_empty() || row.search_text.contains(needle))
    }

    /// Returns whether the filter lets every row through.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn equal(expected: &Option<String>, value: &Option<String>) -> bool {
    match expected.as_deref() {
        None => true,
        Some("") => value.as_deref().is_none_or(str::is_empty),
        Some(expected) => value.as_deref() == Some(expected),
    }
}

impl Table {
    /// Returns the indices of the rows that pass `filter`, in table order.
    pub fn filter(&self, filter: &Filter) -> Vec<u32> {
        let needle = filter.text.to_lowercase();
        let mut indices = Vec::new();
        for (index, row) in self.rows.iter().enumerate() {
            if filter.matches_with(row, &needle) {
                indices.push(index as u32);
            }
        }
        indices
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::SAMPLE_TIME;
    use crate::report::sample::{failure_at, table_of};

    fn passing(table: &Table, filter: &Filter) -> Vec<u64> {
        table
            .filter(filter)
            .iter()
            .map(|index| table.rows[*index as usize].event.record_id)
            .collect()
    }

    fn sample_table() -> Table {
        let mut second = failure_at(2, 60);
        second.computer = "HOST2.contoso.com".into();
        second.data[10].value = crate::scan::FieldValue::Text("10.9.9.9".into());
        second.data[12].value = crate::scan::FieldValue::Text("%%8200".into());
        second.data[13].value = crate::scan::FieldValue::Null;
        table_of(vec![failure_at(1, 0), second, failure_at(3, 120)])
    }

    #[test]
    fn empty_filter_passes_all() {
        let table = sample_table();

        assert!(Filter::default().is_empty());
        assert_eq!(passing(&table, &Filter::default()), [1, 2, 3]);
    }

    #[test]
    fn text_matches_any_value_ignoring_case() {
        let table = sample_table();
        let text = |text: &str| Filter {
            text: text.into(),
            ..Filter::default()
        };

        assert_eq!(passing(&table, &text("REMOTE COMPUTER")), [2]);
        assert_eq!(passing(&table, &text("%%8200")), [2]);
        assert_eq!(passing(&table, &text("a.EVTX")), [1, 2, 3]);
        assert_eq!(passing(&table, &text("12:35:56")), [2]);
        assert_eq!(passing(&table, &text("18446744073709551615")), [1, 2, 3]);
        assert_eq!(passing(&table, &text("no such text")), Vec::<u64>::new());
        assert!(text("fabrikam").matches(&table.rows[0]));
    }

    #[test]
    fn time_range_is_inclusive() {
        let table = sample_table();
        let filter = Filter {
            from: Some(FileTime(SAMPLE_TIME.0 + 60 * 10_000_000)),
            to: Some(FileTime(SAMPLE_TIME.0 + 120 * 10_000_000)),
            ..Filter::default()
        };

        assert_eq!(passing(&table, &filter), [2, 3]);
    }

    #[test]
    fn exact_fields_match() {
        let table = sample_table();
        let by = |build: fn(&mut Filter)| {
            let mut filter = Filter::default();
            build(&mut filter);
            passing(&table, &filter)
        };

        assert_eq!(by(|f| f.computer = Some("host2.CONTOSO.com".into())), [2]);
        assert_eq!(by(|f| f.remote_address = Some("10.9.9.9".into())), [2]);
        assert_eq!(
            by(|f| f.remote_address = Some("10.9.9".into())),
            Vec::<u64>::new()
        );
        assert_eq!(
            by(|f| f.failure_reason = Some("No policy configured".into())),
            [1, 3]
        );
        assert_eq!(by(|f| f.failure_reason = Some(String::new())), [2]);
        assert_eq!(by(|f| f.failure_point = Some("%%8199".into())), [1, 3]);
        assert_eq!(
            by(|f| f.failure_point = Some("Local computer".into())),
            Vec::<u64>::new()
        );
        assert_eq!(by(|f| f.state = Some("%%8219".into())), [1, 2, 3]);
        assert_eq!(by(|f| f.role = Some("%%8206".into())), Vec::<u64>::new());
        assert_eq!(
            by(|f| f.em_impersonation_state = Some("%%8216".into())),
            [1, 2, 3]
        );
    }

    #[test]
    fn conditions_combine() {
        let table = sample_table();
        let filter = Filter {
            text: "contoso".into(),
            failure_point: Some("%%8199".into()),
            from: Some(FileTime(SAMPLE_TIME.0 + 1)),
            ..Filter::default()
        };

        assert_eq!(passing(&table, &filter), [3]);
    }
}
