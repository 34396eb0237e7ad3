//! Records for unit tests, shaped as the scan delivers them.

use crate::filetime::FileTime;
use crate::scan::{DataField, FieldValue, RawEvent};

/// 2024-05-01T12:34:56.1234567Z.
pub const SAMPLE_TIME: FileTime = FileTime(133_590_404_961_234_567);

/// Returns the 18 values of a typical 4983 record, as Windows stores them, in manifest order.
pub fn values_4983() -> Vec<FieldValue> {
    let text = |value: &str| FieldValue::Text(value.to_owned());
    vec![
        text("CONTOSO\\host1$"),
        text("0123456789ABCDEF0123456789ABCDEF01234567"),
        text("CN=Contoso Issuing CA"),
        text("CN=Contoso Root CA"),
        text("CONTOSO\\host2$"),
        text("89ABCDEF0123456789ABCDEF0123456789ABCDEF"),
        text("CN=Fabrikam Issuing CA"),
        text("CN=Fabrikam Root CA"),
        text("10.0.0.1"),
        FieldValue::Unsigned(500),
        text("10.0.0.2"),
        FieldValue::Unsigned(4500),
        text("%%8199"),
        text("No policy configured"),
        text("%%8219"),
        text("%%8205"),
        text("%%8216"),
        FieldValue::Unsigned(18_446_744_073_709_551_615),
    ]
}

/// Builds a record with the given EventData.
pub fn raw_event(event_id: u32, record_id: u64, data: Vec<DataField>) -> RawEvent {
    RawEvent {
        event_id,
        version: 0,
        record_id,
        time_created: SAMPLE_TIME,
        provider: "Microsoft-Windows-Security-Auditing".to_owned(),
        computer: "host1.contoso.com".to_owned(),
        data,
        recovered: false,
    }
}

/// Pairs names with values into EventData fields.
pub fn named(names: &[&str], values: Vec<FieldValue>) -> Vec<DataField> {
    names
        .iter()
        .zip(values)
        .map(|(name, value)| DataField {
            name: (*name).to_owned(),
            value,
        })
        .collect()
}

/// Builds a 4983 record with named EventData containing [`values_4983`].
pub fn raw_4983(record_id: u64) -> RawEvent {
    let data = named(&super::event_4983::FIELDS_4983, values_4983());
    raw_event(4983, record_id, data)
}

/// Builds a 4983 record with a Null and a missing text, a port that is not a UInt32,
/// control characters, and extra fields of every value kind.
pub fn raw_4983_unusual() -> RawEvent {
    let mut raw = raw_4983(3);
    raw.data[4].value = FieldValue::Null;
    raw.data.retain(|field| field.name != "LocalEMRootCA");
    raw.data[10].value = FieldValue::Text("0x1f4".into());
    raw.data[12].value = FieldValue::Text("line1\r\n\"quoted\" \u{202e}".into());
    let field = |name: &str, value| DataField {
        name: name.into(),
        value,
    };
    raw.data.extend([
        field("NullField", FieldValue::Null),
        field("TextField", FieldValue::Text("7".into())),
        field("UnsignedField", FieldValue::Unsigned(7)),
        field("SignedField", FieldValue::Signed(-7)),
        field("OtherField", FieldValue::Other("[true,1.5]".into())),
        field("", FieldValue::Text(String::new())),
    ]);
    raw
}
