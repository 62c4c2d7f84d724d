//! Helpers over tree-sitter-elixir trees: calls, attributes, function definitions and modules.
//!
//! Shapes (see `ladder-ls syntax-tree FILE`):
//! - `defmodule X do … end` → `call(target: identifier, arguments(alias), do_block)`.
//! - `@spec f(integer()) :: :ok` → `unary_operator(operand: call(target: identifier "spec", …))`.
//! - A `def` head is a `call` (`def f(a)`), a bare `identifier` (`def f`), or a
//!   `binary_operator` with `when` around one of those (`def f(a) when a > 0`); the body is a
//!   `do_block` or the keyword form `, do: expr`.
//! - Remote calls have `target: dot(left: alias, right: identifier)`.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::text;

/// Visits `node` and its descendants in document order; `visit` returns whether to descend.
pub fn walk<'t>(node: Node<'t>, visit: &mut impl FnMut(Node<'t>) -> bool) {
    let mut cursor = node.walk();
    let mut descend = visit(node);
    // How far below `node` the cursor is: back at 0 the walk is done. Counting saves reading
    // the cursor's node to compare it with `node` at every step (a tree-sitter call that
    // rebuilds the node; measured, a tenth of the walk).
    let mut depth = 0usize;
    loop {
        if descend && cursor.goto_first_child() {
            depth += 1;
            descend = visit(cursor.node());
            continue;
        }
        loop {
            if depth == 0 {
                return;
            }
            if cursor.goto_next_sibling() {
                descend = visit(cursor.node());
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}

/// The operator of a `binary_operator` or `unary_operator` (`|>`, `when`, `@`, `\\`).
pub fn operator<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    node.field("operator")
        .map(|op| text(op, source))
        .unwrap_or("")
}

/// Whether `node` is a `binary_operator` with operator `op`.
pub fn is_binary_op(node: Node<'_>, source: &str, op: &str) -> bool {
    node.kind() == "binary_operator" && operator(node, source) == op
}

/// The name of a local call (`foo(x)`, `foo x`, `def ...`), or `None` for remote calls.
pub fn local_call_name<'a>(call: Node<'_>, source: &'a str) -> Option<&'a str> {
    if call.kind() != "call" {
        return None;
    }
    // The target is a call's first child, so the call's text starts with it. A first character
    // no identifier starts with (an alias's capital, an atom's colon, a parenthesis) rules a
    // local call out without the field lookup, which costs more than all the rest: most rules
    // ask this of every call of the file.
    let first = first_byte(call, source);
    if !(first.is_ascii_lowercase() || first == b'_' || first == b'.' || first >= 0x80) {
        debug_assert!(
            call.field("target")
                .is_none_or(|t| t.kind() != "identifier")
        );
        return None;
    }
    // `user.name`, `conn.assigns`, `fun.(x)`: a name directly followed by a dot is the left of
    // the call's `dot` target (nothing that follows a call's own name, its arguments or its
    // `do`, starts with a dot). Field reads like these are a large share of a file's calls.
    if first.is_ascii_lowercase() || first == b'_' {
        let rest = source
            .as_bytes()
            .get(call.start_byte()..)
            .unwrap_or_default();
        let mut len = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(rest.len());
        if matches!(rest.get(len), Some(b'?' | b'!')) {
            len += 1;
        }
        if rest.get(len) == Some(&b'.') {
            debug_assert!(
                call.field("target")
                    .is_none_or(|t| t.kind() != "identifier")
            );
            return None;
        }
    }
    let target = call.field("target")?;
    debug_assert_eq!(target.start_byte(), call.start_byte());
    (target.kind() == "identifier").then(|| text(target, source))
}

/// Whether `call` is a local call of `name` (`local_call_name(call) == Some(name)`), ruled out
/// on the text for calls not starting with `name` (most calls) without asking the tree.
pub fn is_local_call(call: Node<'_>, source: &str, name: &str) -> bool {
    starts_with(call, source, name) && local_call_name(call, source) == Some(name)
}

/// Whether `call` is the remote call `module.fun` (`remote_call(call) == Some((module,
/// fun))`), ruled out on the text for calls not starting with `module` (the target's left
/// starts the call's text).
pub fn is_remote_call(call: Node<'_>, source: &str, module: &str, fun: &str) -> bool {
    starts_with(call, source, module) && remote_call(call, source) == Some((module, fun))
}

/// Whether `node`'s text starts with `prefix`: a cheap test before asking the tree whether a
/// call is named `prefix…` (a call's name is the start of its text).
pub fn starts_with(node: Node<'_>, source: &str, prefix: &str) -> bool {
    source
        .as_bytes()
        .get(node.start_byte()..)
        .is_some_and(|rest| rest.starts_with(prefix.as_bytes()))
}

/// The first byte of `node`'s text (0 at the end of the source).
fn first_byte(node: Node<'_>, source: &str) -> u8 {
    source
        .as_bytes()
        .get(node.start_byte())
        .copied()
        .unwrap_or(0)
}

/// `(module, function)` of a remote call such as `IO.inspect(x)` or `:erlang.binary_to_term(x)`.
/// The module is the alias text (`IO`, `Ecto.Adapters.SQL`) or an atom (`:erlang`).
pub fn remote_call<'a>(call: Node<'_>, source: &'a str) -> Option<(&'a str, &'a str)> {
    if call.kind() != "call" {
        return None;
    }
    // The module (an alias or an atom) starts the call's text: a capital or a colon, or this
    // is no remote call (see `local_call_name`).
    let first = first_byte(call, source);
    if !(first.is_ascii_uppercase() || first == b':') {
        debug_assert!(call.field("target").is_none_or(|t| {
            t.kind() != "dot"
                || t.field("left")
                    .is_none_or(|l| !matches!(l.kind(), "alias" | "atom"))
        }));
        return None;
    }
    let target = call.field("target")?;
    if target.kind() != "dot" {
        return None;
    }
    let left = target.field("left")?;
    let right = target.field("right")?;
    if !matches!(left.kind(), "alias" | "atom") || right.kind() != "identifier" {
        return None;
    }
    Some((text(left, source), text(right, source)))
}

/// The argument nodes of a call (comments skipped; a trailing keyword list is one `keywords`).
pub fn call_args<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    // One cursor finds the `arguments` child and then reads its children (each cursor is an
    // allocation).
    let mut cursor = call.walk();
    let mut out = Vec::new();
    if !cursor.goto_first_child() {
        return out;
    }
    while !(cursor.node().is_named() && cursor.node().kind() == "arguments") {
        if !cursor.goto_next_sibling() {
            return out;
        }
    }
    if cursor.goto_first_child() {
        loop {
            let child = cursor.node();
            if child.is_named() && child.kind() != "comment" {
                out.push(child);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    out
}

/// Whether a call has an argument list (`f()` or `f(x)`, also `f x`), as opposed to `IO.inspect`
/// in `&IO.inspect/1`.
pub fn has_arguments(call: Node<'_>) -> bool {
    // The grammar puts the arguments right after the target, with nothing between (no comment
    // fits: arguments without parentheses start on the target's line, parentheses touch it):
    // the second child answers, where a pass over the children costs a cursor. A broken call
    // takes the long way.
    if !call.has_error() {
        let second = call.child(1).is_some_and(|c| c.kind() == "arguments");
        debug_assert_eq!(
            second,
            call.named_children(&mut call.walk())
                .any(|c| c.kind() == "arguments")
        );
        return second;
    }
    call.named_children(&mut call.walk())
        .any(|c| c.kind() == "arguments")
}

/// The `do … end` block of a call.
pub fn do_block<'t>(call: Node<'t>) -> Option<Node<'t>> {
    // The grammar puts a call's `do_block` last, and a tree without errors has at most one:
    // reading the last child saves a cursor (an allocation) and a pass over all children.
    // A broken tree may hold anything, so it takes the long way.
    if !call.has_error() {
        let last = call
            .child(u32::try_from(call.child_count().checked_sub(1)?).ok()?)
            .filter(|c| c.kind() == "do_block");
        debug_assert_eq!(
            last,
            call.named_children(&mut call.walk())
                .find(|c| c.kind() == "do_block")
        );
        return last;
    }
    call.named_children(&mut call.walk())
        .find(|c| c.kind() == "do_block")
}

/// [`do_block`] with the source at hand: a call whose text does not end with `end` has none
/// (in a tree without errors: the block's last token is `end`), which takes no tree lookup.
pub fn do_block_in<'t>(call: Node<'t>, source: &str) -> Option<Node<'t>> {
    let ends_with_end = source
        .get(..call.end_byte())
        .is_some_and(|t| t.ends_with("end"));
    if !ends_with_end && !call.has_error() {
        debug_assert!(do_block(call).is_none());
        return None;
    }
    do_block(call)
}

/// The expressions directly inside a block (`do_block`, `else_block`, `source`…), comments and
/// the block's own `else`/`rescue`/… sub-blocks left out.
pub fn block_statements<'t>(block: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|c| {
            !matches!(
                c.kind(),
                "comment" | "else_block" | "rescue_block" | "catch_block" | "after_block"
            )
        })
        .collect()
}

/// Whether `node` may be the operand of a `@` (a module attribute's `name value` call), judged
/// on the text before it, so that most nodes need no `Node::parent` (a descent from the root).
/// The operand follows the `@` with only whitespace and extras between: `false` means the
/// token before `node` is not an `@` — on the same line, or on an earlier line that holds no
/// comment and no line continuation.
pub fn may_be_attribute_operand(node: Node<'_>, source: &str) -> bool {
    let before = source.get(..node.start_byte()).unwrap_or_default();
    let trimmed = before.trim_end();
    if trimmed.ends_with('@') || trimmed.ends_with('\\') {
        return true;
    }
    let skipped = &before[trimmed.len()..];
    if !skipped.contains(['\n', '\r']) {
        return false;
    }
    let last_line = trimmed.rsplit(['\n', '\r']).next().unwrap_or(trimmed);
    last_line.contains('#')
}

/// A module attribute: `@name value`.
#[derive(Clone, Copy, Debug)]
pub struct Attribute<'t> {
    /// The attribute's name without `@`.
    pub name: &'t str,
    /// Its value (`true` in `@impl true`), if given.
    pub value: Option<Node<'t>>,
    /// The whole `@…` node.
    pub node: Node<'t>,
}

/// Reads `node` as a module attribute.
pub fn attribute<'t>(node: Node<'t>, source: &'t str) -> Option<Attribute<'t>> {
    if node.kind() != "unary_operator" || operator(node, source) != "@" {
        return None;
    }
    let operand = node.field("operand")?;
    match operand.kind() {
        "identifier" => Some(Attribute {
            name: text(operand, source),
            value: None,
            node,
        }),
        "call" => {
            let name = local_call_name(operand, source)?;
            Some(Attribute {
                name,
                value: first_arg(operand),
                node,
            })
        }
        _ => None,
    }
}

/// Whether `node` is a module attribute (`attribute(node).is_some()`), without reading its
/// value: the argument list is the costly part of [`attribute`].
pub fn is_attribute(node: Node<'_>, source: &str) -> bool {
    let is = node.kind() == "unary_operator"
        && operator(node, source) == "@"
        && node
            .field("operand")
            .is_some_and(|operand| match operand.kind() {
                "identifier" => true,
                "call" => local_call_name(operand, source).is_some(),
                _ => false,
            });
    debug_assert_eq!(is, attribute(node, source).is_some());
    is
}

/// The keyword that defines a function or macro.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    /// `def`
    Def,
    /// `defp`
    Defp,
    /// `defmacro`
    Defmacro,
    /// `defmacrop`
    Defmacrop,
    /// `defguard`
    Defguard,
    /// `defguardp`
    Defguardp,
    /// `defdelegate`
    Defdelegate,
}

impl DefKind {
    fn from_name(name: &str) -> Option<DefKind> {
        Some(match name {
            "def" => DefKind::Def,
            "defp" => DefKind::Defp,
            "defmacro" => DefKind::Defmacro,
            "defmacrop" => DefKind::Defmacrop,
            "defguard" => DefKind::Defguard,
            "defguardp" => DefKind::Defguardp,
            "defdelegate" => DefKind::Defdelegate,
            _ => return None,
        })
    }

    /// Whether the definition is callable from other modules.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            DefKind::Def | DefKind::Defmacro | DefKind::Defguard | DefKind::Defdelegate
        )
    }

    /// Whether it defines a macro (`defmacro`, `defguard`).
    pub fn is_macro(self) -> bool {
        matches!(
            self,
            DefKind::Defmacro | DefKind::Defmacrop | DefKind::Defguard | DefKind::Defguardp
        )
    }
}

/// One clause of a function definition.
#[derive(Clone, Debug)]
pub struct FunctionDef<'t> {
    /// `def`, `defp`, …
    pub kind: DefKind,
    /// The function's name.
    pub name: &'t str,
    /// The identifier naming the function.
    pub name_node: Node<'t>,
    /// The parameter patterns (with `\\` defaults still attached).
    pub params: Vec<Node<'t>>,
    /// The `when` guard, if any.
    pub guard: Option<Node<'t>>,
    /// The head: name, parameters and guard.
    pub head: Node<'t>,
    /// The body: a `do_block` or the value of `do:`; `None` for a bodiless head.
    pub body: Option<Node<'t>>,
    /// The whole `def …` call.
    pub node: Node<'t>,
}

impl FunctionDef<'_> {
    /// The arities this clause defines: `def f(a, b \\ 1)` defines f/1 and f/2.
    pub fn arities(&self, source: &str) -> std::ops::RangeInclusive<usize> {
        let defaults = self
            .params
            .iter()
            .filter(|p| is_binary_op(**p, source, "\\\\"))
            .count();
        self.params.len() - defaults..=self.params.len()
    }
}

/// Reads a `def`/`defp`/`defmacro`/… call. Heads whose name is computed (`def unquote(n)()`)
/// are not function definitions we can name, and give `None`.
pub fn function_def<'t>(node: Node<'t>, source: &'t str) -> Option<FunctionDef<'t>> {
    // Every definition's name starts with `def`: a text test before the tree lookups.
    if !starts_with(node, source, "def") {
        return None;
    }
    let kind = DefKind::from_name(local_call_name(node, source)?)?;
    let args = call_args(node);
    let head_arg = *args.first()?;
    let (head, guard) = if is_binary_op(head_arg, source, "when") {
        (head_arg.field("left")?, head_arg.field("right"))
    } else {
        (head_arg, None)
    };
    let (name_node, params) = match head.kind() {
        "identifier" => (head, Vec::new()),
        "call" => {
            let target = head.field("target")?;
            if target.kind() != "identifier" {
                return None;
            }
            (target, call_args(head))
        }
        _ => return None,
    };
    let body = do_block(node).or_else(|| keyword_value(args.get(1).copied()?, source, "do"));
    Some(FunctionDef {
        kind,
        name: text(name_node, source),
        name_node,
        params,
        guard,
        head: head_arg,
        body,
        node,
    })
}

/// What [`function_def`] reads first, for a fraction of its cost (no parameter list, no body):
/// the definition's keyword and the identifier naming the function. `Some` exactly when
/// [`function_def`] is.
pub fn function_head<'t>(node: Node<'t>, source: &'t str) -> Option<(DefKind, Node<'t>)> {
    let head = function_head_unchecked(node, source);
    debug_assert_eq!(
        head.map(|(_, name)| name),
        function_def(node, source).map(|d| d.name_node)
    );
    head
}

fn function_head_unchecked<'t>(node: Node<'t>, source: &'t str) -> Option<(DefKind, Node<'t>)> {
    if !starts_with(node, source, "def") {
        return None;
    }
    let kind = DefKind::from_name(local_call_name(node, source)?)?;
    let head_arg = first_arg(node)?;
    let head = if is_binary_op(head_arg, source, "when") {
        head_arg.field("left")?
    } else {
        head_arg
    };
    let name_node = match head.kind() {
        "identifier" => head,
        "call" => head.field("target").filter(|t| t.kind() == "identifier")?,
        _ => return None,
    };
    Some((kind, name_node))
}

/// Whether `node` is a function definition [`function_def`] reads.
pub fn is_function_def(node: Node<'_>, source: &str) -> bool {
    function_head(node, source).is_some()
}

/// The first of [`call_args`], without collecting the others.
fn first_arg<'t>(call: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = call.walk();
    if !cursor.goto_first_child() {
        return None;
    }
    while !(cursor.node().is_named() && cursor.node().kind() == "arguments") {
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
    if !cursor.goto_first_child() {
        return None;
    }
    loop {
        let child = cursor.node();
        if child.is_named() && child.kind() != "comment" {
            return Some(child);
        }
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
}

/// The value of `key:` in a `keywords` node.
pub fn keyword_value<'t>(keywords: Node<'t>, source: &str, key: &str) -> Option<Node<'t>> {
    if keywords.kind() != "keywords" {
        return None;
    }
    let mut cursor = keywords.walk();
    keywords.named_children(&mut cursor).find_map(|pair| {
        let k = pair.field("key")?;
        (keyword_key(k, source) == key)
            .then(|| pair.field("value"))
            .flatten()
    })
}

/// The name of a keyword key node: `do` for `do: `, `name` for `"name": `.
pub fn keyword_key<'a>(key: Node<'_>, source: &'a str) -> &'a str {
    let t = text(key, source).trim_end();
    t.strip_suffix(':').unwrap_or(t).trim_matches('"')
}

/// The kinds of module-defining calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    /// `defmodule`
    Module,
    /// `defprotocol`
    Protocol,
    /// `defimpl`
    Impl,
}

/// A module definition.
#[derive(Clone, Debug)]
pub struct ModuleDef<'t> {
    /// What defines it.
    pub kind: ModuleKind,
    /// The module name as written (`Shop.Orders`, or the protocol for `defimpl`).
    pub name: &'t str,
    /// The name node.
    pub name_node: Node<'t>,
    /// Its `do` block.
    pub body: Option<Node<'t>>,
    /// The whole call.
    pub node: Node<'t>,
}

/// Reads a `defmodule`/`defprotocol`/`defimpl` call.
pub fn module_def<'t>(node: Node<'t>, source: &'t str) -> Option<ModuleDef<'t>> {
    if !starts_with(node, source, "def") {
        return None;
    }
    let kind = match local_call_name(node, source)? {
        "defmodule" => ModuleKind::Module,
        "defprotocol" => ModuleKind::Protocol,
        "defimpl" => ModuleKind::Impl,
        _ => return None,
    };
    let name_node = *call_args(node).first()?;
    Some(ModuleDef {
        kind,
        name: text(name_node, source),
        name_node,
        body: do_block(node),
        node,
    })
}

/// Every module definition in the tree, outer before inner, in document order. Definitions
/// inside `quote` are code generated for other modules and are left out.
pub fn modules<'t>(root: Node<'t>, source: &'t str) -> Vec<ModuleDef<'t>> {
    let mut out = Vec::new();
    walk(root, &mut |node| {
        if node.kind() != "call" {
            return true;
        }
        if is_local_call(node, source, "quote") {
            return false;
        }
        if let Some(module) = module_def(node, source) {
            out.push(module);
        }
        true
    });
    out
}

/// The innermost ancestor of `node` for which `pred` holds (`pred` sees the ancestors
/// innermost first).
pub fn ancestor<'t>(node: Node<'t>, mut pred: impl FnMut(Node<'t>) -> bool) -> Option<Node<'t>> {
    let mut at = node.parent();
    while let Some(up) = at {
        if pred(up) {
            return Some(up);
        }
        at = up.parent();
    }
    None
}

/// The ancestors of `node`, the root first and its parent last (empty for the root).
pub fn ancestors<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut chain = Vec::new();
    let mut at = node.parent();
    while let Some(up) = at {
        chain.push(up);
        at = up.parent();
    }
    chain.reverse();
    chain
}

/// Whether `node` is inside a `quote do … end` (code written for another module).
pub fn inside_quote(node: Node<'_>, source: &str) -> bool {
    ancestor(node, |n| is_local_call(n, source, "quote")).is_some()
}

/// The byte offset where the line containing `byte` starts.
pub fn line_start(source: &str, byte: usize) -> usize {
    source[..byte].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The byte offset just past the line containing `byte`, including its terminator.
pub fn line_end_with_terminator(source: &str, byte: usize) -> usize {
    match source[byte..].find('\n') {
        Some(i) => byte + i + 1,
        None => source.len(),
    }
}

/// The indentation (leading spaces and tabs) of the line containing `byte`.
pub fn indentation(source: &str, byte: usize) -> &str {
    let start = line_start(source, byte);
    let rest = &source[start..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// Whether only whitespace precedes `byte` on its line.
pub fn starts_line(source: &str, byte: usize) -> bool {
    source[line_start(source, byte)..byte].trim().is_empty()
}

/// Whether only whitespace follows `byte` on its line.
pub fn ends_line(source: &str, byte: usize) -> bool {
    let rest = &source[byte..];
    let end = rest.find('\n').unwrap_or(rest.len());
    rest[..end].trim().is_empty()
}

/// Whether `node` ends with a call without parentheses (`where: foo :bar`): text written after
/// it (`, key: value`, another argument) would become that call's argument (found by the
/// `lint_fix` fuzz target, in fixes that append an option or wrap operands in a call).
pub fn ends_in_call_without_parens(src: &str, node: Node<'_>) -> bool {
    let mut n = node;
    loop {
        if n.kind() == "call"
            && n.named_children(&mut n.walk())
                .any(|c| c.kind() == "arguments" && !text(c, src).starts_with('('))
        {
            return true;
        }
        // Only what ends where `n` ends: a closing bracket or `end` shields what is inside.
        match n.named_children(&mut n.walk()).last() {
            Some(last) if last.end_byte() == n.end_byte() => n = last,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_def(src: &str) -> (crate::syntax::SyntaxTree, String) {
        (crate::syntax::parse(src), src.to_string())
    }

    fn with_def(src: &str, check: impl Fn(&FunctionDef<'_>, &str)) {
        let (tree, src) = first_def(src);
        let mut found = false;
        walk(tree.root_node(), &mut |n| {
            if let Some(def) = function_def(n, &src) {
                check(&def, &src);
                found = true;
                return false;
            }
            true
        });
        assert!(found, "no def in {src}");
    }

    #[test]
    fn reads_every_head_shape() {
        with_def(
            "def f(a, b \\\\ 1) when is_integer(a) do\n a\nend",
            |d, s| {
                assert_eq!((d.name, d.params.len(), d.arities(s)), ("f", 2, 1..=2));
                assert_eq!(text(d.guard.unwrap(), s), "is_integer(a)");
                assert_eq!(d.body.unwrap().kind(), "do_block");
            },
        );
        with_def("def g, do: :ok", |d, s| {
            assert_eq!((d.name, d.params.len()), ("g", 0));
            assert_eq!(text(d.body.unwrap(), s), ":ok");
        });
        with_def("defp h(x) when x > 0, do: x", |d, s| {
            assert_eq!((d.kind, d.name), (DefKind::Defp, "h"));
            assert_eq!(text(d.body.unwrap(), s), "x");
        });
        with_def("defmacro m(ast)", |d, _| {
            assert!(d.kind.is_macro() && d.body.is_none());
        });
    }

    #[test]
    fn computed_names_are_not_definitions() {
        let (tree, src) = first_def("def unquote(name)(x), do: x");
        let mut found = false;
        walk(tree.root_node(), &mut |n| {
            found |= function_def(n, &src).is_some();
            true
        });
        assert!(!found);
    }

    #[test]
    fn modules_skip_quoted_code() {
        let (tree, src) = first_def(
            "defmodule A do\n  defmacro __using__(_) do\n    quote do\n      defmodule Gen do\n      end\n    end\n  end\n  defmodule B.C do\n  end\nend\n",
        );
        let names: Vec<&str> = modules(tree.root_node(), &src)
            .iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(names, ["A", "B.C"]);
    }

    #[test]
    fn remote_and_local_calls() {
        let (tree, src) = first_def("IO.inspect(x)\n:erlang.binary_to_term(b)\nfoo(1)");
        let calls: Vec<Node> = block_statements(tree.root_node());
        assert_eq!(remote_call(calls[0], &src), Some(("IO", "inspect")));
        assert_eq!(
            remote_call(calls[1], &src),
            Some((":erlang", "binary_to_term"))
        );
        assert_eq!(local_call_name(calls[2], &src), Some("foo"));
    }
}
