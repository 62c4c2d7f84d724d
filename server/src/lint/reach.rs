//! Which functions an edit can reach, read from their text: a function that names another
//! (`helper(x)`, `&helper/1`, `:helper`) may call it, so its findings may depend on it. Used by
//! the incremental re-lint for [`super::Scope::Callers`] and [`super::Scope::Mentions`] rules.
//!
//! Names are compared as words — runs of letters, digits and `_`, with a trailing `?` or `!` —
//! hashed. A word in a string or a comment counts too: that only re-checks more than needed.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::{Scope, registry};

/// One unit's part in the reach: the names of its functions, the words of its text, and which
/// [`Scope::Mentions`] groups its text mentions.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// The hashes of the names of the functions it defines ([`word_hash`]), sorted: one, or
    /// more when one function's clauses stand around another's.
    pub names: Vec<u64>,
    /// The hashes of the words of its text, sorted, without repeats.
    pub words: Vec<u64>,
    /// Bit `g` set: the text contains a string of [`groups`]`()[g]`.
    pub mentions: u64,
}

impl Node {
    /// The reach data of the functions named `names` whose text is `text`.
    pub fn of(names: &[&str], text: &str) -> Node {
        let mut words = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if is_word_byte(bytes[i]) {
                let start = i;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                if i < bytes.len() && matches!(bytes[i], b'?' | b'!') {
                    i += 1;
                }
                words.push(word_hash(&text[start..i]));
            } else {
                i += 1;
            }
        }
        words.sort_unstable();
        words.dedup();
        let mut mentions = 0;
        for (g, group) in groups().iter().enumerate() {
            if group.matcher.is_match(text) {
                mentions |= 1 << g;
            }
        }
        let mut names: Vec<u64> = names.iter().map(|n| word_hash(n)).collect();
        names.sort_unstable();
        names.dedup();
        Node {
            names,
            words,
            mentions,
        }
    }

    fn names_any(&self, names: &[u64]) -> bool {
        names.iter().any(|n| self.words.binary_search(n).is_ok())
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// FNV-1a: a word's hash, the same in every run (the cache outlives one lint).
pub fn word_hash(word: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The distinct string lists of the registry's [`Scope::Mentions`] rules.
pub struct Group {
    /// The strings.
    pub strings: &'static [&'static str],
    matcher: AhoCorasick,
}

/// The [`Scope::Mentions`] groups, in registry order of their first rule (at most 64).
pub fn groups() -> &'static [Group] {
    static GROUPS: LazyLock<Vec<Group>> = LazyLock::new(|| {
        let mut out: Vec<Group> = Vec::new();
        for rule in registry::RULES {
            if let Scope::Mentions(strings) = rule.meta.scope
                && !out.iter().any(|g| g.strings == strings)
            {
                let matcher = AhoCorasick::new(strings).expect("literal strings always build");
                out.push(Group { strings, matcher });
            }
        }
        assert!(out.len() <= 64, "at most 64 mention groups fit the bit set");
        out
    });
    &GROUPS
}

/// The index of a rule's group in [`groups`].
pub fn group_of(strings: &'static [&'static str]) -> Option<usize> {
    groups().iter().position(|g| g.strings == strings)
}

/// `seeds` and every node that names one in the set, transitively.
pub fn callers_closure(nodes: &[&Node], set: Vec<bool>) -> Vec<bool> {
    // Each step adds at least one node, so `nodes.len()` steps reach the fixpoint.
    callers_within(nodes, set, nodes.len())
}

/// `seeds` and every node that names one in the set through at most `hops` steps.
pub fn callers_within(nodes: &[&Node], mut set: Vec<bool>, hops: usize) -> Vec<bool> {
    let mut frontier: Vec<u64> = nodes
        .iter()
        .zip(&set)
        .filter(|(_, s)| **s)
        .flat_map(|(n, _)| n.names.iter().copied())
        .collect();
    for _ in 0..hops {
        if frontier.is_empty() {
            break;
        }
        frontier.sort_unstable();
        frontier.dedup();
        let mut next = Vec::new();
        for (node, in_set) in nodes.iter().zip(set.iter_mut()) {
            if !*in_set && node.names_any(&frontier) {
                *in_set = true;
                next.extend_from_slice(&node.names);
            }
        }
        frontier = next;
    }
    set
}

/// Whether `node` names one of `names` (word hashes).
pub fn names(node: &Node, names: &[u64]) -> bool {
    node.names_any(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_question_and_bang_suffixes() {
        let n = Node::of(&["f"], "def f(x), do: valid?(x) && save!(x) |> &helper/1");
        for w in ["valid?", "save!", "helper", "f", "def", "do"] {
            assert!(n.words.binary_search(&word_hash(w)).is_ok(), "{w}");
        }
        assert!(n.words.binary_search(&word_hash("valid")).is_err());
    }

    #[test]
    fn the_closure_follows_callers_transitively() {
        let a = Node::of(&["a"], "def a, do: b()");
        let b = Node::of(&["b"], "def b, do: c()");
        let c = Node::of(&["c"], "def c, do: 1");
        let d = Node::of(&["d"], "def d, do: 2");
        let set = callers_closure(&[&a, &b, &c, &d], vec![false, false, true, false]);
        assert_eq!(set, vec![true, true, true, false]);
        let near = callers_within(&[&a, &b, &c, &d], vec![false, false, true, false], 1);
        assert_eq!(near, vec![false, true, true, false]);
    }
}
