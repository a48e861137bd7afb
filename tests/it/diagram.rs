//! Diagrams: the DOT of the seed graph and of a focus view against golden
//! snapshots (tests/snapshots/, rewritten by `UPDATE_SNAPSHOTS=1`), every
//! DOT read by the real Graphviz, SVG and PNG rendered with the CJK font,
//! and the styles that carry meaning (mutual, planned, name-implied).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use xietong::eval::GoldLine;

use crate::common::*;

/// Graphviz reads `dot` without an error or a warning.
pub fn graphviz_reads(dot: &str) {
    let mut child = Command::new("dot").arg("-Tcanon").stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("graphviz `dot` is installed");
    child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "Graphviz rejects the DOT: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "Graphviz warns: {}", String::from_utf8_lossy(&out.stderr));
}

/// `xietong export --format dot ARGS`, checked by Graphviz.
fn dot_of(args: &[&str]) -> String {
    let mut all = vec!["export", "--format", "dot"];
    all.extend(args);
    let out = xietong(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let dot = stdout(&out);
    graphviz_reads(&dot);
    dot
}

/// Compares `text` with the snapshot `name`, or rewrites it under UPDATE_SNAPSHOTS=1.
fn snapshot(name: &str, text: &str) {
    let path = repo().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no snapshot {}: run UPDATE_SNAPSHOTS=1 cargo test --release --test it diagram", path.display()));
    if want != text {
        let line = want.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(want.lines().count().min(text.lines().count()));
        panic!(
            "{} differs from the export at line {}:\n  snapshot: {:?}\n  now:      {:?}\nif the change is meant, rewrite it: UPDATE_SNAPSHOTS=1 cargo test --release --test it diagram",
            path.display(),
            line + 1,
            want.lines().nth(line),
            text.lines().nth(line)
        );
    }
}

/// The node lines of entities (not of the legend): (id, label).
fn entity_nodes(dot: &str) -> Vec<(String, String)> {
    dot.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('"') && !l.contains(" -> ") && !l.starts_with("\"legend/"))
        .filter_map(|l| {
            let id = l[1..].split('"').next()?.to_string();
            let label = l.split("label=\"").nth(1)?.split('"').next()?.to_string();
            Some((id, label))
        })
        .collect()
}

/// The relation edge lines: (from, to, attributes).
fn edges(dot: &str) -> Vec<(String, String, String)> {
    dot.lines()
        .map(str::trim)
        .filter(|l| l.contains(" -> ") && !l.starts_with("\"legend/"))
        .map(|l| {
            let parts: Vec<&str> = l.splitn(5, '"').collect();
            (parts[1].to_string(), parts[3].to_string(), parts[4].trim().to_string())
        })
        .collect()
}

fn zh(property: &str) -> String {
    knowledge().vocab.label(property, "zh").unwrap().to_string()
}

/// The two ends of the first required `aids` line of the gold.
fn aid_ends() -> (String, String) {
    golds()
        .iter()
        .flat_map(|g| &g.lines)
        .find_map(|l| match l {
            GoldLine::Relation { subject, property, object, optional: false } if property == "aids" => Some((subject.clone(), object.clone())),
            _ => None,
        })
        .expect("the gold has an aids line")
}

#[test]
fn the_seed_diagram_matches_its_snapshot() {
    let dot = dot_of(&[]);
    snapshot("seed.dot", &dot);
    assert_eq!(dot, dot_of(&[]), "two exports of one store differ");
}

#[test]
fn a_focus_view_matches_its_snapshot_and_grows_with_depth() {
    let (_, centre) = aid_ends();
    let one = dot_of(&["--focus", &centre]);
    snapshot("focus.dot", &one);
    let two = dot_of(&["--focus", &centre, "--depth", "2"]);
    let (a, b) = (entity_nodes(&one), entity_nodes(&two));
    assert!(a.len() < b.len(), "depth 2 shows no more than depth 1 ({} ≥ {})", a.len(), b.len());
    assert!(a.iter().all(|n| b.contains(n)), "depth 2 lost an entity of depth 1");
    assert!(a.iter().any(|(_, l)| gold_names(&centre).contains(&xietong::text::norm(l))), "the focus {centre} is not drawn");
}

#[test]
fn mutual_relations_are_drawn_once_and_name_places_only_when_asked() {
    let dot = dot_of(&[]);
    let es = edges(&dot);
    let k = knowledge();
    for (from, to, attrs) in &es {
        let p = k.vocab.object_properties().find(|p| attrs.starts_with(&format!("[label=\"{}\"", zh(p)))).expect("an edge labelled by a property");
        assert_eq!(k.vocab.is_symmetric(p), attrs.contains("dir=none"), "{from} -> {to} {attrs}");
        if k.vocab.is_symmetric(p) {
            assert!(!es.iter().any(|(f, t, a)| f == to && t == from && a == attrs), "{from} {p} {to} drawn both ways");
        }
    }
    let name_place = format!("label=\"{}\"", zh("nameLocatedIn"));
    assert!(!dot.contains(&name_place), "name-implied places are drawn without being asked");
    assert!(dot_of(&["--include-name-places"]).contains(&name_place));
    assert!(dot_of(&["--include-inferred"]).contains("style=dotted"), "no inferred relation drawn when asked");
}

#[test]
fn dashed_relations_are_stated_as_planned() {
    let dot = dot_of(&[]);
    let k = knowledge();
    let planned: Vec<_> = edges(&dot).into_iter().filter(|(_, _, a)| a.contains("style=dashed")).collect();
    for (from, to, attrs) in planned {
        let p = k.vocab.object_properties().find(|p| attrs.starts_with(&format!("[label=\"{}\"", zh(p)))).unwrap();
        let ask = format!(
            "ASK {{ GRAPH ?g {{ ?a rdf:subject ?s ; rdf:predicate xt:{p} ; rdf:object ?o ; xt:modality xt:Planned }} VALUES (?s ?o) {{ (xtr:{f} xtr:{t}) (xtr:{t} xtr:{f}) }} }}",
            f = from.replace('/', "\\/"),
            t = to.replace('/', "\\/")
        );
        let out = xietong(&["query", "-e", &ask]);
        assert_eq!(stdout(&out).trim(), "true", "{from} {p} {to} is dashed but no article plans it");
    }
}

#[test]
fn filters_keep_what_they_name() {
    let aids = zh("aids");
    for (_, _, attrs) in edges(&dot_of(&["--property", "aids"])) {
        assert!(attrs.starts_with(&format!("[label=\"{aids}\"")), "{attrs}");
    }
    let few = xietong(&["export", "--format", "dot", "--max-nodes", "12"]);
    assert!(few.status.success());
    assert!(entity_nodes(&stdout(&few)).len() <= 12);
    assert!(stderr(&few).contains("best connected"), "{}", stderr(&few));
    // One article's graph: every relation is stated by that one article.
    let one = dot_of(&["--graph", &golds()[0].stem]);
    let es = edges(&one);
    assert!(!es.is_empty());
    assert!(es.iter().all(|(_, _, a)| a.contains(" 1 篇文章")), "{one}");
    let loose = dot_of(&["--cluster", "none"]);
    assert_eq!(loose.matches("subgraph cluster_").count(), 1, "only the legend is boxed");
    let by_class = dot_of(&["--cluster", "class"]);
    assert!(by_class.contains(&format!("graph [label=\"{}\"", zh("Place"))), "no box of places");
    let bad = xietong(&["export", "--format", "dot", "--class", "NoSuchClass"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("no such class"));
}

#[test]
fn a_construct_query_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let rq = dir.path().join("aid.rq");
    std::fs::write(&rq, "CONSTRUCT { ?s xt:aids ?o } WHERE { GRAPH ?g { ?s xt:aids ?o } FILTER(STRSTARTS(STR(?g), STR(xtr:doc\\/))) }").unwrap();
    let dot = dot_of(&["--query", rq.to_str().unwrap()]);
    let pairs = xietong(&["query", "--format", "tsv", "-e", "SELECT DISTINCT ?s ?o { GRAPH ?g { ?s xt:aids ?o } FILTER(STRSTARTS(STR(?g), STR(xtr:doc\\/))) }"]);
    assert_eq!(edges(&dot).len(), stdout(&pairs).lines().count() - 1);
}

#[test]
fn english_labels_where_the_data_has_them() {
    let dot = dot_of(&["--lang", "en"]);
    let k = knowledge();
    assert!(dot.contains("label=\"Legend\""));
    assert!(dot.contains(&format!("label=\"{}\"", k.vocab.label("cooperatesWith", "en").unwrap())));
    let mut english = 0;
    for (id, label) in entity_nodes(&dot) {
        if let Some(en) = k.lexicon.get(&id).and_then(|e| e.en.clone()) {
            assert_eq!(label, en, "{id}");
            english += 1;
        }
    }
    assert!(english > 0, "no lexicon entity drawn in English");
}

#[test]
fn svg_shows_every_label_and_png_renders_with_the_cjk_font() {
    let dir = tempfile::tempdir().unwrap();
    let (svg, png) = (dir.path().join("g.svg"), dir.path().join("g.png"));
    let labels = entity_nodes(&dot_of(&[]));
    let out = xietong(&["export", "-o", svg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    for (id, label) in &labels {
        // Graphviz escapes XML's specials and writes '-' as a character reference.
        let shown = label.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace("\\\"", "&quot;").replace('-', "&#45;");
        assert!(text.contains(&format!(">{shown}</text>")), "{id} {label} is not in the SVG");
    }
    let out = xietong(&["export", "-o", png.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("graphviz:"), "Graphviz warned: {}", stderr(&out));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let font = Command::new("fc-match").arg(xietong::export::dot::CJK_FONT).output().expect("fontconfig's fc-match");
    assert!(String::from_utf8_lossy(&font.stdout).contains(xietong::export::dot::CJK_FONT), "the CJK font is not installed: {}", String::from_utf8_lossy(&font.stdout));
}

#[test]
fn without_graphviz_a_picture_fails_with_an_install_hint_and_code_2() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("g.svg");
    let _g = lock();
    let out = Command::new(env!("CARGO_BIN_EXE_xietong"))
        .current_dir(repo())
        .env("PATH", dir.path())
        .args(["export", "-o", svg.to_str().unwrap(), "--store", f.store.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().filter(|l| l.contains("install")).count(), 1, "{err}");
    assert!(err.contains("apt-get install graphviz"), "{err}");
    assert!(!Path::new(&svg).exists(), "a failed render left a file");
}
