//! `struct-without-type`: a `defstruct` or an Ecto `schema`/`embedded_schema` without
//! `@type t`. Other modules' specs say `User.t()`; without the type, those specs point at
//! nothing (and spec stubs elsewhere can only say `%User{}`).

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::schema_fields;
use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::project::lookup;
use crate::syntax::elixir;
use crate::syntax::text;
use crate::types::format::{LINE_LENGTH, format_struct_type};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "struct-without-type",
        level: 4,
        severity: Severity::Warning,
        fixable: true,
        summary: "`defstruct` or Ecto schema without a `@type t`",
        docs: RuleDocs {
            why: "Specs across the codebase refer to a struct as `Module.t()`. A struct module \
                  without `@type t` leaves those references undefined for Dialyzer and for \
                  readers, and the fields undocumented. Ecto schemas define a struct too. Not \
                  flagged: test files and scripts, and modules with `@type t`, `@opaque t` or \
                  `@typep t` in any form.",
            bad: "defmodule Shop.Order do\n  defstruct [:id, items: [], total: 0]\nend",
            good: "defmodule Shop.Order do\n  @type t :: %__MODULE__{id: term(), items: list(), total: integer()}\n  defstruct [:id, items: [], total: 0]\nend",
            fix: "Inserts `@type t :: %__MODULE__{...}` above `defstruct`, listing the fields with \
                  types inferred from their defaults (`term()` where there is none), to be \
                  refined by hand. For an Ecto schema the stub lists what the schema defines: \
                  `__meta__`, the primary key (`@primary_key`), each `field` typed from its Ecto \
                  type (`:string` → `String.t() | nil`), associations (`User.t() | \
                  Ecto.Association.NotLoaded.t() | nil`, lists for `has_many`), their foreign \
                  keys (`@foreign_key_type`), embeds and `timestamps` (`@timestamps_opts`). An \
                  associated module is named `Mod.t()` only when it defines that type, \
                  `%Mod{}` otherwise. A schema with statements the stub cannot type (project \
                  macros, inline embeds) gets the finding without a fix.",
        },
        scope: crate::lint::Scope::Function,
        reads_heads: true,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() || ctx.file.is_script() {
        return;
    }
    let src = ctx.source;
    for (i, module) in ctx.modules().iter().enumerate() {
        let has_t = module.attributes.iter().any(|a| {
            matches!(a.name, "type" | "opaque" | "typep")
                && a.value.is_some_and(|v| type_head(v, src) == Some("t"))
        });
        if has_t {
            continue;
        }
        let Some(body) = module.def.body else {
            continue;
        };
        let Some(defstruct) = elixir::block_statements(body)
            .into_iter()
            .find(|s| elixir::is_local_call(*s, src, "defstruct"))
        else {
            if let Some(schema) = schema_fields::schema_call(module, src) {
                let has_t = |written: &str| lookup::struct_has_t(ctx, i, written);
                let message = format!("Ecto schema `{}` has no `@type t`", module.def.name);
                let head = schema.start_byte()
                    ..elixir::call_args(schema)
                        .first()
                        .map_or(schema.start_byte() + 6, |a| a.end_byte());
                let finding = Finding::new(&RULE.meta, head, message);
                out.push(match schema_fields::fields(module, schema, src, &has_t) {
                    Some(fields) => finding.with_fix(type_fix(ctx, schema, &fields)),
                    None => finding,
                });
            }
            continue;
        };
        let message = format!("Struct `{}` has no `@type t`", module.def.name);
        let finding = Finding::new(&RULE.meta, defstruct.byte_range(), message);
        out.push(match fields(defstruct, src) {
            Some(fields) => finding.with_fix(type_fix(ctx, defstruct, &fields)),
            None => finding,
        });
    }
}

/// The name in `@type name :: …`.
fn type_head<'a>(value: Node<'_>, src: &'a str) -> Option<&'a str> {
    let head = if elixir::is_binary_op(value, src, "::") {
        value.field("left")?
    } else {
        value
    };
    match head.kind() {
        "identifier" => Some(text(head, src)),
        "call" => elixir::local_call_name(head, src),
        _ => None,
    }
}

/// `(field, type)` of `defstruct [:a, b: 1]` or `defstruct a: nil, b: []`; `None` when the
/// fields are computed (`defstruct @fields`).
pub(crate) fn fields(defstruct: Node<'_>, src: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let args = elixir::call_args(defstruct);
    let items: Vec<Node> = match args.as_slice() {
        [list] if list.kind() == "list" => elixir::block_statements(*list),
        [kw] if kw.kind() == "keywords" => vec![*kw],
        _ => return None,
    };
    for item in items {
        match item.kind() {
            "atom" => out.push((
                text(item, src).trim_start_matches(':').to_string(),
                "term()".to_string(),
            )),
            "keywords" => {
                let mut cursor = item.walk();
                for pair in item
                    .named_children(&mut cursor)
                    .filter(|p| p.kind() == "pair")
                {
                    let key = pair.field("key")?;
                    let value = pair.field("value")?;
                    out.push((
                        elixir::keyword_key(key, src).to_string(),
                        default_type(value, src).to_string(),
                    ));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn default_type(value: Node<'_>, src: &str) -> &'static str {
    match value.kind() {
        "integer" => "integer()",
        "float" => "float()",
        "string" => "String.t()",
        "boolean" => "boolean()",
        "atom" => "atom()",
        "list" if text(value, src).contains(':') => "keyword()",
        "list" => "list()",
        "map" if text(value, src).starts_with("%{") => "map()",
        "unary_operator" if text(value, src).starts_with('-') => "number()",
        // `nil` or a computed default: the field's type is not known from it.
        _ => "term()",
    }
}

/// `@type t` above `defstruct` (or `schema`), at its indentation.
fn type_fix(ctx: &LintContext<'_>, defstruct: Node<'_>, fields: &[(String, String)]) -> Fix {
    let src = ctx.source;
    let indent = elixir::indentation(src, defstruct.start_byte());
    let line_length = ctx.config.formatter_line_length.unwrap_or(LINE_LENGTH);
    let text = format_struct_type(indent, fields, line_length);
    Fix::safe(
        "Insert @type t stub",
        vec![Edit::insert(
            elixir::line_start(src, defstruct.start_byte()),
            text,
        )],
    )
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "struct-without-type";

    #[test]
    fn flags_and_fixes_with_types_from_defaults() {
        let src = "defmodule Shop.Order do\n  @moduledoc false\n  defstruct [:id, items: [], total: 0, note: \"\", paid?: false, meta: %{}]\nend\n";
        assert_eq!(
            findings_of(src, "lib/order.ex", CODE)[0].message,
            "Struct `Shop.Order` has no `@type t`"
        );
        let fixed = assert_clean_after_fix(src, "lib/order.ex", CODE);
        assert!(fixed.contains("  @type t :: %__MODULE__{\n          id: term(),\n          items: list(),\n          total: integer(),\n          note: String.t(),\n          paid?: boolean(),\n          meta: map()\n        }\n  defstruct"), "{fixed}");
        let kw = "defmodule P do\n  @moduledoc false\n  defstruct name: nil, age: 0\nend\n";
        assert!(
            assert_clean_after_fix(kw, "lib/p.ex", CODE)
                .contains("  @type t :: %__MODULE__{name: term(), age: integer()}\n  defstruct")
        );
    }

    #[test]
    fn a_type_t_in_any_form_satisfies_it() {
        for ty in [
            "@type t :: %__MODULE__{}",
            "@opaque t :: %__MODULE__{id: integer()}",
            "@type t() :: %__MODULE__{}",
        ] {
            let src =
                format!("defmodule P do\n  @moduledoc false\n  {ty}\n  defstruct [:id]\nend\n");
            assert!(findings_of(&src, "lib/p.ex", CODE).is_empty(), "{ty}");
        }
        assert!(
            findings_of(
                "defmodule P do\n  defstruct [:id]\nend\n",
                "test/p_test.exs",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn computed_fields_get_no_fix() {
        let src = "defmodule P do\n  @moduledoc false\n  @fields [:a]\n  defstruct @fields\nend\n";
        let found = findings_of(src, "lib/p.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
    }

    const ORDER_SCHEMA: &str = "defmodule Shop.Orders.Order do\n  @moduledoc \"An order.\"\n  use Ecto.Schema\n  import Ecto.Changeset\n\n  alias Shop.Accounts.User\n  alias Shop.Orders.{LineItem, Address}\n\n  @timestamps_opts [type: :utc_datetime]\n\n  schema \"orders\" do\n    field :reference, :string\n    field :total, :decimal\n    field :status, Ecto.Enum, values: [:open, :paid]\n    field :tags, {:array, :string}, default: []\n    field :notes\n    belongs_to :user, User\n    has_many :line_items, LineItem\n    embeds_one :shipping_address, Address\n\n    timestamps()\n  end\n\n  def changeset(order, attrs), do: cast(order, attrs, [:reference])\nend\n";
    const USER: &str =
        "defmodule Shop.Accounts.User do\n  @type t :: %__MODULE__{}\n  defstruct [:id]\nend\n";

    #[test]
    fn ecto_schemas_get_a_stub_from_their_fields() {
        let files = [
            ("lib/shop/orders/order.ex", ORDER_SCHEMA),
            ("lib/shop/accounts/user.ex", USER),
        ];
        let found = findings_in_project(&files, "lib/shop/orders/order.ex", CODE);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "Ecto schema `Shop.Orders.Order` has no `@type t`"
        );
        let stub = fix_text_in_project(&files, "lib/shop/orders/order.ex", CODE);
        assert_eq!(
            stub,
            "  @type t :: %__MODULE__{\n          __meta__: Ecto.Schema.Metadata.t(),\n          id: integer() | nil,\n          reference: String.t() | nil,\n          total: Decimal.t() | nil,\n          status: atom() | nil,\n          tags: [String.t()] | nil,\n          notes: String.t() | nil,\n          user: User.t() | Ecto.Association.NotLoaded.t() | nil,\n          user_id: integer() | nil,\n          line_items: [%LineItem{}] | Ecto.Association.NotLoaded.t(),\n          shipping_address: %Address{} | nil,\n          inserted_at: DateTime.t() | nil,\n          updated_at: DateTime.t() | nil\n        }\n"
        );
        // Applied, the file is clean and still parses.
        assert_clean_after_fix(ORDER_SCHEMA, "lib/shop/orders/order.ex", CODE);
    }

    #[test]
    fn embedded_schemas_keys_and_what_cannot_be_typed() {
        let embedded = "defmodule Shop.Orders.Address do\n  use Ecto.Schema\n\n  @primary_key false\n  embedded_schema do\n    field :city, :string\n    field :zip, :string\n  end\nend\n";
        let fixed = assert_clean_after_fix(embedded, "lib/shop/orders/address.ex", CODE);
        assert!(
            fixed.contains("  @type t :: %__MODULE__{city: String.t() | nil, zip: String.t() | nil}\n  embedded_schema do"),
            "{fixed}"
        );
        let uuid = "defmodule Shop.Event do\n  use Ecto.Schema\n\n  @primary_key {:id, :binary_id, autogenerate: true}\n  @foreign_key_type :binary_id\n  schema \"events\" do\n    belongs_to :order, Shop.Order, foreign_key: :order_ref\n    timestamps(updated_at: false)\n  end\nend\n";
        let fixed = assert_clean_after_fix(uuid, "lib/shop/event.ex", CODE);
        assert!(fixed.contains("id: Ecto.UUID.t() | nil,"), "{fixed}");
        assert!(
            fixed.contains("order: %Shop.Order{} | Ecto.Association.NotLoaded.t() | nil,"),
            "{fixed}"
        );
        assert!(fixed.contains("order_ref: Ecto.UUID.t() | nil,"), "{fixed}");
        assert!(
            fixed.contains("inserted_at: NaiveDateTime.t() | nil\n"),
            "{fixed}"
        );
        assert!(!fixed.contains("updated_at: Naive"), "{fixed}");
        // A project macro inside the schema: reported, but no stub that could be wrong.
        let custom = "defmodule Shop.Item do\n  use Ecto.Schema\n  schema \"items\" do\n    field :name, :string\n    audit_fields()\n  end\nend\n";
        let found = findings_of(custom, "lib/shop/item.ex", CODE);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        // Typed already.
        let typed = "defmodule Shop.Tag do\n  use Ecto.Schema\n  @type t :: %__MODULE__{}\n  schema \"tags\" do\n    field :name, :string\n  end\nend\n";
        assert!(findings_of(typed, "lib/shop/tag.ex", CODE).is_empty());
    }
}
