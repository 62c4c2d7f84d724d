//! Facts about values and literal text: sanitisers, constants, where an interpolation sits in
//! a SQL string or a URL, and how a source is named after an access.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use super::eval::MAX_DEPTH;
use super::{Root, Taint};
use crate::syntax::elixir;
use crate::syntax::text;

/// A request source read by `call` (`get_req_header(conn, "referer")`).
pub(super) fn request_root(call: Node<'_>, src: &str) -> Taint {
    Taint::from_root(Root::Request {
        source: text(call, src).to_string(),
        at: call.start_byte(),
    })
}

/// Functions whose result carries no attacker-chosen text: parsers to numbers, UUIDs and
/// dates, and escapers.
pub(super) fn is_sanitizer(module: &str, name: &str) -> bool {
    matches!(
        (module, name),
        ("String", "to_integer" | "to_float" | "length")
            | ("Integer", _)
            | ("Float", _)
            | (
                "Ecto.UUID",
                "cast" | "cast!" | "dump" | "dump!" | "generate"
            )
            | ("Date" | "DateTime" | "NaiveDateTime" | "Time", _)
            | ("Phoenix.HTML", "html_escape" | "javascript_escape")
            | ("Plug.HTML", "html_escape" | "html_escape_to_iodata")
            | ("HtmlSanitizeEx", _)
            | ("URI", "encode_www_form" | "encode_query")
            | ("Path", "safe_relative" | "safe_relative_to")
    )
}

/// `X.__schema__(:fields)` or `__schema__(:fields)`: every field of a schema.
pub(super) fn is_schema_fields(call: Node<'_>, name: &str, src: &str) -> bool {
    name == "__schema__"
        && elixir::call_args(call)
            .first()
            .is_some_and(|a| text(*a, src) == ":fields")
}

/// Stands for a clean interpolated or concatenated expression in literal text.
pub(super) const CLEAN_PART: char = '\u{1}';

/// Stands for a tainted one.
pub(super) const TAINTED_PART: char = '\u{2}';

/// Marks flows as built into a string after the literal text `before`.
pub(super) fn mark_built(taint: Taint, before: &str) -> Taint {
    let value = is_sql_quoted(before);
    let after_origin = after_url_origin(before);
    taint.map(|f| {
        f.built = true;
        f.quoted |= value;
        f.after_origin |= after_origin;
    })
}

/// Whether text ending with `before` leaves an interpolation inside a quoted SQL string
/// literal (an odd number of `'` so far). A number can sit after `=` unquoted without harm;
/// text inside quotes breaks out with one `'`.
pub(super) fn is_sql_quoted(before: &str) -> bool {
    before.matches('\'').count() % 2 == 1
}

/// Whether text ending with `before` already fixes a URL's origin (`https://host/`, or a clean
/// expression such as `Endpoint.url()` first): what follows cannot send the browser elsewhere.
pub(super) fn after_url_origin(before: &str) -> bool {
    if before.starts_with(CLEAN_PART) {
        return true;
    }
    match before.find("://") {
        Some(i) => before[i + 3..].contains('/'),
        None => before.starts_with('/') && !before.starts_with("//"),
    }
}

/// The literal text at the end of an expression: a string's text, or for `a <> b` that of
/// `b` after `a`'s.
pub(super) fn literal_text(node: Node<'_>, src: &str) -> String {
    literal_text_at(node, src, 0)
}

pub(super) fn literal_text_at(node: Node<'_>, src: &str, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return TAINTED_PART.to_string();
    }
    match node.kind() {
        "string" => {
            let mut out = String::new();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "quoted_content" | "escape_sequence" => out.push_str(text(child, src)),
                    _ => out.push(TAINTED_PART),
                }
            }
            out
        }
        "binary_operator" if elixir::operator(node, src) == "<>" => {
            let left = node
                .field("left")
                .map(|n| literal_text_at(n, src, depth + 1))
                .unwrap_or_default();
            let right = node
                .field("right")
                .map(|n| literal_text_at(n, src, depth + 1))
                .unwrap_or_default();
            left + &right
        }
        _ => TAINTED_PART.to_string(),
    }
}

/// Refines request sources read straight from a parameter by an access: `params` with key
/// `"id"` becomes `params["id"]`.
pub(super) fn refine_source(taint: Taint, key: &str) -> Taint {
    taint.map(|f| {
        f.field = true;
        if f.via.is_empty()
            && let Root::Request { source, .. } = &mut f.root
            && source.len() < 80
        {
            if let Some(field) = key.strip_prefix('.') {
                source.push('.');
                source.push_str(field);
            } else {
                source.push('[');
                source.push_str(key);
                source.push(']');
            }
        }
    })
}

/// A literal with no interpolation: strings, atoms, numbers, module attributes, `~w` sigils,
/// lists and tuples of those.
pub fn is_constant(node: Node<'_>, src: &str) -> bool {
    is_constant_at(node, src, 0)
}

pub(super) fn is_constant_at(node: Node<'_>, src: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let constant = |n: Node<'_>| is_constant_at(n, src, depth + 1);
    match node.kind() {
        "integer" | "float" | "atom" | "boolean" | "nil" | "char" | "alias" => true,
        "string" | "charlist" | "sigil" => !node
            .named_children(&mut node.walk())
            .any(|c| c.kind() == "interpolation"),
        "unary_operator" => elixir::operator(node, src) == "@",
        "list" | "tuple" | "keywords" | "pair" | "map" | "map_content" => node
            .named_children(&mut node.walk())
            .all(|c| c.kind() == "keyword" || constant(c)),
        "binary_operator" => {
            matches!(elixir::operator(node, src), "<>" | "++" | "..")
                && node.field("left").is_some_and(constant)
                && node.field("right").is_some_and(constant)
        }
        _ => false,
    }
}

/// Whether a function body sets an HTML content type (`put_resp_content_type("text/html")`).
pub(super) fn sets_html_content_type(body: Node<'_>, src: &str) -> bool {
    let mut found = false;
    elixir::walk(body, &mut |n| {
        if n.kind() == "call"
            && matches!(
                elixir::local_call_name(n, src)
                    .or_else(|| elixir::remote_call(n, src).map(|(_, f)| f)),
                Some("put_resp_content_type")
            )
            && text(n, src).contains("html")
        {
            found = true;
        }
        !found
    });
    found
}
