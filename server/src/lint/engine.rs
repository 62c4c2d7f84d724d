//! Runs the rules over one file.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ropey::Rope;

use super::{FileInfo, Finding, LintContext, Rule, registry, rules, suppression};
use crate::config::{CONFIG_FILE, Config, parse_config};
use crate::document::Document;
use crate::project::ProjectIndex;

/// The findings of one file, sorted by position, then code.
pub type LintOutput = Vec<Finding>;

/// Lints a parsed file: runs every enabled native rule, applies configured severities and
/// suppression comments, adds `unused-suppression` findings, and sorts.
pub fn lint(ctx: &LintContext<'_>) -> LintOutput {
    let mut findings = Vec::new();
    for rule in registry::RULES {
        run_rule(rule, ctx, &mut findings);
    }
    finish(ctx, findings)
}

/// Runs one rule, if it is native and enabled for the file, adding its findings to `out`.
pub(crate) fn run_rule(rule: &Rule, ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(check) = rule.check else { return };
    if !ctx
        .config
        .rule_enabled_in(rule.meta.code, &ctx.file.project_rel)
    {
        return;
    }
    // A rule bug must cost its findings, not the whole lint (or the server).
    let mut found = Vec::new();
    if catch_unwind(AssertUnwindSafe(|| check(ctx, &mut found))).is_err() {
        tracing::error!(rule = rule.meta.code, file = %ctx.file.display, "rule panicked; its findings are skipped");
        return;
    }
    out.extend(found);
}

/// What follows the rules: `invalid-config`, suppression comments, `unused-suppression`,
/// configured severities, and the sort.
pub(crate) fn finish(ctx: &LintContext<'_>, mut findings: Vec<Finding>) -> LintOutput {
    if ctx.file.file_name() == CONFIG_FILE
        && ctx
            .config
            .rule_enabled(rules::meta::invalid_config::RULE.meta.code)
    {
        let (_, errors) = parse_config(ctx.source);
        findings.extend(rules::meta::invalid_config::findings(&errors));
    }

    let mut directives = suppression::parse_directives(ctx);
    findings.retain(|f| !suppression::suppress(&mut directives, f, ctx.line_of(f.range.start)));
    if ctx
        .config
        .rule_enabled(rules::meta::unused_suppression::RULE.meta.code)
    {
        let meta = &rules::meta::unused_suppression::RULE.meta;
        for f in suppression::unused(&directives, ctx, meta) {
            if !suppression::suppress(&mut directives, &f, ctx.line_of(f.range.start)) {
                findings.push(f);
            }
        }
    }

    for f in &mut findings {
        if let Some(severity) = ctx.config.rule(f.code).and_then(|r| r.severity) {
            f.severity = severity;
        }
    }
    sort(&mut findings);
    findings
}

/// Sorts findings by position, then code, then message: the order every output uses.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code, &a.message).cmp(&(
            b.range.start,
            b.range.end,
            b.code,
            &b.message,
        ))
    });
}

/// Parses and lints a text on its own (no project facts).
pub fn lint_source(source: &str, file: &FileInfo, config: &Config) -> LintOutput {
    lint_source_in(source, file, config, ProjectIndex::empty())
}

/// Parses and lints a text of a project.
pub fn lint_source_in(
    source: &str,
    file: &FileInfo,
    config: &Config,
    project: &ProjectIndex,
) -> LintOutput {
    let doc = Document::new(source, 0);
    lint_document_in(doc.rope(), doc.tree(), source, file, config, project)
}

/// Lints an already parsed text on its own (no project facts).
pub fn lint_document(
    rope: &Rope,
    tree: &crate::syntax::SyntaxTree,
    source: &str,
    file: &FileInfo,
    config: &Config,
) -> LintOutput {
    lint_document_in(rope, tree, source, file, config, ProjectIndex::empty())
}

/// Lints an already parsed text of a project.
pub fn lint_document_in(
    rope: &Rope,
    tree: &crate::syntax::SyntaxTree,
    source: &str,
    file: &FileInfo,
    config: &Config,
    project: &ProjectIndex,
) -> LintOutput {
    let ctx = LintContext::new(source, rope, tree, file, config).with_project(project);
    lint(&ctx)
}

/// Lints a parsed text of a project and reads its project facts from the same context (one
/// walk of the tree for both), as the server does on every edit.
pub fn lint_document_with_facts(
    rope: &Rope,
    tree: &crate::syntax::SyntaxTree,
    source: &str,
    file: &FileInfo,
    config: &Config,
    project: &ProjectIndex,
) -> (LintOutput, crate::project::FileFacts) {
    let ctx = LintContext::new(source, rope, tree, file, config).with_project(project);
    let findings = lint(&ctx);
    (findings, crate::project::facts::extract(&ctx))
}

/// [`lint_document_with_facts`] after an edit: re-checks only the functions that changed since
/// the lint that filled `cache` (see [`super::incremental`]), with the same findings a full lint
/// gives.
pub fn lint_document_incremental(
    rope: &Rope,
    tree: &crate::syntax::SyntaxTree,
    source: &str,
    file: &FileInfo,
    config: &Config,
    project: &std::sync::Arc<ProjectIndex>,
    cache: &mut super::incremental::LintCache,
) -> (LintOutput, crate::project::FileFacts) {
    let ctx = LintContext::new(source, rope, tree, file, config).with_project(project);
    let findings = super::incremental::lint_incremental(&ctx, project, cache);
    (findings, crate::project::facts::extract(&ctx))
}
