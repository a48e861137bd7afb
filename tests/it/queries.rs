//! Every competency question in queries/ runs on the built store, and the
//! answers cover what the gold files say.

use xietong::eval::GoldLine;
use xietong::text::norm;

use crate::common::*;

/// A competency query's rows, each cell's lexical form normalised.
fn query_tsv(file: &str) -> Vec<Vec<String>> {
    tsv_rows(&[&format!("queries/{file}")]).iter().map(|r| r.iter().map(|c| norm(strip_literal(c))).collect()).collect()
}

/// The rows `xietong query ARGS` answers, each a list of TSV cells as written.
fn tsv_rows(args: &[&str]) -> Vec<Vec<String>> {
    let out = xietong(&[&["query"], args, &["--format", "tsv"]].concat());
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default();
    assert!(head.starts_with('?'), "{args:?}: no header: {text}");
    lines.map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

/// The lexical form of a TSV term.
fn strip_literal(c: &str) -> &str {
    let c = c.strip_prefix('"').unwrap_or(c);
    match c.rfind('"') {
        Some(i) if c[i..].starts_with("\"@") || c[i..].starts_with("\"^^") || i + 1 == c.len() => &c[..i],
        _ => c,
    }
}

/// Share of the required gold lines of `property` that some row answers in columns (a, b).
fn coverage(file: &str, property: &str, a: usize, b: usize) -> (usize, usize, Vec<String>) {
    let rows = query_tsv(file);
    let (mut hit, mut total, mut missed) = (0, 0, Vec::new());
    for g in golds() {
        for l in &g.lines {
            let GoldLine::Relation { subject, property: p, object, optional: false } = l else { continue };
            if p != property {
                continue;
            }
            total += 1;
            let (s, o) = (gold_names(subject), gold_names(object));
            if rows.iter().any(|r| r.len() > a.max(b) && s.contains(&r[a]) && o.contains(&r[b])) {
                hit += 1;
            } else {
                missed.push(format!("{subject} {p} {object}"));
            }
        }
    }
    (hit, total, missed)
}

fn assert_covers(file: &str, property: &str, a: usize, b: usize, at_least: f64) {
    let (hit, total, missed) = coverage(file, property, a, b);
    assert!(total > 0, "the gold has no {property} lines");
    let share = hit as f64 / total as f64;
    assert!(share >= at_least, "{file}: {hit}/{total} gold {property} lines answered; missed: {missed:?}");
}

#[test]
fn every_query_has_a_title_and_runs() {
    let dir = repo().join("queries");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "rq") {
            continue;
        }
        n += 1;
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(xietong::query::header(&text, "title").is_some(), "{} has no # title:", p.display());
        assert!(xietong::query::header(&text, "description").is_some(), "{} has no # description:", p.display());
        let rows = query_tsv(p.file_name().unwrap().to_str().unwrap());
        assert!(!rows.is_empty(), "{} answers nothing", p.display());
    }
    assert!(n >= 12, "only {n} queries");
}

#[test]
fn signatories_match_the_gold() {
    assert_covers("01_signed_documents.rq", "signed", 0, 1, 0.8);
}

#[test]
fn aid_evidence_matches_the_gold() {
    assert_covers("08_evidence_aids.rq", "aids", 0, 1, 0.8);
}

#[test]
fn branches_match_the_gold() {
    assert_covers("11_branches.rq", "branchOf", 0, 1, 0.8);
}

#[test]
fn people_match_the_gold() {
    assert_covers("06_people_posts.rq", "worksFor", 0, 2, 0.8);
}

#[test]
fn venues_match_the_gold() {
    assert_covers("12_events.rq", "heldIn", 0, 1, 0.8);
}

#[test]
fn plan_focus_matches_the_gold() {
    assert_covers("04_plan_focus.rq", "focusesOn", 0, 1, 0.8);
}

#[test]
fn figures_match_the_gold() {
    let rows = query_tsv("07_figures.rq");
    let (mut hit, mut total) = (0, 0);
    for g in golds() {
        for l in &g.lines {
            if let GoldLine::Observation { value, unit } = l {
                total += 1;
                if rows.iter().any(|r| r[0].parse::<f64>().ok() == Some(*value) && r[1] == *unit) {
                    hit += 1;
                }
            }
        }
    }
    assert!(hit as f64 >= 0.8 * total as f64, "{hit}/{total} gold figures answered");
}

#[test]
fn a_kindergarten_is_a_school() {
    let out = xietong(&["query", "-e", "ASK { ?k a xt:Kindergarten . ?k a xt:School }", "--format", "tsv"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("true"), "{}", stdout(&out));
}

/// The queries built into the binary are the queries/ folder's, file for file.
#[test]
fn the_built_in_queries_are_the_folder_s() {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo().join("queries"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rq"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    let built_in: Vec<(String, String)> = xietong::query::BUILT_IN.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    assert_eq!(built_in, files);
}

/// The rows of a query given inline, each a list of TSV cells as written.
fn inline_tsv(q: &str) -> Vec<Vec<String>> {
    tsv_rows(&["-e", q])
}

/// The evaluator sorts on ranks of each key's distinct values
/// (vendor/README.md): an answer still follows its keys, descending and
/// ascending, ties broken by the next key, with the rows of the unordered
/// query.
#[test]
fn a_sorted_answer_follows_its_keys() {
    let body = "?x rdfs:label ?l . BIND(STR(?l) AS ?s)";
    let sorted = inline_tsv(&format!("SELECT ?s ?x WHERE {{ {body} }} ORDER BY DESC(?s) ?x"));
    assert!(sorted.len() > 100, "too few labels to test: {}", sorted.len());
    let iri = |c: &str| c.trim_start_matches('<').trim_end_matches('>').to_string();
    for pair in sorted.windows(2) {
        let (a, b) = (unescape(strip_literal(&pair[0][0])), unescape(strip_literal(&pair[1][0])));
        assert!(a > b || (a == b && iri(&pair[0][1]) <= iri(&pair[1][1])), "out of order: {:?} then {:?}", pair[0], pair[1]);
    }
    let mut unordered = inline_tsv(&format!("SELECT ?s ?x WHERE {{ {body} }}"));
    let mut rows = sorted.clone();
    unordered.sort();
    rows.sort();
    assert_eq!(rows, unordered, "sorting changed the rows");
    // Figures' values are decimals, compared pairwise: in numeric order, not by text.
    let values = inline_tsv("SELECT ?v WHERE { ?o xt:value ?v } ORDER BY DESC(?v)");
    let numbers: Vec<f64> = values.iter().map(|r| strip_literal(&r[0]).parse().expect("a number")).collect();
    assert!(numbers.len() > 10 && numbers.iter().any(|n| *n >= 10.0) && numbers.iter().any(|n| *n < 10.0), "too few figures to test: {numbers:?}");
    assert!(numbers.windows(2).all(|w| w[0] >= w[1]), "not in descending numeric order: {numbers:?}");
}

/// A TSV string's text: its escapes undone.
fn unescape(c: &str) -> String {
    let mut out = String::new();
    let mut chars = c.chars();
    while let Some(ch) = chars.next() {
        match (ch, ch == '\\') {
            (_, true) => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => {}
            },
            (ch, false) => out.push(ch),
        }
    }
    out
}

/// Keys of several kinds (numbers, numeric strings, decimals), which SPARQL
/// leaves partly unordered, still give every row: the evaluator's fallback
/// sort gives some order where Rust's sorts may panic.
#[test]
fn a_sort_on_keys_of_mixed_kinds_gives_every_row() {
    let values: Vec<String> = (0..300)
        .map(|i: u32| {
            let n = (i * 7919) % 500;
            match i % 3 {
                0 => n.to_string(),
                1 => format!("\"{n}\""),
                _ => format!("{n}.5"),
            }
        })
        .collect();
    let q = format!("SELECT ?v WHERE {{ VALUES ?v {{ {} }} }} ORDER BY ?v", values.join(" "));
    let rows = inline_tsv(&q);
    assert_eq!(rows.len(), 300, "{rows:?}");
    let mut unordered = inline_tsv(&q.replace(" ORDER BY ?v", ""));
    let mut sorted = rows.clone();
    sorted.sort();
    unordered.sort();
    assert_eq!(sorted, unordered);
    // Sorted after DISTINCT (vendor/README.md): each value once.
    let mut distinct = inline_tsv(&q.replace("SELECT ?v", "SELECT DISTINCT ?v"));
    distinct.sort();
    unordered.dedup();
    assert_eq!(distinct, unordered);
}

/// A hash join whose left side is empty is empty, whatever the right holds
/// (and the evaluator does not read the right: vendor/README.md).
#[test]
fn a_join_with_an_empty_side_is_empty() {
    let q = "SELECT * WHERE { { SELECT ?x WHERE { GRAPH ?g { ?x xt:noSuchProperty ?y } } } { SELECT ?x ?z WHERE { GRAPH ?h { ?x ?p ?z } } } }";
    assert!(inline_tsv(q).is_empty());
    let swapped = "SELECT * WHERE { { SELECT ?x ?z WHERE { GRAPH ?h { ?x ?p ?z } } } { SELECT ?x WHERE { GRAPH ?g { ?x xt:noSuchProperty ?y } } } }";
    assert!(inline_tsv(swapped).is_empty());
}

/// A join's table stores only the columns its rows bind, each row as wide
/// as it came (vendor/README.md): rows that bind different variables (here
/// from a UNION, the side that ends first and so gets the table) still
/// join, as do OPTIONAL and MINUS, which build tables too.
#[test]
fn a_join_s_table_keeps_rows_of_different_shapes() {
    let sorted = |q: &str| {
        let mut rows = inline_tsv(q);
        rows.sort();
        rows
    };
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let union = "{ SELECT ?x ?a ?b WHERE { { VALUES (?x ?a) { (1 \"a1\") (2 \"a2\") } } UNION { VALUES (?x ?b) { (2 \"b2\") (3 \"b3\") } } UNION { VALUES ?x { 4 } } } }";
    let many = "{ SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 8 9 } } }";
    let expected = vec![row(&["1", "\"a1\"", ""]), row(&["2", "", "\"b2\""]), row(&["2", "\"a2\"", ""]), row(&["3", "", "\"b3\""]), row(&["4", "", ""])];
    assert_eq!(sorted(&format!("SELECT ?x ?a ?b WHERE {{ {union} {many} }}")), expected);
    assert_eq!(sorted(&format!("SELECT ?x ?a ?b WHERE {{ {many} {union} }}")), expected);
    let optional = "SELECT ?x ?a WHERE { VALUES ?x { 1 2 3 } OPTIONAL { VALUES (?x ?a) { (1 \"a\") (1 \"b\") (3 \"c\") } } }";
    assert_eq!(sorted(optional), vec![row(&["1", "\"a\""]), row(&["1", "\"b\""]), row(&["2", ""]), row(&["3", "\"c\""])]);
    let minus = "SELECT ?x WHERE { VALUES ?x { 1 2 3 } MINUS { VALUES (?x ?a) { (2 \"a\") (5 \"b\") } } }";
    assert_eq!(sorted(minus), vec![row(&["1"]), row(&["3"])]);
}

/// The evaluator sorts after DISTINCT when the keys are projected
/// (vendor/README.md): the answer is still the sorted rows with each
/// repeat dropped, ties in the order they came; a key that is not
/// projected still orders the rows.
#[test]
fn a_distinct_sorted_answer_keeps_the_first_of_each_row() {
    let values = "VALUES (?k ?v) { (\"b\" 1) (\"a\" 2) (\"b\" 1) (\"a\" 1) (\"b\" 3) (\"a\" 2) (\"c\" 0) }";
    let rows = inline_tsv(&format!("SELECT DISTINCT ?k ?v WHERE {{ {values} }} ORDER BY ?k"));
    let pairs: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(pairs, [("\"a\"", "2"), ("\"a\"", "1"), ("\"b\"", "1"), ("\"b\"", "3"), ("\"c\"", "0")]);
    let unprojected = inline_tsv(&format!("SELECT DISTINCT ?v WHERE {{ {values} }} ORDER BY DESC(?k)"));
    let column: Vec<&str> = unprojected.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(column, ["0", "1", "3", "2"]);
}

/// LANG reads a tag without decoding the label where the store allows
/// (vendor/README.md): the same tags as the labels carry, "" for a plain
/// string, and an error (unbound) for an IRI.
#[test]
fn lang_gives_each_label_s_tag() {
    let rows = inline_tsv("SELECT ?l (LANG(?l) AS ?t) WHERE { ?x rdfs:label ?l }");
    assert!(rows.iter().any(|r| r[1] == "\"zh\"") && rows.iter().any(|r| r[1] == "\"en\""), "no zh or en labels");
    for r in &rows {
        let tag = r[0].rsplit_once("\"@").map_or("", |(_, t)| t);
        assert_eq!(r[1], format!("\"{tag}\""), "{r:?}");
    }
    // Short and long plain strings, tags kept in the term or apart, a
    // number and an IRI, each bound to a variable as a label is.
    let other = inline_tsv(
        "SELECT (LANG(?v) AS ?t) WHERE { VALUES ?v { \"x\" \"a plain string longer than sixteen bytes\" \"x\"@en \"x\"@zh-Hans-CN-x-private1 1 <http://example.org/a> } }",
    );
    let tags: Vec<&str> = other.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(tags, ["\"\"", "\"\"", "\"en\"", "\"zh-hans-cn-x-private1\"", "\"\"", ""]);
}

/// An article's modality graphs (ontology/README.md, "Modality graphs") hold
/// exactly the relation triples its assertions state with each modality, are
/// named as the vocabulary says, and so query 09, which reads them, answers
/// what the question asked of the assertions themselves answers.
#[test]
fn modality_graphs_hold_what_the_assertions_state() {
    let (mut want, mut got) = (inline_tsv(ASSERTED_BY_MODALITY), inline_tsv(IN_MODALITY_GRAPHS));
    want.sort();
    got.sort();
    let modalities: std::collections::BTreeSet<&String> = want.iter().map(|r| &r[1]).collect();
    assert!(want.len() > 100 && modalities.len() >= 2, "{} rows, modalities {modalities:?}", want.len());
    assert_eq!(got, want);
    for r in inline_tsv("SELECT ?doc ?g ?m WHERE { GRAPH ?doc { ?g xt:graphModality ?m } }") {
        let doc = oxigraph::model::NamedNode::new(r[0].trim_matches(['<', '>'])).unwrap();
        let local = r[2].trim_end_matches('>').rsplit('#').next().unwrap();
        assert_eq!(r[1], format!("<{}>", xietong::iri::modality_graph(&doc, local).as_str()));
    }
    // The question of 09 asked of the assertions themselves.
    let by_assertions = r#"SELECT DISTINCT ?modality ?subject ?relation ?object ?article WHERE {
        GRAPH ?doc { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; xt:modality ?m . ?doc xt:sourceFile ?article }
        ?m rdfs:label ?modality . FILTER(lang(?modality) = "en")
        ?s rdfs:label ?subject . FILTER(lang(?subject) = "zh")
        ?o rdfs:label ?object . FILTER(lang(?object) = "zh")
        ?p rdfs:label ?relation . FILTER(lang(?relation) = "zh")
    } ORDER BY ?modality ?article ?subject"#;
    let mut asked = inline_tsv(by_assertions);
    let mut answered = tsv_rows(&["queries/09_planned_vs_reported.rq"]);
    assert!(answered.len() > 50, "{}", answered.len());
    // The same rows; ties of the sort keys may come in another order.
    asked.sort();
    answered.sort();
    assert_eq!(answered, asked);
}
