//! The file cut into function clauses ("units") and the stretches between them ("gaps"), so
//! that an edit re-lints only the clauses it touched.
//!
//! A unit is one function: the consecutive `def`/`defp`/`defmacro`/… clauses of one name written
//! as statements of a module body (with whatever lies between them), on lines of their own: only
//! whitespace before the first on its first line, only whitespace or a comment after the last on
//! its last line. Its range is whole lines (from the start of the first line to past the last
//! line's terminator), so line-based rules (`line-too-long`) see a line entirely in one segment;
//! comments on the lines right above its first clause are part of it.
//! Two runs of one name with one other function between them (`a`, `b`, `a` — what renaming a
//! middle clause of `a` makes) are one unit of both functions, so renaming a clause keeps the
//! file's cut. Everything else — module heads, attributes, `use`/`alias`, docs, clauses sharing
//! a line with other code, any clause that defines a module inside it, and the clauses of a
//! name that appears in two places of one module otherwise — belongs to the gaps, which
//! together make up the file's skeleton.

use std::ops::Range;

use crate::syntax::{Node, SyntaxTree as Tree};

use crate::syntax::elixir;

/// One function (its consecutive clauses) that can be linted on its own.
#[derive(Clone, Debug)]
pub struct Unit<'t> {
    /// The first clause's `def` call.
    pub node: Node<'t>,
    /// The first node of its range: `node`, or the first of the comments on the lines right
    /// above it.
    pub first: Node<'t>,
    /// Its lines: from the start of its first line to past its last line's terminator.
    pub range: Range<usize>,
}

/// A file's units and what lies outside them.
#[derive(Debug, Default)]
pub struct Segments<'t> {
    /// The units, in document order (their ranges never overlap).
    pub units: Vec<Unit<'t>>,
    /// Every `call` node outside the units, in document order: module definitions are among
    /// them (a unit never holds one), which is all the module models need.
    pub outer_calls: Vec<Node<'t>>,
    /// The nodes outside the units, filed as [`crate::lint::LintContext::nodes`] files them:
    /// what a re-lint that checks only some units adds their nodes to.
    pub skeleton: crate::lint::NodeIndex<'t>,
}

/// Calls that define function clauses.
const DEF_CALLS: &[&str] = &[
    "def",
    "defp",
    "defmacro",
    "defmacrop",
    "defguard",
    "defguardp",
    "defdelegate",
];

/// Cuts a parsed file into units and gaps, in one walk that does not enter the units.
pub fn segments<'t>(tree: &'t Tree, src: &'t str) -> Segments<'t> {
    let mut out = Segments::default();
    // Units are found when their module is visited, before the walk reaches them; the walk
    // then meets them in document order.
    let mut ahead: std::collections::HashMap<usize, Unit<'t>> = std::collections::HashMap::new();
    // The end of the last unit met: the rest of its clauses and a trailing comment are its own.
    let mut skip_until = 0;
    elixir::walk(tree.root_node(), &mut |node| {
        if node.start_byte() < skip_until {
            return false;
        }
        if let Some(unit) = ahead.remove(&node.id()) {
            skip_until = unit.range.end;
            out.units.push(unit);
            return false;
        }
        if node.kind() != "call" {
            out.skeleton.add(node);
            return true;
        }
        out.skeleton.add(node);
        out.outer_calls.push(node);
        if let Some(module) = elixir::module_def(node, src)
            && let Some(body) = module.body
        {
            for unit in module_units(body, src) {
                ahead.insert(unit.first.id(), unit);
            }
        }
        true
    });
    out
}

/// One run of clauses while [`module_units`] cuts a module body.
struct Run<'t> {
    unit: Unit<'t>,
    /// The names of its functions (one, or more once runs are merged).
    names: Vec<&'t str>,
    /// How many statements other than clauses and attributes came before it in the body.
    barrier: usize,
}

/// The units of one module body: its clauses on lines of their own, consecutive clauses of one
/// name merged into one unit, and two runs of one name with one other run between them (with
/// only clauses and attributes between them) merged with it. A clause that cannot be a unit
/// splits a run; a name whose clauses still end up in two units is left to the skeleton (its
/// findings would hang on both).
fn module_units<'t>(body: Node<'t>, src: &'t str) -> Vec<Unit<'t>> {
    let mut runs: Vec<Run<'t>> = Vec::new();
    let mut run_open = false;
    let mut barrier = 0;
    for stmt in elixir::block_statements(body) {
        let Some(clause) = unit_of(stmt, src) else {
            // Attributes between clauses of one function stay inside its unit; anything else
            // ends the run.
            if !elixir::is_attribute(stmt, src) {
                run_open = false;
                barrier += 1;
            }
            continue;
        };
        let name = def_name(stmt, src);
        match runs.last_mut() {
            Some(last) if run_open && last.names == [name] => {
                last.unit.range.end = clause.range.end;
            }
            _ => runs.push(Run {
                unit: clause,
                names: vec![name],
                barrier,
            }),
        }
        run_open = true;
    }
    // `a`, `b`, `a` → one unit; then a merged unit and a neighbour sharing a name; until no
    // run shares a name with the next or the one after it.
    let shares = |runs: &[Run<'t>], i: usize, j: usize| {
        j < runs.len()
            && runs[i].barrier == runs[j].barrier
            && runs[i].names.iter().any(|n| runs[j].names.contains(n))
    };
    while let Some((i, last)) = (0..runs.len()).find_map(|i| {
        if shares(&runs, i, i + 1) {
            Some((i, i + 1))
        } else {
            shares(&runs, i, i + 2).then_some((i, i + 2))
        }
    }) {
        let merged: Vec<Run<'t>> = runs.drain(i + 1..=last).collect();
        let first = &mut runs[i];
        for run in merged {
            first.unit.range.end = run.unit.range.end;
            for name in run.names {
                if !first.names.contains(&name) {
                    first.names.push(name);
                }
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for run in &runs {
        for name in &run.names {
            *seen.entry(*name).or_insert(0) += 1;
        }
    }
    runs.into_iter()
        .filter(|run| run.names.iter().all(|n| seen[n] == 1))
        .map(|run| run.unit)
        .collect()
}

/// The names of the functions a unit defines, in order of their first clause.
pub fn names<'t>(unit: &Unit<'t>, src: &'t str) -> Vec<&'t str> {
    let mut out: Vec<&'t str> = Vec::new();
    for clause in clauses(unit) {
        let name = elixir::function_def(clause, src).map_or("", |d| d.name);
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The function name of a `def` clause, as written (`""` when it cannot be read): the name
/// [`elixir::function_def`] reads, from [`elixir::function_head`] (no parameters, no body).
fn def_name<'t>(stmt: Node<'t>, src: &'t str) -> &'t str {
    elixir::function_head(stmt, src).map_or("", |(_, name)| crate::syntax::text(name, src))
}

/// The unit a module-body statement makes, if it is a function clause on lines of its own.
fn unit_of<'t>(stmt: Node<'t>, src: &'t str) -> Option<Unit<'t>> {
    if stmt.kind() != "call" || !DEF_CALLS.contains(&elixir::local_call_name(stmt, src)?) {
        return None;
    }
    let text = &src[stmt.byte_range()];
    if text.contains("defmodule") || text.contains("defprotocol") || text.contains("defimpl") {
        return None;
    }
    let mut start = elixir::line_start(src, stmt.start_byte());
    if !src[start..stmt.start_byte()].trim().is_empty() {
        return None;
    }
    let end = elixir::line_end_with_terminator(src, stmt.end_byte());
    let rest = src[stmt.end_byte()..end].trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    // Comments on the lines right above belong to the function: a fix placed above them (the
    // `@doc` stub) stays inside its unit.
    let mut first = stmt;
    while let Some(prev) = first.prev_sibling().filter(|p| p.kind() == "comment") {
        let line = elixir::line_start(src, prev.start_byte());
        let alone = src[line..prev.start_byte()].trim().is_empty()
            && elixir::line_end_with_terminator(src, prev.end_byte()) == start;
        if !alone {
            break;
        }
        start = line;
        first = prev;
    }
    Some(Unit {
        node: stmt,
        first,
        range: start..end,
    })
}

/// The `def` calls of one unit's clauses, in order.
pub fn clauses<'t>(unit: &Unit<'t>) -> Vec<Node<'t>> {
    let mut out = vec![unit.node];
    let mut next = unit.node.next_named_sibling();
    while let Some(n) = next {
        if n.start_byte() >= unit.range.end {
            break;
        }
        if n.kind() == "call" {
            out.push(n);
        }
        next = n.next_named_sibling();
    }
    out
}

/// The lines (zero-based) inside the `do … end` bodies of the units' clauses, without the
/// lines of their heads and `end`s: where the edit benchmarks and profiles type, as a user
/// typing code into functions does.
pub fn body_lines(tree: &Tree, src: &str) -> Vec<usize> {
    let segs = segments(tree, src);
    let mut lines = Vec::new();
    for unit in &segs.units {
        for clause in clauses(unit) {
            if let Some(body) = elixir::do_block(clause) {
                let (first, last) = (body.start_position().row, body.end_position().row);
                lines.extend(first + 1..last);
            }
        }
    }
    lines
}

/// What other functions may know of a unit without reading its bodies: for each clause its
/// kind, name and arities, as `defp name/1..2` lines.
pub fn signature(unit: &Unit<'_>, src: &str) -> String {
    let mut out = String::new();
    for clause in clauses(unit) {
        match elixir::function_def(clause, src) {
            Some(def) => {
                let arities = def.arities(src);
                out.push_str(&format!(
                    "{} {}/{}..{}\n",
                    elixir::local_call_name(clause, src).unwrap_or(""),
                    def.name,
                    arities.start(),
                    arities.end()
                ));
            }
            // Attributes between clauses (`@doc false`) count with the signature.
            None => out.push_str(&src[clause.byte_range()]),
        }
    }
    out
}

/// The nodes of one unit: its clauses' subtrees, what lies between them and a comment after
/// the last one on its line.
pub fn walk_unit<'t>(unit: &Unit<'t>, visit: &mut impl FnMut(Node<'t>) -> bool) {
    elixir::walk(unit.first, visit);
    let mut next = unit.first.next_sibling();
    while let Some(n) = next {
        if n.start_byte() >= unit.range.end {
            break;
        }
        elixir::walk(n, visit);
        next = n.next_sibling();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    fn unit_texts(src: &str) -> Vec<String> {
        let doc = Document::new(src, 0);
        let segs = segments(doc.tree(), src);
        segs.units
            .iter()
            .map(|u| src[u.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn clauses_on_lines_of_their_own_are_units() {
        let src = "defmodule A do\n  @doc \"x\"\n  def a(x) do\n    x + 1\n  end # done\n\n  defp b, do: 2\n  def c, do: 1; def d, do: 2\n  defmodule B do\n    def e, do: 3\n  end\nend\n";
        assert_eq!(
            unit_texts(src),
            vec![
                "  def a(x) do\n    x + 1\n  end # done\n".to_string(),
                "  defp b, do: 2\n".to_string(),
                "    def e, do: 3\n".to_string(),
            ]
        );
    }

    #[test]
    fn the_clauses_of_one_function_make_one_unit() {
        let src = "defmodule A do\n  def f(nil), do: 0\n  # the rest\n  @doc false\n  def f(x), do: x\n  def g, do: 1\n  def h, do: 1\n  def g(x), do: x\nend\n";
        assert_eq!(
            unit_texts(src),
            vec![
                "  def f(nil), do: 0\n  # the rest\n  @doc false\n  def f(x), do: x\n".to_string(),
                // `g` around `h`: one unit of both (what renaming a middle clause makes).
                "  def g, do: 1\n  def h, do: 1\n  def g(x), do: x\n".to_string(),
            ]
        );
    }

    #[test]
    fn comments_right_above_a_function_are_in_its_unit() {
        let src = "defmodule A do\n  # Not this one: a blank line follows.\n\n  # Adds one.\n  # (Integers only.)\n  def a(x), do: x + 1\n  @doc false\n  # Not this one: an attribute follows.\n  @impl true\n  def b, do: 2 # trailing\n  # Nor a comment after the last clause's line.\nend\n";
        assert_eq!(
            unit_texts(src),
            vec![
                "  # Adds one.\n  # (Integers only.)\n  def a(x), do: x + 1\n".to_string(),
                "  def b, do: 2 # trailing\n".to_string(),
            ]
        );
    }

    #[test]
    fn a_name_in_two_places_further_apart_is_left_to_the_skeleton() {
        // Two functions between the runs of `g`, or a statement other than a clause or an
        // attribute: `g` is in two places.
        let src = "defmodule A do
  def g, do: 1
  def h, do: 1
  def i, do: 1
  def g(x), do: x
  def j, do: 1
  alias B
  def k, do: 1
  def j(x), do: x
end
";
        assert_eq!(
            unit_texts(src),
            vec![
                "  def h, do: 1\n".to_string(),
                "  def i, do: 1\n".to_string(),
                "  def k, do: 1\n".to_string(),
            ]
        );
        // Runs merged in turn: `a b a b` is one unit.
        let src = "defmodule A do
  def a, do: 1
  def b, do: 1
  def a(x), do: x
  def b(x), do: x
end
";
        assert_eq!(unit_texts(src).len(), 1);
    }

    #[test]
    fn a_clause_defining_a_module_stays_in_the_skeleton() {
        let src = "defmodule A do\n  def a do\n    defmodule B do\n    end\n  end\nend\n";
        assert!(unit_texts(src).is_empty());
        let doc = Document::new(src, 0);
        let segs = segments(doc.tree(), src);
        let modules = segs
            .outer_calls
            .iter()
            .filter(|c| elixir::module_def(**c, src).is_some())
            .count();
        assert_eq!(modules, 2);
    }

    #[test]
    fn outer_calls_skip_the_units() {
        let src = "defmodule A do\n  use GenServer\n  def a, do: foo(bar())\nend\n";
        let doc = Document::new(src, 0);
        let segs = segments(doc.tree(), src);
        let names: Vec<_> = segs
            .outer_calls
            .iter()
            .map(|c| elixir::local_call_name(*c, src).unwrap_or("?"))
            .collect();
        assert_eq!(names, vec!["defmodule", "use"]);
    }
}
