//! `unused-result`: a call to a pure `String`, `Enum`, `Map`, `Keyword`, `List` or `Tuple`
//! function whose result is thrown away (Credo's `Warning.Unused*Operation` checks).
//!
//! Whether a value is used follows Credo's `UnusedFunctionReturnHelper`: a value flows up
//! through pipes (as the last step), blocks (as their last expression), `if`/`unless`/`case`/
//! `for`/`try` branches and anonymous function bodies; it is used once it is an argument, an
//! operand, a match, a condition, or the return value of the function. Only code inside
//! `def`/`defp`/`defmacro` is checked.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unused-result",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Pure `String`/`Enum`/`Map`/`Keyword`/`List`/`Tuple` calls whose result is discarded",
        docs: RuleDocs {
            why: "Elixir data is immutable: `Map.put(conn_opts, :timeout, 5_000)` on a line of \
                  its own changes nothing, and the code after it still sees the old map. Such a \
                  call is almost always a forgotten rebinding (`opts = Map.put(…)`). As in \
                  Credo, every function of `String`, `List` and `Tuple` counts, and the \
                  side-effect-free functions of `Enum`, `Map` and `Keyword`. Not flagged: \
                  `Enum.each/2` and other functions called for their side effects, results \
                  that are returned, matched, piped onward or passed on, and code outside \
                  function bodies (module bodies, `test` blocks).",
            bad: "def put_defaults(opts) do\n  Keyword.put_new(opts, :timeout, 5_000)\n  Keyword.put_new(opts, :retries, 3)\nend",
            good: "def put_defaults(opts) do\n  opts\n  |> Keyword.put_new(:timeout, 5_000)\n  |> Keyword.put_new(:retries, 3)\nend",
            fix: "Bind or return the result (`opts = Keyword.put_new(opts, …)`), or delete the \
                  call.",
        },
        credo: &[
            "Credo.Check.Warning.UnusedEnumOperation",
            "Credo.Check.Warning.UnusedStringOperation",
            "Credo.Check.Warning.UnusedMapOperation",
            "Credo.Check.Warning.UnusedKeywordOperation",
            "Credo.Check.Warning.UnusedListOperation",
            "Credo.Check.Warning.UnusedTupleOperation",
        ],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Credo's `UnusedEnumOperation` list (functions returning a value, no side effects).
const ENUM: &[&str] = &[
    "all?",
    "any?",
    "at",
    "chunk",
    "chunk_by",
    "concat",
    "count",
    "dedup",
    "dedup_by",
    "drop",
    "drop_while",
    "empty?",
    "fetch",
    "fetch!",
    "filter",
    "filter_map",
    "find",
    "find_index",
    "find_value",
    "flat_map",
    "flat_map_reduce",
    "group_by",
    "intersperse",
    "into",
    "join",
    "map",
    "map_join",
    "map_reduce",
    "max",
    "max_by",
    "member",
    "min",
    "min_by",
    "min_max",
    "min_max_by",
    "partition",
    "random",
    "reduce",
    "reduce_while",
    "reject",
    "reverse",
    "reverse_slice",
    "scan",
    "shuffle",
    "slice",
    "sort",
    "sort_by",
    "split",
    "split_while",
    "sum",
    "take",
    "take_every",
    "take_random",
    "take_while",
    "to_list",
    "uniq",
    "uniq_by",
    "unzip",
    "with_index",
    "zip",
];

/// Credo's `UnusedMapOperation` list.
const MAP: &[&str] = &[
    "delete",
    "drop",
    "equal?",
    "fetch",
    "fetch!",
    "filter",
    "from_keys",
    "from_struct",
    "get",
    "get_and_update",
    "get_and_update!",
    "get_lazy",
    "has_key?",
    "intersect",
    "keys",
    "merge",
    "new",
    "pop",
    "pop!",
    "pop_lazy",
    "put",
    "put_new",
    "put_new_lazy",
    "reject",
    "replace",
    "replace!",
    "replace_lazy",
    "split",
    "split_with",
    "take",
    "to_list",
    "update",
    "update!",
    "values",
];

/// Credo's `UnusedKeywordOperation` list.
const KEYWORD: &[&str] = &[
    "delete",
    "delete_first",
    "drop",
    "equal?",
    "fetch",
    "fetch!",
    "filter",
    "from_keys",
    "get",
    "get_and_update",
    "get_and_update!",
    "get_lazy",
    "get_values",
    "has_key?",
    "keys",
    "keyword?",
    "merge",
    "new",
    "pop",
    "pop!",
    "pop_first",
    "pop_lazy",
    "pop_values",
    "put",
    "put_new",
    "put_new_lazy",
    "reject",
    "replace",
    "replace!",
    "replace_lazy",
    "split",
    "split_with",
    "take",
    "to_list",
    "update",
    "update!",
    "validate",
    "values",
];

/// Calls whose value flows up through their branches (Credo's block operators with a head).
const BRANCHING: &[&str] = &["if", "unless", "case", "for", "quote", "try"];

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    for (call, remote) in ctx.calls_with_remote() {
        if let Some(name) = pure_call(remote)
            && is_discarded(call, src)
        {
            let arity = elixir::call_args(call).len()
                + usize::from(super::pipeline::piped_into(call, src).is_some());
            let hint = if name.starts_with("Enum.") {
                " (use `Enum.each/2` if it runs only for side effects)"
            } else {
                ""
            };
            let message = format!(
                "The result of `{name}/{arity}` is discarded: data is immutable, so bind or return it{hint}"
            );
            out.push(Finding::new(&RULE.meta, call.byte_range(), message));
        }
    }
}

/// `Module.fun` when a call's `elixir::remote_call` names one of the checked pure functions.
fn pure_call(remote: Option<(&str, &str)>) -> Option<String> {
    let (module, fun) = remote?;
    let pure = match module {
        "String" | "List" | "Tuple" => true,
        "Enum" => ENUM.contains(&fun),
        "Map" => MAP.contains(&fun),
        "Keyword" => KEYWORD.contains(&fun),
        _ => false,
    };
    pure.then(|| format!("{module}.{fun}"))
}

fn is_def(node: Node<'_>, src: &str) -> bool {
    matches!(
        elixir::local_call_name(node, src),
        Some("def" | "defp" | "defmacro")
    )
}

/// Whether the value of `call` is thrown away inside a function body.
fn is_discarded(call: Node<'_>, src: &str) -> bool {
    // The enclosing `def` last: most calls are used right where they stand, which the first
    // parent shows, while finding the `def` asks the tree for every ancestor (each a descent
    // from the root).
    drops_value(call, src) && elixir::ancestor(call, |n| is_def(n, src)).is_some()
}

/// Whether the value of `call` is thrown away where it stands (a statement that is not the
/// last of its block, or a value its enclosing constructs drop).
fn drops_value(call: Node<'_>, src: &str) -> bool {
    let mut node = call;
    // The depth bound only guards against pathological trees.
    for _ in 0..256 {
        let Some(parent) = node.parent() else {
            return false;
        };
        match parent.kind() {
            "binary_operator" => {
                if elixir::is_binary_op(parent, src, "|>") && parent.field("right") == Some(node) {
                    node = parent;
                    continue;
                }
                return false;
            }
            "list" | "tuple" | "block" => {
                if parent.kind() == "block" && !is_last_statement(parent, node) {
                    return true;
                }
                node = parent;
            }
            "do_block" | "else_block" | "rescue_block" | "catch_block" | "after_block" | "body" => {
                if !is_last_statement(parent, node) {
                    return true;
                }
                match block_owner(parent, src) {
                    Flow::Used => return false,
                    Flow::Discarded => return true,
                    Flow::Up(owner) => node = owner,
                }
            }
            "pair" => {
                let Some(owner) = parent
                    .parent()
                    .filter(|k| k.kind() == "keywords")
                    .and_then(|k| k.parent())
                    .filter(|a| a.kind() == "arguments")
                    .and_then(|a| a.parent())
                else {
                    return false;
                };
                let key = parent
                    .field("key")
                    .map_or("", |k| elixir::keyword_key(k, src));
                let name = elixir::local_call_name(owner, src).unwrap_or("");
                match key {
                    "do" | "else" if BRANCHING.contains(&name) => node = owner,
                    "after" if name == "try" => return true,
                    _ => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// Where the value of a block's last expression goes.
enum Flow<'t> {
    Used,
    Discarded,
    Up(Node<'t>),
}

/// Follows the last expression of `block` to the construct that owns the block.
fn block_owner<'t>(block: Node<'t>, src: &str) -> Flow<'t> {
    // A clause body: `pattern -> body` inside `case`/`fn`/`rescue`…
    let (container, kind) = if block.kind() == "body" {
        let Some(container) = block.parent().and_then(|clause| clause.parent()) else {
            return Flow::Used;
        };
        if container.kind() == "anonymous_function" {
            return Flow::Up(container);
        }
        (container, container.kind())
    } else {
        (block, block.kind())
    };
    let do_block = if kind == "do_block" {
        Some(container)
    } else {
        container.parent().filter(|p| p.kind() == "do_block")
    };
    let Some(owner) = do_block.and_then(|d| d.parent()) else {
        return Flow::Used;
    };
    let name = elixir::local_call_name(owner, src).unwrap_or("");
    if is_def(owner, src) {
        return Flow::Used;
    }
    if name == "try" && kind == "after_block" {
        return Flow::Discarded;
    }
    if BRANCHING.contains(&name) {
        Flow::Up(owner)
    } else {
        Flow::Used
    }
}

/// Whether `node` is the last expression of `block` (comments and `else`/`rescue`… sub-blocks
/// aside).
fn is_last_statement(block: Node<'_>, node: Node<'_>) -> bool {
    elixir::block_statements(block).last() == Some(&node)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "unused-result";

    #[test]
    fn discarded_updates_are_flagged() {
        let src = "defmodule Shop.Client do\n  def request(opts) do\n    Keyword.put_new(opts, :timeout, 5_000)\n    opts |> Keyword.put_new(:retries, 3)\n    String.trim(opts[:path])\n    Req.get!(opts[:url], opts)\n  end\nend\n";
        let found = findings_of(src, "lib/shop/client.ex", CODE);
        let msgs: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("`Keyword.put_new/3`"));
        assert!(msgs[1].contains("`Keyword.put_new/3`"));
        assert!(msgs[2].contains("`String.trim/1`"));
    }

    #[test]
    fn discarded_branches_are_flagged() {
        let src = "defmodule Shop.Orders do\n  def touch(order, attrs) do\n    if attrs[:note] do\n      Map.put(order, :note, attrs[:note])\n    end\n    case attrs do\n      %{tags: tags} -> Enum.map(tags, &String.downcase/1)\n      _ -> :ok\n    end\n    save(order)\n  end\nend\n";
        assert_eq!(findings_of(src, "lib/a.ex", CODE).len(), 2);
    }

    #[test]
    fn used_results_are_fine() {
        let src = "defmodule ShopWeb.OrderController do\n  def index(conn, params) do\n    opts = Keyword.put_new([], :limit, 10)\n    orders = Shop.list(Map.get(params, \"q\"), opts)\n    Enum.each(orders, &Logger.debug(String.trim(&1.name)))\n    names = for o <- orders, do: String.upcase(o.name)\n    if Enum.empty?(orders), do: Logger.info(\"none\")\n    result =\n      case Map.fetch(params, \"page\") do\n        {:ok, page} -> String.to_integer(page)\n        :error -> 1\n      end\n    Enum.map(orders, fn o ->\n      Map.take(o, [:id])\n    end)\n    |> then(&render(conn, :index, orders: &1, names: names, page: result))\n  end\n\n  def total(order), do: Enum.sum(Enum.map(order.items, & &1.price))\n\n  def safe(x) do\n    String.to_integer(x)\n  rescue\n    _ -> Map.new()\n  end\nend\n";
        assert!(
            findings_of(src, "lib/a.ex", CODE).is_empty(),
            "{:?}",
            findings_of(src, "lib/a.ex", CODE)
        );
    }

    #[test]
    fn pipes_try_after_and_credo_comments() {
        let src = "defmodule Shop.Sync do\n  def run(order) do\n    Map.put(order, :synced, true) |> Repo.update!()\n    try do\n      push(order)\n    after\n      Map.delete(order, :lock)\n    end\n    # credo:disable-for-next-line Credo.Check.Warning.UnusedKeywordOperation\n    Keyword.fetch!(order.opts, :id)\n    :ok\n  end\nend\n";
        let found = findings_of(src, "lib/shop/sync.ex", CODE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`Map.delete/2`"));
    }

    #[test]
    fn code_outside_functions_is_not_checked() {
        let src = "defmodule Shop.OrdersTest do\n  use ExUnit.Case\n  @names Enum.map([:a], &to_string/1)\n  test \"x\" do\n    Enum.map([1], & &1)\n    assert true\n  end\nend\n";
        assert!(findings_of(src, "test/shop/orders_test.exs", CODE).is_empty());
    }
}
