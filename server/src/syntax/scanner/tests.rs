use super::*;

/// (1-based line of the underline, message) of each problem.
fn found(src: &str) -> Vec<(usize, String)> {
    problems(src)
        .into_iter()
        .map(|p| (src[..p.range.start].matches('\n').count() + 1, p.message))
        .collect()
}

const MODULE: &str = "defmodule Shop.Cart do
  use GenServer

  def handle_call({:add, item}, _from, state) do
    items = [item | state.items]
    {:reply, :ok, %{state | items: items}}
  end

  def handle_call(:total, _from, state) do
    total =
      state.items
      |> Enum.map(fn item -> item.price end)
      |> Enum.sum()

    {:reply, total, state}
  end

  defp format(total), do: \"#{total} €\"
end
";

fn without_line(src: &str, line: usize) -> String {
    src.lines()
        .enumerate()
        .filter(|(i, _)| *i + 1 != line)
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

#[test]
fn valid_code_has_no_problem() {
    assert_eq!(found(MODULE), []);
    let tricky = "x = ~r/[)}\\]]/ <> ~S(\\)) <> ?) <> \"#{f(\"}\")}\"\n\
                  y = %{do: 1, end: :end, fn: &fn_x/1}\n\
                  z = <<a::8, b::binary>> <> :<<>>\n\
                  @doc \"\"\"\n  a ) end\n  \"\"\"\n\
                  w = [\n  a: 1,\n  b: [\n    c\n  ]\n]\n";
    assert_eq!(found(tricky), []);
}

#[test]
fn a_lost_end_is_placed_where_the_layout_leaves_the_block() {
    // The first function's `end` (line 7) is gone: the next `def` comes back to its indentation.
    let src = without_line(MODULE, 7);
    let got = found(&src);
    assert_eq!(
        got,
        [(
            6,
            "the `do` of `def handle_call/3` on line 4 has no `end`".to_string()
        )]
    );
    let p = &problems(&src)[0];
    assert_eq!(p.insert.as_ref().map(|i| i.1.as_str()), Some("\n  end"));
    // The second function's `end`: the module's `end` is further left.
    let got = found(&without_line(MODULE, 16));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 15);
    assert!(
        got[0].1.contains("`def handle_call/3` on line 9"),
        "{got:?}"
    );
    // The module's own `end`, the last line.
    let got = found(&without_line(MODULE, 19));
    assert_eq!(
        got,
        [(
            18,
            "the `do` of `defmodule Shop.Cart` on line 1 has no `end`".to_string()
        )]
    );
}

#[test]
fn unclosed_brackets_name_the_opener_and_what_was_found() {
    let src = MODULE.replace("%{state | items: items}}", "%{state | items: items}");
    let got = found(&src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 6);
    assert!(
        got[0].1.starts_with("the `{` on line 6 is never closed"),
        "{got:?}"
    );

    let src = MODULE.replace("item.price end)", "item.price end");
    let got = found(&src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 12);
    assert!(
        got[0].1.starts_with("the `(` on line 12 is never closed"),
        "{got:?}"
    );

    let got = found("foo(%{a: 1)\n");
    assert_eq!(
        got,
        [(
            1,
            "the `%{` on line 1 is never closed; `)` found on line 1".to_string()
        )]
    );
}

#[test]
fn a_lost_fn_end_inside_a_call() {
    let src = MODULE.replace("fn item -> item.price end)", "fn item -> item.price)");
    let got = found(&src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        got[0].1,
        "the `fn` on line 12 has no `end`; `)` found on line 12"
    );
}

#[test]
fn unexpected_closers_and_unterminated_strings() {
    assert_eq!(
        found("x = foo())\n"),
        [(1, "unexpected `)`: nothing open here to close".to_string())]
    );
    let got = found("def f do\n  \"abc\nend\n");
    assert_eq!(got.last().map(|g| g.0), Some(2), "{got:?}");
    assert!(got.last().unwrap().1.contains("never closed (no `\"`)"));
}

#[test]
fn multi_line_heads_and_empty_blocks_keep_their_reference() {
    let src = "defmodule A do
  def f(x)
      when is_integer(x) do
    with {:ok, a} <- g(x),
         {:ok, b} <- g(a) do
      result =
        if b do
          1
        else
          2
        end

      result
    end
  end

  def g(x) do
  end
end
";
    assert_eq!(found(src), []);
    // The `with` loses its `end`: the `end` of `def f` is further left.
    let got = found(&without_line(src, 14));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 13);
    assert!(got[0].1.contains("the `do` of `with` on line 4"), "{got:?}");
    // `if` loses its `end`.
    let got = found(&without_line(src, 11));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("the `do` of `if` on line 7"), "{got:?}");
    assert_eq!(got[0].0, 10);
    // An empty `def` loses its `end`.
    let got = found(&without_line(src, 18));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("`def g/1` on line 17"), "{got:?}");
}

#[test]
fn missing_commas_tree_sitter_accepts() {
    let got = found("x = [a: 1 b: 2]\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "missing `,` between `1` and `b:` on line 1");
    let got = found("x = %{\n  a: 1\n  b: 2\n}\n");
    assert_eq!(
        got,
        [(2, "missing `,` between `1` and `b:` on line 3".to_string())]
    );
    let got = found("field :name, :string\n  default: \"x\"\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 1);
    assert_eq!(
        found("{:ok x}"),
        [(1, "missing `,` between `:ok` and `x` on line 1".to_string())]
    );
    assert_eq!(found("foo(\n  a\n  b\n)\n").len(), 1);
    // Valid juxtapositions: calls without parentheses, access, blocks in parentheses.
    for ok in [
        "foo a, b: 1\n",
        "[a b]\n",
        "x[1] && f.()(2)\n",
        "(a\n b)\n",
        "test \"x\" do\n  :ok\nend\n",
        "case x do\n  :a -> 1\n  :b -> 2\nend\n",
        "@doc false\n@spec f(t) :: :ok | {:error, term}\n",
        "alias Foo.{Bar, Baz}\n",
        "for <<c <- s>>, c != ?a, into: \"\", do: <<c>>\n",
        "x = \"#{a}\" <> \"b\"\n",
        "[\n  a,\n  b\n]\n",
        "quote do\n  unquote(x)\nend\n",
    ] {
        assert_eq!(found(ok), [], "{ok}");
    }
}

#[test]
fn a_bracket_left_open_before_a_do_is_closed_there() {
    let src = "defmodule A do\n  def admin( do\n    %{\n      user: nil\n    }\n  end\n\n  def b, do: 1\nend\n";
    let got = found(src);
    assert_eq!(
        got,
        [(
            2,
            "the `(` on line 2 is never closed; `do` found on line 2".to_string()
        )]
    );
    let p = &problems(src)[0];
    assert_eq!(
        p.insert,
        Some((src.find("( do").unwrap() + 1, ")".to_string()))
    );
}

#[test]
fn ambiguous_calls_without_parentheses_in_containers() {
    for (src, between) in [
        (
            "x = {:ok, repository package, version}\n",
            "`repository` and `package`",
        ),
        (
            "fix(files, repository package, version)\n",
            "`repository` and `package`",
        ),
        (
            "raise ArgumentError \"no body\"\n",
            "`ArgumentError` and `\"no body\"`",
        ),
    ] {
        let got = found(src);
        assert_eq!(got.len(), 1, "{src}: {got:?}");
        assert!(got[0].1.contains(between), "{src}: {got:?}");
    }
    for ok in [
        "foo(a b, c)\n",
        "[a b: 1, c: 2]\n",
        "{a b}\n",
        "%{a b => c}\n",
        "{:reply, case x do\n  _ -> 1\nend, state}\n",
        "%Foo{a: 1}\n",
        "{%User{} = user, %__MODULE__{a: 1}, x}\n",
        "create index(:line_items [:order_id])\n",
        "def f(x)\n    when x > 0 do\n  x\n  |> g()\nend\n",
        "[a: &~p\"/orgs/#{org}?#{&1}\", b: 1]\n",
        "[{:eex, \"#{@pre}/a.eex\": \"a\", \"#{@pre}/b\": \"b\"}]\n",
        "f(:nonode@nohost, 1)\n",
        "%{at:\n    with {u, _} <- parse(x),\n         {:ok, d} <- from(u) do\n      d\n    end, b: 1}\n",
    ] {
        assert_eq!(found(ok), [], "{ok}");
    }
}

#[test]
fn a_bracket_left_open_on_a_clause_head_is_closed_there() {
    let src = "def f(x) do\n  case x do\n    {:ok, %{key: key} ->\n      key\n\n    _ ->\n      nil\n  end\nend\n";
    let got = found(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 3);
    assert_eq!(
        got[0].1,
        "the `{` on line 3 is never closed; `->` found on line 3"
    );
    let src = "x =\n  Enum.map(list, fn {a, b ->\n    a + b\n  end)\n";
    let got = found(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 2);
    let src = "def f do\n  %Result{rows: [[n]] =\n    query!(1)\n\n  n\nend\n";
    let got = found(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 2, "{got:?}");
}

#[test]
fn a_bracket_before_an_operator_and_a_hugged_map() {
    let src =
        "test \"t\" do\n  assert Orders.totals(order == %{\n           a: 1\n         }\nend\n";
    let got = found(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 2, "{got:?}");
    // A hugged last argument keeps its layout placement.
    let src = "def f do\n  render(conn, :index, %{\n    a: 1\n  }\n\n  :ok\nend\n";
    let got = found(src);
    assert_eq!(got, [(4, "the `(` on line 2 is never closed".to_string())]);
}

#[test]
fn a_do_on_its_own_line_inside_parentheses() {
    let src = "defp f(\n       a,\n       b\n     do\n  a + b\nend\n";
    let got = found(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 3, "{got:?}");
}

#[test]
fn a_string_that_swallowed_code_is_the_culprit() {
    let src = "defp escape(field) do\n  if x do\n    ~s(\") <> field <> ~s(\"\n  else\n    field\n  end\nend\n\ndef g(a), do: foo(a)\n";
    let got = found(src);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 3, "{got:?}");
    assert!(
        got[0]
            .1
            .starts_with("the `~s(` on line 3 is not closed on its line"),
        "{got:?}"
    );
    // A multi-line string whose text is prose, not code, is not blamed.
    let src = "def f do\n  q = \"SELECT *\nFROM t\"\n  foo(\nend\n";
    let got = found(src);
    assert!(
        got.iter().all(|g| !g.1.contains("not closed on its line")),
        "{got:?}"
    );
}

#[test]
fn an_interpolation_left_open_is_named() {
    let src = "def f(nonce) do\n  ~s\"\"\"\n  <style nonce=\"#{nonce\">\n  </style>\n  \"\"\"\nend\n\ndef g, do: 1\n";
    let got = found(src);
    assert_eq!(got, [(3, "the `#{` on line 3 is never closed".to_string())]);
}

#[test]
fn a_block_after_a_trailing_operator_comes_back_to_its_own_line() {
    let src = "def f(intent) do\n  label =\n    case intent[\"name\"]\n         |> String.split(\".\")\n         |> Enum.at(1) do\n      nil -> intent\n      label -> label\n    end\n\n  label\nend\n";
    assert_eq!(found(src), []);
    let got = found(&without_line(src, 8));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 7, "{got:?}");
    assert!(got[0].1.contains("`case` on line 3"), "{got:?}");
}
