//! The prose of the `@moduledoc`, `@doc` and `@typedoc` strings that lie outside the units
//! (between functions): what typing documentation changes.
//!
//! The incremental re-lint ([`super::incremental`]) keys its cache by the skeleton's text (the
//! text outside the units). Keyed by all of it, every keystroke in a doc would be a full lint
//! — in Ecto's `changeset.ex`, half the lines are docs. So the key leaves the doc prose out:
//! the skeleton's text with each doc's content cut ([`GapText::masked`]). A change of prose
//! alone keeps the key; the re-lint then finds the skeleton's findings again (a doc's own
//! findings, such as `doc-without-example`, lie in it) and the documented function's, and
//! moves the other findings of an edited gap across the prose ([`DocStretch::map`]).
//!
//! Only plain prose counts: a string with interpolation (`#{…}` is code) is part of the key,
//! as is everything around the content (`@doc`, the delimiters, `@doc false`).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

use super::LintContext;
use crate::syntax::Node;

/// One doc's prose within a gap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocStretch {
    /// Its bytes, relative to the gap's start.
    pub range: Range<usize>,
    /// Its number of line terminators.
    pub lines: usize,
}

/// What the incremental re-lint keeps of one gap's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GapText {
    /// A hash of the text without the docs' prose.
    pub masked: u64,
    /// A hash of all of the text (the prose's hash combined with `masked`).
    pub plain: u64,
    /// The prose of the docs in it, in order.
    pub docs: Vec<DocStretch>,
}

/// The prose of every plain `@moduledoc`, `@doc` and `@typedoc` string or sigil of the file's
/// modules, in order: its bytes and its number of line terminators (read from the tree's rows:
/// counting them in the text would cost more than the lint of a keystroke's function).
pub fn doc_prose(ctx: &LintContext<'_>) -> Vec<(Range<usize>, usize)> {
    let mut out: Vec<(Range<usize>, usize)> = ctx
        .modules()
        .iter()
        .flat_map(|m| &m.attributes)
        .filter(|a| matches!(a.name, "moduledoc" | "doc" | "typedoc"))
        .filter_map(|a| prose(a.value?))
        .collect();
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// The content of a string or sigil without interpolation, from its first piece of text to
/// its last (escape sequences included), with its number of line terminators. `None` for an
/// empty one, which has no piece to edit.
fn prose(value: Node<'_>) -> Option<(Range<usize>, usize)> {
    if !matches!(value.kind(), "string" | "sigil") {
        return None;
    }
    let mut first: Option<Node<'_>> = None;
    let mut last: Option<Node<'_>> = None;
    for child in value.children(&mut value.walk()) {
        match child.kind() {
            "quoted_content" | "escape_sequence" => {
                first = first.or(Some(child));
                last = Some(child);
            }
            "interpolation" => return None,
            _ => {}
        }
    }
    let (first, last) = (first?, last?);
    let lines = last.end_position().row - first.start_position().row;
    Some((first.start_byte()..last.end_byte(), lines))
}

/// The text of each gap (`gaps`, in order) hashed with and without the prose among `docs`
/// (from [`doc_prose`]) that lies inside it.
pub fn gap_texts(
    source: &str,
    gaps: &[Range<usize>],
    docs: &[(Range<usize>, usize)],
) -> Vec<GapText> {
    let mut next = 0;
    gaps.iter()
        .map(|gap| {
            while next < docs.len() && docs[next].0.start < gap.start {
                next += 1;
            }
            let mut masked = DefaultHasher::new();
            let mut prose = DefaultHasher::new();
            let mut stretches = Vec::new();
            let mut at = gap.start;
            while let Some((doc, lines)) = docs.get(next).filter(|(d, _)| d.end <= gap.end) {
                // Each piece hashed on its own: the number of docs is part of the hash.
                source[at..doc.start].hash(&mut masked);
                source[doc.clone()].hash(&mut prose);
                stretches.push(DocStretch {
                    range: doc.start - gap.start..doc.end - gap.start,
                    lines: *lines,
                });
                at = doc.end;
                next += 1;
            }
            source[at..gap.end].hash(&mut masked);
            let masked = masked.finish();
            let plain = if stretches.is_empty() {
                masked
            } else {
                let mut both = DefaultHasher::new();
                (masked, prose.finish()).hash(&mut both);
                both.finish()
            };
            GapText {
                masked,
                plain,
                docs: stretches,
            }
        })
        .collect()
}

/// How far a stretch of a gap that held `old` prose moves now that it holds `new` (the same
/// docs, other prose): `Some(by)` when `span` (relative to the gap's start) lies between two
/// docs' prose (or before the first, or after the last), `None` when it reaches into one.
pub fn moved_by(span: Range<usize>, old: &[DocStretch], new: &[DocStretch]) -> Option<isize> {
    // The docs wholly before the span: their change in length moves it.
    let before = old.partition_point(|d| d.range.end <= span.start);
    if old.get(before).is_some_and(|d| d.range.start < span.end) {
        return None;
    }
    Some(
        old[..before]
            .iter()
            .zip(new)
            .map(|(o, n)| n.range.len() as isize - o.range.len() as isize)
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::document::Document;
    use crate::lint::{FileInfo, LintContext};

    fn prose_of(src: &str) -> Vec<&str> {
        let doc = Document::new(src, 0);
        let file = FileInfo::new("lib/a.ex");
        let config = Config::default();
        let ctx = LintContext::new(src, doc.rope(), doc.tree(), &file, &config);
        doc_prose(&ctx).into_iter().map(|(r, _)| &src[r]).collect()
    }

    #[test]
    fn reads_the_prose_of_plain_docs_only() {
        let src = "defmodule A do\n  @moduledoc \"\"\"\n  Hi \\n there\n  \"\"\"\n  @doc ~S\"\"\"\n  a #{b}\n  \"\"\"\n  @doc \"with #{x}\"\n  @typedoc \"A t.\"\n  @type t :: term()\n  @doc false\n  @doc \"\"\n  @other \"not a doc\"\n  def f, do: 1\nend\n";
        assert_eq!(
            prose_of(src),
            vec!["\n  Hi \\n there\n  ", "\n  a #{b}\n  ", "A t."]
        );
    }

    #[test]
    fn masked_hashes_ignore_prose_only() {
        let a = "  @doc \"One.\"\n  @spec f() :: 1\n";
        let b = "  @doc \"One more line\nhere.\"\n  @spec f() :: 1\n";
        let c = "  @doc \"One.\"\n  @spec f() :: 2\n";
        // One gap: the whole text.
        let whole = |s: &str| std::iter::once(0..s.len()).collect::<Vec<_>>();
        let text = |s: &str, doc: Range<usize>| {
            let lines = s[doc.clone()].matches('\n').count();
            gap_texts(s, &whole(s), &[(doc, lines)]).remove(0)
        };
        let (ta, tb, tc) = (text(a, 8..12), text(b, 8..27), text(c, 8..12));
        assert_eq!(ta.masked, tb.masked);
        assert_ne!(ta.plain, tb.plain);
        assert_ne!(ta.masked, tc.masked);
        assert_eq!(tb.docs[0].lines, 1);
        // A gap without the doc (or with two) is another text.
        let none = gap_texts(a, &whole(a), &[]).remove(0);
        assert_ne!(none.masked, ta.masked);
        assert_eq!(none.masked, none.plain);
    }

    #[test]
    fn stretches_move_across_prose_and_not_into_it() {
        let old = vec![
            DocStretch {
                range: 10..20,
                lines: 0,
            },
            DocStretch {
                range: 40..50,
                lines: 0,
            },
        ];
        let new = vec![
            DocStretch {
                range: 10..23,
                lines: 0,
            },
            DocStretch {
                range: 43..52,
                lines: 0,
            },
        ];
        assert_eq!(moved_by(0..10, &old, &new), Some(0));
        assert_eq!(moved_by(20..40, &old, &new), Some(3));
        assert_eq!(moved_by(50..60, &old, &new), Some(2));
        assert_eq!(moved_by(5..15, &old, &new), None);
        assert_eq!(moved_by(30..45, &old, &new), None);
        assert_eq!(moved_by(12..12, &old, &new), None);
    }
}
