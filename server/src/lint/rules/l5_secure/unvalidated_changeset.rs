//! `unvalidated-changeset`: a function that casts external params with `Ecto.Changeset.cast`
//! but never validates them.
//!
//! Validation is looked for across the module, not only in the casting function:
//! - a call whose name says it validates (`validate_*`, `unsafe_validate_unique`, a helper such
//!   as `maybe_validate_email`), a `*_constraint`, or `add_error`;
//! - a call to a function of the same module that validates (transitively), so
//!   `|> cast(...) |> validate_password()` and `|> cast(...) |> changeset(attrs)` are fine;
//! - a call to another changeset function (`User.changeset/2`, or a `*changeset` imported by
//!   `use MyApp.Schema`), which is presumed to validate;
//! - a helper that only casts is fine when every function of the module that calls it
//!   validates afterwards (`%User{} |> base_changeset(attrs) |> validate_required(...)`).
//!
//! `cast_embed`/`cast_assoc` validate the children, not the parent's fields, so they do not
//! count. Casts that need no validation are skipped: an empty permitted list, schemaless casts
//! (`{data, types} |> cast(...)`: search forms), params written as a map literal (values the
//! code computed), and casts of fields that the schema of the same module declares `:boolean`,
//! `Ecto.Enum`, a date or a time, or that are named `*_at`: casting already rejects anything
//! invalid.

use crate::syntax::Fields as _;
use std::collections::HashMap;

use crate::syntax::Node;

use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::elixir;
use crate::syntax::module_model::{Function, ModuleModel};
use crate::syntax::text;

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unvalidated-changeset",
        level: 5,
        severity: Severity::Warning,
        summary: "A changeset function that calls `cast` but never validates",
        docs: RuleDocs {
            why: "`cast/3` only converts types: any permitted field can be set to any value of \
                  its type, blank strings become `nil`, and database constraint violations raise \
                  instead of returning `{:error, changeset}`. A changeset that takes params from \
                  a form or an API without `validate_required`, `validate_length`, \
                  `validate_format`, `unique_constraint`… lets malformed or hostile input reach \
                  the database. Not flagged: functions that validate through another function of \
                  the module (or a `*changeset` of another module), cast-only helpers whose \
                  callers in the module all validate, empty permitted lists, schemaless casts \
                  (`{data, types}`), params written as a map literal, casts of only \
                  boolean, `Ecto.Enum`, date/time or `*_at` fields, and test files and scripts. \
                  Whether params come from users is not known: a changeset fed only by the \
                  code itself is better written with `change/2`.",
            bad: "def changeset(post, attrs) do\n  post\n  |> cast(attrs, [:title, :body, :author_id])\nend",
            good: "def changeset(post, attrs) do\n  post\n  |> cast(attrs, [:title, :body, :author_id])\n  |> validate_required([:title, :body])\n  |> validate_length(:title, max: 200)\n  |> foreign_key_constraint(:author_id)\nend",
            fix: "Add the validations the fields need after `cast`: `validate_required/2` for \
                  mandatory fields, `validate_length`/`validate_format`/`validate_inclusion` for \
                  strings, `unique_constraint`/`foreign_key_constraint` for what the database \
                  enforces. If the params never come from users, `change/2` says so better.",
        },
        // A function without these names neither casts nor validates; one calling such a function
        // names it (the reach follows callers).
        scope: crate::lint::Scope::Mentions(&[
            "cast",
            "validat",
            "_constraint",
            "add_error",
            "changeset",
        ]),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    for module in ctx.modules() {
        check_module(ctx, module, out);
    }
}

/// Whether any call in the module is named `cast` (most Ecto modules of a file are queries or
/// contexts without one): a cheap test before the per-function facts.
fn mentions_cast(ctx: &LintContext<'_>, module: &ModuleModel<'_>) -> bool {
    let range = module.def.node.byte_range();
    let calls = &ctx.nodes().calls;
    let start = calls.partition_point(|c| c.start_byte() < range.start);
    calls[start..]
        .iter()
        .take_while(|c| c.start_byte() < range.end)
        .any(|c| {
            elixir::local_call_name(*c, ctx.source) == Some("cast")
                || elixir::remote_call(*c, ctx.source) == Some(("Ecto.Changeset", "cast"))
        })
}

/// What one function does with changesets.
#[derive(Default)]
struct Facts<'t> {
    /// Its Ecto `cast` calls that may need validation, with their arity.
    casts: Vec<(Node<'t>, usize)>,
    /// Whether it calls a validation directly.
    validates: bool,
    /// Functions of the module it calls, as indexes.
    callees: Vec<usize>,
}

fn check_module<'t>(ctx: &LintContext<'t>, module: &ModuleModel<'t>, out: &mut Vec<Finding>) {
    let src = ctx.source;
    if !uses_ecto(src, module) || !mentions_cast(ctx, module) {
        return;
    }
    let by_name = function_index(module);
    let self_validating = self_validating_fields(module, src);
    let facts: Vec<Facts<'t>> = module
        .functions
        .iter()
        .map(|f| facts_of(ctx, module, f, &by_name, &self_validating))
        .collect();
    if facts.iter().all(|f| f.casts.is_empty()) {
        return;
    }
    let mut validates: Vec<bool> = facts.iter().map(|f| f.validates).collect();
    loop {
        let mut changed = false;
        for (i, f) in facts.iter().enumerate() {
            if !validates[i] && f.callees.iter().any(|c| validates[*c]) {
                validates[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (i, f) in facts.iter().enumerate() {
        let Some((cast, arity)) = f.casts.first() else {
            continue;
        };
        if validates[i] {
            continue;
        }
        let callers: Vec<usize> = (0..facts.len())
            .filter(|j| *j != i && facts[*j].callees.contains(&i))
            .collect();
        if !callers.is_empty() && callers.iter().all(|j| validates[*j]) {
            continue;
        }
        out.push(Finding::new(
            &RULE.meta,
            cast.byte_range(),
            format!(
                "`{}` casts params with `cast/{arity}` but never validates them (no \
                 `validate_*` or `*_constraint`)",
                module.functions[i].label()
            ),
        ));
    }
}

/// What [`unit_summary`] reads of a whole module, computed once per module.
pub(crate) struct Prepared<'t> {
    by_name: HashMap<(&'t str, usize), usize>,
    self_validating: SelfValidating<'t>,
}

/// [`Prepared`] for `module`.
pub(crate) fn prepare<'t>(module: &ModuleModel<'t>, src: &'t str) -> Prepared<'t> {
    Prepared {
        by_name: function_index(module),
        self_validating: self_validating_fields(module, src),
    }
}

/// What the incremental re-lint needs of the functions of one unit of `module` (starting at
/// byte `start`, with text `text`): `(visible, own, may_find, names_ecto)`. `visible` hashes
/// what the module's fixpoint reads of them (whether each validates, whom it calls, whether it
/// casts, and whether the text names `Ecto.Changeset`); `own` what their own findings read
/// besides (each label and first cast, relative to `start`); `may_find` whether any casts;
/// `names_ecto` whether the text names `Ecto.Changeset`, the one thing the file's other
/// modules read of it ([`uses_ecto`] looks at the whole file). With `visible` unchanged every
/// decision of the module stays; with `own` unchanged too, so do the unit's findings. `ctx`
/// must hold the unit's calls.
pub(crate) fn unit_summary<'t>(
    ctx: &LintContext<'t>,
    module: &ModuleModel<'t>,
    prepared: &Prepared<'t>,
    functions: &[&Function<'t>],
    start: usize,
    text: &str,
) -> (u64, u64, bool, bool) {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let Prepared {
        by_name,
        self_validating,
    } = prepared;
    let (mut visible, mut own) = (DefaultHasher::new(), DefaultHasher::new());
    let names_ecto = text.contains("Ecto.Changeset");
    names_ecto.hash(&mut visible);
    let mut may_find = false;
    for function in functions {
        let facts = facts_of(ctx, module, function, by_name, self_validating);
        (function.name, function.arity, facts.validates).hash(&mut visible);
        facts.casts.is_empty().hash(&mut visible);
        for c in &facts.callees {
            let callee = &module.functions[*c];
            (callee.name, callee.min_arity, callee.arity).hash(&mut visible);
        }
        0xffu8.hash(&mut visible);
        may_find |= !facts.casts.is_empty();
        function.label().hash(&mut own);
        if let Some((cast, arity)) = facts.casts.first() {
            (
                cast.start_byte().saturating_sub(start),
                cast.end_byte().saturating_sub(start),
                arity,
            )
                .hash(&mut own);
        }
    }
    (visible.finish(), own.finish(), may_find, names_ecto)
}

/// Whether the module works with Ecto changesets: it `use`s a schema, or the file mentions
/// `Ecto.Changeset` (`import Ecto.Changeset`). A local `cast/3` elsewhere is someone else's.
fn uses_ecto(src: &str, module: &ModuleModel<'_>) -> bool {
    module
        .uses
        .iter()
        .any(|u| u.contains("Schema") || u.starts_with("Ecto"))
        || module
            .use_kinds
            .iter()
            .any(|k| matches!(*k, ":model" | ":schema"))
        || src.contains("Ecto.Changeset")
}

/// `(name, arity)` → index in `module.functions`, for every arity a function defines.
fn function_index<'t>(module: &ModuleModel<'t>) -> HashMap<(&'t str, usize), usize> {
    let mut index = HashMap::new();
    for (i, f) in module.functions.iter().enumerate() {
        for arity in f.min_arity..=f.arity {
            index.entry((f.name, arity)).or_insert(i);
        }
    }
    index
}

fn facts_of<'t>(
    ctx: &LintContext<'t>,
    module: &ModuleModel<'t>,
    function: &Function<'t>,
    by_name: &HashMap<(&'t str, usize), usize>,
    self_validating: &SelfValidating<'_>,
) -> Facts<'t> {
    let src = ctx.source;
    let calls = &ctx.nodes().calls;
    let mut facts = Facts::default();
    for clause in &function.clauses {
        let Some(body) = clause.body else {
            continue;
        };
        let range = body.byte_range();
        let start = calls.partition_point(|c| c.start_byte() < range.start);
        for (call, remote) in calls[start..]
            .iter()
            .zip(&ctx.remote_calls()[start..])
            .take_while(|(c, _)| c.start_byte() < range.end)
        {
            classify(
                src,
                module,
                *call,
                *remote,
                by_name,
                self_validating,
                &mut facts,
            );
        }
    }
    facts
}

/// Records what `call` (whose `elixir::remote_call` is `remote`) means for validation.
fn classify<'t>(
    src: &'t str,
    module: &ModuleModel<'t>,
    call: Node<'t>,
    remote: Option<(&'t str, &'t str)>,
    by_name: &HashMap<(&'t str, usize), usize>,
    self_validating: &SelfValidating<'_>,
    facts: &mut Facts<'t>,
) {
    // Most calls are none of a cast, a validation, a changeset or a function of this module:
    // decide that from the name alone before looking at arguments.
    let (name, local) = match elixir::local_call_name(call, src) {
        Some(name) => (name, true),
        None => match remote {
            Some((_, name)) => (name, false),
            None => return,
        },
    };
    let relevant = name == "cast"
        || name.contains("validat")
        || name.ends_with("_constraint")
        || name == "add_error"
        || name.ends_with("changeset")
        || (local && (0..=9).any(|a| by_name.contains_key(&(name, a))));
    if !relevant {
        return;
    }
    // A capture (`with: &Email.changeset/2`, `&child_changeset(&1, &2, opts)`) hands the
    // function to cast_assoc/cast_embed: it validates the children, not this changeset.
    if is_captured(call, src) || !elixir::has_arguments(call) {
        return;
    }
    let piped = call
        .parent()
        .is_some_and(|p| elixir::is_binary_op(p, src, "|>") && p.field("right") == Some(call));
    let args = elixir::call_args(call);
    let arity = args.len() + usize::from(piped);
    let (name, local) = if let Some(name) = elixir::local_call_name(call, src) {
        (name, true)
    } else if let Some((target, name)) = remote {
        if name == "cast" && matches!(target, "Ecto.Changeset" | "Changeset") {
            record_cast(
                src,
                module,
                call,
                &args,
                piped,
                arity,
                self_validating,
                facts,
            );
            return;
        }
        (name, false)
    } else {
        return;
    };
    if name.contains("validat") || name.ends_with("_constraint") || name == "add_error" {
        facts.validates = true;
        return;
    }
    if local {
        if let Some(i) = by_name.get(&(name, arity)) {
            facts.callees.push(*i);
            return;
        }
        if name == "cast" && matches!(arity, 3 | 4) {
            record_cast(
                src,
                module,
                call,
                &args,
                piped,
                arity,
                self_validating,
                facts,
            );
            return;
        }
    }
    if name.ends_with("changeset") {
        // `User.changeset/2`, or a base changeset brought in by `use MyApp.Schema`.
        facts.validates = true;
    }
}

/// Whether `call` is the operand of a capture: `&f/1`, `&M.f/2`, `&f(&1, x)`.
fn is_captured(call: Node<'_>, src: &str) -> bool {
    let is_capture = |n: Node<'_>| n.kind() == "unary_operator" && elixir::operator(n, src) == "&";
    match call.parent() {
        Some(p) if is_capture(p) => true,
        Some(p) if elixir::is_binary_op(p, src, "/") => p.parent().is_some_and(is_capture),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn record_cast<'t>(
    src: &'t str,
    module: &ModuleModel<'t>,
    call: Node<'t>,
    args: &[Node<'t>],
    piped: bool,
    arity: usize,
    self_validating: &SelfValidating<'_>,
    facts: &mut Facts<'t>,
) {
    let data = if piped {
        call.parent().and_then(|p| p.field("left"))
    } else {
        args.first().copied()
    };
    if data.is_some_and(|d| d.kind() == "tuple") {
        return;
    }
    // `cast(data, %{key: new_key}, [:key])`: values computed by the code, not external params.
    let params = args.get(if piped { 0 } else { 1 });
    if params.is_some_and(|p| p.kind() == "map") {
        return;
    }
    let permitted = args.get(if piped { 1 } else { 2 }).copied();
    if let Some(fields) = permitted.and_then(|p| permitted_atoms(p, module, src)) {
        // Also true of an empty list: nothing is cast. `*_at` fields are timestamps whose
        // type cast is their validation, even when the schema is not in this module.
        if fields
            .iter()
            .all(|f| self_validating.fields.contains(f) || f.ends_with("_at"))
        {
            return;
        }
    } else if self_validating.all && permitted.is_some_and(|p| is_all_fields(p, src)) {
        return;
    }
    facts.casts.push((call, arity));
}

/// The atoms of a permitted list: a literal, a module attribute holding one (`@fields`), or a
/// concatenation of those (`@required ++ @optional`); `None` when computed otherwise.
fn permitted_atoms<'a>(
    node: Node<'_>,
    module: &ModuleModel<'a>,
    src: &'a str,
) -> Option<Vec<&'a str>> {
    if elixir::is_binary_op(node, src, "++") {
        let mut left = permitted_atoms(node.field("left")?, module, src)?;
        left.extend(permitted_atoms(node.field("right")?, module, src)?);
        return Some(left);
    }
    if let Some(attr) = elixir::attribute(node, src).filter(|a| a.value.is_none()) {
        let value = module.attribute(attr.name)?.value?;
        return literal_atoms(value, src);
    }
    literal_atoms(node, src)
}

/// The atoms of `[:a, :b]` or `~w(a b)a`; `None` when not literal.
fn literal_atoms<'a>(node: Node<'_>, src: &'a str) -> Option<Vec<&'a str>> {
    match node.kind() {
        "list" => node
            .named_children(&mut node.walk())
            .filter(|n| n.kind() != "comment")
            .map(|n| (n.kind() == "atom").then(|| text(n, src).trim_start_matches(':')))
            .collect(),
        "sigil" => {
            let t = text(node, src);
            let body = t.strip_prefix("~w")?.strip_suffix('a')?;
            let inner = body.get(1..body.len().checked_sub(1)?)?;
            Some(inner.split_whitespace().collect())
        }
        _ => None,
    }
}

/// `__MODULE__.__schema__(:fields)` / `__schema__(:fields)`: every field of the schema.
fn is_all_fields(node: Node<'_>, src: &str) -> bool {
    let t = text(node, src);
    t.ends_with("__schema__(:fields)")
}

/// Field types whose cast rejects every invalid value: nothing is left to validate.
const SELF_VALIDATING_TYPES: &[&str] = &[
    ":boolean",
    "Ecto.Enum",
    ":date",
    ":time",
    ":time_usec",
    ":naive_datetime",
    ":naive_datetime_usec",
    ":utc_datetime",
    ":utc_datetime_usec",
];

/// The fields of the module's own schema whose type makes `cast` a complete validation
/// (booleans, enums, dates and times).
#[derive(Default)]
struct SelfValidating<'t> {
    /// Their names.
    fields: Vec<&'t str>,
    /// Whether the schema has fields and all of them are such fields.
    all: bool,
}

fn self_validating_fields<'t>(module: &ModuleModel<'t>, src: &'t str) -> SelfValidating<'t> {
    let Some(body) = module.def.body else {
        return SelfValidating::default();
    };
    let mut fields = Vec::new();
    let mut others = 0;
    for stmt in elixir::block_statements(body) {
        if !matches!(
            elixir::local_call_name(stmt, src),
            Some("schema" | "embedded_schema")
        ) {
            continue;
        }
        let Some(block) = elixir::do_block(stmt) else {
            continue;
        };
        for field in elixir::block_statements(block) {
            let args = elixir::call_args(field);
            let typed = match elixir::local_call_name(field, src) {
                Some("field") => match (args.first(), args.get(1)) {
                    (Some(name), Some(ty))
                        if name.kind() == "atom"
                            && SELF_VALIDATING_TYPES.contains(&text(*ty, src)) =>
                    {
                        Some(text(*name, src).trim_start_matches(':'))
                    }
                    _ => None,
                },
                // timestamps() are not cast from params; associations are cast elsewhere.
                Some("timestamps" | "has_many" | "has_one" | "many_to_many") => continue,
                _ => None,
            };
            match typed {
                Some(name) => fields.push(name),
                None => others += 1,
            }
        }
    }
    SelfValidating {
        all: !fields.is_empty() && others == 0,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "unvalidated-changeset";
    const PATH: &str = "lib/shop/catalog/product.ex";

    fn flagged(src: &str) -> Vec<String> {
        findings_of(src, PATH, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    /// A `mix phx.gen.auth`-style schema: every casting function validates, directly or
    /// through a private helper.
    const USER: &str = r#"defmodule Shop.Accounts.User do
  use Ecto.Schema
  import Ecto.Changeset

  schema "users" do
    field :email, :string
    field :password, :string, virtual: true, redact: true
    field :hashed_password, :string, redact: true
    field :confirmed_at, :naive_datetime
    field :newsletter, :boolean, default: false
    field :role, Ecto.Enum, values: [:customer, :admin]

    timestamps(type: :utc_datetime)
  end

  def registration_changeset(user, attrs, opts \\ []) do
    user
    |> cast(attrs, [:email, :password])
    |> validate_email(opts)
    |> validate_password(opts)
  end

  defp validate_email(changeset, opts) do
    changeset
    |> validate_required([:email])
    |> validate_format(:email, ~r/^[^\s]+@[^\s]+$/, message: "must have the @ sign and no spaces")
    |> validate_length(:email, max: 160)
    |> maybe_validate_unique_email(opts)
  end

  defp validate_password(changeset, opts) do
    changeset
    |> validate_required([:password])
    |> validate_length(:password, min: 12, max: 72)
    |> maybe_hash_password(opts)
  end

  defp maybe_hash_password(changeset, _opts), do: changeset

  defp maybe_validate_unique_email(changeset, opts) do
    if Keyword.get(opts, :validate_email, true) do
      changeset
      |> unsafe_validate_unique(:email, Shop.Repo)
      |> unique_constraint(:email)
    else
      changeset
    end
  end

  def email_changeset(user, attrs, opts \\ []) do
    user
    |> cast(attrs, [:email])
    |> validate_email(opts)
    |> case do
      %{changes: %{email: _}} = changeset -> changeset
      %{} = changeset -> add_error(changeset, :email, "did not change")
    end
  end

  def password_changeset(user, attrs, opts \\ []) do
    user
    |> cast(attrs, [:password])
    |> validate_confirmation(:password, message: "does not match password")
    |> validate_password(opts)
  end

  def preferences_changeset(user, attrs) do
    cast(user, attrs, [:newsletter, :role])
  end

  def confirm_changeset(user) do
    now = DateTime.utc_now() |> DateTime.truncate(:second)
    change(user, confirmed_at: now)
  end
end
"#;

    #[test]
    fn generated_auth_schema_is_clean() {
        assert!(flagged(USER).is_empty(), "{:?}", flagged(USER));
    }

    #[test]
    fn cast_without_validation_is_flagged() {
        let src = r#"defmodule Shop.Catalog.Product do
  use Ecto.Schema
  import Ecto.Changeset

  schema "products" do
    field :title, :string
    field :price, :decimal
    field :published, :boolean
    belongs_to :category, Shop.Catalog.Category
    timestamps()
  end

  @doc false
  def changeset(product, attrs) do
    product
    |> cast(attrs, [:title, :price, :published, :category_id])
  end

  def publish_changeset(product, attrs), do: Ecto.Changeset.cast(product, attrs, [:published, :title], empty_values: [])
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].message.contains("`changeset/2`"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("`cast/3`"));
        assert_eq!(
            &src[found[0].range.clone()],
            "cast(attrs, [:title, :price, :published, :category_id])"
        );
        assert!(found[1].message.contains("`publish_changeset/2`"));
        assert!(found[1].message.contains("`cast/4`"));
    }

    #[test]
    fn cast_embed_and_cast_assoc_are_not_validation() {
        let src = r#"defmodule Shop.Orders.Order do
  use Shop.Schema

  schema "orders" do
    field :note, :string
    embeds_one :address, Shop.Orders.Address
    has_many :lines, Shop.Orders.Line
  end

  def changeset(order, attrs) do
    order
    |> cast(attrs, [:note])
    |> cast_embed(:address, with: &address_changeset/2)
    |> cast_assoc(:lines)
  end

  defp address_changeset(address, attrs) do
    address
    |> cast(attrs, [:street, :city])
    |> validate_required([:street, :city])
  end
end
"#;
        let found = flagged(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`changeset/2`"));
    }

    #[test]
    fn helpers_whose_callers_validate_are_fine() {
        // changelog.com style: `insert_changeset` validates, `update_changeset` pipes through
        // it; a cast-only base helper is validated by every caller.
        let src = r#"defmodule Changelog.Topic do
  use Changelog.Schema

  schema "topics" do
    field :name, :string
    field :slug, :string
    field :description, :string
  end

  def insert_changeset(topic, attrs \\ %{}) do
    topic
    |> cast(attrs, ~w(name slug description)a)
    |> validate_required([:name, :slug])
    |> unique_constraint(:slug)
  end

  def update_changeset(topic, attrs \\ %{}) do
    topic
    |> cast(attrs, ~w(description)a)
    |> insert_changeset(attrs)
  end

  defp base(topic, attrs), do: cast(topic, attrs, [:name])

  def rename_changeset(topic, attrs) do
    topic
    |> base(attrs)
    |> validate_length(:name, max: 80)
  end

  def import_changeset(topic, attrs) do
    topic
    |> cast(attrs, [:name, :slug])
    |> Changelog.Topic.Import.changeset(attrs)
  end
end
"#;
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }

    #[test]
    fn casts_that_need_no_validation_are_fine() {
        let src = r#"defmodule Changelog.Person.Settings do
  use Changelog.Schema

  @primary_key false
  embedded_schema do
    field :subscribe_to_contributed_news, :boolean, default: true
    field :email_on_comment_replies, :boolean, default: true
  end

  def changeset(struct, attrs) do
    cast(struct, attrs, __MODULE__.__schema__(:fields))
  end
end

defmodule Hexpm.Repository.Release do
  use Hexpm.Schema

  schema "releases" do
    field :version, :string
    embeds_one :retirement, Hexpm.Repository.ReleaseRetirement
  end

  def retire(release, params) do
    cast(release, params, [])
    |> cast_embed(:retirement, required: true)
  end
end

defmodule Shop.Search do
  import Ecto.Changeset

  @types %{query: :string, page: :integer}

  def changeset(params) do
    {%{}, @types}
    |> cast(params, Map.keys(@types))
    |> apply_action(:search)
  end
end
"#;
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }

    #[test]
    fn permitted_lists_in_attributes_are_read() {
        let src = r#"defmodule Glific.Partners.OrganizationSettings.OutOfOffice do
  use Ecto.Schema
  import Ecto.Changeset

  @toggles [:enabled, :notify]
  @times [:start_time, :end_time]
  @optional_fields [:enabled, :start_time, :message]

  embedded_schema do
    field :enabled, :boolean
    field :notify, :boolean
    field :start_time, :time
    field :end_time, :time
    field :message, :string
  end

  def toggles_changeset(out_of_office, attrs) do
    cast(out_of_office, attrs, @toggles ++ @times)
  end

  def out_of_office_changeset(out_of_office, attrs) do
    out_of_office
    |> cast(attrs, @optional_fields)
  end
end
"#;
        let found = flagged(src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`out_of_office_changeset/2`"));
    }

    #[test]
    fn code_computed_values_and_timestamps_are_fine() {
        // glific: a key the code computed; papercups: a timestamp set by the server.
        let src = r#"defmodule Glific.Clients.Tap do
  import Ecto.Changeset

  def assign_key(data, new_key) do
    data
    |> Ecto.Changeset.cast(%{key: new_key}, [:key])
    |> Glific.Repo.update!()
  end
end

defmodule ChatApi.Conversations.Conversation do
  use Ecto.Schema
  import Ecto.Changeset

  schema "conversations" do
    field :status, :string
    field :last_activity_at, :utc_datetime
    field :closed_on, :date
  end

  def last_activity_changeset(conversation, attrs) do
    conversation
    |> cast(attrs, [:last_activity_at, :closed_on])
  end

  def archive_changeset(conversation, attrs) do
    cast(conversation, attrs, [:archived_at])
  end
end
"#;
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
        // A free-text field next to them still needs validation.
        let with_text = src.replace(
            "[:last_activity_at, :closed_on]",
            "[:last_activity_at, :status]",
        );
        assert_eq!(flagged(&with_text).len(), 1);
    }

    #[test]
    fn other_casts_are_not_ecto() {
        let src = r#"defmodule Shop.Money do
  use Ecto.Type

  def type, do: :integer

  def cast(value) when is_integer(value), do: {:ok, value}
  def cast(_), do: :error

  def load(value), do: {:ok, value}
  def dump(value), do: {:ok, value}

  def parse(value), do: cast(value)
end

defmodule Shop.Pricing do
  import Shop.Converters

  def price(amount, currency, rounding), do: cast(amount, currency, rounding)
end
"#;
        assert!(flagged(src).is_empty(), "{:?}", flagged(src));
    }

    #[test]
    fn tests_and_scripts_are_not_checked() {
        let src = "defmodule Shop.Factory do\n  import Ecto.Changeset\n\n  def build(attrs), do: cast(%Shop.Product{}, attrs, [:title])\nend\n";
        assert_eq!(findings_of(src, PATH, CODE).len(), 1);
        assert!(findings_of(src, "test/support/factory.ex", CODE).is_empty());
        assert!(findings_of(src, "priv/repo/seeds.exs", CODE).is_empty());
    }
}
