//! The framing layer between stdio and the protocol framework: it reads
//! `Content-Length` frames itself, answers a frame that is not a JSON-RPC
//! message with an error response, and passes only well-formed messages on.
//!
//! Why: the framework's reader stops for good at the first frame it cannot
//! decode (after one error response), which ends the server.  JSON-RPC 2.0
//! asks for an answer instead: `-32700` (parse error) for text that is not
//! JSON, `-32600` (invalid request) for JSON that is not a request,
//! notification or response, each with the id when one can be read, else
//! `null`; the server then keeps serving.  Bytes between frames that are no
//! header (`{{{{{`) are skipped up to the next `Content-Length` and
//! answered with one parse error.
//!
//! The server reads from and writes to in-memory pipes; one task copies
//! frames from stdin to the server's pipe, another copies the server's
//! frames and the layer's error responses to stdout, a whole frame at a
//! time, so that they never interleave.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;

/// The pipe size between the layer and the server (a larger message is
/// copied in several writes).
const PIPE: usize = 64 * 1024;

/// A header block longer than this without its end is not a header.
const MAX_HEADER: usize = 8 * 1024;

/// A body longer than this is refused: no client sends one, and waiting
/// for it would hold the server.
const MAX_BODY: usize = 1 << 30;

const CONTENT_LENGTH: &[u8] = b"content-length";

/// The buffer a reader keeps between messages.
const SMALL_BUFFER: usize = 64 * 1024;

/// What the reader found next on its input.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// The body of one frame.
    Body(Vec<u8>),
    /// Bytes that are no frame (skipped), or a header without a valid
    /// `Content-Length` (dropped with its block).
    Garbage,
}

/// Reads `Content-Length` frames from a byte stream.
pub struct FrameReader<R> {
    input: R,
    buffer: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader of `input`.
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader {
            input,
            buffer: Vec::new(),
        }
    }

    /// The next frame, or `None` at the end of the input (a partial frame
    /// at the end is dropped).
    pub async fn next(&mut self) -> std::io::Result<Option<Frame>> {
        loop {
            if let Some(frame) = self.take() {
                return Ok(Some(frame));
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.input.read(&mut chunk).await?;
            if n == 0 {
                return Ok(None);
            }
            self.buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
    }

    /// A frame made of what is buffered, if it is complete.
    fn take(&mut self) -> Option<Frame> {
        let first = *self.buffer.first()?;
        if !is_token(first) {
            // Not a header: skip to the next `Content-Length`, or keep only
            // what could be its start.
            let skip = find_ignoring_case(&self.buffer, CONTENT_LENGTH)
                .unwrap_or(self.buffer.len() - partial_suffix(&self.buffer));
            self.buffer.drain(..skip);
            return Some(Frame::Garbage);
        }
        let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            if self.buffer.len() > MAX_HEADER {
                self.buffer.clear();
                return Some(Frame::Garbage);
            }
            return None;
        };
        let body_start = end + 4;
        let Some(length) = content_length(self.buffer.get(..end).unwrap_or_default()) else {
            self.buffer.drain(..body_start);
            return Some(Frame::Garbage);
        };
        let body_end = body_start + length;
        if self.buffer.len() < body_end {
            return None;
        }
        let body = self.buffer.get(body_start..body_end).unwrap_or_default().to_vec();
        self.buffer.drain(..body_end);
        // A large message (a whole document) leaves no large buffer behind.
        if self.buffer.capacity() > SMALL_BUFFER && self.buffer.len() < SMALL_BUFFER {
            self.buffer.shrink_to(SMALL_BUFFER);
        }
        Some(Frame::Body(body))
    }
}

/// Whether `b` may start a header name (an HTTP token character).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Where `needle` (lower case) first occurs in `haystack`, ignoring case.
fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The length of the longest end of `buffer` that starts `Content-Length`.
fn partial_suffix(buffer: &[u8]) -> usize {
    (1..CONTENT_LENGTH.len().min(buffer.len() + 1))
        .rev()
        .find(|&n| {
            buffer.get(buffer.len() - n..).is_some_and(|end| {
                CONTENT_LENGTH
                    .get(..n)
                    .is_some_and(|start| end.eq_ignore_ascii_case(start))
            })
        })
        .unwrap_or(0)
}

/// The `Content-Length` of a header block, when it has a valid one.
fn content_length(headers: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(headers).ok()?;
    let mut length = None;
    for line in text.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<usize>().ok().filter(|&n| n <= MAX_BODY)?);
        }
    }
    length
}

/// The parts of a message the layer reads; the rest is skipped unparsed.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    id: Option<Value>,
    #[serde(default)]
    params: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "present_ignored")]
    result: Option<IgnoredAny>,
    #[serde(default)]
    error: Option<IgnoredAny>,
}

/// `Some` for a field that is present, even as `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `Some` for a field that is present, even as `null` (`"result": null`
/// is a valid response).
fn present_ignored<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<IgnoredAny>, D::Error> {
    IgnoredAny::deserialize(d).map(Some)
}

/// `None` when `body` is a JSON-RPC message the framework can take, else
/// the error response to send.
pub fn check(body: &[u8]) -> Option<Value> {
    let envelope = match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) => envelope,
        Err(e) if e.is_data() => return Some(error_response(Value::Null, -32600, "Invalid request")),
        Err(_) => return Some(error_response(Value::Null, -32700, "Parse error")),
    };
    let _ = envelope.params;
    // The framework reads ids as integers or strings (and `null` in a
    // response to a message it could not read).
    let id_ok = match &envelope.id {
        None => true,
        Some(Value::String(_) | Value::Null) => true,
        Some(Value::Number(n)) => n.is_i64(),
        Some(_) => false,
    };
    let request = envelope.method.is_some() && !matches!(envelope.id, Some(Value::Null));
    let response =
        envelope.method.is_none() && envelope.id.is_some() && (envelope.result.is_some() != envelope.error.is_some());
    let valid = envelope.jsonrpc.as_deref() == Some("2.0") && id_ok && (request || response);
    if valid {
        return None;
    }
    let id = match envelope.id {
        Some(id @ (Value::String(_) | Value::Number(_))) if id_ok => id,
        _ => Value::Null,
    };
    Some(error_response(id, -32600, "Invalid request"))
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

async fn write_frame(out: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    out.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    out.write_all(body).await?;
    out.flush().await
}

/// Puts the layer between `stdin`/`stdout` and a server: returns the
/// server's input and output, and the task that copies the server's
/// output to `stdout`, which ends once the server's output is closed and
/// written.  The task reading `stdin` is spawned and ends at the end of
/// `stdin`.
pub fn layer(
    stdin: impl AsyncRead + Unpin + Send + 'static,
    mut stdout: impl AsyncWrite + Unpin + Send + 'static,
) -> (DuplexStream, DuplexStream, impl Future<Output = ()>) {
    let (server_in, mut to_server) = tokio::io::duplex(PIPE);
    let (from_server, server_out) = tokio::io::duplex(PIPE);
    let (errors_tx, mut errors) = mpsc::unbounded_channel::<Value>();
    tokio::spawn(async move {
        let mut reader = FrameReader::new(stdin);
        while let Ok(Some(frame)) = reader.next().await {
            let problem = match &frame {
                Frame::Body(body) => check(body),
                Frame::Garbage => Some(error_response(Value::Null, -32700, "Parse error")),
            };
            match (problem, frame) {
                (Some(response), _) => {
                    let _ = errors_tx.send(response);
                }
                (None, Frame::Body(body)) => {
                    if write_frame(&mut to_server, &body).await.is_err() {
                        break;
                    }
                }
                (None, Frame::Garbage) => {}
            }
        }
        // Dropping the pipe ends the server's input.
    });
    let output = async move {
        let mut frames = FrameReader::new(from_server);
        loop {
            tokio::select! {
                frame = frames.next() => match frame {
                    Ok(Some(Frame::Body(body))) => {
                        if write_frame(&mut stdout, &body).await.is_err() {
                            break;
                        }
                    }
                    Ok(Some(Frame::Garbage)) => {}
                    Ok(None) | Err(_) => break,
                },
                Some(error) = errors.recv() => {
                    let body = serde_json::to_vec(&error).unwrap_or_default();
                    if write_frame(&mut stdout, &body).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = stdout.flush().await;
    };
    (server_in, server_out, output)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<Frame> {
        let mut reader = FrameReader::new(input);
        let mut out = Vec::new();
        while let Ok(Some(frame)) = reader.next().await {
            out.push(frame);
        }
        out
    }

    #[tokio::test]
    async fn frames_and_garbage_between_them() {
        let input = b"{{{{{Content-Length: 2\r\n\r\n{}content-length:3\r\nContent-Type: x\r\n\r\n[1]\
                      Content-Length: x\r\n\r\nContent-Length: 1\r\n\r\n";
        assert_eq!(
            frames(input).await,
            [
                Frame::Garbage,
                Frame::Body(b"{}".to_vec()),
                Frame::Body(b"[1]".to_vec()),
                Frame::Garbage,
            ]
        );
        // Garbage alone is answered at once; a partial `Content-Le` is kept.
        assert_eq!(frames(b"{{{{{").await, [Frame::Garbage]);
        assert_eq!(partial_suffix(b"{{Content-Le"), 10);
        assert_eq!(partial_suffix(b"{{"), 0);
    }

    #[test]
    fn messages_and_errors() {
        let code = |body: &str| check(body.as_bytes()).map(|e| (e["error"]["code"].clone(), e["id"].clone()));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{}}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","method":"m"}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":"a","result":null}"#), None);
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}"#),
            None
        );
        assert_eq!(code(r#"{"bad":1}"#), Some((json!(-32600), Value::Null)));
        assert_eq!(code("{{{{{"), Some((json!(-32700), Value::Null)));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":7}"#), Some((json!(-32600), json!(7))));
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#),
            Some((json!(-32600), Value::Null))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":2,"method":"m"}"#),
            Some((json!(-32600), json!(2)))
        );
        assert_eq!(
            code(r#"[{"jsonrpc":"2.0","method":"m"}]"#),
            Some((json!(-32600), Value::Null))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","method":3}"#),
            Some((json!(-32600), Value::Null))
        );
    }
}
