//! Fills message templates the way Event Viewer shows them.

use super::codes::{describe_code, expand_codes};
use super::ipsec_event::IpsecField;
use super::messages::message_template;

/// Renders an event's message from its fields in manifest order (`%1` is `fields[0]`).
///
/// Codes in values become words. For an event with no known template, the message is a
/// line naming the event and then one `Name: value` line per field.
pub fn render_message(event_id: u32, fields: &[IpsecField]) -> String {
    let Some(template) = message_template(event_id) else {
        let mut message = format!("Event {event_id} has no known message.");
        for field in fields {
            message.push('\n');
            message.push_str(field.name);
            message.push_str(": ");
            message.push_str(field.shown().as_deref().unwrap_or(""));
        }
        return message;
    };
    let insertions: Vec<&str> = fields
        .iter()
        .map(|field| field.value.unwrap_or(""))
        .collect();
    render_template(template, &insertions)
}

/// Fills a template: `%1`..`%99` take `insertions` (a missing one renders empty), `%n` is a
/// line feed, `%t` a tab, `%%NNNN` a code's words, and `%%` alone a percent sign.
///
/// Insertion strings are not read as templates, only their `%%NNNN` codes are expanded, so a
/// value holding `%1` shows as is.
pub fn render_template<S: AsRef<str>>(template: &str, insertions: &[S]) -> String {
    let mut message = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find('%') {
        message.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).take(2).count();
        rest = if digits > 0 {
            let number: usize = after[..digits].parse().expect("one or two ASCII digits");
            if let Some(value) = number.checked_sub(1).and_then(|i| insertions.get(i)) {
                message.push_str(&expand_codes(value.as_ref()));
            }
            &after[digits..]
        } else if let Some(tail) = after.strip_prefix('n') {
            message.push('\n');
            tail
        } else if let Some(tail) = after.strip_prefix('t') {
            message.push('\t');
            tail
        } else if let Some(tail) = after.strip_prefix('%') {
            let code_digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            let code = &rest[start..start + 2 + code_digits];
            match describe_code(code) {
                Some(words) => {
                    message.push_str(words);
                    &tail[code_digits..]
                }
                None => {
                    message.push('%');
                    tail
                }
            }
        } else {
            message.push('%');
            after
        };
    }
    message.push_str(rest);
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::event_4983::Event4983;
    use crate::decode::sample::raw_4983;

    #[test]
    fn template_escapes() {
        let insertions = ["a", "%%8199", "%1"];

        assert_eq!(
            render_template("%1%n%t%2", &insertions),
            "a\n\tLocal computer"
        );
        assert_eq!(render_template("%3|%4|%0", &insertions), "%1||");
        assert_eq!(
            render_template("100%% %%8228 %%9999 %x %", &insertions),
            "100% SSL %9999 %x %"
        );
        assert_eq!(render_template("%10%11", &insertions), "");
        assert_eq!(render_template("%123", &["x"; 12]), "x3");
    }

    #[test]
    fn message_4983_places_every_insertion() {
        let mut event = Event4983::from_raw(&raw_4983(1));
        event.set_value("FailureReason", Some("Reason %2 with %%8206"));

        let message = render_template(
            crate::decode::messages::message_template(4983).unwrap(),
            &event.insertion_strings(),
        );

        let expected = "An IPsec extended mode negotiation failed. \
            The corresponding main mode security association has been deleted.\n\n\n\
            Local Endpoint:\n\
            \tPrincipal Name:\t\tCONTOSO\\host1$\n\
            \tNetwork Address:\t10.0.0.1\n\
            \tKeying Module Port:\t500\n\n\
            Local Certificate:\n\
            \tSHA Thumbprint:\t0123456789ABCDEF0123456789ABCDEF01234567\n\
            \tIssuing CA:\t\tCN=Contoso Issuing CA\n\
            \tRoot CA:\t\tCN=Contoso Root CA\n\n\
            Remote Endpoint:\n\
            \tPrincipal Name:\t\tCONTOSO\\host2$\n\
            \tNetwork Address:\t10.0.0.2\n\
            \tKeying Module Port:\t4500\n\n\
            Remote Certificate:\n\
            \tSHA Thumbprint:\t89ABCDEF0123456789ABCDEF0123456789ABCDEF\n\
            \tIssuing CA:\t\tCN=Fabrikam Issuing CA\n\
            \tRoot CA:\t\tCN=Fabrikam Root CA\n\n\
            Additional Information:\n\
            \tKeying Module Name:\tAuthIP\n\
            \tAuthentication Method:\tSSL\n\
            \tRole:\t\t\tInitiator\n\
            \tImpersonation State:\tEnabled\n\
            \tQuick Mode Filter ID:\t18446744073709551615\n\n\
            Failure Information:\n\
            \tFailure Point:\t\tLocal computer\n\
            \tFailure Reason:\t\tReason %2 with Responder\n\
            \tState:\t\t\tSent first (EM attributes) payload";
        assert_eq!(message, expected);
        assert_eq!(event.message(), expected);
    }

    #[test]
    fn message_4983_with_missing_values() {
        let mut event = Event4983::from_raw(&raw_4983(1));
        event.set_value("LocalAddress", None);
        event.set_value("QMFilterID", None);

        let message = event.message();

        assert!(message.contains("\tNetwork Address:\t\n\tKeying Module Port:\t500\n"));
        assert!(message.contains("\tQuick Mode Filter ID:\t\n\n"));
    }
}
