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
    /// It was killed compiling a dependency that took longer than the whole time limit.
    DependencyTimeout {
        /// The time limit.
        limit: Duration,
        /// The dependency being compiled.
        dependency: String,
        /// How many dependencies the run had started compiling.
        started: usize,
        /// How many needed compiling, when known.
        total: Option<usize>,
    },
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
            RunError::DependencyTimeout {
                limit,
                dependency,
                started,
                total,
            } => {
                let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
                write!(
                    f,
                    "mix was stopped after {} s compiling dependency `{dependency}` (dependency {started}{of}); the first run compiles every dependency into _build/ladder_ls: raise the limit (`mix: [timeout_ms: 900_000]` in .ladder.exs) or compile them once with `MIX_ENV=test MIX_BUILD_ROOT=_build/ladder_ls mix deps.compile`",
                    limit.as_secs()
                )
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
    /// Time limit (restarted each time `on_line` reports progress).
    pub timeout: Duration,
    /// Standard error into the same pipe as standard output, so that their order is kept: mix
    /// prints `==> dep` headers on stdout and the dependency's warnings on stderr. The output
    /// is then all in [`Output::stdout`].
    pub merge_stderr: bool,
    /// Told each complete line as it arrives (colours and all); `true` means the command made
    /// progress (it started compiling another dependency) and restarts the time limit.
    pub on_line: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
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
        .kill_on_drop(true)
        .process_group(0);
    let merged = if job.merge_stderr {
        let (reader, writer) = std::io::pipe().map_err(|e| RunError::Spawn(e.to_string()))?;
        let second = writer
            .try_clone()
            .map_err(|e| RunError::Spawn(e.to_string()))?;
        command.stdout(writer).stderr(second);
        let receiver = tokio::net::unix::pipe::Receiver::from_owned_fd(reader.into())
            .map_err(|e| RunError::Spawn(e.to_string()))?;
        Some(receiver)
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        None
    };
    let spawned = command.spawn();
    // The command holds our copies of the pipe's write end: without dropping it, reading would
    // never see the end of the output.
    drop(command);
    let mut child = spawned.map_err(|e| match e.kind() {
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
    let deadline = Mutex::new(tokio::time::Instant::now() + job.timeout);
    let on_line = |line: &str| {
        if job.on_line.is_some_and(|f| f(line)) {
            *deadline.lock().unwrap_or_else(|e| e.into_inner()) =
                tokio::time::Instant::now() + job.timeout;
        }
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let drain = async {
        let (out, err) = match merged {
            Some(pipe) => (read_all(Some(pipe), &on_line).await, String::new()),
            None => tokio::join!(read_all(stdout, &on_line), read_all(stderr, &on_line)),
        };
        let status = child.wait().await;
        (out, err, status)
    };
    let timer = async {
        loop {
            let at = *deadline.lock().unwrap_or_else(|e| e.into_inner());
            tokio::time::sleep_until(at).await;
            if *deadline.lock().unwrap_or_else(|e| e.into_inner()) <= tokio::time::Instant::now() {
                break;
            }
        }
    };
    let result = tokio::select! {
        (out, err, status) = drain => Ok(Output {
            status: status.ok().and_then(|s| s.code()),
            stdout: out,
            stderr: err,
        }),
        _ = timer => Err(RunError::Timeout(job.timeout)),
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

/// Reads a stream to its end, telling `on_line` each complete line as it arrives.
async fn read_all(stream: Option<impl AsyncReadExt + Unpin>, on_line: &impl Fn(&str)) -> String {
    let Some(mut stream) = stream else {
        return String::new();
    };
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    // Where the line being read starts in `buf`.
    let mut line_start = 0;
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if buf.len() < MAX_OUTPUT {
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf[line_start..].iter().position(|b| *b == b'\n') {
                        on_line(&String::from_utf8_lossy(&buf[line_start..line_start + end]));
                        line_start += end + 1;
                    }
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
            merge_stderr: false,
            on_line: None,
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
    async fn merged_streams_keep_their_order() {
        let args = [
            "-c",
            "echo '==> dep'; echo 'dep warning' >&2; echo '==> app'; echo 'app warning' >&2",
        ];
        let mut j = job(&args, Duration::from_secs(5));
        j.merge_stderr = true;
        let out = run(j, &CancellationToken::new()).await.unwrap();
        assert_eq!(out.stdout, "==> dep\ndep warning\n==> app\napp warning\n");
        assert_eq!(out.stderr, "");
    }

    #[tokio::test]
    async fn progress_restarts_the_time_limit() {
        // Four steps of 300 ms each take longer than the 700 ms limit, but each reports progress.
        let script = "for i in 1 2 3 4; do echo \"==> dep$i\"; sleep 0.3; done";
        let seen = Mutex::new(Vec::new());
        let on_line = |line: &str| {
            seen.lock().unwrap().push(line.to_string());
            line.starts_with("==> ")
        };
        let args = ["-c", script];
        let mut j = job(&args, Duration::from_millis(700));
        j.on_line = Some(&on_line);
        let out = run(j, &CancellationToken::new()).await.unwrap();
        assert_eq!(out.status, Some(0));
        assert_eq!(seen.lock().unwrap().len(), 4);
        // Without progress the same limit stops it.
        let quiet = "for i in 1 2 3 4; do echo \"step $i\"; sleep 0.3; done";
        let args = ["-c", quiet];
        let mut j = job(&args, Duration::from_millis(700));
        let no_progress = |_: &str| false;
        j.on_line = Some(&no_progress);
        assert_eq!(
            run(j, &CancellationToken::new()).await.unwrap_err(),
            RunError::Timeout(Duration::from_millis(700))
        );
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
            merge_stderr: false,
            on_line: None,
        };
        assert!(matches!(
            run(j, &CancellationToken::new()).await,
            Err(RunError::NotFound(_))
        ));
    }
}
