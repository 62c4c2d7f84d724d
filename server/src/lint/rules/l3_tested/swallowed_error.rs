//! `swallowed-error`: an `{:error, _}` branch that answers with success (`:ok`, `{:ok, …}`,
//! `nil`, `true`) without logging, and results of fallible `Repo` writes thrown away
//! (`_ = Repo.insert(changeset)`, or a `Repo.update(changeset)` statement whose value is
//! dropped).

use crate::lint::rules::l2_static::pipeline::piped_into;
use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::handling::{handles_error, last_expression};
use crate::lint::rules::l2_static::removal::{enclosing_function, is_dropped_statement};
use crate::lint::rules::reason_comment::comment_within;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "swallowed-error",
        level: 3,
        severity: Severity::Warning,
        summary: "`{:error, _}` turned into success without logging; discarded `Repo` write results",
        docs: RuleDocs {
            why: "An `{:error, _}` branch that answers `:ok`, `{:ok, …}`, `nil` or `true` \
                  reports success for an operation that failed, and drops the reason: the \
                  caller, the tests and the logs all see a success. The same goes for the \
                  result of `Repo.insert/update/delete/insert_or_update` thrown away with \
                  `_ =` or as a statement whose value is unused: an invalid changeset is \
                  silently not saved. A branch that logs, reports, or uses the reason is \
                  handled, and so is one with a comment saying why. Not flagged: branches that match a \
                  specific reason (`{:error, \
                  :not_found} -> nil` is a decision, not an accident), the bare `:error` of \
                  `Map.fetch`/`Integer.parse`, branches answering anything else (`false`, a \
                  default list, `{:noreply, state}`), `true` answered by a predicate (`*?`, `is_*`), bang calls (`Repo.insert!` raises), and \
                  test files and scripts.",
            bad: "def subscribe(user, list) do\n  case Newsletter.add(list, user.email) do\n    {:ok, _} -> :ok\n    {:error, _} -> :ok\n  end\nend\n\ndef touch(user) do\n  _ = Repo.update(User.seen_changeset(user))\n  user\nend",
            good: "def subscribe(user, list) do\n  case Newsletter.add(list, user.email) do\n    {:ok, _} -> :ok\n    {:error, reason} ->\n      Logger.warning(\"newsletter signup failed: #{inspect(reason)}\")\n      {:error, reason}\n  end\nend\n\ndef touch(user) do\n  Repo.update!(User.seen_changeset(user))\nend",
            fix: "Return the error (`{:error, reason}`) and let the caller decide, log it with \
                  the reason, or — when failure really does not matter — match the reasons you \
                  expect explicitly. For `Repo` writes, handle `{:error, changeset}` or use the \
                  bang variant so a failure raises.",
        },
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

/// Writes that return `{:error, changeset}` instead of raising.
const FALLIBLE_REPO_WRITES: &[&str] = &["insert", "update", "delete", "insert_or_update"];

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    let src = ctx.source;
    for (call, remote) in ctx.calls_with_remote() {
        for clause in error_clauses(call, src) {
            check_clause(ctx, clause, out);
        }
        if let Some(write) = repo_write_of(call, remote)
            && is_dropped_statement(pipeline_top(call, src))
        {
            out.push(discarded(ctx, call, write, "drops"));
        }
    }
    for op in &ctx.nodes().binary_operators {
        if elixir::operator(*op, src) != "="
            || op
                .field("left")
                .is_none_or(|l| l.kind() != "identifier" || !text(l, src).starts_with('_'))
        {
            continue;
        }
        if let Some(call) = op.field("right")
            && let Some(write) = repo_write(call, src)
        {
            out.push(discarded(ctx, call, write, "discards"));
        }
    }
}

/// The clauses of a `case … do` or of the `else` of a `with`.
fn error_clauses<'t>(call: Node<'t>, src: &str) -> Vec<Node<'t>> {
    // Only a `case` or a `with` has them: the text first.
    if !(elixir::starts_with(call, src, "case") || elixir::starts_with(call, src, "with")) {
        return Vec::new();
    }
    let Some(block) = elixir::do_block_in(call, src) else {
        return Vec::new();
    };
    let block = match elixir::local_call_name(call, src) {
        Some("case") => block,
        Some("with") => {
            let mut cursor = block.walk();
            let Some(else_block) = block
                .named_children(&mut cursor)
                .find(|c| c.kind() == "else_block")
            else {
                return Vec::new();
            };
            else_block
        }
        _ => return Vec::new(),
    };
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "stab_clause")
        .collect()
}

fn check_clause(ctx: &LintContext<'_>, clause: Node<'_>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    let Some(mut pattern) = clause.field("left").and_then(|l| l.named_child(0)) else {
        return;
    };
    if elixir::is_binary_op(pattern, src, "when") {
        let Some(left) = pattern.field("left") else {
            return;
        };
        pattern = left;
    }
    let Some(body) = clause.field("right") else {
        return;
    };
    if !is_any_error(pattern, body, src) {
        return;
    }
    let Some(answer) = last_expression(body).filter(|e| is_success(*e, src)) else {
        return;
    };
    if handles_error(body, src, None) {
        return;
    }
    // A comment in the clause, or between it and the clause before, explains the choice:
    // "account does not exist; fall through to the same neutral response".
    let from = clause
        .prev_named_sibling()
        .map_or(clause.start_byte(), |p| p.end_byte());
    if comment_within(ctx, from..clause.end_byte()) {
        return;
    }
    let function = enclosing_function(clause, src);
    if answer.kind() == "boolean"
        && function
            .as_deref()
            .and_then(|f| f.split('/').next())
            .is_some_and(|n| n.ends_with('?') || n.starts_with("is_"))
    {
        return; // A predicate's `true` is its answer: "no file, so it was generated without assets".
    }
    let place = match &function {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let message = format!(
        "`{} -> {}`{place} turns a failure into success without logging it",
        text(pattern, src),
        first_line(text(answer, src))
    );
    out.push(Finding::new(&RULE.meta, pattern.byte_range(), message));
}

/// `{:error, _}`, `{:error, _reason}`, `{:error, reason}` with `reason` unused in the body, and
/// the same with more elements (`{:error, _op, _value, _changes}` of `Ecto.Multi`).
fn is_any_error(pattern: Node<'_>, body: Node<'_>, src: &str) -> bool {
    if pattern.kind() != "tuple" {
        return false;
    }
    let mut cursor = pattern.walk();
    let items: Vec<Node<'_>> = pattern
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    if items.len() < 2 || text(items[0], src) != ":error" {
        return false;
    }
    items[1..].iter().all(|item| {
        item.kind() == "identifier" && {
            let name = text(*item, src);
            name.starts_with('_') || !uses(body, src, name)
        }
    })
}

fn uses(body: Node<'_>, src: &str, name: &str) -> bool {
    let mut found = false;
    elixir::walk(body, &mut |n| {
        found |= n.kind() == "identifier" && text(n, src) == name;
        !found
    });
    found
}

/// `:ok`, `{:ok, …}`, `nil`, `true`.
fn is_success(expr: Node<'_>, src: &str) -> bool {
    match expr.kind() {
        "atom" => text(expr, src) == ":ok",
        "nil" => true,
        "boolean" => text(expr, src) == "true",
        "tuple" => expr
            .named_child(0)
            .is_some_and(|first| text(first, src) == ":ok"),
        _ => false,
    }
}

/// `Repo.insert` etc. (any module named `…Repo`) with arguments: the function's name.
fn repo_write<'a>(call: Node<'_>, src: &'a str) -> Option<&'a str> {
    repo_write_of(call, elixir::remote_call(call, src))
}

/// [`repo_write`] of a call whose `elixir::remote_call` is `remote`.
fn repo_write_of<'a>(call: Node<'_>, remote: Option<(&'a str, &'a str)>) -> Option<&'a str> {
    let (module, function) = remote?;
    let is_repo = module == "Repo" || module.ends_with(".Repo");
    (is_repo && FALLIBLE_REPO_WRITES.contains(&function) && elixir::has_arguments(call))
        .then_some(function)
}

fn discarded(ctx: &LintContext<'_>, call: Node<'_>, function: &str, verb: &str) -> Finding {
    let src = ctx.source;
    let place = match enclosing_function(call, src) {
        Some(f) => format!(" in `{f}`"),
        None => String::new(),
    };
    let module = elixir::remote_call(call, src).map_or("Repo", |(m, _)| m);
    let message = format!(
        "`{module}.{function}/{}`{place} {verb} its result: an `{{:error, changeset}}` goes \
         unnoticed; handle it or use `{function}!`",
        elixir::call_args(call).len() + usize::from(piped_into(call, src).is_some())
    );
    Finding::new(&RULE.meta, call.byte_range(), message)
}

/// The whole pipeline `call` ends, or `call` itself when it is not a pipe's last step.
fn pipeline_top<'t>(call: Node<'t>, src: &str) -> Node<'t> {
    let mut node = call;
    while let Some(parent) = node.parent()
        && elixir::is_binary_op(parent, src, "|>")
        && parent.field("right") == Some(node)
    {
        node = parent;
    }
    node
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "swallowed-error";
    const PATH: &str = "lib/shop/accounts.ex";

    #[test]
    fn flags_errors_turned_into_success() {
        let src = r#"defmodule Shop.Accounts do
  alias Shop.Repo

  def subscribe(user, list) do
    case Newsletter.add(list, user.email) do
      {:ok, _} -> :ok
      {:error, _} -> :ok
    end
  end

  def avatar_url(user) do
    with {:ok, url} <- Storage.signed_url(user.avatar) do
      url
    else
      {:error, reason} -> nil
    end
  end

  def place(order) do
    Ecto.Multi.new()
    |> Ecto.Multi.insert(:order, order)
    |> Repo.transaction()
    |> case do
      {:ok, %{order: order}} -> {:ok, order}
      {:error, _op, _value, _changes} -> {:ok, nil}
    end
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`{:error, _} -> :ok` in `subscribe/2` turns a failure into success without logging it",
                "`{:error, reason} -> nil` in `avatar_url/1` turns a failure into success without logging it",
                "`{:error, _op, _value, _changes} -> {:ok, nil}` in `place/1` turns a failure into success without logging it",
            ]
        );
    }

    #[test]
    fn flags_discarded_repo_writes() {
        let src = r#"defmodule Shop.Accounts do
  alias Shop.Repo

  def touch(user) do
    _ = Repo.update(User.seen_changeset(user))
    user
  end

  def log_visit(user, path) do
    %Visit{user_id: user.id, path: path}
    |> Shop.Repo.insert()

    :ok
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`Repo.update/1` in `touch/1` discards its result: an `{:error, changeset}` goes unnoticed; handle it or use `update!`",
                "`Shop.Repo.insert/1` in `log_visit/2` drops its result: an `{:error, changeset}` goes unnoticed; handle it or use `insert!`",
            ]
        );
        let stmt = "defmodule A do\n  def f(cs) do\n    Repo.insert(cs)\n    :ok\n  end\nend\n";
        let found = findings_of(stmt, PATH, CODE);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("`Repo.insert/1` in `f/1` drops its result")
        );
    }

    #[test]
    fn handled_and_specific_errors_are_fine() {
        let src = r#"defmodule Shop.Accounts do
  require Logger
  alias Shop.Repo

  def subscribe(user, list) do
    case Newsletter.add(list, user.email) do
      {:ok, _} -> :ok
      {:error, :already_subscribed} -> :ok
      {:error, reason} ->
        Logger.warning("signup failed: #{inspect(reason)}")
        :ok
    end
  end

  def fetch_avatar(user) do
    case Storage.get(user.avatar) do
      {:ok, data} -> data
      {:error, reason} -> {:error, reason}
      {:error, _} = error -> error
    end
  end

  def port(value) do
    case Integer.parse(value) do
      {n, ""} -> n
      :error -> nil
    end
  end

  def exists?(path) do
    case File.stat(path) do
      {:ok, _} -> true
      {:error, _} -> false
    end
  end

  defp missing_assets? do
    case File.read("assets/js/app.js") do
      {:ok, content} -> not (content =~ "phoenix_html")
      {:error, _} -> true
    end
  end

  def touch(user) do
    Repo.update!(User.seen_changeset(user))
    {:ok, _} = Repo.insert(Visit.changeset(user))
    result = Repo.delete(user)
    result
  end

  def handle_info({:error, _}, state), do: {:noreply, state}

  def request_otp(phone) do
    case Accounts.fetch_by_phone(phone) do
      {:ok, user} -> Otp.send(user)
      {:error, _} ->
        # Unknown number: answer like a known one so callers cannot enumerate accounts.
        :ok
    end
  end

  def resolve_invite(_, %{email: email}, _) do
    case Invites.send(email) do
      {:ok, invite} -> {:ok, %{invite: invite}}
      {:error, _} -> {:ok, %{errors: [%{message: "Could not send the invitation"}]}}
    end
  end

  def create(attrs) do
    %User{}
    |> User.changeset(attrs)
    |> Repo.insert()
  end
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert!(found.is_empty(), "{found:#?}");
        let test = "defmodule ATest do\n  test \"x\" do\n    _ = Repo.insert(cs)\n  end\nend\n";
        assert!(findings_of(test, "test/a_test.exs", CODE).is_empty());
        let seeds = "Repo.insert(%User{name: \"admin\"})\nRepo.insert(%User{name: \"b\"})\n";
        assert!(findings_of(seeds, "priv/repo/seeds.exs", CODE).is_empty());
    }
}
