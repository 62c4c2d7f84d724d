//! `raw-sql-in-migration`: `execute(...)` in a migration. The SQL is opaque to every other
//! migration rule, so it deserves a reviewer's eye; an info, not a warning.
//!
//! Not reported in `down/0`.

use crate::lint::migration::{self, Direction, OpKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};
use crate::syntax::{elixir, text};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "raw-sql-in-migration",
        level: 2,
        severity: Severity::Info,
        fixable: false,
        summary: "`execute(...)` running raw SQL in a migration",
        docs: RuleDocs {
            why: "Raw SQL bypasses every check ladder makes on Ecto's migration functions: a \
                  `CREATE INDEX` without `CONCURRENTLY`, an `ALTER TABLE` that rewrites, an \
                  `UPDATE` over a whole table all look alike. `execute/1` with a single statement \
                  also makes a `change/0` migration irreversible.",
            bad: "def change do\n  execute \"CREATE INDEX users_email_index ON users (email)\"\nend",
            good: "def change do\n  create index(:users, [:email], concurrently: true)\nend",
            fix: "Prefer Ecto's migration functions where they exist. Where raw SQL is needed \
                  (extensions, triggers, `VALIDATE CONSTRAINT`), give `execute/2` both the up and \
                  the down statement, and check the SQL's locks by hand; then mark it reviewed \
                  with `# excellent_migrations:safety-assured-for-next-line raw_sql_executed` or \
                  `# ladder:disable-next-line raw-sql-in-migration`.",
        },
        excellent_migrations: &["raw_sql_executed"],
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    let Some(m) = migration::analyze(ctx) else {
        return;
    };
    let src = ctx.source;
    for op in &m.ops {
        if !matches!(op.kind, OpKind::Execute) || op.direction != Direction::Forward {
            continue;
        }
        let what = match elixir::call_args(op.node).first() {
            Some(arg) if matches!(arg.kind(), "string" | "sigil") => {
                format!("raw SQL ({})", summary(text(*arg, src)))
            }
            Some(arg) if arg.kind() == "anonymous_function" => "a function".to_string(),
            _ => "raw SQL".to_string(),
        };
        let message = format!(
            "`execute` runs {what} that the migration checks cannot see; review its locks by hand"
        );
        out.push(Finding::new(&RULE.meta, op.node.byte_range(), message));
    }
}

/// The first words of an SQL literal, for the message: `"CREATE EXTENSION …"`.
fn summary(literal: &str) -> String {
    let body = literal
        .trim_start_matches('~')
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim_matches(|c: char| "\"'|/([{}])".contains(c));
    let words: Vec<&str> = body.split_whitespace().collect();
    let shown = words.iter().take(3).copied().collect::<Vec<_>>().join(" ");
    if words.len() > 3 {
        format!("`{shown} …`")
    } else {
        format!("`{shown}`")
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::migration_test_support::*;

    const CODE: &str = "raw-sql-in-migration";

    #[test]
    fn flags_execute_in_every_form() {
        for op in [
            "execute \"CREATE EXTENSION IF NOT EXISTS citext\"",
            "execute(\"CREATE EXTENSION IF NOT EXISTS citext\", \"DROP EXTENSION citext\")",
            "execute ~s|CREATE EXTENSION IF NOT EXISTS citext|",
            "execute(\"\"\"\nCREATE EXTENSION IF NOT EXISTS citext\n\"\"\")",
            "execute(fn -> repo().query!(\"SELECT 1\") end)",
            "Ecto.Migration.execute(\"VACUUM\")",
        ] {
            assert_count(&change(op), CODE, 1);
        }
        let f = assert_count(
            &change("execute \"CREATE EXTENSION IF NOT EXISTS citext\""),
            CODE,
            1,
        );
        assert_eq!(
            f[0].message,
            "`execute` runs raw SQL (`CREATE EXTENSION IF …`) that the migration checks cannot see; review its locks by hand"
        );
        assert!(
            assert_count(&change("execute(fn -> :ok end)"), CODE, 1)[0]
                .message
                .contains("runs a function")
        );
    }

    #[test]
    fn rollbacks_and_other_code_are_clean() {
        assert_none(
            &module("", &function("down", "execute \"DROP EXTENSION citext\"")),
            CODE,
        );
        assert_none(&change("flush()"), CODE);
        assert!(
            crate::lint::rules::test_support::findings_of(
                "defmodule A do\n  def f, do: execute(\"x\")\nend\n",
                "lib/a.ex",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn excellent_migrations_comments_silence_it() {
        assert_excellent_suppression(
            &change("execute \"CREATE EXTENSION citext\""),
            CODE,
            "raw_sql_executed",
        );
    }
}
