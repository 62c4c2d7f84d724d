//! The calls where request input does harm, and which of their arguments matter.

/// What a sink does with its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Runs the argument as SQL (`Repo.query!/2`).
    Sql,
    /// Opens, writes or sends the file at the argument's path (`File.read!/1`, `send_file/3`).
    FilePath,
    /// Builds a path (`Path.join/2`): reported only when no file sink follows.
    PathJoin,
    /// Redirects to the argument as an external URL (`redirect(conn, external: url)`).
    Redirect,
    /// Runs the argument as a program (`System.cmd/3`'s first argument).
    Program,
    /// Passes the argument to a program (`System.cmd/3`'s argument list).
    ProgramArgs,
    /// Runs the argument through a shell (`System.shell/1`, `:os.cmd/1`).
    Shell,
    /// Evaluates the argument as code (`Code.eval_string/1`, `EEx.eval_string/1`).
    Eval,
    /// Makes an atom of the argument (`String.to_atom/1`, `:"#{x}"`).
    Atom,
    /// The permitted-fields list of `Ecto.Changeset.cast/3`.
    CastPermitted,
    /// The params of `Ecto.Changeset.cast/3` (recorded to compare with the permitted list).
    CastParams,
    /// The body of an HTTP response (`send_resp/3`, `html/2`).
    ResponseBody,
    /// Marks the argument as safe HTML (`raw/1`).
    Raw,
}

/// A sink: which argument of which call.
#[derive(Clone, Copy, Debug)]
pub struct Sink {
    /// What it does.
    pub kind: SinkKind,
    /// The argument position (a piped value is position 0).
    pub arg: usize,
}

const fn sink(kind: SinkKind, arg: usize) -> Sink {
    Sink { kind, arg }
}

/// `File` functions taking a path first (and, for copies and moves, a second path).
const FILE_FUNCTIONS: &[&str] = &[
    "read",
    "read!",
    "write",
    "write!",
    "open",
    "open!",
    "stream!",
    "rm",
    "rm!",
    "rm_rf",
    "rm_rf!",
    "rmdir",
    "rmdir!",
    "ls",
    "ls!",
    "mkdir",
    "mkdir!",
    "mkdir_p",
    "mkdir_p!",
    "touch",
    "touch!",
    "chmod",
    "chmod!",
    "read_link",
    "read_link!",
];

/// `File` functions taking two paths.
const FILE_FUNCTIONS_2: &[&str] = &[
    "cp", "cp!", "cp_r", "cp_r!", "copy", "copy!", "rename", "rename!", "ln", "ln!", "ln_s",
    "ln_s!",
];

/// Strings one of which a function's text contains whenever it calls a sink (a remote or
/// local sink by its name, an atom interpolation `:"…#{x}"`): a function without any of them,
/// and calling no function with one, is no part of the request-input data flow. The
/// incremental re-lint re-checks only those ([`crate::lint::Scope::Mentions`]).
pub const SINK_MENTIONS: &[&str] = &[
    "query", "stream", "File", "Path", "send_", "redirect", "System", "cmd", "shell", "Code",
    "EEx", "to_atom", "cast", "resp", "html", "raw", ":\"",
];

/// The sinks of a remote call `module.name` with `arity` arguments.
pub fn remote_sinks(module: &str, name: &str, arity: usize) -> Vec<Sink> {
    use SinkKind::*;
    match (module, name) {
        (m, "query" | "query!" | "query_many" | "query_many!") if is_repo(m) => {
            vec![sink(Sql, 0)]
        }
        (
            "Ecto.Adapters.SQL" | "SQL",
            "query" | "query!" | "stream" | "query_many" | "query_many!",
        ) => {
            vec![sink(Sql, 1)]
        }
        ("File", f) if FILE_FUNCTIONS.contains(&f) => vec![sink(FilePath, 0)],
        ("File", f) if FILE_FUNCTIONS_2.contains(&f) => vec![sink(FilePath, 0), sink(FilePath, 1)],
        ("Path", "join") => (0..arity).map(|i| sink(PathJoin, i)).collect(),
        ("Plug.Conn", "send_file") => vec![sink(FilePath, 2)],
        ("Phoenix.Controller", "send_download") => vec![sink(FilePath, 1)],
        ("Phoenix.Controller", "redirect") => vec![sink(Redirect, 1)],
        ("System", "cmd") => vec![sink(Program, 0), sink(ProgramArgs, 1)],
        ("System", "shell") => vec![sink(Shell, 0)],
        (":os", "cmd") => vec![sink(Shell, 0)],
        (
            "Code",
            "eval_string" | "eval_quoted" | "eval_file" | "compile_string" | "compile_quoted"
            | "require_file" | "compile_file",
        ) => {
            vec![sink(Eval, 0)]
        }
        ("EEx", "eval_string" | "eval_file") => vec![sink(Eval, 0)],
        ("String", "to_atom") | ("List", "to_atom") => vec![sink(Atom, 0)],
        (":erlang", "binary_to_atom" | "list_to_atom") => vec![sink(Atom, 0)],
        ("Ecto.Changeset", "cast") => vec![sink(CastParams, 1), sink(CastPermitted, 2)],
        ("Plug.Conn", "send_resp" | "resp") => vec![sink(ResponseBody, 2)],
        ("Phoenix.Controller", "html") => vec![sink(ResponseBody, 1)],
        ("Phoenix.HTML", "raw") => vec![sink(Raw, 0)],
        _ => Vec::new(),
    }
}

/// The sinks of a local (imported) call.
pub fn local_sinks(name: &str, arity: usize) -> Vec<Sink> {
    use SinkKind::*;
    match (name, arity) {
        ("send_file", 3..=5) => vec![sink(FilePath, 2)],
        ("send_download", 2 | 3) => vec![sink(FilePath, 1)],
        ("redirect", 2) => vec![sink(Redirect, 1)],
        ("cast", 3 | 4) => vec![sink(CastParams, 1), sink(CastPermitted, 2)],
        ("send_resp", 3) | ("resp", 3) => vec![sink(ResponseBody, 2)],
        ("html", 2) => vec![sink(ResponseBody, 1)],
        ("raw", 1) => vec![sink(Raw, 0)],
        _ => Vec::new(),
    }
}

/// Whether `module.name` is a sink at some arity.
pub fn is_remote_sink(module: &str, name: &str) -> bool {
    !remote_sinks(module, name, 3).is_empty() || (module, name) == ("Path", "join")
}

/// Whether a local call of `name` is a sink at some arity.
pub fn is_local_sink(name: &str) -> bool {
    matches!(
        name,
        "send_file" | "send_download" | "redirect" | "cast" | "send_resp" | "resp" | "html" | "raw"
    )
}

/// `Repo`, `MyApp.Repo`, `MyApp.Repo.Replica`: an Ecto repository by naming convention.
fn is_repo(module: &str) -> bool {
    module == "Repo"
        || module.ends_with(".Repo")
        || module.contains(".Repo.")
        || module.ends_with("Repo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repos_by_convention() {
        assert!(is_repo("Repo") && is_repo("Shop.Repo") && is_repo("Shop.Repo.Replica"));
        assert!(!is_repo("Shop.Report"));
        assert_eq!(
            remote_sinks("Shop.Repo", "query!", 2)[0].kind,
            SinkKind::Sql
        );
        assert_eq!(remote_sinks("Ecto.Adapters.SQL", "query!", 3)[0].arg, 1);
        assert!(remote_sinks("Shop.Repo", "all", 1).is_empty());
    }
}
