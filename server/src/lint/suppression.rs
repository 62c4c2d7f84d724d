//! Suppression comments (spec §7).
//!
//! Ours: `# ladder:disable-next-line CODE[, CODE]` and `# ladder:disable-for-this-file CODE`
//! (no code: every rule). The comments of the tools teams already use are honoured for the
//! equivalent rules, so annotated codebases do not light up: `# credo:disable-for-next-line
//! Credo.Check.X.Y` (and `-for-this-file`, `-for-previous-line`, `-for-lines:N`),
//! `# excellent_migrations:safety-assured-for-next-line TYPE` (and `-for-this-file`), and
//! `# sobelow_skip ["SQL.Query", "XSS"]` before a function (see [`sobelow_directives`]).
//!
//! "Next line" is the next line that is not only a comment, so directives can be stacked.

use std::ops::Range;

use crate::syntax::Node;

use super::{Edit, Finding, Fix, LintContext, Rule, RuleMeta, registry};
use crate::config::sobelow_name_matches;
use crate::syntax::{self, elixir};

/// Which tool's comment syntax a directive uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `# ladder:…`
    Ladder,
    /// `# credo:…`
    Credo,
    /// `# excellent_migrations:…`
    ExcellentMigrations,
    /// `# sobelow_skip [...]`
    Sobelow,
}

/// The lines a directive covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Lines `start..=end` (zero-based).
    Lines(usize, usize),
    /// The whole file.
    File,
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Directive {
    /// Whose syntax.
    pub origin: Origin,
    /// What it covers.
    pub scope: Scope,
    /// The names it lists (rule codes, Credo checks, danger types); `None` means all.
    pub names: Option<Vec<String>>,
    /// The comment's byte range.
    pub range: Range<usize>,
    /// Per listed name, whether it silenced a finding.
    used: Vec<bool>,
    /// Whether it silenced anything at all.
    used_any: bool,
}

/// Every suppression directive in the file.
pub fn parse_directives(ctx: &LintContext<'_>) -> Vec<Directive> {
    // Every directive starts with one of these words: most files have none, and then no walk
    // of the tree is needed (an incremental re-lint has not walked the unchanged functions).
    const MARKERS: &[&str] = &["ladder:", "credo:", "excellent_migrations:", "sobelow_skip"];
    if !MARKERS.iter().any(|m| ctx.source.contains(m)) {
        return Vec::new();
    }
    let mut directives: Vec<Directive> = ctx
        .nodes()
        .comments
        .iter()
        .filter_map(|node| parse_comment(*node, ctx))
        .collect();
    directives.extend(sobelow_directives(ctx));
    directives
}

/// `# sobelow_skip ["Type", ...]` comments, each covering the lines of the function clause it
/// stands before. This follows Sobelow (`Sobelow.Parse`): with `--skip`, it rewrites
/// `#\s?sobelow_skip ["A", "B"]` into a `@sobelow_skip` attribute and pairs each attribute with
/// the next `def`/`defp` clause in document order, so other attributes (`@doc`, `@spec`),
/// comments and blank lines may sit in between; a skip that no `def`/`defp` follows covers
/// nothing, `defmacro` is not a function to Sobelow, and of two skips before the same clause
/// only the nearer counts. Extra whitespace is tolerated where Sobelow's pattern allows one
/// space. The attribute form `@sobelow_skip ["Type"]` counts the same.
pub fn sobelow_directives(ctx: &LintContext<'_>) -> Vec<Directive> {
    let src = ctx.source;
    let mut skips: Vec<(Node<'_>, Vec<String>)> = ctx
        .nodes()
        .comments
        .iter()
        .filter_map(|c| Some((*c, parse_sobelow_skip(syntax::text(*c, src))?)))
        .collect();
    // `@sobelow_skip ["Type"]` written as an attribute is what Sobelow reads in the end, so it
    // works there too (some teams write it so, to survive comment reflowing).
    skips.extend(ctx.nodes().calls.iter().filter_map(|call| {
        if elixir::local_call_name(*call, src) != Some("sobelow_skip") {
            return None;
        }
        let attr = elixir::attribute(call.parent()?, src)?;
        let value = syntax::text(attr.value?, src);
        Some((
            attr.node,
            parse_sobelow_skip(&format!("sobelow_skip {value}"))?,
        ))
    }));
    skips.sort_by_key(|(node, _)| node.start_byte());
    if skips.is_empty() {
        return Vec::new();
    }
    let defs: Vec<Node<'_>> = ctx
        .nodes()
        .calls
        .iter()
        .copied()
        .filter(|call| {
            matches!(elixir::local_call_name(*call, src), Some("def" | "defp"))
                && !elixir::call_args(*call).is_empty()
        })
        .collect();
    let mut out = Vec::new();
    for (i, (comment, names)) in skips.iter().enumerate() {
        let Some(def) = defs.iter().find(|d| d.start_byte() >= comment.end_byte()) else {
            continue;
        };
        let superseded = skips
            .get(i + 1)
            .is_some_and(|(next, _)| next.start_byte() < def.start_byte());
        if superseded {
            continue;
        }
        out.push(Directive {
            origin: Origin::Sobelow,
            scope: Scope::Lines(ctx.line_of(def.start_byte()), ctx.line_of(def.end_byte())),
            names: Some(names.clone()),
            range: comment.byte_range(),
            used: vec![false; names.len()],
            used_any: false,
        });
    }
    out
}

/// The types of a `# sobelow_skip ["SQL.Query", "XSS"]` comment; `None` when the comment is
/// not one (Sobelow ignores a skip with an empty or malformed list, and so do we). Text after
/// the closing bracket is allowed, as Sobelow's pattern is not anchored there.
fn parse_sobelow_skip(comment: &str) -> Option<Vec<String>> {
    let rest = comment
        .trim_start_matches('#')
        .trim_start()
        .strip_prefix("sobelow_skip")?
        .trim_start()
        .strip_prefix('[')?;
    let (list, _) = rest.split_once(']')?;
    let mut names = Vec::new();
    for item in list.split(',') {
        let item = item.trim();
        let name = item.strip_prefix('"')?.strip_suffix('"')?;
        if name.is_empty() || name.contains('"') {
            return None;
        }
        names.push(name.to_string());
    }
    Some(names)
}

fn parse_comment(node: Node<'_>, ctx: &LintContext<'_>) -> Option<Directive> {
    let body = syntax::text(node, ctx.source)
        .trim_start_matches('#')
        .trim();
    let (origin, rest) = if let Some(rest) = body.strip_prefix("ladder:") {
        (Origin::Ladder, rest)
    } else if let Some(rest) = body.strip_prefix("credo:") {
        (Origin::Credo, rest)
    } else if let Some(rest) = body.strip_prefix("excellent_migrations:") {
        (Origin::ExcellentMigrations, rest)
    } else {
        return None;
    };
    let (verb, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let line = ctx.line_of(node.start_byte());
    let next = next_code_line(ctx, line);
    let scope = match (origin, verb) {
        (Origin::Ladder, "disable-next-line") => Scope::Lines(next, next),
        (Origin::Ladder, "disable-for-this-file") => Scope::File,
        (Origin::Credo, "disable-for-next-line") => Scope::Lines(next, next),
        (Origin::Credo, "disable-for-previous-line") => {
            Scope::Lines(line.saturating_sub(1), line.saturating_sub(1))
        }
        (Origin::Credo, "disable-for-this-file") => Scope::File,
        (Origin::Credo, v) if v.starts_with("disable-for-lines:") => {
            let n: usize = v["disable-for-lines:".len()..].parse().ok()?;
            Scope::Lines(line + 1, line + n.max(1))
        }
        (Origin::ExcellentMigrations, "safety-assured-for-next-line") => Scope::Lines(next, next),
        (Origin::ExcellentMigrations, "safety-assured-for-this-file") => Scope::File,
        _ => return None,
    };
    let names: Vec<String> = args
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let used = vec![false; names.len()];
    let names = (!names.is_empty()).then_some(names);
    Some(Directive {
        origin,
        scope,
        names,
        range: node.byte_range(),
        used,
        used_any: false,
    })
}

/// The first line after `line` that is not blank-with-a-comment only, i.e. holds code.
fn next_code_line(ctx: &LintContext<'_>, line: usize) -> usize {
    let mut l = line + 1;
    while l < ctx.rope.len_lines() {
        let text = ctx.rope.line(l).to_string();
        if !text.trim_start().starts_with('#') {
            return l;
        }
        l += 1;
    }
    l
}

impl Directive {
    fn covers(&self, line: usize) -> bool {
        match self.scope {
            Scope::File => true,
            Scope::Lines(start, end) => (start..=end).contains(&line),
        }
    }

    /// Whether this directive's names select `meta`'s rule; marks the names used.
    fn select(&mut self, meta: &RuleMeta) -> bool {
        let aliases: &[&str] = match self.origin {
            Origin::Ladder => &[],
            Origin::Credo => meta.credo,
            Origin::ExcellentMigrations => meta.excellent_migrations,
            Origin::Sobelow => meta.sobelow,
        };
        match &self.names {
            // A bare ladder directive silences every rule; a bare Credo one every rule that
            // stands for a Credo check; excellent_migrations and Sobelow require a type.
            None => self.origin == Origin::Ladder || !aliases.is_empty(),
            Some(names) => {
                let mut hit = false;
                for (i, name) in names.iter().enumerate() {
                    let matches = match self.origin {
                        Origin::Ladder => name == meta.code,
                        Origin::Credo => aliases
                            .iter()
                            .any(|a| a == name || a.strip_prefix("Credo.Check.") == Some(name)),
                        Origin::ExcellentMigrations => aliases.contains(&name.as_str()),
                        Origin::Sobelow => aliases.iter().any(|a| sobelow_name_matches(name, a)),
                    };
                    if matches {
                        self.used[i] = true;
                        hit = true;
                    }
                }
                hit
            }
        }
    }
}

/// Whether a directive silences `finding` (which starts on `line`); marks what was used.
pub fn suppress(directives: &mut [Directive], finding: &Finding, line: usize) -> bool {
    suppress_among(registry::RULES, directives, finding, line)
}

/// [`suppress`] with the rules (and so the Credo, excellent_migrations and Sobelow names they
/// stand for) taken from `rules` rather than the registry.
pub fn suppress_among(
    rules: &[&Rule],
    directives: &mut [Directive],
    finding: &Finding,
    line: usize,
) -> bool {
    let Some(rule) = rules.iter().find(|r| r.meta.code == finding.code) else {
        return false;
    };
    let mut suppressed = false;
    for d in directives.iter_mut() {
        // A directive never silences the finding about itself.
        if d.range == finding.range || !d.covers(line) {
            continue;
        }
        if d.select(&rule.meta) {
            d.used_any = true;
            suppressed = true;
        }
    }
    suppressed
}

/// `unused-suppression` findings for `ladder:` directives that silenced nothing. The other
/// tools' comments are left alone: they serve those tools too, and name checks (Sobelow's
/// `Config.CSP`, `Vuln.*`…) that no ladder rule stands for.
pub fn unused(directives: &[Directive], ctx: &LintContext<'_>, meta: &RuleMeta) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in directives.iter().filter(|d| d.origin == Origin::Ladder) {
        let text = syntax::text_range(ctx.source, &d.range);
        match &d.names {
            None if !d.used_any => {
                let msg = format!("`{text}` suppresses nothing");
                out.push(Finding::new(meta, d.range.clone(), msg).with_fix(delete_comment(ctx, d)));
            }
            None => {}
            Some(names) => {
                let mut keep = Vec::new();
                let mut unused = Vec::new();
                for (name, used) in names.iter().zip(&d.used) {
                    match registry::find(name) {
                        None => unused.push(format!("unknown rule `{name}`")),
                        // Rules that are off, or whose findings come from the mix gates, cannot
                        // be judged here: keep them without complaint.
                        Some(rule)
                            if *used
                                || rule.check.is_none()
                                || !ctx.config.rule_enabled_in(name, &ctx.file.project_rel) =>
                        {
                            keep.push(name.as_str())
                        }
                        Some(_) => unused.push(format!("`{name}`")),
                    }
                }
                if unused.is_empty() {
                    continue;
                }
                let msg = format!("suppression of {} silences nothing here", unused.join(", "));
                let fix = if keep.is_empty() {
                    delete_comment(ctx, d)
                } else {
                    let verb = text
                        .trim_start_matches('#')
                        .split_whitespace()
                        .next()
                        .unwrap_or("");
                    let new_text = format!("# {verb} {}", keep.join(", "));
                    Fix::safe(
                        "Remove the unused codes",
                        vec![Edit::replace(d.range.clone(), new_text)],
                    )
                };
                out.push(Finding::new(meta, d.range.clone(), msg).with_fix(fix));
            }
        }
    }
    out
}

/// Deletes a comment: the whole line when it stands alone, else the comment and the spaces
/// before it.
fn delete_comment(ctx: &LintContext<'_>, d: &Directive) -> Fix {
    let src = ctx.source;
    let range = if elixir::starts_line(src, d.range.start) {
        elixir::line_start(src, d.range.start)..elixir::line_end_with_terminator(src, d.range.end)
    } else {
        let before = src[..d.range.start].trim_end_matches([' ', '\t']).len();
        before..d.range.end
    };
    Fix::safe(
        "Delete the unused suppression comment",
        vec![Edit::delete(range)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::document::Document;
    use crate::lint::FileInfo;

    static SQL: Rule = Rule {
        meta: RuleMeta {
            code: "fake-sql",
            sobelow: &["SQL.Query", "SQL.Stream"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static RAW: Rule = Rule {
        meta: RuleMeta {
            code: "fake-raw",
            sobelow: &["XSS.Raw", "XSS.HTML"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static ATOM: Rule = Rule {
        meta: RuleMeta {
            code: "fake-atom",
            sobelow: &["DOS.StringToAtom", "DOS.ListToAtom", "DOS.BinToAtom"],
            ..RuleMeta::BASE
        },
        check: None,
    };
    static PLAIN: Rule = Rule {
        meta: RuleMeta {
            code: "fake-plain",
            ..RuleMeta::BASE
        },
        check: None,
    };
    static RULES: &[&Rule] = &[&SQL, &RAW, &ATOM, &PLAIN];

    /// For each `(rule, text)`, a finding of `rule` on the `n`th occurrence of `text` (`text`
    /// may end in `#n`, default the first), and whether the directives of `src` silence it.
    fn silenced(src: &str, findings: &[(&Rule, &str)]) -> Vec<bool> {
        let doc = Document::new(src, 0);
        let file = FileInfo::new("lib/shop/reports.ex");
        let config = Config::default();
        let ctx = LintContext::new(src, doc.rope(), doc.tree(), &file, &config);
        let mut directives = parse_directives(&ctx);
        findings
            .iter()
            .map(|(rule, needle)| {
                let (needle, nth) = match needle.rsplit_once('#') {
                    Some((n, k)) if k.parse::<usize>().is_ok() => (n, k.parse().unwrap()),
                    _ => (*needle, 1),
                };
                let start = src
                    .match_indices(needle)
                    .nth(nth - 1)
                    .unwrap_or_else(|| panic!("{needle} not in source"))
                    .0;
                let finding = Finding::new(&rule.meta, start..start + needle.len(), "x");
                suppress_among(RULES, &mut directives, &finding, ctx.line_of(start))
            })
            .collect()
    }

    const REPORTS: &str = r#"defmodule Shop.Reports do
  alias Shop.Repo

  # sobelow_skip ["SQL.Query"]
  def sales_by_region(region) do
    Repo.query!("SELECT sum(total) FROM orders WHERE region = '#{region}'")
  end

  def top_customers(limit) do
    Repo.query!("SELECT * FROM customers LIMIT #{limit}")
  end
end
"#;

    #[test]
    fn an_exact_type_covers_its_function_only() {
        let got = silenced(
            REPORTS,
            &[
                (&SQL, "Repo.query!#1"),
                (&SQL, "Repo.query!#2"),
                (&RAW, "Repo.query!#1"),
            ],
        );
        assert_eq!(got, [true, false, false]);
    }

    #[test]
    fn a_category_covers_all_its_types_and_several_types_may_be_listed() {
        let src = r#"defmodule ShopWeb.ExportController do
  use ShopWeb, :controller

  #sobelow_skip ["SQL"]
  def csv(conn, %{"table" => table}) do
    Ecto.Adapters.SQL.stream(Repo, "COPY #{table} TO STDOUT")
  end

  # sobelow_skip ["XSS.Raw",  "DOS.StringToAtom"]
  def show(conn, %{"format" => format, "body" => body}) do
    format = String.to_atom(format)
    html(conn, raw(body))
  end
end
"#;
        let got = silenced(
            src,
            &[
                (&SQL, "Ecto.Adapters.SQL.stream"),
                (&ATOM, "String.to_atom"),
                (&RAW, "raw(body)"),
                (&PLAIN, "raw(body)"),
                (&SQL, "html(conn"),
            ],
        );
        assert_eq!(got, [true, true, true, false, false]);
    }

    #[test]
    fn the_comment_may_stand_above_doc_and_spec_attributes() {
        let src = r#"defmodule Shop.Search do
  # sobelow_skip ["SQL.Query"]
  @doc """
  Full-text search; `column` comes from a fixed allow-list.
  """
  @spec search(String.t(), String.t()) :: [map()]
  def search(column, term) when column in ~w(name sku) do
    Repo.query!("SELECT * FROM products WHERE #{column} ILIKE $1", ["%#{term}%"])
  end
end
"#;
        assert_eq!(silenced(src, &[(&SQL, "Repo.query!")]), [true]);
    }

    #[test]
    fn a_skip_covers_the_next_clause_not_the_others() {
        let src = r#"defmodule Shop.Stats do
  # sobelow_skip ["SQL.Query"]
  def count(:orders), do: Repo.query!("SELECT count(*) FROM #{@orders}")
  def count(table), do: Repo.query!("SELECT count(*) FROM #{table}")
end
"#;
        assert_eq!(
            silenced(src, &[(&SQL, "Repo.query!#1"), (&SQL, "Repo.query!#2")]),
            [true, false]
        );
    }

    #[test]
    fn a_comment_not_before_a_function_covers_nothing() {
        let src = r#"defmodule Shop.Legacy do
  def run(sql) do
    Repo.query!(sql)
  end

  defmacro table_count(t) do
    quote do: Repo.query!("SELECT count(*) FROM #{unquote(t)}")
  end
  # sobelow_skip ["SQL.Query"]
end

# sobelow_skip ["SQL.Query"]
Repo.query!("SELECT 1 FROM #{table}")
"#;
        assert_eq!(
            silenced(
                src,
                &[
                    (&SQL, "Repo.query!#1"),
                    (&SQL, "Repo.query!#2"),
                    (&SQL, "Repo.query!#3")
                ]
            ),
            [false, false, false]
        );
    }

    #[test]
    fn of_two_skips_before_one_function_only_the_nearer_counts() {
        let src = r#"defmodule Shop.Mixed do
  # sobelow_skip ["XSS"]
  # sobelow_skip ["SQL"]
  def page(conn, q) do
    Repo.query!("SELECT * FROM pages WHERE slug = '#{q}'")
    html(conn, raw(q))
  end
end
"#;
        assert_eq!(
            silenced(src, &[(&SQL, "Repo.query!"), (&RAW, "raw(q)")]),
            [true, false]
        );
    }

    #[test]
    fn malformed_skips_are_not_directives() {
        for comment in [
            "# sobelow_skip",
            "# sobelow_skip []",
            "# sobelow_skip [SQL.Query]",
            "# sobelow_skip ['SQL.Query']",
            "# sobelow_skip [\"SQL.Query\"",
            "# sobelow_skip [\"\"]",
            "# skip sobelow_skip [\"SQL\"]",
            "# sobelow_skipped [\"SQL\"]",
        ] {
            assert_eq!(parse_sobelow_skip(comment), None, "{comment}");
        }
        assert_eq!(
            parse_sobelow_skip("#   sobelow_skip   [ \"SQL.Query\" ,\"XSS\" ] reviewed 2024-05"),
            Some(vec!["SQL.Query".to_string(), "XSS".to_string()])
        );
        assert!(
            parse_sobelow_skip("# sobelow_skip [\"SQL\"]").is_some()
                && parse_sobelow_skip("# sobelow_skip_not [\"SQL\"]").is_none()
        );
    }

    #[test]
    fn the_attribute_form_counts_too() {
        let src = r#"defmodule Shop.Storage do
  @sobelow_skip ["Traversal.FileModule"]
  @spec ensure_data_dir() :: String.t()
  def ensure_data_dir do
    dir = data_dir()
    File.mkdir_p!(dir)
    dir
  end

  @sobelow_attr ["Traversal"]
  def wipe(dir), do: File.rm_rf!(dir)
end
"#;
        static PATH: Rule = Rule {
            meta: RuleMeta {
                code: "fake-path",
                sobelow: &["Traversal.FileModule"],
                ..RuleMeta::BASE
            },
            check: None,
        };
        let doc = Document::new(src, 0);
        let file = FileInfo::new("lib/shop/storage.ex");
        let config = Config::default();
        let ctx = LintContext::new(src, doc.rope(), doc.tree(), &file, &config);
        let mut directives = parse_directives(&ctx);
        let at = |needle: &str| src.find(needle).unwrap();
        let mut silences = |needle: &str| {
            let start = at(needle);
            let f = Finding::new(&PATH.meta, start..start + 4, "x");
            suppress_among(&[&PATH], &mut directives, &f, ctx.line_of(start))
        };
        assert!(silences("File.mkdir_p!"));
        assert!(!silences("File.rm_rf!"));
    }

    #[test]
    fn a_category_name_is_not_a_prefix_match() {
        let src = r#"defmodule Shop.Q do
  # sobelow_skip ["SQ", "Query", "SQL.Quer"]
  def q(x), do: Repo.query!("SELECT #{x}")
end
"#;
        assert_eq!(silenced(src, &[(&SQL, "Repo.query!")]), [false]);
    }
}
