//! Removal of debugging calls (`IO.inspect`, `dbg`, `IEx.pry`), shared by the rules that offer
//! it: dropping a pipe step, deleting a statement whose value is unused, recognising captures.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::Edit;
use crate::syntax::{elixir, text};

/// `name/arity` of the function around `node`.
pub(crate) fn enclosing_function(node: Node<'_>, src: &str) -> Option<String> {
    let def = elixir::ancestor(node, |n| elixir::is_function_def(n, src))?;
    let def = elixir::function_def(def, src)?;
    Some(format!("{}/{}", def.name, def.params.len()))
}

/// The `&…` capture around `call`, if it is captured (`&IO.inspect/1`, `&IO.inspect(&1, …)`).
pub(crate) fn capture_of<'t>(call: Node<'t>, src: &str) -> Option<Node<'t>> {
    let parent = call.parent()?;
    let capture = if elixir::is_binary_op(parent, src, "/") {
        parent.parent()?
    } else {
        parent
    };
    (capture.kind() == "unary_operator" && elixir::operator(capture, src) == "&").then_some(capture)
}

/// For `lhs |> step`, replaces the pipe by `lhs`.
pub(crate) fn drop_pipe_step(src: &str, step: Node<'_>) -> Option<Edit> {
    let pipe = step
        .parent()
        .filter(|p| elixir::is_binary_op(*p, src, "|>"))?;
    if pipe.field("right")? != step {
        return None;
    }
    let left = pipe.field("left")?;
    Some(Edit::replace(pipe.byte_range(), text(left, src)))
}

/// Whether `node` is a statement of a block whose value is not used (not the block's last).
pub(crate) fn is_dropped_statement(node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    if !matches!(
        parent.kind(),
        "do_block"
            | "body"
            | "source"
            | "else_block"
            | "after_block"
            | "rescue_block"
            | "catch_block"
    ) {
        return false;
    }
    let mut next = node.next_named_sibling();
    while let Some(n) = next {
        if n.kind() != "comment" {
            return !matches!(
                n.kind(),
                "else_block" | "rescue_block" | "catch_block" | "after_block"
            );
        }
        next = n.next_named_sibling();
    }
    false
}

/// Whether evaluating `node` has no side effects worth keeping: variables, literals, module
/// attributes, field and `[]` access, and maps, structs, keyword lists, lists and tuples of those.
pub(crate) fn is_pure(node: Node<'_>, src: &str) -> bool {
    let children_pure = |n: Node<'_>| {
        let mut c = n.walk();
        n.named_children(&mut c)
            .filter(|c| c.kind() != "comment")
            .all(|c| is_pure(c, src))
    };
    match node.kind() {
        "identifier" | "atom" | "integer" | "float" | "boolean" | "nil" | "alias" | "char"
        | "keyword" | "sigil_name" | "sigil_modifiers" => true,
        "string" | "charlist" | "quoted_atom" | "quoted_content" | "escape_sequence" => {
            !text(node, src).contains("#{")
        }
        // `~w(a b)` and `~s"…"` without interpolation are literals.
        "sigil" => !text(node, src).contains("#{") && children_pure(node),
        "unary_operator" => match elixir::operator(node, src) {
            "@" => true,
            "-" | "+" | "!" | "not" => node.field("operand").is_some_and(|o| is_pure(o, src)),
            _ => false,
        },
        "dot" => node.field("left").is_some_and(|l| is_pure(l, src)),
        "call" => {
            // `conn.assigns` is a call without arguments on a variable: field access.
            let target = node.field("target");
            !elixir::has_arguments(node)
                && target.is_some_and(|t| t.kind() == "dot" && is_pure(t, src))
        }
        // `params[:id]`.
        "access_call" => children_pure(node),
        // `%{a: x}`, `%User{name: n}`, `%{state | n: 1}`, `[a: 1]`, `[h | t]`.
        "list" | "tuple" | "map" | "struct" | "map_content" | "keywords" => children_pure(node),
        "pair" => node.field("value").is_some_and(|v| is_pure(v, src)),
        "binary_operator" => {
            matches!(elixir::operator(node, src), "|" | "=>")
                && node.field("left").is_some_and(|l| is_pure(l, src))
                && node.field("right").is_some_and(|r| is_pure(r, src))
        }
        _ => false,
    }
}

/// Deletes a statement with its line when it is alone on it.
pub(crate) fn delete_statement(src: &str, node: Node<'_>) -> Edit {
    if elixir::starts_line(src, node.start_byte()) && elixir::ends_line(src, node.end_byte()) {
        let start = elixir::line_start(src, node.start_byte());
        let end = elixir::line_end_with_terminator(src, node.end_byte());
        Edit::delete(start..end)
    } else {
        Edit::delete(node.byte_range())
    }
}
