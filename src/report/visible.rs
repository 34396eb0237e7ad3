//! Shows invisible and direction-changing characters of log values as visible markers, so
//! a value such as `host\u{202E}1.contoso.com` cannot pass for another name on screen.
//! The CSV and JSON exports keep the values exactly; the page, its detail view and the
//! saved HTML report use this.

/// Returns `text` with bidirectional controls, zero-width characters and control
/// characters other than tab and line feed replaced by a `⟨U+XXXX⟩` marker.
pub fn visible_text(text: &str) -> String {
    if !text.chars().any(needs_marker) {
        return text.to_string();
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if needs_marker(character) {
            shown.push_str(&format!("⟨U+{:04X}⟩", u32::from(character)));
        } else {
            shown.push(character);
        }
    }
    shown
}

fn needs_marker(character: char) -> bool {
    matches!(
        character,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
    ) || (character.is_control() && character != '\t' && character != '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            visible_text("CONTOSO\\alice 10.20.0.1"),
            "CONTOSO\\alice 10.20.0.1"
        );
        assert_eq!(visible_text("line1\nline2\tend"), "line1\nline2\tend");
        assert_eq!(visible_text("\u{1F600}"), "\u{1F600}");
    }

    #[test]
    fn bidi_override_is_marked() {
        assert_eq!(
            visible_text("host\u{202E}1.contoso.com"),
            "host⟨U+202E⟩1.contoso.com"
        );
        assert_eq!(visible_text("\u{2067}x\u{2069}"), "⟨U+2067⟩x⟨U+2069⟩");
    }

    #[test]
    fn control_characters_are_marked() {
        assert_eq!(
            visible_text("a\u{7}b\u{1b}c\rd"),
            "a⟨U+0007⟩b⟨U+001B⟩c⟨U+000D⟩d"
        );
        assert_eq!(visible_text("zero\u{200B}width"), "zero⟨U+200B⟩width");
    }
}
