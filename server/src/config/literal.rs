//! Elixir literals read from a tree-sitter tree, without evaluating anything.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::syntax;

/// A literal Elixir term.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `42`, `300_000`, `-1`.
    Integer(i64),
    /// `1.5`.
    Float(f64),
    /// `"text"` without interpolation.
    String(String),
    /// `:name` (also `true`, `false` and `nil`, which are atoms in Elixir).
    Atom(String),
    /// `[a, b]`.
    List(Vec<Literal>),
    /// `[key: value]`, in order.
    Keyword(Vec<(String, Literal)>),
}

impl Literal {
    /// A short name of the term's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Literal::Integer(_) => "an integer",
            Literal::Float(_) => "a float",
            Literal::String(_) => "a string",
            Literal::Atom(_) => "an atom",
            Literal::List(_) => "a list",
            Literal::Keyword(_) => "a keyword list",
        }
    }
}

/// Reads `node` as a literal, or explains (with the offending node) why it is not one.
pub fn read_literal<'t>(node: Node<'t>, source: &str) -> Result<Literal, (Node<'t>, String)> {
    let text = syntax::text(node, source);
    match node.kind() {
        "integer" => parse_integer(text)
            .map(Literal::Integer)
            .ok_or((node, format!("`{text}` is not a valid integer"))),
        "float" => text
            .replace('_', "")
            .parse()
            .map(Literal::Float)
            .map_err(|_| (node, format!("`{text}` is not a valid float"))),
        "unary_operator" if text.starts_with('-') => {
            let operand = node
                .field("operand")
                .ok_or((node, "expected a number".to_string()))?;
            match read_literal(operand, source)? {
                Literal::Integer(n) => Ok(Literal::Integer(-n)),
                Literal::Float(f) => Ok(Literal::Float(-f)),
                _ => Err((node, "`-` must be followed by a number".to_string())),
            }
        }
        "string" => read_string(node, source).map(Literal::String),
        "atom" => Ok(Literal::Atom(text.trim_start_matches(':').to_string())),
        "quoted_atom" => read_string(node, source).map(Literal::Atom),
        "boolean" | "nil" => Ok(Literal::Atom(text.to_string())),
        "list" => read_list(node, source),
        _ => Err((
            node,
            format!(
                "`{}` is not a literal value (the configuration is read, never evaluated)",
                abbreviate(text)
            ),
        )),
    }
}

fn read_list<'t>(node: Node<'t>, source: &str) -> Result<Literal, (Node<'t>, String)> {
    let mut items = Vec::new();
    let mut pairs = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.kind() == "comment" {
            continue;
        }
        if child.kind() == "keywords" {
            let mut inner = child.walk();
            for pair in child.named_children(&mut inner) {
                if pair.kind() != "pair" {
                    continue;
                }
                let key = pair
                    .field("key")
                    .ok_or((pair, "expected a key".to_string()))?;
                let value = pair
                    .field("value")
                    .ok_or((pair, "expected a value".to_string()))?;
                pairs.push((keyword_name(key, source), read_literal(value, source)?));
            }
        } else {
            items.push(read_literal(child, source)?);
        }
    }
    match (items.is_empty(), pairs.is_empty()) {
        (_, true) => Ok(Literal::List(items)),
        (true, false) => Ok(Literal::Keyword(pairs)),
        (false, false) => Err((
            node,
            "mixes plain values and `key: value` pairs".to_string(),
        )),
    }
}

/// The name of a `keyword` (`name: `) or `quoted_keyword` (`"name": `) key.
pub fn keyword_name(key: Node<'_>, source: &str) -> String {
    let text = syntax::text(key, source).trim_end();
    let text = text.strip_suffix(':').unwrap_or(text);
    text.trim_matches('"').to_string()
}

fn read_string<'t>(node: Node<'t>, source: &str) -> Result<String, (Node<'t>, String)> {
    let mut out = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "quoted_content" => out.push_str(syntax::text(child, source)),
            "escape_sequence" => out.push_str(&unescape(syntax::text(child, source))),
            _ => {
                return Err((
                    child,
                    "interpolation is not allowed in configuration".to_string(),
                ));
            }
        }
    }
    Ok(out)
}

fn unescape(seq: &str) -> String {
    match seq {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\\"" => "\"".into(),
        "\\\\" => "\\".into(),
        other => other.trim_start_matches('\\').to_string(),
    }
}

fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.replace('_', "");
    if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else {
        digits.parse().ok()
    }
}

fn abbreviate(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.chars().count() > 40 || text.contains('\n') {
        format!("{}…", first.chars().take(40).collect::<String>())
    } else {
        first.to_string()
    }
}

/// Parses a configuration file that holds one expression (comments aside) and hands that node to
/// `read`. An empty file is `Ok(empty)`; a syntax error, or more than one expression, is an `Err`
/// saying what was `expected`. Shared by the `.credo.exs` and `.sobelow-conf` readers.
pub fn read_single_expression<T>(
    text: &str,
    expected: &str,
    empty: T,
    read: impl FnOnce(crate::syntax::Node<'_>) -> Result<T, String>,
) -> Result<T, String> {
    let tree = crate::syntax::parse(text);
    let root = tree.root_node();
    if root.has_error() {
        return Err("syntax error".into());
    }
    let mut cursor = root.walk();
    let exprs: Vec<_> = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    match exprs.as_slice() {
        [] => Ok(empty),
        [one] => read(*one),
        _ => Err(format!("expected {expected}")),
    }
}
