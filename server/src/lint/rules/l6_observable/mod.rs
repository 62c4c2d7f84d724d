//! L6 — observable: what happens in production can be seen. `missing-telemetry-setup` answers
//! from the project index.

pub mod missing_telemetry_setup;
mod module_calls;
pub mod unsupervised_process;
pub mod untraced_external_call;

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::{
        assert_docs_examples_behave, assert_no_finding_outside,
    };

    #[test]
    fn documented_examples_behave_as_documented() {
        assert_docs_examples_behave(
            &[
                &super::untraced_external_call::RULE,
                &super::unsupervised_process::RULE,
            ],
            |_| "lib/shop/example.ex",
        );
    }

    #[test]
    fn broken_code_does_not_panic() {
        assert_no_finding_outside(
            &[
                "defmodule A do\n  def f, do: HTTPoison.get(\n",
                "defmodule A do\n  use Tesla\n  def f, do: get(\n",
                "defmodule A do\n  def f, do: Task.async(fn ->\n",
                "defmodule A do\n  defmodule B do\n    def f, do: spawn(\n",
                "spawn(fn -> :ok end)\nTask.start(\n",
                "defmodule",
            ],
            &["lib/a.ex"],
        );
    }
}
