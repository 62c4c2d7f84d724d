//! Whether code carries a comment saying why: rules whose findings a reviewer would accept once
//! the author explains the choice (a skipped test, a deliberate catch-all, a fire-and-forget
//! process) look for one here.

use std::ops::Range;

use crate::syntax::Node;

use crate::lint::LintContext;
use crate::syntax::{elixir, text};

/// Whether a comment giving a reason lies inside `range`.
pub(crate) fn comment_within(ctx: &LintContext<'_>, range: Range<usize>) -> bool {
    let comments = &ctx.nodes().comments;
    let first = comments.partition_point(|c| c.start_byte() < range.start);
    comments[first..]
        .iter()
        .take_while(|c| c.end_byte() <= range.end)
        .any(|c| says_something(*c, ctx.source))
}

/// Whether a comment giving a reason ends the line where `node` starts or ends, or fills the line
/// just above it.
pub(crate) fn comment_at(ctx: &LintContext<'_>, node: Node<'_>) -> bool {
    let first_line = ctx.line_of(node.start_byte());
    let last_line = ctx.line_of(node.end_byte());
    ctx.nodes().comments.iter().any(|c| {
        let line = ctx.line_of(c.start_byte());
        says_something(*c, ctx.source)
            && (line == first_line
                || line == last_line
                || (line + 1 == first_line && elixir::starts_line(ctx.source, c.start_byte())))
    })
}

/// A comment that gives a reason: not empty, not a question ("how should we handle errors?"
/// admits the problem), and not a `FIXME` (it says the code is wrong).
fn says_something(comment: Node<'_>, src: &str) -> bool {
    let said = text(comment, src).trim_start_matches('#').trim();
    !said.is_empty() && !said.ends_with('?') && !said.to_ascii_uppercase().starts_with("FIXME")
}
