//! Inferring a function's spec from its clauses.
//!
//! Arguments: each clause's pattern for that position (structs, maps, lists, tuples, literals,
//! binaries), refined by the clause's guards (`is_binary(x)` → `String.t()`, `x in [:a, :b]`,
//! `is_integer(n) and n > 0` → `pos_integer()`) and by default values; unioned across clauses.
//! Return: what each clause's body obviously evaluates to (literals, tuples, structs, branches
//! of `if`/`case`/`cond`/`with … else`, calls to functions of the same module, a few standard
//! library functions with documented return types); `term()` whenever unsure.

use crate::syntax::Fields as _;
use std::collections::{HashMap, HashSet};

use crate::syntax::Node;

use super::ty::{Ty, union_all};
use crate::syntax::elixir::{self, FunctionDef};
use crate::syntax::module_model::{Function, ModuleModel};
use crate::syntax::text;

/// An inferred spec for one arity of a function.
#[derive(Clone, Debug, PartialEq)]
pub struct InferredSpec {
    /// The function's name.
    pub name: String,
    /// Per argument: a name worth showing (for `term()` arguments) and the type.
    pub args: Vec<(Option<String>, Ty)>,
    /// The return type.
    pub ret: Ty,
}

impl InferredSpec {
    /// Argument texts as they go in the spec (`user :: term()` or `String.t()`).
    pub fn arg_texts(&self) -> Vec<String> {
        self.args
            .iter()
            .map(|(name, ty)| match name {
                Some(n) if ty.is_term() => format!("{n} :: term()"),
                _ => ty.render(),
            })
            .collect()
    }

    /// The same spec naming `Mod.t()` only where `has_t(Mod)` says the type exists, `%Mod{}`
    /// elsewhere: a stub must compile.
    pub fn check_structs(self, has_t: &dyn Fn(&str) -> bool) -> Self {
        InferredSpec {
            name: self.name,
            args: self
                .args
                .into_iter()
                .map(|(n, t)| (n, t.check_structs(has_t)))
                .collect(),
            ret: self.ret.check_structs(has_t),
        }
    }

    /// The return type's alternatives, rendered.
    pub fn ret_alternatives(&self) -> Vec<String> {
        self.ret.alternatives().iter().map(Ty::render).collect()
    }
}

/// What inference needs to know about the module.
struct Scope<'a, 't> {
    src: &'t str,
    module: &'a ModuleModel<'t>,
    /// Whether the module defines `@type t` (so `%__MODULE__{}` can be `t()`).
    has_type_t: bool,
    /// Functions being inferred (to stop on recursion).
    visiting: std::cell::RefCell<HashSet<(String, usize)>>,
    /// Every function whose inference was entered, in order (read by [`callee_view`]).
    entered: std::cell::RefCell<Vec<(String, usize)>>,
}

impl<'a, 't> Scope<'a, 't> {
    /// A fresh inference scope over `module`.
    fn new(src: &'t str, module: &'a ModuleModel<'t>) -> Self {
        let has_type_t = module.attributes.iter().any(|a| {
            matches!(a.name, "type" | "opaque")
                && a.value.is_some_and(|v| type_name(v, src) == Some("t"))
        });
        Scope {
            src,
            module,
            has_type_t,
            visiting: Default::default(),
            entered: Default::default(),
        }
    }
}

/// Infers the spec of `function` at `arity` (which default arguments may make lower than its
/// number of parameters).
pub fn infer_function_spec(
    function: &Function<'_>,
    arity: usize,
    module: &ModuleModel<'_>,
    src: &str,
) -> InferredSpec {
    let scope = Scope::new(src, module);
    if function.kind.is_macro() {
        return InferredSpec {
            name: function.name.to_string(),
            args: vec![(None, Ty::Macro); arity],
            ret: Ty::Macro,
        };
    }
    let args = infer_args(function, arity, &scope);
    scope
        .visiting
        .borrow_mut()
        .insert((function.name.to_string(), arity));
    let ret = infer_return(function, &scope, 0);
    InferredSpec {
        name: function.name.to_string(),
        args,
        ret,
    }
}

/// The name of `@type name :: …`.
fn type_name<'a>(value: Node<'_>, src: &'a str) -> Option<&'a str> {
    let left = if elixir::is_binary_op(value, src, "::") {
        value.field("left")?
    } else {
        value
    };
    match left.kind() {
        "identifier" => Some(text(left, src)),
        "call" => elixir::local_call_name(left, src),
        _ => None,
    }
}

/// Clauses whose patterns say something: bodiless heads (`def f(a, b \\ 1)`) only declare
/// defaults, so they count only when nothing else does.
fn typed_clauses<'a, 't>(function: &'a Function<'t>) -> Vec<&'a FunctionDef<'t>> {
    let with_body: Vec<&FunctionDef> = function
        .clauses
        .iter()
        .filter(|c| c.body.is_some())
        .collect();
    if with_body.is_empty() {
        function.clauses.iter().collect()
    } else {
        with_body
    }
}

/// For arity `arity`, the indexes of the parameters it binds: required ones plus the first
/// defaulted ones, in order (how Elixir fills default arguments).
fn param_indexes(params: &[Node<'_>], arity: usize, src: &str) -> Vec<usize> {
    let is_default = |p: &Node| elixir::is_binary_op(*p, src, "\\\\");
    let required = params.iter().filter(|p| !is_default(p)).count();
    let mut defaults_left = arity.saturating_sub(required);
    let mut out = Vec::new();
    for (i, p) in params.iter().enumerate() {
        if !is_default(p) {
            out.push(i);
        } else if defaults_left > 0 {
            out.push(i);
            defaults_left -= 1;
        }
    }
    out
}

fn infer_args(
    function: &Function<'_>,
    arity: usize,
    scope: &Scope<'_, '_>,
) -> Vec<(Option<String>, Ty)> {
    let src = scope.src;
    // Defaults are declared once, in the head or the first clause.
    let defaults: HashMap<usize, Node> = function
        .clauses
        .iter()
        .flat_map(|c| c.params.iter().enumerate())
        .filter(|(_, p)| elixir::is_binary_op(**p, src, "\\\\"))
        .filter_map(|(i, p)| Some((i, p.field("right")?)))
        .collect();
    let clauses = typed_clauses(function);
    let first = function.first();
    let indexes = param_indexes(&first.params, arity, src);
    let mut out = Vec::new();
    for &i in &indexes {
        let mut types = Vec::new();
        let mut names: Vec<Option<String>> = Vec::new();
        for clause in &clauses {
            let Some(param) = clause.params.get(i) else {
                continue;
            };
            let facts = clause
                .guard
                .map(|g| guard_facts(g, src))
                .unwrap_or_default();
            let (mut ty, name) = pattern(*param, &facts, scope);
            if let (true, Some(default)) = (ty.is_term(), defaults.get(&i)) {
                ty = default_type(*default, name.as_deref(), scope);
            }
            types.push(ty);
            names.push(name);
        }
        let name = names
            .first()
            .cloned()
            .flatten()
            .filter(|n| names.iter().all(|m| m.as_deref() == Some(n)));
        out.push((name, union_all(types)));
    }
    out
}

/// The type a default value suggests for its parameter.
fn default_type(default: Node<'_>, name: Option<&str>, scope: &Scope<'_, '_>) -> Ty {
    match default.kind() {
        "list" if elixir::block_statements(default).is_empty() => {
            if name.is_some_and(|n| n.ends_with("opts") || n.ends_with("options")) {
                Ty::Keyword
            } else {
                Ty::List
            }
        }
        "nil" => Ty::Term,
        "atom" => Ty::AnyAtom,
        // `dry_run? \\ false`: callers pass `true` too.
        "boolean" => Ty::Boolean,
        _ => literal_type(default, scope).unwrap_or(Ty::Term),
    }
}

/// Facts a guard establishes about variables.
type Facts = HashMap<String, Ty>;

fn guard_facts(guard: Node<'_>, src: &str) -> Facts {
    match guard.kind() {
        "binary_operator" => {
            let op = elixir::operator(guard, src);
            let (Some(l), Some(r)) = (guard.field("left"), guard.field("right")) else {
                return Facts::new();
            };
            match op {
                "and" | "&&" => {
                    let mut facts = guard_facts(l, src);
                    for (var, ty) in guard_facts(r, src) {
                        let merged = match facts.remove(&var) {
                            Some(old) => narrower(old, ty),
                            None => ty,
                        };
                        facts.insert(var, merged);
                    }
                    refine_comparison(r, src, &mut facts);
                    refine_comparison(l, src, &mut facts);
                    facts
                }
                "or" | "||" | "when" => {
                    let (a, b) = (guard_facts(l, src), guard_facts(r, src));
                    a.into_iter()
                        .filter_map(|(var, ty)| Some((var.clone(), ty.union(b.get(&var)?.clone()))))
                        .collect()
                }
                "in" if l.kind() == "identifier" && r.kind() == "list" => {
                    let items: Option<Vec<Ty>> = elixir::block_statements(r)
                        .into_iter()
                        .map(|n| guard_literal(n, src))
                        .collect();
                    items
                        .map(|tys| Facts::from([(text(l, src).to_string(), union_all(tys))]))
                        .unwrap_or_default()
                }
                _ => Facts::new(),
            }
        }
        "call" => type_check(guard, src)
            .map(|(var, ty)| Facts::from([(var, ty)]))
            .unwrap_or_default(),
        _ => Facts::new(),
    }
}

/// The more specific of two facts about one variable.
fn narrower(a: Ty, b: Ty) -> Ty {
    if a.clone().union(b.clone()) == a {
        b
    } else {
        a
    }
}

/// `n > 0` / `n >= 0` make an integer positive / non-negative.
fn refine_comparison(node: Node<'_>, src: &str, facts: &mut Facts) {
    if node.kind() != "binary_operator" {
        return;
    }
    let (Some(l), Some(r)) = (node.field("left"), node.field("right")) else {
        return;
    };
    if l.kind() != "identifier" || r.kind() != "integer" {
        return;
    }
    let var = text(l, src);
    let Ok(n) = text(r, src).replace('_', "").parse::<i64>() else {
        return;
    };
    if facts.get(var) != Some(&Ty::Integer) {
        return;
    }
    let refined = match (elixir::operator(node, src), n) {
        (">", 0) | (">=", 1) => Ty::PosInteger,
        (">=", 0) | (">", -1) => Ty::NonNegInteger,
        _ => return,
    };
    facts.insert(var.to_string(), refined);
}

/// `is_binary(x)` and friends: `(x, type)`.
fn type_check(call: Node<'_>, src: &str) -> Option<(String, Ty)> {
    let name = elixir::local_call_name(call, src)?;
    let args = elixir::call_args(call);
    let var = args
        .first()
        .filter(|a| a.kind() == "identifier")
        .map(|a| text(*a, src).to_string())?;
    let ty = match (name, args.len()) {
        ("is_binary", 1) => Ty::String,
        ("is_bitstring", 1) => Ty::Bitstring,
        ("is_integer", 1) => Ty::Integer,
        ("is_float", 1) => Ty::Float,
        ("is_number", 1) => Ty::Number,
        ("is_atom", 1) => Ty::AnyAtom,
        ("is_boolean", 1) => Ty::Boolean,
        ("is_list", 1) => Ty::List,
        ("is_map", 1) | ("is_map_key", 2) => Ty::Map,
        ("is_struct", 1) => Ty::AnyStruct,
        ("is_struct", 2) if args[1].kind() == "alias" => Ty::Struct(text(args[1], src).to_string()),
        ("is_function", 1) => Ty::Fun(None),
        ("is_function", 2) => Ty::Fun(text(args[1], src).parse().ok()),
        ("is_pid", 1) => Ty::Pid,
        ("is_reference", 1) => Ty::Reference,
        ("is_port", 1) => Ty::Port,
        ("is_tuple", 1) => Ty::AnyTuple,
        ("is_nil", 1) => Ty::Atom("nil".into()),
        ("is_exception", 1) => Ty::Raw("Exception.t()".into()),
        _ => return None,
    };
    Some((var, ty))
}

/// Literal values allowed in `x in [...]` guards.
fn guard_literal(node: Node<'_>, src: &str) -> Option<Ty> {
    match node.kind() {
        "atom" => Some(Ty::Atom(
            text(node, src).trim_start_matches(':').to_string(),
        )),
        "boolean" | "nil" => Some(Ty::Atom(text(node, src).to_string())),
        "integer" => Some(Ty::Integer),
        "float" => Some(Ty::Float),
        "string" => Some(Ty::String),
        _ => None,
    }
}

/// The type of a parameter pattern, and the variable it binds as a whole.
fn pattern(node: Node<'_>, facts: &Facts, scope: &Scope<'_, '_>) -> (Ty, Option<String>) {
    let src = scope.src;
    match node.kind() {
        "identifier" => {
            let name = text(node, src);
            let ty = facts.get(name).cloned().unwrap_or(Ty::Term);
            let shown = (!name.starts_with('_')).then(|| name.to_string());
            (ty, shown)
        }
        "binary_operator" => match elixir::operator(node, src) {
            "=" => {
                let (Some(l), Some(r)) = (node.field("left"), node.field("right")) else {
                    return (Ty::Term, None);
                };
                let (lt, ln) = pattern(l, facts, scope);
                let (rt, rn) = pattern(r, facts, scope);
                let ty = if lt.is_term() { rt } else { lt };
                (ty, ln.or(rn))
            }
            "\\\\" => node
                .field("left")
                .map_or((Ty::Term, None), |l| pattern(l, facts, scope)),
            "<>" => (Ty::String, None),
            "|" => (Ty::List, None),
            _ => (Ty::Term, None),
        },
        "map" => (map_type(node, scope), None),
        "list" => (list_type(node, src), None),
        "tuple" => {
            let items = elixir::block_statements(node)
                .into_iter()
                .map(|n| pattern(n, facts, scope).0)
                .collect();
            (Ty::Tuple(items), None)
        }
        "bitstring" => (bitstring_type(node, src), None),
        "unary_operator" if elixir::operator(node, src) == "^" => (Ty::Term, None),
        _ => (literal_type(node, scope).unwrap_or(Ty::Term), None),
    }
}

/// `m` in `%{m | k: v}` (a map or struct without its own struct name).
fn map_update_target<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    if node.kind() != "map"
        || node
            .named_children(&mut node.walk())
            .any(|c| c.kind() == "struct")
    {
        return None;
    }
    let content = node
        .named_children(&mut node.walk())
        .find(|c| c.kind() == "map_content")?;
    let update = content
        .named_child(0)
        .filter(|n| elixir::is_binary_op(*n, src, "|"))?;
    update.field("left")
}

/// Whether a struct alias names the module being inferred: its full name, or the last segments
/// of it when no `alias` in the module points that name elsewhere.
fn refers_to_self(alias: &str, scope: &Scope<'_, '_>) -> bool {
    let own = scope.module.def.name;
    if alias == own {
        return true;
    }
    if !own.ends_with(&format!(".{alias}")) {
        return false;
    }
    let src = scope.src;
    let aliased_elsewhere = scope
        .module
        .def
        .body
        .map(elixir::block_statements)
        .unwrap_or_default()
        .iter()
        .any(|s| {
            elixir::local_call_name(*s, src) == Some("alias")
                && elixir::call_args(*s).first().is_some_and(|a| {
                    let target = text(*a, src);
                    target != own && (target.ends_with(&format!(".{alias}")) || target == alias)
                })
        });
    !aliased_elsewhere
}

fn map_type(node: Node<'_>, scope: &Scope<'_, '_>) -> Ty {
    let Some(st) = node
        .named_children(&mut node.walk())
        .find(|c| c.kind() == "struct")
    else {
        return Ty::Map;
    };
    let name = text(st, scope.src).trim();
    // The module's own struct under its alias (`%Session{}` in `Accounts.Session`): `Session.t()`
    // would be the local `t()`, which only compiles when the module defines it.
    let name = if refers_to_self(name, scope) {
        "__MODULE__"
    } else {
        name
    };
    match name {
        "__MODULE__" if scope.has_type_t => Ty::Struct("__MODULE__".into()),
        "__MODULE__" => Ty::StructLiteral("__MODULE__".into()),
        _ if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) => {
            Ty::Struct(name.to_string())
        }
        _ => Ty::AnyStruct,
    }
}

fn list_type(node: Node<'_>, src: &str) -> Ty {
    let items = elixir::block_statements(node);
    if items.len() == 1 && items[0].kind() == "keywords" {
        return Ty::Keyword;
    }
    let _ = src;
    Ty::List
}

fn bitstring_type(node: Node<'_>, src: &str) -> Ty {
    let t = text(node, src);
    if t.contains("::binary") || t.contains(":: binary") || t.contains("bytes") {
        Ty::Binary
    } else {
        Ty::Bitstring
    }
}

/// Types of literals (the same in patterns and expressions).
fn literal_type(node: Node<'_>, scope: &Scope<'_, '_>) -> Option<Ty> {
    let src = scope.src;
    Some(match node.kind() {
        "atom" => Ty::Atom(text(node, src).trim_start_matches(':').to_string()),
        "quoted_atom" => Ty::Atom(
            text(node, src)
                .trim_start_matches(':')
                .trim_matches('"')
                .to_string(),
        ),
        "boolean" | "nil" => Ty::Atom(text(node, src).to_string()),
        "integer" | "char" => Ty::Integer,
        "float" => Ty::Float,
        "string" => Ty::String,
        "charlist" => Ty::Charlist,
        "map" => map_type(node, scope),
        "list" => list_type(node, src),
        "bitstring" => bitstring_type(node, src),
        "unary_operator" if elixir::operator(node, src) == "-" => {
            let operand = node.field("operand")?;
            match operand.kind() {
                "integer" => Ty::Integer,
                "float" => Ty::Float,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// How deep calls to other functions of the module are followed.
const MAX_DEPTH: usize = 3;

fn infer_return(function: &Function<'_>, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let mut types = Vec::new();
    for clause in typed_clauses(function) {
        let Some(body) = clause.body else {
            types.push(Ty::Term);
            continue;
        };
        let mut env = Facts::new();
        let facts = clause
            .guard
            .map(|g| guard_facts(g, scope.src))
            .unwrap_or_default();
        for param in &clause.params {
            bind(*param, &facts, scope, &mut env);
            // A defaulted variable has the default's type, as in the arguments' spec.
            if let (true, Some(var), Some(default)) = (
                elixir::is_binary_op(*param, scope.src, "\\\\"),
                param.field("left").filter(|l| l.kind() == "identifier"),
                param.field("right"),
            ) {
                let name = text(var, scope.src);
                if env.get(name).is_none_or(Ty::is_term) {
                    env.insert(name.to_string(), default_type(default, Some(name), scope));
                }
            }
        }
        types.push(body_type(body, &env, scope, depth));
    }
    union_all(types)
}

/// Records the types of variables bound by a parameter pattern.
fn bind(node: Node<'_>, facts: &Facts, scope: &Scope<'_, '_>, env: &mut Facts) {
    let (ty, name) = pattern(node, facts, scope);
    if let Some(name) = name {
        env.insert(name, ty);
    }
    // `"prefix" <> rest` binds `rest` to a string; `a = b` binds on both sides.
    if node.kind() == "binary_operator" {
        let (l, r) = (node.field("left"), node.field("right"));
        match elixir::operator(node, scope.src) {
            "<>" => {
                if let Some(r) = r.filter(|r| r.kind() == "identifier") {
                    env.insert(text(r, scope.src).to_string(), Ty::String);
                }
            }
            "=" => {
                // The side that is a plain variable got the whole pattern's type above.
                for side in [l, r]
                    .into_iter()
                    .flatten()
                    .filter(|s| s.kind() != "identifier")
                {
                    bind(side, facts, scope, env);
                }
            }
            _ => {}
        }
    }
}

/// The type of a body: the last expression of a `do` block (plus its `rescue` clauses), or the
/// `do:` expression.
fn body_type(body: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    if body.kind() != "do_block" {
        return expr(body, env, scope, depth);
    }
    let mut types = vec![block_type(body, env, scope, depth)];
    let mut cursor = body.walk();
    for sub in body
        .named_children(&mut cursor)
        .filter(|c| matches!(c.kind(), "rescue_block" | "catch_block"))
    {
        types.push(stab_clauses_type(sub, env, scope, depth));
    }
    union_all(types)
}

/// The type of the last statement of a block, or `nil` for an empty one.
fn block_type(block: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let statements = elixir::block_statements(block);
    if statements
        .first()
        .is_some_and(|s| s.kind() == "stab_clause")
    {
        return stab_clauses_type(block, env, scope, depth);
    }
    match statements.last() {
        Some(last) => expr(*last, env, scope, depth),
        None => Ty::Atom("nil".into()),
    }
}

/// The union of the bodies of `pattern -> body` clauses.
fn stab_clauses_type(block: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let mut types = Vec::new();
    let mut cursor = block.walk();
    for clause in block
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "stab_clause")
    {
        match clause.field("right") {
            Some(body) => types.push(block_type(body, env, scope, depth)),
            None => types.push(Ty::Atom("nil".into())),
        }
    }
    if types.is_empty() {
        Ty::Term
    } else {
        union_all(types)
    }
}

fn expr(node: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let src = scope.src;
    if let Some(updated) = map_update_target(node, src) {
        // `%{map | k: v}` has the type of the map it updates (a struct stays that struct).
        let ty = expr(updated, env, scope, depth);
        if !ty.is_term() {
            return ty;
        }
    }
    if let Some(ty) = literal_type(node, scope) {
        // A map update `%{m | k: v}` or `%Struct{s | …}` keeps the type of what it updates.
        return ty;
    }
    match node.kind() {
        "identifier" => env.get(text(node, src)).cloned().unwrap_or(Ty::Term),
        "tuple" => Ty::Tuple(
            elixir::block_statements(node)
                .into_iter()
                .map(|n| expr(n, env, scope, depth))
                .collect(),
        ),
        "string" | "sigil" => sigil_type(node, src),
        "anonymous_function" => Ty::Fun(None),
        "block" => match elixir::block_statements(node).last() {
            Some(last) => expr(*last, env, scope, depth),
            None => Ty::Atom("nil".into()),
        },
        "unary_operator" => match elixir::operator(node, src) {
            "not" | "!" => Ty::Boolean,
            "&" => Ty::Fun(None),
            _ => Ty::Term,
        },
        "binary_operator" => binary_type(node, env, scope, depth),
        "call" => call_type(node, env, scope, depth),
        _ => Ty::Term,
    }
}

fn sigil_type(node: Node<'_>, src: &str) -> Ty {
    if node.kind() == "string" {
        return Ty::String;
    }
    let name = node
        .named_children(&mut node.walk())
        .find(|c| c.kind() == "sigil_name")
        .map(|n| text(n, src));
    match name {
        Some("s" | "S") => Ty::String,
        Some("c" | "C") => Ty::Charlist,
        Some("w" | "W") => Ty::List,
        Some("r" | "R") => Ty::Raw("Regex.t()".into()),
        Some("D") => Ty::Raw("Date.t()".into()),
        Some("T") => Ty::Raw("Time.t()".into()),
        Some("N") => Ty::Raw("NaiveDateTime.t()".into()),
        Some("U") => Ty::Raw("DateTime.t()".into()),
        _ => Ty::Term,
    }
}

fn binary_type(node: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let src = scope.src;
    let (Some(l), Some(r)) = (node.field("left"), node.field("right")) else {
        return Ty::Term;
    };
    match elixir::operator(node, src) {
        "|>" => piped_call_type(r, env, scope, depth),
        "=" => expr(r, env, scope, depth),
        "+" | "-" | "*" => {
            let (a, b) = (expr(l, env, scope, depth), expr(r, env, scope, depth));
            let int = |t: &Ty| matches!(t, Ty::Integer | Ty::NonNegInteger | Ty::PosInteger);
            if int(&a) && int(&b) {
                Ty::Integer
            } else {
                Ty::Number
            }
        }
        "/" => Ty::Float,
        "<>" => Ty::String,
        "++" | "--" => Ty::List,
        "==" | "!=" | "===" | "!==" | "<" | ">" | "<=" | ">=" | "and" | "or" | "in" | "not in"
        | "=~" => Ty::Boolean,
        ".." => Ty::Raw("Range.t()".into()),
        _ => Ty::Term,
    }
}

/// `x |> f(a)` is `f(x, a)`.
fn piped_call_type(call: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    if call.kind() != "call" {
        return Ty::Term;
    }
    let arity = elixir::call_args(call).len() + 1;
    if let Some(name) = elixir::local_call_name(call, scope.src) {
        return local_call_type(name, arity, scope, depth);
    }
    if let Some((module, fun)) = elixir::remote_call(call, scope.src) {
        return known_remote(module, fun, arity).unwrap_or(Ty::Term);
    }
    let _ = env;
    Ty::Term
}

fn call_type(call: Node<'_>, env: &Facts, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let src = scope.src;
    let args = elixir::call_args(call);
    if let Some((module, fun)) = elixir::remote_call(call, src) {
        return known_remote(module, fun, args.len()).unwrap_or(Ty::Term);
    }
    let Some(name) = elixir::local_call_name(call, src) else {
        return Ty::Term;
    };
    let block = elixir::do_block(call);
    match (name, block) {
        ("if" | "unless", Some(block)) => {
            let mut cursor = block.walk();
            let else_block = block
                .named_children(&mut cursor)
                .find(|c| c.kind() == "else_block");
            let else_ty =
                else_block.map_or(Ty::Atom("nil".into()), |e| block_type(e, env, scope, depth));
            block_type(block, env, scope, depth).union(else_ty)
        }
        ("if" | "unless", None) => {
            // `if c, do: a, else: b`
            let kw = args.iter().find(|a| a.kind() == "keywords");
            let branch = |k: &str| kw.and_then(|kw| elixir::keyword_value(*kw, src, k));
            let do_ty = branch("do").map_or(Ty::Term, |n| expr(n, env, scope, depth));
            let else_ty =
                branch("else").map_or(Ty::Atom("nil".into()), |n| expr(n, env, scope, depth));
            do_ty.union(else_ty)
        }
        ("case" | "cond", Some(block)) => stab_clauses_type(block, env, scope, depth),
        ("with", Some(block)) => {
            let mut cursor = block.walk();
            match block
                .named_children(&mut cursor)
                .find(|c| c.kind() == "else_block")
            {
                Some(else_block) => block_type(block, env, scope, depth)
                    .union(stab_clauses_type(else_block, env, scope, depth)),
                // Without `else`, a failed match returns the unmatched value: anything.
                None => Ty::Term,
            }
        }
        ("raise" | "reraise" | "throw" | "exit", _) => Ty::NoReturn,
        ("length" | "map_size" | "tuple_size" | "byte_size" | "bit_size", _) => Ty::NonNegInteger,
        ("to_string" | "inspect", _) => Ty::String,
        ("div" | "rem" | "round" | "trunc", _) => Ty::Integer,
        (n, _) if n.starts_with("is_") => Ty::Boolean,
        (name, _) => local_call_type(name, args.len(), scope, depth),
    }
}

/// The return type of a function of this module: from its `@spec` when it has one, else
/// inferred (a few calls deep, stopping on recursion).
fn local_call_type(name: &str, arity: usize, scope: &Scope<'_, '_>, depth: usize) -> Ty {
    let module = scope.module;
    let written = module
        .specs
        .iter()
        .find(|s| s.name == name && s.arity == arity);
    if let Some(ret) = written.and_then(|spec| spec_return(spec.node, scope.src)) {
        return Ty::Raw(ret);
    }
    if depth >= MAX_DEPTH {
        return Ty::Term;
    }
    let Some(function) = module
        .functions
        .iter()
        .find(|f| f.name == name && (f.min_arity..=f.arity).contains(&arity))
    else {
        return Ty::Term;
    };
    if function.kind.is_macro()
        || !scope
            .visiting
            .borrow_mut()
            .insert((name.to_string(), arity))
    {
        return Ty::Term;
    }
    scope.entered.borrow_mut().push((name.to_string(), arity));
    let ty = infer_return(function, scope, depth + 1);
    scope
        .visiting
        .borrow_mut()
        .remove(&(name.to_string(), arity));
    ty
}

/// What the spec inference of another function of `module` can read of `name/arity` when it
/// meets a call of it: the return type a call gives at each call depth, and the functions
/// that inference enters besides `name/arity` itself.
///
/// A caller already inferring none of those functions reads exactly these types (the set of
/// functions being inferred only matters where it meets them), so two texts of a function
/// with the same view give every such caller the same spec: the incremental re-lint then
/// keeps its callers' findings.
pub fn callee_view(
    name: &str,
    arity: usize,
    module: &ModuleModel<'_>,
    src: &str,
) -> (Vec<Ty>, Vec<String>) {
    let scope = Scope::new(src, module);
    let mut types = Vec::new();
    let mut enters = Vec::new();
    for depth in 0..=MAX_DEPTH {
        types.push(local_call_type(name, arity, &scope, depth));
        let mut entered = scope.entered.take();
        // The first entry is the function itself (when it was entered at all).
        if entered
            .first()
            .is_some_and(|(n, a)| n == name && *a == arity)
        {
            entered.remove(0);
        }
        enters.extend(entered.into_iter().map(|(n, _)| n));
        scope.visiting.borrow_mut().clear();
    }
    enters.sort();
    enters.dedup();
    (types, enters)
}

/// The return type text of a written `@spec` node (without its `when` constraints).
fn spec_return(spec: Node<'_>, src: &str) -> Option<String> {
    let attr = elixir::attribute(spec, src)?;
    let mut value = attr.value?;
    if elixir::is_binary_op(value, src, "when") {
        // Type variables would be unbound outside the spec.
        return None;
    }
    if !elixir::is_binary_op(value, src, "::") {
        value = value.field("left")?;
    }
    let ret = value.field("right")?;
    let text = text(ret, src);
    (!text.contains('\n')).then(|| text.to_string())
}

/// Documented return types of common standard-library functions.
fn known_remote(module: &str, fun: &str, arity: usize) -> Option<Ty> {
    let ok_error = || {
        union_all([
            Ty::Tuple(vec![Ty::Atom("ok".into()), Ty::Term]),
            Ty::Atom("error".into()),
        ])
    };
    Some(match (module, fun, arity) {
        (
            "Enum",
            "map" | "filter" | "reject" | "sort" | "sort_by" | "uniq" | "uniq_by" | "reverse"
            | "take" | "drop" | "flat_map" | "concat" | "to_list" | "with_index" | "zip"
            | "chunk_every" | "dedup" | "shuffle",
            _,
        ) => Ty::List,
        ("Enum", "join" | "map_join", _) => Ty::String,
        ("Enum", "count", _) => Ty::NonNegInteger,
        ("Enum", "sum", _) => Ty::Number,
        ("Enum", "member?" | "any?" | "all?" | "empty?", _) => Ty::Boolean,
        ("Enum", "group_by" | "frequencies" | "frequencies_by", _) => Ty::Map,
        ("Enum", "fetch", 2) => ok_error(),
        (
            "Map",
            "put" | "delete" | "merge" | "new" | "update!" | "update" | "put_new" | "put_new_lazy"
            | "drop" | "take" | "filter" | "reject" | "from_struct",
            _,
        ) => Ty::Map,
        ("Map", "has_key?", 2) => Ty::Boolean,
        ("Map", "keys" | "values" | "to_list", 1) => Ty::List,
        ("Map", "fetch", 2) | ("Keyword", "fetch", 2) => ok_error(),
        ("Keyword", "put" | "delete" | "merge" | "new" | "put_new" | "drop" | "take", _) => {
            Ty::Keyword
        }
        ("Keyword", "has_key?" | "keyword?", _) => Ty::Boolean,
        (
            "String",
            "upcase" | "downcase" | "trim" | "trim_leading" | "trim_trailing" | "capitalize"
            | "replace" | "duplicate" | "pad_leading" | "pad_trailing" | "reverse",
            _,
        ) => Ty::String,
        ("String", "split", _) => Ty::List,
        ("String", "length", 1) => Ty::NonNegInteger,
        ("String", "contains?" | "starts_with?" | "ends_with?" | "valid?" | "equivalent?", _) => {
            Ty::Boolean
        }
        ("String", "to_integer", _) => Ty::Integer,
        ("String", "to_float", 1) => Ty::Float,
        ("String", "to_atom" | "to_existing_atom", 1) => Ty::AnyAtom,
        ("Integer", "to_string", _) => Ty::String,
        ("Integer", "parse", _) => union_all([
            Ty::Tuple(vec![Ty::Integer, Ty::String]),
            Ty::Atom("error".into()),
        ]),
        ("Atom", "to_string", 1) => Ty::String,
        (
            "Logger",
            "debug" | "info" | "notice" | "warning" | "warn" | "error" | "critical" | "alert"
            | "emergency",
            _,
        ) => Ty::Atom("ok".into()),
        ("DateTime", "utc_now", _) => Ty::Raw("DateTime.t()".into()),
        ("NaiveDateTime", "utc_now", _) => Ty::Raw("NaiveDateTime.t()".into()),
        ("Date", "utc_today", _) => Ty::Raw("Date.t()".into()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::module_model::module_models;

    /// The inferred spec line of function `name` at `arity` in a module body.
    fn spec(body: &str, name: &str, arity: usize) -> String {
        let src = format!("defmodule M do\n{body}\nend\n");
        let tree = crate::syntax::parse(&src);
        let models = module_models(tree.root_node(), &src);
        let module = &models[0];
        let f = module
            .functions
            .iter()
            .find(|f| f.name == name && (f.min_arity..=f.arity).contains(&arity))
            .unwrap();
        let s = infer_function_spec(f, arity, module, &src);
        format!(
            "{}({}) :: {}",
            s.name,
            s.arg_texts().join(", "),
            s.ret.render()
        )
    }

    #[test]
    fn guards_and_patterns() {
        assert_eq!(
            spec(
                "def f(a, b) when is_binary(a) and is_integer(b), do: :ok",
                "f",
                2
            ),
            "f(String.t(), integer()) :: :ok"
        );
        assert_eq!(
            spec(
                "def f(%User{} = user, [_ | _] = items), do: {:ok, user}",
                "f",
                2
            ),
            "f(User.t(), list()) :: {:ok, User.t()}"
        );
        assert_eq!(
            spec("def f(n) when is_integer(n) and n > 0, do: n", "f", 1),
            "f(pos_integer()) :: pos_integer()"
        );
        assert_eq!(
            spec("def f(dir) when dir in [:asc, :desc], do: dir", "f", 1),
            "f(:asc | :desc) :: :asc | :desc"
        );
        assert_eq!(
            spec(
                "def f(\"prefix\" <> rest, <<_::binary>> = b), do: rest",
                "f",
                2
            ),
            "f(String.t(), binary()) :: String.t()"
        );
        assert_eq!(
            spec("def f(%{id: id}, {:ok, x}, [a: 1]), do: nil", "f", 3),
            "f(map(), {:ok, term()}, keyword()) :: nil"
        );
        assert_eq!(
            spec("def f(fun) when is_function(fun, 2), do: fun", "f", 1),
            "f((term(), term() -> term())) :: (term(), term() -> term())"
        );
        assert_eq!(
            spec("def f(attrs), do: attrs", "f", 1),
            "f(attrs :: term()) :: term()"
        );
    }

    #[test]
    fn clauses_union_and_defaults() {
        let body = "def fetch(:cache, key) when is_atom(key), do: {:ok, key}\ndef fetch(:db, key) when is_binary(key), do: {:error, :not_found}";
        assert_eq!(
            spec(body, "fetch", 2),
            "fetch(:cache | :db, atom() | String.t()) :: {:ok, atom()} | {:error, :not_found}"
        );
        let defaults = "def list(query, opts \\\\ [], limit \\\\ 10), do: query";
        assert_eq!(spec(defaults, "list", 1), "list(query :: term()) :: term()");
        assert_eq!(
            spec(defaults, "list", 2),
            "list(query :: term(), keyword()) :: term()"
        );
        assert_eq!(
            spec(defaults, "list", 3),
            "list(query :: term(), keyword(), integer()) :: term()"
        );
        let head = "def g(a, b \\\\ nil)\ndef g(a, nil) when is_integer(a), do: a\ndef g(a, b) when is_integer(a) and is_integer(b), do: a + b";
        assert_eq!(
            spec(head, "g", 2),
            "g(integer(), nil | integer()) :: integer()"
        );
    }

    #[test]
    fn returns_from_branches_and_local_calls() {
        let body = "def f(x) do\n  if x, do: :yes, else: :no\nend";
        assert_eq!(spec(body, "f", 1), "f(x :: term()) :: :yes | :no");
        let case = "def f(x) do\n  case x do\n    1 -> {:ok, \"one\"}\n    _ -> {:error, :unknown}\n  end\nend";
        assert_eq!(
            spec(case, "f", 1),
            "f(x :: term()) :: {:ok, String.t()} | {:error, :unknown}"
        );
        let local = "def f(x), do: do_f(x)\ndefp do_f(x) when is_integer(x), do: {:ok, x}\ndefp do_f(_), do: {:error, :nan}";
        assert_eq!(
            spec(local, "f", 1),
            "f(x :: term()) :: {:ok, integer()} | {:error, :nan}"
        );
        let specced = "@spec g(term()) :: Order.t()\ndef g(x), do: x\ndef f(x), do: x |> g()";
        assert_eq!(spec(specced, "f", 1), "f(x :: term()) :: Order.t()");
        let raising = "def f(x) do\n  if x, do: raise(\"no\"), else: :ok\nend";
        assert_eq!(spec(raising, "f", 1), "f(x :: term()) :: :ok");
        let recursive = "def f(0), do: 0\ndef f(n), do: f(n - 1)";
        assert_eq!(
            spec(recursive, "f", 1),
            "f(0 | term()) :: term()".replace("0 | term()", "term()")
        );
        assert_eq!(spec("def f, do: \"#{1}\"", "f", 0), "f() :: String.t()");
        assert_eq!(
            spec(
                "defmacro m(a, b), do: quote(do: unquote(a) + unquote(b))",
                "m",
                2
            ),
            "m(Macro.t(), Macro.t()) :: Macro.t()"
        );
    }

    #[test]
    fn map_updates_keep_the_type_of_what_they_update() {
        assert_eq!(
            spec("def f(%User{} = u), do: %{u | name: 1}", "f", 1),
            "f(User.t()) :: User.t()"
        );
        assert_eq!(
            spec("def f(m, v), do: %{m | a: v}", "f", 2),
            "f(m :: term(), v :: term()) :: map()"
        );
    }

    #[test]
    fn own_struct_under_its_alias_is_the_modules_own() {
        let src = "defmodule Accounts.Session do\n  alias Accounts.Session\n  defstruct [:id]\n  def expire(%Session{} = s), do: s\nend\n";
        let tree = crate::syntax::parse(src);
        let models = module_models(tree.root_node(), src);
        let s = infer_function_spec(&models[0].functions[0], 1, &models[0], src);
        assert_eq!(s.args[0].1.render(), "%__MODULE__{}");
        assert_eq!(
            spec("def f(%User{} = u), do: u", "f", 1),
            "f(User.t()) :: User.t()"
        );
        assert_eq!(
            spec("def run(dry_run? \\\\ false), do: dry_run?", "run", 1),
            "run(boolean()) :: boolean()"
        );
    }

    #[test]
    fn own_struct_is_t_only_when_the_type_exists() {
        assert_eq!(
            spec("defstruct [:a]\ndef new, do: %__MODULE__{}", "new", 0),
            "new() :: %__MODULE__{}"
        );
        assert_eq!(
            spec(
                "defstruct [:a]\n@type t :: %__MODULE__{}\ndef new, do: %__MODULE__{}",
                "new",
                0
            ),
            "new() :: t()"
        );
    }
}
