//! Top-N counts over the dimensions an administrator acts on: remote addresses, peer pairs,
//! failure reasons and causes, computers, certificate authorities and thumbprints.
//!
//! Each count is of rows, and a bar's key applied with [`Dimension::apply`] filters the same
//! view down to exactly those rows.

use super::filter::Filter;
use super::table::Table;
use super::taxonomy::Cause;
use super::word_hash::WordMap;
use crate::decode::Event4983;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A value that rows are grouped by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dimension {
    RemoteAddress,
    /// LocalAddress and RemoteAddress together; the top chart's first choice.
    #[default]
    PeerPair,
    FailureReason,
    Cause,
    /// Computer names, grouped ignoring case as [`Filter::computer`] compares them, each
    /// key spelled as the group's first row spells it.
    Computer,
    /// LocalEMIssuingCA and RemoteEMIssuingCA: a row counts once for each distinct CA.
    IssuingCa,
    /// LocalEMRootCA and RemoteEMRootCA, counted as [`Dimension::IssuingCa`] is.
    RootCa,
    /// LocalEMCertHash and RemoteEMCertHash, counted as [`Dimension::IssuingCa`] is and
    /// grouped in uppercase, as [`Filter::cert_hash`] ignores ASCII case.
    CertHash,
}

/// A group's value: one text, a peer pair, or a cause. `None` is a missing or Null value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Key {
    Text(Option<String>),
    Pair {
        local: Option<String>,
        remote: Option<String>,
    },
    Cause(Cause),
}

/// A key and how many rows of the view have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopEntry {
    pub key: Key,
    pub count: u64,
}

/// A key borrowed from a row, so counting a view allocates only for case folding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum KeyRef<'a> {
    Text(Option<Cow<'a, str>>),
    Pair(Option<&'a str>, Option<&'a str>),
    Cause(Cause),
}

impl KeyRef<'_> {
    pub(crate) fn to_key(&self) -> Key {
        match self {
            KeyRef::Text(value) => Key::Text(value.as_ref().map(|v| v.to_string())),
            KeyRef::Pair(local, remote) => Key::Pair {
                local: local.map(str::to_owned),
                remote: remote.map(str::to_owned),
            },
            KeyRef::Cause(cause) => Key::Cause(*cause),
        }
    }
}

impl Dimension {
    /// Every dimension in the order the page shows them.
    pub const ALL: [Dimension; 8] = [
        Dimension::RemoteAddress,
        Dimension::PeerPair,
        Dimension::FailureReason,
        Dimension::Cause,
        Dimension::Computer,
        Dimension::IssuingCa,
        Dimension::RootCa,
        Dimension::CertHash,
    ];

    /// Returns the dimension's name in a URL fragment.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::RemoteAddress => "remote-address",
            Dimension::PeerPair => "peer-pair",
            Dimension::FailureReason => "failure-reason",
            Dimension::Cause => "cause",
            Dimension::Computer => "computer",
            Dimension::IssuingCa => "issuing-ca",
            Dimension::RootCa => "root-ca",
            Dimension::CertHash => "cert-hash",
        }
    }

    /// Returns the dimension named `key` in a URL fragment (see [`Dimension::key`]).
    pub fn from_key(key: &str) -> Option<Dimension> {
        Dimension::ALL
            .into_iter()
            .find(|dimension| dimension.key() == key)
    }

    /// Returns the dimension's name as a chart title shows it.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::RemoteAddress => "Remote addresses",
            Dimension::PeerPair => "Peer pairs (local → remote)",
            Dimension::FailureReason => "Failure reasons",
            Dimension::Cause => "Causes",
            Dimension::Computer => "Computers",
            Dimension::IssuingCa => "Issuing CAs",
            Dimension::RootCa => "Root CAs",
            Dimension::CertHash => "Certificate thumbprints",
        }
    }

    /// Returns the keys of one event: one, or up to two distinct ones for the certificate
    /// dimensions, which read the local and the remote certificate.
    pub(crate) fn keys_of<'a>(self, event: &'a Event4983) -> [Option<KeyRef<'a>>; 2] {
        let text = |value: Option<&'a str>| KeyRef::Text(present(value).map(Cow::Borrowed));
        let both = |local: KeyRef<'a>, remote: KeyRef<'a>| {
            let second = (local != remote).then_some(remote);
            [Some(local), second]
        };
        let hash = |value: Option<&'a str>| KeyRef::Text(present(value).map(fold_hash));
        match self {
            Dimension::RemoteAddress => [Some(text(event.remote_address())), None],
            Dimension::PeerPair => [
                Some(KeyRef::Pair(
                    present(event.local_address()),
                    present(event.remote_address()),
                )),
                None,
            ],
            Dimension::FailureReason => [Some(text(event.failure_reason())), None],
            Dimension::Cause => [
                Some(KeyRef::Cause(Cause::of_reason(event.failure_reason()))),
                None,
            ],
            Dimension::Computer => [Some(KeyRef::Text(Some(fold_case(&event.computer)))), None],
            Dimension::IssuingCa => both(
                text(event.local_em_issuing_ca()),
                text(event.remote_em_issuing_ca()),
            ),
            Dimension::RootCa => both(
                text(event.local_em_root_ca()),
                text(event.remote_em_root_ca()),
            ),
            Dimension::CertHash => both(
                hash(event.local_em_cert_hash()),
                hash(event.remote_em_cert_hash()),
            ),
        }
    }

    /// Narrows `filter` to the rows whose value in this dimension is `key`. A missing value
    /// becomes an empty condition, which matches missing, Null and empty values.
    pub fn apply(self, key: &Key, filter: &mut Filter) {
        let text = |value: &Option<String>| Some(value.clone().unwrap_or_default());
        match (self, key) {
            (Dimension::RemoteAddress, Key::Text(value)) => filter.remote_address = text(value),
            (Dimension::PeerPair, Key::Pair { local, remote }) => {
                filter.local_address = text(local);
                filter.remote_address = text(remote);
            }
            (Dimension::FailureReason, Key::Text(value)) => filter.failure_reason = text(value),
            (Dimension::Cause, Key::Cause(cause)) => filter.cause = Some(*cause),
            (Dimension::Computer, Key::Text(value)) => filter.computer = text(value),
            (Dimension::IssuingCa, Key::Text(value)) => filter.issuing_ca = text(value),
            (Dimension::RootCa, Key::Text(value)) => filter.root_ca = text(value),
            (Dimension::CertHash, Key::Text(value)) => filter.cert_hash = text(value),
            // A key of another dimension's shape has nothing to narrow by.
            _ => {}
        }
    }
}

impl fmt::Display for Key {
    /// Writes the key as a bar label: `(empty)` for a missing value, pairs as
    /// `local → remote`. The arrow shows that pairs are directed: each end logs itself as
    /// local, so two hosts whose logs are both loaded show as two pairs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |value: &Option<String>| match value.as_deref() {
            None | Some("") => "(empty)".to_owned(),
            // Labels are shown, so bidi and invisible characters become markers here.
            Some(value) => super::visible_text(value),
        };
        match self {
            Key::Text(value) => f.write_str(&shown(value)),
            Key::Pair { local, remote } => write!(f, "{} → {}", shown(local), shown(remote)),
            Key::Cause(cause) => f.write_str(cause.label()),
        }
    }
}

impl Table {
    /// Counts the `limit` most common keys of `dimension` among `indices`, most common first
    /// and equal counts by key.
    pub fn top(&self, indices: &[u32], dimension: Dimension, limit: usize) -> Vec<TopEntry> {
        let Some(groups) = self.view_groups(indices, dimension) else {
            // NOTE: thumbprints are mostly unique, so their columns are plain text and counted
            // here by text, which takes about 0.5 s natively on a million rows.
            return self.top_by_text(indices, dimension, limit);
        };
        let tallies = groups.tally(indices);
        let counted: Vec<(KeyRef<'_>, (u64, u32))> = groups
            .keys
            .into_iter()
            .zip(tallies)
            .filter(|(_, (count, _))| *count > 0)
            .collect();
        self.largest_groups(dimension, counted, limit)
    }

    /// Counts as [`Table::top`] does, hashing each row's key. Columns stored as plain text
    /// have no value numbers to count by.
    pub(crate) fn top_by_text(
        &self,
        indices: &[u32],
        dimension: Dimension,
        limit: usize,
    ) -> Vec<TopEntry> {
        // Each key's count and its first row in table order. Columns stored as text hold
        // mostly unique values, so the map is sized for one key per row at once: growing it
        // step by step rehashed every key several times.
        let mut counts: WordMap<KeyRef<'_>, (u64, u32)> =
            WordMap::with_capacity_and_hasher(indices.len(), Default::default());
        for index in indices {
            let event = &self.rows[*index as usize].event;
            for key in dimension.keys_of(event).into_iter().flatten() {
                let (count, first_row) = counts.entry(key).or_insert((0, *index));
                *count += 1;
                *first_row = (*first_row).min(*index);
            }
        }
        self.largest_groups(dimension, counts.into_iter().collect(), limit)
    }

    /// Orders groups with their counts and first rows, most common first and equal counts
    /// by key, and returns the first `limit`.
    fn largest_groups(
        &self,
        dimension: Dimension,
        mut counted: Vec<(KeyRef<'_>, (u64, u32))>,
        limit: usize,
    ) -> Vec<TopEntry> {
        let order = |a: &(KeyRef<'_>, (u64, u32)), b: &(KeyRef<'_>, (u64, u32))| {
            b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0))
        };
        // Only the first `limit` are shown; sorting a million mostly unique keys to find them
        // took most of a thumbprint chart's time.
        if limit == 0 {
            return Vec::new();
        }
        if counted.len() > limit {
            counted.select_nth_unstable_by(limit - 1, order);
            counted.truncate(limit);
        }
        counted.sort_unstable_by(order);
        counted
            .into_iter()
            .take(limit)
            .map(|(key, (count, first_row))| TopEntry {
                key: self.logged_key(dimension, &key, first_row),
                count,
            })
            .collect()
    }

    /// Returns a group's key as the log writes it: a computer name, grouped in lowercase,
    /// takes the spelling of `first_row`, a row of the group.
    pub(crate) fn logged_key(&self, dimension: Dimension, key: &KeyRef<'_>, first_row: u32) -> Key {
        match (dimension, key) {
            (Dimension::Computer, KeyRef::Text(Some(_))) => Key::Text(Some(
                self.rows[first_row as usize].event.computer.to_string(),
            )),
            _ => key.to_key(),
        }
    }
}

/// Returns a value that is neither missing nor empty. Both kinds group together because an
/// empty filter condition matches both.
pub(super) fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.is_empty())
}

/// Uppercases a thumbprint's hex digits, borrowing it when nothing changes.
pub(super) fn fold_hash(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Lowercases text, borrowing it when nothing changes.
pub(super) fn fold_case(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, table_of};
    use crate::scan::{FieldValue, RawEvent};

    fn text(value: &str) -> FieldValue {
        FieldValue::Text(value.into())
    }

    fn event(record_id: u64, changes: &[(usize, FieldValue)]) -> RawEvent {
        let mut raw = failure_at(record_id, 0);
        for (position, value) in changes {
            raw.data[*position].value = value.clone();
        }
        raw
    }

    /// Five rows: three from 10.0.0.2 (one of them to local 10.0.0.9), two from 10.0.0.3
    /// (one with a Null local address), computers differing only in case, and certificates
    /// from two issuers.
    fn sample_table() -> Table {
        let mut upper = event(5, &[(10, text("10.0.0.3")), (8, FieldValue::Null)]);
        upper.computer = "HOST1.CONTOSO.COM".into();
        table_of(vec![
            event(1, &[]),
            event(2, &[(8, text("10.0.0.9"))]),
            event(3, &[(13, text("Negotiation timed out"))]),
            event(
                4,
                &[
                    (10, text("10.0.0.3")),
                    (2, text("CN=Fabrikam Issuing CA")),
                    (5, text("0123456789abcdef0123456789abcdef01234567")),
                ],
            ),
            upper,
        ])
    }

    fn pair(local: Option<&str>, remote: &str) -> Key {
        Key::Pair {
            local: local.map(str::to_owned),
            remote: Some(remote.to_owned()),
        }
    }

    fn entry(key: Key, count: u64) -> TopEntry {
        TopEntry { key, count }
    }

    fn some(value: &str) -> Key {
        Key::Text(Some(value.to_owned()))
    }

    #[test]
    fn remote_addresses_by_count() {
        let table = sample_table();

        let top = table.top(&table.all_indices(), Dimension::RemoteAddress, 10);

        assert_eq!(
            top,
            [entry(some("10.0.0.2"), 3), entry(some("10.0.0.3"), 2)]
        );
    }

    #[test]
    fn peer_pairs_keep_missing_local() {
        let table = sample_table();

        let top = table.top(&table.all_indices(), Dimension::PeerPair, 10);

        assert_eq!(
            top,
            [
                entry(pair(Some("10.0.0.1"), "10.0.0.2"), 2),
                entry(pair(None, "10.0.0.3"), 1),
                entry(pair(Some("10.0.0.1"), "10.0.0.3"), 1),
                entry(pair(Some("10.0.0.9"), "10.0.0.2"), 1),
            ]
        );
        assert_eq!(top[1].key.to_string(), "(empty) → 10.0.0.3");
        assert_eq!(top[0].key.to_string(), "10.0.0.1 → 10.0.0.2");
        let spoofed = Key::Text(Some("host\u{202E}1.contoso.com".into()));
        assert_eq!(spoofed.to_string(), "host⟨U+202E⟩1.contoso.com");
    }

    #[test]
    fn computers_group_ignoring_case() {
        let table = sample_table();

        let top = table.top(&table.all_indices(), Dimension::Computer, 10);

        assert_eq!(top, [entry(some("host1.contoso.com"), 5)]);
    }

    #[test]
    fn computers_keep_logged_spelling() {
        let table = sample_table();
        let mut filter = Filter::default();

        let top = table.top(&[4, 1], Dimension::Computer, 10);

        assert_eq!(top, [entry(some("host1.contoso.com"), 2)]);
        let top = table.top(&[4, 3], Dimension::Computer, 10);
        assert_eq!(top, [entry(some("host1.contoso.com"), 2)]);
        let upper_only = table.top(&[4], Dimension::Computer, 10);
        assert_eq!(upper_only, [entry(some("HOST1.CONTOSO.COM"), 1)]);
        Dimension::Computer.apply(&upper_only[0].key, &mut filter);
        assert_eq!(table.filter(&filter), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn reasons_and_causes() {
        let table = sample_table();
        let all = table.all_indices();

        assert_eq!(
            table.top(&all, Dimension::FailureReason, 10),
            [
                entry(some("No policy configured"), 4),
                entry(some("Negotiation timed out"), 1)
            ]
        );
        assert_eq!(
            table.top(&all, Dimension::Cause, 10),
            [
                entry(Key::Cause(Cause::NoPolicy), 4),
                entry(Key::Cause(Cause::Timeout), 1)
            ]
        );
    }

    #[test]
    fn certificate_values_count_once_per_row() {
        let table = sample_table();
        let all = table.all_indices();

        let issuers = table.top(&all, Dimension::IssuingCa, 10);
        let hashes = table.top(&all, Dimension::CertHash, 10);

        // Row 4 names Fabrikam as both local and remote issuer and counts once for it.
        assert_eq!(
            issuers,
            [
                entry(some("CN=Fabrikam Issuing CA"), 5),
                entry(some("CN=Contoso Issuing CA"), 4),
            ]
        );
        // Row 4's remote thumbprint is the local one in lowercase, so it counts once too.
        assert_eq!(
            hashes,
            [
                entry(some("0123456789ABCDEF0123456789ABCDEF01234567"), 5),
                entry(some("89ABCDEF0123456789ABCDEF0123456789ABCDEF"), 4),
            ]
        );
    }

    #[test]
    fn applied_keys_filter_to_the_counted_rows() {
        let table = sample_table();
        let all = table.all_indices();

        for dimension in Dimension::ALL {
            for top in table.top(&all, dimension, 10) {
                let mut filter = Filter::default();
                dimension.apply(&top.key, &mut filter);

                let rows = table.filter(&filter);

                assert_eq!(rows.len() as u64, top.count, "{dimension:?} {}", top.key);
            }
        }
    }

    #[test]
    fn top_limit_keeps_the_head() {
        let table = sample_table();
        let all = table.all_indices();

        for dimension in Dimension::ALL {
            let full = table.top(&all, dimension, 10);
            for limit in 0..=full.len() {
                let short = table.top(&all, dimension, limit);

                assert_eq!(short, full[..limit], "{dimension:?} limit {limit}");
            }
        }
    }

    #[test]
    fn limit_and_empty_view() {
        let table = sample_table();

        assert_eq!(
            table
                .top(&table.all_indices(), Dimension::PeerPair, 2)
                .len(),
            2
        );
        assert!(table.top(&[], Dimension::RemoteAddress, 10).is_empty());
    }

    #[test]
    fn mismatched_key_changes_nothing() {
        let mut filter = Filter::default();

        Dimension::PeerPair.apply(&some("10.0.0.2"), &mut filter);

        assert!(filter.is_empty());
    }
}
