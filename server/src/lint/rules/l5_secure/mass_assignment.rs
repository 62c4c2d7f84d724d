//! `mass-assignment`: `cast/3` whose permitted fields are computed from the params themselves
//! or are every field of the schema.

use crate::lint::analysis::taint::{Flow, Root, SinkHit, SinkKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::project::lookup;
use crate::syntax::elixir;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "mass-assignment",
        level: 5,
        severity: Severity::Warning,
        fixable: false,
        summary: "`cast/3` permitting fields computed from the params or every schema field",
        docs: RuleDocs {
            why: "The permitted list of `Ecto.Changeset.cast/3` is what stops a form from \
                  setting `is_admin`, `role` or `balance`. Permitting `Map.keys(params)` or \
                  `__schema__(:fields)` lets any client set every field. Flagged: a permitted \
                  list computed from request input, from the params argument of the same \
                  `cast` (`cast(user, attrs, Map.keys(attrs))`), or from \
                  `__schema__(:fields)` (also minus a few fields). Not flagged: literal lists and \
                  module attributes (`@required ++ @optional`), `__schema__(:fields)` of an \
                  `embedded_schema` (settings and form objects whose fields are all the user's; \
                  also another module's, `Settings.__schema__(:fields)`, when the project \
                  index knows it is one), test files and seeds.",
            bad: "def changeset(user, attrs) do\n  user\n  |> cast(attrs, __MODULE__.__schema__(:fields))\n  |> validate_required([:email])\nend",
            good: "@fields [:email, :name]\n\ndef changeset(user, attrs) do\n  user\n  |> cast(attrs, @fields)\n  |> validate_required([:email])\nend",
            fix: "List the fields a user may set, explicitly, in the changeset for that use \
                  (`registration_changeset/2`, `admin_changeset/2`).",
        },
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.project_rel.starts_with("priv/") {
        return;
    }
    let flow = ctx.flow();
    for hit in flow.of(SinkKind::CastPermitted) {
        let params = flow
            .of(SinkKind::CastParams)
            .find(|p| p.call == hit.call && p.through == hit.through);
        let Some(reason) = reason(hit, params) else {
            continue;
        };
        if reason.starts_with("every field")
            && (in_embedded_schema(ctx, hit.call) || of_embedded_schema(ctx, hit))
        {
            continue;
        }
        let message = format!(
            "Mass assignment: `cast` in `{}` permits {reason}; list the fields users may set",
            hit.function
        );
        out.push(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
}

/// Whether `node` is in a module defining an `embedded_schema`: a form or settings object whose
/// fields are all meant to be filled in by its user (no ownership or role columns).
fn in_embedded_schema(ctx: &LintContext<'_>, node: crate::syntax::Node<'_>) -> bool {
    ctx.modules()
        .iter()
        .rfind(|m| m.def.node.byte_range().contains(&node.start_byte()))
        .and_then(|m| m.def.body)
        .is_some_and(|body| {
            elixir::block_statements(body)
                .iter()
                .any(|s| elixir::is_local_call(*s, ctx.source, "embedded_schema"))
        })
}

/// Whether the fields are those of another module's `embedded_schema`
/// (`Settings.__schema__(:fields)`), known from the file or the project index.
fn of_embedded_schema(ctx: &LintContext<'_>, hit: &SinkHit<'_>) -> bool {
    let Some(i) = ctx.names().module_at(ctx.modules(), hit.call.start_byte()) else {
        return false;
    };
    let sources: Vec<&str> = hit
        .taint
        .flows
        .iter()
        .filter_map(|f| match &f.root {
            Root::AllFields { source } => Some(source.as_str()),
            _ => None,
        })
        .collect();
    !sources.is_empty()
        && sources.iter().all(|source| {
            source
                .split_once(".__schema__")
                .map(|(module, _)| module.trim())
                .filter(|m| !m.is_empty() && *m != "__MODULE__")
                .is_some_and(|m| lookup::is_embedded_schema(ctx, i, m))
        })
}

fn reason(permitted: &SinkHit<'_>, params: Option<&SinkHit<'_>>) -> Option<String> {
    let flows = &permitted.taint.flows;
    if let Some(f) = flows
        .iter()
        .find(|f| matches!(f.root, Root::AllFields { .. }))
    {
        return Some(format!(
            "every field of the schema ({})",
            f.describe_source()
        ));
    }
    if let Some(f) = permitted.request_flow(|_| true) {
        return Some(format!(
            "fields chosen by the request ({})",
            f.describe_source()
        ));
    }
    let shares_root =
        |f: &Flow| params.is_some_and(|p| p.taint.flows.iter().any(|q| q.root == f.root));
    let f = flows.iter().find(|f| shares_root(f))?;
    Some(format!(
        "whatever keys its params have ({} is computed from them)",
        f.describe_source()
    ))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "mass-assignment";

    fn found(src: &str, path: &str) -> Vec<String> {
        findings_of(src, path, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn permitted_lists_from_params_or_every_field() {
        let src = r#"defmodule Shop.Accounts.User do
  use Ecto.Schema
  import Ecto.Changeset

  schema "users" do
    field :email, :string
    field :role, :string, default: "customer"
  end

  def changeset(user, attrs) do
    user
    |> cast(attrs, __MODULE__.__schema__(:fields) -- [:id])
    |> validate_required([:email])
  end

  def update_changeset(user, attrs) do
    keys = attrs |> Map.keys() |> Enum.map(&String.to_existing_atom/1)
    cast(user, attrs, keys)
  end
end
"#;
        let messages = found(src, "lib/shop/accounts/user.ex");
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("every field of the schema"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("`update_changeset/2`") && messages[1].contains("whatever keys"),
            "{}",
            messages[1]
        );
    }

    #[test]
    fn embedded_settings_may_cast_every_field() {
        let src = r#"defmodule Shop.Accounts.Settings do
  use Ecto.Schema
  import Ecto.Changeset

  @primary_key false
  embedded_schema do
    field :email_on_reply, :boolean, default: true
    field :weekly_digest, :boolean, default: true
  end

  def changeset(settings, attrs), do: cast(settings, attrs, __MODULE__.__schema__(:fields))
end
"#;
        assert_eq!(
            found(src, "lib/shop/accounts/settings.ex"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn explicit_lists_are_fine() {
        let src = r#"defmodule Shop.Accounts.User do
  use Ecto.Schema
  import Ecto.Changeset

  @required [:email]
  @optional [:name]

  schema "users" do
    field :email, :string
    field :name, :string
  end

  def changeset(user, attrs) do
    user
    |> cast(attrs, @required ++ @optional)
    |> validate_required(@required)
  end

  def admin_changeset(user, attrs, fields) do
    cast(user, attrs, fields)
  end
end
"#;
        assert_eq!(
            found(src, "lib/shop/accounts/user.ex"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_field_of_another_module_s_embedded_schema_is_fine() {
        let settings = "defmodule Shop.Accounts.Settings do\n  use Ecto.Schema\n\n  embedded_schema do\n    field :locale, :string\n    field :newsletter, :boolean\n  end\nend\n";
        let user = "defmodule Shop.Accounts.User do\n  use Ecto.Schema\n\n  schema \"users\" do\n    field :email, :string\n    field :role, :string\n  end\nend\n";
        let accounts = r#"defmodule Shop.Accounts do
  import Ecto.Changeset
  alias Shop.Accounts.{Settings, User}

  def change_settings(%Settings{} = settings, attrs) do
    cast(settings, attrs, Settings.__schema__(:fields))
  end

  def change_user(%User{} = user, attrs) do
    cast(user, attrs, User.__schema__(:fields))
  end
end
"#;
        let files = [
            ("lib/shop/accounts/settings.ex", settings),
            ("lib/shop/accounts/user.ex", user),
            ("lib/shop/accounts.ex", accounts),
        ];
        let found = findings_in_project(&files, "lib/shop/accounts.ex", CODE);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:#?}");
        assert!(messages[0].contains("change_user/2"), "{messages:#?}");
        // Without the index, `Settings` is not known to be embedded: both are reported.
        assert_eq!(found_in_file_alone(accounts), 2);
    }

    fn found_in_file_alone(src: &str) -> usize {
        findings_of(src, "lib/shop/accounts.ex", CODE).len()
    }
}
