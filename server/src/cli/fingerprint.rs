//! Stable finding fingerprints: the same finding gets the same fingerprint after lines are added
//! or removed above it, or the code is re-indented, so dashboards (SARIF `partialFingerprints`)
//! and a baseline can recognise it across commits.
//!
//! A fingerprint hashes the file path, the rule code and the flagged source text with its
//! whitespace runs collapsed. It contains no line or column, and not the message (messages may
//! quote line numbers). Identical findings in one file (the same rule on the same text) are told
//! apart by their order: `<hash>:1`, `<hash>:2`, …, as GitHub numbers its own line hashes.

use std::collections::HashMap;

use crate::cli::report::FileReport;
use crate::lint::Finding;
use ropey::Rope;

/// The version of the scheme, part of the SARIF key so a change never matches old fingerprints.
pub const SARIF_KEY: &str = "ladderFingerprint/v1";

/// Collapses whitespace runs (newlines and indentation included) to one space and trims.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The hash of one finding, 16 hex digits, before numbering: FNV-1a (64 bits) over the
/// length-prefixed path, code and normalised text. Written out here rather than taken from the
/// standard library, whose hashers may change between Rust releases.
pub fn hash(path: &str, code: &str, flagged_text: &str) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let normalised = normalise(flagged_text);
    for part in [path, code, normalised.as_str()] {
        // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
        for byte in (part.len() as u64)
            .to_le_bytes()
            .iter()
            .chain(part.as_bytes())
        {
            h ^= u64::from(*byte);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("{h:016x}")
}

/// Numbers the hashes of one file's findings (in document order) into fingerprints:
/// `<hash>:<n>` where `n` counts the earlier findings with the same hash, from 1.
#[derive(Default)]
pub struct Numbering {
    seen: HashMap<String, usize>,
}

impl Numbering {
    /// The fingerprint of the next finding of the file.
    pub fn fingerprint(&mut self, path: &str, code: &str, flagged_text: &str) -> String {
        let hash = hash(path, code, flagged_text);
        let n = self.seen.entry(hash.clone()).or_insert(0);
        *n += 1;
        format!("{hash}:{n}")
    }
}

/// The source text a finding flags, its range clamped to the text (empty when the range
/// splits a character).
pub fn flagged_text(file: &FileReport, f: &Finding) -> String {
    flagged_in(&file.rope, f)
}

/// The text of `rope` that `f` flags (see [`flagged_text`]).
fn flagged_in(rope: &Rope, f: &Finding) -> String {
    let len = rope.len_bytes();
    let (start, end) = (f.range.start.min(len), f.range.end.min(len));
    match (rope.try_byte_to_char(start), rope.try_byte_to_char(end)) {
        (Ok(s), Ok(e)) if s <= e => rope.slice(s..e).to_string(),
        _ => String::new(),
    }
}

/// The fingerprints of a file's findings, in the order of `file.findings`.
pub fn of_file(file: &FileReport) -> Vec<String> {
    of_findings(&file.path, &file.rope, &file.findings)
}

/// The fingerprints of `findings` (one file's, in document order) of the file at `path`
/// (the path hashed: relative to the current directory for SARIF, to the baseline's folder for
/// a baseline) whose text is `rope`.
pub fn of_findings<'a>(
    path: &str,
    rope: &Rope,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> Vec<String> {
    let mut numbering = Numbering::default();
    findings
        .into_iter()
        .map(|f| numbering.fingerprint(path, f.code, &flagged_in(rope, f)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_or_reindenting_keeps_the_fingerprint() {
        let a = hash(
            "lib/a.ex",
            "io-inspect",
            "IO.inspect(order,\n    label: \"o\")",
        );
        let b = hash(
            "lib/a.ex",
            "io-inspect",
            "  IO.inspect(order, label: \"o\")  ",
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn path_code_and_text_all_count() {
        let base = hash("lib/a.ex", "io-inspect", "IO.inspect(x)");
        assert_ne!(base, hash("lib/b.ex", "io-inspect", "IO.inspect(x)"));
        assert_ne!(base, hash("lib/a.ex", "missing-spec", "IO.inspect(x)"));
        assert_ne!(base, hash("lib/a.ex", "io-inspect", "IO.inspect(y)"));
        // Boundaries between the parts are not ambiguous.
        assert_ne!(hash("ab", "c", ""), hash("a", "bc", ""));
    }

    #[test]
    fn the_hash_is_stable_across_releases() {
        // Pinned: changing the scheme needs a new SARIF_KEY version.
        assert_eq!(
            hash("lib/a.ex", "io-inspect", "IO.inspect(x)"),
            "56393beb8b6adc1a"
        );
    }

    #[test]
    fn identical_findings_in_a_file_are_numbered() {
        let mut n = Numbering::default();
        let first = n.fingerprint("lib/a.ex", "io-inspect", "IO.inspect(x)");
        let other = n.fingerprint("lib/a.ex", "io-inspect", "IO.inspect(y)");
        let second = n.fingerprint("lib/a.ex", "io-inspect", "IO.inspect(x)");
        assert!(first.ends_with(":1") && other.ends_with(":1") && second.ends_with(":2"));
        assert_eq!(first[..16], second[..16]);
    }

    #[test]
    fn a_file_s_fingerprints_hash_the_flagged_text() {
        use crate::lint::{RuleMeta, Severity};
        let text = "# café\nIO.inspect(x)\n";
        let meta = RuleMeta {
            code: "io-inspect",
            severity: Severity::Warning,
            ..RuleMeta::BASE
        };
        let start = text.find("IO").unwrap();
        let file = FileReport::new(
            "lib/a.ex".into(),
            ropey::Rope::from_str(text),
            vec![
                Finding::new(&meta, start..start + 13, "m"),
                Finding::new(&meta, 0..1000, "out of range"),
            ],
            7,
        );
        assert_eq!(flagged_text(&file, &file.findings[0]), "IO.inspect(x)");
        let prints = of_file(&file);
        assert_eq!(
            prints[0],
            format!("{}:1", hash("lib/a.ex", "io-inspect", "IO.inspect(x)"))
        );
        assert_eq!(prints.len(), 2);
    }
}
