//! Random edit sequences applied to a `Document` (rope + incrementally re-parsed tree-sitter
//! tree), the way `didChange` applies them. After every notification:
//! - the rope equals the text an independent reference gets by applying the same changes;
//! - the tree (incremental, or spliced from the statements an edit touched) equals a fresh
//!   parse of that text, node by node, when that text parses without an error (else it holds
//!   an error too: tree-sitter's incremental re-parse may recover from an error otherwise than
//!   a fresh parse); a provisional tree of broken statements (the server's
//!   keystroke lints) holds the error, spans the text, and is not kept by the document;
//! - position conversions round-trip in UTF-8, UTF-16 and UTF-32 and agree with the reference;
//! - the text cut in pieces (a large document's first parse, `document::split_parse`) parses
//!   into the fresh parse's tree, whenever a cut parses at all.
//!
//! The invariants are those of the property test `server/tests/incremental.rs`, on inputs
//! libFuzzer steers with coverage instead of a fixed generator.

#![no_main]

use arbitrary::Arbitrary;
use ladder_ls::document::position::{self, LineCol, PositionEncoding};
use ladder_ls::document::{Document, TextChange, split_parse};
use ladder_ls::syntax;
use ladder_ls::syntax::Node;
use libfuzzer_sys::fuzz_target;

const BASES: &[&str] = &[
    "",
    "defmodule Shop.Orders do\n  @moduledoc \"🛒 orders\"\n  def total(items), do: Enum.sum(items)\nend\n",
    "defmodule Café do\r\n  def greet(name) do\r\n    \"こんにちは #{name} 👋\"\r\n  end\r\nend\r\n",
    "x = [1, 2, 3]\r# lone CR above\nmap = %{\"ключ\" => :значение}\n",
    "def f(a, b \\\\ 1) when is_integer(a) do\n  a\n  |> IO.inspect(label: \"a\")\n  |> then(&(&1 + b))\nend",
    "@doc \"\"\"\nHeredoc 😀\n\"\"\"\ndef g(x) do\n  ~s(sigil #{x})\nend\n",
    // Several statements and a nested module: edits inside and between them are spliced.
    "defmodule A do\n  @doc \"a\"\n  def a(x) do\n    x + 1\n  end\n\n  def b, do: :ok # c\n\n  defmodule B do\n    def c(y), do: [y]\n  end\nend\n",
];

/// Pieces inserted text is made of: Elixir tokens, line breaks of every kind, and characters
/// of every UTF-8 and UTF-16 width.
const PIECES: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "😀",
    "é",
    "中文",
    "do",
    "end",
    " do\n",
    "\nend\n",
    "def g(x), do: x\n",
    "\"",
    "#{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "%{a: 1}",
    "# comment 🚀\n",
    "@spec f(integer()) :: :ok\n",
    "\u{2028}",
    "𝄞",
    "\"\"\"",
    "~s(",
    "fn x -> x end",
    "|>",
    "\t",
    "\0",
    "\u{feff}",
    "defmodule A do\n",
    "'",
    "?a",
    "<<",
    ">>",
    "\\",
];

#[derive(Arbitrary, Debug)]
enum Piece {
    Token(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Change {
    /// A ranged change; positions may be past the end, reversed or inside a character.
    Range {
        start: (u8, u16),
        end: (u8, u16),
        text: Vec<Piece>,
    },
    /// A change without a range: the whole text replaced.
    Full(Vec<Piece>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    base: u8,
    encoding: u8,
    notifications: Vec<Vec<Change>>,
}

fn text_of(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Token(i) => PIECES[*i as usize % PIECES.len()],
            Piece::Text(s) => s.as_str(),
        })
        .collect()
}

/// LSP line starts: lines end at `\n`, `\r\n` or a lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
                continue;
            }
            b'\r' | b'\n' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

fn width(c: char, enc: PositionEncoding) -> usize {
    match enc {
        PositionEncoding::Utf8 => c.len_utf8(),
        PositionEncoding::Utf16 => c.len_utf16(),
        PositionEncoding::Utf32 => 1,
    }
}

/// The reference conversion: split the text into LSP lines and count columns in `enc`,
/// clamping as the protocol layer documents.
fn reference_offset(text: &str, pos: LineCol, enc: PositionEncoding) -> usize {
    let starts = line_starts(text);
    let Some(&start) = starts.get(pos.line) else {
        return text.len();
    };
    let line = &text[start..];
    let content_end = line.find(['\r', '\n']).unwrap_or(line.len());
    let mut units = 0;
    for (b, c) in line[..content_end].char_indices() {
        let w = width(c, enc);
        if units + w > pos.col {
            return start + b;
        }
        units += w;
    }
    start + content_end
}

/// The document's tree against a fresh parse of its text: equal node by node when the text
/// parses without an error. tree-sitter's incremental re-parse of a text the edits broke may
/// recover from the error otherwise than a fresh parse does (found by this target: a stray
/// `]` read inside a module's body instead of before it); then the tree holds an error and
/// spans the text.
fn assert_same_parse(tree: &syntax::SyntaxTree, fresh: &syntax::SyntaxTree, text: &str) {
    if fresh.root_node().has_error() {
        let root = tree.root_node();
        assert!(root.has_error(), "a tree without the error of {text:?}");
        assert_eq!(root.end_byte(), fresh.root_node().end_byte(), "{text:?}");
    } else {
        assert_same_tree(tree.root_node(), fresh.root_node(), text);
    }
}

fn assert_same_tree(incremental: Node<'_>, fresh: Node<'_>, text: &str) {
    assert_eq!(
        (
            incremental.kind(),
            incremental.byte_range(),
            incremental.start_position(),
            incremental.end_position(),
            incremental.is_missing()
        ),
        (
            fresh.kind(),
            fresh.byte_range(),
            fresh.start_position(),
            fresh.end_position(),
            fresh.is_missing()
        ),
        "incremental tree differs from a fresh parse of {text:?}"
    );
    assert_eq!(incremental.child_count(), fresh.child_count(), "{text:?}");
    for i in 0..incremental.child_count() as u32 {
        assert_same_tree(incremental.child(i).unwrap(), fresh.child(i).unwrap(), text);
    }
}

/// Every char boundary that a client can name (not the middle of a `\r\n`) converts to a
/// position and back to itself, in every encoding, and the reference agrees.
fn check_positions(text: &str, rope: &ropey::Rope) {
    for (byte, _) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if byte > 0
            && text.as_bytes()[byte - 1] == b'\r'
            && text.as_bytes().get(byte) == Some(&b'\n')
        {
            continue;
        }
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            let lc = position::to_line_col(rope, byte, enc);
            assert_eq!(
                position::to_byte(rope, lc, enc),
                byte,
                "{enc:?} {lc:?} in {text:?}"
            );
            assert_eq!(
                reference_offset(text, lc, enc),
                byte,
                "reference: {enc:?} {lc:?}"
            );
        }
    }
}

fuzz_target!(|input: Input| {
    let enc = [
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ][input.encoding as usize % 3];
    let mut expected = BASES[input.base as usize % BASES.len()].to_string();
    let mut doc = Document::new(&expected, 0);
    for (version, notification) in input.notifications.iter().take(16).enumerate() {
        let mut changes = Vec::new();
        for change in notification.iter().take(8) {
            let change = match change {
                Change::Full(pieces) => TextChange {
                    range: None,
                    text: text_of(pieces),
                },
                Change::Range { start, end, text } => TextChange {
                    range: Some((
                        LineCol {
                            line: start.0 as usize,
                            col: start.1 as usize,
                        },
                        LineCol {
                            line: end.0 as usize,
                            col: end.1 as usize,
                        },
                    )),
                    text: text_of(text),
                },
            };
            // The reference applies each change to the text the previous one left.
            match change.range {
                None => expected = change.text.clone(),
                Some((a, b)) => {
                    let (mut s, mut e) = (
                        reference_offset(&expected, a, enc),
                        reference_offset(&expected, b, enc),
                    );
                    if e < s {
                        std::mem::swap(&mut s, &mut e);
                    }
                    expected.replace_range(s..e, &change.text);
                }
            }
            changes.push(change);
        }
        // The server defers parses (several notifications' edits then reach one incremental
        // parse) and runs them without holding the document (`ParseJob`): every path, chosen
        // from the input.
        doc.edit(&changes, version as i32 + 1, enc);
        assert_eq!(doc.rope().to_string(), expected, "changes {changes:?}");
        check_positions(&expected, doc.rope());
        let tree = match (version as u8).wrapping_add(input.base) % 4 {
            0 => continue,
            // The server's lint of a keystroke: broken statements may get a provisional tree,
            // which the document does not keep (its next parse is exact, checked later).
            3 => match doc.snapshot_or_job() {
                Ok(snapshot) => snapshot.tree,
                Err(job) => {
                    let snapshot = job.run_allowing_provisional();
                    doc.offer(&snapshot);
                    if snapshot.provisional() {
                        let root = snapshot.tree.root_node();
                        assert!(root.has_error(), "a provisional tree of {expected:?}");
                        assert_eq!(root.end_byte(), expected.len(), "{expected:?}");
                        assert!(doc.needs_parse(), "a provisional tree was kept");
                        continue;
                    }
                    assert!(!doc.needs_parse());
                    snapshot.tree
                }
            },
            1 => {
                doc.parse();
                doc.snapshot().tree
            }
            _ => match doc.snapshot_or_job() {
                Ok(snapshot) => snapshot.tree,
                Err(job) => {
                    let snapshot = job.run();
                    doc.offer(&snapshot);
                    assert!(!doc.needs_parse());
                    snapshot.tree
                }
            },
        };
        let fresh = syntax::parse(&expected);
        assert_same_parse(&tree, &fresh, &expected);
        // A large text's first parse reads it in pieces: every cut that parses gives the
        // fresh parse's tree.
        for pieces in 2..=3 {
            if let Some(cut) = split_parse::parse_cut(&expected, pieces) {
                assert!(cut == fresh, "{pieces} pieces of {expected:?}");
            }
        }
    }
    // Edits left deferred by the last notifications are parsed by the next reader.
    let fresh = syntax::parse(&expected);
    assert_same_parse(&doc.snapshot().tree, &fresh, &expected);
});
