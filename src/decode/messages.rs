//! Event Viewer's message templates for the IPsec events, as the provider's message file
//! (adtschema.dll, Windows 10.0.22000) stores them.
//!
//! `%N` is insertion string N, `%n` a line break and `%t` a tab. 5481 and 5482 have no
//! template here because none was found. Some templates keep Windows' own quirks, such as
//! 4982's "Network Address" line with no insertion string.

/// Returns the message template of an IPsec event.
pub fn message_template(event_id: u32) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(id, _)| *id == event_id)
        .map(|(_, template)| *template)
}

const TEMPLATES: &[(u32, &str)] = &[
    (4646, "%1%n"),
    (
        4650,
        concat!(
            "An IPsec main mode security association was established. Extended mode was not",
            " enabled.  Certificate authentication was not used.%n%nLocal Endpoint:%n",
            "%tPrincipal Name:%t%1%n%tNetwork Address:%t%3%n%tKeying Module Port:%t%4%n%n",
            "Remote Endpoint:%n%tPrincipal Name:%t%2%n%tNetwork Address:%t%5%n",
            "%tKeying Module Port:%t%6%n%nSecurity Association Information:%n",
            "%tLifetime (minutes):%t%12%n%tQuick Mode Limit:%t%13%n%tMain Mode SA ID:%t%17%n",
            "%nCryptographic Information:%n%tCipher Algorithm:%t%9%n",
            "%tIntegrity Algorithm:%t%10%n%tDiffie-Hellman Group:%t%11%n%n",
            "Additional Information:%n%tKeying Module Name:%t%7%n%tAuthentication Method:%t%8",
            "%n%tRole:%t%14%n%tImpersonation State:%t%15%n%tMain Mode Filter ID:%t%16",
        ),
    ),
    (
        4651,
        concat!(
            "An IPsec main mode security association was established. Extended mode was not",
            " enabled.  A certificate was used for authentication.%n%nLocal Endpoint:%n",
            "%tPrincipal Name:%t%1%n%tNetwork Address:%t%9%n%tKeying Module Port:%t%10%n%n",
            "Local Certificate:%n%tSHA Thumbprint:%t%2%n%tIssuing CA:%t%t%3%n%tRoot CA:%t%t%4",
            "%n%nRemote Endpoint:%n%tPrincipal Name:%t%5%n%tNetwork Address:%t%11%n",
            "%tKeying Module Port:%t%12%n%nRemote Certificate:%n%tSHA thumbprint: %t%6%n",
            "%tIssuing CA:%t%t%7%n%tRoot CA:%t%t%8%n%nCryptographic Information:%n",
            "%tCipher Algorithm:%t%15%n%tIntegrity Algorithm:%t%16%n",
            "%tDiffie-Hellman Group:%t%17%n%nSecurity Association Information:%n",
            "%tLifetime (minutes):%t%18%n%tQuick Mode Limit:%t%19%n%tMain Mode SA ID:%t%23%n",
            "%nAdditional Information:%n%tKeying Module Name:%t%13%n",
            "%tAuthentication Method:%t%14%n%tRole:%t%20%n%tImpersonation State:%t%21%n",
            "%tMain Mode Filter ID:%t%22",
        ),
    ),
    (
        4652,
        concat!(
            "An IPsec main mode negotiation failed.%n%n%nLocal Endpoint:%n",
            "%tPrincipal Name:%t%t%1%n%tNetwork Address:%t%9%n%tKeying Module Port:%t%10%n%n",
            "Local Certificate:%n%tSHA Thumbprint:%t%2%n%tIssuing CA:%t%t%3%n%tRoot CA:%t%t%4",
            "%n%nRemote Endpoint:%n%tPrincipal Name:%t%t%5%n%tNetwork Address:%t%11%n",
            "%tKeying Module Port:%t%12%n%nRemote Certificate:%n%tSHA thumbprint:%t%t%6%n",
            "%tIssuing CA:%t%t%7%n%tRoot CA:%t%t%8%n%nAdditional Information:%n",
            "%tKeying Module Name:%t%13%n%tAuthentication Method:%t%16%n%tRole:%t%t%t%18%n",
            "%tImpersonation State:%t%19%n%tMain Mode Filter ID:%t%20%n%nFailure Information:",
            "%n%tFailure Point:%t%t%14%n%tFailure Reason:%t%t%15%n%tState:%t%t%t%17%n",
            "%tInitiator Cookie:%t%t%21%n%tResponder Cookie:%t%22",
        ),
    ),
    (
        4653,
        concat!(
            "An IPsec main mode negotiation failed.%n%nLocal Endpoint:%n",
            "%tLocal Principal Name:%t%1%n%tNetwork Address:%t%3%n%tKeying Module Port:%t%4%n",
            "%nRemote Endpoint:%n%tPrincipal Name:%t%t%2%n%tNetwork Address:%t%5%n",
            "%tKeying Module Port:%t%6%n%nAdditional Information:%n%tKeying Module Name:%t%7",
            "%n%tAuthentication Method:%t%10%n%tRole:%t%t%t%12%n%tImpersonation State:%t%13%n",
            "%tMain Mode Filter ID:%t%14%n%nFailure Information:%n%tFailure Point:%t%t%8%n",
            "%tFailure Reason:%t%t%9%n%tState:%t%t%t%11%n%tInitiator Cookie:%t%t%15%n",
            "%tResponder Cookie:%t%16",
        ),
    ),
    (
        4654,
        concat!(
            "An IPsec quick mode negotiation failed.%n%nLocal Endpoint:%n",
            "%tNetwork Address:%t%1%n%tNetwork Address mask:%t%2%n%tPort:%t%t%t%3%n",
            "%tTunnel Endpoint:%t%t%4%n%nRemote Endpoint:%n%tNetwork Address:%t%5%n",
            "%tAddress Mask:%t%t%6%n%tPort:%t%t%t%7%n%tTunnel Endpoint:%t%t%8%n",
            "%tPrivate Address:%t%t%10%n%nAdditional Information:%n%tProtocol:%t%t%9%n",
            "%tKeying Module Name:%t%11%n%tVirtual Interface Tunnel ID:%t%20%n",
            "%tTraffic Selector ID:%t%21%n%tMode:%t%t%t%14%n%tRole:%t%t%t%16%n",
            "%tQuick Mode Filter ID:%t%18%n%tMain Mode SA ID:%t%19%n%nFailure Information:%n",
            "%tState:%t%t%t%15%n%tMessage ID:%t%t%17%n%tFailure Point:%t%t%12%n",
            "%tFailure Reason:%t%t%13",
        ),
    ),
    (
        4655,
        concat!(
            "An IPsec main mode security association ended.%n%nLocal Network Address:%t%t%1%n",
            "Remote Network Address:%t%2%nKeying Module Name:%t%t%3%nMain Mode SA ID:%t%t%4",
        ),
    ),
    (
        4960,
        concat!(
            "IPsec dropped an inbound packet that failed an integrity check. If this problem",
            " persists, it could indicate a network issue or that packets are being modified",
            " in transit to this computer. Verify that the packets sent from the remote",
            " computer are the same as those received by this computer. This error might",
            " also indicate interoperability problems with other IPsec implementations.%n%n",
            "Remote Network Address:%t%1%nInbound SA SPI:%t%t%2",
        ),
    ),
    (
        4961,
        concat!(
            "IPsec dropped an inbound packet that failed a replay check. If this problem",
            " persists, it could indicate a replay attack against this computer.%n%n",
            "Remote Network Address:%t%1%nInbound SA SPI:%t%t%2",
        ),
    ),
    (
        4962,
        concat!(
            "IPsec dropped an inbound packet that failed a replay check. The inbound packet",
            " had too low a sequence number to ensure it was not a replay.%n%n",
            "Remote Network Address:%t%1%nInbound SA SPI:%t%t%2",
        ),
    ),
    (
        4963,
        concat!(
            "IPsec dropped an inbound clear text packet that should have been secured. If",
            " the remote computer is configured with a Request Outbound IPsec policy, this",
            " might be benign and expected.  This can also be caused by the remote computer",
            " changing its IPsec policy without informing this computer. This could also be",
            " a spoofing attack attempt.%n%nRemote Network Address:%t%1%n",
            "Inbound SA SPI:%t%t%2",
        ),
    ),
    (
        4965,
        concat!(
            "IPsec received a packet from a remote computer with an incorrect Security",
            " Parameter Index (SPI). This is usually caused by malfunctioning hardware that",
            " is corrupting packets. If these errors persist, verify that the packets sent",
            " from the remote computer are the same as those received by this computer. This",
            " error might also indicate interoperability problems with other IPsec",
            " implementations. In that case, if connectivity is not impeded, then these",
            " events can be ignored.%n%nRemote Network Address:%t%1%nInbound SA SPI:%t%t%2",
        ),
    ),
    (
        4976,
        concat!(
            "During main mode negotiation, IPsec received an invalid negotiation packet. If",
            " this problem persists, it could indicate a network issue or an attempt to",
            " modify or replay this negotiation.%n%nLocal Network Address:%t%1%n",
            "Remote Network Address:%t%2%nKeying Module Name:%t%3",
        ),
    ),
    (
        4977,
        concat!(
            "During quick mode negotiation, IPsec received an invalid negotiation packet. If",
            " this problem persists, it could indicate a network issue or an attempt to",
            " modify or replay this negotiation.%n%nLocal Network Address:%t%1%n",
            "Remote Network Address:%t%2%nKeying Module Name:%t%3",
        ),
    ),
    (
        4978,
        concat!(
            "During extended mode negotiation, IPsec received an invalid negotiation packet.",
            " If this problem persists, it could indicate a network issue or an attempt to",
            " modify or replay this negotiation.%n%nLocal Network Address:%t%1%n",
            "Remote Network Address:%t%2%nKeying Module Name:%t%3",
        ),
    ),
    (
        4979,
        concat!(
            "IPsec main mode and extended mode security associations were established.%n%n",
            "Main Mode Local Endpoint:%n%tPrincipal Name:%t%t%1%n%tNetwork Address:%t%3%n",
            "%tKeying Module Port:%t%4%n%nMain Mode Remote Endpoint:%n%tPrincipal Name:%t%2%n",
            "%tNetwork Address:%t%5%n%tKeying Module Port:%t%6%n%n",
            "Main Mode Cryptographic Information:%n%tCipher Algorithm:%t%8%n",
            "%tIntegrity Algorithm:%t%9%n%tDiffie-Hellman Group:%t%10%n%n",
            "Main Mode Security Association:%n%tLifetime (minutes):%t%11%n",
            "%tQuick Mode Limit:%t%12%n%tMain Mode SA ID:%t%16%n%t%n",
            "Main Mode Additional Information:%n%tKeying Module Name:%tAuthIP%n",
            "%tAuthentication Method:%t%7%n%tRole:%t%t%t%13%n%tImpersonation State:%t%14%n",
            "%tMain Mode Filter ID:%t%15%n%nExtended Mode Information:%n",
            "%tLocal Principal Name:%t%17%n%tRemote Principal Name:%t%18%n",
            "%tAuthentication Method:%t%19%n%tImpersonation State:%t%20%n",
            "%tQuick Mode Filter ID:%t%21",
        ),
    ),
    (
        4980,
        concat!(
            "IPsec main mode and extended mode security associations were established.%n%n",
            "Main Mode Local Endpoint:%n%tPrincipal Name:%t%t%1%n%tNetwork Address:%t%3%n",
            "%tKeying Module Port:%t%4%n%nMain Mode Remote Endpoint:%n%tPrincipal Name:%t%2%n",
            "%tNetwork Address:%t%5%n%tKeying Module Port:%t%6%n%n",
            "Main Mode Cryptographic Information:%n%tCipher Algorithm:%t%8%n",
            "%tIntegrity Algorithm:%t%9%n%tDiffie-Hellman Group:%t%10%n%n",
            "Main Mode Security Association:%n%tLifetime (minutes):%t%11%n",
            "%tQuick Mode Limit:%t%12%n%tMain Mode SA ID:%t%16%n%t%n",
            "Main Mode Additional Information:%n%tKeying Module Name:%tAuthIP%n",
            "%tAuthentication Method:%t%7%n%tRole:%t%t%t%13%n%tImpersonation State:%t%14%n",
            "%tMain Mode Filter ID:%t%15%n%nExtended Mode Local Endpoint:%n",
            "%tPrincipal Name:%t%17%n%tCertificate SHA Thumbprint:%t%18%n",
            "%tCertificate Issuing CA:%t%19%n%tCertificate Root CA:%t%20%n%n",
            "Extended Mode Remote Endpoint:%n%tPrincipal Name:%t%21%n",
            "%tCertificate SHA Thumbprint:%t%22%n%tCertificate Issuing CA:%t%23%n",
            "%tCertificate Root CA:%t%24%n%nExtended Mode Additional Information:%n",
            "%tAuthentication Method:%tSSL%n%tImpersonation State:%t%25%n",
            "%tQuick Mode Filter ID:%t%26",
        ),
    ),
    (
        4981,
        concat!(
            "IPsec main mode and extended mode security associations were established.%n%n",
            "Local Endpoint:%n%tPrincipal Name:%t%t%1%n%tNetwork Address:%t%9%n",
            "%tKeying Module Port:%t%10%n%nLocal Certificate:%n%tSHA Thumbprint:%t%2%n",
            "%tIssuing CA:%t%t%3%n%tRoot CA:%t%t%4%n%nRemote Endpoint:%n",
            "%tPrincipal Name:%t%t%5%n%tNetwork Address:%t%11%n%tKeying Module Port:%t%12%n%n",
            "Remote Certificate:%n%tSHA Thumbprint:%t%6%n%tIssuing CA:%t%t%7%n",
            "%tRoot CA:%t%t%8%n%nCryptographic Information:%n%tCipher Algorithm:%t%13%n",
            "%tIntegrity Algorithm:%t%14%n%tDiffie-Hellman Group:%t%15%n%n",
            "Security Association Information:%n%tLifetime (minutes):%t%16%n",
            "%tQuick Mode Limit:%t%17%n%tMain Mode SA ID:%t%21%n%nAdditional Information:%n",
            "%tKeying Module Name:%tAuthIP%n%tAuthentication Method:%tSSL%n%tRole:%t%t%t%18%n",
            "%tImpersonation State:%t%19%n%tMain Mode Filter ID:%t%20%n%t%n",
            "Extended Mode Information:%n%tLocal Principal Name:%t%22%n",
            "%tRemote Principal Name:%t%23%n%tAuthentication Method:%t%24%n",
            "%tImpersonation State:%t%25%n%tQuick Mode Filter ID:%t%26",
        ),
    ),
    (
        4982,
        concat!(
            "IPsec main mode and extended mode security associations were established.%n%n",
            "Local Endpoint:%n%tPrincipal Name:%t%t%1%n%tNetwork Address:%t%n",
            "%tKeying Module Port:%t%9%n%nLocal Certificate:%n%tSHA Thumbprint:%t%2%n",
            "%tIssuing CA:%t%t%3%n%tRoot CA:%t%t%4%n%nRemote Endpoint:%n",
            "%tPrincipal Name:%t%t%5%n%tNetwork Address:%t%10%n%tKeying Module Port:%t%11%n%n",
            "Remote Certificate:%n%tSHA Thumbprint:%t%6%n%tIssuing CA:%t%t%7%n",
            "%tRoot CA:%t%t%8%n%nCryptographic Information:%n%tCipher Algorithm:%t%12%n",
            "%tIntegrity Algorithm:%t%13%n%tDiffie-Hellman Group:%t%14%n%n",
            "Security Association Information:%n%tLifetime (minutes):%t%15%n",
            "%tQuick Mode Limit:%t%16%n%tMain Mode SA ID:%t%20%n%nAdditional Information:%n",
            "%tKeying Module Name:%tAuthIP%n%tAuthentication Method:%tSSL%n%tRole:%t%t%t%17%n",
            "%tImpersonation State:%t%18%n%tMain Mode Filter ID:%t%19%n%t%n",
            "Extended Mode Local Endpoint:%n%tPrincipal Name:%t%t%21%n",
            "%tCertificate SHA Thumbprint:%t%22%n%tCertificate Issuing CA:%t%23%n",
            "%tCertificate Root CA:%t%24%n%nExtended Mode Remote Endpoint:%n",
            "%tPrincipal Name:%t%t%25%n%tCertificate SHA Thumbprint:%t%26%n",
            "%tCertificate Issuing CA:%t%27%n%tCertificate Root CA:%t%28%n",
            "Extended Mode Additional Information:%n%tAuthentication Method:%tSSL%n",
            "%tImpersonation State:%t%29%n%tQuick Mode Filter ID:%t%30",
        ),
    ),
    (
        4983,
        concat!(
            "An IPsec extended mode negotiation failed. The corresponding main mode security",
            " association has been deleted.%n%n%nLocal Endpoint:%n%tPrincipal Name:%t%t%1%n",
            "%tNetwork Address:%t%9%n%tKeying Module Port:%t%10%n%nLocal Certificate:%n",
            "%tSHA Thumbprint:%t%2%n%tIssuing CA:%t%t%3%n%tRoot CA:%t%t%4%n%nRemote Endpoint:",
            "%n%tPrincipal Name:%t%t%5%n%tNetwork Address:%t%11%n%tKeying Module Port:%t%12%n",
            "%nRemote Certificate:%n%tSHA Thumbprint:%t%6%n%tIssuing CA:%t%t%7%n",
            "%tRoot CA:%t%t%8%n%nAdditional Information:%n%tKeying Module Name:%tAuthIP%n",
            "%tAuthentication Method:%tSSL%n%tRole:%t%t%t%16%n%tImpersonation State:%t%17%n",
            "%tQuick Mode Filter ID:%t%18%n%nFailure Information:%n%tFailure Point:%t%t%13%n",
            "%tFailure Reason:%t%t%14%n%tState:%t%t%t%15",
        ),
    ),
    (
        4984,
        concat!(
            "An IPsec extended mode negotiation failed. The corresponding main mode security",
            " association has been deleted.%n%nLocal Endpoint:%n%tPrincipal Name:%t%t%1%n",
            "%tNetwork Address:%t%3%n%tKeying Module Port:%t%4%n%nRemote Endpoint:%n",
            "%tPrincipal Name:%t%t%2%n%tNetwork Address:%t%5%n%tKeying Module Port:%t%6%n%n",
            "Additional Information:%n%tKeying Module Name:%tAuthIP%n",
            "%tAuthentication Method:%t%9%n%tRole:%t%t%t%11%n%tImpersonation State:%t%12%n",
            "%tQuick Mode Filter ID:%t%13%n%nFailure Information:%n%tFailure Point:%t%t%7%n",
            "%tFailure Reason:%t%t%8%n%tState:%t%t%t%10",
        ),
    ),
    (
        5049,
        concat!(
            "An IPsec security association was deleted.%n%t%nProfile Changed:%t%1%n%n",
            "Deleted SA:%n%tID:%t%t%t%2%n%tName:%t%t%t%3",
        ),
    ),
    (
        5451,
        concat!(
            "An IPsec quick mode security association was established.%n%t%nLocal Endpoint:%n",
            "%tNetwork Address:%t%1%n%tNetwork Address mask:%t%2%n%tPort:%t%t%t%3%n",
            "%tTunnel Endpoint:%t%t%4%n%nRemote Endpoint:%n%tNetwork Address:%t%5%n",
            "%tNetwork Address Mask:%t%6%n%tPort:%t%t%t%7%n%tPrivate Address:%t%t%8%n",
            "%tTunnel Endpoint:%t%t%9%n%n%tProtocol:%t%t%10%n%tKeying Module Name:%t%11%n%n",
            "Cryptographic Information:%n%tIntegrity Algorithm - AH:%t%12%n",
            "%tIntegrity Algorithm - ESP:%t%13%n%tEncryption Algorithm:%t%14%n%n",
            "Security Association Information:%n%tLifetime - seconds:%t%15%n",
            "%tLifetime - data:%t%t%16%n%tLifetime - packets:%t%17%n%tMode:%t%t%t%18%n",
            "%tRole:%t%t%t%19%n%tQuick Mode Filter ID:%t%20%n%tMain Mode SA ID:%t%21%n",
            "%tQuick Mode SA ID:%t%22%n%nAdditional Information:%n%tInbound SPI:%t%t%23%n",
            "%tOutbound SPI:%t%t%24%n%tVirtual Interface Tunnel ID:%t%t%25%n",
            "%tTraffic Selector ID:%t%t%26",
        ),
    ),
    (
        5452,
        concat!(
            "An IPsec quick mode security association ended.%n%t%nLocal Endpoint:%n",
            "%tNetwork Address:%t%1%n%tNetwork Address mask:%t%2%n%tPort:%t%t%t%3%n",
            "%tTunnel Endpoint:%t%t%4%n%nRemote Endpoint:%n%tNetwork Address:%t%5%n",
            "%tNetwork Address mask:%t%6%n%tPort:%t%t%t%7%n%tTunnel Endpoint:%t%t%8%n%n",
            "Additional Information:%n%tProtocol:%t%t%9%n%tQuick Mode SA ID:%t%10%n",
            "%tVirtual Interface Tunnel ID:%t%t%11%n%tTraffic Selector ID:%t%t%12",
        ),
    ),
    (
        5453,
        concat!(
            "An IPsec negotiation with a remote computer failed because the IKE and AuthIP",
            " IPsec Keying Modules (IKEEXT) service is not started.",
        ),
    ),
    (5478, "The IPsec Policy Agent service was started."),
    (
        5479,
        concat!(
            "The IPsec Policy Agent service was stopped. Stopping this service can put the",
            " computer at greater risk of network attack or expose the computer to potential",
            " security risks.",
        ),
    ),
    (
        5480,
        concat!(
            "IPsec Policy Agent failed to get the complete list of network interfaces on the",
            " computer. This poses a potential security risk because some of the network",
            " interfaces may not get the protection provided by the applied IPsec filters.",
            " Use the IP Security Monitor snap-in to diagnose the problem.",
        ),
    ),
    (
        5483,
        concat!(
            "The IPsec Policy Agent service failed to initialize its RPC server. The service",
            " could not be started.%n%nError Code:%t%t%1",
        ),
    ),
    (
        5484,
        concat!(
            "The IPsec Policy Agent service experienced a critical failure and has shut",
            " down. The shutdown of this service can put the computer at greater risk of",
            " network attack or expose the computer to potential security risks.%n%n",
            "Error Code:%t%t%1",
        ),
    ),
    (
        5485,
        concat!(
            "IPsec Policy Agent failed to process some IPsec filters on a plug-and-play",
            " event for network interfaces. This poses a potential security risk because",
            " some of the network interfaces may not get the protection provided by the",
            " applied IPsec filters. Use the IP Security Monitor snap-in to diagnose the",
            " problem.",
        ),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_event_but_two_has_a_template() {
        let missing: Vec<u32> = crate::scan::interest::IPSEC_FAMILY
            .iter()
            .copied()
            .filter(|id| message_template(*id).is_none())
            .collect();
        assert_eq!(missing, [5481, 5482]);
    }

    #[test]
    fn template_4983_starts_and_ends_right() {
        let template = message_template(4983).unwrap();
        assert!(template.starts_with("An IPsec extended mode negotiation failed. The corr"));
        assert!(template.ends_with("%tState:%t%t%t%15"));
        assert_eq!(template.len(), 734);
    }
}
