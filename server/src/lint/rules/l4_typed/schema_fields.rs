//! The struct an Ecto `schema`/`embedded_schema` defines, field by field, with the types a
//! `@type t` stub gives them: what `Ecto.Schema` generates, typed the way the Ecto docs and
//! generators write it (`field :name, :string` → `String.t() | nil`, associations that may be
//! `Ecto.Association.NotLoaded`, `timestamps/1` in the configured type).

use crate::syntax::Node;

use crate::syntax::module_model::ModuleModel;
use crate::syntax::{elixir, text};

/// The `schema`/`embedded_schema` call of a module body, if it has one.
pub fn schema_call<'t>(model: &ModuleModel<'t>, src: &str) -> Option<Node<'t>> {
    elixir::block_statements(model.def.body?)
        .into_iter()
        .find(|s| {
            matches!(
                elixir::local_call_name(*s, src),
                Some("schema" | "embedded_schema")
            )
        })
}

/// `(field, type)` of every field of the schema's struct, or `None` when a statement of the
/// block is not one the stub can type (a macro of the project, a computed field name).
/// `has_t(alias)` says whether an associated module defines `t/0`.
pub fn fields(
    model: &ModuleModel<'_>,
    schema: Node<'_>,
    src: &str,
    has_t: &dyn Fn(&str) -> bool,
) -> Option<Vec<(String, String)>> {
    let embedded = elixir::is_local_call(schema, src, "embedded_schema");
    let attr = |name: &str| {
        model
            .attributes
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value)
    };
    let mut out = Vec::new();
    if !embedded {
        out.push((
            "__meta__".to_string(),
            "Ecto.Schema.Metadata.t()".to_string(),
        ));
    }
    // The primary key: `id` by default (`:binary_id` in embedded schemas).
    match attr("primary_key").map(|v| (v, text(v, src))) {
        Some((_, "false")) => {}
        Some((v, _)) if v.kind() == "tuple" => {
            let items = elixir::block_statements(v);
            let name = items.first().map(|n| text(*n, src).trim_start_matches(':'));
            let ty = items.get(1).map(|n| ecto_type(*n, src));
            out.push((name?.to_string(), nullable(&ty?)));
        }
        Some(_) => return None,
        None if embedded => out.push(("id".to_string(), "Ecto.UUID.t() | nil".to_string())),
        None => out.push(("id".to_string(), "integer() | nil".to_string())),
    }
    let foreign_key_type = match attr("foreign_key_type") {
        Some(v) => ecto_type(v, src),
        None => "integer()".to_string(),
    };
    let timestamps_type = attr("timestamps_opts")
        .and_then(|v| elixir::block_statements(v).into_iter().next())
        .and_then(|kw| elixir::keyword_value(kw, src, "type"))
        .map(|t| ecto_type(t, src));
    let block = elixir::do_block(schema)?;
    for stmt in elixir::block_statements(block) {
        let name = elixir::local_call_name(stmt, src)?;
        // An inline embedded schema (`embeds_many :items, Item do … end`) defines a module of
        // its own whose name the stub cannot be sure of.
        if elixir::do_block(stmt).is_some() {
            return None;
        }
        let args = elixir::call_args(stmt);
        let field_name = |i: usize| -> Option<String> {
            let n = args.get(i)?;
            (n.kind() == "atom").then(|| text(*n, src).trim_start_matches(':').to_string())
        };
        let opts = args.iter().find(|a| a.kind() == "keywords").copied();
        let opt = |key: &str| opts.and_then(|o| elixir::keyword_value(o, src, key));
        let module = |i: usize| -> Option<String> {
            let n = args.get(i)?;
            (n.kind() == "alias").then(|| struct_type(text(*n, src), has_t))
        };
        match name {
            "field" => {
                let ty = match args.get(1) {
                    Some(t) if t.kind() != "keywords" => ecto_type(*t, src),
                    _ => "String.t()".to_string(),
                };
                out.push((field_name(0)?, nullable(&ty)));
            }
            "belongs_to" => {
                let assoc = module(1)?;
                let field = field_name(0)?;
                out.push((
                    field.clone(),
                    format!("{assoc} | Ecto.Association.NotLoaded.t() | nil"),
                ));
                let define_field = opt("define_field").map(|v| text(v, src)) != Some("false");
                if define_field {
                    let key = opt("foreign_key")
                        .map(|k| text(k, src).trim_start_matches(':').to_string())
                        .unwrap_or_else(|| format!("{field}_id"));
                    let ty = opt("type")
                        .map(|t| ecto_type(t, src))
                        .unwrap_or_else(|| foreign_key_type.clone());
                    out.push((key, nullable(&ty)));
                }
            }
            "has_one" => out.push((
                field_name(0)?,
                format!("{} | Ecto.Association.NotLoaded.t() | nil", module(1)?),
            )),
            "has_many" | "many_to_many" => out.push((
                field_name(0)?,
                format!("[{}] | Ecto.Association.NotLoaded.t()", module(1)?),
            )),
            "embeds_one" => out.push((field_name(0)?, format!("{} | nil", module(1)?))),
            "embeds_many" => out.push((field_name(0)?, format!("[{}]", module(1)?))),
            "timestamps" => {
                let ty = args
                    .first()
                    .and_then(|kw| elixir::keyword_value(*kw, src, "type"))
                    .map(|t| ecto_type(t, src))
                    .or_else(|| timestamps_type.clone())
                    .unwrap_or_else(|| "NaiveDateTime.t()".to_string());
                let key = |k: &str, default: &str| {
                    args.first()
                        .and_then(|kw| elixir::keyword_value(*kw, src, k))
                        .map_or(Some(default.to_string()), |v| match text(v, src) {
                            "false" => None,
                            t => Some(t.trim_start_matches(':').to_string()),
                        })
                };
                for (k, default) in [("inserted_at", "inserted_at"), ("updated_at", "updated_at")] {
                    if let Some(name) = key(k, default) {
                        out.push((name, nullable(&ty)));
                    }
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// `t | nil`, unless `t` admits `nil` already.
fn nullable(ty: &str) -> String {
    if ty == "term()" || ty.ends_with("| nil") {
        ty.to_string()
    } else {
        format!("{ty} | nil")
    }
}

/// `Mod.t()` when `Mod` is known to define it, else the struct literal (which compiles).
fn struct_type(written: &str, has_t: &dyn Fn(&str) -> bool) -> String {
    if written == "__MODULE__" {
        "t()".to_string()
    } else if has_t(written) {
        format!("{written}.t()")
    } else {
        format!("%{written}{{}}")
    }
}

/// The Elixir type of an Ecto field type.
fn ecto_type(node: Node<'_>, src: &str) -> String {
    let t = text(node, src);
    let simple = match t {
        ":string" => "String.t()",
        ":integer" | ":id" => "integer()",
        ":float" => "float()",
        ":boolean" => "boolean()",
        ":decimal" => "Decimal.t()",
        ":map" => "map()",
        ":binary" => "binary()",
        ":binary_id" | "Ecto.UUID" => "Ecto.UUID.t()",
        ":utc_datetime" | ":utc_datetime_usec" => "DateTime.t()",
        ":naive_datetime" | ":naive_datetime_usec" => "NaiveDateTime.t()",
        ":date" => "Date.t()",
        ":time" | ":time_usec" => "Time.t()",
        ":duration" => "Duration.t()",
        "Ecto.Enum" => "atom()",
        _ => "",
    };
    if !simple.is_empty() {
        return simple.to_string();
    }
    if node.kind() == "tuple" {
        let items = elixir::block_statements(node);
        if let [kind, inner] = items.as_slice() {
            return match text(*kind, src) {
                ":array" => format!("[{}]", ecto_type(*inner, src)),
                ":map" => "map()".to_string(),
                _ => "term()".to_string(),
            };
        }
    }
    // A custom `Ecto.Type` (or parameterized type): its cast value is its business.
    "term()".to_string()
}
