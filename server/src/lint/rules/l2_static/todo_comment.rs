//! `todo-comment`: `TODO` tags in comments and at the start of doc attributes (Credo's
//! `Design.TagTODO`, with its default `include_doc: true`).

use super::tags::find_tags;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "todo-comment",
        level: 2,
        severity: Severity::Info,
        fixable: false,
        summary: "`TODO` tags in comments",
        docs: RuleDocs {
            why: WHY,
            bad: BAD,
            good: GOOD,
            fix: "Do the work, or move it to the issue tracker and delete the comment.",
        },
        credo: &["Credo.Check.Design.TagTODO"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    for tag in find_tags(ctx, "TODO") {
        let message = format!("Found a TODO tag: {}", tag.trigger);
        out.push(Finding::new(&RULE.meta, tag.range, message));
    }
}

const WHY: &str = "A `TODO` marks work known to be unfinished. Reported so that it is tracked \
                   rather than forgotten; as in Credo the tag is matched case-insensitively \
                   right after the `#`, and at the very start of a literal `@doc`, \
                   `@moduledoc` or `@shortdoc`. Not flagged: a bare `# TODO` with nothing \
                   after it, the word in the middle of a comment (`# see the TODO list`), and \
                   tags inside strings.";
const BAD: &str = "# TODO: paginate, this loads every order\ndef list_orders(user) do\n  Repo.all(from o in Order, where: o.user_id == ^user.id)\nend";
const GOOD: &str = "# Paginated: see Shop.Pagination.\ndef list_orders(user, page) do\n  Order\n  |> where(user_id: ^user.id)\n  |> Pagination.page(page)\n  |> Repo.all()\nend";

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "todo-comment";

    #[test]
    fn comment_and_doc_tags() {
        let src = "defmodule Shop.Orders do\n  @moduledoc \"\"\"\n  TODO: split into queries and commands\n  \"\"\"\n\n  # TODO: paginate\n  def list_orders(user) do\n    # todo later: preload items\n    Repo.all(Ecto.assoc(user, :orders))\n  end\nend\n";
        let found = findings_of(src, "lib/shop/orders.ex", CODE);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("TODO: split into queries and commands")
        );
        assert!(found[1].message.contains("TODO: paginate"));
        assert_eq!(found[0].severity, crate::lint::Severity::Info);
    }

    #[test]
    fn near_misses_are_fine() {
        let src = "defmodule Shop.Todos do\n  @moduledoc \"Keeps the user's TODO list.\"\n\n  # TODO\n  # Returns the TODO items of a user.\n  @doc \"TODO #{@version}\"\n  def list(user) do\n    label = \"# TODO: not a comment\"\n    Repo.all(from t in Todo, where: t.user_id == ^user.id, select: {t, ^label})\n  end\nend\n";
        assert!(findings_of(src, "lib/shop/todos.ex", CODE).is_empty());
    }
}
