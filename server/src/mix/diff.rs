//! A line diff (Myers' O(ND) algorithm), to show which lines `mix format` would change.

use std::ops::Range;

/// A changed region: old lines `old` (0-based, end exclusive) become `new` lines of the other
/// text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk {
    /// Replaced lines of the old text.
    pub old: Range<usize>,
    /// Their replacement lines in the new text.
    pub new: Range<usize>,
}

/// The hunks turning `old` into `new` (slices of lines).
pub fn diff_lines(old: &[&str], new: &[&str]) -> Vec<Hunk> {
    // Common prefix and suffix first: formatting changes are usually local.
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut hunks = Vec::new();
    let mut matches = lcs_matches(a, b);
    matches.push((a.len(), b.len()));
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in matches {
        if mi > i || mj > j {
            hunks.push(Hunk {
                old: prefix + i..prefix + mi,
                new: prefix + j..prefix + mj,
            });
        }
        i = mi + 1;
        j = mj + 1;
    }
    hunks
}

/// Index pairs of matching lines along a shortest edit script (Myers).
fn lcs_matches(a: &[&str], b: &[&str]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    if max == 0 {
        return Vec::new();
    }
    let offset = max as isize;
    let mut v = vec![0isize; 2 * max + 2];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let idx = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) {
                v[idx + 1]
            } else {
                v[idx - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx] = x;
            if x >= n && y >= m {
                trace.push(v.clone());
                break 'outer;
            }
            k += 2;
        }
    }
    // Walk back through the trace collecting diagonal moves (matches).
    let mut matches = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize - 1).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let idx = (k + offset) as usize;
        let prev_k = if k == -d || (k != d && v[idx - 1] < v[idx + 1]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[(prev_k + offset) as usize];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            matches.push((x as usize, y as usize));
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        matches.push((x as usize, y as usize));
    }
    matches.reverse();
    matches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &[&str], new: &[&str], hunks: &[Hunk]) -> Vec<String> {
        let mut out: Vec<String> = old.iter().map(|s| s.to_string()).collect();
        for h in hunks.iter().rev() {
            let replacement: Vec<String> =
                new[h.new.clone()].iter().map(|s| s.to_string()).collect();
            out.splice(h.old.clone(), replacement);
        }
        out
    }

    #[test]
    fn finds_minimal_hunks() {
        let old = ["a", "b", "c", "d", "e", "f"];
        let new = ["a", "B", "c", "d", "x", "e", "f"];
        let hunks = diff_lines(&old, &new);
        assert_eq!(
            hunks,
            [
                Hunk {
                    old: 1..2,
                    new: 1..2
                },
                Hunk {
                    old: 4..4,
                    new: 4..5
                }
            ]
        );
        assert_eq!(apply(&old, &new, &hunks), new);
    }

    #[test]
    fn random_pairs_round_trip() {
        let mut seed = 7u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let words = ["a", "b", "c", "d"];
        for _ in 0..500 {
            let old: Vec<&str> = (0..next() % 12)
                .map(|_| words[(next() % 4) as usize])
                .collect();
            let new: Vec<&str> = (0..next() % 12)
                .map(|_| words[(next() % 4) as usize])
                .collect();
            let hunks = diff_lines(&old, &new);
            assert_eq!(apply(&old, &new, &hunks), new, "{old:?} → {new:?}");
        }
    }
}
