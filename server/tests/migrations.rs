//! Migration safety on a realistic `priv/repo/migrations` history (`fixtures/migrations`): the
//! real binary, as CI runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/migrations")
}

fn ladder(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ladder-ls"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run ladder-ls")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `(file name, line, code)` of every diagnostic.
fn summary(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            (
                path.rsplit('/').next().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn migration_history_report() {
    let out = ladder(&fixture(), &["check", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let files: Vec<(String, u64, String)> = summary(&report);
    let flagged = |file: &str| files.iter().any(|(f, _, _)| f.starts_with(file));
    // Safe migrations: created-with-the-table indexes, concurrent indexes with both attributes,
    // `validate: false` references, and a reviewed `execute`.
    for safe in [
        "20230104101500",
        "20240108093000",
        "20240112120000",
        "20240116090000",
        "20240117090000",
    ] {
        assert!(!flagged(safe), "{safe} is safe: {files:#?}");
    }
    // `start_after` leaves the unsafe migration that predates ladder-ls alone.
    assert!(!flagged("20230611080000"));
    // `# excellent_migrations:safety-assured-for-next-line table_dropped` is honoured.
    assert!(
        !files
            .iter()
            .any(|(f, _, code)| f.starts_with("20240410000000") && code == "table-dropped")
    );
    // Every migration rule shows up on the unsafe ones, and nothing else does.
    let codes: std::collections::BTreeSet<&str> =
        files.iter().map(|(_, _, code)| code.as_str()).collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        [
            "check-constraint-not-validated",
            "column-added-with-default",
            "column-removed",
            "column-renamed",
            "column-type-changed",
            "concurrent-index-in-transaction",
            "concurrent-index-with-migration-lock",
            "data-change-in-migration",
            "index-not-concurrent",
            "json-column",
            "many-columns-index",
            "not-null-added",
            "raw-sql-in-migration",
            "reference-not-validated",
            "table-renamed",
            "volatile-default",
        ]
    );
    insta::assert_snapshot!(
        "migrations_check_json",
        String::from_utf8(out.stdout).unwrap()
    );
    let human = ladder(&fixture(), &["check"]);
    insta::assert_snapshot!(
        "migrations_check_human",
        String::from_utf8(human.stdout).unwrap()
    );
}

#[test]
fn fix_applies_the_safe_migration_fixes() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let out = ladder(dir.path(), &["check", "--fix", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let migrations = dir.path().join("priv/repo/migrations");
    let read = |name: &str| std::fs::read_to_string(migrations.join(name)).unwrap();
    // Index-only migration: concurrently plus both attributes, formatted as `mix format` would.
    assert_eq!(
        read("20240110141000_add_inserted_at_index_to_users.exs"),
        "defmodule Shop.Repo.Migrations.AddInsertedAtIndexToUsers do\n  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do\n    create index(:users, [:inserted_at], concurrently: true)\n  end\nend\n"
    );
    assert!(
        read("20240420000000_drop_unused_indexes.exs")
            .contains("drop index(:users, [:inserted_at], concurrently: true)")
    );
    // `validate: false` waits for a human: the constraint must be validated in a later migration.
    assert!(
        read("20240115083000_add_shop_to_products.exs")
            .contains("add :shop_id, references(:shops, on_delete: :delete_all)")
    );
    // The attributes a concurrent index needs are added once each.
    let events = read("20240315120000_create_events.exs");
    assert!(
        events.contains(
            "  use Ecto.Migration\n\n  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n  def change do"
        ),
        "{events}"
    );
    // Unsafe fixes (`:jsonb`, `validate: false` on a check constraint) wait for a human.
    assert!(events.contains("add :payload, :json\n"));
    assert!(
        read("20240212000000_add_price_check_to_products.exs").contains("check: \"sku <> ''\")")
    );
    // What is left.
    let left: Vec<String> = summary(&json(&out))
        .into_iter()
        .map(|(f, line, code)| format!("{}:{line} {code}", &f[..14]))
        .collect();
    assert!(
        !left.iter().any(|l| l.contains("concurrent-index-")),
        "{left:#?}"
    );
    assert!(
        !left
            .iter()
            .any(|l| l.starts_with("20240110141000") || l.starts_with("20240420000000")),
        "{left:#?}"
    );
    // A second run has nothing left to fix.
    let before = read("20240315120000_create_events.exs");
    let again = ladder(dir.path(), &["check", "--fix"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("fixed"));
    assert_eq!(read("20240315120000_create_events.exs"), before);
}

#[test]
fn explain_gives_the_full_recipe() {
    let out = ladder(&fixture(), &["explain", "not-null-added"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("validate: false"), "{text}");
    assert!(text.contains("VALIDATE CONSTRAINT"), "{text}");
    assert!(
        text.contains("excellent_migrations `not_null_added`"),
        "{text}"
    );
}
