//! The walk over one function body: evaluates each expression to the [`Taint`] it carries,
//! binds patterns, and records the sinks that tainted values reach.

use crate::syntax::Fields as _;
use std::collections::HashMap;

use crate::syntax::Node;

use super::sinks::SinkKind;
use super::values::{
    CLEAN_PART, TAINTED_PART, literal_text, mark_built, refine_source, sets_html_content_type,
};
use super::{SinkHit, Summaries, Taint};
use crate::syntax::elixir;
use crate::syntax::text;

/// Variables in scope and what they carry.
pub type Env = HashMap<String, Taint>;

/// Deeper expressions are not followed (their value counts as clean): no stack overflow on
/// machine-generated code.
pub(super) const MAX_DEPTH: usize = 256;

/// Modules whose functions return (parts of) their arguments: data flows through them.
pub(super) const PROPAGATING_MODULES: &[&str] = &[
    "Map", "Keyword", "Enum", "Stream", "String", "List", "Tuple", "Access", "Base", "URI", "Path",
    "Jason", "Poison", "Kernel", "MapSet",
];

/// Functions of those modules whose results carry no attacker-chosen text.
pub(super) const CLEAN_RESULTS: &[&str] = &[
    "count",
    "sum",
    "length",
    "byte_size",
    "size",
    "max",
    "min",
    "empty?",
    "member?",
    "to_integer",
    "to_float",
    "each",
    "find_index",
    "frequencies",
    "product",
    "valid?",
    "equivalent?",
];

/// `Enum`/`Stream` functions whose result is made of what their callback returns.
pub(super) const MAPPING: &[&str] = &[
    "map",
    "map_join",
    "flat_map",
    "reduce",
    "reduce_while",
    "map_reduce",
    "scan",
    "map_every",
    "zip_with",
    "flat_map_reduce",
    "transform",
    "into",
    "new",
    "async_stream",
];

/// Local (imported) functions through which data flows.
pub(super) const PROPAGATING_LOCALS: &[&str] = &[
    "to_string",
    "inspect",
    "elem",
    "hd",
    "tl",
    "get_in",
    "put_in",
    "update_in",
    "to_charlist",
    "then",
    "tap",
];

/// Walks one function clause.
pub struct Walker<'s, 't> {
    pub(super) src: &'t str,
    pub(super) summaries: &'s Summaries<'t>,
    pub(super) function: &'s str,
    pub(super) public: bool,
    pub(super) html_response: bool,
    pub(super) hits: Vec<SinkHit<'t>>,
    pub(super) depth: usize,
}

impl<'s, 't> Walker<'s, 't> {
    /// A walker for a clause of `function` (`name/arity`) whose body is `body`.
    pub fn new(
        src: &'t str,
        summaries: &'s Summaries<'t>,
        function: &'s str,
        public: bool,
        body: Node<'t>,
    ) -> Self {
        Walker {
            src,
            summaries,
            function,
            public,
            html_response: sets_html_content_type(body, src),
            hits: Vec::new(),
            depth: 0,
        }
    }

    /// The sinks reached.
    pub fn into_hits(self) -> Vec<SinkHit<'t>> {
        self.hits
    }

    /// Evaluates `body` (a `do_block` or an expression) in `env`; returns its value's taint.
    pub fn eval_in(&mut self, body: Node<'t>, mut env: Env) -> Taint {
        self.eval(body, &mut env)
    }

    pub(super) fn text(&self, node: Node<'_>) -> &'t str {
        text(node, self.src)
    }

    /// The taint of an expression's value; records sinks on the way.
    pub fn eval(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        if self.depth >= MAX_DEPTH {
            return Taint::clean();
        }
        self.depth += 1;
        let result = self.eval_node(node, env);
        self.depth -= 1;
        result
    }

    pub(super) fn eval_node(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        match node.kind() {
            "identifier" => env.get(self.text(node)).cloned().unwrap_or_default(),
            "integer"
            | "float"
            | "atom"
            | "boolean"
            | "nil"
            | "alias"
            | "char"
            | "keyword"
            | "comment"
            | "operator_identifier" => Taint::clean(),
            "string" | "charlist" | "sigil" => self.eval_interpolated(node, env),
            "quoted_atom" => {
                let taint = self.eval_interpolated(node, env);
                if !taint.is_clean() {
                    self.hit(
                        SinkKind::Atom,
                        node,
                        node,
                        ":\"…\" (atom interpolation)",
                        taint,
                    );
                }
                Taint::clean()
            }
            "binary_operator" => self.eval_binary(node, env),
            "unary_operator" => self.eval_unary(node, env),
            "access_call" => {
                let target = node.field("target");
                let taint = target.map(|t| self.eval(t, env)).unwrap_or_default();
                if let Some(key) = node.field("key") {
                    self.eval(key, env);
                    return refine_source(taint, self.text(key));
                }
                taint
            }
            "call" => self.eval_call(node, None, env),
            "anonymous_function" => {
                self.eval_fn(node, &[], env);
                Taint::clean()
            }
            "do_block" | "body" | "block" | "source" => self.eval_block(node, env),
            "pair" => match node.field("value") {
                Some(v) => self.eval(v, env),
                None => Taint::clean(),
            },
            _ => self.eval_children(node, env),
        }
    }

    pub(super) fn eval_children(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        let mut taint = Taint::clean();
        for child in children {
            taint.merge(self.eval(child, env));
        }
        taint
    }

    /// Strings, charlists and sigils: the union of their interpolations, marked as built into
    /// a string, with the literal text before each one deciding its position.
    pub(super) fn eval_interpolated(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        if node.kind() == "sigil" {
            let name = node
                .named_children(&mut node.walk())
                .find(|c| c.kind() == "sigil_name")
                .map(|n| self.text(n))
                .unwrap_or("");
            // Uppercase sigils do not interpolate.
            if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                return Taint::clean();
            }
        }
        let mut before = String::new();
        let mut taint = Taint::clean();
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "quoted_content" | "escape_sequence" => before.push_str(self.text(child)),
                "interpolation" => {
                    let inner = self.eval_children(child, env);
                    before.push(if inner.is_clean() {
                        CLEAN_PART
                    } else {
                        TAINTED_PART
                    });
                    let marker = before.pop();
                    taint.merge(mark_built(inner, &before));
                    before.extend(marker);
                }
                _ => {}
            }
        }
        taint
    }

    pub(super) fn eval_binary(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        let op = elixir::operator(node, self.src);
        let left = node.field("left");
        let right = node.field("right");
        let (Some(left), Some(right)) = (left, right) else {
            return self.eval_children(node, env);
        };
        match op {
            "=" => {
                let value = self.eval(right, env);
                self.bind(left, value.clone(), env, true);
                value
            }
            "|>" => {
                let piped = self.eval(left, env);
                if right.kind() == "call" {
                    self.eval_call(right, Some((left, piped)), env)
                } else {
                    self.eval(right, env);
                    Taint::clean()
                }
            }
            "<>" => {
                let l = self.eval(left, env);
                let r = self.eval(right, env);
                let prefix =
                    if left.kind() == "string" || elixir::is_binary_op(left, self.src, "<>") {
                        literal_text(left, self.src)
                    } else if l.is_clean() {
                        CLEAN_PART.to_string()
                    } else {
                        TAINTED_PART.to_string()
                    };
                mark_built(l, "").union(mark_built(r, &prefix))
            }
            "++" | "--" | "|" | "||" | "&&" | "//" => {
                let l = self.eval(left, env);
                l.union(self.eval(right, env))
            }
            "when" | "::" | "\\\\" => self.eval(left, env),
            _ => {
                // Comparisons, arithmetic, `in`, boolean operators: the result is a number or a
                // boolean, never attacker-chosen text.
                self.eval(left, env);
                self.eval(right, env);
                Taint::clean()
            }
        }
    }

    pub(super) fn eval_unary(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        let Some(operand) = node.field("operand") else {
            return Taint::clean();
        };
        match elixir::operator(node, self.src) {
            "@" => Taint::clean(),
            "^" => self.eval(operand, env),
            "&" if operand.kind() == "integer" => env
                .get(&format!("&{}", self.text(operand)))
                .cloned()
                .unwrap_or_default(),
            _ => {
                self.eval(operand, env);
                Taint::clean()
            }
        }
    }
}
