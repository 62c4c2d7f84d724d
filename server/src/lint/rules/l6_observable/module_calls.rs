//! The calls that belong to one module of a file: inside its `defmodule`, outside the modules
//! nested in it. Shared by the L6 rules, which judge a module as a whole.

use crate::syntax::Node;

use crate::lint::LintContext;
use crate::syntax::module_model::ModuleModel;

/// The calls of `module` (from `ctx.nodes().calls`), in document order, without those of
/// nested modules, each with its `elixir::remote_call` (from [`LintContext::remote_calls`]).
pub(crate) fn own_calls<'a>(
    ctx: &LintContext<'a>,
    module: &ModuleModel<'a>,
) -> impl Iterator<Item = (Node<'a>, Option<(&'a str, &'a str)>)> {
    let range = module.def.node.byte_range();
    let calls = &ctx.nodes().calls;
    // Calls are in document order: binary-search the module's slice.
    let start = calls.partition_point(|c| c.start_byte() < range.start);
    let end = calls.partition_point(|c| c.start_byte() < range.end);
    let nested: Vec<std::ops::Range<usize>> = ctx
        .modules()
        .iter()
        .map(|m| m.def.node.byte_range())
        .filter(|r| *r != range && r.start >= range.start && r.end <= range.end)
        .collect();
    calls[start..end]
        .iter()
        .copied()
        .zip(ctx.remote_calls()[start..end].iter().copied())
        .filter(move |(c, _)| c.byte_range() != range)
        .filter(move |(c, _)| !nested.iter().any(|r| r.contains(&c.start_byte())))
}
