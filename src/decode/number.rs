//! Numeric EventData values (UInt32 ports, UInt64 filter IDs) that may arrive in other shapes.

use crate::scan::FieldValue;
use serde::{Deserialize, Serialize};

/// A value of a numeric field: the number, or the stored text when it is not one of this type.
///
/// Keeping the text instead of dropping it means a damaged or unexpected value still shows in
/// the table and in exports (as a JSON string or CSV cell) where the number would be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number<T> {
    Value(T),
    /// The stored value, as text, because it is not a number of this type.
    Invalid(String),
}

impl<T: Copy + Into<u64>> Number<T> {
    /// Returns the number, if the stored value was one.
    pub fn value(&self) -> Option<T> {
        match self {
            Number::Value(value) => Some(*value),
            Number::Invalid(_) => None,
        }
    }

    /// Returns the number widened to `u64`, for columns that mix UInt32 and UInt64 fields.
    pub fn as_u64(&self) -> Option<u64> {
        self.value().map(Into::into)
    }

    /// Formats the value as Event Viewer shows it.
    pub fn to_text(&self) -> String {
        match self {
            Number::Value(value) => (*value).into().to_string(),
            Number::Invalid(text) => text.clone(),
        }
    }
}

/// Reads a numeric field: numbers and decimal text that fit `T` become the number, anything
/// else is kept as its text, and a missing or Null value gives `None`.
pub fn read_number<T: TryFrom<u64>>(value: Option<&FieldValue>) -> Option<Number<T>> {
    let value = value?;
    let number = match value {
        FieldValue::Null => return None,
        FieldValue::Unsigned(number) => Some(*number),
        FieldValue::Signed(number) => u64::try_from(*number).ok(),
        FieldValue::Text(text) => parse_exact_decimal(text),
        FieldValue::Other(_) => None,
    };
    match number.and_then(|number| T::try_from(number).ok()) {
        Some(fitting) => Some(Number::Value(fitting)),
        None => Some(Number::Invalid(value.to_text())),
    }
}

/// Parses text that is exactly a decimal number. The number must print back as the same
/// text, so whitespace, a sign or a leading zero keeps the value as text and nothing of
/// what was stored is lost.
fn parse_exact_decimal(text: &str) -> Option<u64> {
    let number: u64 = text.parse().ok()?;
    (number.to_string() == text).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(value: FieldValue) -> Option<Number<u32>> {
        read_number::<u32>(Some(&value))
    }

    #[test]
    fn numbers_and_numeric_text_parse() {
        assert_eq!(port(FieldValue::Unsigned(500)), Some(Number::Value(500)));
        assert_eq!(port(FieldValue::Signed(4500)), Some(Number::Value(4500)));
        assert_eq!(
            port(FieldValue::Text("4500".into())),
            Some(Number::Value(4500))
        );
        assert_eq!(port(FieldValue::Text("0".into())), Some(Number::Value(0)));
    }

    #[test]
    fn inexact_numeric_text_stays_text() {
        for text in [
            " 500 ", "\t9", "9\n", "+5", "-0", "0500", "00", "5.0", "1e3", "٣",
        ] {
            assert_eq!(
                port(FieldValue::Text(text.into())),
                Some(Number::Invalid(text.into())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn values_that_do_not_fit_stay_text() {
        assert_eq!(
            port(FieldValue::Unsigned(4_294_967_296)),
            Some(Number::Invalid("4294967296".into()))
        );
        assert_eq!(
            port(FieldValue::Signed(-1)),
            Some(Number::Invalid("-1".into()))
        );
        assert_eq!(
            port(FieldValue::Text("-".into())),
            Some(Number::Invalid("-".into()))
        );
        assert_eq!(
            port(FieldValue::Text("+5".into())),
            Some(Number::Invalid("+5".into()))
        );
        assert_eq!(
            port(FieldValue::Text("".into())),
            Some(Number::Invalid("".into()))
        );
        assert_eq!(
            port(FieldValue::Other("true".into())),
            Some(Number::Invalid("true".into()))
        );
    }

    #[test]
    fn missing_and_null_are_none() {
        assert_eq!(read_number::<u32>(None), None);
        assert_eq!(port(FieldValue::Null), None);
    }

    #[test]
    fn u64_keeps_every_digit() {
        let max = read_number::<u64>(Some(&FieldValue::Text("18446744073709551615".into())));
        assert_eq!(max, Some(Number::Value(u64::MAX)));
        let json = serde_json::to_string(&max).unwrap();
        assert_eq!(json, "18446744073709551615");
        let back: Option<Number<u64>> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, max);
    }

    #[test]
    fn invalid_serializes_as_string() {
        let json = serde_json::to_string(&Number::<u32>::Invalid("0x1f4".into())).unwrap();
        assert_eq!(json, "\"0x1f4\"");
        let back: Number<u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Number::Invalid("0x1f4".into()));
    }
}
