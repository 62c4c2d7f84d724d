//! The Elixir grammar and helpers over its trees.

pub mod callbacks;
pub mod elixir;
pub mod module_model;
pub mod scanner;
pub mod tree;

use tree_sitter::{Parser, Tree};

pub use tree::{Node, Subtrees, SyntaxTree, TreeCursor};

/// Field lookups by name, the rules' short form of [`Node::child_by_field_name`] (both use ids
/// looked up once per process: tree-sitter's string search over the grammar's field names on
/// every call was, measured, a fifth of all lint time).
pub trait Fields<'t> {
    /// The child in field `name` (`left`, `right`, `target`, …).
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> Fields<'t> for Node<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>> {
        self.child_by_field_id(field_id(name)?)
    }
}

/// The grammar's id of a field name, cached for the names rules use.
fn field_id(name: &str) -> Option<u16> {
    static IDS: std::sync::LazyLock<[(&str, Option<u16>); 8]> = std::sync::LazyLock::new(|| {
        let language: tree_sitter::Language = tree_sitter_elixir::LANGUAGE.into();
        [
            "left",
            "right",
            "target",
            "key",
            "value",
            "operand",
            "operator",
            "sigil_name",
        ]
        .map(|n| (n, language.field_id_for_name(n).map(|id| id.get())))
    });
    match IDS.iter().find(|(n, _)| *n == name) {
        Some((_, id)) => *id,
        None => {
            let language: tree_sitter::Language = tree_sitter_elixir::LANGUAGE.into();
            language.field_id_for_name(name).map(|id| id.get())
        }
    }
}

/// A parser for Elixir. The grammar is compiled in, so setting it cannot fail.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_elixir::LANGUAGE.into())
        .expect("the bundled tree-sitter-elixir grammar matches the tree-sitter ABI");
    parser
}

/// Parses `source` with `parser`, incrementally from `old` (edited to match) when given.
pub fn parse_with(parser: &mut Parser, source: &str, old: Option<&Tree>) -> Tree {
    parser
        .parse(source, old)
        // Only a cancellation or a missing language makes tree-sitter return None; we set
        // neither, so this cannot fail. Fall back to an empty parse rather than panic anyway.
        .or_else(|| parser.parse("", None))
        .expect("tree-sitter parses the empty string")
}

/// A fresh parse of `source`, copied into a [`SyntaxTree`].
pub fn parse(source: &str) -> SyntaxTree {
    SyntaxTree::new(&parse_on_this_thread(source, None), source)
}

/// [`parse_with`] this thread's parser, made once per thread: a parser is an allocation of its
/// own, and `check` parses hundreds of files on each thread, the server's lints many versions.
pub fn parse_on_this_thread(source: &str, old: Option<&Tree>) -> Tree {
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(new_parser());
    }
    PARSER.with_borrow_mut(|parser| parse_with(parser, source, old))
}

/// The source text of `node`; empty if the range is not valid UTF-8 in `source`.
pub fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    source.get(node.byte_range()).unwrap_or("")
}

/// An S-expression of the tree with byte ranges, for `ladder-ls syntax-tree` and tests.
pub fn dump(node: Node<'_>, source: &str) -> String {
    let mut out = String::new();
    dump_into(node, source, 0, None, &mut out);
    out
}

fn dump_into(node: Node<'_>, source: &str, depth: usize, field: Option<&str>, out: &mut String) {
    use std::fmt::Write;
    let indent = "  ".repeat(depth);
    let field = field.map(|f| format!("{f}: ")).unwrap_or_default();
    let missing = if node.is_missing() { "MISSING " } else { "" };
    let _ = write!(
        out,
        "{indent}{field}{missing}{} [{}..{}]",
        node.kind(),
        node.start_byte(),
        node.end_byte()
    );
    if node.named_child_count() == 0 && node.is_named() {
        let _ = write!(out, " {:?}", text(node, source));
    }
    out.push('\n');
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            let child = cursor.node();
            if child.is_named() || child.is_missing() {
                dump_into(child, source, depth + 1, cursor.field_name(), out);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// `source[range]`, or empty when the range is not valid for `source`.
pub fn text_range<'a>(source: &'a str, range: &std::ops::Range<usize>) -> &'a str {
    source.get(range.clone()).unwrap_or("")
}
