//! Renders one substitution value as the evtx crate (0.15.1) writes it into its JSON and
//! `serde_json` reads it back: a number, a boolean or text.

use super::bytes::{u16_at, u32_at, u64_at};
use super::tree::decode_utf16;

/// One substitution: its type and where its bytes are in the chunk.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Value {
    pub kind: u8,
    pub start: usize,
    pub size: usize,
}

impl Value {
    /// Returns whether the value is NULL, which removes the elements that depend on it.
    /// The evtx crate decodes a BinXML value without bytes as NULL too.
    pub fn is_null(&self) -> bool {
        self.kind == 0x00 || (self.kind == 0x21 && self.size == 0)
    }
}

/// A value as `serde_json` stores it after reading the evtx crate's JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Rendered {
    /// NULL, an empty string or binary value: the crate writes the element's empty form.
    Empty,
    Unsigned(u64),
    /// Only negative numbers: `serde_json` reads the others as unsigned.
    Signed(i64),
    Bool(bool),
    Text(String),
    /// A non-empty BinXML value, holding a nested template instance at these chunk bytes.
    Nested {
        start: usize,
        end: usize,
    },
}

impl Rendered {
    fn signed(number: i64) -> Rendered {
        match u64::try_from(number) {
            Ok(unsigned) => Rendered::Unsigned(unsigned),
            Err(_) => Rendered::Signed(number),
        }
    }

    /// Converts to the text `json_record` makes of a JSON value it reads as text
    /// (`Computer`, attributes).
    pub fn into_text(self) -> Option<String> {
        match self {
            Rendered::Empty => Some(String::new()),
            Rendered::Unsigned(number) => Some(number.to_string()),
            Rendered::Signed(number) => Some(number.to_string()),
            Rendered::Bool(value) => Some(value.to_string()),
            Rendered::Text(text) => Some(text),
            Rendered::Nested { .. } => None,
        }
    }
}

/// Renders `value`; `None` for the types left to the evtx crate: floats (it formats them
/// with its own shortest-digits writer), arrays, ANSI strings and handles.
pub(crate) fn render(chunk: &[u8], value: Value) -> Option<Rendered> {
    let bytes = chunk.get(value.start..value.start.checked_add(value.size)?)?;
    let size = value.size;
    let fixed = |expected: usize| (size == expected).then_some(());
    let rendered = match value.kind {
        0x00 => Rendered::Empty,
        0x01 => {
            // The crate cuts a string at its first NUL.
            let units = bytes.len() / 2;
            let length = (0..units)
                .position(|unit| bytes[2 * unit..2 * unit + 2] == [0, 0])
                .unwrap_or(units);
            if length == 0 {
                Rendered::Empty
            } else {
                Rendered::Text(decode_utf16(&bytes[..length * 2])?)
            }
        }
        0x03 => {
            fixed(1)?;
            Rendered::signed(i64::from(bytes[0] as i8))
        }
        0x04 => {
            fixed(1)?;
            Rendered::Unsigned(u64::from(bytes[0]))
        }
        0x05 => {
            fixed(2)?;
            Rendered::signed(i64::from(u16_at(bytes, 0)? as i16))
        }
        0x06 => {
            fixed(2)?;
            Rendered::Unsigned(u64::from(u16_at(bytes, 0)?))
        }
        0x07 => {
            fixed(4)?;
            Rendered::signed(i64::from(u32_at(bytes, 0)? as i32))
        }
        0x08 => {
            fixed(4)?;
            Rendered::Unsigned(u64::from(u32_at(bytes, 0)?))
        }
        0x09 => {
            fixed(8)?;
            Rendered::signed(u64_at(bytes, 0)? as i64)
        }
        0x0a => {
            fixed(8)?;
            Rendered::Unsigned(u64_at(bytes, 0)?)
        }
        // The crate keeps a boolean other than 0 or 1 as the 32-bit integer it is.
        0x0d => {
            fixed(4)?;
            match u32_at(bytes, 0)? as i32 {
                0 => Rendered::Bool(false),
                1 => Rendered::Bool(true),
                raw => Rendered::signed(i64::from(raw)),
            }
        }
        0x0e if size == 0 => Rendered::Empty,
        0x0e => Rendered::Text(hex_upper(bytes)),
        0x0f => {
            fixed(16)?;
            Rendered::Text(guid(bytes))
        }
        // SizeT renders as a hexadecimal integer of its width.
        0x10 | 0x14 | 0x15 => {
            let number = match (value.kind, size) {
                (0x10 | 0x14, 4) => u64::from(u32_at(bytes, 0)?),
                (0x10 | 0x15, 8) => u64_at(bytes, 0)?,
                _ => return None,
            };
            Rendered::Text(format!("0x{number:x}"))
        }
        0x11 => {
            fixed(8)?;
            Rendered::Text(filetime_text(u64_at(bytes, 0)?))
        }
        0x12 => {
            fixed(16)?;
            Rendered::Text(systemtime_text(bytes))
        }
        0x13 => Rendered::Text(sid(bytes)?),
        0x21 if size == 0 => Rendered::Empty,
        0x21 => Rendered::Nested {
            start: value.start,
            end: value.start + size,
        },
        _ => return None,
    };
    Some(rendered)
}

fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    text
}

/// Lowercase in braces, with the first three fields little-endian, as Windows shows it.
fn guid(bytes: &[u8]) -> String {
    format!(
        "{{{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}}}",
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        u16::from_le_bytes([bytes[4], bytes[5]]),
        u16::from_le_bytes([bytes[6], bytes[7]]),
        bytes[8],
        bytes[9],
        bytes[10],
        bytes[11],
        bytes[12],
        bytes[13],
        bytes[14],
        bytes[15]
    )
}

/// Formats a SID as `S-revision-authority-sub1-…`. The authority is 48-bit big-endian, the
/// sub-authorities 32-bit little-endian, as many as the count byte gives.
fn sid(bytes: &[u8]) -> Option<String> {
    if bytes.len() < 8 || bytes.len() != 8 + 4 * usize::from(bytes[1]) {
        return None;
    }
    let mut authority = [0u8; 8];
    authority[2..].copy_from_slice(&bytes[2..8]);
    let mut text = format!("S-{}-{}", bytes[0], u64::from_be_bytes(authority));
    for sub in bytes[8..].chunks_exact(4) {
        let sub = u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]]);
        text.push_str(&format!("-{sub}"));
    }
    Some(text)
}

/// Date and time fields, formatted as `YYYY-MM-DDTHH:MM:SS.fffffffZ`.
#[derive(Default)]
struct DateTime {
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    minute: u64,
    second: u64,
    ticks: u64,
}

impl DateTime {
    /// Writes each field with the crate's fixed digit counts: it keeps the last digits of a
    /// field that is too wide, so the year keeps four.
    fn text(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
            self.year % 10_000,
            self.month % 100,
            self.day % 100,
            self.hour % 100,
            self.minute % 100,
            self.second % 100,
            self.ticks % 10_000_000
        )
    }
}

/// Formats a FILETIME as the crate renders it: past `i64::MAX` every field is zero.
fn filetime_text(filetime: u64) -> String {
    const TICKS_PER_SECOND: u64 = 10_000_000;
    const TICKS_PER_DAY: u64 = 86_400 * TICKS_PER_SECOND;
    if filetime > i64::MAX as u64 {
        return DateTime::default().text();
    }
    let (days, ticks) = (filetime / TICKS_PER_DAY, filetime % TICKS_PER_DAY);
    let (year, month, day) = civil_from_days_since_1601(days);
    let seconds = ticks / TICKS_PER_SECOND;
    DateTime {
        year,
        month,
        day,
        hour: seconds / 3_600,
        minute: seconds / 60 % 60,
        second: seconds % 60,
        ticks: ticks % TICKS_PER_SECOND,
    }
    .text()
}

/// Howard Hinnant's days-to-civil algorithm, shifted to count from 1601-01-01.
fn civil_from_days_since_1601(days: u64) -> (u64, u64, u64) {
    let z = days + 584_694;
    let (era, day_of_era) = (z / 146_097, z % 146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (era * 400 + year_of_era + u64::from(month <= 2), month, day)
}

/// Formats a SYSTEMTIME as the crate renders it: one that is no valid time renders as
/// 1601-01-01.
fn systemtime_text(bytes: &[u8]) -> String {
    let field =
        |index: usize| u64::from(u16::from_le_bytes([bytes[2 * index], bytes[2 * index + 1]]));
    let (year, month, day) = (field(0), field(1), field(3));
    let (hour, minute, second, milliseconds) = (field(4), field(5), field(6), field(7));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let valid = (1601..=30827).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && milliseconds < 1_000;
    if !valid {
        return DateTime {
            year: 1601,
            month: 1,
            day: 1,
            ..DateTime::default()
        }
        .text();
    }
    DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        ticks: milliseconds * 10_000,
    }
    .text()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(kind: u8, bytes: &[u8]) -> Option<Rendered> {
        let value = Value {
            kind,
            start: 0,
            size: bytes.len(),
        };
        render(bytes, value)
    }

    fn text(kind: u8, bytes: &[u8]) -> String {
        match value_of(kind, bytes) {
            Some(Rendered::Text(text)) => text,
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn strings_end_at_the_first_nul() {
        assert_eq!(text(0x01, b"a\0b\0\0\0c\0"), "ab");
        assert_eq!(value_of(0x01, b"\0\0a\0"), Some(Rendered::Empty));
        assert_eq!(value_of(0x01, b""), Some(Rendered::Empty));
    }

    #[test]
    fn integers_read_as_serde_json_reads_them() {
        assert_eq!(value_of(0x03, &[0xff]), Some(Rendered::Signed(-1)));
        assert_eq!(
            value_of(0x07, &7i32.to_le_bytes()),
            Some(Rendered::Unsigned(7))
        );
        assert_eq!(
            value_of(0x0a, &u64::MAX.to_le_bytes()),
            Some(Rendered::Unsigned(u64::MAX))
        );
        assert_eq!(
            value_of(0x0d, &1u32.to_le_bytes()),
            Some(Rendered::Bool(true))
        );
        assert_eq!(
            value_of(0x0d, &5u32.to_le_bytes()),
            Some(Rendered::Unsigned(5))
        );
    }

    #[test]
    fn hex_guid_and_sid_texts() {
        assert_eq!(text(0x14, &0x1fu32.to_le_bytes()), "0x1f");
        assert_eq!(text(0x15, &0u64.to_le_bytes()), "0x0");
        assert_eq!(text(0x0e, &[0x0a, 0xbc]), "0ABC");
        let guid_bytes = [
            0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02,
            0x03, 0x04,
        ];
        assert_eq!(
            text(0x0f, &guid_bytes),
            "{12345678-1234-5678-9abc-def001020304}"
        );
        let sid_bytes = [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0];
        assert_eq!(text(0x13, &sid_bytes), "S-1-5-32-544");
    }

    #[test]
    fn times_render_with_seven_fraction_digits() {
        let filetime = crate::filetime::FileTime::from_utc(2021, 1, 2, 3, 4, 5, 1_234_567)
            .expect("valid date")
            .0;
        assert_eq!(
            text(0x11, &filetime.to_le_bytes()),
            "2021-01-02T03:04:05.1234567Z"
        );
        assert_eq!(
            text(0x11, &u64::MAX.to_le_bytes()),
            "0000-00-00T00:00:00.0000000Z"
        );
        let systemtime: Vec<u8> = [2019u16, 3, 2, 5, 1, 12, 34, 789]
            .iter()
            .flat_map(|field| field.to_le_bytes())
            .collect();
        assert_eq!(text(0x12, &systemtime), "2019-03-05T01:12:34.7890000Z");
        assert_eq!(text(0x12, &[0; 16]), "1601-01-01T00:00:00.0000000Z");
    }
}
