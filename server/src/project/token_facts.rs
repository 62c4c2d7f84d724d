//! A file's facts read from its tokens, without a parse: what `check` indexes before it lints.
//!
//! Parsing every file twice (once for the index, once for the lint) doubled `check`'s cost.
//! Instead, `check` indexes the files it is about to lint from the syntax scanner's tokens (about
//! thirty times cheaper than a parse), lints every file once against that index while recording
//! the questions each lint asks, reads each file's exact facts from its lint, and re-lints only
//! the files that the exact index would have answered differently. So these facts need not be
//! exact — a wrong one costs a re-lint, never a different result — but the closer they are, the
//! fewer re-lints.
//!
//! Read from tokens: the modules with their full names (nesting followed, modules inside `quote`
//! left out, as the module models do), `@type t`/`@opaque t`, structs (`defstruct`, Ecto
//! `schema`/`embedded_schema`, `defexception`), `@callback`s, telemetry setup and the Phoenix
//! `mix.exs`. What tokens cannot tell is left to a parse ([`needs_parse`]): migrations, Ecto
//! repositories, `__using__` quotes and supervisors' children. Struct fields are not read
//! (no file's lint asks them often enough to pay for it).

use super::facts::{FileFacts, ModuleFacts};
use super::index::is_test_file;
use crate::syntax::scanner::tokens::{Delim, Kind, Token, tokenize};

/// Whether the facts of a file need its parse tree: a migration (its schema changes), a
/// repository (`use Ecto.Repo` and its adapter), a `__using__` (what its quote brings), a
/// supervisor or application (its children). Each test is a substring every such file
/// contains, so a file that passes none has none of these facts.
pub fn needs_parse(project_rel: &str, source: &str) -> bool {
    super::migrations::place(project_rel).is_some()
        || source.contains("Ecto.Repo")
        || source.contains("__using__")
        || source.contains("Supervisor.init")
        || source.contains("Supervisor.start_link")
        || (source.contains("Application") && source.contains("children"))
}

/// The facts of a file read from its tokens (test files as the exact reading does).
pub fn file_facts(project_rel: &str, source: &str) -> FileFacts {
    file_facts_in(project_rel, source, &tokenize(source).tokens)
}

/// [`file_facts`] from the tokens of `source` (`tokenize(source).tokens`), for a caller that
/// has them already.
pub fn file_facts_in(project_rel: &str, source: &str, tokens: &[Token]) -> FileFacts {
    if is_test_file(project_rel) {
        return FileFacts {
            mentions: super::test_mentions::mentions_in(source, tokens),
            ..FileFacts::default()
        };
    }
    let file_name = project_rel.rsplit('/').next().unwrap_or(project_rel);
    FileFacts {
        modules: Reader::new(source, tokens).modules(),
        telemetry: telemetry(source, tokens) || source.contains(":telemetry_poller"),
        phoenix_project: file_name == "mix.exs" && source.contains("{:phoenix,"),
        ..FileFacts::default()
    }
}

struct Reader<'a> {
    src: &'a str,
    tokens: &'a [Token],
}

/// A module being read: its facts and the nesting depth of its body.
struct Open {
    at: usize,
    body_depth: usize,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str, tokens: &'a [Token]) -> Self {
        Reader { src, tokens }
    }

    fn text(&self, i: usize) -> &'a str {
        self.tokens
            .get(i)
            .and_then(|t| self.src.get(t.start as usize..t.end as usize))
            .unwrap_or("")
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    fn is_op(&self, i: usize, op: &str) -> bool {
        self.kind(i) == Some(Kind::Op) && self.text(i) == op
    }

    fn is_ident(&self, i: usize, name: &str) -> bool {
        self.kind(i) == Some(Kind::Ident) && self.text(i) == name
    }

    /// Whether token `i` is written right after token `i - 1` (no space: `f(` not `f (`).
    fn adjacent(&self, i: usize) -> bool {
        i > 0
            && self
                .tokens
                .get(i)
                .zip(self.tokens.get(i - 1))
                .is_some_and(|(t, p)| t.start == p.end)
    }

    /// Whether token `i` starts a statement: first on its line, or after `;` or `do`.
    fn starts_statement(&self, i: usize) -> bool {
        let Some(t) = self.tokens.get(i) else {
            return false;
        };
        t.indent.is_some()
            || i == 0
            || matches!(
                self.kind(i - 1),
                Some(Kind::Semicolon | Kind::Open(Delim::Do))
            )
    }

    /// The name written from token `i`: an alias chain `A.B.C` or `__MODULE__.B`, as one
    /// slice of the source; and the index after it.
    fn name_at(&self, i: usize) -> Option<(&'a str, usize)> {
        let first = self.tokens.get(i)?;
        if first.kind != Kind::Ident {
            return None;
        }
        let mut end = i;
        while self.is_op(end + 1, ".") && self.kind(end + 2) == Some(Kind::Ident) {
            end += 2;
        }
        let last = self.tokens.get(end)?;
        Some((
            self.src.get(first.start as usize..last.end as usize)?,
            end + 1,
        ))
    }

    fn modules(&self) -> Vec<ModuleFacts> {
        let mut out: Vec<ModuleFacts> = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        // Depths at which `quote` bodies end: modules inside are templates, not modules.
        let mut quotes: Vec<usize> = Vec::new();
        // A `quote` or module head waiting for its `do`, at this depth.
        let mut pending_quote: Option<usize> = None;
        let mut pending_module: Option<(usize, usize)> = None;
        let mut depth = 0usize;
        let mut i = 0;
        while i < self.tokens.len() {
            let kind = self.tokens[i].kind;
            match kind {
                Kind::Open(delim) => {
                    if delim == Delim::Do {
                        if pending_quote == Some(depth) {
                            quotes.push(depth + 1);
                            pending_quote = None;
                        } else if let Some((at, d)) = pending_module.filter(|(_, d)| *d == depth) {
                            open.push(Open {
                                at,
                                body_depth: d + 1,
                            });
                            pending_module = None;
                        }
                    }
                    depth += 1;
                }
                Kind::Close(_) => {
                    depth = depth.saturating_sub(1);
                    while open.last().is_some_and(|o| o.body_depth > depth) {
                        open.pop();
                    }
                    while quotes.last().is_some_and(|q| *q > depth) {
                        quotes.pop();
                    }
                    if pending_module.is_some_and(|(_, d)| d > depth) {
                        pending_module = None;
                    }
                }
                Kind::Keyword if self.text(i).trim_end() == "do:" => {
                    // `quote do: …` / `defmodule X, do: …`: no block to wait for.
                    if pending_quote == Some(depth) {
                        pending_quote = None;
                    }
                    if pending_module.is_some_and(|(_, d)| d == depth) {
                        pending_module = None;
                    }
                }
                Kind::Ident => {
                    let remote = i > 0 && self.is_op(i - 1, ".");
                    let word = self.text(i);
                    if !remote && word == "quote" {
                        pending_quote = Some(depth);
                    } else if !remote
                        && quotes.is_empty()
                        && matches!(word, "defmodule" | "defprotocol" | "defimpl")
                    {
                        let start = if self.kind(i + 1) == Some(Kind::Open(Delim::Paren))
                            && self.adjacent(i + 1)
                        {
                            i + 2
                        } else {
                            i + 1
                        };
                        if let Some((written, next)) = self.name_at(start) {
                            let parent = open.last().map(|o| out[o.at].name.clone());
                            let name = match parent {
                                Some(p) if word == "defmodule" => {
                                    match written.strip_prefix("__MODULE__.") {
                                        Some(rest) => format!("{p}.{rest}"),
                                        None => format!("{p}.{written}"),
                                    }
                                }
                                _ => written.to_string(),
                            };
                            out.push(ModuleFacts {
                                name,
                                ..ModuleFacts::default()
                            });
                            pending_module = Some((out.len() - 1, depth));
                            i = next;
                            continue;
                        }
                    } else if let Some(top) = open.last().filter(|o| o.body_depth == depth)
                        && !remote
                        && self.starts_statement(i)
                        && matches!(
                            word,
                            "defstruct" | "schema" | "embedded_schema" | "defexception"
                        )
                    {
                        out[top.at].has_struct = true;
                    }
                }
                Kind::Op if self.text(i) == "@" && self.adjacent(i + 1) => {
                    if let Some(top) = open.last().filter(|o| o.body_depth == depth) {
                        let at = top.at;
                        self.attribute(i + 1, &mut out[at]);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// Reads `@type t ::`, `@opaque t ::` and `@callback name(args) ::` from the attribute name
    /// at `i`.
    fn attribute(&self, i: usize, module: &mut ModuleFacts) {
        match self.text(i) {
            "type" | "opaque" if self.kind(i) == Some(Kind::Ident) => {
                if !self.is_ident(i + 1, "t") {
                    return;
                }
                let empty_parens = self.kind(i + 2) == Some(Kind::Open(Delim::Paren))
                    && self.adjacent(i + 2)
                    && self.kind(i + 3) == Some(Kind::Close(Delim::Paren));
                let after = if empty_parens { i + 4 } else { i + 2 };
                if self.is_op(after, "::") {
                    module.has_type_t = true;
                }
            }
            "callback" | "macrocallback" if self.kind(i) == Some(Kind::Ident) => {
                let name_at = i + 1;
                if self.kind(name_at) != Some(Kind::Ident) {
                    return;
                }
                let name = self.text(name_at).to_string();
                let arity = if self.kind(name_at + 1) == Some(Kind::Open(Delim::Paren))
                    && self.adjacent(name_at + 1)
                {
                    self.args(name_at + 1)
                } else {
                    0
                };
                module.callbacks.push((name, arity));
            }
            _ => {}
        }
    }

    /// The number of arguments in the parentheses opened at `open`.
    fn args(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut count = 0;
        let mut any = false;
        for j in open..self.tokens.len() {
            match self.tokens[j].kind {
                Kind::Open(_) => {
                    if depth == 1 {
                        any = true;
                    }
                    depth += 1;
                }
                Kind::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Kind::Comma if depth == 1 => count += 1,
                _ if depth == 1 => any = true,
                _ => {}
            }
        }
        if any { count + 1 } else { 0 }
    }
}

/// Whether the tokens set up telemetry, as [`super::facts`] reads it from calls: `:telemetry.attach*`,
/// `Telemetry.Metrics…`, `TelemetryMetrics…`, OpenTelemetry instrumentations and `PromEx`
/// calls, and `import`/`alias`/`use` of `Telemetry.Metrics` or `PromEx`.
fn telemetry(src: &str, tokens: &[Token]) -> bool {
    let r = Reader::new(src, tokens);
    for i in 0..tokens.len() {
        if tokens[i].kind == Kind::Ident
            && matches!(r.text(i), "import" | "alias" | "use")
            && !(i > 0 && r.is_op(i - 1, "."))
            && let Some((name, _)) = r.name_at(i + 1)
            && (name.starts_with("Telemetry.Metrics")
                || name == "PromEx"
                || name.starts_with("PromEx."))
        {
            return true;
        }
        if !r.is_op(i, ".") || i == 0 || r.kind(i + 1) != Some(Kind::Ident) {
            continue;
        }
        let fun = r.text(i + 1);
        if r.kind(i - 1) == Some(Kind::Literal) {
            if r.text(i - 1) == ":telemetry" && fun.starts_with("attach") {
                return true;
            }
            continue;
        }
        // The alias chain ending before the dot.
        let mut first = i - 1;
        if r.kind(first) != Some(Kind::Ident)
            || !r.text(first).starts_with(|c: char| c.is_ascii_uppercase())
        {
            continue;
        }
        while first >= 2 && r.is_op(first - 1, ".") && r.kind(first - 2) == Some(Kind::Ident) {
            first -= 2;
        }
        if first > 0 && r.is_op(first - 1, ".") {
            continue;
        }
        let Some(module) = src.get(tokens[first].start as usize..tokens[i - 1].end as usize) else {
            continue;
        };
        if !fun.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        if module.starts_with("Telemetry.Metrics")
            || module.starts_with("TelemetryMetrics")
            || module.starts_with("OpentelemetryPhoenix")
            || module.starts_with("OpentelemetryEcto")
            || module.starts_with("OpentelemetryBandit")
            || module.starts_with("OpentelemetryCowboy")
            || module == "PromEx"
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact facts, from a parse.
    fn exact(rel: &str, src: &str) -> FileFacts {
        let index = crate::project::index_sources(&[(rel, src)]);
        (*index
            .file(std::path::Path::new("/app").join(rel).as_path())
            .unwrap()
            .facts)
            .clone()
    }

    fn seen(facts: &FileFacts) -> Vec<ModuleFacts> {
        facts
            .modules
            .iter()
            .map(ModuleFacts::seen_from_elsewhere)
            .collect()
    }

    #[test]
    fn module_facts_agree_with_the_parse() {
        let src = r#"defmodule Shop.Orders do
  @moduledoc """
  defmodule Not.A.Module do — inside a heredoc.
  """
  alias Shop.Repo

  @type t :: %__MODULE__{id: integer() | nil, lines: [Line.t()]}
  @type status :: :open | :closed
  defstruct [:id, lines: []]

  @callback priced(order :: t(), currency :: atom()) :: {:ok, t()} | {:error, term()}
  @callback reset() :: :ok
  @macrocallback build(keyword) :: Macro.t()

  defmodule Line do
    @opaque t() :: %__MODULE__{}
    defstruct sku: nil, qty: 1

    def total(%__MODULE__{qty: q}), do: q
  end

  defmodule __MODULE__.Error do
    defexception [:message]
  end

  def new(attrs) do
    # defstruct in a function body is not the module's struct
    schema = Keyword.get(attrs, :schema)
    %__MODULE__{id: schema}
  end

  defmacro template do
    quote do
      defmodule Generated do
        defstruct [:x]
      end
    end
  end
end

defimpl String.Chars, for: Shop.Orders do
  def to_string(order), do: "order #{order.id}"
end

defmodule Shop.Accounts.User do
  use Ecto.Schema

  embedded_schema do
    field :email, :string
  end
end

defmodule Shop.Empty, do: nil
"#;
        let rel = "lib/shop/orders.ex";
        let tokens = file_facts(rel, src);
        let exact = exact(rel, src);
        assert_eq!(seen(&tokens), seen(&exact));
        let names: Vec<&str> = tokens.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Shop.Orders",
                "Shop.Orders.Line",
                "Shop.Orders.Error",
                "String.Chars",
                "Shop.Accounts.User",
                "Shop.Empty"
            ]
        );
        assert!(tokens.modules[0].has_type_t && tokens.modules[0].has_struct);
        assert_eq!(
            tokens.modules[0].callbacks,
            [
                ("priced".to_string(), 2),
                ("reset".to_string(), 0),
                ("build".to_string(), 1)
            ]
        );
        assert!(tokens.modules[1].has_type_t);
        assert!(tokens.modules[2].has_struct && !tokens.modules[2].has_type_t);
        assert!(tokens.modules[4].has_struct);
    }

    #[test]
    fn telemetry_and_phoenix_agree_with_the_parse() {
        let telemetry = "defmodule ShopWeb.Telemetry do\n  use Supervisor\n  import Telemetry.Metrics\n\n  def metrics, do: [summary(\"phoenix.endpoint.stop.duration\")]\nend\n";
        let attach = "defmodule Shop.Instrumenter do\n  def setup do\n    :telemetry.attach_many(\"shop\", [[:shop, :repo, :query]], &__MODULE__.handle/4, nil)\n  end\nend\n";
        let prom = "defmodule Shop.Prom do\n  def plugins, do: [PromEx.Plugins.Application]\nend\n";
        let none = "defmodule Shop.Quiet do\n  # :telemetry.attach(\"x\") in a comment\n  def run, do: :telemetry.execute([:shop], %{})\nend\n";
        let mix = "defmodule Shop.MixProject do\n  use Mix.Project\n  defp deps, do: [{:phoenix, \"~> 1.7\"}]\nend\n";
        for (rel, src, expected) in [
            ("lib/shop_web/telemetry.ex", telemetry, true),
            ("lib/shop/instrumenter.ex", attach, true),
            ("lib/shop/prom.ex", prom, false),
            ("lib/shop/quiet.ex", none, false),
        ] {
            let tokens = file_facts(rel, src);
            assert_eq!(tokens.telemetry, expected, "{rel}");
            assert_eq!(tokens.telemetry, exact(rel, src).telemetry, "{rel}");
        }
        assert!(file_facts("mix.exs", mix).phoenix_project);
        assert!(exact("mix.exs", mix).phoenix_project);
    }

    #[test]
    fn files_tokens_cannot_read_are_parsed() {
        assert!(needs_parse(
            "priv/repo/migrations/20240101000000_add_users.exs",
            "defmodule M do\nend\n"
        ));
        assert!(needs_parse(
            "lib/shop/repo.ex",
            "use Ecto.Repo, otp_app: :shop"
        ));
        assert!(needs_parse("lib/shop_web.ex", "defmacro __using__(which)"));
        assert!(needs_parse(
            "lib/shop/application.ex",
            "Supervisor.start_link(children, opts)"
        ));
        assert!(!needs_parse(
            "lib/shop/orders.ex",
            "defmodule Shop.Orders do\nend\n"
        ));
    }
}
