//! The diagnostics a lint takes from the document's last lint equal those converted afresh,
//! after random edits all over a file with findings of every rule (fixes, alternatives,
//! related places, findings above the target), in each way of publishing those.

use super::*;
use crate::config::AboveTarget;
use crate::document::Document;
use crate::lint::incremental::tests::{Rng, as_module, bad_examples_file};
use crate::lint::registry::RULES;

/// Text typed anywhere: line breaks of every kind, multi-byte characters, code.
const INSERTS: &[&str] = &[
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "é",
    "🎉",
    "\n\n\n",
    "IO.inspect(a)\n",
    "# note\n",
    "end\n",
];

fn edit(text: &str, rng: &mut Rng) -> String {
    let boundary = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let at = boundary(rng.below(text.len() + 1));
    let mut out = text.to_string();
    if rng.below(3) == 0 {
        out.replace_range(at..boundary(at + 1 + rng.below(4)), "");
    } else {
        out.insert_str(at, INSERTS[rng.below(INSERTS.len())]);
    }
    out
}

#[test]
fn reused_diagnostics_equal_fresh_ones_after_random_edits() {
    // Many modules, findings with fixes and related places.
    let start = bad_examples_file();
    let uri: Uri = "file:///p/lib/big.ex".parse().expect("a URI");
    let target = FileTarget::of(&uri, &[]);
    let project = ProjectIndex::default();
    let (mut kept, mut moved, mut fresh) = (0, 0, 0);
    for (mode, enc) in [
        (AboveTarget::Hint, PositionEncoding::Utf16),
        (AboveTarget::Off, PositionEncoding::Utf8),
        (AboveTarget::AsIs, PositionEncoding::Utf16),
    ] {
        let mut config = Config::default();
        config.above_target = mode;
        let conv = Conversion {
            uri: &uri,
            target: &target,
            config: &config,
            enc,
        };
        let mut rng = Rng(0x5eed_u64 + mode as u64);
        let mut text = start.clone();
        let mut previous: Option<LintResult> = None;
        for version in 1..=120 {
            let snapshot = Document::new(&text, version).snapshot();
            let (findings, _) = lint_document_with_facts(
                &snapshot.rope,
                &snapshot.tree,
                &text,
                &target.info,
                &config,
                &project,
            );
            let fresh_result = result_of(conv, &snapshot, findings.clone(), Some(version), None);
            if let Some(p) = &previous {
                let delta = TextDelta::between(
                    p.text.as_deref().expect("the text is kept"),
                    &p.rope,
                    &text,
                    &snapshot.rope,
                );
                let prev = Previous {
                    findings: &p.findings,
                    diagnostic_of: &p.diagnostic_of,
                    diagnostics: &p.diagnostics,
                };
                for f in &findings {
                    match diagnostic_reuse::reuse(f, &delta, &prev) {
                        Reused::Diagnostic(_, Some(_)) => kept += 1,
                        Reused::Diagnostic(_, None) | Reused::Unpublished => moved += 1,
                        Reused::No => fresh += 1,
                    }
                }
            }
            let reused = result_of(conv, &snapshot, findings, Some(version), previous.as_ref());
            assert_eq!(
                reused.diagnostics, fresh_result.diagnostics,
                "{mode:?} version {version}"
            );
            assert_eq!(reused.diagnostic_of, fresh_result.diagnostic_of);
            // What is marked unchanged is the last lint's diagnostic, as it was.
            if let (Some((id, unchanged)), Some(p)) = (&reused.unchanged, &previous) {
                assert_eq!(*id, p.id);
                for (d, k) in reused.diagnostics.iter().zip(unchanged) {
                    if let Some(k) = k {
                        assert_eq!(d, &p.diagnostics[*k as usize]);
                    }
                }
            }
            previous = Some(reused);
            text = edit(&text, &mut rng);
        }
    }
    // Most findings are far from a keystroke: kept, or moved by the lines it added.
    assert!(
        kept > 10 * fresh && moved > fresh,
        "kept {kept}, moved {moved}, fresh {fresh}"
    );
}

#[test]
fn a_changed_target_converts_everything_again() {
    let text = as_module(RULES[0].meta.docs.bad);
    let uri: Uri = "file:///p/lib/a.ex".parse().expect("a URI");
    let target = FileTarget::of(&uri, &[]);
    let snapshot = Document::new(&text, 1).snapshot();
    fn conv<'a>(uri: &'a Uri, target: &'a FileTarget, config: &'a Config) -> Conversion<'a> {
        Conversion {
            uri,
            target,
            config,
            enc: PositionEncoding::Utf16,
        }
    }
    let lint = |config: &Config| {
        lint_document_with_facts(
            &snapshot.rope,
            &snapshot.tree,
            &text,
            &target.info,
            config,
            &ProjectIndex::default(),
        )
        .0
    };
    let mut low = Config::default();
    low.target_level = Some(0);
    let first = result_of(
        conv(&uri, &target, &low),
        &snapshot,
        lint(&low),
        Some(1),
        None,
    );
    assert!(!first.diagnostics.is_empty());
    let mut high = Config::default();
    high.target_level = Some(7);
    let conv = conv(&uri, &target, &high);
    let findings = lint(&high);
    let again = result_of(conv, &snapshot, findings.clone(), Some(1), Some(&first));
    assert_eq!(again.unchanged, None);
    assert_eq!(
        again.diagnostics,
        result_of(conv, &snapshot, findings, Some(1), None).diagnostics
    );
    assert_ne!(again.diagnostics, first.diagnostics);
}
