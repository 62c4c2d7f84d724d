//! A synchronous LSP client for end-to-end tests: spawns the real `ladder-ls` binary, speaks
//! JSON-RPC over its stdin/stdout, answers the server's own requests, and checks that nothing
//! but protocol appears on stdout.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub mod soak;

/// How long a test waits for any one message.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The `ladder-ls` binary under test: `$LADDER_LS_BIN`, else `target/debug/ladder-ls` of this
/// workspace (built by `cargo test --workspace`, because the server crate has integration
/// tests).
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("LADDER_LS_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/ladder-ls");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p ladder-ls` (or `cargo test --workspace`)",
        bin.display()
    );
    bin
}

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// A message read from the server, or a problem with its output.
enum Incoming {
    /// A message, with when its last byte was read (before it was parsed).
    Message(Value, Instant),
    Garbage(String),
}

/// A running server.
pub struct Lsp {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Incoming>,
    next_id: i64,
    /// Notifications (and server requests) read while waiting for something else.
    backlog: VecDeque<Value>,
    /// Every request the server sent us, by method.
    pub server_requests: Vec<Value>,
    /// When the last message taken from the server had been read off the pipe.
    last_arrival: Option<Instant>,
}

impl Lsp {
    /// Starts `ladder-ls` (with `--stdio`) in `dir`.
    pub fn start(dir: &Path) -> Self {
        Self::start_binary(&binary(), dir)
    }

    /// Starts a given `ladder-ls` binary (with `--stdio`) in `dir`.
    pub fn start_binary(bin: &Path, dir: &Path) -> Self {
        Self::start_with_env(bin, dir, &[])
    }

    /// Starts a given `ladder-ls` binary with extra environment variables.
    pub fn start_with_env(bin: &Path, dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_with_stderr(bin, dir, env, Stdio::null())
    }

    /// Starts a given `ladder-ls` binary with extra environment variables, its log (stderr)
    /// going to `stderr` (a file, for tests that read the log afterwards).
    pub fn start_with_stderr(
        bin: &Path,
        dir: &Path,
        env: &[(&str, &str)],
        stderr: impl Into<Stdio>,
    ) -> Self {
        let mut child = Command::new(bin)
            .arg("--stdio")
            .current_dir(dir)
            .env("LADDER_LOG", "debug")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn ladder-ls");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_messages(stdout, tx));
        Lsp {
            child,
            stdin,
            rx,
            next_id: 1,
            backlog: VecDeque::new(),
            last_arrival: None,
            server_requests: Vec::new(),
        }
    }

    /// Writes raw bytes to the server's stdin.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a JSON-RPC message with a Content-Length header.
    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_response(&json!(id))
    }

    /// Sends a request and returns its `result`, failing on an error response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// Waits for the response with this id.
    pub fn wait_response(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self
                .next_message(deadline)
                .unwrap_or_else(|| panic!("no response to request {id}"));
            if message.get("method").is_none() && message.get("id") == Some(id) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// Reads the next message from the server, answering its requests on the way.
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let timeout = deadline.saturating_duration_since(Instant::now());
        let message = match self.rx.recv_timeout(timeout) {
            Ok(Incoming::Message(m, arrived)) => {
                self.last_arrival = Some(arrived);
                m
            }
            Ok(Incoming::Garbage(g)) => {
                panic!("the server wrote something that is not protocol to stdout: {g:?}")
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        if message.get("method").is_some() && message.get("id").is_some() {
            // A request from the server: answer it so it never waits on us.
            self.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": null}));
            self.server_requests.push(message.clone());
        }
        Some(message)
    }

    /// The next message from the server, in the order it was sent (the backlog first), waiting
    /// until `deadline` at most; the server's requests are answered on the way. `None` when
    /// nothing came in time (or the server is gone).
    pub fn next(&mut self, deadline: Instant) -> Option<Value> {
        self.backlog
            .pop_front()
            .or_else(|| self.next_message(deadline))
    }

    /// Waits for a notification `method` whose params satisfy `pred`; returns its params.
    pub fn wait_notification(&mut self, method: &str, pred: impl FnMut(&Value) -> bool) -> Value {
        self.wait_notification_within(method, TIMEOUT, pred)
    }

    /// [`Lsp::wait_notification`] with a deadline of its own, for work whose size (not speed) a
    /// test is about: a debug build on a loaded machine may take long, and timings are measured
    /// by the benchmarks, not asserted.
    pub fn wait_notification_within(
        &mut self,
        method: &str,
        timeout: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Value {
        if let Some(i) = self
            .backlog
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            // Read earlier: when is not known.
            self.last_arrival = None;
            return self.backlog.remove(i).unwrap()["params"].clone();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let Some(message) = self.next_message(deadline) else {
                panic!(
                    "timed out waiting for {method}; backlog: {:?}",
                    self.backlog
                )
            };
            if message["method"] == method && pred(&message["params"]) {
                // Taken, not copied: a publication of hundreds of diagnostics is 150 KB of
                // JSON, and the benchmarks time this wait.
                let mut message = message;
                return message["params"].take();
            }
            self.backlog.push_back(message);
        }
    }

    /// Waits for the diagnostics of `uri` at `version` (push model).
    pub fn wait_diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        self.wait_diagnostics_within(uri, version, TIMEOUT)
    }

    /// [`Lsp::wait_diagnostics`] with a deadline of its own.
    pub fn wait_diagnostics_within(
        &mut self,
        uri: &str,
        version: Option<i64>,
        timeout: Duration,
    ) -> Vec<Value> {
        let mut params =
            self.wait_notification_within("textDocument/publishDiagnostics", timeout, |p| {
                p["uri"] == uri && version.is_none_or(|v| p["version"] == v)
            });
        match params["diagnostics"].take() {
            Value::Array(diagnostics) => diagnostics,
            _ => Vec::new(),
        }
    }

    /// Collects notifications for `quiet` after the last one; returns all messages seen.
    pub fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut seen: Vec<Value> = self.backlog.drain(..).collect();
        while let Some(m) = self.next_message(Instant::now() + quiet) {
            seen.push(m);
        }
        seen
    }

    /// `initialize` + `initialized` with the given client capabilities and root.
    pub fn initialize(&mut self, root: Option<&Path>, capabilities: Value) -> Value {
        self.initialize_with(root, capabilities, Value::Null)
    }

    /// `initialize` + `initialized` with `initializationOptions` too.
    pub fn initialize_with(
        &mut self,
        root: Option<&Path>,
        capabilities: Value,
        options: Value,
    ) -> Value {
        let root_uri = root.map(file_uri);
        let folders = root
            .map(|r| json!([{"uri": file_uri(r), "name": "root"}]))
            .unwrap_or(Value::Null);
        let result = self.call(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "workspaceFolders": folders, "capabilities": capabilities, "initializationOptions": options}),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// `shutdown` then `exit`; returns the exit status (the process must end within a second).
    pub fn shutdown(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(
            response.get("error").is_none(),
            "shutdown failed: {response}"
        );
        self.notify("exit", Value::Null);
        self.wait_exit(Duration::from_secs(1))
    }

    /// Waits for the process to end.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("ladder-ls did not exit within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// When the message last read off the pipe had been read, before this client parsed its
    /// JSON (`None` after a wait returned one read earlier): a latency up to it is the
    /// server's and the pipe's alone.
    pub fn last_arrival(&self) -> Option<Instant> {
        self.last_arrival
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses `Content-Length` framed messages; anything else is reported as garbage.
fn read_messages(stdout: impl Read, tx: mpsc::Sender<Incoming>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            match line.strip_prefix("Content-Length: ") {
                Some(n) => length = n.parse::<usize>().ok(),
                None if line.starts_with("Content-Type:") => {}
                None => {
                    let _ = tx.send(Incoming::Garbage(line.to_string()));
                    return;
                }
            }
        }
        let Some(length) = length else {
            let _ = tx.send(Incoming::Garbage("a header without Content-Length".into()));
            return;
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let arrived = Instant::now();
        match serde_json::from_slice(&body) {
            Ok(v) => {
                if tx.send(Incoming::Message(v, arrived)).is_err() {
                    return;
                }
            }
            Err(_) => {
                let _ = tx.send(Incoming::Garbage(
                    String::from_utf8_lossy(&body).into_owned(),
                ));
                return;
            }
        }
    }
}

/// A `file://` URI for a path (percent-encoding spaces and other reserved characters).
pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Client capabilities of a push-model client (like Neovim 0.7) with the given encodings.
pub fn push_client(encodings: &[&str]) -> Value {
    json!({
        "general": {"positionEncodings": encodings},
        "window": {"workDoneProgress": true},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
        "textDocument": {"publishDiagnostics": {"versionSupport": true}, "codeAction": {}}
    })
}

/// Client capabilities of a pull-model client (like VS Code).
pub fn pull_client() -> Value {
    json!({
        "window": {"workDoneProgress": true},
        "workspace": {"diagnostics": {"refreshSupport": true}},
        "textDocument": {"diagnostic": {"dynamicRegistration": false}, "codeAction": {}}
    })
}

/// The `code`s of a list of diagnostics.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Applies LSP text edits (UTF-16 positions) to a text.
pub fn apply_edits_utf16(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_utf16(text, &e["range"]["start"]),
                offset_utf16(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// The byte offset of an LSP position (UTF-16 columns; `\n` line breaks).
pub fn offset_utf16(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i == line {
            let mut units = 0;
            for (b, c) in l.char_indices() {
                if units >= character || c == '\n' || c == '\r' {
                    return offset + b;
                }
                units += c.len_utf16();
            }
            return offset + l.trim_end_matches(['\n', '\r']).len();
        }
        offset += l.len();
    }
    text.len()
}

/// Copies a folder recursively (fixture projects are copied before tests change them).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fake `mix` in `dir` that starts a long `sleep` child, writes its pid to the returned file
/// and waits: a hung test suite with a grandchild, which real mix cannot be made to show.
pub fn hanging_mix(dir: &Path) -> (PathBuf, PathBuf) {
    let pidfile = dir.join("child.pid");
    let mix = dir.join("mix");
    std::fs::write(
        &mix,
        format!(
            "#!/bin/sh\nsleep 600 &\necho $! > '{}'\nwait\n",
            pidfile.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&mix, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (mix, pidfile)
}

/// Waits until the pid file a [`hanging_mix`] writes is there, and returns the pid.
pub fn wait_for_pid(pidfile: &Path) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Ok(pid) = std::fs::read_to_string(pidfile)
            && !pid.trim().is_empty()
        {
            return pid.trim().to_string();
        }
        assert!(Instant::now() < deadline, "the fake mix never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a process is gone (or a zombie waiting to be reaped), waiting up to `within`.
pub fn process_gone(pid: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        let stat =
            std::fs::read_to_string(Path::new("/proc").join(pid).join("stat")).unwrap_or_default();
        if stat.is_empty() || stat.contains(") Z ") {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads a pipe to the end on a thread, so a chatty child (an editor) never blocks on a full
/// pipe.
pub fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for a child started as the leader of its own process group (`process_group(0)`); kills
/// the whole group (the editor and the server it started) when it takes longer than `timeout`.
/// Returns `None` on a timeout.
pub fn wait_or_kill(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Processes whose working directory is inside `dir` (servers an editor started there), with
/// their command lines.
pub fn processes_under(dir: &Path) -> Vec<(u32, String)> {
    let Ok(dir) = dir.canonicalize() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir))
        })
        .map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                .unwrap_or_default();
            (pid, cmdline.trim().to_string())
        })
        .collect()
}
