//! Open documents: a rope and an incrementally maintained tree-sitter tree per document.
//!
//! The edit recipe (see `architecture.md`): for each change of a notification, in order, convert
//! its range to bytes on the *current* rope, build the `InputEdit` from that rope, edit the tree,
//! then the rope. After the last change, re-parse once from a contiguous copy of the text.
//!
//! The server defers that re-parse ([`Document::edit`]): tree-sitter-elixir re-parses a real
//! module almost from scratch after any edit (its grammar keeps several parse stacks alive at
//! nearly every line break, and nodes built while it does cannot be reused), 18 ms for one
//! character in Ecto's 4,430-line `changeset.ex` and 64 ms in a file twice that size. Done in
//! the `didChange` handler it held the server's thread once per keystroke; deferred, a burst of
//! keystrokes costs one parse, off the protocol threads ([`ParseJob`]).

pub mod position;
pub mod splice;
pub mod split_parse;

use std::sync::Arc;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

pub use position::{LineCol, PositionEncoding};

use crate::syntax::{self, SyntaxTree};

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
    /// The last parse, edited (`Tree::edit`) by every change since: a parse of `rope` when
    /// `parsed`, else the old tree for the next incremental parse.
    tree: Tree,
    /// `tree` copied for the rules, when `parsed`.
    syntax: Arc<SyntaxTree>,
    /// Whether `tree` is a parse of the current text.
    parsed: bool,
    /// Whether `tree` may seed the next parse (false after a whole-text replacement).
    reusable: bool,
    /// The last tree without a syntax error, which a re-parse of the statements around the
    /// edits since ([`splice`]) may bring up to date: kept while the text is broken, so that
    /// the edit mending it (the `)` after a `(`) need not re-parse the file. `None` after a
    /// whole-text replacement and before the first parse.
    base: Option<Arc<SyntaxTree>>,
    /// Where the text changed since `base` was its tree.
    stretch: Option<splice::Stretch>,
    /// Whether the last parse was a splice.
    spliced: bool,
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
    pub tree: Arc<SyntaxTree>,
    /// The client's version of this text.
    pub version: i32,
    /// tree-sitter's tree the copy was made from, to seed the document's next parse; `None`
    /// when a statement's re-parse was spliced into the document's last tree, or a large
    /// text was parsed in pieces ([`split_parse`]).
    parsed: Option<Tree>,
    /// Whether `tree` is a provisional splice of broken text ([`splice::splice_provisional`]),
    /// which a full parse may read differently.
    provisional: bool,
    /// The text in one piece, as the rules read it: the parse's own copy when this snapshot
    /// came from a [`ParseJob`], else made on first use (a copy of a large file per keystroke
    /// is a tenth of a millisecond).
    text: std::sync::OnceLock<Arc<String>>,
}

impl Snapshot {
    /// Whether the parse that made this snapshot re-read only the statements around the edits
    /// ([`splice`]), or read a large text in pieces ([`split_parse`]): no tree-sitter tree
    /// came of it.
    pub fn spliced(&self) -> bool {
        self.parsed.is_none()
    }

    /// Whether the tree is provisional: broken statements parsed alone, whose error recovery a
    /// full parse of the file may do differently ([`ParseJob::run_allowing_provisional`]).
    pub fn provisional(&self) -> bool {
        self.provisional
    }

    /// The text as one string (the rope's contents).
    pub fn text(&self) -> &str {
        self.shared_text_ref()
    }

    /// [`Snapshot::text`], shared.
    pub fn shared_text(&self) -> Arc<String> {
        self.shared_text_ref().clone()
    }

    fn shared_text_ref(&self) -> &Arc<String> {
        self.text.get_or_init(|| Arc::new(self.rope.to_string()))
    }
}

impl Document {
    /// Parses `text` from scratch.
    pub fn new(text: &str, version: i32) -> Self {
        let rope = Rope::from_str(text);
        let mut parser = syntax::new_parser();
        let tree = parse_rope(&mut parser, &rope, None);
        let has_lone_cr = scan_lone_cr(&rope);
        let syntax = Arc::new(SyntaxTree::new(&tree, text));
        let base = (!syntax.root_node().has_error()).then(|| syntax.clone());
        Document {
            rope,
            tree,
            syntax,
            parsed: true,
            reusable: true,
            base,
            stretch: None,
            spliced: false,
            version,
            parser,
            has_lone_cr,
        }
    }

    /// Holds `text` without parsing it yet: the first reader of the tree parses it
    /// ([`Document::snapshot`], [`Document::parse`] or a [`ParseJob`]). The server opens
    /// documents so, keeping a large file's parse off the thread that handles `didOpen`.
    pub fn new_deferred(text: &str, version: i32) -> Self {
        let rope = Rope::from_str(text);
        let mut parser = syntax::new_parser();
        // A placeholder until the first parse; never read (`parsed` is false) nor reused.
        let tree = parse_rope(&mut parser, &Rope::new(), None);
        let has_lone_cr = scan_lone_cr(&rope);
        let syntax = Arc::new(SyntaxTree::new(&tree, ""));
        Document {
            rope,
            tree,
            syntax,
            parsed: false,
            reusable: false,
            base: None,
            stretch: None,
            spliced: false,
            version,
            parser,
            has_lone_cr,
        }
    }

    /// The current text.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The tree of the last parse: of the current text, unless an [`Document::edit`] deferred
    /// the parse ([`Document::needs_parse`]; [`Document::parse`] or [`Document::snapshot`]
    /// bring it up to date). Only the server defers parses, and it reads trees through
    /// snapshots.
    pub fn tree(&self) -> &SyntaxTree {
        debug_assert!(
            self.parsed,
            "the tree of a document whose parse was deferred"
        );
        &self.syntax
    }

    /// Whether the current text still waits for its parse.
    pub fn needs_parse(&self) -> bool {
        !self.parsed
    }

    /// The client's version of the current text.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// A copy of the current state (parsed now if an edit deferred it), for linting off the
    /// editing path.
    pub fn snapshot(&mut self) -> Snapshot {
        self.parse();
        self.current()
    }

    fn current(&self) -> Snapshot {
        Snapshot {
            rope: self.rope.clone(),
            tree: self.syntax.clone(),
            version: self.version,
            parsed: Some(self.tree.clone()),
            provisional: false,
            text: std::sync::OnceLock::new(),
        }
    }

    /// The current state if its tree is up to date, else the parse that brings it there, to
    /// run without holding the document ([`ParseJob::run`], then [`Document::offer`]).
    pub fn snapshot_or_job(&self) -> Result<Snapshot, ParseJob> {
        if self.parsed {
            return Ok(self.current());
        }
        Err(ParseJob {
            rope: self.rope.clone(),
            old: self.reusable.then(|| self.tree.clone()),
            splice: self.splice_base(),
            version: self.version,
        })
    }

    /// Keeps the tree of a [`ParseJob`]'s snapshot if it is of the current version and the
    /// document still waits for it (a newer edit makes it useless: the next parse starts from
    /// the tree the edits were applied to).
    pub fn offer(&mut self, parsed: &Snapshot) {
        // A provisional tree is not the text's parse: the document waits for the full one.
        if !self.parsed && parsed.version == self.version && !parsed.provisional {
            // A spliced tree leaves tree-sitter's as the edits left it: still the base of the
            // next full parse.
            if let Some(tree) = &parsed.parsed {
                self.tree = tree.clone();
                self.reusable = true;
            }
            self.spliced = parsed.spliced();
            self.keep_parse(parsed.tree.clone());
        }
    }

    /// Applies the changes of one notification in order, then re-parses once (incrementally,
    /// unless a change replaced the whole text).
    pub fn apply_changes(&mut self, changes: &[TextChange], version: i32, enc: PositionEncoding) {
        self.edit(changes, version, enc);
        self.parse();
    }

    /// Applies the changes of one notification in order and leaves the re-parse to the next
    /// reader of the tree: [`Document::tree`], [`Document::snapshot`] or a [`ParseJob`].
    pub fn edit(&mut self, changes: &[TextChange], version: i32, enc: PositionEncoding) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.has_lone_cr = scan_lone_cr(&self.rope);
                    self.reusable = false;
                    self.base = None;
                    self.stretch = None;
                }
                Some((start, end)) => {
                    let mut start_byte = position::to_byte(&self.rope, start, enc);
                    let mut end_byte = position::to_byte(&self.rope, end, enc);
                    if end_byte < start_byte {
                        std::mem::swap(&mut start_byte, &mut end_byte);
                    }
                    if self.base.is_some() {
                        self.stretch = Some(splice::Stretch::then(
                            self.stretch,
                            start_byte,
                            end_byte,
                            change.text.len(),
                        ));
                    }
                    self.edit_bytes(start_byte, end_byte, &change.text, self.reusable);
                }
            }
        }
        self.parsed = false;
        self.version = version;
    }

    /// Brings the tree up to date with the text, if an edit left it behind.
    pub fn parse(&mut self) {
        if self.parsed {
            return;
        }
        let text = self.rope.to_string();
        let spliced = self
            .splice_base()
            .and_then(|(base, stretch)| splice::splice(&base, stretch, &text));
        self.spliced = spliced.is_some();
        let tree = if let Some(spliced) = spliced {
            spliced
        } else {
            let old = self.reusable.then_some(&self.tree);
            self.tree = syntax::parse_with(&mut self.parser, &text, old);
            self.reusable = true;
            SyntaxTree::new(&self.tree, &text)
        };
        self.keep_parse(Arc::new(tree));
    }

    /// Keeps `tree`, the tree of the current text; it becomes the base of the next splices
    /// unless it holds a syntax error.
    fn keep_parse(&mut self, tree: Arc<SyntaxTree>) {
        if !tree.root_node().has_error() {
            self.base = Some(tree.clone());
            self.stretch = None;
        }
        self.syntax = tree;
        self.parsed = true;
    }

    /// Whether the last parse re-read only the statements around the edits ([`splice`]).
    pub fn spliced(&self) -> bool {
        self.spliced
    }

    /// The tree and the stretch of edits a statements' re-parse would start from.
    fn splice_base(&self) -> Option<(Arc<SyntaxTree>, splice::Stretch)> {
        if self.parsed {
            return None;
        }
        Some((self.base.clone()?, self.stretch?))
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
        // Without a lone `\r` before, one can only stand where the edit joined the text: a `\r`
        // just before the inserted text, in it, or at its end (then followed by old text).
        self.has_lone_cr = if self.has_lone_cr {
            scan_lone_cr(&self.rope)
        } else {
            lone_cr_near(&self.rope, start.saturating_sub(1), start + text.len())
        };
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

/// Whether a `\r` at a byte of `from..=to` is not followed by `\n`.
fn lone_cr_near(rope: &Rope, from: usize, to: usize) -> bool {
    let len = rope.len_bytes();
    (from..=to)
        .take_while(|i| *i < len)
        .any(|i| rope.byte(i) == b'\r' && (i + 1 >= len || rope.byte(i + 1) != b'\n'))
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

/// A deferred parse of a document's text, run without holding the document.
pub struct ParseJob {
    rope: Rope,
    old: Option<Tree>,
    splice: Option<(Arc<SyntaxTree>, splice::Stretch)>,
    version: i32,
}

impl ParseJob {
    /// The version whose text this parses.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// Parses the text (incrementally from the edited old tree when there is one), with this
    /// thread's parser.
    pub fn run(self) -> Snapshot {
        self.run_with(false)
    }

    /// [`ParseJob::run`], except that text whose edits left statements broken gets a
    /// provisional tree when it can ([`splice::splice_provisional`]: those statements parsed
    /// alone, in well under a millisecond, where a full parse of a large file takes tens):
    /// for a lint while the user types. [`Document::offer`] does not keep it; the document's
    /// next parse is a full one (or a splice, once the text is mended).
    pub fn run_allowing_provisional(self) -> Snapshot {
        self.run_with(true)
    }

    fn run_with(self, allow_provisional: bool) -> Snapshot {
        // A contiguous copy, as in [`parse_rope`].
        let text = self.rope.to_string();
        if let Some((base, stretch)) = &self.splice {
            let spliced = splice::splice_or_provisional(base, *stretch, &text, allow_provisional);
            if let Some((tree, provisional)) = spliced {
                return Snapshot {
                    tree: Arc::new(tree),
                    rope: self.rope,
                    version: self.version,
                    parsed: None,
                    provisional,
                    text: Arc::new(text).into(),
                };
            }
        }
        if self.old.is_none() && self.splice.is_none() {
            // A first parse (or one after the whole text was replaced): a large text is read
            // in pieces on every core. The document then keeps no tree-sitter tree: its next
            // full parse (after an edit no splice can take, often one that broke the text,
            // which no piece would parse either) is a whole fresh one — up to twice an
            // incremental one in a large file, which re-reads about half of it for this
            // grammar — and seeds the ones after it.
            let pieces = crate::lint::parallel::threads().min(4);
            if let Some(tree) = split_parse::parse_in_pieces(&text, pieces) {
                return Snapshot {
                    tree: Arc::new(tree),
                    rope: self.rope,
                    version: self.version,
                    parsed: None,
                    provisional: false,
                    text: Arc::new(text).into(),
                };
            }
        }
        let parsed = syntax::parse_on_this_thread(&text, self.old.as_ref());
        Snapshot {
            tree: Arc::new(SyntaxTree::new(&parsed, &text)),
            rope: self.rope,
            version: self.version,
            parsed: Some(parsed),
            provisional: false,
            text: Arc::new(text).into(),
        }
    }
}

/// Parses the rope, from one contiguous copy of the text: tree-sitter's lexer seeks back and
/// forth while it reuses the old tree's subtrees, and each seek into ropey's chunks descends
/// the rope (re-parsing `changeset.ex` after a keystroke: 20-24 ms from the chunks, 18-20 ms
/// from a copy, which costs 0.1 ms).
pub fn parse_rope(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> Tree {
    syntax::parse_with(parser, &rope.to_string(), old)
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

    /// `tree` equals a fresh parse of `text` node by node: kinds, bytes, points and links.
    fn same_as_fresh(tree: &SyntaxTree, text: &str) {
        let fresh = syntax::new_parser().parse(text, None).unwrap();
        crate::syntax::tree::tests::assert_same(tree, &fresh, text);
    }

    const MODULE: &str =
        "defmodule A do\n  def f(x) do\n    x + 1\n  end\n\n  def g, do: :ok\nend\n";

    #[test]
    fn typing_in_a_body_splices_and_mending_broken_code_splices_from_the_last_clean_tree() {
        // Line 2 is `    x + 1`.
        let mut doc = Document::new(MODULE, 1);
        doc.apply_changes(&[change(2, 9, 2, 9, "0")], 2, PositionEncoding::Utf8);
        assert!(doc.spliced());
        same_as_fresh(doc.tree(), &doc.rope().to_string());
        // `x + 10 +`: broken, a full parse.
        doc.apply_changes(&[change(2, 10, 2, 10, " +")], 3, PositionEncoding::Utf8);
        assert!(!doc.spliced());
        assert!(doc.tree().root_node().has_error());
        same_as_fresh(doc.tree(), &doc.rope().to_string());
        // Still broken, typed over two notifications and a job.
        doc.edit(&[change(2, 12, 2, 12, " f(")], 4, PositionEncoding::Utf8);
        let Err(job) = doc.snapshot_or_job() else {
            panic!("an edit defers the parse");
        };
        let snapshot = job.run();
        assert!(!snapshot.spliced());
        doc.offer(&snapshot);
        // `x + 10 + f(2)`: mended; the statement is re-read against the last clean tree.
        doc.edit(&[change(2, 15, 2, 15, "2)")], 5, PositionEncoding::Utf8);
        let Err(job) = doc.snapshot_or_job() else {
            panic!("an edit defers the parse");
        };
        let snapshot = job.run();
        assert!(snapshot.spliced());
        doc.offer(&snapshot);
        assert!(doc.spliced());
        let text = doc.rope().to_string();
        assert!(text.contains("x + 10 + f(2)\n"), "{text:?}");
        same_as_fresh(doc.tree(), &text);
        // A whole-text replacement leaves nothing to splice from.
        let whole = TextChange {
            range: None,
            text: MODULE.to_string(),
        };
        doc.apply_changes(&[whole], 6, PositionEncoding::Utf8);
        assert!(!doc.spliced());
        doc.apply_changes(&[change(2, 9, 2, 9, "0")], 7, PositionEncoding::Utf8);
        assert!(doc.spliced());
        same_as_fresh(doc.tree(), &doc.rope().to_string());
    }

    #[test]
    fn deferred_edits_of_several_notifications_reach_one_parse() {
        let mut doc = Document::new(MODULE, 1);
        doc.edit(&[change(2, 4, 2, 5, "y")], 2, PositionEncoding::Utf16);
        doc.edit(&[change(1, 8, 1, 9, "y")], 3, PositionEncoding::Utf16);
        doc.edit(
            &[change(5, 19, 5, 19, "\n  def h(z), do: z")],
            4,
            PositionEncoding::Utf16,
        );
        assert!(doc.needs_parse());
        assert_eq!(doc.version(), 4);
        let text = doc.rope().to_string();
        assert!(text.contains("def f(y) do\n    y + 1") && text.contains("def h(z)"));
        let snapshot = doc.snapshot();
        assert!(!doc.needs_parse());
        assert_eq!(snapshot.version, 4);
        same_as_fresh(&snapshot.tree, &text);
        same_as_fresh(doc.tree(), &text);
    }

    #[test]
    fn a_deferred_open_is_parsed_by_its_first_reader() {
        let mut doc = Document::new_deferred(MODULE, 1);
        assert!(doc.needs_parse());
        // Edits before the first parse apply to the text; the parse starts from scratch.
        doc.edit(&[change(2, 8, 2, 9, "2")], 2, PositionEncoding::Utf8);
        let Err(job) = doc.snapshot_or_job() else {
            panic!("not parsed yet");
        };
        let snapshot = job.run();
        doc.offer(&snapshot);
        assert!(!doc.needs_parse());
        assert!(snapshot.rope.to_string().contains("x + 2"));
        same_as_fresh(&snapshot.tree, &snapshot.rope.to_string());
        same_as_fresh(doc.tree(), &snapshot.rope.to_string());
    }

    #[test]
    fn a_parse_job_runs_apart_and_only_its_own_version_is_kept() {
        let mut doc = Document::new(MODULE, 1);
        assert!(doc.snapshot_or_job().is_ok(), "a new document is parsed");
        doc.edit(&[change(2, 8, 2, 9, "2")], 2, PositionEncoding::Utf8);
        let Err(job) = doc.snapshot_or_job() else {
            panic!("an edit defers the parse");
        };
        assert_eq!(job.version(), 2);
        // An edit arriving while the job runs makes its tree useless for the document.
        doc.edit(&[change(2, 8, 2, 9, "3")], 3, PositionEncoding::Utf8);
        let stale = job.run();
        same_as_fresh(&stale.tree, &stale.rope.to_string());
        assert!(stale.rope.to_string().contains("x + 2"));
        doc.offer(&stale);
        assert!(doc.needs_parse());
        let Err(job) = doc.snapshot_or_job() else {
            panic!("still waiting for version 3");
        };
        let fresh = job.run();
        doc.offer(&fresh);
        assert!(!doc.needs_parse());
        let Ok(snapshot) = doc.snapshot_or_job() else {
            panic!("parsed");
        };
        assert_eq!(snapshot.version, 3);
        assert!(snapshot.rope.to_string().contains("x + 3"));
        same_as_fresh(&snapshot.tree, &snapshot.rope.to_string());
    }

    #[test]
    fn a_whole_text_replacement_then_ranged_edits() {
        let mut doc = Document::new(MODULE, 1);
        let whole = TextChange {
            range: None,
            text: "x = 1\r y = 2\nz = 3\n".to_string(),
        };
        doc.apply_changes(&[whole], 2, PositionEncoding::Utf8);
        // A later notification's ranged edit after a lone `\r` the replacement brought: the
        // edit's tree-sitter point must count rows at `\n` only.
        doc.apply_changes(&[change(1, 4, 1, 5, "4")], 3, PositionEncoding::Utf8);
        same_as_fresh(doc.tree(), &doc.rope().to_string());
        doc.edit(&[change(2, 4, 2, 5, "5")], 4, PositionEncoding::Utf8);
        let text = doc.rope().to_string();
        let snapshot = doc.snapshot();
        same_as_fresh(&snapshot.tree, &text);
    }

    #[test]
    fn points_ignore_lone_cr() {
        let rope = Rope::from_str("a\rb\nc");
        assert_eq!(point_at(&rope, 4, true), Point { row: 1, column: 0 });
        assert_eq!(point_at(&rope, 2, true), Point { row: 0, column: 2 });
    }

    #[test]
    fn lone_cr_is_tracked_through_edits_next_to_line_breaks() {
        let mut doc = Document::new("a\r\nb\r\nc\n", 1);
        // Each edit in bytes (the text is ASCII): joins, splits and mends `\r\n` pairs.
        let edits: [(usize, usize, &str); 8] = [
            (2, 3, ""),    // "a\rb\r\nc\n": the `\n` after the first `\r` deleted
            (2, 2, "\n"),  // mended
            (1, 1, "x"),   // before a `\r`
            (2, 2, "y"),   // between `\r` and `\n`: lone
            (3, 4, ""),    // the `y` gone: mended
            (0, 0, "z\r"), // a `\r` inserted before text: lone
            (2, 2, "\n"),  // followed by `\n` now
            (5, 5, "q\r"), // ends in `\r` before old text that is not `\n`
        ];
        for (i, (start, end, text)) in edits.into_iter().enumerate() {
            let s = doc.rope().byte_to_char(start);
            let e = doc.rope().byte_to_char(end);
            let at = |c: usize| {
                let line = doc.rope().char_to_line(c);
                LineCol {
                    line,
                    col: c - doc.rope().line_to_char(line),
                }
            };
            let change = TextChange {
                range: Some((at(s), at(e))),
                text: text.into(),
            };
            // The rope counts a lone `\r` as a line break too: positions go through it.
            doc.apply_changes(&[change], i as i32 + 2, PositionEncoding::Utf8);
            assert_eq!(
                doc.has_lone_cr,
                scan_lone_cr(doc.rope()),
                "after edit {i}: {:?}",
                doc.rope().to_string()
            );
            same_as_fresh(doc.tree(), &doc.rope().to_string());
        }
    }

    /// Found by the `edit_sequence` fuzz target: deleting the whole text looked past its end.
    #[test]
    fn emptying_the_text_tracks_no_lone_cr() {
        let mut empty = Document::new("ab", 1);
        let all = (LineCol { line: 0, col: 0 }, LineCol { line: 0, col: 2 });
        let change = TextChange {
            range: Some(all),
            text: String::new(),
        };
        empty.apply_changes(&[change], 2, PositionEncoding::Utf8);
        assert_eq!(empty.rope().len_bytes(), 0);
        assert!(!empty.has_lone_cr);
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

    /// Lexer calls of one parse (tree-sitter's debug log), to see how much an incremental
    /// parse re-reads.
    fn lexed_tokens(text: &str, old: Option<&Tree>) -> usize {
        let count = std::rc::Rc::new(std::cell::Cell::new(0usize));
        let seen = count.clone();
        let mut parser = syntax::new_parser();
        parser.set_logger(Some(Box::new(move |_, msg: &str| {
            if msg.starts_with("lexed_lookahead") {
                seen.set(seen.get() + 1);
            }
        })));
        parser.parse(text, old);
        count.get()
    }

    /// Why a re-parse costs nearly a full parse, and what a parse per function would cost, by
    /// hand: `LADDER_PROFILE_FILE=PATH cargo test --release --lib unit_parse_profile --
    /// --ignored --nocapture`.
    ///
    /// 1. Tokens lexed by an incremental re-parse after one character typed at 10 %, 50 % and
    ///    90 % of the file, against a fresh parse.
    /// 2. Each unit (`lint::segments`) parsed alone inside its modules' heads and `end`s
    ///    (tree-sitter's included ranges, so positions stay the file's): time, and whether its
    ///    subtree equals the full parse's.
    #[test]
    #[ignore]
    fn unit_parse_profile() {
        let Some(text) = crate::syntax::tree::tests::profile_text() else {
            return;
        };
        let doc = Document::new(&text, 0);
        eprintln!("fresh parse: {} tokens lexed", lexed_tokens(&text, None));
        for share in [0.1, 0.5, 0.9] {
            let mut at = (text.len() as f64 * share) as usize;
            while !text.is_char_boundary(at) {
                at += 1;
            }
            let mut edited = doc.tree.clone();
            let point = point_at(doc.rope(), at, false);
            edited.edit(&InputEdit {
                start_byte: at,
                old_end_byte: at,
                new_end_byte: at + 1,
                start_position: point,
                old_end_position: point,
                new_end_position: Point {
                    row: point.row,
                    column: point.column + 1,
                },
            });
            let mut new = text.clone();
            new.insert(at, ' ');
            eprintln!(
                "one character at {:.0} %: re-parse lexes {} tokens",
                share * 100.0,
                lexed_tokens(&new, Some(&edited))
            );
        }
        let tree = doc.tree();
        let segs = crate::lint::segments::segments(tree, &text);
        let range = |start: usize, end: usize| tree_sitter::Range {
            start_byte: start,
            end_byte: end,
            start_point: point_at(doc.rope(), start, false),
            end_point: point_at(doc.rope(), end, false),
        };
        let mut parser = syntax::new_parser();
        let (mut times, mut equal) = (Vec::new(), 0);
        for unit in &segs.units {
            // The enclosing modules, outermost first: their heads (through `do` and its line
            // break) and their `end`s around the unit.
            let mut heads = Vec::new();
            let mut ends = Vec::new();
            let mut node = unit.node.parent();
            while let Some(n) = node {
                if let Some(module) = crate::syntax::elixir::module_def(n, &text)
                    && let Some(body) = module.body
                    && let (Some(open), Some(close)) =
                        (body.child(0), body.child(body.child_count() as u32 - 1))
                {
                    let head_end =
                        crate::syntax::elixir::line_end_with_terminator(&text, open.end_byte());
                    heads.push(range(n.start_byte(), head_end));
                    ends.push(range(close.start_byte(), close.end_byte()));
                }
                node = n.parent();
            }
            heads.reverse();
            let mut ranges = heads;
            ranges.push(range(unit.range.start, unit.range.end));
            ranges.extend(ends);
            if ranges.windows(2).any(|w| w[0].end_byte > w[1].start_byte) {
                continue;
            }
            parser.set_included_ranges(&ranges).unwrap();
            let start = std::time::Instant::now();
            let alone = parser.parse(&text, None).unwrap();
            times.push(start.elapsed());
            let found = alone
                .root_node()
                .descendant_for_byte_range(unit.node.start_byte(), unit.node.end_byte());
            let mut found = found;
            while let Some(n) = found
                && (n.byte_range() != unit.node.byte_range() || n.kind() != "call")
            {
                found = n.parent();
            }
            if found.is_some_and(|n| n.to_sexp() == unit.node.to_sexp()) {
                equal += 1;
            }
        }
        times.sort();
        if times.is_empty() {
            return;
        }
        eprintln!(
            "{} units parsed alone: p50 {:?}, p99 {:?}, max {:?}; subtree equal to the full parse's: {equal}",
            times.len(),
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1]
        );
    }

    /// The incremental re-parse after one keystroke in a real file, by hand:
    /// `LADDER_PROFILE_FILE=PATH [LADDER_PROFILE_LINE=N] cargo test --release --lib
    /// reparse_profile -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn reparse_profile() {
        let Some(text) = crate::syntax::tree::tests::profile_text() else {
            return;
        };
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
