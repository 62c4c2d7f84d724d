//! The crate's own syntax tree: a copy of a tree-sitter parse in one array, in document order,
//! that the rules read through [`Node`], a handle with tree-sitter's method names.
//!
//! Why a copy:
//! - **Splicing.** tree-sitter-elixir re-parses most of a file after any edit (its grammar keeps
//!   several parse stacks alive at nearly every line break, and tree-sitter does not reuse nodes
//!   built while it does): 18 ms for one character in Ecto's 4,430-line `changeset.ex`. A
//!   function parsed alone inside its modules' heads and `end`s takes 0.1 ms and gives the
//!   same subtree. A tree-sitter tree cannot take another tree's subtree; this one can
//!   ([`SyntaxTree::splice`]).
//! - **Speed.** tree-sitter finds a node's parent by descending from the root, and builds each
//!   node it hands out from the cursor's stack; here a parent, a sibling or a child is an index.
//!
//! Nodes are stored in pre-order, so a node's subtree is a contiguous run of the array
//! (`i..raw.subtree_end`), and its first child, when it has one, is `i + 1`.

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::Point;

/// "No node" in a link.
const NONE: u32 = u32::MAX;

const NAMED: u8 = 1;
const MISSING: u8 = 2;
const EXTRA: u8 = 4;
const HAS_ERROR: u8 = 8;

/// tree-sitter's symbol for `ERROR` nodes.
const ERROR_KIND: u16 = u16::MAX;

/// One node, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Raw {
    kind: u16,
    /// The field this node fills in its parent (tree-sitter's field id; 0 for none).
    field: u16,
    flags: u8,
    start: u32,
    end: u32,
    parent: u32,
    next: u32,
    prev: u32,
    /// One past the last node of this node's subtree.
    subtree_end: u32,
    child_count: u32,
}

/// A parse tree of one text, copied from tree-sitter's. Two are equal when they hold the same
/// nodes with the same links and offsets.
#[derive(Clone, PartialEq, Eq)]
pub struct SyntaxTree {
    nodes: Vec<Raw>,
    /// The byte offset where each row starts (rows break at `\n` only, as tree-sitter's).
    rows: Vec<u32>,
}

/// Subtrees copied out of a tree-sitter parse, siblings in order, for
/// [`SyntaxTree::inserted`]: copied on the thread that parsed them, their links relative to
/// their first node.
pub struct Subtrees {
    nodes: Vec<Raw>,
    /// Where each subtree starts in `nodes`.
    roots: Vec<u32>,
    /// Where the last one ends in the text.
    end: u32,
    has_error: bool,
}

impl Subtrees {
    /// Copies `new` (sibling nodes, with the field each fills in their parent).
    pub fn of(new: &[(tree_sitter::Node<'_>, u16)]) -> Subtrees {
        let mut nodes: Vec<Raw> = Vec::new();
        let mut roots: Vec<u32> = Vec::with_capacity(new.len());
        for (node, field) in new {
            let base = to_u32(nodes.len());
            let mut part = copy_nodes(*node, base, NONE);
            part[0].field = *field;
            part[0].prev = roots.last().copied().unwrap_or(NONE);
            if let Some(last) = roots.last() {
                nodes[*last as usize].next = base;
            }
            roots.push(base);
            nodes.extend(part);
        }
        Subtrees {
            end: new.last().map_or(0, |(n, _)| to_u32(n.end_byte())),
            has_error: new.iter().any(|(n, _)| n.has_error()),
            nodes,
            roots,
        }
    }
}

impl fmt::Debug for SyntaxTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyntaxTree")
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

/// The grammar's node kind names, by kind id, built once per process.
static KINDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let language = language();
    (0..language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| language.node_kind_for_id(id))
                .unwrap_or("")
        })
        .collect()
});

fn language() -> tree_sitter::Language {
    tree_sitter_elixir::LANGUAGE.into()
}

/// The byte offset where each row starts (rows break at `\n` only, as tree-sitter's).
pub(crate) fn row_starts(source: &str) -> Vec<u32> {
    let mut rows = vec![0];
    rows.extend(
        source
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| to_u32(i + 1)),
    );
    rows
}

/// The row starts of `new_source`, the text after an edit that changed only the old text's
/// `changed` into `changed.start..changed.end + delta`, from `rows`, the old text's: rows
/// starting up to `changed.start` stay, those inside the stretch are read again, the later
/// ones move by `delta`. A keystroke so reads the statements it spliced, not the file.
fn moved_rows(rows: &[u32], changed: Range<usize>, delta: isize, new_source: &str) -> Vec<u32> {
    let keep = rows.partition_point(|r| *r as usize <= changed.start);
    let later = rows.partition_point(|r| *r as usize <= changed.end);
    let new_end = (changed.end as isize + delta) as usize;
    let mut out = Vec::with_capacity(rows.len() + 8);
    out.extend_from_slice(&rows[..keep]);
    out.extend(
        new_source.as_bytes()[changed.start..new_end]
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| to_u32(changed.start + i + 1)),
    );
    out.extend(rows[later..].iter().map(|r| (*r as isize + delta) as u32));
    out
}

/// The point of `byte` in a text whose row starts are `rows`.
pub fn point_in(rows: &[u32], byte: u32) -> Point {
    let row = rows.partition_point(|start| *start <= byte).max(1) - 1;
    Point {
        row,
        column: (byte - rows.get(row).copied().unwrap_or(0)) as usize,
    }
}

/// Offsets are stored in 32 bits: ample for source files (the CLI refuses nothing, but a
/// 4 GiB Elixir file would not get this far).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SyntaxTree {
    /// Copies tree-sitter's `tree` of `source`.
    pub fn new(tree: &tree_sitter::Tree, source: &str) -> SyntaxTree {
        SyntaxTree {
            nodes: copy_nodes(tree.root_node(), 0, NONE),
            rows: row_starts(source),
        }
    }

    /// The root node (`source`).
    pub fn root_node(&self) -> Node<'_> {
        Node { tree: self, i: 0 }
    }

    /// The row (0-based, lines ended by `\n` as tree-sitter counts them) of byte `byte` of
    /// the text.
    pub fn row_of(&self, byte: usize) -> usize {
        point_in(&self.rows, to_u32(byte)).row
    }

    /// How many nodes the tree holds (anonymous ones included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree holds no node (never true of a parse: it has at least its root).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node, in document order (pre-order), without a walk.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = Node<'_>> + '_ {
        (0..to_u32(self.nodes.len())).map(move |i| Node { tree: self, i })
    }

    /// Replaces the consecutive siblings `first..=last` (nodes of this tree, `first` before or
    /// equal to `last`) and their subtrees by `new` (consecutive siblings of a tree-sitter
    /// parse of `new_source`, the whole text after an edit, with their fields in their
    /// parent), moving every node after them by the edit's `delta` bytes. `false`, with the
    /// tree left as it was, unless `new` starts where `first` starts and ends `delta` bytes
    /// from where `last` ends, and the old nodes hold no syntax error. New nodes holding one
    /// (a provisional splice of broken text, see [`crate::document::splice`]) mark their
    /// ancestors [`Node::has_error`]; the old ones holding none, no ancestor needs clearing.
    pub fn splice(
        &mut self,
        first: usize,
        last: usize,
        new: &[(tree_sitter::Node<'_>, u16)],
        delta: isize,
        new_source: &str,
    ) -> bool {
        let Some(changed) = self
            .nodes
            .get(first)
            .zip(self.nodes.get(last))
            .map(|(head, tail)| head.start as usize..tail.end as usize)
        else {
            return false;
        };
        let rows = self.rows_after(changed, delta, new_source);
        match self.spliced(first, last, new, delta, rows) {
            Some(tree) => {
                *self = tree;
                true
            }
            None => false,
        }
    }

    /// [`SyntaxTree::splice`] into a new tree (a keystroke's splice copies the document's
    /// tree once: the tree is shared with the snapshots still being linted), given the new
    /// text's row starts ([`SyntaxTree::rows_after`] of the run's old range).
    pub fn spliced(
        &self,
        first: usize,
        last: usize,
        new: &[(tree_sitter::Node<'_>, u16)],
        delta: isize,
        rows: Vec<u32>,
    ) -> Option<SyntaxTree> {
        let (Some(head), Some(tail)) = (
            self.nodes.get(first).copied(),
            self.nodes.get(last).copied(),
        ) else {
            return None;
        };
        let (Some((new_first, _)), Some((new_last, _))) = (new.first(), new.last()) else {
            return None;
        };
        let old_range = first..tail.subtree_end as usize;
        if first > last
            || head.parent != tail.parent
            || new_first.start_byte() != head.start as usize
            || new_last.end_byte() as isize != tail.end as isize + delta
            || self.nodes[old_range.clone()]
                .iter()
                .any(|r| r.flags & HAS_ERROR != 0 || r.kind == ERROR_KIND)
        {
            return None;
        }
        let old_roots = {
            let mut count = 1;
            let mut at = first as u32;
            while at as usize != last {
                at = self.nodes[at as usize].next;
                if at == NONE {
                    return None;
                }
                count += 1;
            }
            count
        };
        let shift_of = |len: usize| len as isize - old_range.len() as isize;
        let mut replacement: Vec<Raw> = Vec::new();
        let mut roots: Vec<u32> = Vec::with_capacity(new.len());
        for (node, field) in new {
            let base = to_u32(first + replacement.len());
            let mut part = copy_nodes(*node, base, head.parent);
            part[0].field = *field;
            part[0].prev = roots.last().copied().unwrap_or(head.prev);
            if let Some(prev) = roots.last() {
                replacement[*prev as usize - first].next = base;
            }
            roots.push(base);
            replacement.extend(part);
        }
        let shift = shift_of(replacement.len());
        let moved = |link: u32| -> u32 {
            if link == NONE || (link as usize) < old_range.end {
                link
            } else {
                (link as isize + shift) as u32
            }
        };
        let new_last_root = *roots.last().unwrap_or(&to_u32(first));
        replacement[new_last_root as usize - first].next = moved(tail.next);
        let bytes = |b: u32| -> u32 { (b as isize + delta) as u32 };
        // Links into the stretch after the old nodes move by `shift`; nodes after it move by
        // `delta` bytes; ancestors of the run end `delta` bytes away and their subtrees end
        // `shift` nodes away.
        let mut nodes: Vec<Raw> =
            Vec::with_capacity((self.nodes.len() as isize + shift).max(0) as usize);
        // Before the run, only its ancestors change (a parent precedes its children, and a
        // sibling link past the run can only be an ancestor's): copied as they are, then the
        // ancestors fixed.
        nodes.extend_from_slice(&self.nodes[..first]);
        let mut at = head.parent;
        while at != NONE {
            let raw = &mut nodes[at as usize];
            raw.next = moved(raw.next);
            raw.end = bytes(raw.end);
            raw.subtree_end = (raw.subtree_end as isize + shift) as u32;
            at = raw.parent;
        }
        nodes.extend(replacement);
        nodes.extend(self.nodes[old_range.end..].iter().map(|r| {
            let mut raw = *r;
            raw.next = moved(raw.next);
            raw.prev = moved(raw.prev);
            raw.parent = moved(raw.parent);
            raw.start = bytes(raw.start);
            raw.end = bytes(raw.end);
            raw.subtree_end = (raw.subtree_end as isize + shift) as u32;
            raw
        }));
        // The sibling after the run now follows the new last node; the parent has as many
        // children more as the run has roots more.
        let next = nodes[new_last_root as usize].next;
        if next != NONE {
            nodes[next as usize].prev = new_last_root;
        }
        if head.parent != NONE {
            let parent = &mut nodes[head.parent as usize];
            parent.child_count =
                (parent.child_count as isize + new.len() as isize - old_roots as isize) as u32;
        }
        if new.iter().any(|(n, _)| n.has_error()) {
            let mut at = head.parent;
            while at != NONE {
                let raw = &mut nodes[at as usize];
                raw.flags |= HAS_ERROR;
                at = raw.parent;
            }
        }
        Some(SyntaxTree { nodes, rows })
    }

    /// This tree with `new` (subtrees of another parse of the same text, in order) inserted
    /// as children of the node `parent`, before its child `before` (after its last child when
    /// `None`); `parent` and its ancestors then reach at least to `reach` (a root spans the
    /// text's trailing whitespace too). Offsets stay: the nodes were parsed where they lie in
    /// the text, between `parent`'s children around them. `None` when `before` is not a child
    /// of `parent`. For a large text's first parse in pieces ([`crate::document::split_parse`]).
    pub fn inserted(
        &self,
        parent: usize,
        before: Option<usize>,
        new: Subtrees,
        reach: usize,
    ) -> Option<SyntaxTree> {
        let p = to_u32(parent);
        let parent_raw = *self.nodes.get(parent)?;
        let (at, prev) = match before {
            Some(b) => {
                let raw = self.nodes.get(b)?;
                if raw.parent != p {
                    return None;
                }
                (b, raw.prev)
            }
            None => {
                // The last child: the first is right after the parent; follow the siblings.
                let mut last = NONE;
                if parent_raw.child_count > 0 {
                    last = p + 1;
                    while self.nodes[last as usize].next != NONE {
                        last = self.nodes[last as usize].next;
                    }
                }
                (parent_raw.subtree_end as usize, last)
            }
        };
        let (Some(first_root), Some(last_root)) = (new.roots.first(), new.roots.last()) else {
            return Some(self.clone());
        };
        let base = to_u32(at);
        let (first_root, last_root) = (first_root + base, last_root + base);
        let count = to_u32(new.nodes.len());
        let moved = |link: u32| -> u32 {
            if link == NONE || (link as usize) < at {
                link
            } else {
                link + count
            }
        };
        let mut nodes: Vec<Raw> = Vec::with_capacity(self.nodes.len() + new.nodes.len());
        nodes.extend(self.nodes[..at].iter().map(|r| {
            let mut raw = *r;
            raw.next = moved(raw.next);
            raw
        }));
        if prev != NONE {
            nodes[prev as usize].next = first_root;
        }
        // The parent and its ancestors hold the new nodes.
        let mut up = p;
        while up != NONE {
            let raw = &mut nodes[up as usize];
            raw.subtree_end += count;
            raw.end = raw.end.max(new.end).max(to_u32(reach));
            if new.has_error {
                raw.flags |= HAS_ERROR;
            }
            up = raw.parent;
        }
        nodes[parent].child_count += to_u32(new.roots.len());
        // The copies' links are relative to their first node; their roots' parent is `parent`.
        let relocate = |link: u32| if link == NONE { NONE } else { link + base };
        nodes.extend(new.nodes.iter().map(|r| {
            let mut raw = *r;
            raw.parent = if r.parent == NONE { p } else { r.parent + base };
            raw.next = relocate(r.next);
            raw.prev = relocate(r.prev);
            raw.subtree_end = r.subtree_end + base;
            raw
        }));
        nodes[first_root as usize].prev = prev;
        nodes[last_root as usize].next = before.map_or(NONE, |b| to_u32(b) + count);
        nodes.extend(self.nodes[at..].iter().map(|r| {
            let mut raw = *r;
            raw.next = moved(raw.next);
            raw.prev = moved(raw.prev);
            raw.parent = moved(raw.parent);
            raw.subtree_end = moved(raw.subtree_end);
            raw
        }));
        if let Some(b) = before {
            nodes[b + count as usize].prev = last_root;
        }
        Some(SyntaxTree {
            nodes,
            rows: self.rows.clone(),
        })
    }

    fn raw(&self, i: u32) -> &Raw {
        &self.nodes[i as usize]
    }

    /// Where `self` and `other` first differ, for test failures: a node's index and both
    /// nodes as stored, or the row starts.
    #[cfg(test)]
    pub fn first_difference(&self, other: &SyntaxTree) -> Option<String> {
        if let Some(i) = (0..self.nodes.len().max(other.nodes.len()))
            .find(|i| self.nodes.get(*i) != other.nodes.get(*i))
        {
            let kind = |t: &SyntaxTree| {
                (i < t.nodes.len()).then(|| {
                    Node {
                        tree: t,
                        i: i as u32,
                    }
                    .kind()
                })
            };
            return Some(format!(
                "node {i}: {:?} {:?} / {:?} {:?}",
                kind(self),
                self.nodes.get(i),
                kind(other),
                other.nodes.get(i)
            ));
        }
        (self.rows != other.rows).then(|| "row starts".to_string())
    }

    /// The row starts of `new_source`, the text after an edit that changed only this tree's
    /// text's `changed` into `changed.start..changed.end + delta`: rows before it stay, those
    /// inside are read again, the later ones move.
    pub fn rows_after(&self, changed: Range<usize>, delta: isize, new_source: &str) -> Vec<u32> {
        moved_rows(&self.rows, changed, delta, new_source)
    }

    fn point(&self, byte: u32) -> Point {
        point_in(&self.rows, byte)
    }
}

/// `root`'s subtree in pre-order, the first node at index `base` of the array it will go into
/// (links are absolute), its parent `parent`.
fn copy_nodes(root: tree_sitter::Node<'_>, base: u32, parent: u32) -> Vec<Raw> {
    let mut nodes: Vec<Raw> = Vec::new();
    let mut cursor = root.walk();
    // The open ancestors (absolute indices) and, for each, its last child so far.
    let mut open: Vec<(u32, u32)> = Vec::new();
    loop {
        let node = cursor.node();
        let i = base + to_u32(nodes.len());
        let (up, prev) = open.last().copied().unwrap_or((parent, NONE));
        let mut flags = 0;
        if node.is_named() {
            flags |= NAMED;
        }
        if node.is_missing() {
            flags |= MISSING;
        }
        if node.is_extra() {
            flags |= EXTRA;
        }
        if node.has_error() {
            flags |= HAS_ERROR;
        }
        nodes.push(Raw {
            kind: node.kind_id(),
            field: if open.is_empty() {
                0
            } else {
                cursor.field_id().map_or(0, |f| f.get())
            },
            flags,
            start: to_u32(node.start_byte()),
            end: to_u32(node.end_byte()),
            parent: up,
            next: NONE,
            prev,
            subtree_end: i + 1,
            // Counted as the children come (cheaper than asking tree-sitter, which counts
            // through hidden nodes).
            child_count: 0,
        });
        if prev != NONE {
            nodes[(prev - base) as usize].next = i;
        }
        if let Some(last) = open.last_mut() {
            last.1 = i;
            nodes[(last.0 - base) as usize].child_count += 1;
        }
        if cursor.goto_first_child() {
            open.push((i, NONE));
            continue;
        }
        loop {
            if open.is_empty() {
                return nodes;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            if let Some((closed, _)) = open.pop() {
                nodes[(closed - base) as usize].subtree_end = base + to_u32(nodes.len());
            }
        }
    }
}

/// A node of a [`SyntaxTree`]: a copyable handle with tree-sitter's `Node` methods.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    tree: &'t SyntaxTree,
    i: u32,
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.i == other.i && std::ptr::eq(self.tree, other.tree)
    }
}

impl Eq for Node<'_> {}

impl std::hash::Hash for Node<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.i.hash(state);
        std::ptr::hash(self.tree, state);
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{Node {} {} - {}}}",
            self.kind(),
            self.start_position(),
            self.end_position()
        )
    }
}

impl<'t> Node<'t> {
    fn raw(&self) -> &'t Raw {
        self.tree.raw(self.i)
    }

    fn at(&self, i: u32) -> Option<Node<'t>> {
        (i != NONE).then_some(Node { tree: self.tree, i })
    }

    /// A number unique to this node within its tree (its index).
    pub fn id(&self) -> usize {
        self.i as usize
    }

    /// The tree this node belongs to.
    pub fn tree(&self) -> &'t SyntaxTree {
        self.tree
    }

    /// The grammar's id of the node's kind.
    pub fn kind_id(&self) -> u16 {
        self.raw().kind
    }

    /// The node's kind (`call`, `binary_operator`, `do`, `ERROR`, …), as tree-sitter names it.
    pub fn kind(&self) -> &'static str {
        let kind = self.raw().kind;
        if kind == ERROR_KIND {
            return "ERROR";
        }
        KINDS.get(usize::from(kind)).copied().unwrap_or("")
    }

    /// Whether the node is named (a grammar rule, not a literal token such as `do` or `(`).
    pub fn is_named(&self) -> bool {
        self.raw().flags & NAMED != 0
    }

    /// Whether the parser inserted this node to recover from an error (it has no text).
    pub fn is_missing(&self) -> bool {
        self.raw().flags & MISSING != 0
    }

    /// Whether the node is an extra (a comment).
    pub fn is_extra(&self) -> bool {
        self.raw().flags & EXTRA != 0
    }

    /// Whether the node is an `ERROR` node.
    pub fn is_error(&self) -> bool {
        self.raw().kind == ERROR_KIND
    }

    /// Whether the node or a descendant is an `ERROR` or missing node.
    pub fn has_error(&self) -> bool {
        self.raw().flags & HAS_ERROR != 0
    }

    /// Where the node starts, in bytes.
    pub fn start_byte(&self) -> usize {
        self.raw().start as usize
    }

    /// Where the node ends, in bytes.
    pub fn end_byte(&self) -> usize {
        self.raw().end as usize
    }

    /// The node's bytes.
    pub fn byte_range(&self) -> Range<usize> {
        self.start_byte()..self.end_byte()
    }

    /// Where the node starts: row (counted in `\n`s) and column (in bytes).
    pub fn start_position(&self) -> Point {
        self.tree.point(self.raw().start)
    }

    /// Where the node ends: row and column in bytes.
    pub fn end_position(&self) -> Point {
        self.tree.point(self.raw().end)
    }

    /// The node's range, bytes and points.
    pub fn range(&self) -> tree_sitter::Range {
        tree_sitter::Range {
            start_byte: self.start_byte(),
            end_byte: self.end_byte(),
            start_point: self.start_position(),
            end_point: self.end_position(),
        }
    }

    /// The node's parent (`None` for the root).
    pub fn parent(&self) -> Option<Node<'t>> {
        self.at(self.raw().parent)
    }

    /// How many children the node has, anonymous ones included.
    pub fn child_count(&self) -> usize {
        self.raw().child_count as usize
    }

    /// How many named children the node has.
    pub fn named_child_count(&self) -> usize {
        Siblings::new(*self).filter(Node::is_named).count()
    }

    /// The `i`th child, anonymous ones included.
    pub fn child(&self, i: u32) -> Option<Node<'t>> {
        Siblings::new(*self).nth(i as usize)
    }

    /// The `i`th named child.
    pub fn named_child(&self, i: u32) -> Option<Node<'t>> {
        Siblings::new(*self).filter(Node::is_named).nth(i as usize)
    }

    /// The next sibling, anonymous ones included. As tree-sitter, which looks siblings up by
    /// position, an empty sibling where this node ends (a missing `end`) is passed over.
    pub fn next_sibling(&self) -> Option<Node<'t>> {
        let end = self.raw().end;
        let mut at = self.at(self.raw().next);
        while let Some(n) = at
            && n.raw().end <= end
        {
            at = n.at(n.raw().next);
        }
        at
    }

    /// The previous sibling, anonymous ones included.
    pub fn prev_sibling(&self) -> Option<Node<'t>> {
        self.at(self.raw().prev)
    }

    /// The next named sibling.
    pub fn next_named_sibling(&self) -> Option<Node<'t>> {
        let mut at = self.next_sibling();
        while let Some(n) = at {
            if n.is_named() {
                return Some(n);
            }
            at = n.at(n.raw().next);
        }
        None
    }

    /// The previous named sibling.
    pub fn prev_named_sibling(&self) -> Option<Node<'t>> {
        let mut at = self.prev_sibling();
        while let Some(n) = at {
            if n.is_named() {
                return Some(n);
            }
            at = n.prev_sibling();
        }
        None
    }

    /// The children, anonymous ones included. (The cursor is tree-sitter's way of iterating;
    /// here it is not needed, and kept so that both read alike.)
    pub fn children(&self, _cursor: &mut TreeCursor<'t>) -> Siblings<'t> {
        Siblings::new(*self)
    }

    /// The named children.
    pub fn named_children(
        &self,
        _cursor: &mut TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + use<'t> {
        Siblings::new(*self).filter(Node::is_named)
    }

    /// A cursor over this node's subtree.
    pub fn walk(&self) -> TreeCursor<'t> {
        TreeCursor {
            tree: self.tree,
            i: self.i,
            root: self.i,
        }
    }

    /// The first child filling field `id`. (tree-sitter may also answer with a grandchild
    /// whose field a child passes up, as the call's `target` in `%foo(1){}`; no rule asks.)
    pub fn child_by_field_id(&self, id: u16) -> Option<Node<'t>> {
        if id == 0 {
            return None;
        }
        Siblings::new(*self).find(|c| c.raw().field == id)
    }

    /// The first child filling the field named `name`.
    pub fn child_by_field_name(&self, name: &str) -> Option<Node<'t>> {
        self.child_by_field_id(super::field_id(name)?)
    }

    /// The name of the field this node fills in its parent.
    pub fn field_name(&self) -> Option<&'static str> {
        match self.raw().field {
            0 => None,
            id => language().field_name_for_id(id),
        }
    }

    /// The child of this node that is or holds `descendant`.
    pub fn child_with_descendant(&self, descendant: Node<'t>) -> Option<Node<'t>> {
        if !std::ptr::eq(self.tree, descendant.tree) {
            return None;
        }
        let mut at = descendant;
        while let Some(up) = at.parent() {
            if up == *self {
                return Some(at);
            }
            at = up;
        }
        None
    }

    /// The smallest node within this one spanning `start..end` (tree-sitter's rule: a node
    /// touching the range's end and reaching past its start, or equal to it when empty). For
    /// an empty range at the start of a unary operator this may be the operator token where
    /// tree-sitter, stopped by a hidden empty token of the grammar, answers the operation.
    pub fn descendant_for_byte_range(&self, start: usize, end: usize) -> Option<Node<'t>> {
        if start > end {
            return None;
        }
        let mut node = *self;
        'descend: loop {
            for child in Siblings::new(node) {
                let child_end = child.end_byte();
                if child_end < end {
                    continue;
                }
                let empty = child.start_byte() == child_end;
                if if empty {
                    child_end < start
                } else {
                    child_end <= start
                } {
                    continue;
                }
                if start < child.start_byte() {
                    break;
                }
                node = child;
                continue 'descend;
            }
            return Some(node);
        }
    }

    /// An S-expression of the named nodes (tree-sitter's `to_sexp`, but for the unexpected
    /// characters inside an `ERROR`, printed as `(ERROR)`), for tests.
    pub fn to_sexp(&self) -> String {
        let mut out = String::new();
        self.sexp_into(&mut out, None);
        out
    }

    fn sexp_into(&self, out: &mut String, field: Option<&str>) {
        if !out.is_empty() {
            out.push(' ');
        }
        if let Some(field) = field {
            out.push_str(field);
            out.push_str(": ");
        }
        out.push('(');
        if self.is_missing() {
            out.push_str("MISSING ");
        }
        if self.is_named() {
            out.push_str(self.kind());
        } else {
            // An anonymous node (only a missing one is printed): quoted, as tree-sitter does.
            out.push('"');
            out.push_str(self.kind());
            out.push('"');
        }
        for child in Siblings::new(*self) {
            if child.is_named() || child.is_missing() {
                child.sexp_into(out, child.field_name());
            }
        }
        out.push(')');
    }
}

/// A node's children in order.
#[derive(Clone)]
pub struct Siblings<'t> {
    next: Option<Node<'t>>,
    left: usize,
}

impl<'t> Siblings<'t> {
    fn new(parent: Node<'t>) -> Siblings<'t> {
        let count = parent.child_count();
        Siblings {
            next: (count > 0).then_some(Node {
                tree: parent.tree,
                i: parent.i + 1,
            }),
            left: count,
        }
    }
}

impl<'t> Iterator for Siblings<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        let node = self.next?;
        // The stored link, not `next_sibling`, which passes over empty siblings.
        self.next = node.at(node.raw().next);
        self.left = self.left.saturating_sub(1);
        Some(node)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Siblings<'_> {}

/// A cursor over a subtree, with tree-sitter's `TreeCursor` methods: it never leaves the node
/// it was made on.
#[derive(Clone)]
pub struct TreeCursor<'t> {
    tree: &'t SyntaxTree,
    i: u32,
    root: u32,
}

impl<'t> TreeCursor<'t> {
    /// The node under the cursor.
    pub fn node(&self) -> Node<'t> {
        Node {
            tree: self.tree,
            i: self.i,
        }
    }

    /// Moves to the first child; `false` (not moving) when there is none.
    pub fn goto_first_child(&mut self) -> bool {
        if self.tree.raw(self.i).child_count == 0 {
            return false;
        }
        self.i += 1;
        true
    }

    /// Moves to the next sibling; `false` at the last one or at the cursor's root.
    pub fn goto_next_sibling(&mut self) -> bool {
        let next = self.tree.raw(self.i).next;
        if self.i == self.root || next == NONE {
            return false;
        }
        self.i = next;
        true
    }

    /// Moves to the parent; `false` at the cursor's root.
    pub fn goto_parent(&mut self) -> bool {
        if self.i == self.root {
            return false;
        }
        self.i = self.tree.raw(self.i).parent;
        true
    }

    /// The field the current node fills in its parent.
    pub fn field_name(&self) -> Option<&'static str> {
        if self.i == self.root {
            return None;
        }
        self.node().field_name()
    }

    /// Moves the cursor to `node`, which becomes its root.
    pub fn reset(&mut self, node: Node<'t>) {
        self.tree = node.tree;
        self.i = node.i;
        self.root = node.i;
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
pub(crate) mod tests;
