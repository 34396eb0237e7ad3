//! Which records the scan keeps: Security event 4983 and its IPsec neighbours.

/// The provider that writes every event the report reads.
pub const SECURITY_AUDITING: &str = "Microsoft-Windows-Security-Auditing";

/// The focus of the report: "An IPsec extended mode negotiation failed".
pub const EVENT_4983: u32 = 4983;

/// The IPsec events kept beside 4983 so reports can correlate them with it.
pub const IPSEC_FAMILY: &[u32] = &[
    4646, 4650, 4651, 4652, 4653, 4654, 4655, 4960, 4961, 4962, 4963, 4965, 4976, 4977, 4978, 4979,
    4980, 4981, 4982, 4983, 4984, 5049, 5451, 5452, 5453, 5478, 5479, 5480, 5481, 5482, 5483, 5484,
    5485,
];

/// Whether a record with this provider and EventID is kept.
pub fn is_of_interest(provider: &str, event_id: u32) -> bool {
    provider == SECURITY_AUDITING && IPSEC_FAMILY.contains(&event_id)
}
