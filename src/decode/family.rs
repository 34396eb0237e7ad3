//! The EventData fields of each IPsec event, by event ID and version, in manifest order.
//!
//! Field `i` of a list is the message's insertion string `%{i+1}`. Transcribed from the
//! Security-Auditing provider manifest; 5453, 5478-5482 and 5485 have no list because the
//! manifest declares no EventData for them, or none was found.

use serde::{Deserialize, Serialize};

/// The manifest type of an EventData field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    /// `win:UnicodeString`.
    Text,
    /// `win:UInt32`.
    UInt32,
    /// `win:UInt64`.
    UInt64,
}

/// One field of a manifest list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
}

const fn text(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::Text,
    }
}

const fn uint32(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::UInt32,
    }
}

const fn uint64(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        kind: FieldKind::UInt64,
    }
}

/// Returns the field list of an event, using the nearest lower version when `version` is
/// newer than any known one, since later versions append fields.
pub fn fields_for(event_id: u32, version: u8) -> Option<&'static [FieldSpec]> {
    let known = FIELD_LISTS.iter().filter(|(id, _, _)| *id == event_id);
    let best = known
        .clone()
        .filter(|(_, known_version, _)| *known_version <= version)
        .max_by_key(|(_, known_version, _)| *known_version)
        .or_else(|| known.min_by_key(|(_, known_version, _)| *known_version))?;
    Some(best.2)
}

#[rustfmt::skip]
const E4646_V0: &[FieldSpec] = &[
    text("notification"),
];
#[rustfmt::skip]
const E4650_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("RemoteMMPrincipalName"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("KeyModName"), text("MMAuthMethod"), text("MMCipherAlg"), text("MMIntegrityAlg"),
    text("DHGroup"), uint32("MMLifetime"), uint32("QMLimit"), text("Role"),
    text("MMImpersonationState"), uint64("MMFilterID"), uint64("MMSAID"),
];
#[rustfmt::skip]
const E4651_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("LocalMMCertHash"), text("LocalMMIssuingCA"),
    text("LocalMMRootCA"), text("RemoteMMPrincipalName"), text("RemoteMMCertHash"),
    text("RemoteMMIssuingCA"), text("RemoteMMRootCA"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("KeyModName"), text("MMAuthMethod"), text("MMCipherAlg"), text("MMIntegrityAlg"),
    text("DHGroup"), uint32("MMLifetime"), uint32("QMLimit"), text("Role"),
    text("MMImpersonationState"), uint64("MMFilterID"), uint64("MMSAID"),
];
#[rustfmt::skip]
const E4652_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("LocalMMCertHash"), text("LocalMMIssuingCA"),
    text("LocalMMRootCA"), text("RemoteMMPrincipalName"), text("RemoteMMCertHash"),
    text("RemoteMMIssuingCA"), text("RemoteMMRootCA"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("KeyModName"), text("FailurePoint"), text("FailureReason"), text("MMAuthMethod"),
    text("State"), text("Role"), text("MMImpersonationState"), uint64("MMFilterID"),
    text("InitiatorCookie"), text("ResponderCookie"),
];
#[rustfmt::skip]
const E4653_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("RemoteMMPrincipalName"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("KeyModName"), text("FailurePoint"), text("FailureReason"), text("MMAuthMethod"),
    text("State"), text("Role"), text("MMImpersonationState"), uint64("MMFilterID"),
    text("InitiatorCookie"), text("ResponderCookie"),
];
#[rustfmt::skip]
const E4654_V0: &[FieldSpec] = &[
    text("LocalAddress"), text("LocalAddressMask"), uint32("LocalPort"),
    text("LocalTunnelEndpoint"), text("RemoteAddress"), text("RemoteAddressMask"),
    uint32("RemotePort"), text("RemoteTunnelEndpoint"), uint32("Protocol"),
    text("RemotePrivateAddress"), text("KeyModName"), text("FailurePoint"), text("FailureReason"),
    text("Mode"), text("State"), text("Role"), uint32("MessageID"), uint64("QMFilterID"),
    uint64("MMSAID"),
];
#[rustfmt::skip]
const E4654_V1: &[FieldSpec] = &[
    text("LocalAddress"), text("LocalAddressMask"), uint32("LocalPort"),
    text("LocalTunnelEndpoint"), text("RemoteAddress"), text("RemoteAddressMask"),
    uint32("RemotePort"), text("RemoteTunnelEndpoint"), uint32("Protocol"),
    text("RemotePrivateAddress"), text("KeyModName"), text("FailurePoint"), text("FailureReason"),
    text("Mode"), text("State"), text("Role"), uint32("MessageID"), uint64("QMFilterID"),
    uint64("MMSAID"), uint64("TunnelId"), uint64("TrafficSelectorId"),
];
#[rustfmt::skip]
const E4655_V0: &[FieldSpec] = &[
    text("LocalAddress"), text("RemoteAddress"), text("KeyModName"), uint64("MMSAID"),
];
#[rustfmt::skip]
const E4960_V0: &[FieldSpec] = &[
    text("RemoteAddress"), uint32("SPI"),
];
#[rustfmt::skip]
const E4961_V0: &[FieldSpec] = &[
    text("RemoteAddress"), uint32("SPI"),
];
#[rustfmt::skip]
const E4962_V0: &[FieldSpec] = &[
    text("RemoteAddress"), uint32("SPI"),
];
#[rustfmt::skip]
const E4963_V0: &[FieldSpec] = &[
    text("RemoteAddress"), uint32("SPI"),
];
#[rustfmt::skip]
const E4965_V0: &[FieldSpec] = &[
    text("RemoteAddress"), uint32("SPI"),
];
#[rustfmt::skip]
const E4976_V0: &[FieldSpec] = &[
    text("LocalAddress"), text("RemoteAddress"), text("KeyModName"),
];
#[rustfmt::skip]
const E4977_V0: &[FieldSpec] = &[
    text("LocalAddress"), text("RemoteAddress"), text("KeyModName"),
];
#[rustfmt::skip]
const E4978_V0: &[FieldSpec] = &[
    text("LocalAddress"), text("RemoteAddress"), text("KeyModName"),
];
#[rustfmt::skip]
const E4979_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("RemoteMMPrincipalName"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("MMAuthMethod"), text("MMCipherAlg"), text("MMIntegrityAlg"), text("DHGroup"),
    uint32("MMLifetime"), uint32("QMLimit"), text("Role"), text("MMImpersonationState"),
    uint64("MMFilterID"), uint64("MMSAID"), text("LocalEMPrincipalName"),
    text("RemoteEMPrincipalName"), text("EMAuthMethod"), text("EMImpersonationState"),
    uint64("QMFilterID"),
];
#[rustfmt::skip]
const E4980_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("RemoteMMPrincipalName"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("MMAuthMethod"), text("MMCipherAlg"), text("MMIntegrityAlg"), text("DHGroup"),
    uint32("MMLifetime"), uint32("QMLimit"), text("Role"), text("MMImpersonationState"),
    uint64("MMFilterID"), uint64("MMSAID"), text("LocalEMPrincipalName"), text("LocalEMCertHash"),
    text("LocalEMIssuingCA"), text("LocalEMRootCA"), text("RemoteEMPrincipalName"),
    text("RemoteEMCertHash"), text("RemoteEMIssuingCA"), text("RemoteEMRootCA"),
    text("EMImpersonationState"), uint64("QMFilterID"),
];
#[rustfmt::skip]
const E4981_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("LocalMMCertHash"), text("LocalMMIssuingCA"),
    text("LocalMMRootCA"), text("RemoteMMPrincipalName"), text("RemoteMMCertHash"),
    text("RemoteMMIssuingCA"), text("RemoteMMRootCA"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("MMCipherAlg"), text("MMIntegrityAlg"), text("DHGroup"), uint32("MMLifetime"),
    uint32("QMLimit"), text("Role"), text("MMImpersonationState"), uint64("MMFilterID"),
    uint64("MMSAID"), text("LocalEMPrincipalName"), text("RemoteEMPrincipalName"),
    text("EMAuthMethod"), text("EMImpersonationState"), uint64("QMFilterID"),
];
#[rustfmt::skip]
const E4982_V0: &[FieldSpec] = &[
    text("LocalMMPrincipalName"), text("LocalMMCertHash"), text("LocalMMIssuingCA"),
    text("LocalMMRootCA"), text("RemoteMMPrincipalName"), text("RemoteMMCertHash"),
    text("RemoteMMIssuingCA"), text("RemoteMMRootCA"), uint32("LocalKeyModPort"),
    text("RemoteAddress"), uint32("RemoteKeyModPort"), text("MMCipherAlg"), text("MMIntegrityAlg"),
    text("DHGroup"), uint32("MMLifetime"), uint32("QMLimit"), text("Role"),
    text("MMImpersonationState"), uint64("MMFilterID"), uint64("MMSAID"),
    text("LocalEMPrincipalName"), text("LocalEMCertHash"), text("LocalEMIssuingCA"),
    text("LocalEMRootCA"), text("RemoteEMPrincipalName"), text("RemoteEMCertHash"),
    text("RemoteEMIssuingCA"), text("RemoteEMRootCA"), text("EMImpersonationState"),
    uint64("QMFilterID"),
];
#[rustfmt::skip]
const E4983_V0: &[FieldSpec] = &[
    text("LocalEMPrincipalName"), text("LocalEMCertHash"), text("LocalEMIssuingCA"),
    text("LocalEMRootCA"), text("RemoteEMPrincipalName"), text("RemoteEMCertHash"),
    text("RemoteEMIssuingCA"), text("RemoteEMRootCA"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("FailurePoint"), text("FailureReason"), text("State"), text("Role"),
    text("EMImpersonationState"), uint64("QMFilterID"),
];
#[rustfmt::skip]
const E4984_V0: &[FieldSpec] = &[
    text("LocalEMPrincipalName"), text("RemoteEMPrincipalName"), text("LocalAddress"),
    uint32("LocalKeyModPort"), text("RemoteAddress"), uint32("RemoteKeyModPort"),
    text("FailurePoint"), text("FailureReason"), text("EMAuthMethod"), text("State"), text("Role"),
    text("EMImpersonationState"), uint64("QMFilterID"),
];
#[rustfmt::skip]
const E5049_V0: &[FieldSpec] = &[
    text("ProfileChanged"), text("IpSecSecurityAssociationId"),
    text("IpSecSecurityAssociationName"),
];
#[rustfmt::skip]
const E5451_V0: &[FieldSpec] = &[
    text("LocalAddress"), text("LocalAddressMask"), uint32("LocalPort"),
    text("LocalTunnelEndpoint"), text("RemoteAddress"), text("RemoteAddressMask"),
    uint32("RemotePort"), text("PeerPrivateAddress"), text("RemoteTunnelEndpoint"),
    uint32("IpProtocol"), text("KeyingModuleName"), text("AhAuthType"), text("EspAuthType"),
    text("CipherType"), uint32("LifetimeSeconds"), uint32("LifetimeKilobytes"),
    uint32("LifetimePackets"), text("Mode"), text("Role"), uint64("TransportFilterId"),
    uint64("MainModeSaId"), uint64("QuickModeSaId"), uint64("InboundSpi"), uint64("OutboundSpi"),
];
#[rustfmt::skip]
const E5451_V1: &[FieldSpec] = &[
    text("LocalAddress"), text("LocalAddressMask"), uint32("LocalPort"),
    text("LocalTunnelEndpoint"), text("RemoteAddress"), text("RemoteAddressMask"),
    uint32("RemotePort"), text("PeerPrivateAddress"), text("RemoteTunnelEndpoint"),
    uint32("IpProtocol"), text("KeyingModuleName"), text("AhAuthType"), text("EspAuthType"),
    text("CipherType"), uint32("LifetimeSeconds"), uint32("LifetimeKilobytes"),
    uint32("LifetimePackets"), text("Mode"), text("Role"), uint64("TransportFilterId"),
    uint64("MainModeSaId"), uint64("QuickModeSaId"), uint64("InboundSpi"), uint64("OutboundSpi"),
    uint64("TunnelId"), uint64("TrafficSelectorId"),
];
#[rustfmt::skip]
const E5452_V0: &[FieldSpec] = &[
    text("LocalAddress"), uint32("LocalPort"), text("LocalTunnelEndpoint"), text("RemoteAddress"),
    uint32("RemotePort"), text("RemoteTunnelEndpoint"), uint32("IpProtocol"),
    uint64("QuickModeSaId"),
];
#[rustfmt::skip]
const E5452_V1: &[FieldSpec] = &[
    text("LocalAddress"), text("LocalAddressMask"), uint32("LocalPort"),
    text("LocalTunnelEndpoint"), text("RemoteAddress"), text("RemoteAddressMask"),
    uint32("RemotePort"), text("RemoteTunnelEndpoint"), uint32("IpProtocol"),
    uint64("QuickModeSaId"), uint64("TunnelId"), uint64("TrafficSelectorId"),
];
#[rustfmt::skip]
const E5483_V0: &[FieldSpec] = &[
    text("Error"),
];
#[rustfmt::skip]
const E5484_V0: &[FieldSpec] = &[
    text("Error"),
];

/// Event ID, version, and fields.
const FIELD_LISTS: &[(u32, u8, &[FieldSpec])] = &[
    (4646, 0, E4646_V0),
    (4650, 0, E4650_V0),
    (4651, 0, E4651_V0),
    (4652, 0, E4652_V0),
    (4653, 0, E4653_V0),
    (4654, 0, E4654_V0),
    (4654, 1, E4654_V1),
    (4655, 0, E4655_V0),
    (4960, 0, E4960_V0),
    (4961, 0, E4961_V0),
    (4962, 0, E4962_V0),
    (4963, 0, E4963_V0),
    (4965, 0, E4965_V0),
    (4976, 0, E4976_V0),
    (4977, 0, E4977_V0),
    (4978, 0, E4978_V0),
    (4979, 0, E4979_V0),
    (4980, 0, E4980_V0),
    (4981, 0, E4981_V0),
    (4982, 0, E4982_V0),
    (4983, 0, E4983_V0),
    (4984, 0, E4984_V0),
    (5049, 0, E5049_V0),
    (5451, 0, E5451_V0),
    (5451, 1, E5451_V1),
    (5452, 0, E5452_V0),
    (5452, 1, E5452_V1),
    (5483, 0, E5483_V0),
    (5484, 0, E5484_V0),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_4983_matches_event_struct() {
        let names: Vec<&str> = fields_for(4983, 0)
            .unwrap()
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, super::super::event_4983::FIELDS_4983);
        assert_eq!(fields_for(4983, 0).unwrap()[9].kind, FieldKind::UInt32);
        assert_eq!(fields_for(4983, 0).unwrap()[17].kind, FieldKind::UInt64);
    }

    #[test]
    fn versions_pick_the_right_list() {
        assert_eq!(fields_for(4654, 0).unwrap().len(), 19);
        assert_eq!(fields_for(4654, 1).unwrap().len(), 21);
        assert_eq!(fields_for(4654, 5).unwrap().len(), 21);
        assert_eq!(fields_for(5452, 0).unwrap().len(), 8);
        assert_eq!(fields_for(5452, 1).unwrap().len(), 12);
    }

    #[test]
    fn list_sizes_match_the_manifest() {
        let sizes = [
            (4646, 1),
            (4650, 17),
            (4651, 23),
            (4652, 22),
            (4653, 16),
            (4655, 4),
            (4960, 2),
            (4976, 3),
            (4979, 21),
            (4980, 26),
            (4981, 26),
            (4982, 30),
            (4984, 13),
            (5049, 3),
            (5451, 24),
            (5483, 1),
            (5484, 1),
        ];
        for (event_id, size) in sizes {
            assert_eq!(
                fields_for(event_id, 0).map(<[_]>::len),
                Some(size),
                "{event_id}"
            );
        }
        assert_eq!(fields_for(5451, 1).unwrap().len(), 26);
    }

    #[test]
    fn events_without_a_list_give_none() {
        for event_id in [5453, 5478, 5479, 5480, 5481, 5482, 5485, 4624] {
            assert_eq!(fields_for(event_id, 0), None, "{event_id}");
        }
    }
}
