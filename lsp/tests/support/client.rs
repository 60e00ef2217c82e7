//! A small synchronous LSP client for the integration tests: it runs the real
//! `meshc-lsp` binary and talks JSON-RPC to it over stdio, with
//! `Content-Length` framing.
//!
//! Every read has a deadline, so a server that hangs or dies fails the test
//! with a message instead of hanging it.  Notifications that arrive while the
//! client waits for a response are kept, in order, for
//! [`Client::wait_for_notification`].

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait lasts by default.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A running language server and the client's side of the conversation.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Notifications (and responses to no request: errors about messages
    /// the server could not read) received and not yet consumed, oldest
    /// first.
    pending: VecDeque<Value>,
    /// The requests the server sent, answered with `null`.
    pub server_requests: Vec<Value>,
    /// Everything the server wrote to stderr so far.
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    /// The deadline of each wait.
    pub timeout: Duration,
    exited: bool,
}

impl Client {
    /// Starts `meshc-lsp`.
    pub fn start() -> Client {
        Client::start_binary(Path::new(env!("CARGO_BIN_EXE_meshc-lsp")))
    }

    /// Starts the language server `binary`.
    pub fn start_binary(binary: &Path) -> Client {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start meshc-lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let (tx, rx) = channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            // Ends when the server closes stdout (or writes garbage): the
            // sender is dropped and waits see a disconnected channel.
            while let Some(message) = read_frame(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                }
                line.clear();
            }
        });
        Client {
            child,
            stdin: Some(stdin),
            messages: rx,
            pending: VecDeque::new(),
            server_requests: Vec::new(),
            stderr,
            next_id: 0,
            timeout: TIMEOUT,
            exited: false,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).expect("serialize");
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Writes `bytes` to the server as they are (framing included).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("the server's stdin is closed");
        if let Err(e) = stdin.write_all(bytes).and_then(|()| stdin.flush()) {
            panic!(
                "cannot write to the server ({e}); it may have died. stderr:\n{}",
                self.stderr()
            );
        }
    }

    /// The next message from the server, or a panic after `deadline`.
    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!(
                "timed out after {:?} waiting for {waiting_for}; pending notifications: {:?}\nstderr:\n{}",
                self.timeout,
                self.pending,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "the server closed its output while the client waited for {waiting_for} (status {:?})\nstderr:\n{}",
                self.child.try_wait().ok().flatten(),
                self.stderr()
            ),
        }
    }

    /// Handles a message that is not the awaited response: keeps
    /// notifications, answers requests from the server with `null`.
    fn dispatch(&mut self, message: Value) {
        match (message.get("method"), message.get("id")) {
            (Some(_), Some(id)) => {
                let id = id.clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                self.server_requests.push(message);
            }
            (Some(_), None) => self.pending.push_back(message),
            (None, Some(Value::Null)) => self.pending.push_back(message),
            _ => panic!("unexpected response from the server: {message}"),
        }
    }

    /// Sends a request and waits for its response: `Ok(result)` or
    /// `Err(error object)`.
    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + self.timeout;
        loop {
            let message = self.receive(deadline, &format!("the response to {method} #{id}"));
            let is_response = message.get("method").is_none() && message.get("id") == Some(&json!(id));
            if !is_response {
                self.dispatch(message);
                continue;
            }
            if let Some(error) = message.get("error") {
                return Err(error.clone());
            }
            return Ok(message.get("result").cloned().unwrap_or(Value::Null));
        }
    }

    /// Sends a request and returns its result; an error response fails the
    /// test.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        match self.try_request(method, params.clone()) {
            Ok(result) => result,
            Err(error) => panic!("{method} {params} failed: {error}"),
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The params of the first notification `method` whose params satisfy
    /// `predicate`, received before or within `timeout`.  Earlier
    /// notifications that do not match stay pending.
    pub fn wait_for_notification(
        &mut self,
        method: &str,
        predicate: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        let matches = |m: &Value| m.get("method") == Some(&json!(method)) && predicate(&m["params"]);
        if let Some(i) = self.pending.iter().position(&matches) {
            let message = self.pending.remove(i).expect("index");
            return message["params"].clone();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.receive(deadline, &format!("a {method} notification"));
            if message.get("method").is_some() && message.get("id").is_none() && matches(&message) {
                return message["params"].clone();
            }
            self.dispatch(message);
        }
    }

    /// The first response to no request of the client (`"id": null`),
    /// received before or within the timeout.
    pub fn response_without_id(&mut self) -> Value {
        let is_it = |m: &Value| m.get("method").is_none() && m.get("id") == Some(&Value::Null);
        if let Some(i) = self.pending.iter().position(is_it) {
            return self.pending.remove(i).expect("index");
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let message = self.receive(deadline, "a response with id null");
            if is_it(&message) {
                return message;
            }
            self.dispatch(message);
        }
    }

    /// The diagnostics published for `uri` at `version` (`None`: a
    /// publication without version).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let uri = uri.to_string();
        let expected = version.map_or(Value::Null, |v| json!(v));
        self.wait_for_notification(
            "textDocument/publishDiagnostics",
            move |p| p["uri"] == json!(uri) && p.get("version").cloned().unwrap_or(Value::Null) == expected,
            self.timeout,
        )
    }

    /// The params of the oldest notification `method` received and not
    /// consumed yet, without waiting.
    pub fn take_notification(&mut self, method: &str) -> Option<Value> {
        let i = self.pending.iter().position(|m| m["method"] == method)?;
        self.pending.remove(i).map(|m| m["params"].clone())
    }

    /// Forgets the notifications received so far.
    pub fn clear_notifications(&mut self) {
        self.pending.clear();
    }

    /// `initialize` and `initialized`; returns the initialize result.  The
    /// client offers `position_encodings` (none: the field is left out).
    pub fn initialize(&mut self, root: &Path, position_encodings: &[&str]) -> Value {
        self.initialize_with(root, position_encodings, json!({}))
    }

    /// [`Client::initialize`] with the client's `workspace` capabilities.
    pub fn initialize_with(&mut self, root: &Path, position_encodings: &[&str], workspace: Value) -> Value {
        self.initialize_with_completion(
            root,
            position_encodings,
            workspace,
            json!({ "completionItem": { "snippetSupport": true } }),
        )
    }

    /// [`Client::initialize_with`] with the client's `completion`
    /// capabilities (snippets, insert-and-replace edits, tags).
    pub fn initialize_with_completion(
        &mut self,
        root: &Path,
        position_encodings: &[&str],
        workspace: Value,
        completion: Value,
    ) -> Value {
        let mut general = json!({});
        if !position_encodings.is_empty() {
            general["positionEncodings"] = json!(position_encodings);
        }
        let root_uri = file_uri(root);
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "clientInfo": { "name": "meshc-lsp tests" },
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "tests" }],
                "capabilities": {
                    "general": general,
                    "workspace": workspace,
                    "textDocument": {
                        "publishDiagnostics": { "relatedInformation": true, "versionSupport": true,
                                                "tagSupport": { "valueSet": [1, 2] } },
                        "completion": completion,
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "rename": { "prepareSupport": true },
                        "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
                        "codeAction": { "codeActionLiteralSupport": {
                            "codeActionKind": { "valueSet": ["quickfix"] } } }
                    }
                }
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// `textDocument/didOpen` at version 1.
    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "mesh", "version": 1, "text": text } }),
        );
    }

    /// `textDocument/didChange` replacing `range` (an LSP `Range`) with
    /// `text`.
    pub fn change_range(&mut self, uri: &str, version: i64, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": text }]
            }),
        );
    }

    /// `textDocument/didChange` with the whole new text.
    pub fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    /// `shutdown` then `exit`; the server must exit with status 0 in time.
    pub fn shutdown_and_exit(mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "shutdown result");
        let status = self.exit();
        assert!(
            status.success(),
            "the server exited with {status}\nstderr:\n{}",
            self.stderr()
        );
    }

    /// Sends `exit`, closes the server's stdin as editors do, and returns
    /// the exit status (a server still running in time fails the test).
    pub fn exit(&mut self) -> ExitStatus {
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.child.try_wait().expect("wait for the server") {
                Some(status) => {
                    self.exited = true;
                    return status;
                }
                None if Instant::now() >= deadline => {
                    panic!("the server did not exit after `exit`\nstderr:\n{}", self.stderr())
                }
                None => thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if !self.exited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads one `Content-Length` framed JSON message; `None` at the end of the
/// stream or on a malformed frame.
pub fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length: Option<usize> = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse().ok()?);
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

// ------------------------------------------------------------------ helpers

/// The `file://` URI of an absolute path (characters outside the URI's
/// unreserved set and `/` are percent-encoded).
pub fn file_uri(path: &Path) -> String {
    assert!(path.is_absolute(), "{} is not absolute", path.display());
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => uri.push(byte as char),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// The zero-based line and UTF-16 column of byte `offset` of `text`.
pub fn position_at(text: &str, offset: usize) -> (u32, u32) {
    position_at_in(text, offset, Columns::Utf16)
}

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units.
    Utf16,
}

/// The zero-based line and column (counted in `columns`) of byte `offset`.
pub fn position_at_in(text: &str, offset: usize, columns: Columns) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let col = match columns {
        Columns::Utf8 => prefix.len(),
        Columns::Utf16 => prefix.encode_utf16().count(),
    };
    (line as u32, col as u32)
}

/// The line and UTF-16 column where the `n`th (0-based) occurrence of
/// `marker` starts, plus `delta` bytes.
pub fn find_nth(text: &str, marker: &str, n: usize, delta: usize) -> (u32, u32) {
    let offset = text
        .match_indices(marker)
        .nth(n)
        .unwrap_or_else(|| panic!("`{marker}` occurs fewer than {} times in:\n{text}", n + 1))
        .0;
    position_at(text, offset + delta)
}

/// The line and UTF-16 column where the first `marker` starts.
pub fn find(text: &str, marker: &str) -> (u32, u32) {
    find_nth(text, marker, 0, 0)
}

/// The line and UTF-16 column just after the first `marker`.
pub fn after(text: &str, marker: &str) -> (u32, u32) {
    find_nth(text, marker, 0, marker.len())
}

/// An LSP `Position`.
pub fn pos((line, character): (u32, u32)) -> Value {
    json!({ "line": line, "character": character })
}

/// An LSP `Range`.
pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({ "start": pos(start), "end": pos(end) })
}

/// The range of the first `marker` in `text` (UTF-16 columns, one line).
pub fn range_of(text: &str, marker: &str) -> Value {
    range_of_nth(text, marker, 0)
}

/// The range of the `n`th `marker` in `text`.
pub fn range_of_nth(text: &str, marker: &str, n: usize) -> Value {
    let start = find_nth(text, marker, n, 0);
    let end = find_nth(text, marker, n, marker.len());
    range(start, end)
}

/// `{ textDocument, position }` params.
pub fn at(uri: &str, position: (u32, u32)) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos(position) })
}

/// A fresh, empty directory for one test, `target/lsp-tests/NAME-PID`,
/// removed when the test passes (kept for inspection when it fails).
pub fn workspace(name: &str) -> Workspace {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let base = tmp.parent().unwrap_or(tmp).join("lsp-tests");
    let dir = base.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test workspace");
    Workspace(dir.canonicalize().expect("canonical workspace path"))
}

/// A test's directory; see [`workspace`].
pub struct Workspace(PathBuf);

impl std::ops::Deref for Workspace {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if !thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
