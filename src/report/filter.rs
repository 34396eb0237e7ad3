//! Row filters: free text, time range, and exact field values.

use super::table::{search_text, Table};
use super::taxonomy::Cause;
use crate::decode::Event4983;
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
    /// With `remote_address`, selects one peer pair.
    pub local_address: Option<String>,
    /// An issuing CA of either the local or the remote certificate.
    pub issuing_ca: Option<String>,
    /// A root CA of either the local or the remote certificate.
    pub root_ca: Option<String>,
    /// A SHA-1 thumbprint of either certificate, compared ignoring ASCII case.
    pub cert_hash: Option<String>,
    /// The failure cause the FailureReason text falls into.
    pub cause: Option<Cause>,
}

impl Filter {
    /// Returns whether row `index` of `table` passes, testing that row alone from its
    /// event. [`Table::filter`] gives the same answer for many rows at once, faster.
    pub fn matches(&self, table: &Table, index: u32) -> bool {
        let row = &table.rows[index as usize];
        // Spaces typed around the text are not part of what is sought.
        let needle = self.text.trim().to_lowercase();
        self.matches_fields(&row.event)
            && (needle.is_empty()
                || search_text(table.file_name(row), &row.event).contains(&needle))
    }

    /// Returns whether `event` meets every condition except the free text.
    fn matches_fields(&self, event: &Event4983) -> bool {
        let time = event.time_created;
        self.from.is_none_or(|from| time >= from)
            && self.to.is_none_or(|to| time <= to)
            && self
                .computer
                .as_deref()
                .is_none_or(|expected| same_ignoring_case(&event.computer, expected))
            && equal(&self.remote_address, event.remote_address())
            && equal(&self.failure_reason, event.failure_reason())
            && equal(&self.failure_point, event.failure_point())
            && equal(&self.state, event.state())
            && equal(&self.role, event.role())
            && equal(&self.em_impersonation_state, event.em_impersonation_state())
            && equal(&self.local_address, event.local_address())
            && either(
                &self.issuing_ca,
                event.local_em_issuing_ca(),
                event.remote_em_issuing_ca(),
            )
            && either(
                &self.root_ca,
                event.local_em_root_ca(),
                event.remote_em_root_ca(),
            )
            && self.cert_hash.as_deref().is_none_or(|expected| {
                same_hash(expected, event.local_em_cert_hash())
                    || same_hash(expected, event.remote_em_cert_hash())
            })
            && self
                .cause
                .is_none_or(|cause| Cause::of_reason(event.failure_reason()) == cause)
    }

    /// Returns whether the filter lets every row through.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Explains why the time range can match no row, or returns `None` when it can match.
    /// The page shows this next to the time inputs, because an empty table alone does not
    /// say which condition emptied it.
    pub fn time_range_problem(&self) -> Option<&'static str> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => {
                Some("From is later than To, so no row can match. Change or clear one of them.")
            }
            _ => None,
        }
    }
}

pub(super) fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

pub(super) fn equal(expected: &Option<String>, value: Option<&str>) -> bool {
    match expected.as_deref() {
        None => true,
        Some("") => value.is_none_or(str::is_empty),
        Some(expected) => value == Some(expected),
    }
}

/// A condition of [`Filter`] that can be shown and removed on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FilterField {
    Text,
    From,
    To,
    Computer,
    LocalAddress,
    RemoteAddress,
    FailureReason,
    Cause,
    FailurePoint,
    State,
    Role,
    EmImpersonationState,
    IssuingCa,
    RootCa,
    CertHash,
}

/// One active condition, with its value as text for a chip or a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub field: FilterField,
    pub label: &'static str,
    /// The value as shown: codes with their words, `(empty)` for a missing-value condition.
    pub value: String,
}

impl Filter {
    /// Lists the active conditions in a fixed order, one per set field.
    pub fn conditions(&self) -> Vec<Condition> {
        let mut conditions = Vec::new();
        let mut add = |field: FilterField, label: &'static str, value: String| {
            conditions.push(Condition {
                field,
                label,
                value,
            });
        };
        if !self.text.is_empty() {
            add(FilterField::Text, "Text", self.text.clone());
        }
        if let Some(from) = self.from {
            add(FilterField::From, "From", from.to_string());
        }
        if let Some(to) = self.to {
            add(FilterField::To, "To", to.to_string());
        }
        if let Some(cause) = self.cause {
            add(FilterField::Cause, "Cause", cause.label().to_owned());
        }
        // The flag marks `%%NNNN` code fields, which show their words beside the code.
        let fields = [
            (FilterField::Computer, "Computer", &self.computer, false),
            (
                FilterField::LocalAddress,
                "Local address",
                &self.local_address,
                false,
            ),
            (
                FilterField::RemoteAddress,
                "Remote address",
                &self.remote_address,
                false,
            ),
            (
                FilterField::FailureReason,
                "Failure reason",
                &self.failure_reason,
                false,
            ),
            (
                FilterField::FailurePoint,
                "Failure point",
                &self.failure_point,
                true,
            ),
            (FilterField::State, "State", &self.state, true),
            (FilterField::Role, "Role", &self.role, true),
            (
                FilterField::EmImpersonationState,
                "Impersonation",
                &self.em_impersonation_state,
                true,
            ),
            (
                FilterField::IssuingCa,
                "Issuing CA",
                &self.issuing_ca,
                false,
            ),
            (FilterField::RootCa, "Root CA", &self.root_ca, false),
            (FilterField::CertHash, "Thumbprint", &self.cert_hash, false),
        ];
        for (field, label, value, coded) in fields {
            if let Some(value) = value {
                add(field, label, shown_value(value, coded));
            }
        }
        conditions
    }

    /// Removes one condition, leaving the others as they are.
    pub fn clear(&mut self, field: FilterField) {
        match field {
            FilterField::Text => self.text.clear(),
            FilterField::From => self.from = None,
            FilterField::To => self.to = None,
            FilterField::Computer => self.computer = None,
            FilterField::LocalAddress => self.local_address = None,
            FilterField::RemoteAddress => self.remote_address = None,
            FilterField::FailureReason => self.failure_reason = None,
            FilterField::Cause => self.cause = None,
            FilterField::FailurePoint => self.failure_point = None,
            FilterField::State => self.state = None,
            FilterField::Role => self.role = None,
            FilterField::EmImpersonationState => self.em_impersonation_state = None,
            FilterField::IssuingCa => self.issuing_ca = None,
            FilterField::RootCa => self.root_ca = None,
            FilterField::CertHash => self.cert_hash = None,
        }
    }
}

fn shown_value(value: &str, coded: bool) -> String {
    if value.is_empty() {
        return "(empty)".to_owned();
    }
    let words = crate::decode::code_text(value);
    if coded && words != value {
        format!("{value} ({words})")
    } else {
        value.to_owned()
    }
}

fn either(expected: &Option<String>, local: Option<&str>, remote: Option<&str>) -> bool {
    expected.is_none() || equal(expected, local) || equal(expected, remote)
}

pub(super) fn same_hash(expected: &str, value: Option<&str>) -> bool {
    match value {
        None => expected.is_empty(),
        Some(value) => value.eq_ignore_ascii_case(expected),
    }
}

impl Table {
    /// Returns the indices of the rows that pass `filter`, in table order.
    /// The free text narrows the rows first, then the other conditions test the rest.
    pub fn filter(&self, filter: &Filter) -> Vec<u32> {
        let needle = filter.text.trim().to_lowercase();
        let mut indices = if needle.is_empty() {
            self.all_indices()
        } else if needle.contains('\n') || self.text_index.rows() != self.rows.len() {
            // A needle with a line feed can span two values, which only the joined text of
            // a row holds; the index covers only rows added by `push_file`.
            (0u32..)
                .zip(&self.rows)
                .filter(|(_, row)| search_text(self.file_name(row), &row.event).contains(&needle))
                .map(|(index, _)| index)
                .collect()
        } else {
            self.text_index.matching_rows(&needle)
        };
        self.retain_field_matches(filter, &mut indices);
        indices
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::SAMPLE_TIME;
    use crate::report::sample::{failure_at, random_table, table_of, Random};
    use crate::report::Column;

    #[test]
    fn time_range_problem_when_from_after_to() {
        let later = FileTime(SAMPLE_TIME.0 + 10_000_000);
        let reversed = Filter {
            from: Some(later),
            to: Some(SAMPLE_TIME),
            ..Filter::default()
        };
        let equal = Filter {
            from: Some(SAMPLE_TIME),
            to: Some(SAMPLE_TIME),
            ..Filter::default()
        };
        let open_end = Filter {
            from: Some(later),
            ..Filter::default()
        };

        assert!(reversed.time_range_problem().is_some());
        assert!(passing(&table_of(vec![failure_at(1, 0)]), &reversed).is_empty());
        assert_eq!(equal.time_range_problem(), None);
        assert_eq!(open_end.time_range_problem(), None);
        assert_eq!(Filter::default().time_range_problem(), None);
    }

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
        assert_eq!(passing(&table, &text("T12:35:56.1234567Z")), [2]);
        assert_eq!(passing(&table, &text("18446744073709551615")), [1, 2, 3]);
        assert_eq!(passing(&table, &text("no such text")), Vec::<u64>::new());
        assert_eq!(passing(&table, &text("  ")), [1, 2, 3]);
        assert_eq!(passing(&table, &text(" %%8200 ")), [2]);
        assert!(text("fabrikam").matches(&table, 0));
    }

    #[test]
    fn text_matches_the_failure_cause_name() {
        let reason = "Negotiation timed out";
        assert_eq!(
            crate::report::Cause::of_reason(Some(reason)),
            crate::report::Cause::Timeout
        );
        let mut timed_out = failure_at(2, 60);
        timed_out.data[13].value = crate::scan::FieldValue::Text(reason.into());
        let table = table_of(vec![failure_at(1, 0), timed_out]);
        let text = |text: &str| Filter {
            text: text.into(),
            ..Filter::default()
        };

        assert_eq!(passing(&table, &text("TIMEOUT")), [2]);
        assert!(text("timeout").matches(&table, 1));
        assert!(!text("timeout").matches(&table, 0));
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

    #[test]
    fn peer_and_certificate_fields_match() {
        let table = sample_table();
        let by = |build: fn(&mut Filter)| {
            let mut filter = Filter::default();
            build(&mut filter);
            passing(&table, &filter)
        };

        assert_eq!(by(|f| f.local_address = Some("10.0.0.1".into())), [1, 2, 3]);
        assert_eq!(
            by(|f| {
                f.local_address = Some("10.0.0.1".into());
                f.remote_address = Some("10.9.9.9".into());
            }),
            [2]
        );
        assert_eq!(
            by(|f| f.issuing_ca = Some("CN=Contoso Issuing CA".into())),
            [1, 2, 3]
        );
        assert_eq!(
            by(|f| f.issuing_ca = Some("CN=Fabrikam Issuing CA".into())),
            [1, 2, 3]
        );
        assert_eq!(
            by(|f| f.issuing_ca = Some("CN=Fabrikam Root CA".into())),
            Vec::<u64>::new()
        );
        assert_eq!(
            by(|f| f.root_ca = Some("CN=Fabrikam Root CA".into())),
            [1, 2, 3]
        );
        assert_eq!(
            by(|f| f.cert_hash = Some("89abcdef0123456789abcdef0123456789abcdef".into())),
            [1, 2, 3]
        );
        assert_eq!(
            by(|f| f.cert_hash = Some("89ABCDEF".into())),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn cause_matches_reason_text() {
        let table = sample_table();
        let by_cause = |cause: Cause| Filter {
            cause: Some(cause),
            ..Filter::default()
        };

        assert_eq!(passing(&table, &by_cause(Cause::NoPolicy)), [1, 3]);
        assert_eq!(passing(&table, &by_cause(Cause::Other)), [2]);
        assert_eq!(
            passing(&table, &by_cause(Cause::Timeout)),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn conditions_list_and_clear() {
        let mut filter = Filter {
            text: "x".into(),
            to: Some(SAMPLE_TIME),
            remote_address: Some(String::new()),
            failure_point: Some("%%8199".into()),
            role: Some("%%9999".into()),
            cause: Some(Cause::Timeout),
            cert_hash: Some("AB".into()),
            ..Filter::default()
        };

        let shown: Vec<(FilterField, &str, String)> = filter
            .conditions()
            .into_iter()
            .map(|c| (c.field, c.label, c.value))
            .collect();

        assert_eq!(
            shown,
            [
                (FilterField::Text, "Text", "x".to_owned()),
                (
                    FilterField::To,
                    "To",
                    "2024-05-01T12:34:56.1234567Z".to_owned()
                ),
                (FilterField::Cause, "Cause", "Timeout".to_owned()),
                (
                    FilterField::RemoteAddress,
                    "Remote address",
                    "(empty)".to_owned()
                ),
                (
                    FilterField::FailurePoint,
                    "Failure point",
                    "%%8199 (Local computer)".to_owned()
                ),
                (FilterField::Role, "Role", "%%9999".to_owned()),
                (FilterField::CertHash, "Thumbprint", "AB".to_owned()),
            ]
        );
        for condition in filter.conditions() {
            filter.clear(condition.field);
        }
        assert!(filter.is_empty());
    }

    /// Returns a needle cut from row `index`'s joined search text, so it often matches:
    /// 1 to 12 characters, sometimes across a line feed, in random case and padding.
    fn random_needle(table: &Table, index: u32, random: &mut Random) -> String {
        let row = &table.rows[index as usize];
        let text: Vec<char> = search_text(table.file_name(row), &row.event)
            .chars()
            .collect();
        let start = random.below(text.len());
        let end = (start + 1 + random.below(12)).min(text.len());
        let needle: String = text[start..end].iter().collect();
        match random.below(4) {
            0 => needle.to_uppercase(),
            1 => format!("  {needle} "),
            _ => needle,
        }
    }

    /// Returns the rows that pass `filter`, tested one at a time with [`Filter::matches`].
    fn reference_filter(table: &Table, filter: &Filter) -> Vec<u32> {
        let count = table.rows.len() as u32;
        (0..count)
            .filter(|index| filter.matches(table, *index))
            .collect()
    }

    #[test]
    fn text_filter_matches_row_by_row() {
        // With 5,200 rows the thumbprint columns switch from numbered values to one string.
        let table = random_table(1, 5200, 2, 1_000_000);
        let index = &table.text_index;
        assert!(index.coded(Column::LocalEmCertHash).is_none());
        assert!(index.coded(Column::TimeCreated).is_none());
        assert!(index.coded(Column::Computer).is_some());
        let mut random = Random::new(2);
        let mut needles: Vec<String> = ["ä", "Σ", "σ", "ς", "ss", "i̇", "\n", "1\nl", "%%82", "."]
            .map(str::to_owned)
            .into();
        for _ in 0..30 {
            let index = random.below(table.rows.len()) as u32;
            needles.push(random_needle(&table, index, &mut random));
        }

        // Each row's joined text, as `Filter::matches` builds it, built once for all needles.
        let texts: Vec<String> = table
            .rows
            .iter()
            .map(|row| search_text(table.file_name(row), &row.event))
            .collect();

        for needle in needles {
            let filter = Filter {
                text: needle.clone(),
                ..Filter::default()
            };
            let sought = needle.trim().to_lowercase();
            let expected: Vec<u32> = (0u32..)
                .zip(&texts)
                .filter(|(_, text)| text.contains(&sought))
                .map(|(index, _)| index)
                .collect();

            assert_eq!(table.filter(&filter), expected, "{needle:?}");
        }
    }

    #[test]
    fn combined_filters_match_row_by_row() {
        // The second table's times and thumbprints are mostly unique, so conditions on them
        // read each row's cells instead of value numbers.
        let tables = [
            random_table(3, 3000, 3, 600),
            random_table(9, 5200, 2, 1_000_000),
        ];
        let mut random = Random::new(4);
        for (number, table) in tables.iter().enumerate() {
            for round in 0..50 {
                let mut filter = Filter::default();
                if random.below(2) == 0 {
                    let index = random.below(table.rows.len()) as u32;
                    filter.text = random_needle(table, index, &mut random);
                }
                for _ in 0..1 + random.below(2) {
                    add_random_condition(table, &mut filter, &mut random);
                }
                let passing = table.filter(&filter);

                let expected = reference_filter(table, &filter);
                assert!(
                    passing == expected,
                    "table {number} round {round}: {filter:?}"
                );
            }
        }
    }

    /// Sets one field condition of `filter` from a random row's values, often in another
    /// case, so some conditions pass many rows and some none.
    fn add_random_condition(table: &Table, filter: &mut Filter, random: &mut Random) {
        let row = &table.rows[random.below(table.rows.len())].event;
        let values = [row.remote_address(), row.failure_reason(), row.state()];
        let value = random.pick(&values).map(str::to_owned);
        match random.below(9) {
            0 => filter.computer = Some(row.computer.to_uppercase()),
            1 => filter.remote_address = value.or(Some(String::new())),
            2 => filter.failure_reason = value,
            3 => filter.cause = Some(Cause::of_reason(row.failure_reason())),
            4 => filter.issuing_ca = row.remote_em_issuing_ca().map(str::to_owned),
            5 => filter.cert_hash = row.local_em_cert_hash().map(str::to_uppercase),
            6 => filter.state = value,
            7 => filter.from = Some(row.time_created),
            _ => filter.to = Some(FileTime(row.time_created.0 + 60 * 10_000_000)),
        }
    }
}
