//! The file cut into function clauses ("units") and the stretches between them ("gaps"), so
//! that an edit re-lints only the clauses it touched.
//!
//! A unit is a `def`/`defp`/`defmacro`/… clause written as a statement of a module body, on
//! lines of its own: only whitespace before it on its first line, only whitespace or a comment
//! after it on its last line. Its range is whole lines (from the start of the first line to past
//! the last line's terminator), so line-based rules (`line-too-long`) see a line entirely in one
//! segment. Everything else — module heads, attributes, `use`/`alias`, docs, clauses sharing a
//! line with other code, and any clause that defines a module inside it — belongs to the gaps,
//! which together make up the file's skeleton.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::syntax::elixir;

/// One function clause that can be linted on its own.
#[derive(Clone, Debug)]
pub struct Unit<'t> {
    /// The `def` call.
    pub node: Node<'t>,
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
    elixir::walk(tree.root_node(), &mut |node| {
        if node.kind() != "call" {
            return true;
        }
        if let Some(unit) = ahead.remove(&node.id()) {
            out.units.push(unit);
            return false;
        }
        out.outer_calls.push(node);
        if let Some(module) = elixir::module_def(node, src)
            && let Some(body) = module.body
        {
            for stmt in elixir::block_statements(body) {
                if let Some(unit) = unit_of(stmt, src) {
                    ahead.insert(stmt.id(), unit);
                }
            }
        }
        true
    });
    out
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
    let start = elixir::line_start(src, stmt.start_byte());
    if !src[start..stmt.start_byte()].trim().is_empty() {
        return None;
    }
    let end = elixir::line_end_with_terminator(src, stmt.end_byte());
    let rest = src[stmt.end_byte()..end].trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(Unit {
        node: stmt,
        range: start..end,
    })
}

/// The nodes of one unit: its `def` call's subtree and a comment after it on its last line.
pub fn walk_unit<'t>(unit: &Unit<'t>, visit: &mut impl FnMut(Node<'t>) -> bool) {
    elixir::walk(unit.node, visit);
    let mut next = unit.node.next_sibling();
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
