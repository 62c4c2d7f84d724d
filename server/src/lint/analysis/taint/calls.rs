//! Calls: sources, sanitisers, propagation through the standard library, callbacks, sinks, and
//! the summaries of private functions.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::eval::{CLEAN_RESULTS, Env, MAPPING, PROPAGATING_LOCALS, PROPAGATING_MODULES, Walker};
use super::sinks::{self, Sink, SinkKind};
use super::sources;
use super::values::{is_sanitizer, is_schema_fields, refine_source, request_root};
use super::{Root, SinkHit, Taint};
use crate::syntax::elixir;

impl<'t> Walker<'_, 't> {
    /// A call; `piped` is the value piped into it (its first argument).
    pub(super) fn eval_call(
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

        let target = call.field("target");
        // `conn.params`, `user.name`: field access on an expression.
        if let Some(dot) = target.filter(|t| t.kind() == "dot")
            && !elixir::has_arguments(call)
            && let (Some(receiver), Some(field)) = (dot.field("left"), dot.field("right"))
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
                .field("right")
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
    pub(super) fn eval_callback(
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
                let Some(operand) = arg.field("operand") else {
                    return Taint::clean();
                };
                // `&String.to_atom/1`: the captured function receives each element.
                if elixir::is_binary_op(operand, self.src, "/") {
                    if let Some(fun) = operand.field("left")
                        && let Some((module, name)) = elixir::remote_call(fun, self.src)
                        && !elements.is_clean()
                    {
                        let arity = operand
                            .field("right")
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

    /// Records the sink `sink` of `call` when its argument carries flows (always, for sinks
    /// whose rules also look at clean arguments).
    pub(super) fn check_sink(
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
    pub(super) fn apply_summary(
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

    pub(super) fn hit(
        &mut self,
        kind: SinkKind,
        call: Node<'t>,
        arg: Node<'t>,
        callee: &str,
        taint: Taint,
    ) {
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
