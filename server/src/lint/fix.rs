//! Applying fixes to text.

use super::{Edit, Finding};

/// Applies `edits` to `text`. Edits must not overlap; they are applied back to front so earlier
/// offsets stay valid. Returns `None` when two edits overlap or a range is out of bounds.
pub fn apply_edits(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    for pair in sorted.windows(2) {
        if pair[0].range.end > pair[1].range.start {
            return None;
        }
    }
    let mut out = text.to_string();
    for edit in sorted.iter().rev() {
        if edit.range.end > out.len()
            || !out.is_char_boundary(edit.range.start)
            || !out.is_char_boundary(edit.range.end)
        {
            return None;
        }
        out.replace_range(edit.range.clone(), &edit.new_text);
    }
    Some(out)
}

/// The edits of every safe fix in `findings` that does not overlap an earlier chosen one.
/// Fixes left out for overlapping are picked up by the next round of lint-and-fix.
pub fn non_overlapping_safe_edits(findings: &[Finding]) -> Vec<Edit> {
    non_overlapping_edits(findings, false)
}

/// Like [`non_overlapping_safe_edits`], with the unsafe fixes too when `unsafe_fixes`
/// (`check --fix --unsafe-fixes`).
pub fn non_overlapping_edits(findings: &[Finding], unsafe_fixes: bool) -> Vec<Edit> {
    let mut chosen: Vec<Edit> = Vec::new();
    for fix in findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|f| f.safe || unsafe_fixes)
    {
        let overlaps = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                // Two insertions at the same point would interleave unpredictably; treat as overlap.
                (e.range.start < c.range.end && c.range.start < e.range.end)
                    || (e.range.start == c.range.start)
            })
        });
        if !overlaps {
            chosen.extend(fix.edits.iter().cloned());
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_back_to_front() {
        let edits = [
            Edit::replace(0..1, "xy"),
            Edit::insert(3, "!"),
            Edit::delete(1..2),
        ];
        assert_eq!(apply_edits("abc", &edits).as_deref(), Some("xyc!"));
    }

    #[test]
    fn rejects_overlap_and_out_of_range() {
        assert_eq!(
            apply_edits("abc", &[Edit::delete(0..2), Edit::delete(1..3)]),
            None
        );
        assert_eq!(apply_edits("abc", &[Edit::delete(2..9)]), None);
    }
}
