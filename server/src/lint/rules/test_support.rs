//! Helpers for rule tests: lint a snippet, apply a fix, re-lint.

use crate::config::Config;
use crate::lint::{FileInfo, Finding, fix, lint_source};

/// All findings of `src` linted as `path` with the default configuration.
pub fn lint_all(src: &str, path: &str) -> Vec<Finding> {
    lint_source(src, &FileInfo::new(path), &Config::default())
}

/// The codes of all findings.
pub fn lint_codes(src: &str, path: &str) -> Vec<&'static str> {
    lint_all(src, path).into_iter().map(|f| f.code).collect()
}

/// The findings with `code`.
pub fn findings_of(src: &str, path: &str, code: &str) -> Vec<Finding> {
    lint_all(src, path)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

/// `src` after applying the fix of the first finding with `code`.
pub fn apply_fix_of(src: &str, path: &str, code: &str) -> String {
    let finding = findings_of(src, path, code)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {code} in:\n{src}"));
    let fix = finding.fix.unwrap_or_else(|| panic!("{code} has no fix"));
    fix::apply_edits(src, &fix.edits).expect("fix edits apply")
}

/// Applies every fix of `code` one at a time (re-linting in between) and checks that the
/// findings of `code` are gone and the result parses whenever the input did.
pub fn assert_clean_after_fix(src: &str, path: &str, code: &str) -> String {
    let parsed_before = !lint_codes(src, path).contains(&"syntax-error");
    let mut text = src.to_string();
    let before = findings_of(src, path, code).len();
    for _ in 0..before {
        if findings_of(&text, path, code).is_empty() {
            break;
        }
        text = apply_fix_of(&text, path, code);
    }
    let after = lint_codes(&text, path);
    assert!(
        !after.contains(&code),
        "{code} remains after fixing:\n{text}"
    );
    if parsed_before {
        assert!(
            !after.contains(&"syntax-error"),
            "fix broke the syntax:\n{text}"
        );
    }
    text
}

/// The 1-based lines of the findings with `code`.
pub fn finding_lines(src: &str, path: &str, code: &str) -> Vec<usize> {
    findings_of(src, path, code)
        .iter()
        .map(|f| src[..f.range.start].matches('\n').count() + 1)
        .collect()
}

/// The findings with `code` under a `.ladder.exs` given as text.
pub fn findings_with_config(src: &str, path: &str, config: &str, code: &str) -> Vec<Finding> {
    let (config, errors) = crate::config::parse_config(config);
    assert!(errors.is_empty(), "{errors:?}");
    lint_source(src, &FileInfo::new(path), &config)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}
