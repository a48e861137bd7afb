//! Pushing the store to real SPARQL servers and querying it there: every
//! graph arrives whole and once, a push again sends only what changed and
//! deletes what went, failures of the server or the network are survived,
//! a push killed half-way is completed by the next, and every competency
//! query answers there as the embedded store answers it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::GraphName;

use crate::common::*;
use crate::servers::*;
use xietong::iri::{DOC_PREFIX, XTR};

/// Triples per graph of a store, as the push sends them (all but `xtr:build`).
fn local_sizes(store: &Path) -> BTreeMap<String, usize> {
    let _g = (store == fixture().store).then(lock);
    let out = run_in(&repo(), &["export", "--format", "nquads", "--store", store.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut sizes = BTreeMap::new();
    for q in RdfParser::from_format(RdfFormat::NQuads).for_slice(&out.stdout) {
        if let GraphName::NamedNode(g) = q.unwrap().graph_name {
            if g.as_str() != format!("{XTR}build") {
                *sizes.entry(g.into_string()).or_insert(0) += 1;
            }
        }
    }
    sizes
}

/// `xietong push` of the fixture store.
fn push(args: &[&str]) -> Output {
    let mut all = vec!["push"];
    all.extend(args);
    xietong(&all)
}

/// The numbers of a push's `graphs` line: sent, unchanged, deleted.
fn counts(out: &Output) -> (usize, usize, usize) {
    let s = stdout(out);
    let line = s.lines().find(|l| l.trim_start().starts_with("graphs")).unwrap_or_else(|| panic!("no graphs line in {s}"));
    let nums: Vec<usize> = line.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).map(|w| w.parse().unwrap()).collect();
    (nums[0], nums[1], nums[2])
}

fn ok(out: &Output) {
    assert!(out.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", out.status.code(), stdout(out), stderr(out));
}

/// A query's answer as lines: the header, then the rows sorted, with what
/// servers legitimately answer differently made one: blank nodes' labels
/// (each store makes its own up), and an aggregate over no values left
/// unbound or answered `""` (the embedded store leaves GROUP_CONCAT of
/// nothing unbound, Virtuoso answers the empty string), and the order of
/// a GROUP_CONCAT's parts, which SPARQL leaves open (the queries join
/// with `; `).
fn answer_lines(tsv: &str) -> Vec<String> {
    fn cell(c: &str) -> String {
        match c {
            c if c.starts_with("_:") => "_:b".into(),
            "\"\"" => String::new(),
            c => match c.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
                Some(plain) => {
                    let mut parts: Vec<&str> = plain.split("; ").collect();
                    parts.sort();
                    format!("\"{}\"", parts.join("; "))
                }
                None => c.to_string(),
            },
        }
    }
    let mut lines: Vec<String> = tsv.lines().map(|l| l.split('\t').map(cell).collect::<Vec<_>>().join("\t")).collect();
    if !lines.is_empty() {
        lines[1..].sort();
    }
    lines
}

/// Every query of queries/ answers at `endpoint` as in the fixture store,
/// but those named in `differ_there`, which must still be answered.
fn same_answers(endpoint: &str, differ_there: &[&str]) {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("queries")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "rq")).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut differ = Vec::new();
    for f in &files {
        let f = f.to_str().unwrap();
        let local = xietong(&["query", f, "--format", "tsv"]);
        ok(&local);
        let remote = run_in(&repo(), &["query", "--endpoint", endpoint, f, "--format", "tsv"]);
        ok(&remote);
        let (l, r) = (answer_lines(&stdout(&local)), answer_lines(&stdout(&remote)));
        if l != r && !differ_there.iter().any(|d| f.ends_with(d)) {
            differ.push(format!("{f}: {} rows here, {} there; first differing: {:?}", l.len(), r.len(), l.iter().zip(&r).find(|(a, b)| a != b)));
        }
    }
    assert!(differ.is_empty(), "at {endpoint}:\n{}", differ.join("\n"));
}

/// The quads of an N-Quads export, as a set of lines, blank nodes made one
/// (each store labels them its own way) and without `xtr:build` (a push
/// does not send the build's own bookkeeping).
fn quad_lines(nq: &str) -> std::collections::BTreeSet<String> {
    nq.lines()
        .filter(|l| !l.ends_with(&format!("<{XTR}build> .")))
        .map(|l| l.split(' ').map(|w| if w.starts_with("_:") { "_:b" } else { w }).collect::<Vec<_>>().join(" "))
        .collect()
}

/// The readers of a graph print at `endpoint` what they print from the
/// fixture store: describe, path and stats, diagrams (all, and a focus),
/// and the dataset as N-Quads. The two entities are the ends of the first
/// relation an article states.
fn same_readings(endpoint: &str) {
    let pair = xietong(&[
        "query",
        "-e",
        "SELECT ?a ?b { ?x rdf:subject ?s ; rdf:object ?o . ?s rdfs:label ?a . ?o rdfs:label ?b FILTER(lang(?a) = 'zh' && lang(?b) = 'zh' && ?a != ?b) } ORDER BY ?a ?b LIMIT 1",
        "--format",
        "csv",
    ]);
    ok(&pair);
    let names: Vec<String> = stdout(&pair).lines().nth(1).expect("an article states a relation").trim().split(',').map(str::to_string).collect();
    let (a, b) = (names[0].as_str(), names[1].as_str());
    for args in [
        vec!["describe", a],
        vec!["path", a, b],
        vec!["stats"],
        vec!["export", "--format", "dot"],
        vec!["export", "--focus", a, "--depth", "2", "--format", "dot"],
        vec!["export", "--format", "nquads"],
    ] {
        let local = xietong(&args);
        ok(&local);
        let mut remote_args = args.clone();
        remote_args.extend(["--endpoint", endpoint]);
        let remote = run_in(&repo(), &remote_args);
        ok(&remote);
        if args.ends_with(&["nquads"]) {
            assert_eq!(quad_lines(&stdout(&remote)), quad_lines(&stdout(&local)), "{args:?} at {endpoint}");
        } else {
            assert!(!stdout(&local).trim().is_empty(), "{args:?}");
            assert_eq!(stdout(&remote), stdout(&local), "{args:?} at {endpoint}");
        }
    }
}

#[test]
fn oxigraph_holds_every_graph_once_and_answers_every_query_as_the_store() {
    let s = oxigraph();
    let local = local_sizes(&fixture().store);
    assert!(local.keys().any(|g| g.starts_with(DOC_PREFIX)) && local.contains_key(&format!("{XTR}lexicon")), "{local:?}");
    let first = push(&["--endpoint", &s.query]);
    ok(&first);
    assert_eq!(counts(&first), (local.len(), 0, 0), "{}", stdout(&first));
    // Each PUT names its graph: one without `graph=` would replace the
    // whole dataset, leaving only the last graph sent.
    assert_eq!(graph_sizes(&s.query, XTR), local);
    let again = push(&["--endpoint", &s.query]);
    ok(&again);
    assert_eq!(counts(&again), (0, local.len(), 0), "nothing changed: {}", stdout(&again));
    let full = push(&["--endpoint", &s.query, "--full"]);
    ok(&full);
    assert_eq!(counts(&full).0, local.len());
    assert_eq!(graph_sizes(&s.query, XTR), local, "a PUT again replaces, never adds");
    same_answers(&s.query, &[]);
    same_readings(&s.query);
}

#[test]
fn build_push_sends_what_changed_and_deletes_the_graphs_of_removed_articles() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    let mut names = Vec::new();
    for e in std::fs::read_dir(repo().join("seeds")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, seeds.join(p.file_name().unwrap())).unwrap();
            names.push(p.file_name().unwrap().to_str().unwrap().to_string());
        }
    }
    names.sort();
    let store = dir.path().join("store");
    let s = oxigraph();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--seeds", seeds.to_str().unwrap(), "--store", store.to_str().unwrap(), "--push", &s.query];
        args.extend(extra);
        run_in(&repo(), &args)
    };
    let first = build(&[]);
    ok(&first);
    let all = local_sizes(&store);
    assert_eq!(graph_sizes(&s.query, XTR), all);
    let gone = xietong::iri::doc_graph(&names[0]).into_string();
    assert!(all.contains_key(&gone));
    std::fs::remove_file(seeds.join(&names[0])).unwrap();
    let second = build(&[]);
    ok(&second);
    let (sent, unchanged, deleted) = counts(&second);
    // The article's graph and the modality graphs it named.
    let modality = format!("{}{}/", xietong::iri::MODALITY_PREFIX, gone.strip_prefix(xietong::iri::DOC_PREFIX).unwrap());
    let its_graphs = all.keys().filter(|g| **g == gone || g.starts_with(&modality)).count();
    assert!(its_graphs > 1, "{all:?}");
    assert_eq!(deleted, its_graphs, "{}", stdout(&second));
    assert!(sent < all.len() - 1 && unchanged > 0, "only what changed is sent: {}", stdout(&second));
    let now = local_sizes(&store);
    assert!(!now.contains_key(&gone));
    assert_eq!(graph_sizes(&s.query, XTR), now, "the removed article's graph is deleted at the server too");
}

#[test]
fn a_push_survives_dropped_connections_and_server_errors_but_not_a_wrong_address() {
    let s = oxigraph();
    let port: u16 = s.query.rsplit(':').next().unwrap().split('/').next().unwrap().parse().unwrap();
    let p = proxy(port, Faults { drop_first: 2, fail_next: 3, delay: Duration::ZERO });
    let via = format!("http://127.0.0.1:{}/query", p.port);
    let out = push(&["--endpoint", &via]);
    ok(&out);
    assert!(stdout(&out).contains("retries   5 request(s)"), "two dropped connections and three 503s, each sent again: {}", stdout(&out));
    assert_eq!(graph_sizes(&s.query, XTR), local_sizes(&fixture().store));
    // A 4xx is not retried: the request is wrong, not the moment.
    let wrong = push(&["--endpoint", &s.query, "--graph-store", &format!("http://127.0.0.1:{port}/nothing")]);
    assert!(!wrong.status.success());
    assert!(stderr(&wrong).starts_with("xietong: push to ") && stderr(&wrong).contains("404"), "{}", stderr(&wrong));
}

#[test]
fn a_push_killed_half_way_leaves_each_graph_old_or_new_and_the_next_push_completes_it() {
    let s = oxigraph();
    let port: u16 = s.query.rsplit(':').next().unwrap().split('/').next().unwrap().parse().unwrap();
    let p = proxy(port, Faults { delay: Duration::from_millis(60), ..Faults::default() });
    let via = format!("http://127.0.0.1:{}/query", p.port);
    let local = local_sizes(&fixture().store);
    let store = fixture().store.clone();
    let record = xietong::push::record_path(&store, &xietong::remote::Endpoint::new(&via, None).unwrap());
    let recorded = || std::fs::read_to_string(&record).map(|t| t.lines().count()).unwrap_or(0);
    {
        let _g = lock();
        let mut child = Command::new(env!("CARGO_BIN_EXE_xietong"))
            .args(["push", "--endpoint", &via, "--store", store.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while recorded() < 3 {
            assert!(child.try_wait().unwrap().is_none(), "the push ended before it could be cut off");
            assert!(started.elapsed() < Duration::from_secs(60), "the push recorded nothing");
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let done = recorded();
    let there = graph_sizes(&s.query, XTR);
    for (g, n) in &there {
        assert_eq!(Some(n), local.get(g), "{g}: a graph at the server is wholly new, or not there (its old state)");
    }
    assert!(there.len() >= done && there.len() <= done + 1, "the record names {done} graphs, the server has {}", there.len());
    assert!(there.len() < local.len(), "the push was cut off half-way");
    let next = push(&["--endpoint", &via]);
    ok(&next);
    assert_eq!(counts(&next).0, local.len() - done, "the next push sends the graphs not recorded: {}", stdout(&next));
    assert_eq!(graph_sizes(&s.query, XTR), local);
}

#[test]
fn virtuoso_takes_a_push_once_updates_are_granted_and_answers_every_query_as_the_store() {
    let v = virtuoso(10_000);
    let refused = push(&["--endpoint", &v.query]);
    assert!(!refused.status.success(), "Virtuoso refuses writes until granted");
    assert!(stderr(&refused).contains("403") || stderr(&refused).contains("401"), "{}", stderr(&refused));
    grant_updates(&v);
    let local = local_sizes(&fixture().store);
    let out = push(&["--endpoint", &v.query]);
    ok(&out);
    // A chunked body would be ignored (201 all the same), leaving empty graphs.
    assert_eq!(graph_sizes(&v.query, XTR), local);
    let full = push(&["--endpoint", &v.query, "--full"]);
    ok(&full);
    assert_eq!(graph_sizes(&v.query, XTR), local, "a PUT again replaces, never adds");
    // queries/ are written around two faults of Virtuoso 7.2: it joins a
    // `{ … } UNION { VALUES ?x { … } }` group wrongly (so "x or in x" is
    // `xt:locatedIn?`), and writes a GROUP_CONCAT separator beyond Latin-1
    // as `?` (so query 12 joins with "; ").
    same_answers(&v.query, &[]);
    same_readings(&v.query);
}

#[test]
fn virtuoso_cutting_an_answer_short_is_read_in_pages_or_is_an_error_and_long_queries_go_as_forms() {
    let v = virtuoso(20);
    grant_updates(&v);
    ok(&push(&["--endpoint", &v.query]));
    // Unordered: read again 20 rows at a time, the whole answer.
    let every = format!("SELECT ?s ?p ?o ?g {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{XTR}\") && ?g != xtr:build) }}");
    let local = xietong(&["query", "-e", &every, "--format", "tsv"]);
    ok(&local);
    let paged = run_in(&repo(), &["query", "--endpoint", &v.query, "-e", &every, "--format", "tsv"]);
    ok(&paged);
    assert!(stdout(&local).lines().count() > 100, "{}", stdout(&local));
    assert_eq!(answer_lines(&stdout(&paged)), answer_lines(&stdout(&local)));
    // Ordered: Virtuoso sorts no more than its limit for an OFFSET, so the cut is an error.
    let cut = run_in(&repo(), &["query", "--endpoint", &v.query, "-e", "SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s"]);
    assert!(!cut.status.success());
    assert!(stderr(&cut).contains("cut the answer at 20 rows"), "{}", stderr(&cut));
    let few = run_in(&repo(), &["query", "--endpoint", &v.query, "-e", "SELECT ?s ?p ?o { ?s ?p ?o } LIMIT 5", "--format", "tsv"]);
    ok(&few);
    assert_eq!(stdout(&few).lines().count(), 6);
    // Longer than a URL can carry: sent as a form, which Virtuoso answers
    // (it never answers a body of application/sparql-query).
    let long = format!("# {}\nSELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{XTR}\") && ?g != xtr:build) }}", "x".repeat(6000));
    let local = xietong(&["query", "-e", &long, "--format", "tsv"]);
    ok(&local);
    let remote = run_in(&repo(), &["query", "--endpoint", &v.query, "-e", &long, "--format", "tsv"]);
    ok(&remote);
    assert_eq!(stdout(&remote), stdout(&local));
}

#[test]
fn language_tags_come_back_as_the_embedded_store_holds_them() {
    use oxigraph::model::{Literal, NamedNode};
    use xietong::query::Answer;
    let v = virtuoso(10_000);
    grant_updates(&v);
    let o = oxigraph();
    let nt = "<urn:x:s> <urn:x:p> \"x\"@zh-Hans .\n<urn:x:s> <urn:x:p> \"y\"@EN-gb .\n";
    let g = NamedNode::new("urn:x:lang").unwrap();
    let q = "SELECT ?o (LANG(?o) AS ?l) { GRAPH <urn:x:lang> { ?s ?p ?o } } ORDER BY ?o";
    let embedded = oxigraph::store::Store::new().unwrap();
    embedded.load_from_slice(oxigraph::io::RdfParser::from_format(RdfFormat::NTriples).with_default_graph(g.clone()), nt.as_bytes()).unwrap();
    let rows = |a: Answer| match a {
        Answer::Table { rows, .. } => rows.iter().map(|r| (r.get("o").cloned(), r.get("l").cloned())).collect::<Vec<_>>(),
        _ => panic!("a table"),
    };
    let want = rows(xietong::query::run(&embedded, q, None).unwrap());
    assert_eq!(want[0].0, Some(Literal::new_language_tagged_literal("x", "zh-hans").unwrap().into()));
    let client = xietong::remote::Client::new(None, Some(Duration::from_secs(30)));
    for (query, store) in [(&v.query, format!("{}-graph-crud", v.query)), (&o.query, o.query.replace("/query", "/store"))] {
        xietong::remote::gsp::put(&client, &store, &g, nt.as_bytes()).unwrap();
        let got = rows(xietong::remote::sparql::run(&client, query, q).unwrap());
        assert_eq!(got, want, "{query}");
    }
}
