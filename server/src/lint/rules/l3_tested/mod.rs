//! L3 — tested: errors that tests cannot see because the code hides them, and tests that do not
//! run. `missing-test-file` answers from the project index; `test-failure` comes from the mix gate.

mod handling;
pub mod missing_test_file;
pub mod silent_rescue;
pub mod skipped_test;
pub mod swallowed_error;

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::{
        assert_docs_examples_behave, assert_no_finding_outside,
    };

    #[test]
    fn documented_examples_behave_as_documented() {
        assert_docs_examples_behave(
            &[
                &super::silent_rescue::RULE,
                &super::swallowed_error::RULE,
                &super::skipped_test::RULE,
            ],
            |code| {
                if code == "skipped-test" {
                    "test/shop/orders_test.exs"
                } else {
                    "lib/shop/example.ex"
                }
            },
        );
    }

    #[test]
    fn broken_code_does_not_panic() {
        assert_no_finding_outside(
            &[
                "def f(x) do\n  try do\n    g(x)\n  rescue\n    e in ->\n",
                "def f(x) do\n  g(x)\nrescue\n  _ ->\n",
                "case Repo.insert(cs) do\n  {:error, _} ->\n",
                "with {:ok, a} <- f() do\n  a\nelse\n  {:error,\n",
                "_ = Repo.insert(\n",
                "Repo.update(cs) |>\n",
                "@tag :skip\n@tag\n@moduletag skip:\n",
                "rescue",
            ],
            &["lib/a.ex", "test/a_test.exs"],
        );
    }
}
