//! The walk over one function body: evaluates each expression to the [`Taint`] it carries,
//! binds patterns, and records the sinks that tainted values reach.

use std::collections::HashMap;

use tree_sitter::Node;

use super::sinks::{self, Sink, SinkKind};
use super::sources;
use super::{Root, SinkHit, Summaries, Taint};
use crate::syntax::elixir;
use crate::syntax::text;

/// Variables in scope and what they carry.
pub type Env = HashMap<String, Taint>;

/// Deeper expressions are not followed (their value counts as clean): no stack overflow on
/// machine-generated code.
const MAX_DEPTH: usize = 256;

/// Modules whose functions return (parts of) their arguments: data flows through them.
const PROPAGATING_MODULES: &[&str] = &[
    "Map", "Keyword", "Enum", "Stream", "String", "List", "Tuple", "Access", "Base", "URI", "Path",
    "Jason", "Poison", "Kernel", "MapSet",
];

/// Functions of those modules whose results carry no attacker-chosen text.
const CLEAN_RESULTS: &[&str] = &[
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
const MAPPING: &[&str] = &[
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
const PROPAGATING_LOCALS: &[&str] = &[
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
    src: &'t str,
    summaries: &'s Summaries<'t>,
    function: &'s str,
    public: bool,
    html_response: bool,
    hits: Vec<SinkHit<'t>>,
    depth: usize,
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

    /// Binds a parameter pattern (no `via` step: the parameter is the source itself).
    pub fn bind_param(&mut self, pattern: Node<'t>, taint: Taint, env: &mut Env) {
        self.bind(pattern, taint, env, false);
    }

    /// Evaluates `body` (a `do_block` or an expression) in `env`; returns its value's taint.
    pub fn eval_in(&mut self, body: Node<'t>, mut env: Env) -> Taint {
        self.eval(body, &mut env)
    }

    /// Marks the variables a guard or condition proves constant as clean in `env`.
    pub fn refine(&self, condition: Node<'t>, env: &mut Env) {
        for name in proven_constant(condition, self.src) {
            env.insert(name.to_string(), Taint::clean());
        }
    }

    fn text(&self, node: Node<'_>) -> &'t str {
        text(node, self.src)
    }

    /// Binds the variables of `pattern` to `taint` (refined by map keys on the way).
    fn bind(&mut self, pattern: Node<'t>, taint: Taint, env: &mut Env, via: bool) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.bind_pattern(pattern, taint, env, via);
        self.depth -= 1;
    }

    fn bind_pattern(&mut self, pattern: Node<'t>, taint: Taint, env: &mut Env, via: bool) {
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
                        if let Some(p) = pattern.child_by_field_name(side) {
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
                    if let Some(p) = pattern.child_by_field_name(side) {
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

    fn bind_map_content(&mut self, content: Node<'t>, taint: &Taint, env: &mut Env, via: bool) {
        let mut cursor = content.walk();
        let children: Vec<Node<'t>> = content.named_children(&mut cursor).collect();
        for child in children {
            if elixir::is_binary_op(child, self.src, "=>") {
                let (Some(key), Some(value)) = (
                    child.child_by_field_name("left"),
                    child.child_by_field_name("right"),
                ) else {
                    continue;
                };
                let key = self.text(key).to_string();
                self.bind(value, refine_source(taint.clone(), &key), env, via);
            } else if child.kind() == "keywords" {
                self.bind_keywords(child, taint, env, via);
            }
        }
    }

    fn bind_keywords(&mut self, keywords: Node<'t>, taint: &Taint, env: &mut Env, via: bool) {
        let mut cursor = keywords.walk();
        let pairs: Vec<Node<'t>> = keywords.named_children(&mut cursor).collect();
        for pair in pairs {
            let (Some(key), Some(value)) = (
                pair.child_by_field_name("key"),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            let key = format!(":{}", elixir::keyword_key(key, self.src));
            self.bind(value, refine_source(taint.clone(), &key), env, via);
        }
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

    fn eval_node(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
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
                let target = node.child_by_field_name("target");
                let taint = target.map(|t| self.eval(t, env)).unwrap_or_default();
                if let Some(key) = node.child_by_field_name("key") {
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
            "pair" => match node.child_by_field_name("value") {
                Some(v) => self.eval(v, env),
                None => Taint::clean(),
            },
            _ => self.eval_children(node, env),
        }
    }

    fn eval_children(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        let mut taint = Taint::clean();
        for child in children {
            taint.merge(self.eval(child, env));
        }
        taint
    }

    /// A block: statements in order, the last one's value; `else`/`rescue`/`catch`/`after`
    /// sub-blocks evaluated in their own scopes.
    fn eval_block(&mut self, block: Node<'t>, env: &mut Env) -> Taint {
        let mut last = Taint::clean();
        let mut extra = Taint::clean();
        let mut cursor = block.walk();
        let children: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "comment" => {}
                "else_block" | "rescue_block" | "catch_block" | "after_block" => {
                    extra.merge(self.eval_clauses(child, &Taint::clean(), env));
                }
                _ => last = self.eval(child, env),
            }
        }
        last.union(extra)
    }

    /// Evaluates the `stab_clause`s of a block, binding each clause's patterns to `subject`;
    /// the union of their bodies.
    fn eval_clauses(&mut self, block: Node<'t>, subject: &Taint, env: &Env) -> Taint {
        let mut result = Taint::clean();
        let mut cursor = block.walk();
        let clauses: Vec<Node<'t>> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "stab_clause")
            .collect();
        for clause in clauses {
            let mut scope = env.clone();
            if let Some(left) = clause.child_by_field_name("left") {
                let (patterns, guard) = if elixir::is_binary_op(left, self.src, "when") {
                    (
                        left.child_by_field_name("left"),
                        left.child_by_field_name("right"),
                    )
                } else {
                    (Some(left), None)
                };
                if let Some(patterns) = patterns {
                    self.bind(patterns, subject.clone(), &mut scope, true);
                }
                if let Some(guard) = guard {
                    self.refine(guard, &mut scope);
                }
            }
            if let Some(body) = clause.child_by_field_name("right") {
                result.merge(self.eval(body, &mut scope));
            }
        }
        result
    }

    /// `cond do c -> body end`: each condition refines its own body.
    fn eval_cond(&mut self, block: Node<'t>, env: &mut Env) -> Taint {
        let mut result = Taint::clean();
        let mut cursor = block.walk();
        let clauses: Vec<Node<'t>> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "stab_clause")
            .collect();
        for clause in clauses {
            let mut scope = env.clone();
            if let Some(left) = clause.child_by_field_name("left") {
                self.eval(left, &mut scope);
                self.refine(left, &mut scope);
            }
            if let Some(body) = clause.child_by_field_name("right") {
                result.merge(self.eval(body, &mut scope));
            }
        }
        result
    }

    /// An anonymous function whose parameters receive `args` (position by position); the
    /// union of its clauses' results.
    fn eval_fn(&mut self, func: Node<'t>, args: &[Taint], env: &Env) -> Taint {
        let mut result = Taint::clean();
        let mut cursor = func.walk();
        let clauses: Vec<Node<'t>> = func
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "stab_clause")
            .collect();
        for clause in clauses {
            let mut scope = env.clone();
            if let Some(left) = clause.child_by_field_name("left") {
                let (params, guard) = if elixir::is_binary_op(left, self.src, "when") {
                    (
                        left.child_by_field_name("left"),
                        left.child_by_field_name("right"),
                    )
                } else {
                    (Some(left), None)
                };
                if let Some(params) = params {
                    let mut c = params.walk();
                    let list: Vec<Node<'t>> = params.named_children(&mut c).collect();
                    for (i, p) in list.into_iter().enumerate() {
                        let taint = args.get(i).cloned().unwrap_or_default();
                        self.bind(p, taint, &mut scope, true);
                    }
                }
                if let Some(guard) = guard {
                    self.refine(guard, &mut scope);
                }
            }
            if let Some(body) = clause.child_by_field_name("right") {
                result.merge(self.eval(body, &mut scope));
            }
        }
        result
    }

    /// Strings, charlists and sigils: the union of their interpolations, marked as built into
    /// a string, with the literal text before each one deciding its position.
    fn eval_interpolated(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
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

    fn eval_binary(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        let op = elixir::operator(node, self.src);
        let left = node.child_by_field_name("left");
        let right = node.child_by_field_name("right");
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

    fn eval_unary(&mut self, node: Node<'t>, env: &mut Env) -> Taint {
        let Some(operand) = node.child_by_field_name("operand") else {
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

    /// A call; `piped` is the value piped into it (its first argument).
    fn eval_call(
        &mut self,
        call: Node<'t>,
        piped: Option<(Node<'t>, Taint)>,
        env: &mut Env,
    ) -> Taint {
        let src = self.src;
        if let Some(name) = elixir::local_call_name(call, src) {
            match name {
                "if" | "unless" => return self.eval_if(call, name == "unless", env),
                "case" => {
                    let subject = match elixir::call_args(call).first() {
                        Some(s) => self.eval(*s, env),
                        None => piped.map(|(_, t)| t).unwrap_or_default(),
                    };
                    return match elixir::do_block(call) {
                        Some(block) => self.eval_clauses(block, &subject, env),
                        None => Taint::clean(),
                    };
                }
                "cond" => {
                    return match elixir::do_block(call) {
                        Some(block) => self.eval_cond(block, env),
                        None => Taint::clean(),
                    };
                }
                "with" | "for" => return self.eval_with_or_for(call, name == "for", env),
                "try" | "receive" => {
                    return match elixir::do_block(call) {
                        Some(block) => {
                            let mut scope = env.clone();
                            self.eval_block(block, &mut scope)
                        }
                        None => Taint::clean(),
                    };
                }
                "quote" | "def" | "defp" | "defmacro" | "defmodule" => return Taint::clean(),
                _ => {}
            }
        }

        let target = call.child_by_field_name("target");
        // `conn.params`, `user.name`: field access on an expression.
        if let Some(dot) = target.filter(|t| t.kind() == "dot")
            && !elixir::has_arguments(call)
            && let (Some(receiver), Some(field)) = (
                dot.child_by_field_name("left"),
                dot.child_by_field_name("right"),
            )
            && !matches!(receiver.kind(), "alias" | "atom")
        {
            let field = self.text(field);
            if sources::is_conn_source(receiver, field, src) {
                if receiver.kind() == "call" {
                    self.eval(receiver, env);
                }
                return Taint::from_root(Root::Request {
                    source: self.text(call).to_string(),
                    at: call.start_byte(),
                });
            }
            let taint = self.eval(receiver, env);
            return refine_source(taint, &format!(".{field}"));
        }

        // `__MODULE__.__schema__(:fields)`, `User.__schema__(:fields)`.
        if let Some(dot) = target.filter(|t| t.kind() == "dot")
            && dot
                .child_by_field_name("right")
                .is_some_and(|r| self.text(r) == "__schema__")
            && is_schema_fields(call, "__schema__", src)
        {
            return Taint::from_root(Root::AllFields {
                source: self.text(call).to_string(),
            });
        }

        let remote = elixir::remote_call(call, src);
        let local = elixir::local_call_name(call, src);
        let arg_nodes = elixir::call_args(call);
        let offset = usize::from(piped.is_some());
        let arity = arg_nodes.len() + offset;
        // Functions given a callback pass it the elements of their first argument
        // (`Enum.map/2`, `Map.new/2`, `Task.async_stream/3`, `then/2`).
        let is_enum = matches!(remote, Some((m, _)) if m == "Task" || PROPAGATING_MODULES.contains(&m))
            || matches!(local, Some("then" | "tap"));

        // Evaluate the arguments in order; functions passed to `Enum`/`Stream` receive the
        // elements of the first argument.
        let mut nodes: Vec<Node<'t>> = Vec::with_capacity(arity);
        let mut taints: Vec<Taint> = Vec::with_capacity(arity);
        if let Some((node, taint)) = piped {
            nodes.push(node);
            taints.push(taint);
        }
        let mut callback_results = Taint::clean();
        for arg in &arg_nodes {
            let taint = if is_enum && !taints.is_empty() {
                self.eval_callback(*arg, &taints, &mut callback_results, env)
            } else {
                self.eval(*arg, env)
            };
            nodes.push(*arg);
            taints.push(taint);
        }
        if let Some(block) = elixir::do_block(call) {
            let mut scope = env.clone();
            self.eval_block(block, &mut scope);
        }

        // Sinks.
        let sinks = match (remote, local) {
            (Some((module, name)), _) => sinks::remote_sinks(module, name, arity),
            (None, Some(name)) => sinks::local_sinks(name, arity),
            _ => Vec::new(),
        };
        let callee = match (remote, local) {
            (Some((module, name)), _) => format!("{module}.{name}/{arity}"),
            (None, Some(name)) => format!("{name}/{arity}"),
            _ => String::new(),
        };
        for sink in sinks {
            self.check_sink(sink, call, &callee, &nodes, &taints, env);
        }
        if let (None, Some(name)) = (remote, local) {
            self.apply_summary(call, name, arity, &nodes, &taints);
        }

        // The result.
        let all = || {
            let mut t = Taint::clean();
            for a in &taints {
                t.merge(a.clone());
            }
            t
        };
        match (remote, local) {
            (Some((module, name)), _) => {
                if sources::is_source_call(Some(module), name) {
                    return request_root(call, src);
                }
                if is_sanitizer(module, name) || name.ends_with('?') {
                    return Taint::clean();
                }
                if (module, name) == ("Path", "basename") {
                    return all().map(|f| f.basename = true);
                }
                if module == "Path" && name == "join" {
                    // A joined path keeps whether its parts were stripped of directories only
                    // when every tainted part was.
                    let joined = all();
                    let stripped = joined.flows.iter().all(|f| f.basename);
                    return joined.map(|f| f.basename = stripped);
                }
                if is_schema_fields(call, name, src) {
                    return Taint::from_root(Root::AllFields {
                        source: self.text(call).to_string(),
                    });
                }
                let has_callback = arg_nodes.iter().any(|a| {
                    a.kind() == "anonymous_function"
                        || (a.kind() == "unary_operator" && elixir::operator(*a, src) == "&")
                });
                if is_enum && has_callback && MAPPING.contains(&name) {
                    // The elements are replaced by what the callback returns.
                    let mut t = callback_results;
                    for a in taints.iter().skip(1) {
                        t.merge(a.clone());
                    }
                    return t;
                }
                if PROPAGATING_MODULES.contains(&module) && !CLEAN_RESULTS.contains(&name) {
                    return all().union(callback_results);
                }
                Taint::clean()
            }
            (None, Some(name)) => {
                if sources::is_source_call(None, name) {
                    return request_root(call, src);
                }
                if name == "__schema__" && is_schema_fields(call, name, src) {
                    return Taint::from_root(Root::AllFields {
                        source: self.text(call).to_string(),
                    });
                }
                if PROPAGATING_LOCALS.contains(&name) {
                    return all().union(callback_results);
                }
                match self.summaries.get(&(name, arity)) {
                    Some(summary) => {
                        let mut t = Taint::clean();
                        for i in &summary.returns {
                            if let Some(a) = taints.get(*i) {
                                t.merge(a.clone());
                            }
                        }
                        t
                    }
                    None => Taint::clean(),
                }
            }
            _ => Taint::clean(),
        }
    }

    /// An argument of an `Enum`/`Stream` call after the first: an anonymous function or a
    /// capture receives the elements of the first argument.
    fn eval_callback(
        &mut self,
        arg: Node<'t>,
        taints: &[Taint],
        results: &mut Taint,
        env: &mut Env,
    ) -> Taint {
        let elements = taints[0].clone();
        let acc = taints.get(1).cloned().unwrap_or_default();
        match arg.kind() {
            "anonymous_function" => {
                let r = self.eval_fn(arg, &[elements, acc], env);
                results.merge(r);
                Taint::clean()
            }
            "unary_operator" if elixir::operator(arg, self.src) == "&" => {
                let Some(operand) = arg.child_by_field_name("operand") else {
                    return Taint::clean();
                };
                // `&String.to_atom/1`: the captured function receives each element.
                if elixir::is_binary_op(operand, self.src, "/") {
                    if let Some(fun) = operand.child_by_field_name("left")
                        && let Some((module, name)) = elixir::remote_call(fun, self.src)
                        && !elements.is_clean()
                    {
                        let arity = operand
                            .child_by_field_name("right")
                            .and_then(|a| self.text(a).parse().ok())
                            .unwrap_or(1);
                        let callee = format!("{module}.{name}/{arity}");
                        for sink in sinks::remote_sinks(module, name, arity) {
                            if sink.arg == 0 {
                                self.hit(sink.kind, arg, arg, &callee, elements.clone());
                            }
                        }
                        if PROPAGATING_MODULES.contains(&module)
                            && !CLEAN_RESULTS.contains(&name)
                            && !is_sanitizer(module, name)
                        {
                            results.merge(elements);
                        }
                    }
                    return Taint::clean();
                }
                // `&String.to_atom(&1)`: `&1` is each element.
                let mut scope = env.clone();
                scope.insert("&1".to_string(), elements);
                scope.insert("&2".to_string(), acc);
                let r = self.eval(operand, &mut scope);
                results.merge(r);
                Taint::clean()
            }
            _ => self.eval(arg, env),
        }
    }

    fn eval_if(&mut self, call: Node<'t>, negated: bool, env: &mut Env) -> Taint {
        let args = elixir::call_args(call);
        let Some(condition) = args.first().copied() else {
            return Taint::clean();
        };
        self.eval(condition, env);
        let (mut then_branch, mut else_branch) = (None, None);
        if let Some(keywords) = args.get(1).filter(|k| k.kind() == "keywords") {
            then_branch = elixir::keyword_value(*keywords, self.src, "do");
            else_branch = elixir::keyword_value(*keywords, self.src, "else");
        }
        let block = elixir::do_block(call);
        let mut else_block = None;
        if let Some(block) = block {
            let mut cursor = block.walk();
            else_block = block
                .named_children(&mut cursor)
                .find(|c| c.kind() == "else_block");
        }
        let mut refined = env.clone();
        self.refine(condition, &mut refined);
        let (mut then_env, mut else_env) = if negated {
            (env.clone(), refined)
        } else {
            (refined, env.clone())
        };
        let mut result = Taint::clean();
        if let Some(block) = block {
            // The `do` block without its `else`.
            let mut cursor = block.walk();
            let statements: Vec<Node<'t>> = block
                .named_children(&mut cursor)
                .filter(|c| !matches!(c.kind(), "else_block" | "comment"))
                .collect();
            let mut last = Taint::clean();
            for s in statements {
                last = self.eval(s, &mut then_env);
            }
            result.merge(last);
        } else if let Some(then_branch) = then_branch {
            result.merge(self.eval(then_branch, &mut then_env));
        }
        if let Some(else_block) = else_block {
            result.merge(self.eval_block(else_block, &mut else_env));
        } else if let Some(else_branch) = else_branch {
            result.merge(self.eval(else_branch, &mut else_env));
        }
        result
    }

    /// `with`/`for`: clauses `pattern <- expr` and `pattern = expr` bind in a scope of their
    /// own; the body (a `do` block or `do:`) is evaluated there.
    fn eval_with_or_for(&mut self, call: Node<'t>, is_for: bool, env: &mut Env) -> Taint {
        let mut scope = env.clone();
        let mut result = Taint::clean();
        for arg in elixir::call_args(call) {
            if elixir::is_binary_op(arg, self.src, "<-") {
                let (Some(pattern), Some(value)) = (
                    arg.child_by_field_name("left"),
                    arg.child_by_field_name("right"),
                ) else {
                    continue;
                };
                let taint = self.eval(value, &mut scope);
                let (pattern, guard) = if elixir::is_binary_op(pattern, self.src, "when") {
                    (
                        pattern.child_by_field_name("left").unwrap_or(pattern),
                        pattern.child_by_field_name("right"),
                    )
                } else {
                    (pattern, None)
                };
                self.bind(pattern, taint, &mut scope, true);
                if let Some(guard) = guard {
                    self.refine(guard, &mut scope);
                }
            } else if arg.kind() == "keywords" {
                if let Some(body) = elixir::keyword_value(arg, self.src, "do") {
                    result.merge(self.eval(body, &mut scope));
                }
                if let Some(into) = elixir::keyword_value(arg, self.src, "into") {
                    self.eval(into, &mut scope);
                }
                if let Some(else_) = elixir::keyword_value(arg, self.src, "else") {
                    self.eval(else_, &mut env.clone());
                }
            } else {
                // `pattern = expr` in `with`, or a filter in `for`.
                let t = self.eval(arg, &mut scope);
                if is_for {
                    self.refine(arg, &mut scope);
                }
                drop(t);
            }
        }
        if let Some(block) = elixir::do_block(call) {
            let mut cursor = block.walk();
            let children: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
            let mut last = Taint::clean();
            for child in children {
                match child.kind() {
                    "comment" => {}
                    "else_block" => {
                        result.merge(self.eval_clauses(child, &Taint::clean(), env));
                    }
                    _ => last = self.eval(child, &mut scope),
                }
            }
            result.merge(last);
        }
        result
    }

    /// Records the sink `sink` of `call` when its argument carries flows (always, for sinks
    /// whose rules also look at clean arguments).
    fn check_sink(
        &mut self,
        sink: Sink,
        call: Node<'t>,
        callee: &str,
        nodes: &[Node<'t>],
        taints: &[Taint],
        env: &mut Env,
    ) {
        let (Some(node), Some(taint)) = (nodes.get(sink.arg), taints.get(sink.arg)) else {
            return;
        };
        let (node, taint) = match sink.kind {
            // `redirect(conn, external: url)`: only the `external:` value.
            SinkKind::Redirect => {
                let Some(value) = elixir::keyword_value(*node, self.src, "external") else {
                    return;
                };
                let mut scope = env.clone();
                (value, self.eval(value, &mut scope))
            }
            // `send_download(conn, {:file, path})`: only a file path.
            SinkKind::FilePath if node.kind() == "tuple" => {
                let parts: Vec<Node<'t>> = node.named_children(&mut node.walk()).collect();
                if parts.len() != 2 || self.text(parts[0]) != ":file" {
                    return;
                }
                let mut scope = env.clone();
                (parts[1], self.eval(parts[1], &mut scope))
            }
            _ => (*node, taint.clone()),
        };
        let always = matches!(
            sink.kind,
            SinkKind::Raw | SinkKind::CastParams | SinkKind::CastPermitted
        );
        if taint.is_clean() && !always {
            return;
        }
        self.hit(sink.kind, call, node, callee, taint);
    }

    /// A call of a private function of the same module whose parameters reach sinks.
    fn apply_summary(
        &mut self,
        call: Node<'t>,
        name: &str,
        arity: usize,
        nodes: &[Node<'t>],
        taints: &[Taint],
    ) {
        let Some(summary) = self.summaries.get(&(name, arity)) else {
            return;
        };
        for (index, inner) in &summary.sinks {
            let (Some(node), Some(taint)) = (nodes.get(*index), taints.get(*index)) else {
                continue;
            };
            if taint.is_clean() {
                continue;
            }
            let Some(inner_flow) = inner.taint.flows.first() else {
                continue;
            };
            let taint = taint.clone().map(|f| {
                f.built |= inner_flow.built;
                f.quoted |= inner_flow.quoted;
                f.basename |= inner_flow.basename;
                f.after_origin |= inner_flow.after_origin;
                f.via.extend(inner_flow.via.iter().cloned());
            });
            self.hits.push(SinkHit {
                kind: inner.kind,
                call,
                arg: *node,
                callee: inner.callee.clone(),
                taint,
                through: Some((format!("{name}/{arity}"), inner.call.start_byte())),
                function: self.function.to_string(),
                public: self.public,
                html_response: self.html_response || inner.html_response,
            });
        }
    }

    fn hit(&mut self, kind: SinkKind, call: Node<'t>, arg: Node<'t>, callee: &str, taint: Taint) {
        self.hits.push(SinkHit {
            kind,
            call,
            arg,
            callee: callee.to_string(),
            taint,
            through: None,
            function: self.function.to_string(),
            public: self.public,
            html_response: self.html_response,
        });
    }
}

/// A request source read by `call` (`get_req_header(conn, "referer")`).
fn request_root(call: Node<'_>, src: &str) -> Taint {
    Taint::from_root(Root::Request {
        source: text(call, src).to_string(),
        at: call.start_byte(),
    })
}

/// Functions whose result carries no attacker-chosen text: parsers to numbers, UUIDs and
/// dates, and escapers.
fn is_sanitizer(module: &str, name: &str) -> bool {
    matches!(
        (module, name),
        ("String", "to_integer" | "to_float" | "length")
            | ("Integer", _)
            | ("Float", _)
            | (
                "Ecto.UUID",
                "cast" | "cast!" | "dump" | "dump!" | "generate"
            )
            | ("Date" | "DateTime" | "NaiveDateTime" | "Time", _)
            | ("Phoenix.HTML", "html_escape" | "javascript_escape")
            | ("Plug.HTML", "html_escape" | "html_escape_to_iodata")
            | ("HtmlSanitizeEx", _)
            | ("URI", "encode_www_form" | "encode_query")
            | ("Path", "safe_relative" | "safe_relative_to")
    )
}

/// `X.__schema__(:fields)` or `__schema__(:fields)`: every field of a schema.
fn is_schema_fields(call: Node<'_>, name: &str, src: &str) -> bool {
    name == "__schema__"
        && elixir::call_args(call)
            .first()
            .is_some_and(|a| text(*a, src) == ":fields")
}

/// Stands for a clean interpolated or concatenated expression in literal text.
const CLEAN_PART: char = '\u{1}';
/// Stands for a tainted one.
const TAINTED_PART: char = '\u{2}';

/// Marks flows as built into a string after the literal text `before`.
fn mark_built(taint: Taint, before: &str) -> Taint {
    let value = is_sql_quoted(before);
    let after_origin = after_url_origin(before);
    taint.map(|f| {
        f.built = true;
        f.quoted |= value;
        f.after_origin |= after_origin;
    })
}

/// Whether text ending with `before` leaves an interpolation inside a quoted SQL string
/// literal (an odd number of `'` so far). A number can sit after `=` unquoted without harm;
/// text inside quotes breaks out with one `'`.
fn is_sql_quoted(before: &str) -> bool {
    before.matches('\'').count() % 2 == 1
}

/// Whether text ending with `before` already fixes a URL's origin (`https://host/`, or a clean
/// expression such as `Endpoint.url()` first): what follows cannot send the browser elsewhere.
fn after_url_origin(before: &str) -> bool {
    if before.starts_with(CLEAN_PART) {
        return true;
    }
    match before.find("://") {
        Some(i) => before[i + 3..].contains('/'),
        None => before.starts_with('/') && !before.starts_with("//"),
    }
}

/// The literal text at the end of an expression: a string's text, or for `a <> b` that of
/// `b` after `a`'s.
fn literal_text(node: Node<'_>, src: &str) -> String {
    literal_text_at(node, src, 0)
}

fn literal_text_at(node: Node<'_>, src: &str, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return TAINTED_PART.to_string();
    }
    match node.kind() {
        "string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "quoted_content" | "escape_sequence" => out.push_str(text(child, src)),
                    _ => out.push(TAINTED_PART),
                }
            }
            out
        }
        "binary_operator" if elixir::operator(node, src) == "<>" => {
            let left = node
                .child_by_field_name("left")
                .map(|n| literal_text_at(n, src, depth + 1))
                .unwrap_or_default();
            let right = node
                .child_by_field_name("right")
                .map(|n| literal_text_at(n, src, depth + 1))
                .unwrap_or_default();
            left + &right
        }
        _ => TAINTED_PART.to_string(),
    }
}

/// Refines request sources read straight from a parameter by an access: `params` with key
/// `"id"` becomes `params["id"]`.
fn refine_source(taint: Taint, key: &str) -> Taint {
    taint.map(|f| {
        f.field = true;
        if f.via.is_empty()
            && let Root::Request { source, .. } = &mut f.root
            && source.len() < 80
        {
            if let Some(field) = key.strip_prefix('.') {
                source.push('.');
                source.push_str(field);
            } else {
                source.push('[');
                source.push_str(key);
                source.push(']');
            }
        }
    })
}

/// The variables a condition or guard proves to hold a constant or a number: `x in ["a", "b"]`,
/// `x in @allowed`, `x in ~w(a b)a`, `x == "a"`, `Enum.member?(@allowed, x)`, `is_integer(x)`,
/// and conjunctions of those.
fn proven_constant<'a>(condition: Node<'_>, src: &'a str) -> Vec<&'a str> {
    let mut out = Vec::new();
    collect_proven(condition, src, &mut out, 0);
    out
}

fn collect_proven<'a>(node: Node<'_>, src: &'a str, out: &mut Vec<&'a str>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let var = |n: Option<Node<'_>>| n.filter(|n| n.kind() == "identifier").map(|n| text(n, src));
    match node.kind() {
        "binary_operator" => {
            let (left, right) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            );
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
            if elixir::remote_call(node, src) == Some(("Enum", "member?"))
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

/// A literal with no interpolation: strings, atoms, numbers, module attributes, `~w` sigils,
/// lists and tuples of those.
pub fn is_constant(node: Node<'_>, src: &str) -> bool {
    is_constant_at(node, src, 0)
}

fn is_constant_at(node: Node<'_>, src: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let constant = |n: Node<'_>| is_constant_at(n, src, depth + 1);
    match node.kind() {
        "integer" | "float" | "atom" | "boolean" | "nil" | "char" | "alias" => true,
        "string" | "charlist" | "sigil" => !node
            .named_children(&mut node.walk())
            .any(|c| c.kind() == "interpolation"),
        "unary_operator" => elixir::operator(node, src) == "@",
        "list" | "tuple" | "keywords" | "pair" | "map" | "map_content" => node
            .named_children(&mut node.walk())
            .all(|c| c.kind() == "keyword" || constant(c)),
        "binary_operator" => {
            matches!(elixir::operator(node, src), "<>" | "++" | "..")
                && node.child_by_field_name("left").is_some_and(constant)
                && node.child_by_field_name("right").is_some_and(constant)
        }
        _ => false,
    }
}

/// The variables a pattern binds.
fn pattern_vars<'a>(pattern: Node<'_>, src: &'a str, out: &mut Vec<&'a str>) {
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

/// Whether a function body sets an HTML content type (`put_resp_content_type("text/html")`).
fn sets_html_content_type(body: Node<'_>, src: &str) -> bool {
    let mut found = false;
    elixir::walk(body, &mut |n| {
        if n.kind() == "call"
            && matches!(
                elixir::local_call_name(n, src)
                    .or_else(|| elixir::remote_call(n, src).map(|(_, f)| f)),
                Some("put_resp_content_type")
            )
            && text(n, src).contains("html")
        {
            found = true;
        }
        !found
    });
    found
}
