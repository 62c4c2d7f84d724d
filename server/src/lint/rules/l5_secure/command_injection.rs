//! `command-injection`: request input as the program or an argument of `System.cmd/3`, or
//! request input or a function's argument in the command line of `System.shell/1`/`:os.cmd/1`.

use crate::lint::analysis::taint::SinkKind;
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "command-injection",
        level: 5,
        severity: Severity::Error,
        fixable: false,
        summary: "Request input in `System.cmd`, or non-literal text in `System.shell`/`:os.cmd`",
        docs: RuleDocs {
            why: "A shell runs whatever the command line says: `System.shell(\"convert \
                  #{name} out.png\")` with a name of `x; rm -rf ~` runs both. `System.cmd/3` \
                  runs no shell, but a program or an argument chosen by the request still runs \
                  the wrong thing (`--upload-pack=…`). Flagged: request input reaching \
                  `System.cmd/3`'s program or arguments, and request input or a public function's \
                  argument built into the command of `System.shell/1` or `:os.cmd/1`. Not \
                  flagged: programs from configuration or module attributes, arguments from a \
                  fixed list or converted to numbers, and `System.cmd` wrappers whose callers \
                  pass the program.",
            bad: "def thumbnail(conn, %{\"name\" => name}) do\n  System.shell(\"convert uploads/#{name} -resize 200 thumbs/#{name}\")\n  send_resp(conn, 204, \"\")\nend",
            good: "def thumbnail(conn, %{\"name\" => name}) do\n  name = Path.basename(name)\n  System.cmd(\"convert\", [\"uploads/\" <> name, \"-resize\", \"200\", \"thumbs/\" <> name])\n  send_resp(conn, 204, \"\")\nend",
            fix: "Call the program with `System.cmd/3` and a list of arguments (no shell), pick \
                  programs from a fixed list, and put `--` before arguments that come from users.",
        },
        sobelow: &["CI.System", "CI.OS"],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    let line_of = |b| ctx.line_of(b);
    for hit in &ctx.flow().hits {
        let message = match hit.kind {
            SinkKind::Program | SinkKind::ProgramArgs => {
                let Some(flow) = hit.request_flow(|_| true) else {
                    continue;
                };
                let role = if hit.kind == SinkKind::Program {
                    "as the program"
                } else {
                    "as an argument"
                };
                format!(
                    "Command injection: {} {role}; choose programs and options from a fixed list",
                    hit.reach(flow, line_of)
                )
            }
            SinkKind::Shell => {
                if let Some(flow) = hit.request_flow(|_| true) {
                    format!(
                        "Command injection: {} and runs in a shell; use `System.cmd/3` with an argument list",
                        hit.reach(flow, line_of)
                    )
                } else if let Some(flow) = hit
                    .taint
                    .flows
                    .iter()
                    .find(|f| hit.public && f.built && f.param().is_some())
                {
                    format!(
                        "Command injection: argument `{}` of `{}` is built into the shell command of {}{}; use `System.cmd/3` with an argument list",
                        flow.param().map_or("", |(_, n)| n),
                        hit.function,
                        hit.describe_sink(line_of),
                        flow.describe_path(line_of)
                    )
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        out.push(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "command-injection";

    fn found(src: &str, path: &str) -> Vec<String> {
        findings_of(src, path, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn request_input_in_commands_and_shells() {
        let src = r#"defmodule ShopWeb.ImageController do
  use ShopWeb, :controller

  def thumbnail(conn, %{"name" => name, "size" => size}) do
    System.shell("convert uploads/#{name} -resize #{size} thumbs/#{name}")
    send_resp(conn, 204, "")
  end

  def convert(conn, %{"tool" => tool} = params) do
    {out, 0} = System.cmd(tool, ["--version"])
    {_, 0} = System.cmd("git", ["clone", params["repo"]])
    text(conn, out)
  end

  def ping(conn, %{"host" => host}) do
    text(conn, :os.cmd(String.to_charlist("ping -c 1 " <> host)))
  end
end
"#;
        let messages = found(src, "lib/shop_web/controllers/image_controller.ex");
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("`System.shell/1`") && messages[0].contains("shell"));
        assert!(messages[1].contains("as the program"), "{}", messages[1]);
        assert!(messages[2].contains("as an argument"), "{}", messages[2]);
        assert!(messages[3].contains("`:os.cmd/1`"), "{}", messages[3]);
    }

    #[test]
    fn shell_commands_built_from_arguments() {
        let src = r#"defmodule Shop.Media do
  def transcode(path) do
    System.shell("ffmpeg -i #{path} -c:v libx264 out.mp4")
  end
end
"#;
        let messages = found(src, "lib/shop/media.ex");
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("argument `path`"), "{}", messages[0]);
    }

    #[test]
    fn configured_programs_and_fixed_commands_are_fine() {
        let src = r#"defmodule Shop.Media do
  @ffmpeg Application.compile_env(:shop, :ffmpeg, "ffmpeg")

  def transcode(path, width) when is_integer(width) do
    System.cmd(@ffmpeg, ["-i", path, "-vf", "scale=#{width}:-1", "out.mp4"])
  end

  def run(program, args), do: System.cmd(program, args, stderr_to_stdout: true)

  def disk_usage do
    System.shell("df -h | tail -n 1")
  end

  def git_sha do
    :os.cmd(~c"git rev-parse HEAD")
  end
end
"#;
        assert_eq!(found(src, "lib/shop/media.ex"), Vec::<String>::new());
    }
}
