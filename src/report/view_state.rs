//! The view as a URL fragment, so that a view can be bookmarked and shared: the filter,
//! the sort, the time zone, the open row, the top chart's dimension and the custom alert
//! rule, never the rows themselves.
//!
//! The fragment is `key=value` pairs joined by `&`, such as
//! `#q=timeout&sort=TimeCreated-desc&tz=Europe/Berlin`. Values are UTF-8, percent-encoded
//! except for unreserved characters and `/:@,`, which a fragment may hold literally and
//! keep zone names and times readable. Parsing never fails: it skips unknown keys and
//! invalid values, so a mangled link opens a default view instead of an error.

use super::alerts::{AlertRule, CUSTOM_DIMENSIONS};
use super::column::Column;
use super::filter::Filter;
use super::sort::Sort;
use super::taxonomy::Cause;
use super::top::Dimension;
use super::zone::ZoneChoice;
use crate::filetime::FileTime;

/// The view state that a shared link restores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewState {
    pub filter: Filter,
    pub sort: Option<Sort>,
    pub zone: ZoneChoice,
    /// The row whose details are open.
    pub row: Option<RowRef>,
    /// The dimension the top-N chart counts.
    pub top: Dimension,
    /// The alert rule the user added to the presets.
    pub rule: Option<AlertRule>,
}

/// A row named by its file's position in drop order and its EventRecordID, so the name
/// stays valid while rows of earlier files are still arriving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowRef {
    pub file: u32,
    pub record_id: u64,
}

/// A filter field stored as text: its fragment key and how to read and write it.
struct TextKey {
    key: &'static str,
    read: fn(&Filter) -> &Option<String>,
    write: fn(&mut Filter, String),
}

/// The exact-value conditions of [`Filter`], in fragment order.
const TEXT_KEYS: [TextKey; 11] = [
    TextKey {
        key: "computer",
        read: |f| &f.computer,
        write: |f, v| f.computer = Some(v),
    },
    TextKey {
        key: "local",
        read: |f| &f.local_address,
        write: |f, v| f.local_address = Some(v),
    },
    TextKey {
        key: "remote",
        read: |f| &f.remote_address,
        write: |f, v| f.remote_address = Some(v),
    },
    TextKey {
        key: "reason",
        read: |f| &f.failure_reason,
        write: |f, v| f.failure_reason = Some(v),
    },
    TextKey {
        key: "point",
        read: |f| &f.failure_point,
        write: |f, v| f.failure_point = Some(v),
    },
    TextKey {
        key: "state",
        read: |f| &f.state,
        write: |f, v| f.state = Some(v),
    },
    TextKey {
        key: "role",
        read: |f| &f.role,
        write: |f, v| f.role = Some(v),
    },
    TextKey {
        key: "impersonation",
        read: |f| &f.em_impersonation_state,
        write: |f, v| f.em_impersonation_state = Some(v),
    },
    TextKey {
        key: "issuer",
        read: |f| &f.issuing_ca,
        write: |f, v| f.issuing_ca = Some(v),
    },
    TextKey {
        key: "root",
        read: |f| &f.root_ca,
        write: |f, v| f.root_ca = Some(v),
    },
    TextKey {
        key: "thumbprint",
        read: |f| &f.cert_hash,
        write: |f, v| f.cert_hash = Some(v),
    },
];

/// The fragment names of the causes.
const CAUSE_KEYS: [(Cause, &str); 5] = [
    (Cause::NoPolicy, "no-policy"),
    (Cause::Authentication, "authentication"),
    (Cause::Timeout, "timeout"),
    (Cause::PeerUnreachable, "peer-unreachable"),
    (Cause::Other, "other"),
];

impl ViewState {
    /// Writes the fragment without its `#`; the default view gives an empty string.
    ///
    /// An exact condition on a missing value (`Some("")`) is written as the bare key with
    /// an empty value, so it survives the round trip.
    pub fn to_fragment(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let filter = &self.filter;
        if !filter.text.is_empty() {
            pairs.push(("q", filter.text.clone()));
        }
        if let Some(from) = filter.from {
            pairs.push(("from", from.to_string()));
        }
        if let Some(to) = filter.to {
            pairs.push(("to", to.to_string()));
        }
        if let Some(cause) = filter.cause {
            pairs.push(("cause", cause_key(cause).to_owned()));
        }
        for text_key in &TEXT_KEYS {
            if let Some(value) = (text_key.read)(filter) {
                pairs.push((text_key.key, value.clone()));
            }
        }
        if let Some(sort) = self.sort {
            let direction = if sort.descending { "desc" } else { "asc" };
            pairs.push(("sort", format!("{}-{direction}", sort.column.name())));
        }
        if self.zone != ZoneChoice::Utc {
            pairs.push(("tz", self.zone.key().to_owned()));
        }
        if let Some(row) = self.row {
            pairs.push(("file", row.file.to_string()));
            pairs.push(("record", row.record_id.to_string()));
        }
        if self.top != Dimension::default() {
            pairs.push(("top", self.top.key().to_owned()));
        }
        if let Some(rule) = self.rule {
            pairs.push(("rule", rule_text(rule)));
        }
        let encoded: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode(&value)))
            .collect();
        encoded.join("&")
    }

    /// Reads a fragment, with or without its leading `#`. Unknown keys, invalid values
    /// and invalid percent-encoding are skipped, and a repeated key keeps its last value.
    pub fn from_fragment(fragment: &str) -> ViewState {
        ViewState::read_fragment(fragment).0
    }

    /// Reads a fragment as [`ViewState::from_fragment`] does, and also returns each part it
    /// skipped, as the link spells it, so the page can show what it left out.
    pub fn read_fragment(fragment: &str) -> (ViewState, Vec<String>) {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut state = ViewState::default();
        let mut skipped = Vec::new();
        let mut file = None;
        let mut record_id = None;
        for pair in fragment.split('&').filter(|pair| !pair.is_empty()) {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(value) = decode(raw) else {
                skipped.push(pair.to_owned());
                continue;
            };
            let filter = &mut state.filter;
            let read = match key {
                "q" => {
                    filter.text = value;
                    true
                }
                "from" => replace(&mut filter.from, FileTime::parse_iso(&value)),
                "to" => replace(&mut filter.to, FileTime::parse_iso(&value)),
                "cause" => replace(&mut filter.cause, parse_cause(&value)),
                "sort" => replace(&mut state.sort, parse_sort(&value)),
                "tz" => replace_value(&mut state.zone, ZoneChoice::parse(&value)),
                "file" => replace(&mut file, value.parse().ok()),
                "record" => replace(&mut record_id, value.parse().ok()),
                "top" => replace_value(&mut state.top, Dimension::from_key(&value)),
                "rule" => replace(&mut state.rule, parse_rule(&value)),
                _ => match TEXT_KEYS.iter().find(|text_key| text_key.key == key) {
                    Some(text_key) => {
                        (text_key.write)(filter, value);
                        true
                    }
                    None => false,
                },
            };
            if !read {
                skipped.push(pair.to_owned());
            }
        }
        match (file, record_id) {
            (Some(file), Some(record_id)) => state.row = Some(RowRef { file, record_id }),
            (Some(file), None) => skipped.push(format!("file={file} without record")),
            (None, Some(record_id)) => skipped.push(format!("record={record_id} without file")),
            (None, None) => {}
        }
        (state, skipped)
    }
}

/// Puts `value` in `slot` when there is one, and returns whether there was.
fn replace<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    replace_value(slot, value.map(Some))
}

/// Puts `value` in `slot` when there is one, and returns whether there was.
fn replace_value<T>(slot: &mut T, value: Option<T>) -> bool {
    match value {
        Some(value) => {
            *slot = value;
            true
        }
        None => false,
    }
}

fn cause_key(cause: Cause) -> &'static str {
    CAUSE_KEYS
        .iter()
        .find(|(known, _)| *known == cause)
        .map_or("other", |(_, key)| key)
}

fn parse_cause(text: &str) -> Option<Cause> {
    CAUSE_KEYS
        .iter()
        .find(|(_, key)| *key == text)
        .map(|(cause, _)| *cause)
}

/// Writes a rule as `dimension,count,minutes`, such as `computer,20,60`.
fn rule_text(rule: AlertRule) -> String {
    format!(
        "{},{},{}",
        rule.dimension.key(),
        rule.min_count,
        rule.window_minutes
    )
}

/// Parses what [`rule_text`] writes, with the limits the page's rule form applies.
fn parse_rule(text: &str) -> Option<AlertRule> {
    let mut parts = text.split(',');
    let dimension = Dimension::from_key(parts.next()?)
        .filter(|dimension| CUSTOM_DIMENSIONS.contains(dimension))?;
    let (count, window) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    AlertRule::parse(dimension, count, window).ok()
}

/// Parses `TimeCreated-desc` or `RemoteAddress-asc`; a column name alone sorts ascending.
fn parse_sort(text: &str) -> Option<Sort> {
    let (name, descending) = match text.rsplit_once('-') {
        Some((name, "desc")) => (name, true),
        Some((name, "asc")) => (name, false),
        _ => (text, false),
    };
    Column::from_name(name).map(|column| Sort { column, descending })
}

/// Percent-encodes every byte except unreserved characters and `/:@,`.
fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:@,".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Decodes percent-encoding, reading `+` as a space as HTML forms write it. A `%` without
/// two hex digits stays as it is. Returns `None` when the bytes are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let escaped = bytes
            .get(index + 1..index + 3)
            .filter(|_| byte == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (_, Some(value)) => {
                decoded.push(value);
                index += 3;
                continue;
            }
            (b'+', None) => decoded.push(b' '),
            (other, None) => decoded.push(other),
        }
        index += 1;
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(state: &ViewState) -> ViewState {
        ViewState::from_fragment(&format!("#{}", state.to_fragment()))
    }

    fn full_state() -> ViewState {
        ViewState {
            filter: Filter {
                text: "timed out".into(),
                from: FileTime::parse_iso("2024-05-01T12:00:00Z"),
                to: FileTime::parse_iso("2024-05-01T12:59:59.9999999Z"),
                computer: Some("WS-0142.corp.contoso.com".into()),
                remote_address: Some("10.9.9.9".into()),
                failure_reason: Some(String::new()),
                failure_point: Some("%%8199".into()),
                state: Some("%%8219".into()),
                role: Some("%%8205".into()),
                em_impersonation_state: Some("%%8216".into()),
                local_address: Some("10.0.0.1".into()),
                issuing_ca: Some("CN=Contoso Issuing CA, O=Contoso".into()),
                root_ca: Some("CN=Root".into()),
                cert_hash: Some("89abcdef".into()),
                cause: Some(Cause::PeerUnreachable),
            },
            sort: Some(Sort {
                column: Column::TimeCreated,
                descending: true,
            }),
            zone: ZoneChoice::Named("Europe/Berlin".into()),
            row: Some(RowRef {
                file: 2,
                record_id: 18_446_744_073_709_551_615,
            }),
            top: Dimension::CertHash,
            rule: Some(AlertRule {
                dimension: Dimension::PeerPair,
                min_count: 20,
                window_minutes: 60,
            }),
        }
    }

    #[test]
    fn default_view_is_empty_fragment() {
        assert_eq!(ViewState::default().to_fragment(), "");
        assert_eq!(ViewState::from_fragment(""), ViewState::default());
        assert_eq!(ViewState::from_fragment("#"), ViewState::default());
    }

    #[test]
    fn fragment_is_readable() {
        let state = ViewState {
            filter: Filter {
                text: "no policy".into(),
                from: FileTime::parse_iso("2024-05-01T12:34:56Z"),
                ..Filter::default()
            },
            sort: Some(Sort {
                column: Column::TimeCreated,
                descending: true,
            }),
            zone: ZoneChoice::Named("Asia/Kolkata".into()),
            row: None,
            top: Dimension::RemoteAddress,
            rule: Some(AlertRule {
                dimension: Dimension::Computer,
                min_count: 20,
                window_minutes: 60,
            }),
        };

        assert_eq!(
            state.to_fragment(),
            "q=no%20policy&from=2024-05-01T12:34:56.0000000Z&sort=TimeCreated-desc\
             &tz=Asia/Kolkata&top=remote-address&rule=computer,20,60"
        );
    }

    #[test]
    fn invalid_rules_and_dimensions_are_skipped() {
        for fragment in [
            "rule=computer,20",
            "rule=computer,20,60,1",
            "rule=printer,20,60",
            "rule=computer,-1,60",
            "rule=computer,20,x",
            "rule=computer,0,60",
            "rule=cert-hash,20,60",
            "top=printer",
        ] {
            assert_eq!(
                ViewState::from_fragment(fragment),
                ViewState::default(),
                "{fragment}"
            );
        }
    }

    #[test]
    fn every_field_round_trips() {
        let state = full_state();

        assert_eq!(round_trip(&state), state);
    }

    #[test]
    fn empty_condition_round_trips() {
        let state = ViewState {
            filter: Filter {
                failure_reason: Some(String::new()),
                ..Filter::default()
            },
            ..ViewState::default()
        };

        assert_eq!(state.to_fragment(), "reason=");
        assert_eq!(round_trip(&state), state);
    }

    #[test]
    fn hostile_text_round_trips() {
        let values = [
            "a&sort=File-asc&tz=local",
            "#q=x",
            "100% =%41 %zz %",
            "plus+sign and space",
            "Zürich 東京 🙂 \u{202e}rtl",
            "line\nbreak\ttab\0nul",
            "<script>alert(1)</script>",
        ];
        for value in values {
            let state = ViewState {
                filter: Filter {
                    text: value.into(),
                    computer: Some(value.into()),
                    ..Filter::default()
                },
                ..ViewState::default()
            };

            let fragment = state.to_fragment();

            assert_eq!(round_trip(&state), state, "{value:?}");
            assert_eq!(fragment.matches('&').count(), 1, "{fragment}");
            assert!(!fragment.contains('#'), "{fragment}");
            assert!(fragment.is_ascii(), "{fragment}");
        }
    }

    #[test]
    fn very_long_text_round_trips() {
        let state = ViewState {
            filter: Filter {
                text: "é&".repeat(50_000),
                ..Filter::default()
            },
            ..ViewState::default()
        };

        let fragment = state.to_fragment();

        assert_eq!(fragment.len(), 2 + 50_000 * 9);
        assert_eq!(round_trip(&state), state);
    }

    #[test]
    fn skipped_parts_are_listed() {
        let (state, skipped) = ViewState::read_fragment(
            "#q=ok&evil=1&sort=NoSuchColumn-desc&from=yesterday&top=peer-pair&bad=%FF\
             &record=7&&rule=0-in-5",
        );

        assert_eq!(state.filter.text, "ok");
        assert_eq!(
            skipped,
            [
                "evil=1",
                "sort=NoSuchColumn-desc",
                "from=yesterday",
                "bad=%FF",
                "rule=0-in-5",
                "record=7 without file",
            ]
        );
        assert!(ViewState::read_fragment("#q=ok&sort=TimeCreated-desc")
            .1
            .is_empty());
        assert!(ViewState::read_fragment("").1.is_empty());
    }

    #[test]
    fn unknown_and_bad_keys_are_skipped() {
        let state = ViewState::from_fragment(
            "#evil=1&q=ok&sort=NoSuchColumn-desc&from=yesterday&to=2024-13-01T00:00:00Z\
             &cause=nope&tz=%3Cscript%3E&file=x&record=7&bad=%FF&computer=%FF%FE&&=&q",
        );

        assert_eq!(state.filter.text, "");
        assert_eq!(state.sort, None);
        assert_eq!(state.filter.from, None);
        assert_eq!(state.filter.to, None);
        assert_eq!(state.filter.cause, None);
        assert_eq!(state.zone, ZoneChoice::Utc);
        assert_eq!(state.row, None);
        assert_eq!(state.filter.computer, None);
    }

    #[test]
    fn bad_value_keeps_earlier_good_one() {
        let state = ViewState::from_fragment("sort=file-asc&sort=Nope&tz=local&tz=a%20b");

        assert_eq!(
            state.sort,
            Some(Sort {
                column: Column::File,
                descending: false
            })
        );
        assert_eq!(state.zone, ZoneChoice::Local);
    }

    #[test]
    fn form_encoding_is_read() {
        let state = ViewState::from_fragment("q=timed+out%2Bx&sort=EventRecordID");

        assert_eq!(state.filter.text, "timed out+x");
        assert_eq!(
            state.sort,
            Some(Sort {
                column: Column::EventRecordId,
                descending: false
            })
        );
    }

    #[test]
    fn every_cause_round_trips() {
        for cause in Cause::ALL {
            assert_eq!(parse_cause(cause_key(cause)), Some(cause));
        }
    }
}
