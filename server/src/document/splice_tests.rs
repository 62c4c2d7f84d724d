use super::*;
use crate::syntax::tree::tests::assert_same;

/// A module shaped like real code: docs, attributes, specs, clauses, a nested module, heredocs,
/// pipes, a `case`, comments after `end`.
const MODULE: &str = r#"defmodule Shop.Orders do
  @moduledoc """
  Orders: placing, paying, cancelling.
  """
  alias Shop.{Repo, Order}
  import Ecto.Query, only: [from: 2]

  @type t :: %Order{}

  @doc "Places an order."
  @spec place(map()) :: {:ok, t} | {:error, Ecto.Changeset.t()}
  def place(attrs) do
    %Order{}
    |> Order.changeset(attrs)
    |> Repo.insert()
  end

  def pay(%Order{state: :open} = order, amount) when amount > 0 do
    case charge(order, amount) do
      {:ok, receipt} -> {:ok, %{order | state: :paid, receipt: receipt}}
      {:error, reason} = error ->
        Logger.warning("payment failed: #{inspect(reason)}")
        error
    end
  end

  def pay(_order, _amount), do: {:error, :not_open} # already paid

  defp charge(order, amount) do
    Payments.charge(order.customer_id, amount, idempotency_key: "order-#{order.id}")
  end

  defmodule Query do
    @moduledoc false
    def open do
      from o in Order, where: o.state == :open
    end
  end

  def cancel(order), do: Repo.update(Order.cancel_changeset(order))
end
"#;

/// Applies `start..end` → `with` to `text` and, when the statement's re-parse applies, checks
/// that its tree equals a fresh parse; returns whether it applied.
fn splices(text: &str, start: usize, end: usize, with: &str) -> bool {
    let old = Arc::new(crate::syntax::parse(text));
    let mut new = text.to_string();
    new.replace_range(start..end, with);
    let stretch = Stretch::then(None, start, end, with.len());
    match splice(&old, stretch, &new) {
        Some(tree) => {
            let fresh = crate::syntax::new_parser().parse(&new, None).unwrap();
            assert_same(&tree, &fresh, &new);
            true
        }
        None => false,
    }
}

/// The provisional splice of `start..end` → `with` into `text`'s tree, and the new text.
fn provisional(text: &str, start: usize, end: usize, with: &str) -> (Option<SyntaxTree>, String) {
    let old = Arc::new(crate::syntax::parse(text));
    let mut new = text.to_string();
    new.replace_range(start..end, with);
    let stretch = Stretch::then(None, start, end, with.len());
    (splice_provisional(&old, stretch, &new), new)
}

fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
}

#[test]
fn an_edit_inside_a_function_is_spliced() {
    let i = at(MODULE, "|> Repo.insert()");
    assert!(splices(MODULE, i, i, "|> tap(&IO.inspect/1)\n    "));
    let i = at(MODULE, "\"payment failed");
    assert!(splices(MODULE, i, i + 1, "\"Payment failed"));
    // Deleting a whole line of a body.
    let i = at(MODULE, "        error\n");
    assert!(splices(MODULE, i - 1, i + 13, ""));
    // In the nested module's function.
    let i = at(MODULE, ":open\n    end");
    assert!(splices(MODULE, i, i + 5, ":closed"));
    // A function with a trailing comment after it, and a one-line clause.
    let i = at(MODULE, ":not_open}");
    assert!(splices(MODULE, i, i + 9, ":closed"));
    // In an attribute's heredoc.
    let i = at(MODULE, "placing");
    assert!(splices(MODULE, i, i, "finding, "));
}

#[test]
fn edits_between_statements_re_read_the_statements_around() {
    // A statement added between two.
    let i = at(MODULE, "\n\n  def pay(_order") + 1;
    assert!(splices(MODULE, i, i, "  @doc false\n"));
    // A function becoming two, and two becoming one.
    let i = at(MODULE, "  def cancel");
    let line_end = i + MODULE[i..].find('\n').unwrap();
    assert!(splices(MODULE, line_end, line_end, "\n  def extra, do: 1"));
    let i = at(MODULE, "  end\n\n  def pay(_order");
    assert!(splices(
        MODULE,
        i,
        i + "  end\n\n  def pay(_order".len(),
        "  end\n  def pay(_order"
    ));
    // Code after a function's `end`, on its line.
    let i = at(MODULE, "Repo.insert()\n  end") + "Repo.insert()\n  end".len();
    assert!(splices(MODULE, i, i, " |> ok()"));
    // A blank line removed, a comment added between functions.
    let i = at(MODULE, "\n\n  defp charge");
    assert!(splices(MODULE, i, i + 1, ""));
    assert!(splices(MODULE, i + 1, i + 1, "  # charges the customer\n"));
    // In the nested module, between its statements.
    let i = at(MODULE, "    def open do");
    assert!(splices(MODULE, i, i, "    @doc \"Open orders.\"\n"));
}

#[test]
fn edits_a_statement_cannot_take_alone_are_left_to_a_full_parse() {
    // In the module head.
    let i = at(MODULE, "Shop.Orders");
    assert!(!splices(MODULE, i, i + 4, "Store"));
    // A function whose `do` goes: it no longer parses alone.
    let i = at(MODULE, "amount > 0 do");
    assert!(!splices(MODULE, i + 10, i + 13, ""));
    // An unterminated string.
    let i = at(MODULE, "\"payment failed");
    assert!(!splices(MODULE, i, i, "\""));
    // Before a module's first statement, after its last one.
    let i = at(MODULE, "  @moduledoc \"\"\"");
    assert!(!splices(MODULE, i, i, "  @x 1\n"));
    let i =
        at(MODULE, "Order.cancel_changeset(order))\n") + "Order.cancel_changeset(order))\n".len();
    assert!(!splices(MODULE, i, i, "  def extra, do: 1\n"));
    // A comment after code on its line turned into code: the line reads differently.
    let i = at(MODULE, "# already");
    assert!(!splices(MODULE, i, i + 3, "@attr"));
}

/// Random edits inside function bodies of a real-shaped module: every splice that applies
/// equals a fresh parse, and most edits that keep the code valid do apply.
#[test]
fn random_edits_in_bodies_splice_exactly() {
    let snippets = [
        "x",
        " ",
        "\n",
        "()",
        "foo(1, 2)",
        "|> bar()",
        "\"s\"",
        "# c\n",
        "do",
        "end",
        "[a: 1]",
        "%{",
        "}",
        ",",
        "fn x -> x end",
        "@attr",
        "\"\"\"\n",
        "'",
        "?a",
        "~s(x)",
        "..",
    ];
    let mut state = 0x2545_f491_u64;
    let mut rand = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let body_start = at(MODULE, "  @doc \"Places");
    let body_end = at(MODULE, "  def cancel");
    let (mut applied, mut tried) = (0, 0);
    for _ in 0..3000 {
        let mut start = body_start + rand(body_end - body_start);
        while !MODULE.is_char_boundary(start) {
            start += 1;
        }
        let mut end = (start + rand(6)).min(body_end);
        while !MODULE.is_char_boundary(end) {
            end += 1;
        }
        let with = snippets[rand(snippets.len())];
        tried += 1;
        if splices(MODULE, start, end, with) {
            applied += 1;
        }
    }
    assert!(applied * 5 > tried, "{applied} of {tried} edits spliced");
}

#[test]
fn a_stretch_covers_every_edit_since_the_parse() {
    let mut state = 7_u64;
    let mut rand = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % n as u64) as usize
    };
    for _ in 0..500 {
        let old: String = (0..40).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let mut text = old.clone();
        let mut stretch = None;
        for _ in 0..1 + rand(4) {
            let start = rand(text.len() + 1);
            let end = (start + rand(5)).min(text.len());
            let inserted = "XYZ"[..rand(4)].to_string();
            stretch = Some(Stretch::then(stretch, start, end, inserted.len()));
            text.replace_range(start..end, &inserted);
        }
        let s = stretch.unwrap();
        let new_end = (s.old_end as isize + s.delta) as usize;
        assert_eq!(old[..s.start], text[..s.start]);
        assert_eq!(old[s.old_end..], text[new_end..]);
    }
}

/// By hand, over a real project: in every file, edits typed into function bodies (a
/// character, a call, a line deleted); every splice must equal a fresh parse.
/// `LADDER_DIFF_ROOT=PATH cargo test --release --lib real_project_splices -- --ignored --nocapture`
#[test]
#[ignore]
fn real_project_splices_equal_fresh_parses() {
    let Ok(root) = std::env::var("LADDER_DIFF_ROOT") else {
        return;
    };
    let files = crate::lint::incremental::tests::elixir_files(std::path::Path::new(&root));
    let (mut applied, mut tried) = (0, 0);
    let (mut provisionals, mut read_alike) = (0, 0);
    let mut state = 0x9e37_79b9_u64;
    let mut rand = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let edits = ["x", "\n", " + 1", "|> f()", "", "\"", "# note\n"];
    for (_, text) in &files {
        let tree = crate::syntax::parse(text);
        let defs: Vec<_> = tree
            .nodes()
            .filter(|n| n.kind() == "do_block" && n.parent().is_some_and(|p| p.kind() == "call"))
            .map(|n| n.byte_range())
            .collect();
        for _ in 0..8 {
            let Some(range) = defs.get(rand(defs.len())) else {
                break;
            };
            let mut start = range.start + rand(range.len());
            while !text.is_char_boundary(start) {
                start += 1;
            }
            let mut end = (start + rand(4)).min(range.end);
            while !text.is_char_boundary(end) {
                end += 1;
            }
            tried += 1;
            let with = edits[rand(edits.len())];
            if splices(text, start, end, with) {
                applied += 1;
            } else if let (Some(tree), new) = provisional(text, start, end, with) {
                let fresh = crate::syntax::new_parser().parse(&new, None).unwrap();
                if fresh.root_node().has_error() {
                    provisionals += 1;
                    if tree.root_node().to_sexp() == fresh.root_node().to_sexp() {
                        read_alike += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{} files, {applied} of {tried} edits spliced; of the others, {provisionals} broke the \
         syntax and were spliced provisionally, {read_alike} of them read as a full parse does",
        files.len()
    );
}

/// By hand: which one-character edits of a real file are spliced (at the function level or the
/// module's), what a splice costs, and why the others are not. Types a character after the
/// indentation of every line of a function body, as the edit bench does.
/// `LADDER_PROFILE_FILE=PATH cargo test --release --lib splice_reach -- --ignored --nocapture`
#[test]
#[ignore]
fn splice_reach() {
    let Some(text) = crate::syntax::tree::tests::profile_text() else {
        return;
    };
    let old = Arc::new(crate::syntax::parse(&text));
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let (mut in_function, mut spliced, mut broken, mut other) = (0, 0, 0, Vec::new());
    let mut times = Vec::new();
    for line in crate::lint::segments::body_lines(&old, &text) {
        let code = &text[line_starts[line]..];
        let trimmed = code.lines().next().unwrap_or("").trim();
        if trimmed.len() <= 3 {
            continue;
        }
        let at = line_starts[line] + code.len() - code.trim_start().len();
        let mut new = text.clone();
        new.insert(at, 'x');
        let stretch = Stretch::then(None, at, at, 1);
        let started = std::time::Instant::now();
        let done = splice(&old, stretch, &new);
        times.push(started.elapsed());
        if done.is_some() {
            spliced += 1;
            in_function += usize::from(
                splice_run(&old, stretch, &new, Level::Function, false, 0)
                    .or_else(|| splice_run(&old, stretch, &new, Level::Function, false, 1))
                    .is_some(),
            );
        } else if crate::syntax::parse(&new).root_node().has_error() {
            broken += 1;
        } else {
            other.push(trimmed.to_string());
        }
    }
    times.sort();
    eprintln!(
        "{} nodes; a splice (or its refusal) p50 {:?}, p99 {:?}",
        old.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
    eprintln!(
        "spliced {spliced} ({in_function} at the function level), breaks the syntax {broken}, \
         other {}: {:?}",
        other.len(),
        other.iter().take(20).collect::<Vec<_>>()
    );
}

#[test]
fn a_do_left_without_its_end_is_no_provisional_splice() {
    // In the file, the `if`'s `do` takes the function's `end`, the function the module's:
    // the statements parsed alone cannot say where that stops.
    let i = at(MODULE, "    case charge(order, amount) do");
    let (tree, _) = provisional(MODULE, i, i, "    if order do\n");
    assert!(tree.is_none());
    // Nor an operator missing its right operand at the end of a body: the parser takes the
    // function's `end` for it.
    let i = at(MODULE, "|> Repo.insert()") + "|> Repo.insert()".len();
    let (tree, _) = provisional(MODULE, i, i, " +");
    assert!(tree.is_none());
}

#[test]
fn an_exact_splice_is_preferred_and_provisional_trees_of_clean_text_equal_it() {
    // Text that parses: the provisional path gives the exact splice's tree.
    let i = at(MODULE, "|> Repo.insert()");
    let (tree, new) = provisional(MODULE, i, i, "|> tap(&IO.inspect/1)\n    ");
    let fresh = crate::syntax::new_parser().parse(&new, None).unwrap();
    assert_same(&tree.expect("spliced"), &fresh, &new);
}

#[test]
fn an_edit_joining_a_statement_to_the_one_before_is_spliced_with_it() {
    // `xwhen …` below a bodiless head is a statement of its own; deleting the `x` makes head
    // and guard one function again, which the `when …` line cannot be parsed as alone.
    let text = "defmodule A do\n  def cast(data, params)\n      xwhen is_map(params) do\n    params\n  end\n\n  def other, do: 1\nend\n";
    let i = at(text, "xwhen");
    assert!(splices(text, i, i + 1, ""));
    // Nor is it a provisional splice's business: that text is not broken.
    let (tree, new) = provisional(text, i, i + 1, "");
    let fresh = crate::syntax::new_parser().parse(&new, None).unwrap();
    assert_same(&tree.expect("spliced"), &fresh, &new);
}

#[test]
fn a_run_that_starts_broken_is_told_apart() {
    // `when …` on a line of its own continues a function head: alone, it starts broken.
    let broken = "defmodule A do\n  when is_map(x) do\n    x\n  end\nend\n";
    let tree = crate::syntax::new_parser().parse(broken, None).unwrap();
    assert!(starts_broken(tree.root_node(), at(broken, "when")));
    let clean = "defmodule A do\n  def f(x) when is_map(x) do\n    x\n  end\nend\n";
    let tree = crate::syntax::new_parser().parse(clean, None).unwrap();
    assert!(!starts_broken(tree.root_node(), at(clean, "def f")));
}

/// The function-level splice of `start..end` → `with` alone (no fallback to the module body).
fn function_splice(text: &str, start: usize, end: usize, with: &str) -> Option<SyntaxTree> {
    let old = Arc::new(crate::syntax::parse(text));
    let mut new = text.to_string();
    new.replace_range(start..end, with);
    let stretch = Stretch::then(None, start, end, with.len());
    let (tree, provisional) = splice_run(&old, stretch, &new, Level::Function, false, 0)?;
    assert!(!provisional);
    let fresh = crate::syntax::new_parser().parse(&new, None).unwrap();
    assert_same(&tree, &fresh, &new);
    Some(tree)
}

#[test]
fn a_statement_of_a_function_body_is_reparsed_alone() {
    // A pipeline step, a `case` arm, the nested module's function.
    let i = at(MODULE, "|> Repo.insert()");
    assert!(function_splice(MODULE, i, i, "|> tap(&IO.inspect/1)\n    ").is_some());
    let i = at(MODULE, "\"payment failed");
    assert!(function_splice(MODULE, i, i + 1, "\"Payment failed").is_some());
    let i = at(MODULE, "from o in Order");
    assert!(function_splice(MODULE, i, i, "_ = 1\n      ").is_some());
    // Not in a head, nor in a one-line `do:` body: those are the module body's business.
    let i = at(MODULE, "def pay(%Order{state: :open}") + 4;
    assert!(function_splice(MODULE, i, i, "x").is_none());
    let i = at(MODULE, "do: {:error, :not_open}") + 4;
    assert!(function_splice(MODULE, i, i, "x").is_none());
    // Nor in a function with a `rescue` part.
    let text = "defmodule A do\n  def f(x) do\n    x + 1\n  rescue\n    _ -> :error\n  end\nend\n";
    let i = at(text, "x + 1");
    assert!(function_splice(text, i, i, "y = 2\n    ").is_none());
    assert!(
        splices(text, i, i, "y = 2\n    "),
        "the module body's splice takes it"
    );
}

/// Found by the `edit_sequence` fuzz target: tree-sitter reads the broken statement with an
/// error no node of the run shows; its provisional tree must still hold the error (or not be
/// made), or the keystroke's lint would read the text as clean.
#[test]
fn a_provisional_tree_holds_its_error() {
    use crate::document::{Document, LineCol, PositionEncoding, TextChange};
    let base = "def f(a, b \\\\ 1) when is_integer(a) do\n  a\n  |> IO.inspect(label: \"a\")\n  |> then(&(&1 + b))\nend";
    let mut doc = Document::new(base, 0);
    let (line, col) = (3, "  |> then(&(&1 + b))".len());
    doc.edit(
        &[TextChange {
            range: Some((LineCol { line, col }, LineCol { line, col })),
            text: "%{a: 1}".into(),
        }],
        1,
        PositionEncoding::Utf8,
    );
    let Err(job) = doc.snapshot_or_job() else {
        panic!("an edit leaves a parse to run");
    };
    let snapshot = job.run_allowing_provisional();
    assert!(
        crate::syntax::parse(&doc.rope().to_string())
            .root_node()
            .has_error()
    );
    assert!(snapshot.tree.root_node().has_error());
}

/// Found by the `edit_sequence` fuzz target: tree-sitter's incremental re-parse of a text the
/// edits broke may recover from the error otherwise than a fresh parse (here the stray `]`
/// goes inside the module's body instead of before it). The document's tree is a fresh
/// parse's for text without an error; for broken text it holds an error and spans the text.
#[test]
fn an_incremental_parse_of_broken_text_holds_its_error() {
    use crate::document::{Document, LineCol, PositionEncoding, TextChange};
    let base = "defmodule A do\n  @doc \"a\"\n  def a(x) do\n    x + 1\n  end\n\n  def b, do: :ok # c\n\n  defmodule B do\n    def c(y), do: [y]\n  end\nend\n";
    let mut doc = Document::new(base, 0);
    let insert = |line, col, text: &str| TextChange {
        range: Some((LineCol { line, col }, LineCol { line, col })),
        text: text.into(),
    };
    doc.edit(&[insert(0, 14, "\n\n\n\ndo")], 1, PositionEncoding::Utf8);
    doc.edit(&[insert(3, 0, "]\n\n")], 2, PositionEncoding::Utf8);
    doc.parse();
    let text = doc.rope().to_string();
    let root = doc.tree().root_node();
    assert!(root.has_error());
    assert_eq!(root.end_byte(), text.len());
    assert!(crate::syntax::parse(&text).root_node().has_error());
}
