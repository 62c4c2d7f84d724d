//! Re-parsing the statements an edit touched instead of the file.
//!
//! tree-sitter-elixir re-reads most of a file after any edit (see [`super`]); a statement of a
//! function body, or of a module body (a function, an attribute), parsed alone inside its
//! function's and modules' heads and `end`s gives the subtree a full parse gives, in a fraction
//! of a millisecond. When every edit since the last parse lies within a run of statements of
//! one function body (else of one module body): one statement, or the two around an edit
//! between them, widened by one statement on each side when that alone does not parse; and the
//! run's new text parses without an error into statements spanning exactly the edited stretch,
//! those replace the old run's subtrees in the [`SyntaxTree`]. Anything else (an edit in a
//! module head or before its first statement, text that no longer parses, a run that no longer
//! ends where it did) is left to a full parse.
//!
//! Why the new subtrees are the full parse's: the parser reads the heads as it would in the
//! file, so it reaches the run in the state it would; the run parses completely and without
//! recovery; and it ends where it ended before, followed by the same text, which the parser
//! then reads in the same state as before the edit. The `edit_sequence` fuzz target and the
//! tests below compare the result with fresh parses.
//!
//! Text the edits left broken can get a *provisional* tree ([`splice_provisional`]): the same
//! run parsed with its errors, when error recovery stayed inside it. It is what a full parse
//! reads in about nine cases out of ten, not always; the server lints it while the user types
//! and the full parse's lint follows.

use std::sync::Arc;

use crate::syntax::{Node, SyntaxTree, elixir};

/// The edits since a document's tree was a parse of its text, as one stretch: the old text's
/// `start..old_end` is now `start..old_end + delta`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stretch {
    /// Where the edited stretch starts (the same in the old and the new text).
    pub start: usize,
    /// Where it ended in the old text.
    pub old_end: usize,
    /// How many bytes longer it is now.
    pub delta: isize,
}

impl Stretch {
    /// The stretch covering `self` and then the edit of the new text's `start..end` into
    /// `inserted` bytes (`self` is `None` before the first edit).
    pub fn then(self_: Option<Stretch>, start: usize, end: usize, inserted: usize) -> Stretch {
        let edit_delta = inserted as isize - (end - start) as isize;
        let Some(s) = self_ else {
            return Stretch {
                start,
                old_end: end,
                delta: edit_delta,
            };
        };
        // Before `s.start` the texts agree; from the stretch's new end on, they differ by
        // `s.delta`.
        let new_end = (s.old_end as isize + s.delta) as usize;
        let end = end.max(new_end);
        Stretch {
            start: start.min(s.start),
            old_end: (end as isize - s.delta) as usize,
            delta: s.delta + edit_delta,
        }
    }
}

/// `old` (the tree of the text before the edits `stretch` sums up) with the statements around
/// the stretch re-parsed from `text` (the text after them); `None` when that cannot be done
/// exactly.
pub fn splice(old: &Arc<SyntaxTree>, stretch: Stretch, text: &str) -> Option<SyntaxTree> {
    splice_or_provisional(old, stretch, text, false).map(|(tree, _)| tree)
}

/// [`splice`], or when `allow_provisional` and the text is broken, [`splice_provisional`];
/// with whether the tree is provisional. Each widened run is parsed once for both.
pub fn splice_or_provisional(
    old: &Arc<SyntaxTree>,
    stretch: Stretch,
    text: &str,
    allow_provisional: bool,
) -> Option<(SyntaxTree, bool)> {
    // A statement of a function body first (a keystroke re-reads a line or two, not the
    // function), then of a module body. Every exact splice is tried before a provisional one
    // is taken: a run can be broken alone and whole in a wider one.
    let mut provisional = None;
    for level in [Level::Function, Level::Module] {
        if let Some(found) = splice_run(old, stretch, text, level, false, 0) {
            return Some(found);
        }
        match splice_run(old, stretch, text, level, allow_provisional, 1) {
            Some((tree, false)) => return Some((tree, false)),
            Some(found) => provisional = provisional.or(Some(found)),
            None => {}
        }
    }
    provisional
}

/// Which body's statements a splice re-parses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Those of the innermost `def`/`defp`/`defmacro`/`defmacrop` body holding the edits, when
    /// that function is a statement of a module body (inside modules only).
    Function,
    /// Those of the innermost module body.
    Module,
}

/// [`splice`] for text the edits left broken: the statements around the stretch re-parsed
/// alone, syntax errors and all, when the parser's error recovery stayed within them (their
/// module's head, `do` and `end` read as before). Not necessarily the tree a full parse
/// gives: recovering in the whole file, the parser may read past the run (a `do` left without
/// its `end` takes the next statement's). The server lints it at once, while the user types,
/// and a full parse follows when the typing pauses.
pub fn splice_provisional(
    old: &Arc<SyntaxTree>,
    stretch: Stretch,
    text: &str,
) -> Option<SyntaxTree> {
    splice_or_provisional(old, stretch, text, true).map(|(tree, _)| tree)
}

/// The splice of the run of statements around `stretch`, widened by `widen` statements on each
/// side: an edit can join a statement to its neighbour (deleting the `x` of `xwhen` below a
/// function head makes the head and the `when …` one statement again), which the narrowest
/// run cannot parse alone.
fn splice_run(
    old: &Arc<SyntaxTree>,
    stretch: Stretch,
    text: &str,
    level: Level,
    allow_errors: bool,
    widen: usize,
) -> Option<(SyntaxTree, bool)> {
    let root = old.root_node();
    if stretch.old_end > root.end_byte() || stretch.start > stretch.old_end {
        return None;
    }
    let (first, last) = statements_around(old, stretch, text, level, widen)?;
    let shift = |b: usize| (b as isize + stretch.delta) as usize;
    let new_end = shift(last.end_byte());
    if new_end > text.len() || new_end < first.start_byte() {
        return None;
    }
    // The function and modules around the statements: their heads (through `do` and its line
    // break) and their `end`s (moved by the edit) through their line breaks, outermost first.
    let mut heads = Vec::new();
    let mut ends = Vec::new();
    let mut at = first.parent();
    while let Some(block) = at {
        if block.kind() == "source" {
            break;
        }
        let module = block.parent()?;
        let (open, close) = body_ends(module, block, text)?;
        heads.push(module.start_byte()..elixir::line_end_with_terminator(text, open.end_byte()));
        // Through its line break: the next module's `end` must not join it into `endend`.
        let close_end = shift(close.end_byte());
        ends.push(shift(close.start_byte())..elixir::line_end_with_terminator(text, close_end));
        at = module.parent();
    }
    heads.reverse();
    // The statements through their line break: the module's `end` must not join their last
    // token.
    let line_end = text.get(new_end..)?.find('\n')? + new_end + 1;
    let mut ranges = heads;
    ranges.push(first.start_byte()..line_end);
    ranges.extend(ends);
    if ranges.windows(2).any(|w| w[0].end > w[1].start) || ranges.iter().any(|r| r.end > text.len())
    {
        return None;
    }
    // The new text's rows, from the old text's: positions of the ranges without reading the
    // text before them, and the spliced tree's rows.
    let rows = old.rows_after(first.start_byte()..last.end_byte(), stretch.delta, text);
    let alone = parse_ranges(&rows, text, &ranges)?;
    let alone_root = alone.root_node();
    if alone_root.has_error() && !allow_errors {
        return None;
    }
    // The innermost body in the new parse, and its statements in the edited stretch.
    let mut block = alone_root.descendant_for_byte_range(first.start_byte(), new_end)?;
    while block.kind() != "do_block" || block.start_byte() >= first.start_byte() {
        block = block.parent()?;
    }
    if block.parent()?.start_byte() != first.parent()?.parent()?.start_byte() {
        return None;
    }
    let mut new = Vec::new();
    let mut cursor = block.walk();
    if cursor.goto_first_child() {
        loop {
            let node = cursor.node();
            if node.start_byte() >= first.start_byte() && node.end_byte() <= new_end {
                if matches!(node.kind(), "do" | "end") && !node.is_named() {
                    return None;
                }
                new.push((node, cursor.field_id().map_or(0, |f| f.get())));
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    if alone_root.has_error() && !errors_within(block, first.start_byte()..new_end) {
        return None;
    }
    if alone_root.has_error() && starts_broken(alone_root, first.start_byte()) {
        // Text that only reads as the continuation of the statement before the run (`when …`,
        // `|> …` on a line of their own) is an error alone and none in the file.
        return None;
    }
    // An error the run's nodes do not show (tree-sitter counts some in a node's error cost
    // without a child for them) would leave a provisional tree that reads as clean: a full
    // parse then.
    old.spliced(first.id(), last.id(), &new, stretch.delta, rows)
        .map(|tree| (tree, alone_root.has_error()))
        .filter(|(tree, provisional)| !provisional || tree.root_node().has_error())
}

/// Whether every syntax error of `block`'s tree lies in children of `block` (a module's or
/// function's body) within `run`: the body's `do` and `end`, its other statements, and everything around the
/// body up to the root read without one, and no child straddles the run's bounds.
fn errors_within(block: tree_sitter::Node<'_>, run: std::ops::Range<usize>) -> bool {
    let clean = |n: tree_sitter::Node<'_>| !n.has_error() && !n.is_missing();
    let mut cursor = block.walk();
    let children: Vec<_> = block.children(&mut cursor).collect();
    let ends_right = children
        .first()
        .is_some_and(|n| n.kind() == "do" && clean(*n))
        && children
            .last()
            .is_some_and(|n| n.kind() == "end" && clean(*n));
    let body_right = children.iter().all(|n| {
        let inside = n.start_byte() >= run.start && n.end_byte() <= run.end;
        let outside = n.end_byte() <= run.start || n.start_byte() >= run.end;
        inside || (outside && clean(*n))
    });
    if !ends_right || !body_right {
        return false;
    }
    // Up the ancestors: none is an error, and their other children read without one.
    let mut at = block;
    while let Some(parent) = at.parent() {
        if parent.is_error() || parent.is_missing() {
            return false;
        }
        let mut cursor = parent.walk();
        if parent
            .children(&mut cursor)
            .any(|n| n.id() != at.id() && !clean(n))
        {
            return false;
        }
        at = parent;
    }
    true
}

/// Whether an error (or a missing token) starts at `at`, the first byte of the run.
fn starts_broken(root: tree_sitter::Node<'_>, at: usize) -> bool {
    let mut node = root.descendant_for_byte_range(at, at);
    while let Some(n) = node {
        if n.start_byte() != at {
            break;
        }
        if n.is_error() || n.is_missing() {
            return true;
        }
        node = n.parent();
    }
    false
}

/// The `do` and `end` of `block`, the body of the module `module` defines.
fn module_body<'t>(module: Node<'t>, block: Node<'t>, text: &str) -> Option<(Node<'t>, Node<'t>)> {
    if elixir::module_def(module, text)?.body? != block {
        return None;
    }
    do_and_end(block)
}

/// The `do` and `end` of `block`, the body of the function `def` defines: its `do … end`
/// holding statements only (no `rescue`, `else`, … part).
fn function_body<'t>(def: Node<'t>, block: Node<'t>, text: &str) -> Option<(Node<'t>, Node<'t>)> {
    if elixir::function_def(def, text)?.body? != block
        || block
            .children(&mut block.walk())
            .any(|n| n.kind().ends_with("_block"))
    {
        return None;
    }
    do_and_end(block)
}

/// [`module_body`] or [`function_body`].
fn body_ends<'t>(call: Node<'t>, block: Node<'t>, text: &str) -> Option<(Node<'t>, Node<'t>)> {
    module_body(call, block, text).or_else(|| function_body(call, block, text))
}

fn do_and_end(block: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let open = block
        .child(0)
        .filter(|n| n.kind() == "do" && !n.is_named())?;
    let close = block
        .child(block.child_count().checked_sub(1)? as u32)
        .filter(|n| n.kind() == "end" && !n.is_named())?;
    Some((open, close))
}

/// The statements of a body around `stretch`, in `old` (of the innermost module body, or of
/// the innermost function body when that is a statement of one, per `level`): from the last
/// one starting at or before its start to the first one ending at or after its end (so an
/// edit between two statements re-reads both), and `widen` more on each side. `None` when the
/// stretch is not inside one such body, between its first and last statements.
fn statements_around<'t>(
    old: &'t SyntaxTree,
    stretch: Stretch,
    text: &str,
    level: Level,
    widen: usize,
) -> Option<(Node<'t>, Node<'t>)> {
    // The innermost module (or function) body holding the stretch.
    let mut block = old
        .root_node()
        .descendant_for_byte_range(stretch.start, stretch.old_end)?;
    loop {
        if block.kind() == "do_block"
            && let Some(call) = block.parent()
        {
            if module_body(call, block, text).is_some() {
                if level == Level::Function {
                    return None;
                }
                break;
            }
            if level == Level::Function && function_body(call, block, text).is_some() {
                break;
            }
        }
        block = block.parent()?;
    }
    let statements: Vec<Node<'t>> = block
        .children(&mut block.walk())
        .filter(|n| n.is_named() || !matches!(n.kind(), "do" | "end"))
        .collect();
    // On a line of its own: code before it on its line would read the run's new text as its
    // continuation (a comment after a call turned into an argument).
    let starts_line = |n: &Node<'t>| elixir::starts_line(text, n.start_byte());
    let mut first = statements
        .iter()
        .rposition(|n| n.start_byte() <= stretch.start && starts_line(n))?;
    let mut last = first
        + statements[first..]
            .iter()
            .position(|n| n.end_byte() >= stretch.old_end)?;
    for _ in 0..widen {
        if let Some(before) = statements[..first].iter().rposition(starts_line) {
            first = before;
        }
        last = (last + 1).min(statements.len() - 1);
    }
    Some((statements[first], statements[last]))
}

/// A parse of only `ranges` of `text` (positions stay the text's; `rows` are its row starts),
/// with this thread's parser for such parses (included ranges stay set on a parser).
pub(crate) fn parse_ranges(
    rows: &[u32],
    text: &str,
    ranges: &[std::ops::Range<usize>],
) -> Option<tree_sitter::Tree> {
    thread_local! {
        static PARSER: std::cell::RefCell<tree_sitter::Parser> =
            std::cell::RefCell::new(crate::syntax::new_parser());
    }
    let point = |byte: usize| -> Option<tree_sitter::Point> {
        Some(crate::syntax::tree::point_in(
            rows,
            u32::try_from(byte).ok()?,
        ))
    };
    let mut included = Vec::with_capacity(ranges.len());
    for r in ranges {
        included.push(tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point: point(r.start)?,
            end_point: point(r.end)?,
        });
    }
    PARSER.with_borrow_mut(|parser| {
        parser.set_included_ranges(&included).ok()?;
        let tree = parser.parse(text, None);
        // Whole-text parses elsewhere on this thread use another parser; reset anyway so that
        // nothing depends on it.
        let _ = parser.set_included_ranges(&[]);
        tree
    })
}

#[cfg(test)]
#[path = "splice_tests.rs"]
mod tests;
