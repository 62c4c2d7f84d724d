//! Size metrics of one function clause, counted the way Credo 1.7 counts them, so that
//! `deep-nesting`, `high-complexity` and `too-many-params` agree with `mix credo` line for line:
//!
//! - [`nesting`] mirrors `Credo.Check.Refactor.Nesting`: `if`, `unless`, `case`, `cond`, `fn`,
//!   `for` and `with` each open a level. Like Credo it looks through calls, operators, blocks,
//!   interpolations and tuples of other sizes than two, but not into list literals, two-element
//!   tuples, map values or keyword arguments other than `do:`/`else:` blocks; following Credo's
//!   block lookup, a block whose keywords are not exactly `do`, `do`+`else`, `do`+`rescue` or
//!   `do`+`after` hides its blocks (the body of `try … rescue`, all of `try … rescue … after`);
//!   and depth is measured at leaves (variables, literals, …), so a construct holding none
//!   (`if is_nil(a.b), do: [], else: []`) does not count.
//! - [`complexity`] mirrors `Credo.Check.Refactor.CyclomaticComplexity`: 1 per `def` in the clause
//!   (itself included), 1 per `if`, `unless`, `for`, `try`, `and`, `or`, `&&`, `||` anywhere in
//!   it (head and guards too), and 1 per clause of every `case` and `cond`.
//! - [`arity`] mirrors `Credo.Code.Parameters.count`.
//!
//! Every function takes one clause node and looks at nothing outside it: results can be cached
//! per clause.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::context::NodeIndex;
use crate::syntax::elixir;

/// Nesting deeper than this (in syntax nodes) is not followed: a broken or generated file must
/// not overflow the stack.
const MAX_RECURSION: usize = 400;

/// The definitions Credo's metric checks look at: `def`, `defp` and `defmacro` (not
/// `defmacrop`, `defguard`, …).
pub fn metric_def_kind<'a>(node: Node<'_>, source: &'a str) -> Option<&'a str> {
    if !elixir::starts_with(node, source, "def") {
        return None;
    }
    let name = elixir::local_call_name(node, source)?;
    (matches!(name, "def" | "defp" | "defmacro") && elixir::has_arguments(node)).then_some(name)
}

/// The head of a definition (`f(a, b)`, without its guard) and its parameters. Heads whose name
/// is computed (`def unquote(name)(a)`) have parameters too.
pub fn head_and_params<'t>(def: Node<'t>, source: &str) -> Option<(Node<'t>, Vec<Node<'t>>)> {
    let first = *elixir::call_args(def).first()?;
    let head = if elixir::is_binary_op(first, source, "when") {
        first.field("left")?
    } else {
        first
    };
    let params = match head.kind() {
        "call" => elixir::call_args(head),
        _ => Vec::new(),
    };
    Some((head, params))
}

/// The number of parameters of a definition, defaults included (`def f(a, b \\ 1)` → 2).
pub fn arity(def: Node<'_>, source: &str) -> usize {
    head_and_params(def, source).map_or(0, |(_, p)| p.len())
}

/// The deepest nested construct of a clause.
#[derive(Clone, Copy, Debug)]
pub struct Nesting<'t> {
    /// How many constructs enclose it, itself included (the body of the function is level 0).
    pub depth: usize,
    /// The construct: an `if`/`case`/… call or an `fn`.
    pub node: Node<'t>,
    /// Its keyword: `if`, `case`, `fn`, …
    pub keyword: &'static str,
}

/// The deepest control-flow construct in the body of the definition `def`, or `None` when the
/// body has none. Among constructs equally deep, the last line wins, as in Credo.
pub fn nesting<'t>(def: Node<'t>, source: &str) -> Option<Nesting<'t>> {
    let mut walker = NestingWalker { source, best: None };
    // Credo reads every block of the definition (`do`, `else`, `rescue`, `after`; not `catch`),
    // whatever their combination.
    for (key, block) in block_parts(def, source) {
        if matches!(key, "do" | "else" | "rescue" | "after") {
            for part in block {
                walker.expr(part, None, 0);
            }
        }
    }
    walker.best
}

/// A construct that opens a nesting level, by its call name.
fn nest_keyword(name: &str) -> Option<&'static str> {
    Some(match name {
        "if" => "if",
        "unless" => "unless",
        "case" => "case",
        "cond" => "cond",
        "for" => "for",
        "with" => "with",
        _ => return None,
    })
}

struct NestingWalker<'t, 's> {
    source: &'s str,
    best: Option<Nesting<'t>>,
}

impl<'t> NestingWalker<'t, '_> {
    /// Credo measures depth at the leaves of the AST (variables, literals, two-element tuples,
    /// maps…): a construct whose arguments hold no leaf (`if is_nil(a.b), do: [], else: []`)
    /// does not count.
    fn leaf(&mut self, inside: Option<Nesting<'t>>) {
        let Some(candidate) = inside else {
            return;
        };
        let key = |n: &Nesting<'_>| (n.depth, n.node.start_position().row, n.keyword);
        if self.best.as_ref().is_none_or(|b| key(&candidate) > key(b)) {
            self.best = Some(candidate);
        }
    }

    fn expr(&mut self, node: Node<'t>, inside: Option<Nesting<'t>>, recursion: usize) {
        if recursion > MAX_RECURSION {
            return;
        }
        let r = recursion + 1;
        let src = self.source;
        let depth = inside.map_or(0, |n| n.depth);
        match node.kind() {
            "call" => {
                let keyword = elixir::local_call_name(node, src).and_then(nest_keyword);
                let inside = match keyword {
                    Some(keyword) => Some(Nesting {
                        depth: depth + 1,
                        node,
                        keyword,
                    }),
                    None => inside,
                };
                self.call_parts(node, inside, r);
            }
            "anonymous_function" => {
                let inside = Some(Nesting {
                    depth: depth + 1,
                    node,
                    keyword: "fn",
                });
                for clause in named(node) {
                    self.expr(clause, inside, r);
                }
            }
            // Clause heads sit in a list in Elixir's AST, which Credo does not look into.
            "stab_clause" => {
                if let Some(body) = node.field("right") {
                    self.expr(body, inside, r);
                }
            }
            "binary_operator" => {
                for side in ["left", "right"] {
                    if let Some(operand) = node.field(side) {
                        self.expr(operand, inside, r);
                    }
                }
            }
            "keywords" => self.keyword_list(keyword_parts(node, src), inside, r),
            // A two-element tuple is a literal in Elixir's AST: a leaf, not looked into.
            "tuple" => {
                let items = named(node);
                if items.len() == 2 {
                    self.leaf(inside);
                } else {
                    for item in items {
                        self.expr(item, inside, r);
                    }
                }
            }
            "map" => {
                let content = named(node).into_iter().find(|c| c.kind() == "map_content");
                let is_struct = named(node).iter().any(|c| c.kind() == "struct");
                let first = content.and_then(|c| named(c).into_iter().next());
                match first {
                    // `%{map | key: value}`: Credo sees the map being updated, not the values.
                    Some(update) if elixir::is_binary_op(update, src, "|") => {
                        if let Some(base) = update.field("left") {
                            self.expr(base, inside, r);
                        }
                        if is_struct {
                            self.leaf(inside);
                        }
                    }
                    // Its entries are two-element tuples (leaves); a struct's name is a leaf.
                    Some(_) => self.leaf(inside),
                    None if is_struct => self.leaf(inside),
                    None => {}
                }
            }
            "string" | "sigil" => {
                self.leaf(inside);
                for child in named(node) {
                    if child.kind() == "interpolation" {
                        self.expr(child, inside, r);
                    }
                }
            }
            "identifier" | "alias" | "atom" | "quoted_atom" | "integer" | "float" | "char"
            | "boolean" | "nil" => self.leaf(inside),
            "unary_operator" | "block" | "body" | "access_call" | "interpolation" => {
                for child in named(node) {
                    self.expr(child, inside, r);
                }
            }
            // Lists (charlists too) are not looked into.
            _ => {}
        }
    }

    /// The arguments of a call and the blocks Credo's block lookup finds in it.
    fn call_parts(&mut self, call: Node<'t>, inside: Option<Nesting<'t>>, r: usize) {
        let src = self.source;
        let args = elixir::call_args(call);
        for arg in &args {
            if arg.kind() != "keywords" {
                self.expr(*arg, inside, r);
            }
        }
        // Keyword arguments and a `do … end` block are two separate lists in Elixir's AST.
        if let Some(kw) = args.last().filter(|a| a.kind() == "keywords") {
            self.keyword_list(keyword_parts(*kw, src), inside, r);
        }
        if let Some(block) = elixir::do_block(call) {
            self.keyword_list(do_block_parts(block), inside, r);
        }
    }

    fn keyword_list(
        &mut self,
        parts: Vec<(&'static str, Vec<Node<'t>>)>,
        inside: Option<Nesting<'t>>,
        r: usize,
    ) {
        for (_, part) in exact_blocks(parts) {
            for p in part {
                self.expr(p, inside, r);
            }
        }
    }
}

/// The named children of a node, comments left out.
fn named(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// The blocks of a definition as Credo's `all_blocks_for!/1` sees them on its arguments: the
/// `do:` keyword list or the `do … end` block with its `else`/`rescue`/`catch`/`after` parts.
fn block_parts<'t>(def: Node<'t>, source: &str) -> Vec<(&'static str, Vec<Node<'t>>)> {
    if let Some(block) = elixir::do_block(def) {
        return do_block_parts(block);
    }
    elixir::call_args(def)
        .last()
        .filter(|a| a.kind() == "keywords")
        .map(|kw| keyword_parts(*kw, source))
        .unwrap_or_default()
}

/// A `do … end` block as a keyword list: `do` with its statements, then each sub-block.
fn do_block_parts(block: Node<'_>) -> Vec<(&'static str, Vec<Node<'_>>)> {
    let mut parts = vec![("do", elixir::block_statements(block))];
    for sub in named(block) {
        let key = match sub.kind() {
            "else_block" => "else",
            "rescue_block" => "rescue",
            "catch_block" => "catch",
            "after_block" => "after",
            _ => continue,
        };
        parts.push((key, named(sub)));
    }
    parts
}

/// The pairs of a `keywords` node as `(key, [value])`; keys other than block names are `other`.
fn keyword_parts<'t>(kw: Node<'t>, source: &str) -> Vec<(&'static str, Vec<Node<'t>>)> {
    named(kw)
        .into_iter()
        .filter_map(|pair| {
            let key = pair.field("key")?;
            let value = pair.field("value")?;
            let key = match elixir::keyword_key(key, source) {
                "do" => "do",
                "else" => "else",
                "rescue" => "rescue",
                "catch" => "catch",
                "after" => "after",
                _ => "other",
            };
            Some((key, vec![value]))
        })
        .collect()
}

/// The blocks Credo's `Credo.Code.Block.all_blocks_for!/1` returns for a keyword list that is
/// an argument: it only recognises the exact shapes `[do:]`, `[do:, else:]`, `[do:, rescue:]` and
/// `[do:, after:]`.
fn exact_blocks<'t>(
    parts: Vec<(&'static str, Vec<Node<'t>>)>,
) -> Vec<(&'static str, Vec<Node<'t>>)> {
    let keys: Vec<&str> = parts.iter().map(|(k, _)| *k).collect();
    let keep: &[&str] = match keys.as_slice() {
        ["do"] => &["do"],
        ["do", "else"] => &["do", "else"],
        ["do", "rescue"] => &["rescue"],
        ["do", "after"] => &["after"],
        _ => &[],
    };
    parts
        .into_iter()
        .filter(|(k, _)| keep.contains(k))
        .collect()
}

/// The cyclomatic complexity of the definition `def`, as Credo computes it.
pub fn complexity(def: Node<'_>, source: &str) -> usize {
    let mut total = 0;
    elixir::walk(def, &mut |node| {
        match node.kind() {
            "call" => total += call_complexity(node, source),
            "binary_operator" => total += operator_complexity(node, source),
            _ => {}
        }
        true
    });
    total
}

/// What one call adds to the cyclomatic complexity of the clause it is in.
fn call_complexity(call: Node<'_>, source: &str) -> usize {
    // The name starts the call's text: most calls are ruled out without a tree lookup.
    const COUNTED: [&str; 7] = ["def", "if", "unless", "for", "try", "case", "cond"];
    if !COUNTED.iter().any(|p| elixir::starts_with(call, source, p)) {
        return 0;
    }
    match elixir::local_call_name(call, source) {
        Some("def" | "defp" | "defmacro") if elixir::has_arguments(call) => 1,
        Some("if" | "unless" | "for" | "try") => 1,
        Some("case" | "cond") => elixir::do_block_in(call, source).map_or(0, |b| {
            named(b)
                .iter()
                .filter(|c| c.kind() == "stab_clause")
                .count()
        }),
        _ => 0,
    }
}

/// What one binary operator adds to the cyclomatic complexity: 1 for a boolean one.
fn operator_complexity(op: Node<'_>, source: &str) -> usize {
    usize::from(matches!(
        elixir::operator(op, source),
        "and" | "or" | "&&" | "||"
    ))
}

/// The nodes of a [`NodeIndex`] strictly inside one of its calls: every descendant of the call
/// of each kind, since the index holds whole subtrees (of the file, or of the units of an
/// incremental lint) in document order.
pub struct Inside<'a, 't> {
    /// The definition itself.
    pub def: Node<'t>,
    /// The calls inside it.
    pub calls: &'a [Node<'t>],
    /// The binary operators inside it.
    pub binary_operators: &'a [Node<'t>],
    /// The anonymous functions inside it.
    pub anonymous_functions: &'a [Node<'t>],
}

impl<'a, 't> Inside<'a, 't> {
    /// The descendants of `index.calls[at]`. In document order a node's descendants follow it
    /// and start before it ends; whatever else starts inside its range is an ancestor starting
    /// at the same byte (a call's first descendant is its name, never an operator or an `fn`).
    pub fn of(index: &'a NodeIndex<'t>, at: usize) -> Option<Self> {
        let def = *index.calls.get(at)?;
        let (start, end) = (def.start_byte(), def.end_byte());
        let after = &index.calls[at + 1..];
        let calls = &after[..after.partition_point(|c| c.start_byte() < end)];
        let strictly_inside = |nodes: &'a [Node<'t>]| {
            let from = nodes.partition_point(|n| n.start_byte() <= start);
            let to = nodes.partition_point(|n| n.start_byte() < end).max(from);
            &nodes[from..to]
        };
        Some(Inside {
            def,
            calls,
            binary_operators: strictly_inside(&index.binary_operators),
            anonymous_functions: strictly_inside(&index.anonymous_functions),
        })
    }

    /// [`complexity`] of the definition, from the index instead of a walk. The boolean
    /// operators are only told apart (a field lookup each) when counting them all could exceed
    /// `limit`: the result is exact whenever it is above `limit`, and at most `limit` otherwise.
    pub fn complexity_above(&self, source: &str, limit: usize) -> usize {
        let calls: usize = std::iter::once(&self.def)
            .chain(self.calls)
            .map(|c| call_complexity(*c, source))
            .sum();
        if calls + self.binary_operators.len() <= limit {
            return calls + self.binary_operators.len();
        }
        let exact = calls
            + self
                .binary_operators
                .iter()
                .map(|op| operator_complexity(*op, source))
                .sum::<usize>();
        debug_assert_eq!(exact, complexity(self.def, source));
        exact
    }

    /// An upper bound of the depth [`nesting`] finds: the number of constructs that open a
    /// level (tested on the call's text only).
    pub fn nesting_bound(&self, source: &str) -> usize {
        const OPENERS: [&str; 6] = ["if", "unless", "case", "cond", "for", "with"];
        let calls = self
            .calls
            .iter()
            .filter(|c| OPENERS.iter().any(|p| elixir::starts_with(**c, source, p)))
            .count();
        calls + self.anonymous_functions.len()
    }
}

/// Whether [`arity`] of `def` could exceed `max`: `n` parameters need `n - 1` commas in the
/// definition's text (counted up to `max`).
pub fn arity_may_exceed(def: Node<'_>, source: &str, max: usize) -> bool {
    let text = crate::syntax::text(def, source).as_bytes();
    text.iter().filter(|b| **b == b',').take(max).count() >= max
}

/// `defmacro __using__(opts) do … end`, which Credo's complexity check leaves out.
pub fn is_using_macro(def: Node<'_>, source: &str) -> bool {
    let args = elixir::call_args(def);
    let body_count = usize::from(elixir::do_block(def).is_some());
    elixir::is_local_call(def, source, "defmacro")
        && args.len() + body_count == 2
        && args.first().is_some_and(|head| {
            let name = match head.kind() {
                "call" => head.field("target"),
                "identifier" => Some(*head),
                _ => None,
            };
            name.is_some_and(|n| crate::syntax::text(n, source) == "__using__")
        })
}

/// `name/arity` of a definition for messages; the head's text when the name is computed.
pub fn def_label(def: Node<'_>, source: &str) -> String {
    let Some((head, params)) = head_and_params(def, source) else {
        return "this function".to_string();
    };
    let name = match head.kind() {
        "call" => head
            .field("target")
            .map(|t| crate::syntax::text(t, source))
            .unwrap_or("?"),
        _ => crate::syntax::text(head, source),
    };
    format!("{name}/{}", params.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn first_def<R>(src: &str, f: impl FnOnce(Node<'_>, &str) -> R) -> R {
        let tree = syntax::parse(src);
        let mut found = None;
        elixir::walk(tree.root_node(), &mut |n| {
            if found.is_none() && metric_def_kind(n, src).is_some() {
                found = Some(n);
            }
            found.is_none()
        });
        f(found.expect("a def"), src)
    }

    fn depth(src: &str) -> (usize, usize) {
        first_def(src, |d, s| {
            nesting(d, s).map_or((0, 0), |n| (n.depth, n.node.start_position().row + 1))
        })
    }

    fn cc(src: &str) -> usize {
        first_def(src, complexity)
    }

    #[test]
    fn counts_nesting_like_credo() {
        let src = "def f(list) do\n  Enum.reduce(list, [], fn item, acc ->\n    if item.ok do\n      case item.kind do\n        :a -> acc\n      end\n    end\n  end)\nend\n";
        assert_eq!(depth(src), (3, 4));
        assert_eq!(depth("def f(x), do: x + 1\n"), (0, 0));
        // Conditions count: the `if` inside the `case` subject is two deep.
        assert_eq!(
            depth("def f(x) do\n  case if(x, do: 1, else: 2) do\n    _ -> :ok\n  end\nend\n"),
            (2, 2)
        );
    }

    #[test]
    fn follows_credos_blind_spots() {
        // List literals, two-element tuples, map values and keyword arguments are not entered.
        let src = "def f(x) do\n  if x do\n    {:ok, if(x, do: case x do\n      _ -> 1\n    end)}\n  end\nend\n";
        assert_eq!(depth(src), (1, 2));
        let list = "def f(x) do\n  if x do\n    [if(x, do: 1)]\n  end\nend\n";
        assert_eq!(depth(list), (1, 2));
        // Keyword options and the `do` block are separate lists: `for … into:` is entered.
        let into = "def f(xs) do\n  for x <- xs, into: %{} do\n    if x do\n      case x do\n        _ -> 1\n      end\n    end\n  end\nend\n";
        assert_eq!(depth(into), (3, 4));
        // No leaf inside (a zero-argument call, a field, lists): the `if` does not count.
        let leafless = "def f(h) do\n  Enum.map(h, fn v ->\n    case v do\n      _ -> if is_nil(v.next), do: [], else: [v.next]\n    end\n  end)\nend\n";
        assert_eq!(depth(leafless), (2, 3));
        // `try … rescue` outside a def head: only the `rescue` part is seen.
        let try_ = "def f(x) do\n  try do\n    if x do\n      1\n    end\n  rescue\n    _ -> 2\n  end\nend\n";
        assert_eq!(depth(try_), (0, 0));
    }

    #[test]
    fn ties_go_to_the_last_line() {
        let src = "def f(x) do\n  if x do\n    1\n  end\n  if x do\n    2\n  end\nend\n";
        assert_eq!(depth(src), (1, 5));
    }

    #[test]
    fn counts_complexity_like_credo() {
        assert_eq!(cc("def f(x), do: x\n"), 1);
        let src = "def f(x, y) when is_integer(x) and x > 0 do\n  case x do\n    1 -> :a\n    2 -> :b\n    _ -> if y || x, do: :c, else: :d\n  end\nend\n";
        // def 1 + guard `and` 1 + case 3 clauses + if 1 + || 1
        assert_eq!(cc(src), 7);
        let more = "defp g(x) do\n  cond do\n    x -> 1\n    true -> 2\n  end\n  for y <- x, do: y\n  try do\n    unless x, do: 1\n  rescue\n    _ -> 2\n  end\n  with {:ok, a} <- x, do: a\n  fn z -> z end\nend\n";
        // defp 1 + cond 2 + for 1 + try 1 + unless 1; `with` and `fn` do not count
        assert_eq!(cc(more), 6);
    }

    #[test]
    fn arity_and_labels() {
        first_def("def f(a, b \\\\ 1) when a > 0, do: a\n", |d, s| {
            assert_eq!(arity(d, s), 2);
            assert_eq!(def_label(d, s), "f/2");
        });
        first_def("def run, do: 1\n", |d, s| assert_eq!(arity(d, s), 0));
        first_def("defmacro __using__(opts) do\n  opts\nend\n", |d, s| {
            assert!(is_using_macro(d, s))
        });
    }

    #[test]
    fn survives_broken_code() {
        let _ = depth("def f(x) do\n  if x do\n    case\n");
        let _ = cc("def f(x) do\n  if x do\n    case\n");
    }

    /// The unit cases of Credo's `cyclomatic_complexity_test.exs`.
    #[test]
    fn credos_complexity_cases() {
        assert_eq!(cc("def first_fun do\n  x = 1\nend\n"), 1);
        assert_eq!(
            cc("def first_fun do\n  if some_other_fun, do: call_third_fun\nend\n"),
            2
        );
        assert_eq!(
            cc("def first_fun do\n  if 1 == 1 or 2 == 2 do\n    my_options = %{}\n  end\nend\n"),
            3
        );
        let case = "def first_fun(param) do\n  case param do\n    1 -> do_something\n    2 -> do_something_else\n    _ -> do_something_even_more_else\n  end\nend\n";
        assert_eq!(cc(case), 4);
        let nested = "def first_fun(param) do\n  case param do\n    1 ->\n      if 1 == 1 or 2 == 2 do\n        my_options = %{}\n      end\n    2 -> do_something_else\n    _ -> do_something_even_more_else\n  end\nend\n";
        assert_eq!(cc(nested), 6);
        let ops = "def first_fun do\n  if first_condition do\n    if second_condition && third_condition, do: call_something\n    if fourth_condition || fifth_condition, do: call_something_else\n  end\nend\n";
        assert_eq!(cc(ops), 6);
        let elses = "def first_fun do\n  if first_condition do\n    call_something\n  else\n    if second_condition do\n      call_something\n    else\n      if third_condition, do: call_something\n    end\n    if fourth_condition, do: call_something_else\n  end\nend\n";
        assert_eq!(cc(elses), 5);
    }
}
