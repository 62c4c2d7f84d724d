//! Rule metadata: what `rules`, `explain`, the generated docs and the server all read.

use std::fmt;

use super::{Finding, LintContext};

/// How serious a finding is. Errors and warnings block a level; infos and hints do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Must be fixed (E).
    Error,
    /// Should be fixed (W).
    Warning,
    /// Worth knowing (I).
    Info,
    /// A suggestion (H).
    Hint,
}

impl Severity {
    /// The lowercase name used in JSON output and configuration (`:warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    /// The one-letter form of the rule table (E, W, I, H).
    pub fn letter(self) -> char {
        match self {
            Severity::Error => 'E',
            Severity::Warning => 'W',
            Severity::Info => 'I',
            Severity::Hint => 'H',
        }
    }

    /// Whether a finding of this severity keeps a file from passing its level.
    pub fn blocks_level(self) -> bool {
        matches!(self, Severity::Error | Severity::Warning)
    }

    /// Parses a configuration name (`error`, `warning`, `info`, `hint`).
    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The documentation of a rule, rendered by `explain` and into `docs/rules/CODE.md`.
#[derive(Debug)]
pub struct RuleDocs {
    /// What the rule flags and why it matters in production.
    pub why: &'static str,
    /// Elixir code the rule flags.
    pub bad: &'static str,
    /// The same code written so the rule is satisfied.
    pub good: &'static str,
    /// What the fix does, or how to fix by hand when there is no automatic fix.
    pub fix: &'static str,
}

/// Everything about a rule except how it checks.
#[derive(Debug)]
pub struct RuleMeta {
    /// The stable rule code (`missing-spec`).
    pub code: &'static str,
    /// The ladder level it belongs to (0–7).
    pub level: u8,
    /// The default severity.
    pub severity: Severity,
    /// Whether findings come with an automatic fix.
    pub fixable: bool,
    /// One line for the `rules` table.
    pub summary: &'static str,
    /// Where the finding comes from: `ladder` (native), `mix` or `credo` (background gates).
    pub source: &'static str,
    /// Options the rule reads from its configuration, as `(name, description)`.
    pub options: &'static [(&'static str, &'static str)],
    /// The long documentation.
    pub docs: RuleDocs,
    /// Credo checks this rule stands for (`Credo.Check.Warning.IoInspect`): their
    /// `# credo:disable-…` comments silence it too.
    pub credo: &'static [&'static str],
    /// excellent_migrations danger types this rule stands for (`raw_sql_executed`).
    pub excellent_migrations: &'static [&'static str],
    /// Sobelow finding types this rule stands for (`XSS.Raw`).
    pub sobelow: &'static [&'static str],
    /// What the rule's findings depend on, which decides what an edit makes it re-check.
    pub scope: Scope,
    /// For [`Scope::Function`]: whether its findings outside the function clauses may read the
    /// functions' heads (names, arities, `def`/`defp`, through the module models: a `@doc`
    /// judged by whether its function is public). An edit of a head re-checks those findings;
    /// other rules' findings outside the functions stay as they were.
    pub reads_heads: bool,
}

/// What a rule's findings depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Each finding depends only on the text of the segment it lies in (one function clause, or
    /// a stretch of the file between clauses: see `lint::segments`), plus the rest of the file
    /// outside the function clauses, the configuration and the project; a finding outside the
    /// functions also on their heads if the rule says so ([`RuleMeta::reads_heads`]). The
    /// prose of a `@doc` (`lint::doc_prose`) may be read only by findings in the doc itself or
    /// in its function. After an edit inside a function, the rule re-checks that function alone
    /// and the other findings are reused.
    Function,
    /// As [`Scope::Function`], except that a finding in a function may also depend on the
    /// functions it calls, directly or through others (a `@spec` stub inferred through local
    /// calls). After an edit the rule re-checks the edited functions and, when what callers
    /// read of one changed (its summary: `lint::summary`), the functions naming it; rules
    /// walking the module models skip what [`super::LintContext::in_scope`] rejects. A rule
    /// `lint::summary` does not know re-checks every function naming an edited one
    /// (transitively).
    Callers,
    /// Module- or file-wide, but only functions whose text contains one of these strings, and
    /// the functions that name those (transitively), can hold a finding or change one. After an
    /// edit the rule re-checks the edited functions and those whose findings read what changed
    /// (per `lint::summary`); a rule it does not know re-checks all of those functions and the
    /// skeleton.
    Mentions(&'static [&'static str]),
    /// Findings may depend on several functions in ways no text reveals: the rule re-checks the
    /// whole file after every edit.
    File,
}

impl RuleMeta {
    /// Defaults for the optional parts of a rule's metadata, for `..RuleMeta::BASE`.
    pub const BASE: RuleMeta = RuleMeta {
        code: "",
        level: 0,
        severity: Severity::Warning,
        fixable: false,
        summary: "",
        source: "ladder",
        options: &[],
        docs: RuleDocs {
            why: "",
            bad: "",
            good: "",
            fix: "",
        },
        credo: &[],
        excellent_migrations: &[],
        sobelow: &[],
        scope: Scope::File,
        reads_heads: false,
    };
}

/// How a native rule checks a file.
pub type CheckFn = fn(&LintContext<'_>, &mut Vec<Finding>);

/// A registered rule: its metadata and, for native rules, its check. Rules fed by the background
/// mix gates have no check here; they are registered for docs, configuration and levels.
pub struct Rule {
    /// Metadata.
    pub meta: RuleMeta,
    /// The native check, if any.
    pub check: Option<CheckFn>,
}

impl Rule {
    /// The rule's documentation page, used as `codeDescription.href` and in SARIF.
    pub fn doc_url(&self) -> String {
        doc_url(self.meta.code)
    }
}

/// The documentation page of a rule code.
pub fn doc_url(code: &str) -> String {
    format!("https://github.com/ladder-ls/ladder-ls/blob/main/docs/rules/{code}.md")
}
