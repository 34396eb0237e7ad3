//! Computer names as the log spells them. Windows compares computer names ignoring case, so
//! filters and counts do too, and the page shows each computer with the spelling of its
//! first row in table order.

use super::table::Table;
use std::collections::{BTreeSet, HashSet};

impl Table {
    /// Lists each computer of the table once, ignoring case, spelled as its first row spells
    /// it.
    pub fn computer_names(&self) -> BTreeSet<String> {
        let mut seen = HashSet::new();
        let mut names = BTreeSet::new();
        for row in &self.rows {
            if seen.insert(row.event.computer.to_lowercase()) {
                names.insert(row.event.computer.to_string());
            }
        }
        names
    }

    /// Returns the computer name of the first row whose name equals `name` ignoring case,
    /// or `None` if no row has it.
    pub fn computer_spelling(&self, name: &str) -> Option<&str> {
        self.rows
            .iter()
            .map(|row| &*row.event.computer)
            .find(|computer| *computer == name || same_ignoring_case(computer, name))
    }
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use crate::report::sample::{failure_at, table_of};
    use crate::report::Table;

    fn spelled(names: &[&str]) -> Table {
        let events = names
            .iter()
            .enumerate()
            .map(|(position, name)| {
                let mut event = failure_at(position as u64 + 1, position as u64);
                event.computer = (*name).into();
                event
            })
            .collect();
        table_of(events)
    }

    #[test]
    fn names_keep_first_spelling() {
        let table = spelled(&[
            "SRV-FS01.corp.contoso.com",
            "srv-fs01.CORP.contoso.com",
            "dc01",
        ]);

        let names: Vec<String> = table.computer_names().into_iter().collect();

        assert_eq!(names, ["SRV-FS01.corp.contoso.com", "dc01"]);
    }

    #[test]
    fn spelling_found_ignoring_case() {
        let table = spelled(&["SRV-FS01.corp.contoso.com", "srv-fs01.CORP.contoso.com"]);

        let spelling = table.computer_spelling("srv-fs01.corp.contoso.com");

        assert_eq!(spelling, Some("SRV-FS01.corp.contoso.com"));
        assert_eq!(table.computer_spelling("srv-fs02.corp.contoso.com"), None);
    }
}
