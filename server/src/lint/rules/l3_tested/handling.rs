//! What counts as handling an error, shared by `silent-rescue` and `swallowed-error`: code that
//! re-raises, logs, reports, or passes an error on leaves a trace somewhere; code that does none
//! of these hides the failure from tests, logs and on-call alike.

use crate::syntax::Fields as _;
use crate::syntax::Node;

use crate::syntax::{elixir, text};

/// Modules whose every call records or reports something: loggers, error trackers, telemetry
/// and tracing.
const REPORTING_MODULES: &[&str] = &[
    "Logger",
    ":logger",
    ":telemetry",
    "Sentry",
    "Appsignal",
    "Honeybadger",
    "Bugsnag",
    "Rollbax",
    "Airbrake",
    "ErrorTracker",
    "Tower",
    "NewRelic",
    "OpenTelemetry",
    "Tracer",
    "Span",
];

/// Parts of a function name that say it surfaces a failure: `Logger.error`, `log_error`,
/// `report_exception`, `notify`, `capture_message`, `put_flash(…, :error, …)`, `mark_failed`,
/// `Mix.shell().error`, `IO.warn`, `IO.puts`.
const HANDLING_NAME_PARTS: &[&str] = &[
    "log",
    "warn",
    "error",
    "exception",
    "report",
    "notify",
    "capture",
    "alert",
    "puts",
    "flash",
    "fail",
];

/// Calls that pass the failure on by raising, throwing or exiting, or answer with an HTTP
/// error status.
const HANDLING_NAMES: &[&str] = &[
    "raise",
    "reraise",
    "throw",
    "exit",
    "put_status",
    "send_resp",
];

/// Atoms that carry a failure back to the caller: `{:error, …}`, `:error`, `{:stop, …}` in a
/// GenServer, `{:failed, …}`.
const ERROR_ATOMS: &[&str] = &[":error", ":failed", ":failure", ":stop"];

/// Whether `body` re-raises, logs, reports, returns or passes on an error (also as an
/// `errors:`/`error:` key), or uses `bound` (the variable holding the exception or reason),
/// which hands the error to someone.
pub(crate) fn handles_error(body: Node<'_>, src: &str, bound: Option<&str>) -> bool {
    let mut handled = false;
    elixir::walk(body, &mut |n| {
        if handled {
            return false;
        }
        handled = match n.kind() {
            "call" => call_handles(n, src),
            "atom" => ERROR_ATOMS.contains(&text(n, src)),
            "identifier" => bound.is_some_and(|b| text(n, src) == b),
            // `{:ok, %{errors: [...]}}`: a GraphQL resolver answering with the error.
            "keyword" => text(n, src).contains("error"),
            _ => false,
        };
        !handled
    });
    handled
}

fn call_handles(call: Node<'_>, src: &str) -> bool {
    if let Some((module, _)) = elixir::remote_call(call, src) {
        let root = module.split('.').next().unwrap_or(module);
        let last = module.rsplit('.').next().unwrap_or(module);
        if REPORTING_MODULES.contains(&root) || REPORTING_MODULES.contains(&last) {
            return true;
        }
    }
    let Some(name) = called_name(call, src) else {
        return false;
    };
    HANDLING_NAMES.contains(&name) || HANDLING_NAME_PARTS.iter().any(|p| name.contains(p))
}

/// The function name of a local or remote call, also of `Mix.shell().error(…)`.
fn called_name<'a>(call: Node<'_>, src: &'a str) -> Option<&'a str> {
    let target = call.field("target")?;
    match target.kind() {
        "identifier" => Some(text(target, src)),
        "dot" => target
            .field("right")
            .filter(|r| r.kind() == "identifier")
            .map(|r| text(r, src)),
        _ => None,
    }
}

/// The last expression of a clause body (`body` of a stab clause), comments left out.
pub(crate) fn last_expression(body: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .last()
}
