//! `xietong serve`: the store over HTTP, read-only. A SPARQL 1.1 Protocol
//! endpoint at `/sparql` (see [`protocol`]) and a page at `/` to ask and
//! look (see [`page`]), for people and tools that do not use a terminal.
//!
//! The HTTP server is `oxhttp`: Oxigraph's own (the same author and
//! release train as the store), small (no async runtime, a blocking thread
//! per connection, which suits queries that block on RocksDB anyway),
//! bounding request headers (8 KiB) and connections by itself, and
//! kept up for `oxigraph serve`, the endpoint this one is compared with.
//!
//! [`handle`] turns a request into a response and prints nothing; the
//! command line starts [`start`] and says where it listens.

pub mod evidence;
pub mod page;
pub mod protocol;
pub mod snapshot;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use oxhttp::model::header::{HeaderValue, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};

use crate::knowledge::Knowledge;
use crate::query::Limits;
use snapshot::Snapshot;

/// How often, at most, the server looks whether a build changed the store.
pub const REFRESH: Duration = Duration::from_secs(1);

/// What a running server holds.
pub struct Server {
    pub snapshot: Snapshot,
    pub limits: Limits,
    pub knowledge: Knowledge,
}

/// What to serve and how.
pub struct Config {
    pub bind: SocketAddr,
    pub limits: Limits,
    /// Connections served at once; more wait.
    pub max_connections: usize,
}

/// Opens the store and listens; returns once listening (the server runs on
/// its own threads until the process ends).
pub fn start(store: &Path, knowledge: Knowledge, config: &Config) -> Result<oxhttp::ListeningServer> {
    let snapshot = Snapshot::open(store, REFRESH)?;
    let server = Arc::new(Server { snapshot, limits: config.limits, knowledge });
    let s = oxhttp::Server::new(move |req| handle(&server, req))
        .bind(config.bind)
        .with_global_timeout(Duration::from_secs(60).max(config.limits.timeout.unwrap_or_default() + Duration::from_secs(10)))
        .with_max_concurrent_connections(config.max_connections)
        .with_server_name(concat!("xietong/", env!("CARGO_PKG_VERSION")))
        .context("server name")?;
    s.spawn().with_context(|| format!("cannot listen on {}", config.bind))
}

/// A request's response.
pub fn handle(server: &Server, req: &mut Request<Body>) -> Response<Body> {
    let mut r = if req.method() == Method::OPTIONS {
        // A browser's preflight before a cross-origin POST. GET and POST
        // need no Access-Control-Allow-Methods (they are CORS-safelisted),
        // and oxhttp drops that header.
        Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header("Access-Control-Allow-Headers", "Content-Type, Accept")
            .header("Access-Control-Max-Age", "86400")
            .body(Body::empty())
            .unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "cannot build the response"))
    } else {
        match req.uri().path() {
            "/sparql" | "/query" => protocol::answer(server, req),
            "/evidence" => evidence::answer(server, req),
            "/update" => reply(StatusCode::FORBIDDEN, "updates are refused: this endpoint only reads (build the store with `xietong build`)"),
            path => page::answer(server, path, req),
        }
    };
    let h = r.headers_mut();
    h.insert("Access-Control-Allow-Origin", HeaderValue::from_static("*"));
    h.insert("Access-Control-Expose-Headers", HeaderValue::from_static("Xietong-Rows, Xietong-Cut, Xietong-Max-Rows"));
    r
}

/// A plain-text response: an error's cause, or a short message.
pub fn reply(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = Response::new(Body::from(format!("{text}\n")));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}
