//! Patterns: binding the variables of a match to what the matched value carries, and the
//! facts a guard or condition proves (`x in @allowed`).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::Taint;
use super::eval::{Env, MAX_DEPTH, Walker};
use super::values::{is_constant, refine_source};
use crate::syntax::elixir;
use crate::syntax::text;

impl<'t> Walker<'_, 't> {
    /// Binds a parameter pattern (no `via` step: the parameter is the source itself).
    pub fn bind_param(&mut self, pattern: Node<'t>, taint: Taint, env: &mut Env) {
        self.bind(pattern, taint, env, false);
    }

    /// Marks the variables a guard or condition proves constant as clean in `env`.
    pub fn refine(&self, condition: Node<'t>, env: &mut Env) {
        for name in proven_constant(condition, self.src) {
            env.insert(name.to_string(), Taint::clean());
        }
    }

    /// Binds the variables of `pattern` to `taint` (refined by map keys on the way).
    pub(super) fn bind(&mut self, pattern: Node<'t>, taint: Taint, env: &mut Env, via: bool) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.bind_pattern(pattern, taint, env, via);
        self.depth -= 1;
    }

    pub(super) fn bind_pattern(
        &mut self,
        pattern: Node<'t>,
        taint: Taint,
        env: &mut Env,
        via: bool,
    ) {
        if taint.is_clean() {
            // Still bind, so earlier tainted values of the same name are shadowed.
            let mut names = Vec::new();
            pattern_vars(pattern, self.src, &mut names);
            for name in names {
                env.insert(name.to_string(), Taint::clean());
            }
            return;
        }
        match pattern.kind() {
            "identifier" => {
                let name = self.text(pattern);
                if name.starts_with('_') || name == "__MODULE__" {
                    return;
                }
                let value = if via {
                    taint.map(|f| f.via.push((name.to_string(), pattern.start_byte())))
                } else {
                    taint
                };
                env.insert(name.to_string(), value);
            }
            "unary_operator" => {} // `^pinned`: matched, not bound.
            "binary_operator" => match elixir::operator(pattern, self.src) {
                "=" | "|" => {
                    for side in ["left", "right"] {
                        if let Some(p) = pattern.field(side) {
                            self.bind(p, taint.clone(), env, via);
                        }
                    }
                }
                "<>" | "when" | "::" | "\\\\" => {
                    let side = if elixir::operator(pattern, self.src) == "<>" {
                        "right"
                    } else {
                        "left"
                    };
                    if let Some(p) = pattern.field(side) {
                        self.bind(p, taint, env, via);
                    }
                }
                _ => {}
            },
            "map" => {
                let mut cursor = pattern.walk();
                for child in pattern.named_children(&mut cursor) {
                    match child.kind() {
                        "map_content" => self.bind_map_content(child, &taint, env, via),
                        "keywords" => self.bind_keywords(child, &taint, env, via),
                        _ => {} // `%User{}`: the struct name binds nothing.
                    }
                }
            }
            "keywords" => self.bind_keywords(pattern, &taint, env, via),
            "string" | "integer" | "atom" | "float" | "boolean" | "nil" | "alias" | "char" => {}
            _ => {
                let mut cursor = pattern.walk();
                let children: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for child in children {
                    self.bind(child, taint.clone(), env, via);
                }
            }
        }
    }

    pub(super) fn bind_map_content(
        &mut self,
        content: Node<'t>,
        taint: &Taint,
        env: &mut Env,
        via: bool,
    ) {
        let mut cursor = content.walk();
        let children: Vec<Node<'t>> = content.named_children(&mut cursor).collect();
        for child in children {
            if elixir::is_binary_op(child, self.src, "=>") {
                let (Some(key), Some(value)) = (child.field("left"), child.field("right")) else {
                    continue;
                };
                let key = self.text(key).to_string();
                self.bind(value, refine_source(taint.clone(), &key), env, via);
            } else if child.kind() == "keywords" {
                self.bind_keywords(child, taint, env, via);
            }
        }
    }

    pub(super) fn bind_keywords(
        &mut self,
        keywords: Node<'t>,
        taint: &Taint,
        env: &mut Env,
        via: bool,
    ) {
        let mut cursor = keywords.walk();
        let pairs: Vec<Node<'t>> = keywords.named_children(&mut cursor).collect();
        for pair in pairs {
            let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
                continue;
            };
            let key = format!(":{}", elixir::keyword_key(key, self.src));
            self.bind(value, refine_source(taint.clone(), &key), env, via);
        }
    }
}

/// The variables a condition or guard proves to hold a constant or a number: `x in ["a", "b"]`,
/// `x in @allowed`, `x in ~w(a b)a`, `x == "a"`, `Enum.member?(@allowed, x)`, `is_integer(x)`,
/// and conjunctions of those.
pub(super) fn proven_constant<'a>(condition: Node<'_>, src: &'a str) -> Vec<&'a str> {
    let mut out = Vec::new();
    collect_proven(condition, src, &mut out, 0);
    out
}

pub(super) fn collect_proven<'a>(
    node: Node<'_>,
    src: &'a str,
    out: &mut Vec<&'a str>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let var = |n: Option<Node<'_>>| n.filter(|n| n.kind() == "identifier").map(|n| text(n, src));
    match node.kind() {
        "binary_operator" => {
            let (left, right) = (node.field("left"), node.field("right"));
            match elixir::operator(node, src) {
                "and" | "&&" => {
                    if let Some(l) = left {
                        collect_proven(l, src, out, depth + 1);
                    }
                    if let Some(r) = right {
                        collect_proven(r, src, out, depth + 1);
                    }
                }
                "in" if right.is_some_and(|r| is_constant(r, src)) => out.extend(var(left)),
                "==" | "===" => {
                    if right.is_some_and(|r| is_constant(r, src)) {
                        out.extend(var(left));
                    } else if left.is_some_and(|l| is_constant(l, src)) {
                        out.extend(var(right));
                    }
                }
                _ => {}
            }
        }
        "call" => {
            let args = elixir::call_args(node);
            let name = elixir::local_call_name(node, src);
            if matches!(
                name,
                Some("is_integer" | "is_number" | "is_float" | "is_boolean")
            ) {
                out.extend(var(args.first().copied()));
            }
            if elixir::is_remote_call(node, src, "Enum", "member?")
                && args.first().is_some_and(|l| is_constant(*l, src))
            {
                out.extend(var(args.get(1).copied()));
            }
        }
        "block" => {
            if let Some(inner) = node.named_child(0) {
                collect_proven(inner, src, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The variables a pattern binds.
pub(super) fn pattern_vars<'a>(pattern: Node<'_>, src: &'a str, out: &mut Vec<&'a str>) {
    elixir::walk(pattern, &mut |n| match n.kind() {
        "identifier" => {
            let name = text(n, src);
            if !name.starts_with('_') {
                out.push(name);
            }
            false
        }
        "unary_operator" => false,
        _ => true,
    });
}
