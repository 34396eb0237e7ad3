//! The lists above the 4983 table (file progress, per-file totals, records seen in more
//! than one file) and the Integrity panel below it grow with every dropped file. Past a few
//! entries each folds under a one-line summary, so a drop of hundreds of logs leaves the
//! table in reach and the page short.

use crate::session::FileStatus;

/// Maximum entries of a list that starts open. A longer list starts folded.
pub const OPEN_MAX_ENTRIES: usize = 10;

/// Returns whether a list of `entries` entries starts open.
pub fn starts_open(entries: usize) -> bool {
    entries <= OPEN_MAX_ENTRIES
}

/// Returns the integrity panel's summary line for `files` files, `with_problems` of them
/// with problems.
pub fn describe_integrity(files: usize, with_problems: usize) -> String {
    let noun = if files == 1 { "file" } else { "files" };
    match with_problems {
        0 => format!("Integrity facts of {files} {noun}"),
        _ => format!("Integrity facts of {files} {noun}, {with_problems} with problems"),
    }
}

/// Counts of dropped files by outcome, for the file list's summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileTally {
    /// Files read to the end without any problem.
    pub done: usize,
    /// Files read to the end with errors, skipped chunks or skipped records.
    pub with_problems: usize,
    /// Files that could not be read, such as a file that is not an EVTX log.
    pub failed: usize,
    pub reading: usize,
}

impl FileTally {
    /// Counts one file of status `status`. `has_problems` is set when anything in the file
    /// was skipped, read with a warning or cut short.
    pub fn count(&mut self, status: FileStatus, has_problems: bool) {
        match status {
            FileStatus::Parsing => self.reading += 1,
            FileStatus::Error => self.failed += 1,
            FileStatus::Done if has_problems => self.with_problems += 1,
            FileStatus::Done => self.done += 1,
        }
    }

    /// Describes the tally in one line, such as "300 files: 297 done, 2 with problems,
    /// 1 failed". Counts of zero are left out.
    pub fn describe(&self) -> String {
        let files = self.done + self.with_problems + self.failed + self.reading;
        let noun = if files == 1 { "file" } else { "files" };
        let parts: Vec<String> = [
            (self.done, "done"),
            (self.with_problems, "with problems"),
            (self.failed, "failed"),
            (self.reading, "reading"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, label)| format!("{count} {label}"))
        .collect();
        if parts.is_empty() {
            return format!("{files} {noun}");
        }
        format!("{files} {noun}: {}", parts.join(", "))
    }
}

/// Splits `rows` into the rows shown outside a list and those inside it. A short list keeps
/// every row inside, in order. A long list starts folded, so its problem rows stay outside
/// where they are seen without opening it.
pub fn split_problem_rows<T>(rows: Vec<T>, has_problem: impl Fn(&T) -> bool) -> (Vec<T>, Vec<T>) {
    if starts_open(rows.len()) {
        return (Vec::new(), rows);
    }
    rows.into_iter().partition(|row| has_problem(row))
}

/// Describes the records seen in more than one file in one line, such as "745 overlaps
/// between files, 12000 repeated records left out".
pub fn describe_overlaps(overlaps: usize, records: u64) -> String {
    let noun = if overlaps == 1 { "overlap" } else { "overlaps" };
    let records_noun = if records == 1 { "record" } else { "records" };
    format!("{overlaps} {noun} between files, {records} repeated {records_noun} left out")
}

#[cfg(test)]
mod tests {

    #[test]
    fn integrity_summary_counts_files() {
        assert_eq!(describe_integrity(1, 0), "Integrity facts of 1 file");
        assert_eq!(
            describe_integrity(12, 2),
            "Integrity facts of 12 files, 2 with problems"
        );
    }

    use super::*;

    #[test]
    fn starts_open_up_to_limit() {
        assert!(starts_open(0));
        assert!(starts_open(OPEN_MAX_ENTRIES));
        assert!(!starts_open(OPEN_MAX_ENTRIES + 1));
    }

    #[test]
    fn tally_counts_each_outcome() {
        let mut tally = FileTally::default();
        for _ in 0..297 {
            tally.count(FileStatus::Done, false);
        }
        tally.count(FileStatus::Done, true);
        tally.count(FileStatus::Done, true);
        tally.count(FileStatus::Error, true);

        assert_eq!(tally.done, 297);
        assert_eq!(tally.with_problems, 2);
        assert_eq!(tally.failed, 1);
        assert_eq!(tally.reading, 0);
        assert_eq!(
            tally.describe(),
            "300 files: 297 done, 2 with problems, 1 failed"
        );
    }

    #[test]
    fn tally_describes_reading_files() {
        let mut tally = FileTally::default();
        tally.count(FileStatus::Parsing, false);

        assert_eq!(tally.describe(), "1 file: 1 reading");
    }

    #[test]
    fn tally_describes_no_files() {
        assert_eq!(FileTally::default().describe(), "0 files");
    }

    #[test]
    fn short_list_keeps_rows_inside() {
        let rows: Vec<u32> = (0..10).collect();

        let (outside, inside) = split_problem_rows(rows.clone(), |row| row % 2 == 0);

        assert_eq!(outside, Vec::<u32>::new());
        assert_eq!(inside, rows);
    }

    #[test]
    fn long_list_moves_problem_rows_out() {
        let rows: Vec<u32> = (0..11).collect();

        let (outside, inside) = split_problem_rows(rows, |row| *row == 3 || *row == 7);

        assert_eq!(outside, [3, 7]);
        assert_eq!(inside, [0, 1, 2, 4, 5, 6, 8, 9, 10]);
    }

    #[test]
    fn overlaps_described_in_one_line() {
        assert_eq!(
            describe_overlaps(745, 12000),
            "745 overlaps between files, 12000 repeated records left out"
        );
        assert_eq!(
            describe_overlaps(1, 1),
            "1 overlap between files, 1 repeated record left out"
        );
    }
}
