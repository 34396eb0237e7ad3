//! The CSV export, written by hand to control quoting, line ends and the formula guard.
//!
//! RFC 4180: a header row, CRLF after every row, a cell quoted when it contains a comma,
//! quote, CR or LF, with inner quotes doubled. UTF-8 without a byte order mark.

use super::column::{Cell, Column};
use super::table::Table;
use std::fmt::Write;

/// Writes the rows `indices` (a view of `table`) with the columns of [`Column::ALL`].
///
/// A cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, tab
/// or CR) gets a leading `'`, unless it is a plain number such as `-5`. Null is empty.
pub fn export_csv(table: &Table, indices: &[u32]) -> String {
    let mut csv = String::with_capacity(64 + indices.len() * 400);
    for (position, column) in Column::ALL.iter().enumerate() {
        if position > 0 {
            csv.push(',');
        }
        push_cell(&mut csv, column.name());
    }
    csv.push_str("\r\n");
    for index in indices {
        for (position, column) in Column::ALL.iter().enumerate() {
            if position > 0 {
                csv.push(',');
            }
            match table.cell(*index, *column) {
                Cell::Null => {}
                Cell::Text(text) => push_cell(&mut csv, text),
                Cell::Number(number) => write!(csv, "{number}").expect("writing to a String"),
                Cell::Time(time) => write!(csv, "{time}").expect("writing to a String"),
            }
        }
        csv.push_str("\r\n");
    }
    csv
}

/// Appends a text cell, guarded and quoted as needed.
fn push_cell(csv: &mut String, text: &str) {
    // Windows writes a lone "-" for empty fields; no spreadsheet runs it as a formula.
    let guard = starts_like_formula(text) && !is_plain_number(text) && text != "-";
    let quote = text.contains([',', '"', '\r', '\n']);
    if quote {
        csv.push('"');
    }
    if guard {
        csv.push('\'');
    }
    if quote {
        csv.push_str(&text.replace('"', "\"\""));
        csv.push('"');
    } else {
        csv.push_str(text);
    }
}

fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Digits with an optional sign and fraction, such as `-5` or `+0.25`.
fn is_plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, hostile_table, long_reason, table_of};

    const HEADER: &str = "file,EventRecordID,TimeCreated,Computer,LocalEMPrincipalName,\
        LocalEMCertHash,LocalEMIssuingCA,LocalEMRootCA,RemoteEMPrincipalName,RemoteEMCertHash,\
        RemoteEMIssuingCA,RemoteEMRootCA,LocalAddress,LocalKeyModPort,RemoteAddress,\
        RemoteKeyModPort,FailurePoint,FailureReason,State,Role,EMImpersonationState,QMFilterID,\
        FailurePointText,StateText,RoleText,EMImpersonationStateText\r\n";

    #[test]
    fn empty_view_has_only_the_header() {
        let table = table_of(vec![failure_at(1, 0)]);

        assert_eq!(export_csv(&table, &[]), HEADER);
    }

    #[test]
    fn typical_row() {
        let table = table_of(vec![failure_at(1, 0)]);

        let csv = export_csv(&table, &table.all_indices());

        let row = "a.evtx,1,2024-05-01T12:34:56.1234567Z,host1.contoso.com,CONTOSO\\host1$,\
            0123456789ABCDEF0123456789ABCDEF01234567,CN=Contoso Issuing CA,CN=Contoso Root CA,\
            CONTOSO\\host2$,89ABCDEF0123456789ABCDEF0123456789ABCDEF,CN=Fabrikam Issuing CA,\
            CN=Fabrikam Root CA,10.0.0.1,500,10.0.0.2,4500,%%8199,No policy configured,%%8219,\
            %%8205,%%8216,18446744073709551615,Local computer,\
            Sent first (EM attributes) payload,Initiator,Enabled\r\n";
        assert_eq!(csv, format!("{HEADER}{row}"));
    }

    #[test]
    fn hostile_values_are_quoted_and_guarded() {
        let table = hostile_table();

        let csv = export_csv(&table, &[0]);

        let row = format!(
            "a.evtx,7,2024-05-01T12:34:56.1234567Z,host1.contoso.com,'=cmd|' /C calc'!A0,\
             <img src=x onerror=alert(1)>,\u{202e}gpj.exe,\"say \"\"hi\"\", ok\",\
             \"line1\r\nline2\",,,-5,'+1 555,-1,'@SUM(1),,%%9999,{},'\tTabbed,%%8206,\
             \"'\r=1\",18446744073709551615,%%9999,'\tTabbed,Responder,\"'\r=1\"\r\n",
            long_reason()
        );
        assert_eq!(csv, format!("{HEADER}{row}"));
        assert!(!csv.starts_with('\u{feff}'));
    }

    #[test]
    fn plain_numbers_are_not_guarded() {
        assert!(is_plain_number("-5"));
        assert!(is_plain_number("+0.25"));
        assert!(is_plain_number("42"));
        assert!(!is_plain_number("-"));
        assert!(!is_plain_number("-5e3"));
        assert!(!is_plain_number("-.5"));
        assert!(!is_plain_number("-1+1"));
        let mut cell = String::new();
        push_cell(&mut cell, "-2+3");
        assert_eq!(cell, "'-2+3");
    }

    #[test]
    fn lone_dash_placeholder_is_not_guarded() {
        let mut cell = String::new();
        push_cell(&mut cell, "-");
        assert_eq!(cell, "-");
        cell.clear();
        push_cell(&mut cell, "--");
        assert_eq!(cell, "'--");
    }
}
