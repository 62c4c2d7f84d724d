//! `@spec` and `@type` text laid out the way `mix format` lays it out (line length 98 by
//! default): on one line when it fits, else broken after `::` with the type indented eight
//! columns, alternatives one per line when they still do not fit, and arguments one per line
//! when the head alone is too long.

/// `mix format`'s default line length.
pub const LINE_LENGTH: usize = 98;

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Formats `@spec name(args) :: ret` at `indent`, ending with a newline. `ret` is given as its
/// union alternatives.
pub fn format_spec(
    indent: &str,
    name: &str,
    args: &[String],
    ret: &[String],
    line_length: usize,
) -> String {
    let ret_line = ret.join(" | ");
    let head = format!("{indent}@spec {name}({})", args.join(", "));
    let one = format!("{head} :: {ret_line}");
    if width(&one) <= line_length {
        return format!("{one}\n");
    }
    let cont = format!("{indent}{}", " ".repeat(8));
    if width(&head) + 3 <= line_length {
        return format!(
            "{head} ::\n{}",
            return_lines(&cont, &ret_line, ret, line_length)
        );
    }
    let mut out = format!("{indent}@spec {name}(\n");
    for (i, arg) in args.iter().enumerate() {
        let comma = if i + 1 < args.len() { "," } else { "" };
        out.push_str(&format!("{cont}{arg}{comma}\n"));
    }
    let close = format!("{indent}{}) :: {ret_line}", " ".repeat(6));
    if width(&close) <= line_length {
        out.push_str(&format!("{close}\n"));
    } else {
        out.push_str(&format!(
            "{indent}{}) ::\n{}",
            " ".repeat(6),
            return_lines(&cont, &ret_line, ret, line_length)
        ));
    }
    out
}

fn return_lines(cont: &str, ret_line: &str, ret: &[String], line_length: usize) -> String {
    if width(cont) + width(ret_line) <= line_length || ret.len() < 2 {
        return format!("{cont}{ret_line}\n");
    }
    let mut out = format!("{cont}{}\n", ret[0]);
    for alt in &ret[1..] {
        out.push_str(&format!("{cont}| {alt}\n"));
    }
    out
}

/// Formats `@type t :: %__MODULE__{field: type, ...}` at `indent`, ending with a newline.
pub fn format_struct_type(indent: &str, fields: &[(String, String)], line_length: usize) -> String {
    let inner: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let one = format!("{indent}@type t :: %__MODULE__{{{}}}", inner.join(", "));
    if width(&one) <= line_length || fields.is_empty() {
        return format!("{one}\n");
    }
    let mut out = format!("{indent}@type t :: %__MODULE__{{\n");
    for (i, field) in inner.iter().enumerate() {
        let comma = if i + 1 < inner.len() { "," } else { "" };
        out.push_str(&format!("{indent}{}{field}{comma}\n", " ".repeat(8)));
    }
    out.push_str(&format!("{indent}{}}}\n", " ".repeat(6)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn layouts_match_mix_format() {
        assert_eq!(
            format_spec("  ", "f", &s(&["integer()"]), &s(&[":ok"]), 98),
            "  @spec f(integer()) :: :ok\n"
        );
        assert_eq!(
            format_spec(
                "  ",
                "very_long_function_name_for_testing",
                &s(&["String.t()", "integer()", "map()", "keyword()"]),
                &s(&["{:ok, term()}", "{:error, term()}"]),
                98
            ),
            "  @spec very_long_function_name_for_testing(String.t(), integer(), map(), keyword()) ::\n          {:ok, term()} | {:error, term()}\n"
        );
        assert_eq!(
            format_spec(
                "  ",
                "another_really_long_function_name_here",
                &s(&[
                    "first_argument :: String.t()",
                    "second_argument :: integer()",
                    "third :: map()"
                ]),
                &s(&[":ok"]),
                98
            ),
            "  @spec another_really_long_function_name_here(\n          first_argument :: String.t(),\n          second_argument :: integer(),\n          third :: map()\n        ) :: :ok\n"
        );
        assert_eq!(
            format_spec(
                "  ",
                "short",
                &s(&["String.t()"]),
                &s(&[
                    "{:ok, %{required(atom()) => term()}}",
                    "{:error, :not_found | :invalid | :forbidden | :timeout}"
                ]),
                98
            ),
            "  @spec short(String.t()) ::\n          {:ok, %{required(atom()) => term()}}\n          | {:error, :not_found | :invalid | :forbidden | :timeout}\n"
        );
    }
}
