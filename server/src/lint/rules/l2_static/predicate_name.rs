//! `predicate-name`: `def is_active(user)` — a predicate function named like a guard. Elixir
//! names guard-safe predicates `is_*` (and defines them with `defguard`) and other predicates
//! `*?`, as `Credo.Check.Readability.PredicateFunctionNames` checks.

use crate::syntax::Fields as _;
use std::collections::HashSet;

use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "predicate-name",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "`def is_foo(...)` that is not a guard: name it `foo?`",
        docs: RuleDocs {
            why: "By Elixir convention `is_foo` names a guard (usable in `when`, defined with \
                  `defguard`) and `foo?` a predicate function that is not. `def is_admin(user)` \
                  promises a guard it is not, and `def is_admin?(user)` mixes both. Checked as \
                  Credo's `Readability.PredicateFunctionNames`: `def`/`defp` named `is_*`, and \
                  any `def`/`defp`/`defmacro` named `is_*?`. Not flagged: `defguard`, \
                  `defmacro is_foo` (a macro usable in guards), clauses with a `when` guard, and \
                  implementations of a behaviour callback (`@impl`), whose name is not ours to \
                  choose.",
            bad: "def is_admin(%User{role: role}) do\n  role == :admin\nend",
            good: "def admin?(%User{role: role}) do\n  role == :admin\nend\n\ndefguard is_admin(user) when user.role == :admin",
            fix: "Rename `is_foo` to `foo?` (or make it a `defguard` if it must be usable in guards).",
        },
        credo: &["Credo.Check.Readability.PredicateFunctionNames"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let mut impls: Option<HashSet<(&str, usize)>> = None;
    for call in &ctx.nodes().calls {
        let Some((name_node, name, arity)) = candidate(*call, src) else {
            continue;
        };
        // Only computed when there is a candidate: most files have none.
        let impls = impls.get_or_insert_with(|| impl_signatures(ctx));
        if impls.contains(&(name, arity)) {
            continue;
        }
        let base = name.trim_start_matches("is_").trim_end_matches('?');
        out.push(Finding::new(
            &RULE.meta,
            name_node.byte_range(),
            format!(
                "`{name}/{arity}` is a predicate function: name it `{base}?` (`is_` is for guards)"
            ),
        ));
    }
}

/// The name node, name and arity of a clause Credo flags, before the `@impl` exception.
fn candidate<'t>(call: Node<'t>, src: &'t str) -> Option<(Node<'t>, &'t str, usize)> {
    // All three names start with `def`: the text first.
    if !elixir::starts_with(call, src, "def") {
        return None;
    }
    let op = elixir::local_call_name(call, src)?;
    if !matches!(op, "def" | "defp" | "defmacro") {
        return None;
    }
    let (name_node, arity) = plain_head(call, src)?;
    let name = text(name_node, src);
    let flagged = name.starts_with("is_") && (name.ends_with('?') || op != "defmacro");
    flagged.then_some((name_node, name, arity))
}

/// The name and arity of a head without a guard (Credo does not look at guarded heads).
fn plain_head<'t>(call: Node<'t>, src: &str) -> Option<(Node<'t>, usize)> {
    let head = *elixir::call_args(call).first()?;
    match head.kind() {
        "identifier" => Some((head, 0)),
        "call" => {
            let target = head.field("target")?;
            (target.kind() == "identifier" && text(target, src) != "unquote")
                .then(|| (target, elixir::call_args(head).len()))
        }
        _ => None,
    }
}

/// `name/arity` of every definition that follows an `@impl` (not `@impl false`) in its block,
/// guarded heads included.
fn impl_signatures<'t>(ctx: &LintContext<'t>) -> HashSet<(&'t str, usize)> {
    let src = ctx.source;
    let mut set = HashSet::new();
    for call in &ctx.nodes().calls {
        if !elixir::starts_with(*call, src, "def")
            || !matches!(
                elixir::local_call_name(*call, src),
                Some("def" | "defp" | "defmacro")
            )
            || !follows_impl(*call, src)
        {
            continue;
        }
        if let Some(def) = elixir::function_def(*call, src) {
            set.insert((def.name, def.params.len()));
        }
    }
    set
}

/// Whether an `@impl` attribute precedes `def` in its block with no definition in between.
fn follows_impl(def: Node<'_>, src: &str) -> bool {
    let mut prev = def.prev_named_sibling();
    while let Some(node) = prev {
        if let Some(attr) = elixir::attribute(node, src) {
            if attr.name == "impl" {
                return attr.value.is_none_or(|v| text(v, src) != "false");
            }
        } else if matches!(
            elixir::local_call_name(node, src),
            Some("def" | "defp" | "defmacro")
        ) {
            return false;
        }
        prev = node.prev_named_sibling();
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "predicate-name";

    #[test]
    fn flags_is_prefixed_functions() {
        let src = r#"defmodule Shop.Accounts do
  def is_admin(%User{role: role}) do
    role == :admin
  end

  defp is_expired?(token), do: DateTime.compare(token.expires_at, DateTime.utc_now()) == :lt

  def is_empty, do: Repo.aggregate(User, :count) == 0

  defmacro is_valid?(x), do: quote(do: unquote(x) != nil)
end
"#;
        let found = findings_of(src, "lib/shop/accounts.ex", CODE);
        let names: Vec<&str> = found.iter().map(|f| &src[f.range.clone()]).collect();
        assert_eq!(names, ["is_admin", "is_expired?", "is_empty", "is_valid?"]);
        assert!(
            found[0].message.contains("`admin?`"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("`expired?`"),
            "{}",
            found[1].message
        );
    }

    #[test]
    fn guards_macros_callbacks_and_guarded_heads_are_fine() {
        let src = r#"defmodule Shop.Accounts do
  @behaviour Shop.Policy

  defguard is_admin(user) when user.role == :admin
  defmacro is_positive(x), do: quote(do: unquote(x) > 0)

  def admin?(user), do: user.role == :admin

  @impl true
  @doc false
  def is_allowed(user, action), do: can?(user, action)

  @impl Shop.Policy
  def is_visible(user) when is_map(user), do: true

  def is_number_like(x) when is_binary(x), do: Integer.parse(x) != :error
end
"#;
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn impl_false_does_not_exempt() {
        let src = "defmodule A do\n  @impl false\n  def is_ok(x), do: x\nend\n";
        assert_eq!(findings_of(src, "lib/a.ex", CODE).len(), 1);
    }

    /// Credo's own cases (`test/credo/check/readability/predicate_function_names_test.exs`).
    #[test]
    fn credos_cases() {
        let callbacks = r#"defmodule Foo do
  @callback is_bar
  @callback is_bar(a)
end
defmodule FooImpl do
  @behaviour Foo
  @impl Foo
  def is_bar do
  end
  @impl Foo
  def is_bar(a) when is_binary(a) do
  end
  @impl Foo
  def is_bar(a) do
  end
end
"#;
        assert!(findings_of(callbacks, "lib/a.ex", CODE).is_empty());
        for flagged in [
            "defmodule FooImpl do\n  def impl(false), do: false\n  def impl(true), do: true\n  def is_bar do\n  end\nend\n",
            "defmodule FooImpl do\n  impl(true)\n  def is_bar do\n  end\nend\n",
            "defmodule Foo do\n  @impl true\nend\ndefmodule FooImpl do\n  def is_bar do\n  end\nend\n",
        ] {
            assert_eq!(findings_of(flagged, "lib/a.ex", CODE).len(), 1, "{flagged}");
        }
    }
}
