//! `path-traversal`: request input reaching a file path (`File.*`, `send_file/3`,
//! `send_download/2` with `{:file, path}`, `Path.join/2`) without `Path.basename/1` or
//! `Path.safe_relative/2`.

use crate::lint::analysis::taint::{Flow, SinkKind};
use crate::lint::{Finding, LintContext, Rule, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "path-traversal",
        level: 5,
        severity: Severity::Warning,
        fixable: false,
        summary: "Request input in a file path (`File.*`, `send_file`, `send_download`, `Path.join`)",
        docs: RuleDocs {
            why: "A file name from the request may contain `../`: `Path.join(\"uploads\", \
                  params[\"name\"])` with `../../config/prod.secret.exs` reads or overwrites \
                  files outside the folder. The rule follows request input through variables, \
                  pipes and one level of private functions to the path argument of `File` \
                  functions, `send_file/3`, `send_download/2` (`{:file, path}`) and \
                  `Path.join` (as info when the joined path is not opened in the same function: \
                  where it goes is not known here). Not flagged: paths passed through `Path.basename/1` or \
                  `Path.safe_relative/2`, names chosen from a fixed list, `send_download` of \
                  `{:binary, data}`, and `File.exists?/1`-style predicates.",
            bad: "def download(conn, %{\"name\" => name}) do\n  path = Path.join(\"priv/uploads\", name)\n  send_file(conn, 200, path)\nend",
            good: "def download(conn, %{\"name\" => name}) do\n  path = Path.join(\"priv/uploads\", Path.basename(name))\n  send_file(conn, 200, path)\nend",
            fix: "Strip directories with `Path.basename/1`, check the result of \
                  `Path.safe_relative/2`, or look the file up by an id stored in the database.",
        },
        sobelow: &[
            "Traversal.FileModule",
            "Traversal.SendFile",
            "Traversal.SendDownload",
        ],
        scope: crate::lint::Scope::Mentions(crate::lint::analysis::taint::sinks::SINK_MENTIONS),
        ..RuleMeta::BASE
    },
    check: Some(check),
};

fn escapes(flow: &Flow) -> bool {
    !flow.basename
}

fn check(ctx: &LintContext<'_>, out: &mut Vec<Finding>) {
    if ctx.file.is_test() {
        return;
    }
    let flow = ctx.flow();
    let line_of = |b| ctx.line_of(b);
    let mut reported: Vec<(&str, String)> = Vec::new();
    for hit in flow.of(SinkKind::FilePath) {
        let Some(f) = hit.request_flow(escapes) else {
            continue;
        };
        reported.push((hit.function.as_str(), f.describe_source()));
        let message = format!(
            "Path traversal: {}; a `../` in it escapes the folder; use `Path.basename/1` or `Path.safe_relative/2`",
            hit.reach(f, line_of)
        );
        out.push(Finding::new(&RULE.meta, hit.arg.byte_range(), message));
    }
    // A joined path is reported only where no file sink already reports the same input.
    for hit in flow.of(SinkKind::PathJoin) {
        let Some(f) = hit.request_flow(escapes) else {
            continue;
        };
        let source = f.describe_source();
        if reported
            .iter()
            .any(|(function, s)| *function == hit.function && *s == source)
        {
            continue;
        }
        reported.push((hit.function.as_str(), source));
        // The joined path leaves the function (to a storage key, another module): worth a
        // look, not a verdict, so it does not block the level.
        let message = format!(
            "Possible path traversal: {}; the path is not opened here, so check that a `../` in it cannot climb out where it is used (`Path.basename/1`, `Path.safe_relative/2`)",
            hit.reach(f, line_of)
        );
        let mut finding = Finding::new(&RULE.meta, hit.arg.byte_range(), message);
        finding.severity = Severity::Info;
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_support::*;

    const CODE: &str = "path-traversal";
    const PATH: &str = "lib/shop_web/controllers/file_controller.ex";

    fn found(src: &str) -> Vec<String> {
        findings_of(src, PATH, CODE)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn file_names_from_params_reach_files() {
        let src = r#"defmodule ShopWeb.FileController do
  use ShopWeb, :controller

  @upload_dir "priv/uploads"

  def download(conn, %{"name" => name}) do
    path = Path.join(@upload_dir, name)
    send_file(conn, 200, path)
  end

  def show(conn, params) do
    contents = File.read!("priv/docs/" <> params["page"] <> ".md")
    html(conn, Earmark.as_html!(contents))
  end

  def export(conn, %{"file" => file}) do
    send_download(conn, {:file, file}, filename: "export.csv")
  end

  def orphan(conn, %{"dir" => dir}) do
    json(conn, %{path: Path.join("priv", dir)})
  end
end
"#;
        let messages = found(src);
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0]
                .contains("`params[\"name\"]` reaches `send_file/3` through `path` (line 7)"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("`params[\"page\"]` reaches `File.read!/1`"),
            "{}",
            messages[1]
        );
        assert!(messages[3].contains("`Path.join/2`"), "{}", messages[3]);
        let severities: Vec<_> = findings_of(src, PATH, CODE)
            .iter()
            .map(|f| f.severity)
            .collect();
        use crate::lint::Severity::*;
        assert_eq!(severities, [Warning, Warning, Warning, Info]);
    }

    #[test]
    fn basename_fixed_lists_and_binary_downloads_are_fine() {
        let src = r#"defmodule ShopWeb.FileController do
  use ShopWeb, :controller

  def download(conn, %{"name" => name}) do
    path = Path.join("priv/uploads", Path.basename(name))
    send_file(conn, 200, path)
  end

  def report(conn, %{"kind" => kind}) when kind in ["daily", "weekly"] do
    send_file(conn, 200, "priv/reports/#{kind}.csv")
  end

  def export(conn, %{"name" => name}) do
    send_download(conn, {:binary, Shop.Export.csv()}, filename: name)
  end

  def safe(conn, %{"path" => path}) do
    case Path.safe_relative(path) do
      {:ok, rel} -> send_file(conn, 200, Path.join("priv/static", rel))
      :error -> send_resp(conn, 400, "bad path")
    end
  end

  def exists(conn, %{"name" => name}) do
    json(conn, %{exists: File.exists?(Path.join("priv", Path.basename(name)))})
  end
end
"#;
        assert_eq!(found(src), Vec::<String>::new());
    }
}
