//! HTTP to a SPARQL server: one request, its body buffered and sent with a
//! `Content-Length`, retried with back-off when the server or the
//! connection fails.
//!
//! The client is `ureq` 2: a small, well-kept, blocking client with no
//! async runtime to start (every caller here is a plain loop over graphs or
//! one query), rustls for `https` endpoints, and a body given as bytes is
//! sent with a `Content-Length`, never chunked: Virtuoso ignores a chunked
//! body, answers 201 all the same and leaves the graph empty.

use std::io::Read;
use std::time::Duration;

use thiserror::Error;

/// What a request could not do.
#[derive(Debug, Error)]
pub enum RemoteError {
    #[error("{method} {url}: the server answered {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status { method: String, url: String, status: u16, body: String },
    #[error("{method} {url}: {cause} (after {attempts} attempts)")]
    Transport { method: String, url: String, cause: String, attempts: u32 },
    #[error("{method} {url}: the server answered {status} after {attempts} attempts{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    GaveUp { method: String, url: String, status: u16, attempts: u32, body: String },
}

/// A request's body.
pub enum Body<'a> {
    Empty,
    /// Bytes of a media type.
    Bytes(&'a [u8], &'a str),
    /// `application/x-www-form-urlencoded` pairs.
    Form(&'a [(&'a str, &'a str)]),
}

/// A request: method, URL, its query-string pairs, extra headers and body.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub params: &'a [(&'a str, &'a str)],
    pub accept: Option<&'a str>,
    pub body: Body<'a>,
}

/// A successful answer, read whole.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    /// Virtuoso's `X-SPARQL-MaxRows`: sent only when it cut the answer short.
    pub max_rows: Option<String>,
    pub body: Vec<u8>,
    /// How many times the request was sent again before this answer.
    pub retries: u32,
}

/// How many times a request is tried, and the first wait between tries
/// (doubled after each).
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { attempts: 6, first_wait: Duration::from_millis(200) }
    }
}

pub struct Client {
    agent: ureq::Agent,
    authorization: Option<String>,
    pub retry: Retry,
}

impl Client {
    /// A client that sends `user:password` by HTTP Basic auth when given;
    /// `timeout` bounds one whole request.
    pub fn new(credentials: Option<(&str, &str)>, timeout: Option<Duration>) -> Self {
        let mut b = ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).user_agent(concat!("xietong/", env!("CARGO_PKG_VERSION")));
        if let Some(t) = timeout {
            b = b.timeout(t);
        }
        let authorization = credentials.map(|(u, p)| format!("Basic {}", base64(format!("{u}:{p}").as_bytes())));
        Client { agent: b.build(), authorization, retry: Retry::default() }
    }

    /// Sends `req`, again after a wait on a 5xx answer or a failed
    /// connection, up to `retry.attempts` times; any other 4xx is an error
    /// at once (sending it again would not change it). 404 is an answer,
    /// for the caller to judge.
    pub fn send(&self, req: &Request<'_>) -> Result<Reply, RemoteError> {
        let mut wait = self.retry.first_wait;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts.max(1);
            match self.send_once(req) {
                Ok(mut reply) => {
                    reply.retries = attempt - 1;
                    return Ok(reply);
                }
                Err(ureq::Error::Status(status, resp)) if status == 404 => {
                    return Ok(Reply { status, content_type: resp.content_type().to_string(), max_rows: None, body: Vec::new(), retries: attempt - 1 });
                }
                Err(ureq::Error::Status(status, resp)) if status < 500 => {
                    return Err(RemoteError::Status { method: req.method.into(), url: req.url.into(), status, body: snippet(resp) });
                }
                Err(ureq::Error::Status(status, resp)) if last => {
                    return Err(RemoteError::GaveUp { method: req.method.into(), url: req.url.into(), status, attempts: attempt, body: snippet(resp) });
                }
                Err(ureq::Error::Transport(t)) if last => {
                    return Err(RemoteError::Transport { method: req.method.into(), url: req.url.into(), cause: transport_cause(&t), attempts: attempt });
                }
                Err(_) => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    // ureq's error holds the whole answer of a failed request, for `send` to read.
    #[allow(clippy::result_large_err)]
    fn send_once(&self, req: &Request<'_>) -> Result<Reply, ureq::Error> {
        let mut r = self.agent.request(req.method, req.url);
        for (k, v) in req.params {
            r = r.query(k, v);
        }
        if let Some(a) = req.accept {
            r = r.set("Accept", a);
        }
        if let Some(a) = &self.authorization {
            r = r.set("Authorization", a);
        }
        let resp = match &req.body {
            Body::Empty => r.call()?,
            Body::Bytes(b, media) => r.set("Content-Type", media).send_bytes(b)?,
            Body::Form(pairs) => r.send_form(pairs)?,
        };
        let status = resp.status();
        let content_type = resp.content_type().to_string();
        let max_rows = resp.header("X-SPARQL-MaxRows").map(str::to_string);
        let mut body = Vec::new();
        resp.into_reader().read_to_end(&mut body)?;
        Ok(Reply { status, content_type, max_rows, body, retries: 0 })
    }
}

/// The start of an error answer's body, on one line, for a message.
fn snippet(resp: ureq::Response) -> String {
    let mut body = String::new();
    let _ = resp.into_reader().take(4096).read_to_string(&mut body);
    let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(300).collect()
}

/// Standard base64 with padding, for the Basic auth header.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What went wrong in a transport error, without the URL ureq writes
/// first (the error names the request's URL already; a GET's would carry
/// the whole query).
fn transport_cause(t: &ureq::Transport) -> String {
    let mut cause = t.kind().to_string();
    if let Some(m) = t.message() {
        cause.push_str(&format!(": {m}"));
    }
    if let Some(source) = std::error::Error::source(t) {
        cause.push_str(&format!(": {source}"));
    }
    cause
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_pads_as_the_standard_says() {
        assert_eq!(super::base64(b"dba:dba"), "ZGJhOmRiYQ==");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"abc"), "YWJj");
    }
}
