//! L3 — tested: errors that tests cannot see because the code hides them, and tests that do not
//! run. `missing-test-file` answers from the project index; `test-failure` comes from the mix gate.

mod handling;
pub mod missing_test_file;
pub mod silent_rescue;
pub mod skipped_test;
pub mod swallowed_error;

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::{findings_of, lint_all};

    /// Each rule's documented bad example is flagged and its good example is not.
    #[test]
    fn documented_examples_behave_as_documented() {
        for rule in [
            &super::silent_rescue::RULE,
            &super::swallowed_error::RULE,
            &super::skipped_test::RULE,
        ] {
            let m = &rule.meta;
            let path = if m.code == "skipped-test" {
                "test/shop/orders_test.exs"
            } else {
                "lib/shop/example.ex"
            };
            assert!(
                !findings_of(m.docs.bad, path, m.code).is_empty(),
                "{} bad",
                m.code
            );
            let good = findings_of(m.docs.good, path, m.code);
            assert!(good.is_empty(), "{} good: {good:#?}", m.code);
        }
    }

    /// Half-typed code as an editor sends it: the rules must neither panic nor point outside the
    /// text.
    #[test]
    fn broken_code_does_not_panic() {
        let snippets = [
            "def f(x) do\n  try do\n    g(x)\n  rescue\n    e in ->\n",
            "def f(x) do\n  g(x)\nrescue\n  _ ->\n",
            "case Repo.insert(cs) do\n  {:error, _} ->\n",
            "with {:ok, a} <- f() do\n  a\nelse\n  {:error,\n",
            "_ = Repo.insert(\n",
            "Repo.update(cs) |>\n",
            "@tag :skip\n@tag\n@moduletag skip:\n",
            "rescue",
        ];
        for src in snippets {
            for path in ["lib/a.ex", "test/a_test.exs"] {
                for f in lint_all(src, path) {
                    assert!(f.range.end <= src.len(), "{}: {src}", f.code);
                }
            }
        }
    }
}
