//! Reading `Enum` pipelines: `a |> Enum.f(…)` and `Enum.f(a, …)` name the same call; shared by
//! `map-join` and `filter-count`.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::syntax::elixir;

/// Whether `node` is a call to `Enum.<fun>`.
pub(crate) fn is_enum(node: Node<'_>, src: &str, fun: &str) -> bool {
    elixir::remote_call(node, src) == Some(("Enum", fun)) && elixir::has_arguments(node)
}

/// The pipe `lhs |> call` whose right side is `call`, if any.
pub(crate) fn piped_into<'t>(call: Node<'t>, src: &str) -> Option<Node<'t>> {
    call.parent()
        .filter(|p| elixir::is_binary_op(*p, src, "|>") && p.field("right") == Some(call))
}

/// Whether `node` produces the result of `Enum.<fun>`: the call itself (`Enum.map(xs, f)`) or a
/// pipe ending in it (`xs |> Enum.map(f)`).
pub(crate) fn ends_with_enum(node: Node<'_>, src: &str, fun: &str) -> bool {
    if is_enum(node, src, fun) {
        return true;
    }
    elixir::is_binary_op(node, src, "|>")
        && node.field("right").is_some_and(|r| is_enum(r, src, fun))
}

/// The value fed into `call`: the left side of the pipe it is piped into (when the call then
/// has `own_args_when_piped` arguments, if given), or else its first argument when it has
/// exactly `arity` arguments. Credo's patterns fix these counts: `Enum.join(map, sep)`,
/// `|> Enum.count()`.
pub(crate) fn fed_value<'t>(
    call: Node<'t>,
    src: &str,
    own_args_when_piped: Option<usize>,
    arity: usize,
) -> Option<Node<'t>> {
    if let Some(pipe) = piped_into(call, src) {
        let own = elixir::call_args(call).len();
        if own_args_when_piped.is_some_and(|n| n != own) {
            return None;
        }
        return pipe.field("left");
    }
    let args = elixir::call_args(call);
    if args.len() == arity {
        args.first().copied()
    } else {
        None
    }
}
