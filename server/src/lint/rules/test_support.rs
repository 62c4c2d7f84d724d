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

/// The findings with `code` of the file at `path` among `files` (`(project_rel, source)` of one
/// project, indexed first as `check` does).
pub fn findings_in_project(files: &[(&str, &str)], path: &str, code: &str) -> Vec<Finding> {
    let index = crate::project::index_sources(files);
    let src = files
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, s)| *s)
        .unwrap_or_else(|| panic!("{path} is not among the files"));
    let info = FileInfo {
        display: path.to_string(),
        project_rel: path.to_string(),
        root: Some(std::path::PathBuf::from("/app")),
    };
    crate::lint::lint_source_in(src, &info, &Config::default(), &index)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

/// The text of the first fix of the first finding with `code` in `path` among `files`.
pub fn fix_text_in_project(files: &[(&str, &str)], path: &str, code: &str) -> String {
    let finding = findings_in_project(files, path, code)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {code} in {path}"));
    let fix = finding.fix.unwrap_or_else(|| panic!("{code} has no fix"));
    fix.edits.iter().map(|e| e.new_text.as_str()).collect()
}

/// Each rule's documented bad example (linted as `path`) is flagged and its good example is not.
pub fn assert_docs_examples_behave(
    rules: &[&crate::lint::Rule],
    path: impl Fn(&str) -> &'static str,
) {
    for rule in rules {
        let m = &rule.meta;
        let path = path(m.code);
        assert!(
            !findings_of(m.docs.bad, path, m.code).is_empty(),
            "{} misses its bad example",
            m.code
        );
        let good = findings_of(m.docs.good, path, m.code);
        assert!(
            good.is_empty(),
            "{} flags its good example: {good:#?}",
            m.code
        );
    }
}

/// Half-typed code as an editor sends it: no rule panics or points outside the text.
pub fn assert_no_finding_outside(snippets: &[&str], paths: &[&str]) {
    for src in snippets {
        for path in paths {
            for f in lint_all(src, path) {
                assert!(f.range.end <= src.len(), "{}: {src}", f.code);
            }
        }
    }
}
