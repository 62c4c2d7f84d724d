//! `trailing-whitespace`: spaces or tabs at the end of a line, outside strings and heredocs
//! (where they are content, and removing them would change the program).

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "trailing-whitespace",
        level: 1,
        severity: Severity::Warning,
        fixable: true,
        summary: "Trailing spaces or tabs (outside strings and heredocs)",
        docs: RuleDocs {
            why: "`mix format` removes trailing whitespace, so it shows up as noise in diffs and \
                  as formatting drift in CI. Inside strings and heredocs it is content and is \
                  left alone.",
            bad: "def total(items) do··\n  Enum.sum(items)\nend",
            good: "def total(items) do\n  Enum.sum(items)\nend",
            fix: "Removes the trailing whitespace.",
        },
        credo: &["Credo.Check.Readability.TrailingWhiteSpace"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for range in ctx.scope_ranges() {
        check_lines(ctx, range, out);
    }
}

/// The lines starting in `range` (which starts at a line start: a whole file, or a unit of a
/// re-lint, whose ranges are whole lines).
fn check_lines(ctx: &LintContext<'_>, range: std::ops::Range<usize>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let bytes = src.as_bytes();
    // Line ends (`\n`, or `\r` alone or before `\n`: the `\n` then ends an empty line), found
    // with memchr: a re-lint after a rename reads the whole skeleton, mostly docs.
    let mut ends =
        memchr::memchr2_iter(b'\n', b'\r', &bytes[range.start..]).map(|i| range.start + i);
    let mut line_start = range.start;
    while line_start < range.end || (range.end == src.len() && line_start <= src.len()) {
        let line_end = ends.next().unwrap_or(src.len());
        if line_end > line_start && matches!(bytes[line_end - 1], b' ' | b'\t') {
            let trimmed = src[line_start..line_end]
                .trim_end_matches([' ', '\t'])
                .len();
            let ws_start = line_start + trimmed;
            if !inside_literal(ctx, ws_start) {
                let fix = Fix::safe(
                    "Remove trailing whitespace",
                    vec![Edit::delete(ws_start..line_end)],
                );
                let n = line_end - ws_start;
                let what = if n == 1 {
                    "1 character".to_string()
                } else {
                    format!("{n} characters")
                };
                out.push(
                    Finding::new(
                        &RULE.meta,
                        ws_start..line_end,
                        format!("Trailing whitespace ({what})"),
                    )
                    .with_fix(fix),
                );
            }
        }
        if line_end >= src.len() {
            break;
        }
        line_start = line_end + 1;
    }
}

/// Whether `byte` is inside a string, charlist, sigil or heredoc.
fn inside_literal(ctx: &LintContext<'_>, byte: usize) -> bool {
    let Some(mut node) = ctx
        .tree
        .root_node()
        .descendant_for_byte_range(byte, byte + 1)
    else {
        return false;
    };
    loop {
        if matches!(
            node.kind(),
            "string" | "charlist" | "sigil" | "quoted_atom" | "quoted_keyword"
        ) {
            // The delimiters themselves (e.g. the line of a closing `"""`) are outside content;
            // only whitespace strictly between them is content.
            return node.start_byte() < byte && byte < node.end_byte();
        }
        match node.parent() {
            Some(p) => node = p,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    #[test]
    fn flags_and_fixes_trailing_spaces_and_tabs() {
        let src = "defmodule A do  \n  def f, do: 1\t\r\nend \n";
        let found = findings_of(src, "lib/a.ex", "trailing-whitespace");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].message, "Trailing whitespace (2 characters)");
        let fixed = assert_clean_after_fix(src, "lib/a.ex", "trailing-whitespace");
        assert_eq!(fixed, "defmodule A do\n  def f, do: 1\r\nend\n");
    }

    #[test]
    fn leaves_strings_and_heredocs_alone() {
        let src = "@doc \"\"\"\n  two spaces:  \n\"\"\"\nx = \"a  \nb\"\ny = ~s(c  \nd)\n";
        assert!(findings_of(src, "lib/a.ex", "trailing-whitespace").is_empty());
    }

    #[test]
    fn clean_file_has_no_finding() {
        assert!(findings_of("x = 1\n\ny = 2\n", "lib/a.ex", "trailing-whitespace").is_empty());
    }

    #[test]
    fn flags_whitespace_only_lines_and_the_last_line() {
        let src = "x = 1\n   \ny = 2 ";
        assert_eq!(findings_of(src, "lib/a.ex", "trailing-whitespace").len(), 2);
        assert_eq!(
            assert_clean_after_fix(src, "lib/a.ex", "trailing-whitespace"),
            "x = 1\n\ny = 2"
        );
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_too() {
        let src = "x = 1 \r\ny = 2\t\rz = 3\r\n\r\nw = 4  \r\n";
        let found = findings_of(src, "lib/a.ex", "trailing-whitespace");
        let spans: Vec<&str> = found.iter().map(|f| &src[f.range.clone()]).collect();
        assert_eq!(spans, [" ", "\t", "  "]);
        assert_eq!(
            assert_clean_after_fix(src, "lib/a.ex", "trailing-whitespace"),
            "x = 1\r\ny = 2\rz = 3\r\n\r\nw = 4\r\n"
        );
    }
}
