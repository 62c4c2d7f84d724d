//! L2 — static analysis: Credo-class checks.

mod branches;
pub mod compile_time_env;
pub mod config_in_module_attribute;
pub mod dbg_call;
pub mod deep_nesting;
pub mod expensive_empty_check;
pub mod filter_count;
pub mod fixme_comment;
pub mod function_name;
pub mod high_complexity;
pub mod iex_pry;
pub mod io_inspect;
pub mod large_number;
pub mod map_join;
pub mod mix_env_at_runtime;
pub mod module_name;
pub mod negated_condition_with_else;
pub(crate) mod pipeline;
pub mod predicate_name;
pub mod query_in_loop;
pub mod raise_in_rescue;
pub(crate) mod removal;
pub mod same_operands;
mod tags;
pub mod todo_comment;
pub mod too_many_params;
pub mod unless_else;
pub mod unused_result;
pub mod variable_name;

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::lint_all;

    /// Half-typed code as an editor sends it: the rules must neither panic nor offer fixes that
    /// point outside the text.
    #[test]
    fn broken_code_does_not_panic() {
        let snippets = [
            "def f(x) do\n  unless x do\n    a\n  else\n",
            "def f(x) do\n  if !x, do: 1, else:\n",
            "def f(x) do\n  x |> dbg(\n",
            "def f(x) do\n  try do\n    g()\n  rescue\n    e -> raise\n",
            "def f(x), do: length(x) == \n",
            "def f(x), do: Enum.map(x, & &1) |> Enum.join(\n",
            "defmodule A do\n  @doc \"TODO\n  def f(x), do: x and x\n",
            "def f do\n  Map.put(a, \n  123456\n",
            "&dbg/",
            "unless",
            "if !",
        ];
        for src in snippets {
            for f in lint_all(src, "lib/a.ex") {
                assert!(f.range.end <= src.len(), "{src}");
                if let Some(fix) = f.fix {
                    for e in fix.edits {
                        assert!(e.range.end <= src.len(), "{}: {src}", f.code);
                    }
                }
            }
        }
    }
}
