//! A large text's first parse, on several threads.
//!
//! tree-sitter parses a text on one thread: 30 ms for 5,000 lines, most of the time before a
//! file's first diagnostics. A module's body is a list of statements, and a run of them parsed
//! alone inside the module's head and `end` gives the subtrees a parse of the file gives (the
//! argument of [`super::splice`], whose tests and fuzz target check it). So the text is cut at
//! statement starts into pieces, each piece parsed on its own thread from the text's own bytes
//! (tree-sitter's included ranges: the nodes get their offsets in the whole text), and the
//! pieces' statements are put together into one [`SyntaxTree`].
//!
//! Where the cuts go is read from the text, before any parse: a line that starts a
//! `def`/`defp`/`defmacro`/`@doc`/`@spec`/`@impl`/`defmodule` at the module body's
//! indentation (two spaces, in a file that is one module), or a `defmodule` at the start of a
//! line (in a file of several), after a blank line or an `end`. A guess; the parses check it:
//! the first piece ends with the module's `end` right after the cut, so a cut inside a string,
//! a bracket or a function leaves it broken. Every piece must parse without a syntax error into
//! statements that lie between its cuts; otherwise (and for broken files) the text is parsed
//! whole, as before.

use std::ops::Range;

use super::splice::parse_ranges;
use crate::syntax::{Subtrees, SyntaxTree};

/// Texts shorter than this are parsed whole: a parse of 64 KB takes a few milliseconds, and a
/// thread's start and the stitching would eat the gain.
pub const MIN_BYTES: usize = 64 * 1024;

/// How the text is laid out for cutting.
struct Layout {
    /// The top-level module (or `defimpl`, `defprotocol`) cut inside, when one holds most of
    /// the file; `None` to cut between top-level statements.
    module: Option<Block>,
    /// Where each piece after the first starts, in order.
    cuts: Vec<usize>,
}

/// A top-level `… do` block, by its lines.
struct Block {
    /// Its head line, through its line break.
    head: Range<usize>,
    /// Its closing `end` line, through its line break.
    end: Range<usize>,
}

/// `text`'s parse, read in `pieces` pieces on as many threads (the calling one among them);
/// `None` when the text is too short, cannot be cut, or a piece does not parse cleanly (parse
/// it whole then).
pub fn parse_in_pieces(text: &str, pieces: usize) -> Option<SyntaxTree> {
    if text.len() < MIN_BYTES || pieces < 2 {
        return None;
    }
    parse_cut(text, pieces)
}

/// [`parse_in_pieces`] whatever the text's length (for tests and the `edit_sequence` fuzz
/// target: small texts cut as large ones are).
pub fn parse_cut(text: &str, pieces: usize) -> Option<SyntaxTree> {
    let layout = &layout(text, pieces)?;
    let rows = &crate::syntax::tree::row_starts(text);
    let ranges = piece_ranges(text.len(), layout);
    let (first, others) = std::thread::scope(|scope| {
        // Each later piece is parsed, its statements copied out and its tree dropped on its
        // own thread (a tree's drop is a tenth of its parse).
        let others: Vec<_> = ranges[1..]
            .iter()
            .enumerate()
            .map(|(k, included)| {
                let start = layout.cuts[k];
                let end = layout.cuts.get(k + 1).copied().unwrap_or(text.len());
                scope.spawn(move || -> Option<(Subtrees, usize)> {
                    let piece = parse_ranges(rows, text, included)?;
                    let root = piece.root_node();
                    if root.has_error() {
                        return None;
                    }
                    let copied = Subtrees::of(&statements(&piece, layout, start, end)?);
                    Some((copied, root.end_byte()))
                })
            })
            .collect();
        let first = parse_ranges(rows, text, &ranges[0])
            .filter(|t| !t.root_node().has_error())
            .map(|t| (SyntaxTree::new(&t, text), t));
        let others: Vec<_> = others
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect();
        (first, others)
    });
    let (mut tree, parsed) = first?;
    // Not on the way to the first diagnostics.
    std::thread::spawn(move || drop(parsed));
    let others: Vec<(Subtrees, usize)> = others.into_iter().collect::<Option<_>>()?;
    // The first piece's body (the root's for a file of statements) and, in a module, its
    // `end`; its statements end before the first cut.
    let (parent, before) = {
        let root = tree.root_node();
        let (body, before) = match &layout.module {
            Some(block) => {
                let body = body_of(root, block.head.start, block.end.start)?;
                let end = body.child(body.child_count().checked_sub(1)? as u32)?;
                (body, Some(end.id()))
            }
            None => (root, None),
        };
        let mut cursor = body.walk();
        if body
            .children(&mut cursor)
            .any(|n| Some(n.id()) != before && n.end_byte() > layout.cuts[0])
        {
            return None;
        }
        (body.id(), before)
    };
    let mut before = before;
    for (statements, root_end) in others {
        // A file of statements: the root reaches the text's end with the last piece's.
        let reach = match layout.module {
            Some(_) => 0,
            None => root_end,
        };
        let grown = tree.inserted(parent, before, statements, reach)?;
        // `end` moves by the nodes put before it.
        before = before.map(|b| b + grown.len() - tree.len());
        tree = grown;
    }
    Some(tree)
}

/// The `do_block` of the top-level block whose head starts at `start`, when it closes on the
/// block's last line (`end_line`): an `end` the guess took for the block's may close something
/// else (tree-sitter reads a stray `end` after it as a name).
fn body_of(
    root: crate::syntax::Node<'_>,
    start: usize,
    end_line: usize,
) -> Option<crate::syntax::Node<'_>> {
    let mut cursor = root.walk();
    let block = root
        .named_children(&mut cursor)
        .find(|n| n.start_byte() == start)?;
    let mut cursor = block.walk();
    let body = block
        .named_children(&mut cursor)
        .find(|n| n.kind() == "do_block")?;
    let end = body.child(body.child_count().checked_sub(1)? as u32)?;
    (end.kind() == "end" && end.start_byte() >= end_line).then_some(body)
}

/// A later piece's statements (with their fields), when they all lie in `start..end`.
fn statements<'t>(
    piece: &'t tree_sitter::Tree,
    layout: &Layout,
    start: usize,
    end: usize,
) -> Option<Vec<(tree_sitter::Node<'t>, u16)>> {
    let root = piece.root_node();
    let parent = match &layout.module {
        Some(block) => {
            let mut cursor = root.walk();
            let module = root
                .named_children(&mut cursor)
                .find(|n| n.start_byte() == block.head.start)?;
            let mut cursor = module.walk();
            let body = module
                .named_children(&mut cursor)
                .find(|n| n.kind() == "do_block")?;
            // Closed by the block's own `end`, as in the first piece.
            let end = body.child(u32::try_from(body.child_count().checked_sub(1)?).ok()?)?;
            if end.kind() != "end" || end.start_byte() < block.end.start {
                return None;
            }
            body
        }
        None => root,
    };
    let mut out = Vec::new();
    let mut cursor = parent.walk();
    if cursor.goto_first_child() {
        loop {
            let node = cursor.node();
            let keyword = matches!(node.kind(), "do" | "end") && !node.is_named();
            if !keyword {
                if node.start_byte() < start || node.end_byte() > end {
                    return None;
                }
                out.push((node, cursor.field_id().map_or(0, |f| f.get())));
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The included ranges of each piece. Cutting a module: the first from the text's start to
/// its cut, then from the module's `end` on; each later one the module's head, its stretch,
/// and the module's `end`. Cutting between statements: each its stretch.
fn piece_ranges(len: usize, layout: &Layout) -> Vec<Vec<Range<usize>>> {
    let mut bounds = vec![0];
    bounds.extend(&layout.cuts);
    let mut out = Vec::with_capacity(bounds.len());
    for (i, start) in bounds.iter().enumerate() {
        let stop = bounds.get(i + 1).copied();
        let ranges = match &layout.module {
            Some(block) if i == 0 => vec![0..bounds[1], block.end.start..len],
            Some(block) => match stop {
                Some(stop) => vec![block.head.clone(), *start..stop, block.end.clone()],
                None => vec![block.head.clone(), *start..block.end.end],
            },
            None => std::iter::once(*start..stop.unwrap_or(len)).collect(),
        };
        out.push(ranges);
    }
    out
}

/// Statements that may start a piece at the module body's indentation.
const BODY_STARTS: &[&str] = &[
    "def ",
    "defp ",
    "defmacro ",
    "defmacrop ",
    "defmodule ",
    "@doc ",
    "@spec ",
    "@impl ",
];

/// Where to cut `text` into `pieces` pieces of about the same length, read from its lines.
fn layout(text: &str, pieces: usize) -> Option<Layout> {
    // (line start, line) for every line.
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect();
    // The top-level blocks, by the lines that open and close them at the line start.
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    let mut open = None;
    for (i, (_, line)) in lines.iter().enumerate() {
        let code = line.trim_end();
        if open.is_none()
            && ["defmodule ", "defimpl ", "defprotocol "]
                .iter()
                .any(|d| code.starts_with(d))
            && code.ends_with(" do")
        {
            open = Some(i);
        } else if let Some(first) = open.filter(|_| code == "end") {
            open = None;
            blocks.push((first, i));
        }
    }
    let span = |(first, last): (usize, usize)| lines[last].0 + lines[last].1.len() - lines[first].0;
    let largest = blocks.iter().copied().max_by_key(|b| span(*b));
    // Cut inside a module that holds most of the file, else between top-level blocks.
    let (module, lo, hi) = match largest.filter(|b| span(*b) * 2 > text.len()) {
        Some((first, last)) => {
            let line = |i: usize| lines[i].0..lines[i].0 + lines[i].1.len();
            let block = Block {
                head: line(first),
                end: line(last),
            };
            (Some(block), first + 1, last)
        }
        None => (None, 1, lines.len()),
    };
    let is_cut = |i: usize| -> bool {
        let (_, line) = lines[i];
        let before = lines[i - 1].1.trim_end();
        match module {
            Some(_) => {
                before.is_empty()
                    && line
                        .strip_prefix("  ")
                        .is_some_and(|rest| BODY_STARTS.iter().any(|s| rest.starts_with(s)))
            }
            None => {
                (before.is_empty() || before == "end")
                    && ["defmodule ", "defimpl ", "defprotocol "]
                        .iter()
                        .any(|d| line.starts_with(d))
            }
        }
    };
    let (from_byte, to_byte) = (lines.get(lo)?.0, lines.get(hi - 1)?.0);
    let mut cuts = Vec::new();
    for k in 1..pieces {
        let target = from_byte + (to_byte - from_byte) * k / pieces;
        // The cut nearest the target, after the last one.
        let from = lines
            .partition_point(|(start, _)| *start < target)
            .clamp(lo, hi);
        let floor = cuts
            .last()
            .map_or(lo, |c| lines.partition_point(|(start, _)| start <= c));
        let after = (from..hi).find(|i| is_cut(*i));
        let before = (floor.max(1)..from).rev().find(|i| is_cut(*i));
        let found = match (before, after) {
            (Some(b), Some(a)) if target - lines[b].0 < lines[a].0 - target => b,
            (_, Some(a)) => a,
            (b, None) => b?,
        };
        cuts.push(lines[found].0);
    }
    Some(Layout { module, cuts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// Every fixture file and documentation example cut in 2, 3 and 4 pieces gives a full
    /// parse's tree, or no tree.
    #[test]
    fn pieces_make_the_full_parse() {
        let mut texts: Vec<String> = crate::lint::incremental::tests::fixture_files()
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        texts.push(crate::lint::incremental::tests::bad_examples_file());
        let cut: usize = texts
            .iter()
            .map(|text| cuts_make_the_whole_parse(text, text))
            .sum();
        assert!(cut > 20, "only {cut} texts were cut");
    }

    /// Cuts `text` in 2, 3 and 4 pieces; each cut that parses must give the whole parse's
    /// tree. Returns how many did.
    fn cuts_make_the_whole_parse(text: &str, name: &str) -> usize {
        let mut cut = 0;
        for pieces in 2..=4 {
            if let Some(tree) = parse_cut(text, pieces) {
                cut += 1;
                let whole = parse(text);
                assert!(
                    tree == whole,
                    "{pieces} pieces of {name} differ at {:?}",
                    tree.first_difference(&whole)
                );
            }
        }
        cut
    }

    /// Found by the `edit_sequence` fuzz target: the block's `end` guessed from the lines
    /// closes nothing (an indented `end` closed the module, tree-sitter reads the last one as
    /// a name), so a cut inside it must not be stitched.
    #[test]
    fn a_stray_end_is_no_modules_end() {
        let text = "defmodule A do\n\n\n  end\n\n  def b, do: :ok # c\n\n  defmodule B do\n    def c(y), do: [y]\n  end\nend\n";
        for pieces in 2..=3 {
            assert!(parse_cut(text, pieces).is_none_or(|t| t == parse(text)));
        }
    }

    /// A document opened with a large text gets its first tree in pieces, the full parse's.
    #[test]
    fn a_large_documents_first_parse_is_read_in_pieces() {
        let one = crate::lint::incremental::tests::bad_examples_file();
        let text = one.repeat(MIN_BYTES / one.len() + 1);
        let doc = crate::document::Document::new_deferred(&text, 1);
        let Err(job) = doc.snapshot_or_job() else {
            panic!("a deferred document has a parse to run");
        };
        let snapshot = job.run();
        // On one core the text is parsed whole.
        let cores = crate::lint::parallel::threads();
        assert_eq!(
            snapshot.spliced(),
            cores >= 2,
            "read in pieces on {cores} cores"
        );
        let whole = parse(&text);
        assert!(*snapshot.tree == whole);
        for pieces in 2..=4 {
            assert!(parse_in_pieces(&text, pieces).is_some_and(|t| t == whole));
        }
    }

    /// A file's parse whole and in pieces, timed:
    /// `LADDER_PROFILE_FILE=PATH cargo test --release --lib split_profile -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn split_profile() {
        let Some(text) = crate::syntax::tree::tests::profile_text() else {
            return;
        };
        let time = |f: &dyn Fn() -> bool| {
            let mut times: Vec<_> = (0..15)
                .map(|_| {
                    let start = std::time::Instant::now();
                    assert!(f());
                    start.elapsed()
                })
                .collect();
            times.sort();
            times[7]
        };
        eprintln!("whole: p50 {:?}", time(&|| !parse(&text).is_empty()));
        for pieces in 2..=4 {
            if parse_cut(&text, pieces).is_some() {
                eprintln!(
                    "{pieces} pieces: p50 {:?}",
                    time(&|| parse_cut(&text, pieces).is_some())
                );
            }
        }
    }

    /// The first parse of a fresh process, in pieces or whole (`LADDER_PROFILE_WHOLE=1`):
    /// `LADDER_PROFILE_FILE=PATH cargo test --release --lib split_first -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn split_first() {
        let Some(text) = crate::syntax::tree::tests::profile_text() else {
            return;
        };
        let start = std::time::Instant::now();
        let whole = std::env::var("LADDER_PROFILE_WHOLE").is_ok();
        if whole {
            assert!(!parse(&text).is_empty());
        } else {
            assert!(parse_cut(&text, 2).is_some());
        }
        eprintln!(
            "first parse ({}): {:?}",
            if whole { "whole" } else { "pieces" },
            start.elapsed()
        );
    }

    /// The same over a real project's files:
    /// `LADDER_DIFF_ROOT=PATH cargo test --release --lib pieces_make_the_full_parse_on_a_real_project -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn pieces_make_the_full_parse_on_a_real_project() {
        let Ok(root) = std::env::var("LADDER_DIFF_ROOT") else {
            return;
        };
        let files = crate::lint::incremental::tests::elixir_files(std::path::Path::new(&root));
        let cut: usize = files
            .iter()
            .map(|(path, text)| cuts_make_the_whole_parse(text, path))
            .sum();
        let tried = files.len() * 3;
        eprintln!(
            "{} files: {cut} of {tried} cuts made the full parse, the others none",
            files.len()
        );
    }
}
