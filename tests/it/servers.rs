//! Real SPARQL servers for the tests, each started on 127.0.0.1 at a free
//! port in a temporary folder and killed when dropped: Oxigraph's server
//! (`oxigraph serve`, PyPI's `oxigraph`) and Virtuoso open source
//! (`virtuoso-t`, Debian's `virtuoso-opensource`); `.ci/bootstrap`
//! installs both. And a proxy that puts a slow or failing network between
//! xietong and a server.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xietong::query::Answer;
use xietong::remote::{sparql, Client};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Server {
    child: Child,
    _dir: tempfile::TempDir,
    /// The SPARQL query endpoint.
    pub query: String,
    /// Virtuoso's SQL port, for `isql-vt`.
    pub sql_port: Option<u16>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (a minute at most) until the endpoint answers an ASK.
fn wait_up(query: &str, child: &mut Child, log: &Path) {
    // One try a time: the loop is the retrying.
    let mut client = Client::new(None, Some(Duration::from_secs(5)));
    client.retry.attempts = 1;
    let started = Instant::now();
    loop {
        if sparql::run(&client, query, "ASK {}").is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server at {query} stopped ({status}): {}", std::fs::read_to_string(log).unwrap_or_default());
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the server at {query} did not come up: {}", std::fs::read_to_string(log).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Oxigraph's server on a fresh on-disk store, its default graph the union
/// of its graphs (as xietong's store's is).
pub fn oxigraph() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("server.log");
    let mut child = Command::new("oxigraph")
        .args(["serve", "--location", dir.path().join("data").to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}"), "--union-default-graph"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("the `oxigraph` command (pip install oxigraph; .ci/bootstrap installs it)");
    let query = format!("http://127.0.0.1:{port}/query");
    wait_up(&query, &mut child, &log);
    Server { child, _dir: dir, query, sql_port: None }
}

/// Virtuoso on a fresh database, answering at most `max_rows` rows a
/// SELECT (its `ResultSetMaxRows`), writes through the Graph Store
/// Protocol not yet allowed (see [`grant_updates`]).
pub fn virtuoso(max_rows: usize) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let (sql, http) = (free_port(), free_port());
    let d = dir.path().display();
    let ini = format!(
        "[Database]\nDatabaseFile = {d}/virtuoso.db\nErrorLogFile = {d}/virtuoso.log\nLockFile = {d}/virtuoso.lck\nTransactionFile = {d}/virtuoso.trx\nxa_persistent_file = {d}/virtuoso.pxa\nTempStorage = TempDatabase\n\
         [TempDatabase]\nDatabaseFile = {d}/virtuoso-temp.db\nTransactionFile = {d}/virtuoso-temp.trx\n\
         [Parameters]\nServerPort = 127.0.0.1:{sql}\nDisableUnixSocket = 1\nCaseMode = 2\nDirsAllowed = .\nNumberOfBuffers = 10000\nMaxDirtyBuffers = 6000\n\
         [HTTPServer]\nServerPort = 127.0.0.1:{http}\nServerThreads = 4\n\
         [SPARQL]\nResultSetMaxRows = {max_rows}\nMaxQueryExecutionTime = 120\n"
    );
    let ini_path = dir.path().join("virtuoso.ini");
    std::fs::write(&ini_path, ini).unwrap();
    let log = dir.path().join("server.log");
    let mut child = Command::new("virtuoso-t")
        .args(["+foreground", "+configfile", ini_path.to_str().unwrap()])
        .current_dir(dir.path())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("the `virtuoso-t` command (apt-get install virtuoso-opensource; .ci/bootstrap installs it)");
    let query = format!("http://127.0.0.1:{http}/sparql");
    wait_up(&query, &mut child, &log);
    Server { child, _dir: dir, query, sql_port: Some(sql) }
}

/// Lets Virtuoso's anonymous SPARQL user write (`GRANT SPARQL_UPDATE TO
/// "SPARQL"`, through `isql-vt`): what its `/sparql-graph-crud` needs
/// before it takes a PUT.
pub fn grant_updates(s: &Server) {
    let out = Command::new("isql-vt")
        .args([&format!("127.0.0.1:{}", s.sql_port.expect("a Virtuoso server")), "dba", "dba", "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";"])
        .output()
        .expect("isql-vt");
    assert!(out.status.success(), "isql-vt: {}", String::from_utf8_lossy(&out.stderr));
}

/// Triples per graph of `prefix` at the server.
pub fn graph_sizes(query: &str, prefix: &str) -> std::collections::BTreeMap<String, usize> {
    let client = Client::new(None, Some(Duration::from_secs(60)));
    let a = sparql::run(&client, query, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").unwrap();
    let Answer::Table { rows, .. } = a else { panic!("a table") };
    rows.iter()
        .filter_map(|r| {
            let g = match r.get("g")? {
                oxigraph::model::Term::NamedNode(n) => n.as_str().to_string(),
                _ => return None,
            };
            let n = match r.get("n")? {
                oxigraph::model::Term::Literal(l) => l.value().parse().ok()?,
                _ => return None,
            };
            g.starts_with(prefix).then_some((g, n))
        })
        .collect()
}

/// What the proxy does to the requests it passes on.
#[derive(Default)]
pub struct Faults {
    /// The first this many requests: the connection is closed unanswered.
    pub drop_first: usize,
    /// The next this many: answered 503.
    pub fail_next: usize,
    /// Every request passed on waits this long first.
    pub delay: Duration,
}

/// A proxy on 127.0.0.1 in front of a server's port: one request a
/// connection, passed on whole, after the faults of [`Faults`].
pub struct Proxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn proxy(upstream: u16, faults: Faults) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let rq = AtomicUsize::new(0);
    let st = stop.clone();
    let faults = Arc::new(faults);
    let thread = std::thread::spawn(move || {
        for conn in listener.incoming() {
            if st.load(Ordering::SeqCst) {
                break;
            }
            let Ok(conn) = conn else { continue };
            let n = rq.fetch_add(1, Ordering::SeqCst);
            let f = faults.clone();
            std::thread::spawn(move || pass_on(conn, upstream, n, &f));
        }
    });
    Proxy { port, stop, thread: Some(thread) }
}

/// Reads one request (head and `Content-Length` body) from `conn`.
fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if conn.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len = head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse().ok())).unwrap_or(0);
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn pass_on(mut conn: TcpStream, upstream: u16, n: usize, f: &Faults) {
    let Some((head, body)) = read_request(&mut conn) else { return };
    if n < f.drop_first {
        let _ = conn.shutdown(Shutdown::Both);
        return;
    }
    if n < f.drop_first + f.fail_next {
        let _ = conn.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    std::thread::sleep(f.delay);
    let head: String = head.split("\r\n").filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:")).map(|l| format!("{l}\r\n")).collect();
    let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
    let _ = up.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
    let _ = up.write_all(&body);
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    // The client must not keep this connection for another request.
    if let Some(eol) = answer.windows(2).position(|w| w == b"\r\n") {
        answer.splice(eol + 2..eol + 2, b"Connection: close\r\n".iter().copied());
    }
    let _ = conn.write_all(&answer);
}
