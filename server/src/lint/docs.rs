//! Rule documentation in Markdown, rendered from the registry: `ladder-ls explain CODE` prints
//! it, and `docs/rules/` holds the same pages (a test fails when they are stale).

use std::fmt::Write;

use super::{Rule, registry};

/// The Markdown page of a rule.
pub fn rule_page(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut out = String::new();
    let _ = writeln!(out, "# `{}`\n", m.code);
    let _ = writeln!(out, "{}\n", m.summary);
    let _ = writeln!(out, "| level | default severity | fixable | source |");
    let _ = writeln!(out, "|---|---|---|---|");
    let fixable = if m.fixable { "yes" } else { "no" };
    let _ = writeln!(
        out,
        "| L{} | {} | {fixable} | {} |\n",
        m.level, m.severity, m.source
    );
    if let Some(score) = super::security_severity::score(m.code) {
        let _ = writeln!(
            out,
            "Security severity in SARIF (GitHub code scanning): {score} ({}).\n",
            super::security_severity::band(score)
        );
    }
    let _ = writeln!(out, "## Why\n\n{}\n", reflow(m.docs.why));
    let _ = writeln!(out, "## Bad\n\n```elixir\n{}\n```\n", m.docs.bad);
    let _ = writeln!(out, "## Good\n\n```elixir\n{}\n```\n", m.docs.good);
    let _ = writeln!(out, "## Fix\n\n{}\n", reflow(m.docs.fix));
    if !m.options.is_empty() {
        let _ = writeln!(out, "## Options\n");
        for (name, what) in m.options {
            let _ = writeln!(out, "- `{name}`: {what}");
        }
        out.push('\n');
    }
    let equivalents: Vec<String> = m
        .credo
        .iter()
        .map(|c| format!("Credo `{c}`"))
        .chain(
            m.excellent_migrations
                .iter()
                .map(|t| format!("excellent_migrations `{t}`")),
        )
        .chain(m.sobelow.iter().map(|t| format!("Sobelow `{t}`")))
        .collect();
    let _ = writeln!(out, "## Configuration and suppression\n");
    let _ = writeln!(
        out,
        "In `.ladder.exs`: `rules: [\"{code}\": :off]` or `rules: [\"{code}\": [severity: :info]]`.\n\
         In code: `# ladder:disable-next-line {code}` above the line, or \
         `# ladder:disable-for-this-file {code}`.",
        code = m.code
    );
    if !equivalents.is_empty() {
        let _ = writeln!(
            out,
            "\nEquivalent to {}; their suppression comments are honoured.",
            equivalents.join(", ")
        );
    }
    if !m.credo.is_empty() {
        let params: Vec<String> = crate::config::CREDO_PARAMS
            .iter()
            .filter(|(check, ..)| m.credo.contains(check))
            .map(|(_, param, option, _)| format!("`{param}` sets `{option}`"))
            .collect();
        let params = if params.is_empty() {
            String::new()
        } else {
            format!(" ({})", params.join(", "))
        };
        let _ = writeln!(
            out,
            "
A `.credo.exs` beside `.ladder.exs` (or in `config/`) that disables one of these \
             checks (`{{Check, false}}`, or listed under `disabled:`) turns the rule off, and the \
             check's parameters become the rule's options{params}, unless `.ladder.exs` \
             configures the rule. When the Credo mix gate runs, its findings of these checks are \
             not shown: this rule reports them."
        );
    }
    if let Some(example) = m.sobelow.first() {
        let category = example.split_once('.').map_or(*example, |(c, _)| c);
        let _ = writeln!(
            out,
            "\nSobelow's `# sobelow_skip [\"{example}\"]` (or the whole category, \
             `[\"{category}\"]`) above a `def`/`defp` (`@doc` and `@spec` may sit in between) \
             silences this rule inside that function clause. A `.sobelow-conf` beside \
             `.ladder.exs` turns the rule off when its `ignore:` lists one of these types or \
             their category, and in the files its `ignore_files:` lists, unless `.ladder.exs` \
             configures the rule."
        );
    }
    out
}

/// The index page listing every rule.
pub fn index_page() -> String {
    let mut out =
        String::from("# Rules\n\nGenerated from the rule registry (`ladder-ls rules`).\n\n");
    out.push_str("| code | level | severity | fixable | summary |\n|---|---|---|---|---|\n");
    for rule in registry::RULES {
        let m = &rule.meta;
        let fixable = if m.fixable { "yes" } else { "" };
        let _ = writeln!(
            out,
            "| [`{0}`]({0}.md) | L{1} | {2} | {fixable} | {3} |",
            m.code,
            m.level,
            m.severity.letter(),
            m.summary
        );
    }
    out
}

/// Joins the hard-wrapped lines of a doc string into paragraphs.
pub fn reflow(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::RuleMeta;
    use std::path::PathBuf;

    #[test]
    fn credo_rules_document_credo_exs_and_the_gate() {
        let rule = Rule {
            meta: RuleMeta {
                code: "fake-nesting",
                credo: &["Credo.Check.Refactor.Nesting"],
                ..RuleMeta::BASE
            },
            check: None,
        };
        let page = rule_page(&rule);
        assert!(page.contains("`.credo.exs`"), "{page}");
        assert!(page.contains("`max_nesting` sets `max`"), "{page}");
        let plain = Rule {
            meta: RuleMeta {
                code: "fake-plain",
                ..RuleMeta::BASE
            },
            check: None,
        };
        assert!(!rule_page(&plain).contains("credo"));
    }

    #[test]
    fn sobelow_rules_document_sobelow_skip_and_sobelow_conf() {
        let rule = Rule {
            meta: RuleMeta {
                code: "fake-sql",
                sobelow: &["SQL.Query", "SQL.Stream"],
                ..RuleMeta::BASE
            },
            check: None,
        };
        let page = rule_page(&rule);
        assert!(
            page.contains("Sobelow `SQL.Query`, Sobelow `SQL.Stream`"),
            "{page}"
        );
        assert!(page.contains("`# sobelow_skip [\"SQL.Query\"]`"), "{page}");
        assert!(
            page.contains("`[\"SQL\"]`") && page.contains("`.sobelow-conf`"),
            "{page}"
        );
        let plain = Rule {
            meta: RuleMeta {
                code: "fake-plain",
                ..RuleMeta::BASE
            },
            check: None,
        };
        assert!(!page.contains("  "), "{page}");
        assert!(!rule_page(&plain).contains("sobelow"));
    }

    /// The pages under `docs/rules/` must match the registry. Run with `LADDER_UPDATE_DOCS=1`
    /// to rewrite them.
    #[test]
    fn generated_docs_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
        let mut expected = vec![("README.md".to_string(), index_page())];
        for rule in registry::RULES {
            expected.push((format!("{}.md", rule.meta.code), rule_page(rule)));
        }
        if std::env::var_os("LADDER_UPDATE_DOCS").is_some() {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &expected {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        let mut stale = Vec::new();
        for (name, text) in &expected {
            if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
                stale.push(name.clone());
            }
        }
        let on_disk = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert!(
            stale.is_empty() && on_disk == expected.len(),
            "docs/rules is stale ({stale:?}, {on_disk} files for {} pages); run `LADDER_UPDATE_DOCS=1 cargo test -p ladder-ls docs`",
            expected.len()
        );
    }
}
