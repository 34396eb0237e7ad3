//! The columns of the 4983 table, shared by sorting, search and both exports.

use crate::decode::{DataCell, Event4983, FIELDS_4983};
use crate::filetime::FileTime;
use serde::{Deserialize, Serialize};

/// A column of the 4983 table, in export order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    File,
    EventRecordId,
    TimeCreated,
    Computer,
    LocalEmPrincipalName,
    LocalEmCertHash,
    LocalEmIssuingCa,
    LocalEmRootCa,
    RemoteEmPrincipalName,
    RemoteEmCertHash,
    RemoteEmIssuingCa,
    RemoteEmRootCa,
    LocalAddress,
    LocalKeyModPort,
    RemoteAddress,
    RemoteKeyModPort,
    FailurePoint,
    FailureReason,
    State,
    Role,
    EmImpersonationState,
    QmFilterId,
    FailurePointText,
    StateText,
    RoleText,
    EmImpersonationStateText,
}

/// One cell of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell<'a> {
    Null,
    Text(&'a str),
    Number(u64),
    Time(FileTime),
}

impl Column {
    /// Every column in export order.
    pub const ALL: [Column; 26] = [
        Column::File,
        Column::EventRecordId,
        Column::TimeCreated,
        Column::Computer,
        Column::LocalEmPrincipalName,
        Column::LocalEmCertHash,
        Column::LocalEmIssuingCa,
        Column::LocalEmRootCa,
        Column::RemoteEmPrincipalName,
        Column::RemoteEmCertHash,
        Column::RemoteEmIssuingCa,
        Column::RemoteEmRootCa,
        Column::LocalAddress,
        Column::LocalKeyModPort,
        Column::RemoteAddress,
        Column::RemoteKeyModPort,
        Column::FailurePoint,
        Column::FailureReason,
        Column::State,
        Column::Role,
        Column::EmImpersonationState,
        Column::QmFilterId,
        Column::FailurePointText,
        Column::StateText,
        Column::RoleText,
        Column::EmImpersonationStateText,
    ];

    /// Returns the column's name in exports: `file`, then Windows names.
    pub fn name(self) -> &'static str {
        match self {
            Column::File => "file",
            Column::EventRecordId => "EventRecordID",
            Column::TimeCreated => "TimeCreated",
            Column::Computer => "Computer",
            Column::FailurePointText => "FailurePointText",
            Column::StateText => "StateText",
            Column::RoleText => "RoleText",
            Column::EmImpersonationStateText => "EMImpersonationStateText",
            data => data
                .data_position()
                .map_or("", |position| FIELDS_4983[position]),
        }
    }

    /// Returns the manifest position (0 for `%1`) of an EventData column.
    pub fn data_position(self) -> Option<usize> {
        // Variants are declared in export order, so the discriminant is the export index.
        let index = self as usize;
        (4..22).contains(&index).then(|| index - 4)
    }

    /// Finds the column with this export name.
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|column| column.name() == name)
    }

    /// Returns the cell of this column for an event from the file called `file`.
    pub fn cell<'a>(self, file: &'a str, event: &'a Event4983) -> Cell<'a> {
        let text = |value: Option<&'a str>| value.map_or(Cell::Null, Cell::Text);
        match self {
            Column::File => Cell::Text(file),
            Column::EventRecordId => Cell::Number(event.record_id),
            Column::TimeCreated => Cell::Time(event.time_created),
            Column::Computer => Cell::Text(&event.computer),
            Column::FailurePointText => text(event.failure_point_text()),
            Column::StateText => text(event.state_text()),
            Column::RoleText => text(event.role_text()),
            Column::EmImpersonationStateText => text(event.em_impersonation_state_text()),
            data => match data
                .data_position()
                .map(|position| event.data_cell(position))
            {
                None | Some(DataCell::Null) => Cell::Null,
                Some(DataCell::Text(value)) => Cell::Text(value),
                Some(DataCell::Number(value)) => Cell::Number(value),
            },
        }
    }
}

impl Cell<'_> {
    /// Formats the cell as the table shows it, `Null` as empty text.
    pub fn to_text(self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(text) => text.to_owned(),
            Cell::Number(number) => number.to_string(),
            Cell::Time(time) => time.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_in_export_order() {
        let names: Vec<&str> = Column::ALL.iter().map(|column| column.name()).collect();
        assert_eq!(
            names[..4],
            ["file", "EventRecordID", "TimeCreated", "Computer"]
        );
        assert_eq!(names[4..22], crate::decode::FIELDS_4983);
        assert_eq!(
            names[22..],
            [
                "FailurePointText",
                "StateText",
                "RoleText",
                "EMImpersonationStateText"
            ]
        );
    }

    #[test]
    fn discriminants_follow_export_order() {
        for (index, column) in Column::ALL.into_iter().enumerate() {
            assert_eq!(column as usize, index);
        }
        assert_eq!(Column::LocalEmPrincipalName.data_position(), Some(0));
        assert_eq!(Column::QmFilterId.data_position(), Some(17));
        assert_eq!(Column::Computer.data_position(), None);
    }

    #[test]
    fn from_name_round_trips() {
        for column in Column::ALL {
            assert_eq!(Column::from_name(column.name()), Some(column));
        }
        assert_eq!(Column::from_name("Nope"), None);
    }
}
