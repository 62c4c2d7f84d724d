//! The migration rules with the project's migration history and repositories: what earlier
//! migrations did decides whether a later one is dangerous.

use crate::lint::rules::test_support::findings_in_project;

const CREATE_USERS: &str = "defmodule MyApp.Repo.Migrations.CreateUsers do\n  use Ecto.Migration\n\n  def change do\n    create table(:users) do\n      add :email, :string, null: false\n      add :nickname, :string, size: 100\n      add :balance, :decimal, precision: 10, scale: 2\n      add :seen_at, :utc_datetime\n      add :visits, :integer\n      add :score, :integer\n\n      timestamps()\n    end\n  end\nend\n";
const FIRST: &str = "priv/repo/migrations/20230101000000_create_users.exs";
const LATER: &str = "priv/repo/migrations/20240101000000_change_users.exs";

fn alter(lines: &str) -> String {
    format!(
        "defmodule MyApp.Repo.Migrations.ChangeUsers do\n  use Ecto.Migration\n\n  def change do\n    alter table(:users) do\n{lines}    end\n  end\nend\n"
    )
}

fn messages(later: &str, code: &str) -> Vec<String> {
    let files = [(FIRST, CREATE_USERS), (LATER, later)];
    findings_in_project(&files, LATER, code)
        .into_iter()
        .map(|f| f.message)
        .collect()
}

#[test]
fn not_null_is_quiet_when_the_history_says_not_null_already() {
    let restated = alter("      modify :email, :string, null: false\n");
    assert!(messages(&restated, "not-null-added").is_empty());
    let new_constraint = alter("      modify :nickname, :string, size: 100, null: false\n");
    assert_eq!(messages(&new_constraint, "not-null-added").len(), 1);
    // A rename carries the column's state along.
    let renamed = "defmodule MyApp.Repo.Migrations.Rename do\n  use Ecto.Migration\n\n  def change do\n    rename table(:users), :email, to: :login\n  end\nend\n";
    let after = alter("      modify :login, :string, null: false\n");
    let files = [
        (FIRST, CREATE_USERS),
        ("priv/repo/migrations/20230601000000_rename.exs", renamed),
        (LATER, after.as_str()),
    ];
    assert!(findings_in_project(&files, LATER, "not-null-added").is_empty());
}

#[test]
fn type_changes_without_rewrite_are_quiet_with_history() {
    for line in [
        "      modify :nickname, :string, size: 200\n",
        "      modify :nickname, :text\n",
        "      modify :balance, :decimal, precision: 12, scale: 2\n",
        "      modify :seen_at, :utc_datetime_usec\n",
    ] {
        assert!(
            messages(&alter(line), "column-type-changed").is_empty(),
            "{line}"
        );
    }
    assert_eq!(
        messages(
            &alter("      modify :visits, :bigint\n"),
            "column-type-changed"
        ),
        [
            "Changing `users.visits` from `:integer` (as the earlier migrations left it) to `:bigint` rewrites the table under an exclusive lock; add a new column, backfill it and move reads over instead"
        ]
    );
    for line in [
        "      modify :nickname, :string, size: 50\n",
        "      modify :balance, :decimal, precision: 12, scale: 4\n",
    ] {
        assert_eq!(
            messages(&alter(line), "column-type-changed").len(),
            1,
            "{line}"
        );
    }
}

#[test]
fn several_columns_in_one_alter_are_one_finding() {
    let both = alter("      modify :visits, :bigint\n      modify :score, :bigint\n");
    assert_eq!(
        messages(&both, "column-type-changed"),
        [
            "This `alter` changes the types of `users.visits` (`:integer` → `:bigint`), `users.score` (`:integer` → `:bigint`): each rewrites `users` under an exclusive lock; add new columns, backfill them and move reads over instead"
        ]
    );
}

#[test]
fn repositories_on_other_databases_get_no_postgres_lock_rules() {
    let repos = "defmodule MyApp.ClickhouseRepo do\n  use Ecto.Repo, otp_app: :my_app, adapter: Ecto.Adapters.ClickHouse\nend\n";
    let pg = "defmodule MyApp.Repo do\n  use Ecto.Repo, otp_app: :my_app, adapter: Ecto.Adapters.Postgres\nend\n";
    let index = "defmodule MyApp.ClickhouseRepo.Migrations.AddIndex do\n  use Ecto.Migration\n\n  def change do\n    create index(:events, [:site_id])\n  end\nend\n";
    let ch_path = "priv/clickhouse_repo/migrations/20240101000000_add_index.exs";
    let pg_path = "priv/repo/migrations/20240101000000_add_index.exs";
    let files = [
        ("lib/my_app/clickhouse_repo.ex", repos),
        ("lib/my_app/repo.ex", pg),
        (ch_path, index),
        (pg_path, index),
    ];
    assert!(findings_in_project(&files, ch_path, "index-not-concurrent").is_empty());
    assert_eq!(
        findings_in_project(&files, pg_path, "index-not-concurrent").len(),
        1
    );
}
