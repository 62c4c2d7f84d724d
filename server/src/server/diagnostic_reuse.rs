//! Diagnostics kept from a document's last lint. A keystroke changes a few findings, yet
//! converting every finding of a large file to LSP positions (hundreds of byte → line/column
//! lookups in the rope, the fixes serialised into `data`) cost a third of each keystroke's
//! lint. A finding equal to one of the last lint's — its positions mapped across the edit —
//! takes that lint's diagnostic instead, its lines moved by the lines the edit added or
//! removed, and (when nothing moved) the encoding the last publication made of it.
//!
//! Only positions whose line and column the edit cannot have changed are mapped: those before
//! the first changed byte, and those on lines that start inside the unchanged end of the text.
//! A finding with a position anywhere else (the edited line, a range spanning the edit) is
//! converted afresh.

use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use super::lsp::{Diagnostic, Range as LspRange};
use crate::lint::{Finding, Fix};

/// How the text changed between two lints, as the positions an edit cannot have moved within
/// their line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextDelta {
    /// Positions before this byte are the same line and column in both texts.
    before: usize,
    /// Positions at or after this byte of the new text are `shift` bytes and `lines` lines
    /// after their place in the old text, in the same column.
    after: usize,
    /// New length minus old length.
    shift: isize,
    /// Line breaks added (or, negative, removed) before `after`.
    lines: i64,
}

/// Where a position lies relative to the edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

impl TextDelta {
    /// The change from `old` to `new` (each text with its rope).
    pub fn between(old: &str, old_rope: &Rope, new: &str, new_rope: &Rope) -> TextDelta {
        let prefix = common_prefix(old.as_bytes(), new.as_bytes());
        let room = old.len().min(new.len()) - prefix;
        let suffix = common_suffix(old.as_bytes(), new.as_bytes()).min(room);
        let shift = new.len() as isize - old.len() as isize;
        let none = TextDelta {
            before: prefix,
            after: usize::MAX,
            shift,
            lines: 0,
        };
        // The first line that starts inside the unchanged end: from its start on, both texts
        // are the same bytes. Ropey counts CRLF as one break, so a line start is never between
        // `\r` and `\n`; checking that the old text has a line start at the same place covers
        // a break the edit completed or split.
        let new_suffix = new.len() - suffix;
        let line = new_rope.byte_to_line(new_suffix) + 1;
        if line >= new_rope.len_lines() {
            return none;
        }
        let after = new_rope.line_to_byte(line);
        let Some(old_after) = after.checked_add_signed(-shift) else {
            return none;
        };
        if after < new_suffix || old_after > old.len() {
            return none;
        }
        let old_line = old_rope.byte_to_line(old_after);
        if old_rope.line_to_byte(old_line) != old_after {
            return none;
        }
        TextDelta {
            before: prefix,
            after,
            shift,
            lines: line as i64 - old_line as i64,
        }
    }

    fn side(&self, p: usize) -> Option<Side> {
        // Strictly before: the byte at `p` decides whether `p` sits inside a CRLF.
        if p < self.before {
            Some(Side::Before)
        } else if p >= self.after {
            Some(Side::After)
        } else {
            None
        }
    }

    /// The side of every position of `f`, when they all lie on one side.
    fn side_of(&self, f: &Finding) -> Option<Side> {
        let mut side = None;
        let mut positions = positions(f);
        positions.try_for_each(|p| {
            let s = self.side(p)?;
            match side {
                None => side = Some(s),
                Some(seen) if seen != s => return None,
                Some(_) => {}
            }
            Some(())
        })?;
        side
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    // Compared in blocks first: a keystroke leaves tens of kilobytes equal on each side.
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n
        && a[a.len() - i - BLOCK..a.len() - i] == b[b.len() - i - BLOCK..b.len() - i]
    {
        i += BLOCK;
    }
    while i < n && a[a.len() - i - 1] == b[b.len() - i - 1] {
        i += 1;
    }
    i
}

/// Every byte position a finding's diagnostic converts.
fn positions(f: &Finding) -> impl Iterator<Item = usize> + '_ {
    let ends = |r: &Range<usize>| [r.start, r.end];
    let fixes = f.fix.iter().chain(&f.alternatives);
    ends(&f.range)
        .into_iter()
        .chain(f.related.iter().flat_map(move |r| ends(&r.range)))
        .chain(fixes.flat_map(move |fix| fix.edits.iter().flat_map(move |e| ends(&e.range))))
}

/// Whether `new` is `old` with every position moved by `shift` bytes (compared in place, not
/// through a moved copy: this runs for every finding on every keystroke).
fn equal_moved(new: &Finding, old: &Finding, shift: isize) -> bool {
    let moved = |n: &Range<usize>, o: &Range<usize>| {
        o.start.checked_add_signed(shift) == Some(n.start)
            && o.end.checked_add_signed(shift) == Some(n.end)
    };
    let fix_moved = |n: &Fix, o: &Fix| {
        n.title == o.title
            && n.safe == o.safe
            && n.edits.len() == o.edits.len()
            && n.edits
                .iter()
                .zip(&o.edits)
                .all(|(n, o)| n.new_text == o.new_text && moved(&n.range, &o.range))
    };
    new.code == old.code
        && new.level == old.level
        && new.severity == old.severity
        && new.message == old.message
        && moved(&new.range, &old.range)
        && match (&new.fix, &old.fix) {
            (Some(n), Some(o)) => fix_moved(n, o),
            (None, None) => true,
            _ => false,
        }
        && new.alternatives.len() == old.alternatives.len()
        && new
            .alternatives
            .iter()
            .zip(&old.alternatives)
            .all(|(n, o)| fix_moved(n, o))
        && new.related.len() == old.related.len()
        && new
            .related
            .iter()
            .zip(&old.related)
            .all(|(n, o)| n.message == o.message && moved(&n.range, &o.range))
}

/// The last lint's findings and their diagnostics, as [`reuse`] reads them.
pub struct Previous<'a> {
    /// The last lint's findings, sorted by start (as every lint sorts them).
    pub findings: &'a [Finding],
    /// For each finding, the index of its diagnostic (`None`: not published, above the
    /// target).
    pub diagnostic_of: &'a [Option<u32>],
    /// The last lint's diagnostics.
    pub diagnostics: &'a [Arc<Diagnostic>],
}

/// What the last lint gives a finding.
#[derive(Debug)]
pub enum Reused {
    /// Nothing: convert it.
    No,
    /// It was not published (above the target, with such findings off): nor is it now.
    Unpublished,
    /// This diagnostic; `Some(k)` when it is the last lint's diagnostic `k` unchanged (its
    /// encoding can be reused too), `None` when its lines moved.
    Diagnostic(Arc<Diagnostic>, Option<u32>),
}

/// What `previous` gives the finding `f` of the new text, `delta` being the change.
pub fn reuse(f: &Finding, delta: &TextDelta, previous: &Previous) -> Reused {
    let Some(side) = delta.side_of(f) else {
        return Reused::No;
    };
    let shift = match side {
        Side::Before => 0,
        Side::After => delta.shift,
    };
    let Some(start) = f.range.start.checked_add_signed(-shift) else {
        return Reused::No;
    };
    let first = previous.findings.partition_point(|o| o.range.start < start);
    let found = previous.findings[first..]
        .iter()
        .take_while(|o| o.range.start == start)
        .position(|o| equal_moved(f, o, shift));
    let Some(k) = found.map(|i| first + i) else {
        return Reused::No;
    };
    let Some(d) = previous.diagnostic_of.get(k) else {
        return Reused::No;
    };
    let Some(d) = d else {
        return Reused::Unpublished;
    };
    let Some(old) = previous.diagnostics.get(*d as usize) else {
        return Reused::No;
    };
    let lines = if side == Side::After { delta.lines } else { 0 };
    if lines == 0 {
        return Reused::Diagnostic(old.clone(), Some(*d));
    }
    let mut moved = Diagnostic::clone(old);
    if !move_lines(&mut moved, lines) {
        return Reused::No;
    }
    Reused::Diagnostic(Arc::new(moved), None)
}

/// Moves every position of `d` by `lines` lines: its range, its related places and the edits
/// of the fixes in its `data` (as [`super::convert::diagnostic`] writes them). `false` when a
/// line would fall below zero or `data` is not of that shape.
fn move_lines(d: &mut Diagnostic, lines: i64) -> bool {
    let mut ok = move_range(&mut d.range, lines);
    for info in d.related_information.iter_mut().flatten() {
        ok &= move_range(&mut info.location.range, lines);
    }
    if let Some(data) = d.data.as_mut() {
        let Some(data) = data.as_object_mut() else {
            return false;
        };
        if let Some(fix) = data.get_mut("fix").filter(|f| !f.is_null()) {
            ok &= move_fix(fix, lines);
        }
        if let Some(alternatives) = data.get_mut("alternatives") {
            let Some(alternatives) = alternatives.as_array_mut() else {
                return false;
            };
            for fix in alternatives {
                ok &= move_fix(fix, lines);
            }
        }
    }
    ok
}

fn move_range(r: &mut LspRange, lines: i64) -> bool {
    let moved = |line: u32| u32::try_from(i64::from(line) + lines).ok();
    match (moved(r.start.line), moved(r.end.line)) {
        (Some(start), Some(end)) => {
            r.start.line = start;
            r.end.line = end;
            true
        }
        _ => false,
    }
}

fn move_fix(fix: &mut serde_json::Value, lines: i64) -> bool {
    let Some(edits) = fix.get_mut("edits").and_then(|e| e.as_array_mut()) else {
        return false;
    };
    edits.iter_mut().all(|edit| {
        ["start", "end"].iter().all(|end| {
            let Some(line) = edit
                .get_mut("range")
                .and_then(|r| r.get_mut(*end))
                .and_then(|p| p.get_mut("line"))
            else {
                return false;
            };
            match line.as_i64().map(|l| l + lines) {
                Some(l) if l >= 0 => {
                    *line = l.into();
                    true
                }
                _ => false,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(old: &str, new: &str) -> TextDelta {
        TextDelta::between(old, &Rope::from_str(old), new, &Rope::from_str(new))
    }

    #[test]
    fn positions_before_the_edit_and_on_whole_lines_after_it_are_mapped() {
        let old = "a\nbb\ncc\ndd\n";
        let new = "a\nbXb\ncc\ndd\n";
        let d = delta(old, new);
        assert_eq!(d.side(2), Some(Side::Before));
        // The edited line, even after the inserted byte: its column changed.
        assert_eq!(d.side(3), None);
        assert_eq!(d.side(5), None);
        // "cc" starts at 6 in the new text: one byte later, same line.
        assert_eq!(d.side(6), Some(Side::After));
        assert_eq!((d.shift, d.lines), (1, 0));
    }

    #[test]
    fn inserted_and_removed_lines_move_what_follows() {
        let d = delta("a\nb\nc\n", "a\nx\ny\nb\nc\n");
        assert_eq!((d.shift, d.lines), (4, 2));
        let d = delta("a\nx\ny\nb\nc\n", "a\nb\nc\n");
        assert_eq!((d.shift, d.lines), (-4, -2));
    }

    /// Every position the delta maps has the line and column of its old place, moved by the
    /// lines the edit added: random texts of short lines with CR, LF, CRLF and multi-byte
    /// characters, and random edits of them.
    #[test]
    fn mapped_positions_keep_their_line_and_column() {
        use crate::document::position::{PositionEncoding, to_line_col};
        const PIECES: [&str; 8] = ["a", "bc", "\n", "\r", "\r\n", "é", "🎉", "  x\n"];
        let mut rng = crate::lint::incremental::tests::Rng(0x2545_f491);
        let mut next = |n: usize| rng.below(n);
        let mut mapped = 0;
        for _ in 0..400 {
            let old: String = (0..next(40)).map(|_| PIECES[next(PIECES.len())]).collect();
            // Replace a char-aligned range by a few pieces.
            let bounds: Vec<usize> = (0..=old.len())
                .filter(|i| old.is_char_boundary(*i))
                .collect();
            let a = bounds[next(bounds.len())];
            let b = bounds[next(bounds.len())];
            let (a, b) = (a.min(b), a.max(b));
            let inserted: String = (0..next(3)).map(|_| PIECES[next(PIECES.len())]).collect();
            let new = format!("{}{inserted}{}", &old[..a], &old[b..]);
            let (old_rope, new_rope) = (Rope::from_str(&old), Rope::from_str(&new));
            let d = TextDelta::between(&old, &old_rope, &new, &new_rope);
            for p in (0..=new.len()).filter(|i| new.is_char_boundary(*i)) {
                let (q, lines) = match d.side(p) {
                    None => continue,
                    Some(Side::Before) => (p, 0),
                    Some(Side::After) => (p.checked_add_signed(-d.shift).unwrap(), d.lines),
                };
                mapped += 1;
                for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                    let now = to_line_col(&new_rope, p, enc);
                    let then = to_line_col(&old_rope, q, enc);
                    assert_eq!(
                        (now.line as i64, now.col),
                        (then.line as i64 + lines, then.col),
                        "{old:?} -> {new:?} at {p} ({d:?})"
                    );
                }
            }
        }
        assert!(mapped > 2_000, "{mapped}");
    }
}
