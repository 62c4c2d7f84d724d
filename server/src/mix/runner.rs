//! Running `mix` safely: no stdin, output drained concurrently, its own process group, and the
//! whole group killed (SIGTERM, a grace period, SIGKILL) on cancel, timeout and server exit —
//! `kill_on_drop` alone would leave the BEAM's children running.

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

/// Output kept per stream; more is dropped (a runaway test suite must not exhaust memory).
const MAX_OUTPUT: usize = 32 * 1024 * 1024;

/// How long a process group gets to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// Process groups currently running, so server exit can kill them all.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// What a finished command printed.
#[derive(Clone, Debug)]
pub struct Output {
    /// Exit status (`None` when killed by a signal).
    pub status: Option<i32>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Why a command did not finish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// The program is not on `PATH`.
    NotFound(String),
    /// It could not be started for another reason.
    Spawn(String),
    /// It ran past the time limit and was killed.
    Timeout(Duration),
    /// A newer run (or shutdown) cancelled it.
    Cancelled,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NotFound(p) => write!(
                f,
                "`{p}` was not found on PATH; install Elixir or disable the mix gates"
            ),
            RunError::Spawn(e) => write!(f, "cannot start mix: {e}"),
            RunError::Timeout(d) => {
                write!(f, "mix ran longer than {} s and was stopped", d.as_secs())
            }
            RunError::Cancelled => write!(f, "cancelled"),
        }
    }
}

/// A command to run in a project.
pub struct Job<'a> {
    /// The program (`mix`).
    pub program: &'a str,
    /// Its arguments.
    pub args: &'a [&'a str],
    /// Working directory.
    pub dir: &'a Path,
    /// Extra environment.
    pub env: &'a [(&'a str, String)],
    /// Written to stdin, when given (else stdin is closed).
    pub stdin: Option<&'a str>,
    /// Time limit.
    pub timeout: Duration,
}

/// Runs a job to completion, or kills its whole process group on timeout or cancellation.
pub async fn run(job: Job<'_>, cancel: &CancellationToken) -> Result<Output, RunError> {
    let mut command = Command::new(job.program);
    command
        .args(job.args)
        .current_dir(job.dir)
        .envs(job.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(if job.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RunError::NotFound(job.program.to_string()),
        _ => RunError::Spawn(e.to_string()),
    })?;
    let pgid = child.id().map(|id| id as i32);
    if let Some(pgid) = pgid {
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(pgid);
    }
    if let (Some(input), Some(mut stdin)) = (job.stdin, child.stdin.take()) {
        let input = input.to_string();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let _ = stdin.write_all(input.as_bytes()).await;
        });
    }
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let drain = async {
        let (out, err) = tokio::join!(read_all(stdout), read_all(stderr));
        let status = child.wait().await;
        (out, err, status)
    };
    let result = tokio::select! {
        (out, err, status) = drain => Ok(Output {
            status: status.ok().and_then(|s| s.code()),
            stdout: out,
            stderr: err,
        }),
        _ = tokio::time::sleep(job.timeout) => Err(RunError::Timeout(job.timeout)),
        _ = cancel.cancelled() => Err(RunError::Cancelled),
    };
    if let Some(pgid) = pgid {
        // Whatever happened, nothing of this run may outlive it (test suites spawn children).
        terminate_group(pgid).await;
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|p| *p != pgid);
    }
    result
}

async fn read_all(stream: Option<impl AsyncReadExt + Unpin>) -> String {
    let Some(mut stream) = stream else {
        return String::new();
    };
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if buf.len() < MAX_OUTPUT {
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn group_alive(pgid: i32) -> bool {
    // Signal 0 checks for existence without signalling.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

/// SIGTERM the group, wait up to the grace period, then SIGKILL what is left.
async fn terminate_group(pgid: i32) {
    if !group_alive(pgid) {
        return;
    }
    // SAFETY: signalling a process group we created; a stale id is harmless (ESRCH).
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    let deadline = tokio::time::Instant::now() + GRACE;
    while group_alive(pgid) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if group_alive(pgid) {
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

/// Kills every running mix process group at once (server exit: there is no time to wait).
pub fn kill_all() {
    let groups: HashSet<i32> = RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain(..)
        .collect();
    for pgid in groups {
        // SAFETY: see `terminate_group`.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job<'a>(args: &'a [&'a str], timeout: Duration) -> Job<'a> {
        Job {
            program: "sh",
            args,
            dir: Path::new("/"),
            env: &[],
            stdin: None,
            timeout,
        }
    }

    #[tokio::test]
    async fn captures_output_and_status() {
        let out = run(
            job(
                &["-c", "echo out; echo err >&2; exit 3"],
                Duration::from_secs(5),
            ),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(
            (out.status, out.stdout.as_str(), out.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
    }

    #[tokio::test]
    async fn timeout_kills_grandchildren() {
        let marker = tempfile::tempdir().unwrap();
        let pidfile = marker.path().join("pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pidfile.display());
        let err = run(
            job(&["-c", &script], Duration::from_millis(500)),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert_eq!(err, RunError::Timeout(Duration::from_millis(500)));
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(
            unsafe { libc::kill(pid, 0) } != 0,
            "the grandchild survived"
        );
    }

    #[tokio::test]
    async fn cancel_stops_the_run() {
        let token = CancellationToken::new();
        let t = token.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            t.cancel();
        });
        let started = std::time::Instant::now();
        let err = run(job(&["-c", "sleep 300"], Duration::from_secs(60)), &token)
            .await
            .unwrap_err();
        assert_eq!(err, RunError::Cancelled);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn missing_program_is_reported() {
        let j = Job {
            program: "no-such-mix-binary",
            args: &[],
            dir: Path::new("/"),
            env: &[],
            stdin: None,
            timeout: Duration::from_secs(1),
        };
        assert!(matches!(
            run(j, &CancellationToken::new()).await,
            Err(RunError::NotFound(_))
        ));
    }
}
