//! The `%%8192`..`%%8248` parameter codes that IPsec events store in place of words.
//!
//! Windows keeps the words in the parameter message file of the Security-Auditing provider
//! (msobjs.dll) and Event Viewer looks them up at display time, so a log holds only the code.
//! The table below is that message table for the IPsec range, as shipped in Windows 10.0.22000.

/// Code and words, sorted by code so lookups can use binary search.
const CODES: &[(&str, &str)] = &[
    ("%%8192", "Kerberos"),
    ("%%8193", "Preshared key"),
    ("%%8194", "Unknown authentication"),
    ("%%8195", "DES"),
    ("%%8196", "3DES"),
    ("%%8197", "MD5"),
    ("%%8198", "SHA1"),
    ("%%8199", "Local computer"),
    ("%%8200", "Remote computer"),
    ("%%8201", "No state"),
    ("%%8202", "Sent first (SA) payload"),
    ("%%8203", "Sent second (KE) payload"),
    ("%%8204", "Sent third (ID) payload"),
    ("%%8205", "Initiator"),
    ("%%8206", "Responder"),
    ("%%8207", "No state"),
    ("%%8208", "Sent first (SA) payload"),
    ("%%8209", "Sent final payload"),
    ("%%8210", "Complete"),
    ("%%8211", "Unknown"),
    ("%%8212", "Transport"),
    ("%%8213", "Tunnel"),
    ("%%8214", "IKE/AuthIP DoS prevention mode started"),
    ("%%8215", "IKE/AuthIP DoS prevention mode stopped"),
    ("%%8216", "Enabled"),
    ("%%8217", "Not enabled"),
    ("%%8218", "No state"),
    ("%%8219", "Sent first (EM attributes) payload"),
    ("%%8220", "Sent second (SSPI) payload"),
    ("%%8221", "Sent third (hash) payload"),
    ("%%8222", "IKEv1"),
    ("%%8223", "AuthIP"),
    ("%%8224", "Anonymous"),
    ("%%8225", "NTLM V2"),
    ("%%8226", "CGA"),
    ("%%8227", "Certificate"),
    ("%%8228", "SSL"),
    ("%%8229", "None"),
    ("%%8230", "DH group 1"),
    ("%%8231", "DH group 2"),
    ("%%8232", "DH group 14"),
    ("%%8233", "DH group ECP 256"),
    ("%%8234", "DH group ECP 384"),
    ("%%8235", "AES-128"),
    ("%%8236", "AES-192"),
    ("%%8237", "AES-256"),
    ("%%8238", "Certificate ECDSA P256"),
    ("%%8239", "Certificate ECDSA P384"),
    ("%%8240", "SSL ECDSA P256"),
    ("%%8241", "SSL ECDSA P384"),
    ("%%8242", "SHA 256"),
    ("%%8243", "SHA 384"),
    ("%%8244", "IKEv2"),
    ("%%8245", "EAP payload sent"),
    ("%%8246", "Authentication payload sent"),
    ("%%8247", "EAP"),
    ("%%8248", "DH group 24"),
];

/// Returns the words for a parameter code such as `%%8199`, or `None` for any other text.
pub fn describe_code(code: &str) -> Option<&'static str> {
    CODES
        .binary_search_by(|(known, _)| (*known).cmp(code))
        .ok()
        .map(|index| CODES[index].1)
}

/// Returns a value as Event Viewer shows it: the words for a known code, else the value itself.
pub fn code_text(value: &str) -> &str {
    describe_code(value).unwrap_or(value)
}

/// Replaces every known `%%NNNN` code inside `value` with its words and keeps all other text.
///
/// Event Viewer expands codes anywhere in an insertion string, not only whole values.
pub fn expand_codes(value: &str) -> String {
    let mut expanded = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("%%") {
        expanded.push_str(&rest[..start]);
        let digits = rest[start + 2..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let code = &rest[start..start + 2 + digits];
        match describe_code(code) {
            Some(words) => expanded.push_str(words),
            None => expanded.push_str(code),
        }
        rest = &rest[start + 2 + digits..];
    }
    expanded.push_str(rest);
    expanded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(CODES.len(), 57);
        assert!(CODES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert_eq!(CODES[0], ("%%8192", "Kerberos"));
        assert_eq!(CODES[56], ("%%8248", "DH group 24"));
    }

    #[test]
    fn describe_code_finds_4983_values() {
        assert_eq!(describe_code("%%8199"), Some("Local computer"));
        assert_eq!(describe_code("%%8200"), Some("Remote computer"));
        assert_eq!(describe_code("%%8205"), Some("Initiator"));
        assert_eq!(describe_code("%%8217"), Some("Not enabled"));
        assert_eq!(describe_code("%%8221"), Some("Sent third (hash) payload"));
    }

    #[test]
    fn describe_code_rejects_unknown_values() {
        assert_eq!(describe_code("%%9999"), None);
        assert_eq!(describe_code("%%819"), None);
        assert_eq!(describe_code(" %%8199"), None);
        assert_eq!(describe_code("Local computer"), None);
        assert_eq!(describe_code(""), None);
    }

    #[test]
    fn code_text_keeps_unknown_values() {
        assert_eq!(code_text("%%8206"), "Responder");
        assert_eq!(code_text("%%9999"), "%%9999");
        assert_eq!(code_text("plain"), "plain");
    }

    #[test]
    fn expand_codes_inside_text() {
        assert_eq!(expand_codes("%%8222 or %%8244"), "IKEv1 or IKEv2");
        assert_eq!(expand_codes("%%9999 %%"), "%%9999 %%");
        assert_eq!(expand_codes("100%% %%8228!"), "100%% SSL!");
        assert_eq!(expand_codes("ünï %%8229"), "ünï None");
    }
}
