//! L6 — observable: what happens in production can be seen. `missing-telemetry-setup` answers
//! from the project index.

pub mod missing_telemetry_setup;
mod module_calls;
pub mod unsupervised_process;
pub mod untraced_external_call;

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::{findings_of, lint_all};

    /// Each rule's documented bad example is flagged and its good example is not.
    #[test]
    fn documented_examples_behave_as_documented() {
        for rule in [
            &super::untraced_external_call::RULE,
            &super::unsupervised_process::RULE,
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
            "defmodule A do\n  def f, do: HTTPoison.get(\n",
            "defmodule A do\n  use Tesla\n  def f, do: get(\n",
            "defmodule A do\n  def f, do: Task.async(fn ->\n",
            "defmodule A do\n  defmodule B do\n    def f, do: spawn(\n",
            "spawn(fn -> :ok end)\nTask.start(\n",
            "defmodule",
        ];
        for src in snippets {
            for f in lint_all(src, "lib/a.ex") {
                assert!(f.range.end <= src.len(), "{}: {src}", f.code);
            }
        }
    }
}
