//! Failure causes: FailureReason texts grouped by what an administrator fixes.
//!
//! Windows writes FailureReason as the message text of a Win32 or IKE error code, in the
//! language of the logging system. The rules below are case-insensitive substring tests
//! over that text, tried in order; the first rule with a matching keyword decides. The raw
//! text is never replaced: [`CauseGroup::reasons`] lists every text behind a cause.
//!
//! 1. [`Cause::NoPolicy`]: `no policy`, `policy match`, `no matching`,
//!    `disables negotiation`.
//! 2. [`Cause::Authentication`]: `authenticat`, `certificate`, `credential`, `kerberos`,
//!    `logon`, `password`, `signature`, `revocation`, `private key`, `public key`, `trust`,
//!    `not authorized`, `target is unknown`.
//! 3. [`Cause::Timeout`]: `timed out`, `timeout`, `too long`.
//! 4. [`Cause::PeerUnreachable`]: `unreachable`, `cannot be reached`, `no response`,
//!    `refused`, `not reachable`.
//! 5. [`Cause::Other`]: anything else, and a missing or empty reason.
//!
//! Authentication comes before the network rules because Kerberos words its
//! unknown-SPN error "The specified target is unknown or unreachable", which is a
//! credential problem, not a dead peer.

use super::aggregate::ValueCount;
use super::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A named group of failure reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cause {
    /// No IPsec policy matched the traffic, or the peers' policies disagree.
    NoPolicy,
    /// Credentials, certificates, Kerberos or authorization were rejected.
    Authentication,
    /// The negotiation started but did not finish in time.
    Timeout,
    /// The peer never responded or the network refused the connection.
    PeerUnreachable,
    /// Any other reason, including a missing one.
    Other,
}

/// One keyword rule: a cause and the lowercase substrings that select it.
struct Rule {
    cause: Cause,
    keywords: &'static [&'static str],
}

/// The rules in the order they are tried. The module documentation explains the order.
const RULES: [Rule; 4] = [
    Rule {
        cause: Cause::NoPolicy,
        keywords: &[
            "no policy",
            "policy match",
            "no matching",
            "disables negotiation",
        ],
    },
    Rule {
        cause: Cause::Authentication,
        keywords: &[
            "authenticat",
            "certificate",
            "credential",
            "kerberos",
            "logon",
            "password",
            "signature",
            "revocation",
            "private key",
            "public key",
            "trust",
            "not authorized",
            "target is unknown",
        ],
    },
    Rule {
        cause: Cause::Timeout,
        keywords: &["timed out", "timeout", "too long"],
    },
    Rule {
        cause: Cause::PeerUnreachable,
        keywords: &[
            "unreachable",
            "cannot be reached",
            "no response",
            "refused",
            "not reachable",
        ],
    },
];

impl Cause {
    /// Every cause in display order, which is also the stacking order of charts.
    pub const ALL: [Cause; 5] = [
        Cause::NoPolicy,
        Cause::Authentication,
        Cause::Timeout,
        Cause::PeerUnreachable,
        Cause::Other,
    ];

    // NOTE: the keywords are English, so reasons logged by a Windows installed in another
    // language mostly fall into `Other` until rules for that language are added.
    /// Classifies a FailureReason text by the keyword rules of this module.
    pub fn of_reason(reason: Option<&str>) -> Cause {
        let Some(reason) = reason else {
            return Cause::Other;
        };
        let lowered;
        let (text, ascii) = if reason.is_ascii() {
            (reason, true)
        } else {
            lowered = reason.to_lowercase();
            (lowered.as_str(), false)
        };
        // ASCII text is compared in place, so filtering a large view by cause allocates
        // nothing per row.
        let contains = |keyword: &str| {
            if ascii {
                text.as_bytes()
                    .windows(keyword.len())
                    .any(|window| window.eq_ignore_ascii_case(keyword.as_bytes()))
            } else {
                text.contains(keyword)
            }
        };
        RULES
            .iter()
            .find(|rule| rule.keywords.iter().any(|keyword| contains(keyword)))
            .map_or(Cause::Other, |rule| rule.cause)
    }

    /// Returns the cause's name as the page and the report show it.
    pub fn label(self) -> &'static str {
        match self {
            Cause::NoPolicy => "No policy",
            Cause::Authentication => "Authentication or certificate",
            Cause::Timeout => "Timeout",
            Cause::PeerUnreachable => "Peer unreachable",
            Cause::Other => "Other",
        }
    }

    /// Returns the CSS class that colours this cause in charts and chips.
    pub fn css_class(self) -> &'static str {
        match self {
            Cause::NoPolicy => "cause-no-policy",
            Cause::Authentication => "cause-auth",
            Cause::Timeout => "cause-timeout",
            Cause::PeerUnreachable => "cause-unreachable",
            Cause::Other => "cause-other",
        }
    }

    /// Returns the position of this cause in [`Cause::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The rows of one cause in a view, with the raw reasons behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseGroup {
    pub cause: Cause,
    pub count: u64,
    /// The FailureReason texts of this cause, most common first and equal counts by text.
    pub reasons: Vec<ValueCount>,
}

impl Table {
    /// Groups the rows `indices` by cause, in [`Cause::ALL`] order, leaving out causes with
    /// no rows.
    pub fn causes(&self, indices: &[u32]) -> Vec<CauseGroup> {
        let mut by_reason: HashMap<Option<&str>, u64> = HashMap::new();
        for index in indices {
            let reason = self.rows[*index as usize].event.failure_reason();
            *by_reason.entry(reason).or_default() += 1;
        }
        let mut groups: Vec<CauseGroup> = Cause::ALL
            .iter()
            .map(|cause| CauseGroup {
                cause: *cause,
                count: 0,
                reasons: Vec::new(),
            })
            .collect();
        for (reason, count) in by_reason {
            let group = &mut groups[Cause::of_reason(reason).index()];
            group.count += count;
            group.reasons.push(ValueCount {
                value: reason.map(str::to_owned),
                count,
            });
        }
        for group in &mut groups {
            group
                .reasons
                .sort_unstable_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        }
        groups.retain(|group| group.count > 0);
        groups
    }

    /// Returns the cause of row `index`.
    pub fn cause_of(&self, index: u32) -> Cause {
        self.causes[index as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{failure_at, table_of};
    use crate::scan::FieldValue;

    /// Reason texts as Windows writes them (IKE and Win32 error messages), with their cause.
    const WINDOWS_REASONS: [(&str, Cause); 26] = [
        ("No policy configured", Cause::NoPolicy),
        ("Policy match error", Cause::NoPolicy),
        (
            "IKE received a policy that disables negotiation.",
            Cause::NoPolicy,
        ),
        (
            "IKE authentication credentials are unacceptable",
            Cause::Authentication,
        ),
        (
            "The user name or password is incorrect.",
            Cause::Authentication,
        ),
        (
            "There are currently no logon servers available to service the logon request.",
            Cause::Authentication,
        ),
        (
            "Peer failed to send valid machine certificate",
            Cause::Authentication,
        ),
        ("Certificate Revocation Check failed", Cause::Authentication),
        (
            "IKE failed to find valid machine certificate. Contact your Network Security \
             Administrator about installing a valid certificate in the appropriate \
             Certificate Store.",
            Cause::Authentication,
        ),
        ("Failed to verify signature", Cause::Authentication),
        (
            "Failed to authenticate using Kerberos",
            Cause::Authentication,
        ),
        (
            "A certificate chain processed, but terminated in a root certificate which is \
             not trusted by the trust provider.",
            Cause::Authentication,
        ),
        (
            "The revocation function was unable to check revocation because the revocation \
             server was offline.",
            Cause::Authentication,
        ),
        (
            "The specified target is unknown or unreachable",
            Cause::Authentication,
        ),
        ("SA establishment is not authorized.", Cause::Authentication),
        ("Negotiation timed out", Cause::Timeout),
        ("Negotiation took too long", Cause::Timeout),
        ("Negotiation request sat in Queue too long", Cause::Timeout),
        (
            "This operation returned because the timeout period expired.",
            Cause::Timeout,
        ),
        ("No response from peer", Cause::PeerUnreachable),
        (
            "The network location cannot be reached. For information about network \
             troubleshooting, see Windows Help.",
            Cause::PeerUnreachable,
        ),
        (
            "The remote computer refused the network connection.",
            Cause::PeerUnreachable,
        ),
        ("Failure in Diffie-Hellman computation", Cause::Other),
        (
            "IKE SA deleted by peer before establishment completed",
            Cause::Other,
        ),
        ("Unknown error occurred", Cause::Other),
        ("", Cause::Other),
    ];

    #[test]
    fn windows_reasons_classify() {
        for (reason, expected) in WINDOWS_REASONS {
            assert_eq!(Cause::of_reason(Some(reason)), expected, "{reason:?}");
        }
    }

    #[test]
    fn case_is_ignored() {
        assert_eq!(
            Cause::of_reason(Some("NO POLICY CONFIGURED")),
            Cause::NoPolicy
        );
        assert_eq!(
            Cause::of_reason(Some("negotiation TIMED OUT")),
            Cause::Timeout
        );
        assert_eq!(
            Cause::of_reason(Some("Zertifikat: KERBEROS-Fehler")),
            Cause::Authentication
        );
        assert_eq!(
            Cause::of_reason(Some("Zeitüberschreitung: NO RESPONSE")),
            Cause::PeerUnreachable
        );
    }

    #[test]
    fn missing_reason_is_other() {
        assert_eq!(Cause::of_reason(None), Cause::Other);
    }

    #[test]
    fn labels_and_classes_are_distinct() {
        let labels: std::collections::BTreeSet<&str> =
            Cause::ALL.iter().map(|cause| cause.label()).collect();
        let classes: std::collections::BTreeSet<&str> =
            Cause::ALL.iter().map(|cause| cause.css_class()).collect();

        assert_eq!(labels.len(), 5);
        assert_eq!(classes.len(), 5);
        for (position, cause) in Cause::ALL.iter().enumerate() {
            assert_eq!(cause.index(), position);
        }
    }

    #[test]
    fn causes_group_raw_reasons() {
        let with_reason = |record_id: u64, reason: FieldValue| {
            let mut raw = failure_at(record_id, 0);
            raw.data[13].value = reason;
            raw
        };
        let text = |value: &str| FieldValue::Text(value.into());
        let table = table_of(vec![
            with_reason(1, text("Negotiation timed out")),
            with_reason(2, text("No policy configured")),
            with_reason(3, text("Negotiation took too long")),
            with_reason(4, text("Negotiation timed out")),
            with_reason(5, FieldValue::Null),
        ]);

        let groups = table.causes(&table.all_indices());

        let shown: Vec<(Cause, u64)> = groups.iter().map(|g| (g.cause, g.count)).collect();
        assert_eq!(
            shown,
            [(Cause::NoPolicy, 1), (Cause::Timeout, 3), (Cause::Other, 1)]
        );
        assert_eq!(
            groups[1].reasons,
            [
                ValueCount {
                    value: Some("Negotiation timed out".into()),
                    count: 2
                },
                ValueCount {
                    value: Some("Negotiation took too long".into()),
                    count: 1
                },
            ]
        );
        assert_eq!(groups[2].reasons[0].value, None);
        assert_eq!(table.cause_of(3), Cause::Timeout);
        assert!(table.causes(&[]).is_empty());
    }
}
