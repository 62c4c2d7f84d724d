//! `mix credo --strict --format json` → findings with `source: "credo"` and the check name as
//! the code. Mix may print compilation lines before the JSON, so parsing starts at the first
//! `{`. Credo's exit status is a bit field of issue categories, not an error.

use std::path::Path;

use serde::Deserialize;

use crate::lint::Severity;
use crate::mix::GateFinding;

#[derive(Deserialize)]
struct Report {
    issues: Vec<Issue>,
}

#[derive(Deserialize)]
struct Issue {
    check: String,
    filename: String,
    line_no: Option<usize>,
    column: Option<usize>,
    column_end: Option<usize>,
    message: String,
    category: Option<String>,
}

/// The issues of a Credo JSON report, or `None` when the output holds no report.
pub fn parse(output: &str, root: &Path) -> Option<Vec<GateFinding>> {
    let start = output.find("{\n").or_else(|| output.find('{'))?;
    let report: Report = serde_json::from_str(output[start..].trim_end()).ok()?;
    Some(
        report
            .issues
            .into_iter()
            .map(|issue| {
                let line = issue.line_no.unwrap_or(1);
                let category = issue.category.unwrap_or_default();
                // `--strict` fails on every issue, so every one blocks L2; Credo's own warnings
                // (likely bugs) are reported as such, the others as warnings too.
                let mut f = GateFinding::at(
                    root.join(&issue.filename),
                    line,
                    issue.column,
                    &issue.check,
                    2,
                    Severity::Warning,
                    issue.message,
                );
                if let (Some(start), Some(end)) = (issue.column, issue.column_end)
                    && end > start
                {
                    f.end = Some((line, end));
                }
                if category == "warning" {
                    f.message = format!("{} (Credo warning)", f.message);
                }
                f.source = "credo";
                f
            })
            .collect(),
    )
}

/// Whether the project depends on Credo (so `mix credo` exists).
pub fn project_has_credo(root: &Path) -> bool {
    root.join("deps/credo").is_dir()
        || std::fs::read_to_string(root.join("mix.exs")).is_ok_and(|m| m.contains("{:credo,"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn reads_the_recorded_report() {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mix-output/credo-1.7.19");
        let text = std::fs::read_to_string(dir.join("strict.json")).unwrap();
        let with_noise = format!("==> jason\nCompiling 10 files (.ex)\n{text}");
        let found = parse(&with_noise, Path::new("/tmp/sample_app")).unwrap();
        assert!(found.len() >= 5, "{}", found.len());
        let todo = &found[0];
        assert_eq!(todo.code, "Credo.Check.Design.TagTODO");
        assert_eq!(todo.source, "credo");
        assert_eq!(
            (todo.line, todo.column, todo.end),
            (3, Some(5), Some((3, 52)))
        );
        assert_eq!(
            todo.path,
            Path::new("/tmp/sample_app/lib/sample_app/lint_bait.ex")
        );
        assert_eq!(
            todo.doc_url(),
            "https://hexdocs.pm/credo/Credo.Check.Design.TagTODO.html"
        );
        assert!(
            parse(
                "** (Mix) The task \"credo\" could not be found",
                Path::new("/")
            )
            .is_none()
        );
    }
}
