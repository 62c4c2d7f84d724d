//! The two branches of an `if`/`unless` with `else`, in both the `do … else … end` and the
//! keyword (`, do: a, else: b`) forms, and the edit that swaps them; shared by `unless-else` and
//! `negated-condition-with-else`.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::Edit;
use crate::syntax::{elixir, text};

/// Whether the `if`/`unless` call has an `else` branch.
pub(crate) fn has_else(call: Node<'_>, src: &str) -> bool {
    if let Some(block) = elixir::do_block(call) {
        let mut cursor = block.walk();
        return block
            .named_children(&mut cursor)
            .any(|c| c.kind() == "else_block");
    }
    elixir::call_args(call)
        .last()
        .is_some_and(|kw| elixir::keyword_value(*kw, src, "else").is_some())
}

/// The condition: the first argument.
pub(crate) fn condition(call: Node<'_>) -> Option<Node<'_>> {
    elixir::call_args(call)
        .first()
        .copied()
        .filter(|c| c.kind() != "keywords")
}

/// The edits exchanging the `do` and `else` branches, keeping each branch's text, comments and
/// layout.
pub(crate) fn swap_branches(call: Node<'_>, src: &str) -> Option<Vec<Edit>> {
    if let Some(block) = elixir::do_block(call) {
        let do_kw = block.child(0).filter(|c| c.kind() == "do")?;
        let last = u32::try_from(block.child_count().checked_sub(1)?).ok()?;
        let end_kw = block.child(last).filter(|c| c.kind() == "end")?;
        let mut cursor = block.walk();
        let elses: Vec<Node<'_>> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind().ends_with("_block"))
            .collect();
        let [else_block] = elses[..] else {
            return None;
        };
        if else_block.kind() != "else_block" {
            return None;
        }
        let else_kw = else_block.child(0).filter(|c| c.kind() == "else")?;
        if end_kw.is_missing() {
            return None;
        }
        // `get` rather than indexing: a damaged tree must not panic.
        let do_body = src.get(do_kw.end_byte()..else_block.start_byte())?;
        let else_body = src.get(else_kw.end_byte()..end_kw.start_byte())?;
        let swapped = format!("{else_body}else{do_body}");
        return Some(vec![Edit::replace(
            do_kw.end_byte()..end_kw.start_byte(),
            swapped,
        )]);
    }
    let keywords = *elixir::call_args(call).last()?;
    let do_value = elixir::keyword_value(keywords, src, "do")?;
    let else_value = elixir::keyword_value(keywords, src, "else")?;
    Some(vec![
        Edit::replace(do_value.byte_range(), text(else_value, src)),
        Edit::replace(else_value.byte_range(), text(do_value, src)),
    ])
}

/// `!x` or `not x` (also in parentheses): the operator and the negated expression.
pub(crate) fn negation<'t>(cond: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
    let mut node = cond;
    while node.kind() == "block" && node.named_child_count() == 1 {
        node = node.named_child(0)?;
    }
    if node.kind() != "unary_operator" {
        return None;
    }
    let op = elixir::operator(node, src);
    matches!(op, "!" | "not").then_some(())?;
    Some((op, node.field("operand")?))
}
