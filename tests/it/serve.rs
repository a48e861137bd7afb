//! `xietong serve` tested from outside, as a client sees it: the real
//! binary listening on a free loopback port, asked by `curl`. Every
//! competency query gives the rows `xietong query` gives; each refusal
//! (update, SERVICE, oversize body, timeout) has its status. `browser`
//! uses its server with Chromium.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use xietong::query::BUILT_IN;

use crate::common::*;
use crate::servers::free_port;

/// A server started once for the module. The child is spawned by a thread
/// that lives as long as the test process, with the kernel told to kill
/// the child when that thread dies: the server goes when the tests end,
/// however they end (statics are never dropped).
pub struct Server {
    pub base: String,
}

/// Spawns `cmd` from a thread that lives as long as the test process, the
/// kernel told to kill the child when that thread dies.
pub fn spawn_for_life(mut cmd: Command) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        use std::os::unix::process::CommandExt;
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe; it only sets this child's parent-death signal.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn();
        let ok = child.is_ok();
        tx.send(child.map(|_| ()).map_err(|e| format!("{cmd:?}: {e}"))).expect("report the spawn");
        if ok {
            loop {
                std::thread::park();
            }
        }
    });
    rx.recv().expect("the spawning thread reports").expect("the child starts");
}

/// Waits until something listens on `addr`.
pub fn wait_for(addr: &str) {
    let started = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn start(store: &Path, extra: &[&str]) -> Server {
    let bind = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xietong"));
    cmd.args(["serve", "--store", store.to_str().unwrap(), "--bind", &bind]).args(extra);
    spawn_for_life(cmd);
    wait_for(&bind);
    Server { base: format!("http://{bind}") }
}

/// A server of one test, killed when it goes out of scope (and, should the
/// test's thread die first, by the parent-death signal).
struct Owned {
    child: std::process::Child,
    base: String,
}

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_owned(store: &Path, extra: &[&str]) -> Owned {
    use std::os::unix::process::CommandExt;
    let bind = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xietong"));
    cmd.args(["serve", "--store", store.to_str().unwrap(), "--bind", &bind]).args(extra).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe; it only sets this child's parent-death signal.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let child = cmd.spawn().expect("xietong serve starts");
    let owned = Owned { child, base: format!("http://{bind}") };
    wait_for(&bind);
    owned
}

/// The server on the shared store, with the default limits.
pub fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&fixture().store, &[]))
}

/// A server with a 1 s timeout and 5 rows at most.
fn tight() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&fixture().store, &["--timeout", "1", "--max-rows", "5"]))
}

/// A response as curl got it.
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string()))
    }
}

pub fn curl(args: &[&str]) -> Reply {
    let out = Command::new("curl").args(["-s", "-S", "-i", "-H", "Expect:"]).args(args).output().expect("curl runs");
    assert!(out.status.success(), "curl {args:?}: {}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").expect("a header block");
    let status = headers.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    Reply { status, headers: headers.to_string(), body: body.to_string() }
}

fn sparql(s: &Server) -> String {
    format!("{}/sparql", s.base)
}

/// A TSV answer's header and its rows sorted: an answer's order is not the protocol's.
fn sorted(tsv: &str) -> (String, Vec<String>) {
    let mut lines = tsv.lines();
    let head = lines.next().unwrap_or_default().to_string();
    let mut rows: Vec<String> = lines.map(str::to_string).collect();
    rows.sort();
    (head, rows)
}

#[test]
fn every_competency_query_gives_the_rows_of_xietong_query() {
    let s = server();
    assert!(!BUILT_IN.is_empty());
    for (name, _) in BUILT_IN {
        let file = repo().join("queries").join(name);
        let cli = xietong(&["query", file.to_str().unwrap(), "--format", "tsv"]);
        assert!(cli.status.success(), "{name}: {}", stderr(&cli));
        let r = curl(&["-H", "Accept: text/tab-separated-values", "--data-urlencode", &format!("query@{}", file.display()), &sparql(s)]);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert_eq!(sorted(&r.body), sorted(&stdout(&cli)), "{name}: the endpoint's rows differ from `xietong query`'s");
        assert_eq!(r.header("Xietong-Rows"), Some(sorted(&r.body).1.len().to_string()), "{name}");
    }
}

#[test]
fn get_post_form_and_query_body_give_one_answer() {
    let s = server();
    let q = "SELECT ?s ?l WHERE { ?s a xt:School ; rdfs:label ?l } ORDER BY ?s ?l";
    let accept = "Accept: text/csv";
    let get = curl(&["-G", "-H", accept, "--data-urlencode", &format!("query={q}"), &sparql(s)]);
    let form = curl(&["-H", accept, "--data-urlencode", &format!("query={q}"), &sparql(s)]);
    let body = curl(&["-H", accept, "-H", "Content-Type: application/sparql-query", "--data-binary", q, &sparql(s)]);
    assert_eq!(get.status, 200, "{}", get.body);
    assert!(get.body.lines().count() > 2, "no schools: {}", get.body);
    assert_eq!(get.header("Content-Type").as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(form.body, get.body);
    assert_eq!(body.body, get.body);
}

#[test]
fn content_negotiation_gives_each_format_asked_for() {
    let s = server();
    let select = "query=SELECT ?s WHERE { ?s a xt:School } LIMIT 3";
    let ask = |accept: &str, q: &str| curl(&["-H", &format!("Accept: {accept}"), "--data-urlencode", q, &sparql(s)]);
    let json = ask("application/sparql-results+json", select);
    assert_eq!(json.header("Content-Type").as_deref(), Some("application/sparql-results+json"));
    let v: serde_json::Value = serde_json::from_str(&json.body).expect("JSON results");
    assert_eq!(v["results"]["bindings"].as_array().map(Vec::len), Some(3));
    let xml = ask("application/sparql-results+xml", select);
    assert!(xml.body.contains("<sparql") && xml.body.matches("<result>").count() == 3, "{}", xml.body);
    // q-values: CSV preferred to JSON here.
    let csv = ask("application/json;q=0.5, text/csv", select);
    assert_eq!(csv.header("Content-Type").as_deref(), Some("text/csv; charset=utf-8"));
    // No Accept: JSON for a table, Turtle for a graph.
    let none = curl(&["--data-urlencode", select, &sparql(s)]);
    assert_eq!(none.header("Content-Type").as_deref(), Some("application/sparql-results+json"));
    let construct = "query=CONSTRUCT { ?s a xt:School } WHERE { ?s a xt:School } LIMIT 3";
    let ttl = curl(&["--data-urlencode", construct, &sparql(s)]);
    assert_eq!(ttl.header("Content-Type").as_deref(), Some("text/turtle"), "{}", ttl.body);
    let nt = ask("application/n-triples", construct);
    assert_eq!(nt.status, 200);
    assert_eq!(nt.body.lines().filter(|l| l.ends_with(" .")).count(), 3, "{}", nt.body);
    let jsonld = ask("application/ld+json", construct);
    assert!(serde_json::from_str::<serde_json::Value>(&jsonld.body).is_ok(), "{}", jsonld.body);
    // A table asked for as RDF only: nothing acceptable.
    assert_eq!(ask("text/turtle", select).status, 406);
    // ASK answers in the result formats.
    let yes = ask("application/sparql-results+json", "query=ASK { ?s a xt:School }");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&yes.body).expect("JSON")["boolean"], true);
}

#[test]
fn updates_are_refused() {
    let s = server();
    let update = "INSERT DATA { xt:a xt:b xt:c }";
    let form = curl(&["--data-urlencode", &format!("update={update}"), &sparql(s)]);
    assert_eq!(form.status, 403, "{}", form.body);
    let typed = curl(&["-H", "Content-Type: application/sparql-update", "--data-binary", update, &sparql(s)]);
    assert_eq!(typed.status, 403, "{}", typed.body);
    let as_query = curl(&["--data-urlencode", &format!("query={update}"), &sparql(s)]);
    assert_eq!(as_query.status, 403, "{}", as_query.body);
    assert!(as_query.body.contains("updates are refused"), "{}", as_query.body);
    // And nothing was written.
    let ask = curl(&["-H", "Accept: application/json", "--data-urlencode", "query=ASK { xt:a xt:b xt:c }", &sparql(s)]);
    assert!(ask.body.contains("false"), "{}", ask.body);
    // Bad syntax is not an update: 400.
    assert_eq!(curl(&["--data-urlencode", "query=SELECT WHERE {", &sparql(s)]).status, 400);
}

#[test]
fn service_is_refused() {
    let r = curl(&["--data-urlencode", "query=SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", &sparql(server())]);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("SERVICE"), "{}", r.body);
}

#[test]
fn an_oversize_body_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.rq");
    let limit = xietong::serve::protocol::MAX_BODY as usize;
    std::fs::write(&big, format!("SELECT * WHERE {{ ?s ?p ?o }} #{}", "x".repeat(limit))).expect("write");
    let r = curl(&["-H", "Content-Type: application/sparql-query", "--data-binary", &format!("@{}", big.display()), &sparql(server())]);
    assert_eq!(r.status, 413, "{}", r.body);
}

#[test]
fn a_long_query_is_cancelled_at_the_timeout() {
    // Paths read the store at every step, where the evaluation looks for
    // its cancellation. (A join held in memory is not looked into: Oxigraph
    // cancels such a query only when it reads the store again.)
    let q = "query=SELECT (COUNT(*) AS ?n) WHERE { ?a (!rdf:nil)* ?b . ?b (!rdf:nil)* ?c }";
    let r = curl(&["--data-urlencode", q, &sparql(tight())]);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("cancelled"), "{}", r.body);
}

#[test]
fn a_query_oxigraph_does_not_cancel_is_answered_at_the_deadline() {
    // A join held in memory: Oxigraph runs it on past the timeout, and the
    // server answers at the deadline all the same (its own server, killed
    // at the end, so that the query does not run on beside other tests).
    let s = start_owned(&fixture().store, &["--timeout", "1"]);
    let q = "query=SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";
    let r = curl(&["--data-urlencode", q, &format!("{}/sparql", s.base)]);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("cancelled"), "{}", r.body);
}

#[test]
fn a_large_answer_is_cut_and_says_so() {
    let q = "query=SELECT ?s ?p ?o WHERE { ?s ?p ?o }";
    let r = curl(&["-H", "Accept: text/tab-separated-values", "--data-urlencode", q, &sparql(tight())]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body.lines().count(), 1 + 5, "{}", r.body);
    assert!(r.header("Xietong-Cut").is_some_and(|c| c.contains('5')), "{}", r.headers);
    let small = curl(&["-H", "Accept: text/csv", "--data-urlencode", "query=SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", &sparql(tight())]);
    assert_eq!(small.header("Xietong-Cut"), None, "{}", small.headers);
}

#[test]
fn browsers_may_ask_from_other_origins() {
    let s = server();
    let pre = curl(&["-X", "OPTIONS", "-H", "Origin: http://example.org", "-H", "Access-Control-Request-Method: POST", &sparql(s)]);
    assert_eq!(pre.status, 204);
    assert_eq!(pre.header("Access-Control-Allow-Origin").as_deref(), Some("*"));
    assert!(pre.header("Access-Control-Allow-Headers").is_some_and(|m| m.contains("Content-Type")));
    let get = curl(&["-G", "--data-urlencode", "query=ASK {}", &sparql(s)]);
    assert_eq!(get.header("Access-Control-Allow-Origin").as_deref(), Some("*"));
}

/// The label of an entity some article relates to another, from the store.
pub fn related_entity() -> String {
    let q = "SELECT ?l WHERE { ?a rdf:subject ?e ; xt:evidence ?ev . ?e rdfs:label ?l FILTER(lang(?l) = 'zh') } ORDER BY ?l LIMIT 1";
    let r = curl(&["-H", "Accept: text/csv", "--data-urlencode", &format!("query={q}"), &sparql(server())]);
    r.body.lines().nth(1).expect("an entity with relations").trim().to_string()
}

#[test]
fn the_page_and_its_entity_views_are_served() {
    let s = server();
    let page = curl(&[&format!("{}/", s.base)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<textarea id=\"query\"") && !page.body.contains("http://") && !page.body.contains("https://"), "the page loads nothing from elsewhere");
    let list: serde_json::Value = serde_json::from_str(&curl(&[&format!("{}/queries.json", s.base)]).body).expect("JSON");
    assert_eq!(list.as_array().map(Vec::len), Some(BUILT_IN.len()));
    let name = related_entity();
    let enc: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
    let entity = curl(&[&format!("{}/entity?name={enc}", s.base)]);
    assert_eq!(entity.status, 200, "{}", entity.body);
    let cli = xietong(&["describe", &name]);
    let first = stdout(&cli).lines().nth(1).unwrap_or_default().trim().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    assert!(!first.is_empty() && entity.body.contains(&first), "the entity page lacks `{first}`");
    let svg = curl(&[&format!("{}/entity.svg?name={enc}", s.base)]);
    assert_eq!(svg.status, 200, "{}", svg.body);
    assert_eq!(svg.header("Content-Type").as_deref(), Some("image/svg+xml"));
    assert!(svg.body.contains("<svg") && svg.body.contains(&name), "the neighbourhood does not draw {name}");
    assert_eq!(curl(&[&format!("{}/entity?name=%E2%80%94nobody%E2%80%94", s.base)]).status, 404);
}

/// The number of articles the endpoint at `base` answers with.
fn articles(base: &str) -> usize {
    let r = curl(&["-H", "Accept: text/csv", "--data-urlencode", "query=SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a xt:NewsArticle }", &format!("{base}/sparql")]);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.lines().nth(1).and_then(|n| n.trim().parse().ok()).expect("a count")
}

#[test]
fn a_build_beside_the_server_is_served_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).expect("seeds dir");
    let mut files: Vec<_> = std::fs::read_dir(repo().join("seeds")).expect("seeds").flatten().map(|e| e.path()).collect();
    files.sort();
    let copy = |n: usize| {
        for f in &files[..n] {
            std::fs::copy(f, seeds.join(f.file_name().unwrap())).expect("copy a seed");
        }
    };
    let store = dir.path().join("store");
    let build = || {
        let out = run_in(dir.path(), &["build", "--seeds", seeds.to_str().unwrap(), "--store", store.to_str().unwrap()]);
        assert!(out.status.success(), "a build beside the server: {}", stderr(&out));
    };
    copy(2);
    build();
    let s = start_owned(&store, &[]);
    assert_eq!(articles(&s.base), 2);
    // The build takes the write lock the server's read-only handle leaves free.
    copy(5);
    build();
    let started = Instant::now();
    while articles(&s.base) != 5 {
        assert!(started.elapsed() < Duration::from_secs(60), "the server still answers from before the build");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The bindings of a JSON answer, each as one canonical string, sorted.
fn bindings(json: &serde_json::Value) -> Vec<String> {
    let mut rows: Vec<String> = json.as_array().expect("bindings").iter().map(|b| b.to_string()).collect();
    rows.sort();
    rows
}

/// Every competency query asked through a Python client (`script`, which
/// prints SPARQL JSON results or their bindings) gives the rows of `xietong query`.
fn python_client_gets_the_rows_of_xietong_query(script: &str) {
    let s = server();
    for (name, _) in BUILT_IN {
        let file = repo().join("queries").join(name);
        let py = Command::new("python3").arg(repo().join("tests/it").join(script)).arg(sparql(s)).arg(&file).output().expect("python3 runs");
        assert!(py.status.success(), "{script} {name}: {}", stderr(&py));
        let got: serde_json::Value = serde_json::from_slice(&py.stdout).expect("the client's JSON");
        let got = if got.is_array() { got } else { got["results"]["bindings"].clone() };
        let cli = xietong(&["query", file.to_str().unwrap(), "--format", "json"]);
        assert!(cli.status.success(), "{name}: {}", stderr(&cli));
        let want: serde_json::Value = serde_json::from_str(&stdout(&cli)).expect("xietong's JSON");
        assert_eq!(bindings(&got), bindings(&want["results"]["bindings"]), "{name}: {script}'s rows differ from `xietong query`'s");
    }
}

#[test]
fn python_sparqlwrapper_gets_the_rows_of_xietong_query() {
    python_client_gets_the_rows_of_xietong_query("sparql_client.py");
}

#[test]
fn python_rdflib_sparqlstore_gets_the_rows_of_xietong_query() {
    python_client_gets_the_rows_of_xietong_query("rdflib_client.py");
}

#[test]
fn an_article_page_shows_its_relations_with_their_sentences() {
    let s = server();
    // An aid relation, its sentence and its article, as query 08 gives them.
    let q = repo().join("queries/08_evidence_aids.rq");
    let r = curl(&["-H", "Accept: application/json", "--data-urlencode", &format!("query@{}", q.display()), &sparql(s)]);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    let first = &v["results"]["bindings"][0];
    let (file, sentence, a) =
        (first["article"]["value"].as_str().expect("an article"), first["sentence"]["value"].as_str().expect("a sentence"), first["a"]["value"].as_str().expect("a label"));
    let enc: String = file.bytes().map(|b| format!("%{b:02X}")).collect();
    let page = curl(&[&format!("{}/article?file={enc}", s.base)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    assert!(page.body.contains(&esc(sentence)), "the article page lacks the sentence `{sentence}`");
    assert!(page.body.contains(&format!(">{}</a>", esc(a))), "the article page does not link `{a}`");
    assert_eq!(curl(&[&format!("{}/article?file=none.txt", s.base)]).status, 404);
}

/// A body's rows and the trailers curl writes after a chunked body (the
/// lines after its last row that hold no tab).
fn rows_and_trailers(body: &str) -> (Vec<&str>, Vec<&str>) {
    let lines: Vec<&str> = body.lines().filter(|l| !l.is_empty()).collect();
    let end = lines.iter().rposition(|l| l.contains('\t')).map_or(0, |i| i + 1);
    (lines[..end].to_vec(), lines[end..].to_vec())
}

#[test]
fn a_long_answer_streams_whole_with_its_counts_after_it() {
    let s = start_owned(&fixture().store, &["--max-rows", "3000"]);
    let url = format!("{}/sparql", s.base);
    let q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 2500";
    let r = curl(&["-H", "Accept: text/tab-separated-values", "--data-urlencode", &format!("query={q}"), &url]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("Transfer-Encoding").as_deref(), Some("chunked"), "an answer of {} bytes was not streamed", r.body.len());
    assert!(r.body.len() > xietong::serve::protocol::CHUNK, "the answer is shorter than a chunk");
    let (rows, trailers) = rows_and_trailers(&r.body);
    let cli = xietong(&["query", "-e", q, "--format", "tsv"]);
    assert!(cli.status.success(), "{}", stderr(&cli));
    assert_eq!(rows, stdout(&cli).lines().collect::<Vec<_>>(), "the streamed answer differs from `xietong query`'s");
    assert!(trailers.iter().any(|t| t.eq_ignore_ascii_case("xietong-rows: 2500")), "{trailers:?}");
    assert!(!trailers.iter().any(|t| t.to_ascii_lowercase().starts_with("xietong-cut")), "{trailers:?}");
    // HTTP/1.0 knows no chunks: the same answer, held and sent with its length and counts.
    let old = curl(&["--http1.0", "-H", "Accept: text/tab-separated-values", "--data-urlencode", &format!("query={q}"), &url]);
    assert_eq!(old.status, 200, "{}", old.body);
    assert_eq!(old.header("Transfer-Encoding"), None);
    assert_eq!(old.header("Content-Length"), Some(old.body.len().to_string()));
    assert_eq!(old.header("Xietong-Rows").as_deref(), Some("2500"));
    assert_eq!(old.body.lines().collect::<Vec<_>>(), stdout(&cli).lines().collect::<Vec<_>>());
    // Longer than the row limit: cut there, and the trailer says so.
    let all = curl(&["-H", "Accept: text/tab-separated-values", "--data-urlencode", "query=SELECT ?s ?p ?o WHERE { ?s ?p ?o }", &url]);
    assert_eq!(all.header("Xietong-Max-Rows").as_deref(), Some("3000"));
    let (rows, trailers) = rows_and_trailers(&all.body);
    assert_eq!(rows.len(), 1 + 3000);
    assert!(trailers.iter().any(|t| t.to_ascii_lowercase().starts_with("xietong-cut:") && t.contains("3000")), "{trailers:?}");
}

#[test]
fn a_relation_links_to_the_sentences_that_say_it() {
    let s = server();
    let json = |q: &str| -> serde_json::Value {
        let r = curl(&["-H", "Accept: application/json", "--data-urlencode", &format!("query={q}"), &sparql(s)]);
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str(&r.body).expect("JSON")
    };
    let first = json("SELECT ?s ?p ?o WHERE { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; xt:evidence ?e } ORDER BY ?s ?p ?o LIMIT 1");
    let b = &first["results"]["bindings"][0];
    let (subject, property, object) = (b["s"]["value"].as_str().expect("s"), b["p"]["value"].as_str().expect("p"), b["o"]["value"].as_str().expect("o"));
    // Its sentences and articles, as `xietong query` gives them.
    let q = format!("SELECT DISTINCT ?e ?file WHERE {{ ?st rdf:subject <{subject}> ; rdf:predicate <{property}> ; rdf:object <{object}> ; xt:evidence ?e ; prov:wasDerivedFrom/xt:sourceFile ?file }}");
    let cli = xietong(&["query", "-e", &q, "--format", "json"]);
    assert!(cli.status.success(), "{}", stderr(&cli));
    let want: serde_json::Value = serde_json::from_str(&stdout(&cli)).expect("xietong's JSON");
    let said = want["results"]["bindings"].as_array().expect("bindings").clone();
    assert!(!said.is_empty());
    let enc = |t: &str| form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
    let url = |s: &str, p: &str, o: &str| format!("{}/evidence?s={}&p={}&o={}", server().base, enc(s), enc(p), enc(o));
    let page = curl(&[&url(subject, property, object)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    for row in &said {
        let (sentence, file) = (row["e"]["value"].as_str().expect("a sentence"), row["file"]["value"].as_str().expect("a file"));
        assert!(page.body.contains(&format!("<q>{}</q>", esc(sentence))), "the evidence page lacks `{sentence}`");
        assert!(page.body.contains(&format!("href=\"/article?file={}\"", enc(file))), "the evidence page does not link {file}");
    }
    assert_eq!(page.body.matches("<q>").count(), said.len(), "{}", page.body);
    // A triple no sentence says, and ends that are not IRIs.
    assert_eq!(curl(&[&url(subject, property, subject)]).status, 404);
    assert_eq!(curl(&[&url("not an IRI", property, object)]).status, 400);
}

#[test]
fn default_and_named_graph_uris_name_the_dataset() {
    let s = server();
    let count = |q: &str, graphs: &[(&str, &str)]| -> (u16, String) {
        let mut args = vec!["-H".to_string(), "Accept: text/csv".to_string(), "--data-urlencode".to_string(), format!("query={q}")];
        for (k, g) in graphs {
            args.extend(["--data-urlencode".to_string(), format!("{k}={g}")]);
        }
        args.push(sparql(s));
        let r = curl(&args.iter().map(String::as_str).collect::<Vec<_>>());
        (r.status, r.body.lines().skip(1).collect::<Vec<_>>().join("\n"))
    };
    let cli = |q: &str| {
        let out = xietong(&["query", "-e", q, "--format", "csv"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).lines().skip(1).collect::<Vec<_>>().join("\n")
    };
    // Two graphs of the store, each of some triples: an article's and another.
    let (_, two) = count("SELECT ?g WHERE { { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g } } ORDER BY DESC(?n) ?g LIMIT 2", &[]);
    let graphs: Vec<&str> = two.lines().map(str::trim).collect();
    assert_eq!(graphs.len(), 2, "{two}");
    let (a, b) = (graphs[0], graphs[1]);
    let all = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let in_a = cli(&format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{a}> {{ ?s ?p ?o }} }}"));
    // default-graph-uri: the default graph is that graph alone, in place of
    // the union, and of the query's own FROM.
    assert_eq!(count(all, &[("default-graph-uri", a)]), (200, in_a.clone()));
    assert_eq!(count(&format!("SELECT (COUNT(*) AS ?n) FROM <{b}> WHERE {{ ?s ?p ?o }}"), &[("default-graph-uri", a)]), (200, in_a.clone()));
    assert_ne!(count(all, &[]).1, in_a, "the union is the default graph otherwise");
    // named-graph-uri: GRAPH sees those graphs only.
    let names = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g";
    assert_eq!(count(names, &[("named-graph-uri", b)]), (200, b.to_string()));
    let mut both = [a, b];
    both.sort();
    assert_eq!(count(names, &[("named-graph-uri", a), ("named-graph-uri", b)]), (200, both.join("\n")));
    assert_eq!(count(names, &[("default-graph-uri", a)]), (200, String::new()), "a dataset named by default-graph-uri alone has no named graphs");
    assert_eq!(count(all, &[("default-graph-uri", "not an IRI")]).0, 400);
}
