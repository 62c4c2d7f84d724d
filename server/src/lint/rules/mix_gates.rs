//! Rules whose findings come from the background mix gates (spec §4): registered for `rules`,
//! `explain`, configuration and levels; they have no native check.

use crate::lint::{Rule, RuleDocs, RuleMeta, Severity};

/// L0: what `mix compile` rejects.
pub static COMPILE_ERROR: Rule = Rule {
    meta: RuleMeta {
        code: "compile-error",
        level: 0,
        severity: Severity::Error,
        source: "mix",
        summary: "`mix compile` fails (mix gate)",
        docs: RuleDocs {
            why: "Code that does not compile cannot ship; every other rung depends on this one. \
                  Reported by the background `mix compile` gate at the file, line and column the \
                  compiler names. Not flagged: errors of dependencies — a dependency that does not \
                  compile is one message naming it, and L0 stays unverified until it compiles.",
            bad: "def total(items), do: sum(items)  # undefined function sum/1",
            good: "def total(items), do: Enum.sum(items)",
            fix: "Fix what the compiler says. Enable the gate with `mix: [enabled: true]` in \
                  `.ladder.exs` or the editor setting `mix.enabled`.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};

/// L0: what `mix compile --warnings-as-errors` rejects.
pub static COMPILE_WARNING: Rule = Rule {
    meta: RuleMeta {
        code: "compile-warning",
        level: 0,
        severity: Severity::Warning,
        source: "mix",
        summary: "A compiler warning (`--warnings-as-errors` fails) (mix gate)",
        docs: RuleDocs {
            why: "Compiler warnings (unused variables, undefined functions, deprecated calls) are \
                  bugs or bugs waiting to happen; L0 means `mix compile --warnings-as-errors` \
                  passes. Warnings of files that were not recompiled are kept (`--all-warnings`). \
                  Not flagged: warnings of dependencies (what mix prints after `==> dep`, and \
                  paths outside the project or under `deps/` and `_build/`).",
            bad: "def f(x) do\n  y = x * 2\n  x\nend",
            good: "def f(x) do\n  x\nend",
            fix: "Fix what the compiler says.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};

/// L1: what `mix format` would change.
pub static UNFORMATTED: Rule = Rule {
    meta: RuleMeta {
        code: "unformatted",
        level: 1,
        severity: Severity::Warning,
        fixable: true,
        source: "mix",
        summary: "Lines `mix format` would change (mix gate)",
        docs: RuleDocs {
            why: "Formatting drift fails `mix format --check-formatted` in CI and buries real \
                  changes in diffs. The gate diffs each file against `mix format`'s output and \
                  flags the lines that would change.",
            bad: "def f(x),do: x",
            good: "def f(x), do: x",
            fix: "Replaces the lines with `mix format`'s; or format the whole document.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};

/// L3: failing tests.
pub static TEST_FAILURE: Rule = Rule {
    meta: RuleMeta {
        code: "test-failure",
        level: 3,
        severity: Severity::Error,
        source: "mix",
        summary: "A failing test, at the test and at the failing line (mix gate)",
        docs: RuleDocs {
            why: "L3 means the test suite passes. The gate runs `mix test` and shows each failure \
                  at the test's line and at the line that failed, with the assertion's message.",
            bad: "test \"adds\" do\n  assert Math.add(1, 2) == 4\nend",
            good: "test \"adds\" do\n  assert Math.add(1, 2) == 3\nend",
            fix: "Fix the code or the test. Skipped and excluded tests are not failures.",
        },
        ..RuleMeta::BASE
    },
    check: None,
};
