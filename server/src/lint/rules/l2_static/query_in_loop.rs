//! `query-in-loop`: a `Repo` read (`Repo.get`, `Repo.all`, `Repo.preload`…) run once per
//! element of a collection — inside an `Enum.*`/`Stream.*` callback, a `for` body or a
//! `Task.async_stream` function. That is the N+1 pattern: one query for the list, then one more
//! for each item, where one query (a join, `preload` on the whole list, `where: x.id in ^ids`)
//! would do.
//!
//! A local function that itself reads from the Repo counts too, one level deep:
//! `Enum.map(users, &load_posts/1)` with `defp load_posts(u), do: Repo.preload(u, :posts)`.

use crate::syntax::Fields as _;
use std::collections::HashMap;

use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::module_model::Function;
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "query-in-loop",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "a `Repo` query inside an `Enum`/`Stream` callback, a `for` body or \
                  `Task.async_stream`: N+1",
        docs: RuleDocs {
            why: "A query per element turns one page view into hundreds of database round trips \
                  (the N+1 problem): fast in development with ten rows, slow and load-heavy in \
                  production with ten thousand. One query can almost always fetch the same data: \
                  `Repo.preload` on the whole list, a `join` with `preload`, or \
                  `where: x.id in ^ids`. Not flagged: writes (`insert`/`update`/`delete` per \
                  element are often deliberate, one changeset each), loops over a collection \
                  written out in the code (a list literal, also in a variable, a literal range, a \
                  module attribute: a fixed number of queries), reduces over `{:option, value}` \
                  filters, loops over `chunk_every` batches, pagination with \
                  `Stream.resource`/`Stream.unfold`, test files and scripts, helpers with several \
                  clauses or more than two statements, a helper calling itself from its own loop \
                  (a tree walk), and helpers more than one call away.",
            bad: "def list_authors(posts) do\n  Enum.map(posts, fn post ->\n    Repo.get!(User, post.author_id)\n  end)\nend",
            good: "def list_authors(posts) do\n  ids = Enum.map(posts, & &1.author_id)\n  Repo.all(from u in User, where: u.id in ^ids)\nend",
            fix: "Fetch for the whole collection at once: `Repo.preload(posts, :author)`, a join \
                  with `preload: [author: a]`, or one query with `where: x.id in ^ids`.",
        },
        scope: crate::lint::Scope::Mentions(&["Repo"]),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Repo functions that read: each call is a database round trip.
const READS: &[&str] = &[
    "all",
    "all_by",
    "one",
    "one!",
    "get",
    "get!",
    "get_by",
    "get_by!",
    "preload",
    "aggregate",
    "exists?",
    "reload",
    "reload!",
    "query",
    "query!",
];

/// `Stream` functions whose callbacks run once, or drive deliberate pagination, not once per
/// element of a collection.
const NOT_PER_ELEMENT: &[&str] = &[
    "resource",
    "unfold",
    "iterate",
    "repeatedly",
    "interval",
    "timer",
];

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    // Each call's Repo read, read once for the helpers and for the loop below.
    let calls = &ctx.nodes().calls;
    let reads: Vec<Option<String>> = calls
        .iter()
        .zip(ctx.remote_calls())
        .map(|(c, remote)| repo_read(*c, *remote, src))
        .collect();
    let helpers = repo_helpers(ctx, &reads);
    for (call, read) in calls.iter().zip(&reads) {
        if let Some(read) = read {
            if let Some(f) = check_read(ctx, *call, read) {
                out.push(f);
            }
        } else if let Some(f) = check_helper_call(ctx, *call, &helpers) {
            out.push(f);
        }
    }
    if helpers.is_empty() {
        return;
    }
    // `&card/1`: a local capture is `identifier / integer`, not a call.
    for op in &ctx.nodes().binary_operators {
        if let Some(f) = check_helper_capture(ctx, *op, &helpers) {
            out.push(f);
        }
    }
}

/// `Repo.get/3`-style name of a Repo read call (whose `elixir::remote_call` is `remote`), or
/// `None`.
fn repo_read(call: Node<'_>, remote: Option<(&str, &str)>, src: &str) -> Option<String> {
    let (module, fun) = remote?;
    let last = module.rsplit('.').next().unwrap_or(module);
    if !last.ends_with("Repo") || !READS.contains(&fun) {
        return None;
    }
    Some(format!("{module}.{fun}/{}", call_arity(call, src)))
}

/// The arity of a call, counting the piped-in argument and `&f/2` captures.
fn call_arity(call: Node<'_>, src: &str) -> usize {
    let parent = call.parent();
    if let Some(parent) = parent
        && elixir::is_binary_op(parent, src, "/")
        && parent.field("left") == Some(call)
        && let Some(n) = parent.field("right")
    {
        return text(n, src).parse().unwrap_or(0);
    }
    let piped = parent
        .is_some_and(|p| elixir::is_binary_op(p, src, "|>") && p.field("right") == Some(call));
    elixir::call_args(call).len() + usize::from(piped)
}

fn check_read(ctx: &LintContext<'_>, call: Node<'_>, read: &str) -> Option<Finding> {
    let src = ctx.source;
    // One descent for every question about the call's ancestors.
    let chain = elixir::ancestors(call);
    if in_quote(&chain, src) {
        return None;
    }
    let loop_name = enclosing_loop(ctx, call, &chain)?;
    let message = format!(
        "`{read}` inside {loop_name}{} runs one query per element (N+1); query the whole \
         collection at once (`preload` on the list, a join, or `where: x.id in ^ids`)",
        place_in(&chain, src)
    );
    Some(Finding::new(&RULE.meta, call.byte_range(), message))
}

/// Small local functions of the file that read from the Repo, by (module node id, name,
/// arity), with the first such call's name.
type Helpers = HashMap<(usize, String, usize), String>;

/// Most statements a helper may have to count as a query wrapper (`defp batch_info(b), do:
/// %{id: b.id, patches: Repo.all(...)}`). Bigger functions and multi-clause dispatchers do much
/// more per element (API calls, processes) and the query is incidental: calling them in a loop
/// is a design choice a reviewer would not call N+1.
const HELPER_MAX_STATEMENTS: usize = 2;

/// The Repo read a function wraps when it counts as a helper (see [`repo_helpers`]): what
/// the findings of its callers read of it, for the incremental re-lint's summaries. `ctx`
/// must hold the function's calls.
pub(crate) fn helper_read(ctx: &LintContext<'_>, function: &Function<'_>) -> Option<String> {
    let [clause] = function.clauses.as_slice() else {
        return None;
    };
    let body = clause.body?;
    let statements = if body.kind() == "do_block" {
        elixir::block_statements(body).len()
    } else {
        1
    };
    if statements > HELPER_MAX_STATEMENTS {
        return None;
    }
    let range = body.byte_range();
    let calls = &ctx.nodes().calls;
    let start = calls.partition_point(|c| c.start_byte() < range.start);
    calls[start..]
        .iter()
        .zip(&ctx.remote_calls()[start..])
        .take_while(|(c, _)| c.start_byte() < range.end)
        .find_map(|(c, remote)| repo_read(*c, *remote, ctx.source))
}

/// `reads` holds [`repo_read`] of each of the file's calls.
fn repo_helpers(ctx: &LintContext<'_>, reads: &[Option<String>]) -> Helpers {
    let reads: Vec<(Node<'_>, &String)> = ctx
        .nodes()
        .calls
        .iter()
        .zip(reads)
        .filter_map(|(c, read)| Some((*c, read.as_ref()?)))
        .collect();
    let mut helpers = Helpers::new();
    if reads.is_empty() {
        return helpers;
    }
    for module in ctx.modules() {
        for function in &module.functions {
            let [clause] = function.clauses.as_slice() else {
                continue;
            };
            let Some(body) = clause.body else { continue };
            let statements = if body.kind() == "do_block" {
                elixir::block_statements(body).len()
            } else {
                1
            };
            if statements > HELPER_MAX_STATEMENTS {
                continue;
            }
            let range = body.byte_range();
            let Some((_, read)) = reads.iter().find(|(c, _)| range.contains(&c.start_byte()))
            else {
                continue;
            };
            for arity in function.min_arity..=function.arity {
                helpers.insert(
                    (module.def.node.id(), function.name.to_string(), arity),
                    String::clone(read),
                );
            }
        }
    }
    helpers
}

/// A call of a local Repo-reading function inside a loop callback.
fn check_helper_call(ctx: &LintContext<'_>, call: Node<'_>, helpers: &Helpers) -> Option<Finding> {
    if helpers.is_empty() {
        return None;
    }
    let src = ctx.source;
    let name = elixir::local_call_name(call, src)?;
    // Most local calls are not helpers: a name test before walking up to the module.
    if !helpers.keys().any(|(_, n, _)| n == name) {
        return None;
    }
    // One descent for every question about the call's ancestors.
    let chain = elixir::ancestors(call);
    let module = innermost(&chain, |n| elixir::module_def(n, src).is_some())?;
    let arity = call_arity(call, src);
    let read = helpers.get(&(module.id(), name.to_string(), arity))?;
    if in_quote(&chain, src) {
        return None;
    }
    // A helper calling itself from its own loop walks a tree (sub-flows, child categories):
    // one query per level is how such a walk goes, not a batchable N+1.
    if innermost(&chain, |n| elixir::is_function_def(n, src))
        .and_then(|d| elixir::function_def(d, src))
        .is_some_and(|d| d.name == name && d.arities(src).contains(&arity))
    {
        return None;
    }
    let loop_name = enclosing_loop(ctx, call, &chain)?;
    let message = format!(
        "`{name}/{}` (which calls `{read}`) inside {loop_name}{} runs one query per element \
         (N+1); query the whole collection at once",
        arity,
        place_in(&chain, src)
    );
    Some(Finding::new(&RULE.meta, call.byte_range(), message))
}

/// A `&name/arity` capture of a local Repo-reading function passed to a loop.
fn check_helper_capture(ctx: &LintContext<'_>, op: Node<'_>, helpers: &Helpers) -> Option<Finding> {
    let src = ctx.source;
    // The operator first: `Node::parent` descends from the root, and most operators are no `/`.
    if !elixir::is_binary_op(op, src, "/") {
        return None;
    }
    let capture = op.parent()?;
    if !is_callback(capture, src) {
        return None;
    }
    let name = op.field("left").filter(|n| n.kind() == "identifier")?;
    let arity: usize = text(op.field("right")?, src).parse().ok()?;
    let name = text(name, src);
    let module = enclosing_module(op, src)?;
    let read = helpers.get(&(module.id(), name.to_string(), arity))?;
    let loop_name = loop_of_callback(ctx, capture)?;
    let message = format!(
        "`{name}/{arity}` (which calls `{read}`) inside {loop_name}{} runs one query per element \
         (N+1); query the whole collection at once",
        place(op, src)
    );
    Some(Finding::new(&RULE.meta, capture.byte_range(), message))
}

/// The loop `node` runs in, described (`the \`Enum.map/2\` callback`, `a \`for\` body`), when
/// it runs once per element of a collection of unknown size. Stops at the enclosing function.
/// `chain` is `node`'s ancestors ([`elixir::ancestors`]).
fn enclosing_loop<'t>(ctx: &LintContext<'_>, node: Node<'t>, chain: &[Node<'t>]) -> Option<String> {
    let src = ctx.source;
    let mut child = node;
    for &n in chain.iter().rev() {
        if elixir::is_function_def(n, src) || elixir::module_def(n, src).is_some() {
            return None;
        }
        if is_callback(n, src)
            && let Some(desc) = loop_of_callback(ctx, n)
        {
            return Some(desc);
        }
        if let Some(desc) = for_body(ctx, n, child) {
            return Some(desc);
        }
        child = n;
    }
    None
}

/// `fn … end` or a `&…` capture.
fn is_callback(node: Node<'_>, src: &str) -> bool {
    node.kind() == "anonymous_function"
        || (node.kind() == "unary_operator" && elixir::operator(node, src) == "&")
}

/// When `callback` is an argument of an iterating `Enum`/`Stream`/`Task.async_stream` call over
/// a collection of unknown size, that call described.
fn loop_of_callback(ctx: &LintContext<'_>, callback: Node<'_>) -> Option<String> {
    let src = ctx.source;
    let args = callback.parent().filter(|p| p.kind() == "arguments")?;
    let call = args.parent()?;
    let (module, fun) = elixir::remote_call(call, src)?;
    let iterates = match module {
        "Enum" => true,
        "Stream" => !NOT_PER_ELEMENT.contains(&fun),
        "Task" | "Task.Supervisor" => fun.starts_with("async_stream"),
        "Flow" => true,
        _ => false,
    };
    if !iterates {
        return None;
    }
    if let Some(collection) = collection_of(call, src)
        && is_bounded(ctx, collection)
    {
        return None;
    }
    if iterates_options(callback) {
        return None;
    }
    Some(format!(
        "the `{module}.{fun}/{}` callback",
        call_arity(call, src)
    ))
}

/// The collection an `Enum`-style call iterates: the piped-in value or its first argument
/// (`Task.Supervisor.async_stream(sup, items, fun)` takes it second).
fn collection_of<'t>(call: Node<'t>, src: &str) -> Option<Node<'t>> {
    if let Some(parent) = call.parent()
        && elixir::is_binary_op(parent, src, "|>")
        && parent.field("right") == Some(call)
    {
        return parent.field("left");
    }
    let args = elixir::call_args(call);
    let index =
        usize::from(elixir::remote_call(call, src).is_some_and(|(m, _)| m == "Task.Supervisor"));
    args.get(index).copied()
}

/// When `node` is the body of a `for` reached from `child`, `a \`for\` body`; `None` when the
/// comprehension only runs over constants.
fn for_body<'t>(ctx: &LintContext<'_>, node: Node<'t>, child: Node<'t>) -> Option<String> {
    let src = ctx.source;
    let body_of_for = |call: Node<'t>| (elixir::is_local_call(call, src, "for")).then_some(call);
    let call = match node.kind() {
        "do_block" => body_of_for(node.parent()?)?,
        // `for x <- xs, do: body`: the `do:` pair's value.
        "pair" => {
            let key = node.field("key")?;
            if elixir::keyword_key(key, src) != "do" || node.field("value") != Some(child) {
                return None;
            }
            body_of_for(node.parent()?.parent()?.parent()?)?
        }
        // `for o <- orders, c <- Repo.all(assoc(o, :c)), Repo.exists?(q(c))`: a later
        // generator or a filter runs once per element of the generators before it.
        "arguments" if child.kind() != "keywords" => {
            let call = body_of_for(node.parent()?)?;
            let before: Vec<_> = elixir::call_args(call)
                .into_iter()
                .take_while(|a| *a != child)
                .filter(|a| elixir::is_binary_op(*a, src, "<-"))
                .collect();
            let per_element = !before.is_empty()
                && !before
                    .iter()
                    .all(|g| g.field("right").is_some_and(|c| is_bounded(ctx, c)));
            return per_element.then(|| "a `for` generator or filter".to_string());
        }
        _ => return None,
    };
    let generators: Vec<_> = elixir::call_args(call)
        .into_iter()
        .filter(|a| elixir::is_binary_op(*a, src, "<-"))
        .collect();
    let constant = !generators.is_empty()
        && generators
            .iter()
            .all(|g| g.field("right").is_some_and(|c| is_bounded(ctx, c)));
    (!constant).then(|| "a `for` body".to_string())
}

/// A collection whose size does not grow with the data: written out in the code (a list
/// literal, even of computed elements, a literal range, a module attribute, `@a ++ @b`, or a
/// variable bound to one of those earlier in the function), or split into batches.
fn is_bounded(ctx: &LintContext<'_>, collection: Node<'_>) -> bool {
    let src = ctx.source;
    if is_fixed_size(collection, src) || is_batched(collection, src) {
        return true;
    }
    if collection.kind() != "identifier" {
        return false;
    }
    // `queries = ["DELETE …", "DELETE …"]` then `Enum.each(queries, …)`.
    let name = text(collection, src);
    let Some(def) = enclosing_def(collection, src) else {
        return false;
    };
    let scope = def.byte_range();
    ctx.nodes()
        .binary_operators
        .iter()
        .rfind(|op| {
            scope.contains(&op.start_byte())
                && op.end_byte() <= collection.start_byte()
                && elixir::operator(**op, src) == "="
                && op
                    .field("left")
                    .is_some_and(|l| l.kind() == "identifier" && text(l, src) == name)
        })
        .and_then(|op| op.field("right"))
        .is_some_and(|r| is_fixed_size(r, src))
}

/// A collection with as many elements as the code writes out.
fn is_fixed_size(node: Node<'_>, src: &str) -> bool {
    match node.kind() {
        // `[h | t]` has a tail of any length.
        "list" => {
            let mut c = node.walk();
            !node
                .named_children(&mut c)
                .any(|n| elixir::is_binary_op(n, src, "|"))
        }
        "tuple" | "map" => true,
        // `(@tables ++ @meta)`
        "block" => {
            let mut c = node.walk();
            let inner: Vec<_> = node
                .named_children(&mut c)
                .filter(|n| n.kind() != "comment")
                .collect();
            matches!(inner.as_slice(), [one] if is_fixed_size(*one, src))
        }
        "binary_operator" => match elixir::operator(node, src) {
            "++" => ["left", "right"]
                .iter()
                .all(|f| node.field(f).is_some_and(|n| is_fixed_size(n, src))),
            _ => is_constant(node, src),
        },
        _ => is_constant(node, src),
    }
}

/// `Enum.reduce(filters, query, fn {:status, s}, q -> … end)`: a callback whose clauses match
/// `{:option, value}` pairs walks a list of options, not of records.
fn iterates_options(callback: Node<'_>) -> bool {
    if callback.kind() != "anonymous_function" {
        return false;
    }
    let mut c = callback.walk();
    let clauses: Vec<_> = callback
        .named_children(&mut c)
        .filter(|n| n.kind() == "stab_clause")
        .collect();
    clauses.iter().any(|clause| {
        let first = clause.field("left").and_then(|args| args.named_child(0));
        let first = match first {
            Some(n) if n.kind() == "binary_operator" => n.field("left"),
            other => other,
        };
        first.is_some_and(|t| {
            t.kind() == "tuple" && t.named_child(0).is_some_and(|a| a.kind() == "atom")
        })
    })
}

/// A literal collection, a literal range or a module attribute: a fixed number of elements.
fn is_constant(node: Node<'_>, src: &str) -> bool {
    match node.kind() {
        "integer" | "float" | "atom" | "quoted_atom" | "boolean" | "nil" | "alias" | "char"
        | "keyword" => true,
        "string" | "charlist" => !text(node, src).contains("#{"),
        "list" | "tuple" | "keywords" | "pair" => {
            let mut c = node.walk();
            node.named_children(&mut c)
                .filter(|n| n.kind() != "comment")
                .all(|n| is_constant(n, src))
        }
        "binary_operator" => {
            matches!(elixir::operator(node, src), ".." | "//")
                && ["left", "right"]
                    .iter()
                    .all(|f| node.field(f).is_some_and(|n| is_constant(n, src)))
        }
        "unary_operator" => match elixir::operator(node, src) {
            "@" => true,
            "-" => node.field("operand").is_some_and(|n| is_constant(n, src)),
            _ => false,
        },
        _ => false,
    }
}

/// A collection split into batches (`Enum.chunk_every/2`, `Stream.chunk_every/2`): one query per
/// batch is the fix for N+1, not an instance of it.
fn is_batched(node: Node<'_>, src: &str) -> bool {
    let last = if elixir::is_binary_op(node, src, "|>") {
        node.field("right")
    } else {
        Some(node)
    };
    last.and_then(|n| elixir::remote_call(n, src))
        .is_some_and(|(m, f)| matches!(m, "Enum" | "Stream") && f.starts_with("chunk"))
}

fn enclosing_def<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    elixir::ancestor(node, |n| elixir::is_function_def(n, src))
}

fn enclosing_module<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    elixir::ancestor(node, |n| elixir::module_def(n, src).is_some())
}

/// ` in \`name/arity\``, naming the function around `node`.
/// The innermost of `chain` (ancestors, root first) for which `pred` holds.
fn innermost<'t>(chain: &[Node<'t>], mut pred: impl FnMut(Node<'t>) -> bool) -> Option<Node<'t>> {
    chain.iter().rev().copied().find(|n| pred(*n))
}

/// Whether one of `chain` (a node's ancestors) is a `quote` ([`elixir::inside_quote`]).
fn in_quote(chain: &[Node<'_>], src: &str) -> bool {
    chain
        .iter()
        .any(|n| elixir::is_local_call(*n, src, "quote"))
}

/// [`place`] from the node's ancestors.
fn place_in(chain: &[Node<'_>], src: &str) -> String {
    innermost(chain, |n| elixir::is_function_def(n, src))
        .and_then(|d| elixir::function_def(d, src))
        .map(|d| format!(" in `{}/{}`", d.name, d.params.len()))
        .unwrap_or_default()
}

fn place(node: Node<'_>, src: &str) -> String {
    enclosing_def(node, src)
        .and_then(|d| elixir::function_def(d, src))
        .map(|d| format!(" in `{}/{}`", d.name, d.params.len()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "query-in-loop";

    fn found(src: &str) -> Vec<String> {
        findings_of(src, "lib/shop/accounts.ex", CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn preload_per_element_is_flagged() {
        let src = r#"defmodule Shop.Accounts do
  alias Shop.Repo

  def list_users_with_posts do
    User
    |> Repo.all()
    |> Enum.map(fn user -> Repo.preload(user, :posts) end)
  end

  def with_orders(users), do: Enum.map(users, &Repo.preload(&1, :orders))
end
"#;
        let msgs = found(src);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("`Repo.preload/2`"), "{}", msgs[0]);
        assert!(msgs[0].contains("`Enum.map/2` callback"), "{}", msgs[0]);
        assert!(msgs[0].contains("`list_users_with_posts/0`"), "{}", msgs[0]);
        assert!(msgs[1].contains("`with_orders/1`"), "{}", msgs[1]);
    }

    #[test]
    fn gets_in_for_bodies_streams_and_tasks_are_flagged() {
        let src = r#"defmodule ShopWeb.OrderController do
  alias Shop.{Repo, Product}

  def summary(conn, %{"items" => items}) do
    lines =
      for %{"product_id" => id, "qty" => qty} <- items do
        product = Repo.get!(Product, id)
        {product.name, qty}
      end

    render(conn, :summary, lines: lines)
  end

  def prices(ids), do: for(id <- ids, do: Shop.Repo.get(Product, id).price)

  def warm(ids) do
    ids
    |> Task.async_stream(fn id -> Repo.get(Product, id) end, max_concurrency: 4)
    |> Stream.run()
  end

  def stock(ids) do
    ids |> Stream.map(&Repo.get_by(Stock, product_id: &1)) |> Enum.to_list()
  end

  def loaded(ids), do: Enum.map(ids, &Repo.reload!/1)

  def active(orders) do
    for order <- Repo.all(Order),
        Repo.exists?(from l in Line, where: l.order_id == ^order.id),
        line <- Repo.all(Ecto.assoc(order, :lines)),
        do: line
  end
end
"#;
        let msgs = found(src);
        assert_eq!(msgs.len(), 7, "{msgs:?}");
        assert!(
            msgs[5].contains("a `for` generator or filter"),
            "{}",
            msgs[5]
        );
        assert!(msgs[0].contains("a `for` body"), "{}", msgs[0]);
        assert!(msgs[2].contains("`Task.async_stream/3`"), "{}", msgs[2]);
        assert!(msgs[4].contains("`Repo.reload!/1`"), "{}", msgs[4]);
    }

    #[test]
    fn transactions_around_loops_are_not_loops() {
        let src = r#"defmodule Shop.Orders do
  alias Shop.Repo

  def place_all(changesets) do
    Repo.transaction(fn ->
      Enum.each(changesets, &Repo.insert!/1)
      Repo.all(Order)
    end)
  end

  def archive(orders) do
    Enum.each(orders, fn order ->
      order |> Order.archive_changeset() |> Repo.update!()
    end)
  end

  def totals do
    Repo.all(Order) |> Enum.map(& &1.total)
  end

  def names(ids) do
    Enum.map(Repo.all(from p in Product, where: p.id in ^ids), & &1.name)
  end
end
"#;
        assert!(found(src).is_empty(), "{:?}", found(src));
    }

    #[test]
    fn a_transaction_inside_a_loop_still_reads_per_element() {
        let src = r#"defmodule Shop.Orders do
  def refresh(orders) do
    Enum.each(orders, fn order ->
      Repo.transaction(fn -> Repo.get!(Order, order.id) end)
    end)
  end
end
"#;
        assert_eq!(found(src).len(), 1);
    }

    #[test]
    fn constant_collections_batches_and_pagination_are_not_n_plus_one() {
        let src = r#"defmodule Shop.Settings do
  @keys [:currency, :tax_rate]

  def defaults do
    Enum.map([:currency, :tax_rate, :locale], fn key -> Repo.get_by(Setting, key: key) end)
  end

  def loaded, do: Enum.map(@keys, &Repo.get_by(Setting, key: &1))

  def shards, do: for(n <- 1..4, do: Repo.aggregate(shard_query(n), :count))

  def export(ids) do
    ids
    |> Enum.chunk_every(500)
    |> Enum.flat_map(fn batch -> Repo.all(from p in Product, where: p.id in ^batch) end)
  end

  def purge(org_id) do
    queries = [
      "DELETE FROM messages WHERE organization_id = #{org_id}",
      "DELETE FROM contacts WHERE organization_id = #{org_id}"
    ]

    Enum.each(queries, fn sql -> Repo.query!(sql, [], timeout: 300_000) end)
    [fix_numbers(org_id), reset_counters(org_id)] |> Enum.each(&Repo.query!(&1, []))
    (@tables ++ @meta) |> Enum.map(fn t -> Repo.query!("SELECT count(*) FROM #{t}") end)
  end

  def filter_with(query, filters) do
    Enum.reduce(filters, query, fn
      {:tags, tags}, q ->
        ids = MessageTag |> where([t], t.tag_id in ^tags) |> select([t], t.message_id) |> Repo.all()
        where(q, [m], m.id in ^ids)

      _, q ->
        q
    end)
  end

  def pages do
    Stream.resource(fn -> 0 end, fn offset -> {Repo.all(page(offset)), offset + 100} end, fn _ -> :ok end)
  end
end
"#;
        assert!(found(src).is_empty(), "{:?}", found(src));
    }

    #[test]
    fn a_variable_bound_to_a_list_of_unknown_length_is_still_a_loop() {
        let src = r#"defmodule Shop.Catalog do
  def prices(products) do
    ids = Enum.map(products, & &1.id)
    Enum.map(ids, fn id -> Repo.get!(Price, id) end)
  end

  def pairs(users) do
    users = [current() | users]
    Enum.map(users, &Repo.preload(&1, :team))
  end
end
"#;
        assert_eq!(found(src).len(), 2, "{:?}", found(src));
    }

    #[test]
    fn local_helpers_one_level_deep_are_flagged() {
        let src = r#"defmodule Shop.Catalog do
  def cards(products) do
    Enum.map(products, fn p -> card(p) end)
  end

  def cards_captured(products), do: Enum.map(products, &card/1)

  def titles(products), do: Enum.map(products, &title/1)

  def notify_all(orders), do: Enum.each(orders, &notify/1)

  def render_all(items), do: Enum.map(items, &render/1)

  defp card(product) do
    product = Repo.preload(product, :images)
    %{name: product.name, images: product.images}
  end

  defp title(product), do: String.upcase(product.name)

  # A tree walk: the recursion is not flagged.
  defp tree(category), do: %{category | children: Enum.map(children(category), &tree(&1))}
  defp children(category), do: Repo.all(Ecto.assoc(category, :children))
  defp walk(c), do: Enum.map(Repo.all(Ecto.assoc(c, :children)), fn child -> walk(child) end)

  # Real work per element; the query is incidental.
  defp notify(order) do
    user = Repo.get!(User, order.user_id)
    Mailer.deliver(OrderEmail.shipped(user, order))
    Logger.info("notified #{user.id}")
  end

  # A dispatcher: one clause of several reads.
  defp render(%Post{} = post), do: Repo.preload(post, :author)
  defp render(other), do: other
end
"#;
        let msgs = found(src);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].contains("`card/1` (which calls `Repo.preload/2`)"),
            "{}",
            msgs[0]
        );
    }

    #[test]
    fn other_modules_tests_scripts_and_quotes_are_left_alone() {
        let src = "def f(xs), do: Enum.map(xs, &Cache.get(&1))\ndef g(xs), do: Enum.map(xs, fn x -> repo.get(X, x) end)\n";
        assert!(found(src).is_empty());
        let loop_src = "def f(xs), do: Enum.map(xs, &Repo.get(X, &1))\n";
        assert!(findings_of(loop_src, "test/shop_test.exs", CODE).is_empty());
        assert!(findings_of(loop_src, "priv/repo/seeds.exs", CODE).is_empty());
        let quoted = "defmacro m do\n  quote do\n    Enum.map(xs, &Repo.get(X, &1))\n  end\nend\n";
        assert!(found(quoted).is_empty());
    }
}
