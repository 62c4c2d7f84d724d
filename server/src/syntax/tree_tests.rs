//! The arena tree answers every question as tree-sitter's tree does.

use super::*;
use crate::syntax::new_parser;

/// Every Elixir file of the repository's fixtures and every rule's documented examples: real
/// shapes, broken ones among them.
pub(crate) fn sample_texts() -> Vec<String> {
    let mut texts = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ex" || e == "exs")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                texts.push(text);
            }
        }
    }
    for rule in crate::lint::registry::RULES {
        texts.push(rule.meta.docs.bad.to_string());
        texts.push(rule.meta.docs.good.to_string());
    }
    texts.push("defmodule A do\n  def f(x do\n    x +\n  end\nend\n".to_string());
    texts.push("# only a comment\r\n\"unterminated\n".to_string());
    texts.push(String::new());
    texts
}

/// The text of the file `LADDER_PROFILE_FILE` names, if it names one: the input of the
/// by-hand profiles.
pub(crate) fn profile_text() -> Option<String> {
    let path = std::env::var("LADDER_PROFILE_FILE").ok()?;
    Some(std::fs::read_to_string(path).expect("LADDER_PROFILE_FILE is readable"))
}

/// Compares `ours` with tree-sitter's `theirs`, node by node, in both trees' pre-order.
pub(crate) fn assert_same(ours: &SyntaxTree, theirs: &tree_sitter::Tree, text: &str) {
    let mut expected = Vec::new();
    let mut cursor = theirs.walk();
    'walk: loop {
        expected.push((cursor.node(), cursor.field_name()));
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    assert_eq!(ours.len(), expected.len(), "node count of {text:?}");
    let language = language();
    for (node, (t, field)) in ours.nodes().zip(&expected) {
        let where_ = format!("{t:?} in {text:?}");
        assert_eq!(node.kind(), t.kind(), "{where_}");
        assert_eq!(node.kind_id(), t.kind_id(), "{where_}");
        assert_eq!(node.byte_range(), t.byte_range(), "{where_}");
        assert_eq!(node.start_position(), t.start_position(), "{where_}");
        assert_eq!(node.end_position(), t.end_position(), "{where_}");
        assert_eq!(node.is_named(), t.is_named(), "{where_}");
        assert_eq!(node.is_missing(), t.is_missing(), "{where_}");
        assert_eq!(node.is_extra(), t.is_extra(), "{where_}");
        assert_eq!(node.is_error(), t.is_error(), "{where_}");
        assert_eq!(node.has_error(), t.has_error(), "{where_}");
        assert_eq!(node.child_count(), t.child_count(), "{where_}");
        assert_eq!(node.named_child_count(), t.named_child_count(), "{where_}");
        assert_eq!(node.field_name(), *field, "{where_}");
        let same = |a: Option<Node<'_>>, b: Option<tree_sitter::Node<'_>>| {
            assert_eq!(
                a.map(|n| (n.kind(), n.byte_range())),
                b.map(|n| (n.kind(), n.byte_range())),
                "{where_}"
            );
        };
        same(node.parent(), t.parent());
        same(node.next_sibling(), t.next_sibling());
        same(node.prev_sibling(), t.prev_sibling());
        same(node.next_named_sibling(), t.next_named_sibling());
        same(node.prev_named_sibling(), t.prev_named_sibling());
        same(node.child(0), t.child(0));
        same(node.named_child(1), t.named_child(1));
        for id in 1..=language.field_count() as u16 {
            // tree-sitter may answer a field with a grandchild, through a child whose own
            // fields it inherits (`%foo(1){}`: the struct's `target` is the call's `foo`);
            // the copy answers with children only.
            let theirs = t
                .child_by_field_id(id)
                .filter(|c| c.parent().is_some_and(|p| p.id() == t.id()));
            same(node.child_by_field_id(id), theirs);
        }
        // An empty range: tree-sitter stops above a node that starts with a hidden empty
        // token (tree-sitter-elixir's `_before_unary_op`); the copy, which keeps no hidden
        // node, may go one node further down, never elsewhere.
        let mid = (node.start_byte() + node.end_byte()) / 2;
        let a = ours
            .root_node()
            .descendant_for_byte_range(mid, mid)
            .unwrap();
        let b = theirs
            .root_node()
            .descendant_for_byte_range(mid, mid)
            .unwrap();
        assert!(
            a.byte_range() == b.byte_range() && a.kind() == b.kind()
                || b.start_byte() <= a.start_byte() && a.end_byte() <= b.end_byte(),
            "{where_}: {a:?} not within {b:?}"
        );
        same(
            ours.root_node()
                .descendant_for_byte_range(node.start_byte(), node.end_byte()),
            theirs
                .root_node()
                .descendant_for_byte_range(t.start_byte(), t.end_byte()),
        );
        if let Some(parent) = node.parent() {
            assert_eq!(parent.child_with_descendant(node), Some(node));
        }
    }
    // tree-sitter prints an unexpected character inside an `ERROR` as `(UNEXPECTED 'x')`, which
    // our copy does not keep.
    if !theirs.root_node().has_error() {
        assert_eq!(ours.root_node().to_sexp(), theirs.root_node().to_sexp());
    }
}

#[test]
fn the_copy_answers_as_tree_sitter_does() {
    let mut parser = new_parser();
    for text in sample_texts() {
        let theirs = parser.parse(&text, None).unwrap();
        let ours = SyntaxTree::new(&theirs, &text);
        assert_same(&ours, &theirs, &text);
    }
}

#[test]
fn a_cursor_stays_within_its_node() {
    let text = "defmodule A do\n  def f(x), do: x\n  def g, do: 1\nend\n";
    let tree = crate::syntax::parse(text);
    let def = tree
        .nodes()
        .find(|n| n.kind() == "call" && text[n.byte_range()].starts_with("def f"))
        .unwrap();
    let mut cursor = def.walk();
    assert!(
        !cursor.goto_next_sibling(),
        "the root of a cursor has no sibling"
    );
    assert!(cursor.goto_first_child());
    while cursor.goto_next_sibling() {}
    assert!(cursor.goto_parent());
    assert_eq!(cursor.node(), def);
    assert!(!cursor.goto_parent());
    let children: Vec<_> = def.children(&mut def.walk()).collect();
    assert_eq!(children.len(), def.child_count());
}

/// `text` with `what` at `at` replaced by `with`, and `unit_start` the start of a call whose
/// subtree is spliced from a parse of the edited text.
fn splice_and_compare(text: &str, what: &str, with: &str) {
    let at = text.find(what).unwrap();
    let mut edited = text.to_string();
    edited.replace_range(at..at + what.len(), with);
    let mut parser = new_parser();
    let old = parser.parse(text, None).unwrap();
    let mut ours = SyntaxTree::new(&old, text);
    // The innermost `call` around the edit, in the old tree.
    let target = ours
        .nodes()
        .filter(|n| n.kind() == "call" && n.start_byte() <= at && at + what.len() <= n.end_byte())
        .last()
        .unwrap();
    let index = target.id();
    let fresh = parser.parse(&edited, None).unwrap();
    let delta = with.len() as isize - what.len() as isize;
    let new = fresh
        .root_node()
        .descendant_for_byte_range(target.start_byte(), target.start_byte())
        .unwrap();
    let mut new = new;
    while new.kind() != "call" || new.start_byte() != target.start_byte() {
        new = new.parent().unwrap();
    }
    assert!(ours.splice(index, index, &[(new, 0)], delta, &edited));
    assert_same(&ours, &fresh, &edited);
}

#[test]
fn a_spliced_subtree_reads_as_a_fresh_parse() {
    let text = "defmodule A do\n  @moduledoc false\n\n  def f(x) do\n    x + 1\n  end\n\n  def g(y), do: y\n\n  defp h, do: :ok\nend\n\ndefmodule B do\n  def i, do: 2\nend\n";
    // Growing, shrinking and same-length edits, in the first, a middle and the last unit.
    splice_and_compare(text, "x + 1", "x + 1 + helper(x, [1, 2, 3])");
    splice_and_compare(text, "x + 1", "x");
    splice_and_compare(text, "do: y", "do: z");
    splice_and_compare(
        text,
        "def i, do: 2",
        "def i do\n    2\n    |> Kernel.+(3)\n  end",
    );
}

#[test]
fn a_splice_that_does_not_fit_leaves_the_tree_alone() {
    let text = "defmodule A do\n  def f(x) do\n    x\n  end\nend\n";
    let mut parser = new_parser();
    let old = parser.parse(text, None).unwrap();
    let mut ours = SyntaxTree::new(&old, text);
    let def = ours
        .nodes()
        .find(|n| n.kind() == "call" && text[n.byte_range()].starts_with("def f"))
        .unwrap()
        .id();
    let broken = "defmodule A do\n  def f(x) do\n    x +\n  end\nend\n";
    let fresh = parser.parse(broken, None).unwrap();
    let new = fresh
        .root_node()
        .descendant_for_byte_range(17, 17)
        .unwrap()
        .parent()
        .unwrap();
    // Ends 2 bytes later than the old `def`, not 3.
    assert!(!ours.splice(def, def, &[(new, 0)], 3, broken));
    assert_same(&ours, &old, text);
}

#[test]
fn a_broken_subtree_marks_its_ancestors_as_holding_an_error() {
    let text = "defmodule A do\n  def f(x) do\n    x\n  end\n\n  def g, do: 1\nend\n";
    let broken = "defmodule A do\n  def f(x) do\n    x(1 +)\n  end\n\n  def g, do: 1\nend\n";
    let mut parser = new_parser();
    let old = parser.parse(text, None).unwrap();
    let mut ours = SyntaxTree::new(&old, text);
    assert!(!ours.root_node().has_error());
    let def = ours
        .nodes()
        .find(|n| n.kind() == "call" && text[n.byte_range()].starts_with("def f"))
        .unwrap()
        .id();
    let fresh = parser.parse(broken, None).unwrap();
    let mut new = fresh.root_node().descendant_for_byte_range(17, 17).unwrap();
    while new.start_byte() != 17 || new.kind() != "call" {
        new = new.parent().unwrap();
    }
    assert!(new.has_error(), "{}", new.to_sexp());
    assert!(ours.splice(def, def, &[(new, 0)], 5, broken));
    assert!(ours.root_node().has_error());
    let g = ours
        .nodes()
        .find(|n| n.kind() == "call" && broken[n.byte_range()].starts_with("def g"))
        .unwrap();
    assert!(!g.has_error());
    assert_eq!(g.start_position().row, 5);
    let f = ours
        .nodes()
        .find(|n| n.start_byte() == 17 && n.kind() == "call")
        .unwrap();
    assert!(f.has_error() && f.parent().is_some_and(|p| p.has_error()));
}

/// By hand: what the copy costs next to the parse.
/// `LADDER_PROFILE_FILE=PATH cargo test --release --lib copy_profile -- --ignored --nocapture`
#[test]
#[ignore]
fn copy_profile() {
    let Some(text) = profile_text() else {
        return;
    };
    let mut parser = new_parser();
    let (mut parse, mut copy) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let t = std::time::Instant::now();
        let tree = parser.parse(&text, None).unwrap();
        parse.push(t.elapsed());
        let t = std::time::Instant::now();
        let ours = SyntaxTree::new(&tree, &text);
        copy.push(t.elapsed());
        assert!(!ours.is_empty());
    }
    parse.sort();
    copy.sort();
    eprintln!(
        "{} nodes: parse p50 {:?}, copy p50 {:?}",
        SyntaxTree::new(&parser.parse(&text, None).unwrap(), &text).len(),
        parse[5],
        copy[5]
    );
}
