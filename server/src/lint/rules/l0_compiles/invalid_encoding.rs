//! `invalid-encoding`: a source file that is not valid UTF-8. The Elixir compiler rejects such a
//! file, so it fails L0; reported by whoever reads files from disk (the CLI) at the first bad
//! byte, instead of skipping the file (which would let the project look clean).

use crate::lint::{Finding, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "invalid-encoding",
        level: 0,
        severity: Severity::Error,
        summary: "A source file that is not valid UTF-8 (the compiler rejects it)",
        docs: RuleDocs {
            why: "Elixir source files must be UTF-8: `mix compile` stops at the first byte that \
                  is not (`invalid encoding starting at <<...>>`). Such files usually come from an \
                  editor saving in Latin-1 or Windows-1252, or from a binary pasted into a \
                  string. Nothing else in the file is checked until it is fixed, and the file \
                  stays below L0.",
            bad: "# Saved as Latin-1: the é of café is the single byte 0xE9\n@greeting \"caf\\xE9\"",
            good: "# Saved as UTF-8: é is the two bytes 0xC3 0xA9\n@greeting \"café\"",
            fix: "Re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 file.ex`); write \
                  binary data as escapes (`<<0xE9>>`) rather than raw bytes.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};

/// A file's text and no finding when it is valid UTF-8; otherwise a lossy text (every bad
/// sequence replaced by U+FFFD, for showing lines) and the finding at the first bad byte, whose
/// offset is the same in both texts since everything before it is valid.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Finding>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // `None`: the file ends in the middle of a sequence.
            let len = e.utf8_error().error_len();
            let bytes = e.into_bytes();
            let bad: Vec<String> = bytes[at..]
                .iter()
                .take(len.unwrap_or(usize::MAX))
                .map(|b| format!("0x{b:02X}"))
                .collect();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            // Flag the replacement character standing for the bad sequence.
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let message = format!(
                "Not valid UTF-8: byte{} {} at byte offset {at} cannot be decoded, so the \
                 compiler rejects the file; save it as UTF-8",
                if bad.len() == 1 { "" } else { "s" },
                bad.join(" "),
            );
            (text, Some(Finding::new(&RULE.meta, at..end, message)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_passes_through() {
        assert_eq!(
            decode("café\n".as_bytes().to_vec()),
            ("café\n".to_string(), None)
        );
    }

    #[test]
    fn the_first_bad_byte_is_flagged() {
        let (text, f) = decode(b"defmodule A do\n  # caf\xe9 ok\nend\n".to_vec());
        let f = f.unwrap();
        assert_eq!(text, "defmodule A do\n  # caf\u{fffd} ok\nend\n");
        assert_eq!(&text[f.range.clone()], "\u{fffd}");
        assert_eq!(f.range.start, 22);
        assert_eq!(f.code, "invalid-encoding");
        assert_eq!(f.level, 0);
        assert!(
            f.message.contains("byte 0xE9 at byte offset 22"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_truncated_sequence_at_the_end_is_flagged_too() {
        let (text, f) = decode(b"x = 1\n\xe2\x82".to_vec());
        let f = f.unwrap();
        assert_eq!(f.range.start, 6);
        assert!(f.message.contains("bytes 0xE2 0x82"), "{}", f.message);
        assert!(text.ends_with('\u{fffd}'));
    }
}
