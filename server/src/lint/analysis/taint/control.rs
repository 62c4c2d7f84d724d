//! Control flow: blocks, `case`/`cond`/`if`/`unless`/`with`/`for`, anonymous functions. Each
//! branch gets a scope of its own; a value is the union of what its branches return.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::Taint;
use super::eval::{Env, Walker};
use crate::syntax::elixir;

impl<'t> Walker<'_, 't> {
    /// A block: statements in order, the last one's value; `else`/`rescue`/`catch`/`after`
    /// sub-blocks evaluated in their own scopes.
    pub(super) fn eval_block(&mut self, block: Node<'t>, env: &mut Env) -> Taint {
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
    pub(super) fn eval_clauses(&mut self, block: Node<'t>, subject: &Taint, env: &Env) -> Taint {
        let mut result = Taint::clean();
        let mut cursor = block.walk();
        let clauses: Vec<Node<'t>> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "stab_clause")
            .collect();
        for clause in clauses {
            let mut scope = env.clone();
            if let Some(left) = clause.field("left") {
                let (patterns, guard) = split_guard(left, self.src);
                self.bind(patterns, subject.clone(), &mut scope, true);
                if let Some(guard) = guard {
                    self.refine(guard, &mut scope);
                }
            }
            if let Some(body) = clause.field("right") {
                result.merge(self.eval(body, &mut scope));
            }
        }
        result
    }

    /// `cond do c -> body end`: each condition refines its own body.
    pub(super) fn eval_cond(&mut self, block: Node<'t>, env: &mut Env) -> Taint {
        let mut result = Taint::clean();
        let mut cursor = block.walk();
        let clauses: Vec<Node<'t>> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "stab_clause")
            .collect();
        for clause in clauses {
            let mut scope = env.clone();
            if let Some(left) = clause.field("left") {
                self.eval(left, &mut scope);
                self.refine(left, &mut scope);
            }
            if let Some(body) = clause.field("right") {
                result.merge(self.eval(body, &mut scope));
            }
        }
        result
    }

    /// An anonymous function whose parameters receive `args` (position by position); the
    /// union of its clauses' results.
    pub(super) fn eval_fn(&mut self, func: Node<'t>, args: &[Taint], env: &Env) -> Taint {
        let mut result = Taint::clean();
        let mut cursor = func.walk();
        let clauses: Vec<Node<'t>> = func
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "stab_clause")
            .collect();
        for clause in clauses {
            let mut scope = env.clone();
            if let Some(left) = clause.field("left") {
                let (params, guard) = split_guard(left, self.src);
                let mut c = params.walk();
                let list: Vec<Node<'t>> = params.named_children(&mut c).collect();
                for (i, p) in list.into_iter().enumerate() {
                    let taint = args.get(i).cloned().unwrap_or_default();
                    self.bind(p, taint, &mut scope, true);
                }
                if let Some(guard) = guard {
                    self.refine(guard, &mut scope);
                }
            }
            if let Some(body) = clause.field("right") {
                result.merge(self.eval(body, &mut scope));
            }
        }
        result
    }

    pub(super) fn eval_if(&mut self, call: Node<'t>, negated: bool, env: &mut Env) -> Taint {
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
    pub(super) fn eval_with_or_for(
        &mut self,
        call: Node<'t>,
        is_for: bool,
        env: &mut Env,
    ) -> Taint {
        let mut scope = env.clone();
        let mut result = Taint::clean();
        for arg in elixir::call_args(call) {
            if elixir::is_binary_op(arg, self.src, "<-") {
                let (Some(pattern), Some(value)) = (arg.field("left"), arg.field("right")) else {
                    continue;
                };
                let taint = self.eval(value, &mut scope);
                let (pattern, guard) = split_guard(pattern, self.src);
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
}

/// `pattern when guard` as its two parts; a pattern without a guard as itself.
fn split_guard<'t>(node: Node<'t>, src: &str) -> (Node<'t>, Option<Node<'t>>) {
    if elixir::is_binary_op(node, src, "when") {
        (node.field("left").unwrap_or(node), node.field("right"))
    } else {
        (node, None)
    }
}
