//! `unsafe-deserialization`: `:erlang.binary_to_term` without `[:safe]`.
//!
//! Without `:safe`, decoding creates any atom the binary names (atoms are never garbage
//! collected: enough of them crash the VM) and external function references. Called as
//! `/1`, piped, captured, or as `/2` with a literal option list lacking `:safe`. A non-literal
//! option list is not judged: it may hold `:safe`.
//!
//! The fix is unsafe: with `:safe`, a binary naming an atom this node does not know yet (written
//! by another release, or by code not loaded yet) raises `ArgumentError` where it used to
//! decode.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::lint::{Edit, Finding, Fix, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "unsafe-deserialization",
        level: 5,
        severity: Severity::Error,
        fixable: true,
        summary: "`:erlang.binary_to_term` without `[:safe]`",
        docs: RuleDocs {
            why: "`:erlang.binary_to_term/1` turns any binary into a term: a crafted one creates \
                  atoms until the atom table is full and the VM crashes, and can carry function \
                  references that run code when called. `[:safe]` refuses new atoms and external \
                  funs. Even then, decoded anonymous functions are allowed: for data from users, \
                  cookies or the network use `Plug.Crypto.non_executable_binary_to_term(bin, \
                  [:safe])`. Not flagged: calls that pass `:safe`, an option list held in a \
                  variable (it may hold `:safe`), `Plug.Crypto.non_executable_binary_to_term`, \
                  data that cannot come from outside (literal binaries, module attributes, \
                  `:erlang.term_to_binary/1` results), and test files.",
            bad: "def load_cart(conn) do\n  case conn.cookies[\"cart\"] do\n    nil -> %{}\n    encoded -> encoded |> Base.decode64!() |> :erlang.binary_to_term()\n  end\nend",
            good: "def load_cart(conn) do\n  case conn.cookies[\"cart\"] do\n    nil -> %{}\n    encoded -> encoded |> Base.decode64!() |> Plug.Crypto.non_executable_binary_to_term([:safe])\n  end\nend",
            fix: "Adds `[:safe]` (`:erlang.binary_to_term(bin, [:safe])`), or `:safe` to a \
                  literal option list. Offered one at a time, never applied in bulk: with \
                  `:safe`, a binary naming an atom this node has not loaded raises \
                  `ArgumentError` where it used to decode.",
        },
        sobelow: &["Misc.BinToTerm"],
        scope: crate::lint::Scope::Function,
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    // Every finding is a `binary_to_term` call: most files have none.
    if ctx.file.is_test() || !ctx.source.contains("binary_to_term") {
        return;
    }
    for call in &ctx.nodes().calls {
        if let Some(f) = call_finding(*call, ctx.source) {
            out.push(f);
        }
    }
}

/// The finding for one call node, if it is an unsafe `:erlang.binary_to_term`.
fn call_finding(call: Node<'_>, src: &str) -> Option<Finding> {
    if elixir::remote_call(call, src) != Some((":erlang", "binary_to_term")) {
        return None;
    }
    if !elixir::has_arguments(call) {
        return capture_finding(call, src);
    }
    let args = elixir::call_args(call);
    let piped = call
        .parent()
        .is_some_and(|p| elixir::is_binary_op(p, src, "|>") && p.field("right") == Some(call));
    let arity = args.len() + usize::from(piped);
    if !piped && args.first().is_some_and(|data| is_trusted(*data, src)) {
        return None;
    }
    let fix = match arity {
        1 => add_safe_argument(call, &args, src)?,
        2 => {
            let opts = *args.last()?;
            if opts.kind() != "list" || has_safe(opts, src) {
                return None;
            }
            add_safe_to_list(opts)
        }
        _ => return None,
    };
    let message = format!(
        "`:erlang.binary_to_term/{arity}` without `:safe` can create atoms and function \
         references from its input"
    );
    Some(Finding::new(&RULE.meta, call.byte_range(), message).with_fix(fix))
}

/// Data that cannot come from outside: a literal binary (`<<131, 97, 1>>`, as Sobelow), a module
/// attribute (fixed at compile time), or `:erlang.term_to_binary(x)` (the deep-copy idiom).
fn is_trusted(data: Node<'_>, src: &str) -> bool {
    match data.kind() {
        "bitstring" => {
            let mut c = data.walk();
            data.named_children(&mut c)
                .all(|n| matches!(n.kind(), "integer" | "char"))
        }
        "string" => !text(data, src).contains("#{"),
        "unary_operator" => elixir::attribute(data, src).is_some_and(|a| a.value.is_none()),
        "call" => elixir::remote_call(data, src) == Some((":erlang", "term_to_binary")),
        _ => false,
    }
}

/// `&:erlang.binary_to_term/1` → `&:erlang.binary_to_term(&1, [:safe])`.
fn capture_finding(call: Node<'_>, src: &str) -> Option<Finding> {
    let slash = call
        .parent()
        .filter(|p| elixir::is_binary_op(*p, src, "/"))?;
    let arity = text(slash.field("right")?, src);
    let capture = slash
        .parent()
        .filter(|p| p.kind() == "unary_operator" && elixir::operator(*p, src) == "&")?;
    if arity != "1" {
        return None;
    }
    let fix = Fix::unsafe_(
        "Decode with `[:safe]`",
        vec![Edit::replace(
            capture.byte_range(),
            "&:erlang.binary_to_term(&1, [:safe])",
        )],
    );
    Some(
        Finding::new(
            &RULE.meta,
            capture.byte_range(),
            "Captured `:erlang.binary_to_term/1` without `:safe` can create atoms and function \
             references from its input",
        )
        .with_fix(fix),
    )
}

/// Adds `[:safe]` as the last argument of a one-argument (or piped, no-argument) call.
fn add_safe_argument(call: Node<'_>, args: &[Node<'_>], src: &str) -> Option<Fix> {
    let arguments = call
        .named_children(&mut call.walk())
        .find(|c| c.kind() == "arguments")?;
    let edit = match args.last() {
        // Also right without parentheses: `:erlang.binary_to_term bin, [:safe]`.
        Some(last) => Edit::insert(last.end_byte(), ", [:safe]"),
        None => {
            // `bin |> :erlang.binary_to_term()`: insert inside the parentheses.
            let close = arguments.end_byte().checked_sub(1)?;
            if src.as_bytes().get(close) != Some(&b')') {
                return None;
            }
            Edit::insert(close, "[:safe]")
        }
    };
    Some(Fix::unsafe_("Decode with `[:safe]`", vec![edit]))
}

/// Whether a literal option list holds `:safe`.
fn has_safe(list: Node<'_>, src: &str) -> bool {
    let mut c = list.walk();
    list.named_children(&mut c).any(|n| text(n, src) == ":safe")
}

/// Adds `:safe` first in a literal option list: `[]` → `[:safe]`, `[:used]` → `[:safe, :used]`.
fn add_safe_to_list(list: Node<'_>) -> Fix {
    let mut c = list.walk();
    let empty = list.named_children(&mut c).next().is_none();
    let at = list.start_byte() + 1;
    let insert = if empty { ":safe" } else { ":safe, " };
    Fix::unsafe_("Add `:safe`", vec![Edit::insert(at, insert)])
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "unsafe-deserialization";
    const PATH: &str = "lib/shop_web/cart_cookie.ex";

    #[test]
    fn cookie_decoding_is_flagged_and_fixed() {
        let src = r#"defmodule ShopWeb.CartCookie do
  def load(conn) do
    case conn.cookies["cart"] do
      nil -> %{}
      encoded -> encoded |> Base.decode64!() |> :erlang.binary_to_term()
    end
  end

  def decode(bin), do: :erlang.binary_to_term(bin)
  def decode_used(bin), do: :erlang.binary_to_term(bin, [:used])
  def decode_all(bins), do: Enum.map(bins, &:erlang.binary_to_term/1)
end
"#;
        let found = findings_of(src, PATH, CODE);
        assert_eq!(found.len(), 4);
        assert!(found[0].message.contains("`:erlang.binary_to_term/1`"));
        assert!(found[2].message.contains("`:erlang.binary_to_term/2`"));
        assert!(found.iter().all(|f| !f.fix.as_ref().unwrap().safe));
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert!(
            fixed.contains("|> :erlang.binary_to_term([:safe])"),
            "{fixed}"
        );
        assert!(fixed.contains(":erlang.binary_to_term(bin, [:safe])"));
        assert!(fixed.contains(":erlang.binary_to_term(bin, [:safe, :used])"));
        assert!(fixed.contains("Enum.map(bins, &:erlang.binary_to_term(&1, [:safe]))"));
    }

    #[test]
    fn safe_calls_are_fine() {
        let src = r#"defmodule Shop.Cache do
  def get(bin), do: :erlang.binary_to_term(bin, [:safe])
  def get_used(bin), do: :erlang.binary_to_term(bin, [:used, :safe])
  def get_with(bin, opts), do: :erlang.binary_to_term(bin, opts)
  def get_plug(bin), do: Plug.Crypto.non_executable_binary_to_term(bin, [:safe])
  def put(term), do: :erlang.term_to_binary(term)
  def piped(bin), do: bin |> :erlang.binary_to_term([:safe])
  def fixture, do: :erlang.binary_to_term(<<131, 97, 1>>)
  def table, do: :erlang.binary_to_term(@compiled_table)
  def deep_copy(term), do: :erlang.binary_to_term(:erlang.term_to_binary(term))
end
"#;
        assert!(findings_of(src, PATH, CODE).is_empty());
        let test = "test \"round trip\" do\n  assert :erlang.binary_to_term(:erlang.term_to_binary(1)) == 1\nend\n";
        assert!(findings_of(test, "test/shop/cache_test.exs", CODE).is_empty());
    }

    #[test]
    fn call_without_parentheses() {
        let src = "def f(b) do\n  :erlang.binary_to_term b\nend\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert_eq!(
            fixed,
            "def f(b) do\n  :erlang.binary_to_term b, [:safe]\nend\n"
        );
    }

    #[test]
    fn empty_option_list_gets_safe() {
        let src = "def f(b), do: :erlang.binary_to_term(b, [])\n";
        let fixed = assert_clean_after_fix(src, PATH, CODE);
        assert_eq!(fixed, "def f(b), do: :erlang.binary_to_term(b, [:safe])\n");
    }

    #[test]
    fn docs_examples() {
        let docs = &super::RULE.meta.docs;
        assert!(!findings_of(docs.bad, "lib/shop_web/cart.ex", CODE).is_empty());
        assert!(findings_of(docs.good, "lib/shop_web/cart.ex", CODE).is_empty());
    }
}
