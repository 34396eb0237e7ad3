//! The field conditions of a [`Filter`], each a test of the cells of one or two columns, so
//! [`Table::filter`] tests a condition once per distinct value of a numbered column and
//! reads only a value number per row.

use super::column::{Cell, Column};
use super::filter::{equal, same_hash, same_ignoring_case, Filter};
use super::table::Table;
use super::taxonomy::Cause;
use super::value_ids::ValueIds;

/// One condition of a filter: a row passes when the cell of any of `columns` passes `test`.
struct ColumnCondition<'a> {
    columns: &'static [Column],
    test: Box<dyn Fn(Cell<'_>) -> bool + 'a>,
}

impl<'a> ColumnCondition<'a> {
    fn new(columns: &'static [Column], test: impl Fn(Cell<'_>) -> bool + 'a) -> Self {
        ColumnCondition {
            columns,
            test: Box::new(test),
        }
    }
}

/// Returns the text of a text cell and `None` for Null, as the event's field stores it.
fn text(cell: Cell<'_>) -> Option<&str> {
    match cell {
        Cell::Text(text) => Some(text),
        Cell::Null | Cell::Number(_) | Cell::Time(_) => None,
    }
}

fn time(cell: Cell<'_>) -> Option<crate::filetime::FileTime> {
    match cell {
        Cell::Time(time) => Some(time),
        Cell::Null | Cell::Text(_) | Cell::Number(_) => None,
    }
}

impl Filter {
    /// Lists the set conditions other than the free text, one per set field, with the same
    /// tests as [`Filter::matches`] applies to an event's fields.
    fn column_conditions(&self) -> Vec<ColumnCondition<'_>> {
        let mut conditions = Vec::new();
        if let Some(from) = self.from {
            conditions.push(ColumnCondition::new(&[Column::TimeCreated], move |cell| {
                time(cell).is_some_and(|time| time >= from)
            }));
        }
        if let Some(to) = self.to {
            conditions.push(ColumnCondition::new(&[Column::TimeCreated], move |cell| {
                time(cell).is_some_and(|time| time <= to)
            }));
        }
        if let Some(expected) = &self.computer {
            conditions.push(ColumnCondition::new(&[Column::Computer], move |cell| {
                text(cell).is_some_and(|computer| same_ignoring_case(computer, expected))
            }));
        }
        let exact: [(&Option<String>, &'static [Column]); 9] = [
            (&self.remote_address, &[Column::RemoteAddress]),
            (&self.failure_reason, &[Column::FailureReason]),
            (&self.failure_point, &[Column::FailurePoint]),
            (&self.state, &[Column::State]),
            (&self.role, &[Column::Role]),
            (
                &self.em_impersonation_state,
                &[Column::EmImpersonationState],
            ),
            (&self.local_address, &[Column::LocalAddress]),
            (
                &self.issuing_ca,
                &[Column::LocalEmIssuingCa, Column::RemoteEmIssuingCa],
            ),
            (
                &self.root_ca,
                &[Column::LocalEmRootCa, Column::RemoteEmRootCa],
            ),
        ];
        for (expected, columns) in exact {
            if expected.is_some() {
                conditions.push(ColumnCondition::new(columns, move |cell| {
                    equal(expected, text(cell))
                }));
            }
        }
        if let Some(expected) = &self.cert_hash {
            let columns = &[Column::LocalEmCertHash, Column::RemoteEmCertHash];
            conditions.push(ColumnCondition::new(columns, move |cell| {
                same_hash(expected, text(cell))
            }));
        }
        if let Some(cause) = self.cause {
            conditions.push(ColumnCondition::new(
                &[Column::FailureReason],
                move |cell| Cause::of_reason(text(cell)) == cause,
            ));
        }
        conditions
    }
}

/// The test of one column of a condition: by value number, or cell by cell.
enum ColumnTest<'t> {
    /// The column's value number of each row, and whether each value passes.
    Coded {
        ids: &'t ValueIds,
        passes: Vec<bool>,
    },
    Cells(Column),
}

impl Table {
    /// Keeps the `indices` whose rows meet every field condition of `filter`. Conditions on
    /// numbered columns go first, since they cost one lookup per row; the others read each
    /// remaining row's event.
    pub(super) fn retain_field_matches(&self, filter: &Filter, indices: &mut Vec<u32>) {
        let mut conditions: Vec<(ColumnCondition<'_>, Vec<ColumnTest<'_>>)> = filter
            .column_conditions()
            .into_iter()
            .map(|condition| {
                let tests = condition
                    .columns
                    .iter()
                    .map(|column| self.column_test(*column, &condition.test))
                    .collect();
                (condition, tests)
            })
            .collect();
        conditions.sort_by_key(|(_, tests)| {
            tests
                .iter()
                .any(|test| matches!(test, ColumnTest::Cells(_)))
        });
        for (condition, tests) in &conditions {
            indices.retain(|index| {
                tests.iter().any(|test| match test {
                    ColumnTest::Coded { ids, passes } => passes[ids.get(*index as usize) as usize],
                    ColumnTest::Cells(column) => (condition.test)(self.cell(*index, *column)),
                })
            });
        }
    }

    fn column_test(&self, column: Column, test: &dyn Fn(Cell<'_>) -> bool) -> ColumnTest<'_> {
        let coded = self
            .text_index
            .coded(column)
            .filter(|coded| coded.ids.len() == self.rows.len());
        match coded {
            Some(coded) => ColumnTest::Coded {
                ids: &coded.ids,
                passes: coded
                    .first_rows
                    .iter()
                    .map(|row| test(self.cell(*row, column)))
                    .collect(),
            },
            None => ColumnTest::Cells(column),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filetime::FileTime;

    #[test]
    fn every_field_has_a_column_condition() {
        let some = || Some("x".to_owned());
        let filter = Filter {
            text: "x".into(),
            from: Some(FileTime(1)),
            to: Some(FileTime(2)),
            computer: some(),
            remote_address: some(),
            failure_reason: some(),
            failure_point: some(),
            state: some(),
            role: some(),
            em_impersonation_state: some(),
            local_address: some(),
            issuing_ca: some(),
            root_ca: some(),
            cert_hash: some(),
            cause: Some(Cause::Timeout),
        };

        // `conditions` lists every set field, the free text among them.
        assert_eq!(
            filter.column_conditions().len(),
            filter.conditions().len() - 1
        );
    }
}
