//! Open documents: a rope and an incrementally maintained tree-sitter tree per document.
//!
//! The edit recipe (see `architecture.md`): for each change of a notification, in order, convert
//! its range to bytes on the *current* rope, build the `InputEdit` from that rope, edit the tree,
//! then the rope. After the last change, re-parse once, feeding rope chunks to the parser.

pub mod position;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

pub use position::{LineCol, PositionEncoding};

use crate::syntax;

/// One content change: replace `range` (or the whole text when `None`) by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextChange {
    /// Start and end of the replaced text, in the document's position encoding.
    pub range: Option<(LineCol, LineCol)>,
    /// The new text.
    pub text: String,
}

/// An open (or loaded) document with its parse tree.
pub struct Document {
    rope: Rope,
    tree: Tree,
    version: i32,
    parser: Parser,
    /// Whether the text holds a `\r` not followed by `\n`: ropey then counts lines that
    /// tree-sitter (which only breaks rows at `\n`) does not, and points need the slow path.
    has_lone_cr: bool,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("len_bytes", &self.rope.len_bytes())
            .finish()
    }
}

/// A cheap, immutable copy of a document's state (rope and tree clones share their storage).
#[derive(Clone)]
pub struct Snapshot {
    /// The text.
    pub rope: Rope,
    /// Its parse tree.
    pub tree: Tree,
    /// The client's version of this text.
    pub version: i32,
}

impl Document {
    /// Parses `text` from scratch.
    pub fn new(text: &str, version: i32) -> Self {
        let rope = Rope::from_str(text);
        let mut parser = syntax::new_parser();
        let tree = parse_rope(&mut parser, &rope, None);
        let has_lone_cr = scan_lone_cr(&rope);
        Document {
            rope,
            tree,
            version,
            parser,
            has_lone_cr,
        }
    }

    /// The current text.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The current tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The client's version of the current text.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// A copy of the current state, for linting off the editing path.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            rope: self.rope.clone(),
            tree: self.tree.clone(),
            version: self.version,
        }
    }

    /// Applies the changes of one notification in order, then re-parses once (incrementally,
    /// unless a change replaced the whole text).
    pub fn apply_changes(&mut self, changes: &[TextChange], version: i32, enc: PositionEncoding) {
        let mut reuse_tree = true;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    reuse_tree = false;
                }
                Some((start, end)) => {
                    let mut start_byte = position::to_byte(&self.rope, start, enc);
                    let mut end_byte = position::to_byte(&self.rope, end, enc);
                    if end_byte < start_byte {
                        std::mem::swap(&mut start_byte, &mut end_byte);
                    }
                    self.edit_bytes(start_byte, end_byte, &change.text, reuse_tree);
                }
            }
        }
        let old = reuse_tree.then_some(&self.tree);
        self.tree = parse_rope(&mut self.parser, &self.rope, old);
        self.version = version;
    }

    /// Replaces `start..end` (bytes on char boundaries) by `text`, editing the tree to match.
    fn edit_bytes(&mut self, start: usize, end: usize, text: &str, edit_tree: bool) {
        if edit_tree {
            let start_position = self.point_at(start);
            let old_end_position = self.point_at(end);
            let edit = InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: start + text.len(),
                start_position,
                old_end_position,
                new_end_position: advance_point(start_position, text),
            };
            self.tree.edit(&edit);
        }
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, text);
        self.has_lone_cr = scan_lone_cr(&self.rope);
    }

    /// The tree-sitter point (row counted in `\n`s, column in bytes) of a byte offset.
    fn point_at(&self, byte: usize) -> Point {
        point_at(&self.rope, byte, self.has_lone_cr)
    }
}

/// The tree-sitter point of `byte`. Fast path through ropey's line index unless the text has a
/// lone `\r`, which ropey treats as a line break and tree-sitter does not.
fn point_at(rope: &Rope, byte: usize, has_lone_cr: bool) -> Point {
    if !has_lone_cr {
        let row = rope.byte_to_line(byte);
        return Point {
            row,
            column: byte - rope.line_to_byte(row),
        };
    }
    let mut row = 0;
    let mut row_start = 0;
    let mut offset = 0;
    for chunk in rope.chunks() {
        let bytes = chunk.as_bytes();
        let take = bytes.len().min(byte - offset);
        for (i, b) in bytes[..take].iter().enumerate() {
            if *b == b'\n' {
                row += 1;
                row_start = offset + i + 1;
            }
        }
        offset += take;
        if offset >= byte {
            break;
        }
    }
    Point {
        row,
        column: byte - row_start,
    }
}

/// `start` moved past `text`, the way tree-sitter counts (rows at `\n`, columns in bytes).
fn advance_point(start: Point, text: &str) -> Point {
    match text.rfind('\n') {
        None => Point {
            row: start.row,
            column: start.column + text.len(),
        },
        Some(last) => Point {
            row: start.row + text.bytes().filter(|b| *b == b'\n').count(),
            column: text.len() - last - 1,
        },
    }
}

fn scan_lone_cr(rope: &Rope) -> bool {
    let mut prev_cr = false;
    for chunk in rope.chunks() {
        for b in chunk.bytes() {
            if prev_cr && b != b'\n' {
                return true;
            }
            prev_cr = b == b'\r';
        }
    }
    prev_cr
}

/// Parses the rope, from one contiguous copy of the text: tree-sitter's lexer seeks back and
/// forth while it reuses the old tree's subtrees, and each seek into ropey's chunks descends
/// the rope (re-parsing `changeset.ex` after a keystroke: 20-24 ms from the chunks, 18-20 ms
/// from a copy, which costs 0.1 ms).
pub fn parse_rope(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> Tree {
    let text = rope.to_string();
    parser
        .parse(&text, old)
        // Only a cancellation or a missing language makes tree-sitter return None; we set
        // neither, so this cannot fail. Fall back to an empty parse rather than panic anyway.
        .or_else(|| parser.parse("", None))
        .expect("tree-sitter parses the empty string")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(l1: usize, c1: usize, l2: usize, c2: usize, text: &str) -> TextChange {
        TextChange {
            range: Some((LineCol { line: l1, col: c1 }, LineCol { line: l2, col: c2 })),
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order() {
        let mut doc = Document::new("defmodule A do\nend\n", 1);
        let changes = [
            change(0, 10, 0, 11, "B"),
            change(1, 0, 1, 0, "  def f, do: 1\n"),
        ];
        doc.apply_changes(&changes, 2, PositionEncoding::Utf16);
        assert_eq!(
            doc.rope().to_string(),
            "defmodule B do\n  def f, do: 1\nend\n"
        );
        assert_eq!(doc.version(), 2);
        assert!(!doc.tree().root_node().has_error());
    }

    #[test]
    fn reversed_and_out_of_range_ranges_clamp() {
        let mut doc = Document::new("x = 1\n", 1);
        doc.apply_changes(&[change(5, 0, 0, 4, "2")], 2, PositionEncoding::Utf8);
        assert_eq!(doc.rope().to_string(), "x = 2");
    }

    #[test]
    fn points_ignore_lone_cr() {
        let rope = Rope::from_str("a\rb\nc");
        assert_eq!(point_at(&rope, 4, true), Point { row: 1, column: 0 });
        assert_eq!(point_at(&rope, 2, true), Point { row: 0, column: 2 });
    }
}

#[cfg(test)]
mod reparse_profile {
    use super::*;

    /// Types `text` at `at`, then deletes it again; returns how long the typing's re-parse took.
    fn type_and_undo(
        doc: &mut Document,
        at: LineCol,
        text: &str,
        version: i32,
    ) -> std::time::Duration {
        let end = match text {
            "\n" => LineCol {
                line: at.line + 1,
                col: 0,
            },
            _ => LineCol {
                line: at.line,
                col: at.col + text.len(),
            },
        };
        let change = |range, text: &str| TextChange {
            range: Some(range),
            text: text.to_string(),
        };
        let start = std::time::Instant::now();
        doc.apply_changes(&[change((at, at), text)], version, PositionEncoding::Utf8);
        let took = start.elapsed();
        doc.apply_changes(
            &[change((at, end), "")],
            version + 1,
            PositionEncoding::Utf8,
        );
        took
    }

    /// The incremental re-parse after one keystroke in a real file, by hand:
    /// `LADDER_PROFILE_FILE=PATH [LADDER_PROFILE_LINE=N] cargo test --release --lib
    /// reparse_profile -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn reparse_profile() {
        let Ok(path) = std::env::var("LADDER_PROFILE_FILE") else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let mut doc = Document::new(&text, 0);
        let line: usize = std::env::var("LADDER_PROFILE_LINE")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(text.lines().count() / 2);
        let content = text.lines().nth(line).unwrap_or("");
        let at = LineCol {
            line,
            col: content.len() - content.trim_start().len(),
        };
        eprintln!("line {line}: {content:?}");
        let start = std::time::Instant::now();
        let _ = Document::new(&text, 0);
        eprintln!("full parse: {:?}", start.elapsed());
        let mut version = 1;
        for (what, typed) in [
            ("x at the indentation", "x"),
            ("space", " "),
            ("newline", "\n"),
        ] {
            let mut times: Vec<_> = (0..10)
                .map(|_| {
                    version += 2;
                    type_and_undo(&mut doc, at, typed, version)
                })
                .collect();
            times.sort();
            eprintln!("{what}: re-parse p50 {:?}", times[5]);
        }
    }
}
