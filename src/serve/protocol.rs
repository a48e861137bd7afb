//! The SPARQL 1.1 Protocol's query operation: a query from GET's `query=`,
//! POST's form or `application/sparql-query` body; its answer in the
//! format the `Accept` header (or a `format=` parameter) asks for. Updates
//! are refused: the server only reads.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Body, ChunkedTransferPayload, HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Version};
use oxigraph::model::NamedNode;

use super::{reply, Server};
use crate::query::{is_update, stream_at_most, Format, Graphs, Kind, QueryError, Streamed};

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

/// The dataset the request names with `default-graph-uri` and
/// `named-graph-uri` (SPARQL 1.1 Protocol §2.1.4), which takes the place of
/// the query's FROM and FROM NAMED; `None` if it names none.
fn graphs_of(params: &Params) -> Result<Option<Graphs>, Response<Body>> {
    let iris = |key: &str| -> Result<Vec<NamedNode>, Response<Body>> {
        params
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| NamedNode::new(v.as_str()).map_err(|e| reply(StatusCode::BAD_REQUEST, &format!("`{key}` is not an IRI: {v:?}: {e}"))))
            .collect()
    };
    let g = Graphs { default: iris("default-graph-uri")?, named: iris("named-graph-uri")? };
    Ok((!g.default.is_empty() || !g.named.is_empty()).then_some(g))
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

/// The bytes of an answer sent at once. An answer no longer than this is
/// sent whole, with its status and row count known; a longer one is sent
/// as it comes, this much at a time.
pub const CHUNK: usize = 64 * 1024;

/// What a query's thread sends the connection's thread.
enum Piece {
    /// The next bytes of an answer in this format.
    Chunk(Format, Vec<u8>),
    /// The end: how the query ended, and the answer's last bytes.
    End(Result<Streamed, QueryError>, Vec<u8>),
}

/// Where a query's thread writes its answer: in pieces of [`CHUNK`] bytes
/// to the connection's thread, waiting while two are unsent (a slow client
/// slows the query rather than filling memory). A client gone ends the
/// query at its next write.
struct Pieces<'a> {
    buf: Vec<u8>,
    tx: &'a SyncSender<Piece>,
    format: &'a Cell<Option<Format>>,
}

impl Write for Pieces<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            let format = self.format.get().ok_or_else(|| io::Error::other("an answer written before its format was chosen"))?;
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            self.tx.send(Piece::Chunk(format, full)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client is gone"))?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs a query on a thread of its own, which sends its answer in
/// [`Piece`]s: the server waits for the first no longer than the timeout
/// (and [`GRACE`]), since Oxigraph looks for the cancellation only when it
/// reads the store, so a join held in memory can run on well past it. The
/// thread ends at the evaluation's next read.
fn evaluate(server: &Server, text: String, graphs: Option<Graphs>, table: Option<Format>, graph: Option<Format>) -> Receiver<Piece> {
    let store = server.snapshot.store();
    let limits = server.limits;
    let (tx, rx) = mpsc::sync_channel(2);
    std::thread::spawn(move || {
        let format = Cell::new(None);
        let choose = |k: Kind| {
            let f = match k {
                Kind::Table => table,
                Kind::Graph => graph,
            };
            format.set(f);
            f
        };
        let mut out = Pieces { buf: Vec::with_capacity(CHUNK), tx: &tx, format: &format };
        let result = stream_at_most(&store.store, &text, graphs.as_ref(), &limits, &choose, &mut out);
        // The receiver is gone when the deadline passed: nothing to tell.
        let _ = tx.send(Piece::End(result, out.buf));
    });
    rx
}

/// An answer longer than [`CHUNK`], read by the connection's thread as the
/// query's thread writes it. Its row count and cut notice come as trailers
/// after the last chunk; a query that fails or passes its deadline midway
/// breaks the body off (the client sees a chunked body with no end, never
/// a short answer passed off as whole).
struct Stream {
    rx: Receiver<Piece>,
    deadline: Option<Instant>,
    current: io::Cursor<Vec<u8>>,
    trailers: Option<HeaderMap>,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || self.trailers.is_some() || buf.is_empty() {
                return Ok(n);
            }
            let next = match self.deadline {
                Some(d) => self.rx.recv_timeout(d.saturating_duration_since(Instant::now())).map_err(|e| match e {
                    RecvTimeoutError::Timeout => io::Error::new(io::ErrorKind::TimedOut, "the query ran past its deadline"),
                    RecvTimeoutError::Disconnected => io::Error::other("the query's thread ended without an end"),
                }),
                None => self.rx.recv().map_err(|_| io::Error::other("the query's thread ended without an end")),
            }?;
            match next {
                Piece::Chunk(_, bytes) => self.current = io::Cursor::new(bytes),
                Piece::End(Ok(s), rest) => {
                    self.current = io::Cursor::new(rest);
                    let mut t = HeaderMap::new();
                    for (k, v) in counts(&s) {
                        if let Ok(v) = HeaderValue::from_str(&v) {
                            t.insert(k, v);
                        }
                    }
                    self.trailers = Some(t);
                }
                Piece::End(Err(e), _) => return Err(io::Error::other(e.to_string())),
            }
        }
    }
}

impl ChunkedTransferPayload for Stream {
    fn trailers(&self) -> Option<&HeaderMap> {
        self.trailers.as_ref()
    }
}

/// The headers that say how many rows an answer has and whether it was cut.
fn counts(s: &Streamed) -> Vec<(&'static str, String)> {
    let mut h = vec![("Xietong-Rows", s.rows.to_string())];
    if s.cut {
        h.push(("Xietong-Cut", format!("the answer has more than {} rows; these are the first", s.rows)));
    }
    h
}

/// Answers a query request. An answer of up to [`CHUNK`] bytes is sent
/// whole, so that a failure is answered with its status and the row count
/// is a header; a longer one streams (status 200 once its first chunk is
/// written, the counts as trailers), never held whole in memory.
pub fn answer(server: &Server, req: &mut Request<Body>) -> Response<Body> {
    let (text, params) = match query_of(req) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let graphs = match graphs_of(&params) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let format = params.iter().find(|(k, _)| k == "format").map(|(_, v)| v.as_str());
    let (table, graph) = negotiate(accept, format);
    // HTTP/1.0 has no chunked transfer: its answers are held and sent whole.
    let chunked = req.version() >= Version::HTTP_11;
    let deadline = server.limits.timeout.map(|t| Instant::now() + t + GRACE);
    let rx = evaluate(server, text.clone(), graphs, table, graph);
    // `Err(true)`: the query's thread ended without a word (it panicked).
    let first = match deadline {
        Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())).map_err(|e| e == RecvTimeoutError::Disconnected),
        None => rx.recv().map_err(|_| true),
    };
    let failed = || reply(StatusCode::INTERNAL_SERVER_ERROR, "the query failed without an answer");
    let cancelled = || reply(StatusCode::SERVICE_UNAVAILABLE, &QueryError::Cancelled(server.limits.timeout.map_or(0, |t| t.as_secs())).to_string());
    let max_rows = server.limits.max_rows.map(|m| m.to_string());
    let built = |r: oxhttp::model::response::Builder, body: Body| r.body(body).unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "cannot build the response"));
    let head = |format: Format| {
        let r = Response::builder().status(StatusCode::OK).header(CONTENT_TYPE, media_type(format));
        match &max_rows {
            Some(m) => r.header("Xietong-Max-Rows", m.as_str()),
            None => r,
        }
    };
    match first {
        Err(false) => cancelled(),
        Err(true) => failed(),
        Ok(Piece::Chunk(format, bytes)) => {
            let mut stream = Stream { rx, deadline, current: io::Cursor::new(bytes), trailers: None };
            if chunked {
                return built(head(format), Body::from_chunked_transfer_payload(stream));
            }
            let mut whole = Vec::new();
            match stream.read_to_end(&mut whole) {
                Ok(_) => {
                    let trailers = stream.trailers.unwrap_or_default();
                    let r = trailers.iter().fold(head(format), |r, (k, v)| r.header(k, v));
                    built(r, Body::from(whole))
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => cancelled(),
                Err(_) => failed(),
            }
        }
        Ok(Piece::End(Ok(s), body)) => {
            let r = counts(&s).into_iter().fold(head(s.format), |r, (k, v)| r.header(k, v));
            built(r, Body::from(body))
        }
        Ok(Piece::End(Err(e), _)) => match e {
            QueryError::Invalid(_) if is_update(&text) => refuse_update(),
            e @ QueryError::Invalid(_) => reply(StatusCode::BAD_REQUEST, &e.to_string()),
            e @ QueryError::Service => reply(StatusCode::FORBIDDEN, &e.to_string()),
            QueryError::Cancelled(_) => cancelled(),
            e @ QueryError::NotAcceptable(_) => reply(StatusCode::NOT_ACCEPTABLE, &e.to_string()),
            e => reply(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(pieces: Vec<Piece>, deadline: Option<Instant>) -> Stream {
        let (tx, rx) = mpsc::sync_channel(pieces.len() + 1);
        for p in pieces {
            tx.send(p).unwrap();
        }
        Stream { rx, deadline, current: io::Cursor::new(b"first ".to_vec()), trailers: None }
    }

    #[test]
    fn a_stream_ends_with_its_counts_as_trailers() {
        let done = Streamed { rows: 2, cut: false, format: Format::Tsv };
        let mut s = stream(vec![Piece::Chunk(Format::Tsv, b"middle ".to_vec()), Piece::End(Ok(done), b"last".to_vec())], None);
        let mut all = String::new();
        s.read_to_string(&mut all).unwrap();
        assert_eq!(all, "first middle last");
        assert_eq!(s.trailers().and_then(|t| t.get("Xietong-Rows")).map(|v| v.to_str().unwrap().to_string()), Some("2".into()));
    }

    #[test]
    fn a_failure_midway_breaks_the_body_off() {
        let mut s = stream(vec![Piece::Chunk(Format::Tsv, b"middle ".to_vec()), Piece::End(Err(QueryError::Failed("disk".into())), Vec::new())], None);
        assert!(s.read_to_end(&mut Vec::new()).is_err(), "a failed query must not end like a whole answer");
        // The query's thread gone without an end is a failure too.
        let (tx, rx) = mpsc::sync_channel::<Piece>(1);
        drop(tx);
        let mut gone = Stream { rx, deadline: None, current: io::Cursor::new(Vec::new()), trailers: None };
        assert!(gone.read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn a_stream_past_its_deadline_is_cut_off() {
        let (_tx, rx) = mpsc::sync_channel::<Piece>(1);
        let mut late = Stream { rx, deadline: Some(Instant::now()), current: io::Cursor::new(Vec::new()), trailers: None };
        let e = late.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }
}
