//! Suppression comments (spec §7).
//!
//! Ours: `# ladder:disable-next-line CODE[, CODE]` and `# ladder:disable-for-this-file CODE`
//! (no code: every rule). The comments of the tools teams already use are honoured for the
//! equivalent rules, so annotated codebases do not light up: `# credo:disable-for-next-line
//! Credo.Check.X.Y` (and `-for-this-file`, `-for-previous-line`, `-for-lines:N`),
//! `# excellent_migrations:safety-assured-for-next-line TYPE` (and `-for-this-file`).
//!
//! "Next line" is the next line that is not only a comment, so directives can be stacked.

use std::ops::Range;

use tree_sitter::Node;

use super::{Edit, Finding, Fix, LintContext, RuleMeta, registry};
use crate::syntax::{self, elixir};

/// Which tool's comment syntax a directive uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `# ladder:…`
    Ladder,
    /// `# credo:…`
    Credo,
    /// `# excellent_migrations:…`
    ExcellentMigrations,
}

/// The lines a directive covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Lines `start..=end` (zero-based).
    Lines(usize, usize),
    /// The whole file.
    File,
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Directive {
    /// Whose syntax.
    pub origin: Origin,
    /// What it covers.
    pub scope: Scope,
    /// The names it lists (rule codes, Credo checks, danger types); `None` means all.
    pub names: Option<Vec<String>>,
    /// The comment's byte range.
    pub range: Range<usize>,
    /// Per listed name, whether it silenced a finding.
    used: Vec<bool>,
    /// Whether it silenced anything at all.
    used_any: bool,
}

/// Every suppression directive in the file.
pub fn parse_directives(ctx: &LintContext<'_>) -> Vec<Directive> {
    ctx.nodes()
        .comments
        .iter()
        .filter_map(|node| parse_comment(*node, ctx))
        .collect()
}

fn parse_comment(node: Node<'_>, ctx: &LintContext<'_>) -> Option<Directive> {
    let body = syntax::text(node, ctx.source)
        .trim_start_matches('#')
        .trim();
    let (origin, rest) = if let Some(rest) = body.strip_prefix("ladder:") {
        (Origin::Ladder, rest)
    } else if let Some(rest) = body.strip_prefix("credo:") {
        (Origin::Credo, rest)
    } else if let Some(rest) = body.strip_prefix("excellent_migrations:") {
        (Origin::ExcellentMigrations, rest)
    } else {
        return None;
    };
    let (verb, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let line = ctx.line_of(node.start_byte());
    let next = next_code_line(ctx, line);
    let scope = match (origin, verb) {
        (Origin::Ladder, "disable-next-line") => Scope::Lines(next, next),
        (Origin::Ladder, "disable-for-this-file") => Scope::File,
        (Origin::Credo, "disable-for-next-line") => Scope::Lines(next, next),
        (Origin::Credo, "disable-for-previous-line") => {
            Scope::Lines(line.saturating_sub(1), line.saturating_sub(1))
        }
        (Origin::Credo, "disable-for-this-file") => Scope::File,
        (Origin::Credo, v) if v.starts_with("disable-for-lines:") => {
            let n: usize = v["disable-for-lines:".len()..].parse().ok()?;
            Scope::Lines(line + 1, line + n.max(1))
        }
        (Origin::ExcellentMigrations, "safety-assured-for-next-line") => Scope::Lines(next, next),
        (Origin::ExcellentMigrations, "safety-assured-for-this-file") => Scope::File,
        _ => return None,
    };
    let names: Vec<String> = args
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let used = vec![false; names.len()];
    let names = (!names.is_empty()).then_some(names);
    Some(Directive {
        origin,
        scope,
        names,
        range: node.byte_range(),
        used,
        used_any: false,
    })
}

/// The first line after `line` that is not blank-with-a-comment only, i.e. holds code.
fn next_code_line(ctx: &LintContext<'_>, line: usize) -> usize {
    let mut l = line + 1;
    while l < ctx.rope.len_lines() {
        let text = ctx.rope.line(l).to_string();
        if !text.trim_start().starts_with('#') {
            return l;
        }
        l += 1;
    }
    l
}

impl Directive {
    fn covers(&self, line: usize) -> bool {
        match self.scope {
            Scope::File => true,
            Scope::Lines(start, end) => (start..=end).contains(&line),
        }
    }

    /// Whether this directive's names select `meta`'s rule; marks the names used.
    fn select(&mut self, meta: &RuleMeta) -> bool {
        let aliases: &[&str] = match self.origin {
            Origin::Ladder => &[],
            Origin::Credo => meta.credo,
            Origin::ExcellentMigrations => meta.excellent_migrations,
        };
        match &self.names {
            // A bare ladder directive silences every rule; a bare Credo one every rule that
            // stands for a Credo check; excellent_migrations requires a type.
            None => self.origin == Origin::Ladder || !aliases.is_empty(),
            Some(names) => {
                let mut hit = false;
                for (i, name) in names.iter().enumerate() {
                    let matches = match self.origin {
                        Origin::Ladder => name == meta.code,
                        Origin::Credo => aliases
                            .iter()
                            .any(|a| a == name || a.strip_prefix("Credo.Check.") == Some(name)),
                        Origin::ExcellentMigrations => aliases.contains(&name.as_str()),
                    };
                    if matches {
                        self.used[i] = true;
                        hit = true;
                    }
                }
                hit
            }
        }
    }
}

/// Whether a directive silences `finding` (which starts on `line`); marks what was used.
pub fn suppress(directives: &mut [Directive], finding: &Finding, line: usize) -> bool {
    let Some(rule) = registry::find(finding.code) else {
        return false;
    };
    let mut suppressed = false;
    for d in directives.iter_mut() {
        // A directive never silences the finding about itself.
        if d.range == finding.range || !d.covers(line) {
            continue;
        }
        if d.select(&rule.meta) {
            d.used_any = true;
            suppressed = true;
        }
    }
    suppressed
}

/// `unused-suppression` findings for `ladder:` directives that silenced nothing.
pub fn unused(directives: &[Directive], ctx: &LintContext<'_>, meta: &RuleMeta) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in directives.iter().filter(|d| d.origin == Origin::Ladder) {
        let text = syntax::text_range(ctx.source, &d.range);
        match &d.names {
            None if !d.used_any => {
                let msg = format!("`{text}` suppresses nothing");
                out.push(Finding::new(meta, d.range.clone(), msg).with_fix(delete_comment(ctx, d)));
            }
            None => {}
            Some(names) => {
                let mut keep = Vec::new();
                let mut unused = Vec::new();
                for (name, used) in names.iter().zip(&d.used) {
                    match registry::find(name) {
                        None => unused.push(format!("unknown rule `{name}`")),
                        // Rules that are off, or whose findings come from the mix gates, cannot
                        // be judged here: keep them without complaint.
                        Some(rule)
                            if *used || rule.check.is_none() || !ctx.config.rule_enabled(name) =>
                        {
                            keep.push(name.as_str())
                        }
                        Some(_) => unused.push(format!("`{name}`")),
                    }
                }
                if unused.is_empty() {
                    continue;
                }
                let msg = format!("suppression of {} silences nothing here", unused.join(", "));
                let fix = if keep.is_empty() {
                    delete_comment(ctx, d)
                } else {
                    let verb = text
                        .trim_start_matches('#')
                        .split_whitespace()
                        .next()
                        .unwrap_or("");
                    let new_text = format!("# {verb} {}", keep.join(", "));
                    Fix::safe(
                        "Remove the unused codes",
                        vec![Edit::replace(d.range.clone(), new_text)],
                    )
                };
                out.push(Finding::new(meta, d.range.clone(), msg).with_fix(fix));
            }
        }
    }
    out
}

/// Deletes a comment: the whole line when it stands alone, else the comment and the spaces
/// before it.
fn delete_comment(ctx: &LintContext<'_>, d: &Directive) -> Fix {
    let src = ctx.source;
    let range = if elixir::starts_line(src, d.range.start) {
        elixir::line_start(src, d.range.start)..elixir::line_end_with_terminator(src, d.range.end)
    } else {
        let before = src[..d.range.start].trim_end_matches([' ', '\t']).len();
        before..d.range.end
    };
    Fix::safe(
        "Delete the unused suppression comment",
        vec![Edit::delete(range)],
    )
}
