//! The serialized form of event 4983, an object keyed by the Windows EventData names.

use super::{pack_texts, split_number, Event4983};
use crate::decode::number::Number;
use crate::filetime::FileTime;
use crate::scan::DataField;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::sync::Arc;

/// The serialized form of [`Event4983`], with the Windows EventData names as keys. It
/// borrows the event's texts to serialize it.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredEvent4983<'a> {
    #[serde(rename = "EventRecordID")]
    record_id: u64,
    #[serde(rename = "TimeCreated")]
    time_created: FileTime,
    #[serde(rename = "Computer")]
    computer: Cow<'a, str>,
    #[serde(rename = "Provider")]
    provider: Cow<'a, str>,
    #[serde(rename = "Version")]
    version: u8,
    #[serde(rename = "Recovered")]
    recovered: bool,
    #[serde(rename = "LocalEMPrincipalName")]
    local_em_principal_name: Option<Cow<'a, str>>,
    #[serde(rename = "LocalEMCertHash")]
    local_em_cert_hash: Option<Cow<'a, str>>,
    #[serde(rename = "LocalEMIssuingCA")]
    local_em_issuing_ca: Option<Cow<'a, str>>,
    #[serde(rename = "LocalEMRootCA")]
    local_em_root_ca: Option<Cow<'a, str>>,
    #[serde(rename = "RemoteEMPrincipalName")]
    remote_em_principal_name: Option<Cow<'a, str>>,
    #[serde(rename = "RemoteEMCertHash")]
    remote_em_cert_hash: Option<Cow<'a, str>>,
    #[serde(rename = "RemoteEMIssuingCA")]
    remote_em_issuing_ca: Option<Cow<'a, str>>,
    #[serde(rename = "RemoteEMRootCA")]
    remote_em_root_ca: Option<Cow<'a, str>>,
    #[serde(rename = "LocalAddress")]
    local_address: Option<Cow<'a, str>>,
    #[serde(rename = "LocalKeyModPort")]
    local_key_mod_port: Option<Number<u32>>,
    #[serde(rename = "RemoteAddress")]
    remote_address: Option<Cow<'a, str>>,
    #[serde(rename = "RemoteKeyModPort")]
    remote_key_mod_port: Option<Number<u32>>,
    #[serde(rename = "FailurePoint")]
    failure_point: Option<Cow<'a, str>>,
    #[serde(rename = "FailureReason")]
    failure_reason: Option<Cow<'a, str>>,
    #[serde(rename = "State")]
    state: Option<Cow<'a, str>>,
    #[serde(rename = "Role")]
    role: Option<Cow<'a, str>>,
    #[serde(rename = "EMImpersonationState")]
    em_impersonation_state: Option<Cow<'a, str>>,
    #[serde(rename = "QMFilterID")]
    qm_filter_id: Option<Number<u64>>,
    #[serde(rename = "OtherFields", default, skip_serializing_if = "Vec::is_empty")]
    other_fields: Vec<DataField>,
}

impl Serialize for Event4983 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = |position| self.text(position).map(Cow::Borrowed);
        StoredEvent4983 {
            record_id: self.record_id,
            time_created: self.time_created,
            computer: Cow::Borrowed(&self.computer),
            provider: Cow::Borrowed(&self.provider),
            version: self.version,
            recovered: self.recovered,
            local_em_principal_name: text(0),
            local_em_cert_hash: text(1),
            local_em_issuing_ca: text(2),
            local_em_root_ca: text(3),
            remote_em_principal_name: text(4),
            remote_em_cert_hash: text(5),
            remote_em_issuing_ca: text(6),
            remote_em_root_ca: text(7),
            local_address: text(8),
            local_key_mod_port: self.local_key_mod_port(),
            remote_address: text(10),
            remote_key_mod_port: self.remote_key_mod_port(),
            failure_point: text(12),
            failure_reason: text(13),
            state: text(14),
            role: text(15),
            em_impersonation_state: text(16),
            qm_filter_id: self.qm_filter_id(),
            other_fields: self.other_fields(),
        }
        .serialize(serializer)
    }
}

impl From<StoredEvent4983<'_>> for Event4983 {
    fn from(stored: StoredEvent4983<'_>) -> Event4983 {
        let (local_key_mod_port, local_port_text) = split_number(stored.local_key_mod_port);
        let (remote_key_mod_port, remote_port_text) = split_number(stored.remote_key_mod_port);
        let (qm_filter_id, qm_filter_text) = split_number(stored.qm_filter_id);
        let texts = [
            stored.local_em_principal_name,
            stored.local_em_cert_hash,
            stored.local_em_issuing_ca,
            stored.local_em_root_ca,
            stored.remote_em_principal_name,
            stored.remote_em_cert_hash,
            stored.remote_em_issuing_ca,
            stored.remote_em_root_ca,
            stored.local_address,
            local_port_text,
            stored.remote_address,
            remote_port_text,
            stored.failure_point,
            stored.failure_reason,
            stored.state,
            stored.role,
            stored.em_impersonation_state,
            qm_filter_text,
        ];
        Event4983 {
            record_id: stored.record_id,
            time_created: stored.time_created,
            computer: Arc::from(stored.computer),
            provider: Arc::from(stored.provider),
            version: stored.version,
            recovered: stored.recovered,
            local_key_mod_port,
            remote_key_mod_port,
            qm_filter_id,
            texts: pack_texts(&texts, &stored.other_fields, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::sample::{raw_4983, raw_4983_unusual};

    #[test]
    fn serde_round_trip_keeps_u64() {
        let event = Event4983::from_raw(&raw_4983(3));

        let json = serde_json::to_string(&event).unwrap();
        let back: Event4983 = serde_json::from_str(&json).unwrap();

        assert!(json.contains("\"QMFilterID\":18446744073709551615"));
        assert_eq!(back, event);
    }

    /// The JSON of [`raw_4983_unusual`] as the event wrote it when each field was its own
    /// struct member, before the values were packed.
    const STORED_UNUSUAL: &str = "{\"EventRecordID\":3,\"TimeCreated\":133590404961234567,\
        \"Computer\":\"host1.contoso.com\",\
        \"Provider\":\"Microsoft-Windows-Security-Auditing\",\"Version\":0,\
        \"Recovered\":false,\"LocalEMPrincipalName\":\"CONTOSO\\\\host1$\",\
        \"LocalEMCertHash\":\"0123456789ABCDEF0123456789ABCDEF01234567\",\
        \"LocalEMIssuingCA\":\"CN=Contoso Issuing CA\",\"LocalEMRootCA\":null,\
        \"RemoteEMPrincipalName\":null,\
        \"RemoteEMCertHash\":\"89ABCDEF0123456789ABCDEF0123456789ABCDEF\",\
        \"RemoteEMIssuingCA\":\"CN=Fabrikam Issuing CA\",\
        \"RemoteEMRootCA\":\"CN=Fabrikam Root CA\",\"LocalAddress\":\"10.0.0.1\",\
        \"LocalKeyModPort\":500,\"RemoteAddress\":\"10.0.0.2\",\
        \"RemoteKeyModPort\":\"0x1f4\",\"FailurePoint\":\"%%8199\",\
        \"FailureReason\":\"line1\\r\\n\\\"quoted\\\" \u{202e}\",\"State\":\"%%8219\",\
        \"Role\":\"%%8205\",\"EMImpersonationState\":\"%%8216\",\
        \"QMFilterID\":18446744073709551615,\
        \"OtherFields\":[{\"name\":\"NullField\",\"value\":\"Null\"},\
        {\"name\":\"TextField\",\"value\":{\"Text\":\"7\"}},\
        {\"name\":\"UnsignedField\",\"value\":{\"Unsigned\":7}},\
        {\"name\":\"SignedField\",\"value\":{\"Signed\":-7}},\
        {\"name\":\"OtherField\",\"value\":{\"Other\":\"[true,1.5]\"}},\
        {\"name\":\"\",\"value\":{\"Text\":\"\"}}]}";

    /// The JSON of `raw_4983(3)` from before the values were packed. Without extra fields it
    /// has no `OtherFields` key.
    const STORED_TYPICAL: &str = "{\"EventRecordID\":3,\"TimeCreated\":133590404961234567,\
        \"Computer\":\"host1.contoso.com\",\
        \"Provider\":\"Microsoft-Windows-Security-Auditing\",\"Version\":0,\
        \"Recovered\":false,\"LocalEMPrincipalName\":\"CONTOSO\\\\host1$\",\
        \"LocalEMCertHash\":\"0123456789ABCDEF0123456789ABCDEF01234567\",\
        \"LocalEMIssuingCA\":\"CN=Contoso Issuing CA\",\
        \"LocalEMRootCA\":\"CN=Contoso Root CA\",\
        \"RemoteEMPrincipalName\":\"CONTOSO\\\\host2$\",\
        \"RemoteEMCertHash\":\"89ABCDEF0123456789ABCDEF0123456789ABCDEF\",\
        \"RemoteEMIssuingCA\":\"CN=Fabrikam Issuing CA\",\
        \"RemoteEMRootCA\":\"CN=Fabrikam Root CA\",\"LocalAddress\":\"10.0.0.1\",\
        \"LocalKeyModPort\":500,\"RemoteAddress\":\"10.0.0.2\",\"RemoteKeyModPort\":4500,\
        \"FailurePoint\":\"%%8199\",\"FailureReason\":\"No policy configured\",\
        \"State\":\"%%8219\",\"Role\":\"%%8205\",\"EMImpersonationState\":\"%%8216\",\
        \"QMFilterID\":18446744073709551615}";

    #[test]
    fn serializes_as_before_packing() {
        let unusual = serde_json::to_string(&Event4983::from_raw(&raw_4983_unusual())).unwrap();
        let typical = serde_json::to_string(&Event4983::from_raw(&raw_4983(3))).unwrap();

        assert_eq!(unusual, STORED_UNUSUAL);
        assert_eq!(typical, STORED_TYPICAL);
    }

    #[test]
    fn deserializes_json_from_before_packing() {
        let unusual: Event4983 = serde_json::from_str(STORED_UNUSUAL).unwrap();
        let typical: Event4983 = serde_json::from_str(STORED_TYPICAL).unwrap();

        assert_eq!(unusual, Event4983::from_raw(&raw_4983_unusual()));
        assert_eq!(typical, Event4983::from_raw(&raw_4983(3)));
    }
}
