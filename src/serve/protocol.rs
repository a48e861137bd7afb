//! The SPARQL 1.1 Protocol's query operation: a query from GET's `query=`,
//! POST's form or `application/sparql-query` body; its answer in the
//! format the `Accept` header (or a `format=` parameter) asks for. Updates
//! are refused: the server only reads.

use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};

use super::{reply, Server};
use crate::query::{is_update, stream_at_most, Format, Kind, QueryError, Streamed};

/// The largest request body read; a query is text typed or generated, far
/// smaller than this.
pub const MAX_BODY: u64 = 256 * 1024;

/// Media types and the formats they name, each kind's default first.
const TABLE_TYPES: &[(&str, Format)] = &[
    ("application/sparql-results+json", Format::Json),
    ("application/json", Format::Json),
    ("application/sparql-results+xml", Format::Xml),
    ("application/xml", Format::Xml),
    ("text/csv", Format::Csv),
    ("text/tab-separated-values", Format::Tsv),
];
const GRAPH_TYPES: &[(&str, Format)] = &[
    ("text/turtle", Format::Turtle),
    ("application/n-triples", Format::Ntriples),
    ("application/n-quads", Format::Nquads),
    ("application/trig", Format::Trig),
    ("application/rdf+xml", Format::Rdfxml),
    ("application/ld+json", Format::Jsonld),
];

/// The media type a response in `f` is sent as.
pub fn media_type(f: Format) -> &'static str {
    match f {
        Format::Xml => "application/sparql-results+xml",
        Format::Table | Format::Tsv => "text/tab-separated-values; charset=utf-8",
        Format::Csv => "text/csv; charset=utf-8",
        _ => TABLE_TYPES.iter().chain(GRAPH_TYPES).find(|(_, g)| *g == f).map_or("application/octet-stream", |(t, _)| t),
    }
}

/// A request's parameters, from its URL and its form body, in order.
type Params = Vec<(String, String)>;

/// A request's query and parameters, or the response that refuses it.
fn query_of(req: &mut Request<Body>) -> Result<(String, Params), Response<Body>> {
    let mut params: Params = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
    if req.method() == Method::POST {
        let ctype = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let mut body = Vec::new();
        if let Err(e) = req.body_mut().take(MAX_BODY + 1).read_to_end(&mut body) {
            return Err(reply(StatusCode::BAD_REQUEST, &format!("cannot read the request body: {e}")));
        }
        if body.len() as u64 > MAX_BODY {
            return Err(reply(StatusCode::PAYLOAD_TOO_LARGE, &format!("the request body is larger than {MAX_BODY} bytes")));
        }
        match ctype.as_str() {
            "application/sparql-query" => params.push(("query".into(), String::from_utf8_lossy(&body).into_owned())),
            "application/sparql-update" => return Err(refuse_update()),
            "application/x-www-form-urlencoded" => params.extend(form_urlencoded::parse(&body).into_owned()),
            other => {
                return Err(reply(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("a POST body is application/sparql-query or application/x-www-form-urlencoded, not `{other}`")))
            }
        }
    } else if req.method() != Method::GET {
        return Err(reply(StatusCode::METHOD_NOT_ALLOWED, "the endpoint answers GET and POST"));
    }
    if params.iter().any(|(k, _)| k == "update") {
        return Err(refuse_update());
    }
    if let Some((k, _)) = params.iter().find(|(k, _)| k == "default-graph-uri" || k == "named-graph-uri") {
        return Err(reply(StatusCode::BAD_REQUEST, &format!("`{k}` is not supported: name graphs in the query (FROM, FROM NAMED, GRAPH)")));
    }
    let queries: Vec<&String> = params.iter().filter(|(k, _)| k == "query").map(|(_, v)| v).collect();
    match queries.as_slice() {
        [q] => Ok((q.to_string(), params)),
        [] => Err(reply(StatusCode::BAD_REQUEST, "no query: send `query=` (GET or a POST form) or an application/sparql-query body")),
        _ => Err(reply(StatusCode::BAD_REQUEST, "more than one `query=`")),
    }
}

fn refuse_update() -> Response<Body> {
    reply(StatusCode::FORBIDDEN, "updates are refused: this endpoint only reads (build the store with `xietong build`)")
}

/// The format of each kind of answer acceptable to the client: `format=`
/// (a media type or a `--format` name) if given, else the best of `Accept`
/// (q-values honoured; none or `*/*`: JSON results, Turtle graphs).
fn negotiate(accept: &str, format: Option<&str>) -> (Option<Format>, Option<Format>) {
    if let Some(f) = format {
        let named = f.parse::<Format>().ok().or_else(|| TABLE_TYPES.iter().chain(GRAPH_TYPES).find(|(t, _)| *t == f).map(|(_, g)| *g));
        let is_graph = |g: Format| GRAPH_TYPES.iter().any(|(_, x)| *x == g);
        return match named {
            Some(g) if is_graph(g) => (None, Some(g)),
            Some(g) => (Some(g), None),
            None => (None, None),
        };
    }
    let mut ranges: Vec<(f32, String)> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let range = it.next()?.trim().to_ascii_lowercase();
            let q = it.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
            (!range.is_empty()).then_some((q, range))
        })
        .collect();
    if ranges.is_empty() {
        ranges.push((1.0, "*/*".into()));
    }
    // Highest q first; the order of the header among equals.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    let best = |types: &[(&str, Format)]| -> Option<Format> {
        ranges.iter().filter(|(q, _)| *q > 0.0).find_map(|(_, r)| {
            if r == "*/*" {
                return Some(types[0].1);
            }
            if let Some(main) = r.strip_suffix("/*") {
                return types.iter().find(|(t, _)| t.starts_with(&format!("{main}/"))).map(|(_, f)| *f);
            }
            types.iter().find(|(t, _)| t == r).map(|(_, f)| *f)
        })
    };
    (best(TABLE_TYPES), best(GRAPH_TYPES))
}

/// How long past its timeout a query's answer is waited for before the
/// client is told it was cancelled.
const GRACE: Duration = Duration::from_secs(1);

/// Runs a query on a thread of its own and waits for its answer no longer
/// than the timeout (and [`GRACE`]): Oxigraph looks for the cancellation
/// only when it reads the store, so a join held in memory can run on well
/// past it. The client has its answer at the deadline; the thread ends at
/// the evaluation's next read. `None`: the deadline passed.
fn evaluate(server: &Server, text: String, table: Option<Format>, graph: Option<Format>) -> Option<(Result<Streamed, QueryError>, Vec<u8>)> {
    let store = server.snapshot.store();
    let limits = server.limits;
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let choose = |k: Kind| match k {
            Kind::Table => table,
            Kind::Graph => graph,
        };
        let mut body = Vec::new();
        let result = stream_at_most(&store.store, &text, &limits, &choose, &mut body);
        // The receiver is gone when the deadline passed: nothing to tell.
        let _ = tx.send((result, body));
    });
    match limits.timeout {
        Some(t) => rx.recv_timeout(t + GRACE).ok(),
        None => rx.recv().ok(),
    }
}

/// Answers a query request: the whole answer is written to memory first
/// (cut at the row limit), so that a failure midway is answered with its
/// status rather than a truncated body.
pub fn answer(server: &Server, req: &mut Request<Body>) -> Response<Body> {
    let (text, params) = match query_of(req) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let format = params.iter().find(|(k, _)| k == "format").map(|(_, v)| v.as_str());
    let (table, graph) = negotiate(accept, format);
    let (result, body) = match evaluate(server, text.clone(), table, graph) {
        Some(done) => done,
        None => {
            let secs = server.limits.timeout.map_or(0, |t| t.as_secs());
            return reply(StatusCode::SERVICE_UNAVAILABLE, &QueryError::Cancelled(secs).to_string());
        }
    };
    match result {
        Ok(s) => {
            let mut r = Response::builder().status(StatusCode::OK).header(CONTENT_TYPE, media_type(s.format)).header("Xietong-Rows", s.rows.to_string());
            if s.cut {
                r = r.header("Xietong-Cut", format!("the answer has more than {} rows; these are the first", s.rows));
            }
            r.body(Body::from(body)).unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "cannot build the response"))
        }
        Err(QueryError::Invalid(_)) if is_update(&text) => refuse_update(),
        Err(e @ QueryError::Invalid(_)) => reply(StatusCode::BAD_REQUEST, &e.to_string()),
        Err(e @ QueryError::Service) => reply(StatusCode::FORBIDDEN, &e.to_string()),
        Err(e @ QueryError::Cancelled(_)) => reply(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
        Err(e @ QueryError::NotAcceptable(_)) => reply(StatusCode::NOT_ACCEPTABLE, &e.to_string()),
        Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
