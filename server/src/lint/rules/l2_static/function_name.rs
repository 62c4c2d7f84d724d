//! `function-name`: a function, macro or guard whose name is not snake_case (`def getUser`), as
//! `Credo.Check.Readability.FunctionNames` checks it: once per name and arity, at the last clause.

use std::collections::HashMap;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir::{self, DefKind};
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "function-name",
        level: 2,
        severity: Severity::Warning,
        fixable: false,
        summary: "Function, macro and guard names that are not snake_case",
        docs: RuleDocs {
            why: "Elixir functions, macros and guards are named in snake_case (`fetch_user/1`); \
                  `fetchUser` stands out as a port from another language and makes call sites \
                  inconsistent. Names are checked as Credo's `Readability.FunctionNames` checks \
                  them (lowercase letters, digits, `_`, `?`, `!`), once per name and arity. Not \
                  flagged: operator definitions (`def a <~> b`), sigils (`sigil_X`, \
                  `sigil_SQL`), names built with `unquote`, and `defdelegate`.",
            bad: "def fetchUser(id) do\n  Repo.get(User, id)\nend",
            good: "def fetch_user(id) do\n  Repo.get(User, id)\nend",
            fix: "Rename the function to snake_case and update its callers.",
        },
        credo: &["Credo.Check.Readability.FunctionNames"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    // Credo reports a name/arity once, at its last clause.
    let mut last: HashMap<(&str, usize), Finding> = HashMap::new();
    let mut order = Vec::new();
    for call in &ctx.nodes().calls {
        // The name first: the parameters are only read for a name to report.
        let Some((kind, name)) = elixir::function_head(*call, src) else {
            continue;
        };
        if matches!(kind, DefKind::Defdelegate) || is_acceptable(text(name, src)) {
            continue;
        }
        let Some(def) = elixir::function_def(*call, src) else {
            continue;
        };
        let key = (def.name, def.params.len());
        let finding = Finding::new(
            &RULE.meta,
            def.name_node.byte_range(),
            format!(
                "`{}/{}` is not snake_case; rename it to `{}`",
                def.name,
                def.params.len(),
                to_snake_case(def.name)
            ),
        );
        if last.insert(key, finding).is_none() {
            order.push(key);
        }
    }
    out.extend(order.into_iter().filter_map(|k| last.remove(&k)));
}

/// Snake case, or a sigil definition (`sigil_X`, `sigil_SQL`) Credo allows.
fn is_acceptable(name: &str) -> bool {
    if let Some(letters) = name.strip_prefix("sigil_") {
        let single = letters.len() == 1 && letters.chars().all(|c| c.is_ascii_alphabetic());
        let upper = !letters.is_empty() && letters.chars().all(|c| c.is_ascii_uppercase());
        if single || upper {
            return true;
        }
    }
    is_snake_case(name)
}

/// Credo's `Name.snake_case?/1`: lowercase letters, digits, `_`, `?` and `!` only.
pub(crate) fn is_snake_case(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '?' | '!'))
}

/// `fetchUserID` → `fetch_user_id`.
pub(crate) fn to_snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_uppercase())
                    && next.is_some_and(|n| n.is_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_snake_case;
    use crate::lint::rules::test_support::*;

    const CODE: &str = "function-name";

    #[test]
    fn flags_camel_case_once_per_name_and_arity_at_the_last_clause() {
        let src = r#"defmodule Shop.Accounts do
  def fetchUser(id) when is_integer(id), do: Repo.get(User, id)
  def fetchUser(email), do: Repo.get_by(User, email: email)

  defp buildQuery(opts \\ []), do: from(u in User, where: ^opts)

  defguard isAdmin(user) when user.role == :admin
end
"#;
        let found = findings_of(src, "lib/shop/accounts.ex", CODE);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(finding_lines(src, "lib/a.ex", CODE), vec![3, 5, 7]);
        assert!(found[0].message.contains("`fetchUser/1`"));
        assert!(found[0].message.contains("`fetch_user`"));
        assert!(
            found[2].message.contains("`is_admin`"),
            "{}",
            found[2].message
        );
    }

    #[test]
    fn snake_case_operators_and_sigils_are_fine() {
        let src = r#"defmodule Shop.Money do
  def add(a, b), do: a + b
  def valid?(m), do: m.amount >= 0
  def fetch!(id), do: id
  def _internal(x), do: x
  def a <~> b, do: add(a, b)
  def sigil_M(string, []), do: parse(string)
  defmacro sigil_SQL(string, _mods), do: string
  def unquote(:"dynamic_#{1}")(x), do: x
  defdelegate fetchAll(q), to: Shop.Repo
  def résumé(x), do: x
end
"#;
        assert!(findings_of(src, "lib/a.ex", CODE).is_empty());
    }

    #[test]
    fn suggestions() {
        assert_eq!(to_snake_case("fetchUserID"), "fetch_user_id");
        assert_eq!(to_snake_case("parseHTTPResponse"), "parse_http_response");
        assert_eq!(to_snake_case("Foo_Bar"), "foo_bar");
    }
}
