//! A query over the SPARQL 1.1 Protocol, answered as the embedded store
//! answers it ([`crate::query::Answer`]), so that `query --endpoint` prints
//! exactly what `query` prints.
//!
//! The query goes as a GET, or as a form POST when it is long: Virtuoso
//! never answers one POSTed as `application/sparql-query`. The
//! predeclared prefixes ([`crate::iri::PREFIXES`]) are written before the
//! query, those it does not declare itself. The server's default graph is
//! taken to be the union of its graphs, as the embedded store's is (start
//! Oxigraph's server with `--union-default-graph`; Virtuoso's is that by
//! default). Language tags come back lowercased, whatever case the server
//! keeps them in (Virtuoso lowercases them; the results parser does too),
//! as the embedded store holds them.

use anyhow::{bail, Context, Result};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, QuadRef, Term, TermRef};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};

use super::client::{Body, Client, Request};
use crate::iri::{PREFIXES, XTR};
use crate::query::{number, rows, Answer, Dataset, QuadPattern, Quads};

/// Longest query sent in a GET's URL; a longer one goes as a form POST
/// (servers cap the request line, commonly at 8 KiB).
const GET_MAX: usize = 4000;

/// The kinds of answer a query asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Table,
    Graph,
}

/// Runs `sparql` at the query endpoint `url`. An answer the server cut at
/// its row limit (Virtuoso's `ResultSetMaxRows`) is read again in pages of
/// that many rows when the query fixes no order and no slice of its own
/// (an ordered one cannot be: Virtuoso sorts at most that many rows for an
/// OFFSET), taking the server to hold still meanwhile; otherwise the cut
/// is an error that says so.
pub fn run(client: &Client, url: &str, sparql: &str) -> Result<Answer> {
    let text = with_prefixes(sparql);
    let parsed = spargebra::SparqlParser::new().parse_query(&text).map_err(|e| anyhow::anyhow!("invalid SPARQL: {e}"))?;
    let form = match parsed {
        spargebra::Query::Select { .. } | spargebra::Query::Ask { .. } => Form::Table,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => Form::Graph,
    };
    let reply = send(client, url, &text, form)?;
    if let Some(n) = &reply.max_rows {
        let cut = format!("{url}: the server cut the answer at {n} rows (its result-size limit, Virtuoso's ResultSetMaxRows)");
        let raise = "raise the limit ([SPARQL] ResultSetMaxRows in virtuoso.ini)";
        return match (n.trim().parse::<usize>(), &parsed) {
            (Ok(page @ 1..), spargebra::Query::Select { pattern, dataset: None, base_iri: None }) if unordered(pattern) => paged(client, url, pattern, page),
            (_, spargebra::Query::Select { pattern, .. }) if !unordered(pattern) => {
                bail!("{cut}, and an answer in an ORDER BY, or with a LIMIT or OFFSET of its own, cannot be read in pages\nhint: {raise}, or drop the ORDER BY")
            }
            _ => bail!("{cut}\nhint: {raise}"),
        };
    }
    match form {
        Form::Table => table(&reply.body),
        Form::Graph => graph(&reply.body, &reply.content_type),
    }
    .with_context(|| format!("{url}: cannot read the answer"))
}

fn send(client: &Client, url: &str, text: &str, form: Form) -> Result<super::client::Reply> {
    let accept = match form {
        Form::Table => "application/sparql-results+json",
        Form::Graph => "application/n-triples, text/turtle;q=0.9",
    };
    let pairs = [("query", text)];
    let req = if text.len() <= GET_MAX {
        Request { method: "GET", url, params: &pairs, accept: Some(accept), body: Body::Empty }
    } else {
        Request { method: "POST", url, params: &[], accept: Some(accept), body: Body::Form(&pairs) }
    };
    let reply = client.send(&req)?;
    if reply.status == 404 {
        bail!("{url}: no SPARQL endpoint there (404)");
    }
    Ok(reply)
}

/// Whether a SELECT's solutions come in no order and unsliced: no ORDER
/// BY, LIMIT or OFFSET above its projection.
fn unordered(pattern: &spargebra::algebra::GraphPattern) -> bool {
    use spargebra::algebra::GraphPattern;
    match pattern {
        GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => unordered(inner),
        GraphPattern::Project { inner, .. } => !matches!(**inner, GraphPattern::OrderBy { .. }),
        GraphPattern::OrderBy { .. } | GraphPattern::Slice { .. } => false,
        _ => true,
    }
}

/// The rows of an unordered SELECT read `page` at a time, until a page
/// comes back short; then counted by the server, so that rows lost or
/// repeated between pages (a server may order them differently from one
/// page to the next) are an error, not a wrong answer.
fn paged(client: &Client, url: &str, pattern: &spargebra::algebra::GraphPattern, page: usize) -> Result<Answer> {
    let query = |pattern: spargebra::algebra::GraphPattern| spargebra::Query::Select { dataset: None, pattern, base_iri: None }.to_string();
    let (mut vars, mut rows) = (Vec::new(), Vec::new());
    for start in (0..).step_by(page) {
        let slice = spargebra::algebra::GraphPattern::Slice { inner: Box::new(pattern.clone()), start, length: Some(page) };
        let reply = send(client, url, &query(slice), Form::Table)?;
        let Answer::Table { vars: v, rows: more } = table(&reply.body).with_context(|| format!("{url}: cannot read the answer"))? else {
            bail!("{url}: a SELECT answered a boolean")
        };
        let last = more.len() < page;
        vars = v;
        rows.extend(more);
        if last {
            break;
        }
    }
    let count = format!("SELECT (COUNT(*) AS ?n) WHERE {{ {{ {} }} }}", query(pattern.clone()));
    let counted = match table(&send(client, url, &count, Form::Table)?.body)? {
        Answer::Table { rows: n, .. } => n.first().map(|r| number(r.get("n"))),
        Answer::Boolean(_) | Answer::Graph(_) => None,
    };
    if counted != Some(rows.len()) {
        bail!("{url}: read {} rows in pages of {page}, but the server counts {}: it did not keep one order from page to page\nhint: raise its result-size limit ([SPARQL] ResultSetMaxRows in virtuoso.ini) above the answer's size", rows.len(), counted.map_or("?".into(), |n| n.to_string()));
    }
    Ok(Answer::Table { vars, rows })
}

/// A server's query endpoint, asked as the embedded store is asked: the
/// readers of a graph (describe, diagrams, paths, stats, RDF export) work
/// against it unchanged.
pub struct Service {
    pub client: Client,
    pub url: String,
}

impl Service {
    pub fn new(url: &str, client: Client) -> Result<Self> {
        let url = url.trim_end_matches('/');
        super::check_http(url)?;
        Ok(Service { client, url: url.to_string() })
    }
}

impl Dataset for Service {
    fn answer(&self, sparql: &str) -> Result<Answer> {
        run(&self.client, &self.url, sparql)
    }

    /// The quads of xietong's graphs (those named under its `id/`
    /// namespace: a server keeps graphs of its own, as Virtuoso does), read
    /// by one SELECT and sorted, since a server's order is its own.
    fn quads<'a>(&'a self, pattern: QuadPattern<'_>) -> Quads<'a> {
        match pattern_query(pattern) {
            Some(q) => match quads_of(self, &q, pattern) {
                Ok(quads) => Box::new(quads.into_iter().map(Ok)),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
            None => Box::new(std::iter::empty()),
        }
    }

    /// By an ASK: one round trip, and nothing to read back.
    fn contains(&self, quad: QuadRef<'_>) -> Result<bool> {
        let (NamedOrBlankNodeRef::NamedNode(s), GraphNameRef::NamedNode(g)) = (quad.subject, quad.graph_name) else { return Ok(false) };
        if quad.object.is_blank_node() {
            return Ok(false);
        }
        match self.answer(&format!("ASK {{ GRAPH {g} {{ {s} {} {} }} }}", quad.predicate, quad.object))? {
            Answer::Boolean(b) => Ok(b),
            _ => bail!("{}: an ASK answered no boolean", self.url),
        }
    }
}

/// The SELECT of `?s ?p ?o ?g` matching a quad pattern; `None` when nothing
/// can match: the default graph (xietong keeps every triple in a named
/// graph) or a blank node (a server labels them its own way).
fn pattern_query(QuadPattern { subject: s, predicate: p, object: o, graph: g }: QuadPattern<'_>) -> Option<String> {
    let blank = matches!(s, Some(NamedOrBlankNodeRef::BlankNode(_))) || matches!(o, Some(TermRef::BlankNode(_)));
    if blank || matches!(g, Some(GraphNameRef::DefaultGraph | GraphNameRef::BlankNode(_))) {
        return None;
    }
    let term = |t: Option<String>, v: &str| t.unwrap_or_else(|| format!("?{v}"));
    let (s, p, o) = (term(s.map(|t| t.to_string()), "s"), term(p.map(|t| t.to_string()), "p"), term(o.map(|t| t.to_string()), "o"));
    Some(match g {
        Some(g) => format!("SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}"),
        None => format!("SELECT * WHERE {{ GRAPH ?g {{ {s} {p} {o} }} FILTER(STRSTARTS(STR(?g), \"{XTR}\")) }}"),
    })
}

/// The rows of `q` as quads, the pattern's bound terms filled in, sorted.
fn quads_of(service: &Service, q: &str, QuadPattern { subject: s, predicate: p, object: o, graph: g }: QuadPattern<'_>) -> Result<Vec<Quad>> {
    let mut quads = Vec::new();
    for row in rows(service, q)? {
        let subject = match (s, row.get("s")) {
            (Some(s), _) => s.into_owned(),
            (None, Some(Term::NamedNode(n))) => NamedOrBlankNode::NamedNode(n.clone()),
            (None, Some(Term::BlankNode(b))) => NamedOrBlankNode::BlankNode(b.clone()),
            _ => continue,
        };
        let predicate = match (p, row.get("p")) {
            (Some(p), _) => p.into_owned(),
            (None, Some(Term::NamedNode(n))) => n.clone(),
            _ => continue,
        };
        let object = match (o, row.get("o")) {
            (Some(o), _) => o.into_owned(),
            (None, Some(t)) => t.clone(),
            _ => continue,
        };
        let graph_name = match (g, row.get("g")) {
            (Some(g), _) => g.into_owned(),
            (None, Some(Term::NamedNode(n))) => GraphName::NamedNode(n.clone()),
            _ => continue,
        };
        quads.push(Quad { subject, predicate, object, graph_name });
    }
    quads.sort_by_cached_key(|q| (q.graph_name.to_string(), q.subject.to_string(), q.predicate.to_string(), q.object.to_string()));
    Ok(quads)
}

/// `sparql` with a `PREFIX` line before it for each predeclared prefix it
/// does not declare.
pub fn with_prefixes(sparql: &str) -> String {
    let declared = |p: &str| {
        sparql.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.next().is_some_and(|w| w.eq_ignore_ascii_case("PREFIX")) && words.next().is_some_and(|w| w == format!("{p}:"))
        })
    };
    let mut out = String::new();
    for (p, iri) in PREFIXES {
        if !declared(p) {
            out.push_str(&format!("PREFIX {p}: <{iri}>\n"));
        }
    }
    out.push_str(sparql);
    out
}

fn table(body: &[u8]) -> Result<Answer> {
    let relabelled;
    let body = if has_blank_nodes(body) {
        relabelled = blank_labels_made_valid(body)?;
        &relabelled[..]
    } else {
        body
    };
    match QueryResultsParser::from_format(QueryResultsFormat::Json).for_slice(body)? {
        SliceQueryResultsParserOutput::Solutions(solutions) => {
            let vars = solutions.variables().to_vec();
            let rows = solutions.collect::<Result<Vec<_>, _>>()?;
            Ok(Answer::Table { vars, rows })
        }
        SliceQueryResultsParserOutput::Boolean(b) => Ok(Answer::Boolean(b)),
    }
}

fn has_blank_nodes(body: &[u8]) -> bool {
    body.windows(7).any(|w| w == b"\"bnode\"")
}

/// The JSON results with each blank node's label made one the results
/// parser takes: Virtuoso labels them `nodeID://b10007`, which is no
/// blank node label. Letters and digits are kept and any other character
/// written as `_` and its code in hex, so two labels stay two.
fn blank_labels_made_valid(body: &[u8]) -> Result<Vec<u8>> {
    let mut json: serde_json::Value = serde_json::from_slice(body)?;
    if let Some(rows) = json.pointer_mut("/results/bindings").and_then(|b| b.as_array_mut()) {
        for cell in rows.iter_mut().filter_map(|r| r.as_object_mut()).flat_map(|r| r.values_mut()) {
            if cell.get("type").and_then(|t| t.as_str()) == Some("bnode") {
                if let Some(v) = cell.get_mut("value") {
                    let label: String =
                        v.as_str().unwrap_or_default().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("_{:x}", u32::from(c)) }).collect();
                    *v = serde_json::Value::String(if label.is_empty() { "b".into() } else { label });
                }
            }
        }
    }
    // The results parser reads the bindings last; the keys written back
    // come in alphabetical order, so what else `results` holds goes.
    if let Some(results) = json.get_mut("results").and_then(|r| r.as_object_mut()) {
        results.retain(|k, _| k == "bindings");
    }
    Ok(serde_json::to_vec(&json)?)
}

fn graph(body: &[u8], content_type: &str) -> Result<Answer> {
    let format = RdfFormat::from_media_type(content_type).unwrap_or(RdfFormat::Turtle);
    let triples = RdfParser::from_format(format).for_slice(body).map(|q| q.map(oxigraph::model::Triple::from)).collect::<Result<Vec<_>, _>>()?;
    Ok(Answer::Graph(triples))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(q: &str) -> spargebra::algebra::GraphPattern {
        match spargebra::SparqlParser::new().parse_query(q).unwrap() {
            spargebra::Query::Select { pattern, .. } => pattern,
            _ => panic!("a SELECT"),
        }
    }

    #[test]
    fn only_an_unordered_unsliced_select_is_read_in_pages() {
        assert!(unordered(&pattern("SELECT ?s { ?s ?p ?o }")));
        assert!(unordered(&pattern("SELECT DISTINCT ?s { ?s ?p ?o }")));
        assert!(unordered(&pattern("SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?s } }")), "an inner order is not the answer's");
        assert!(!unordered(&pattern("SELECT ?s { ?s ?p ?o } ORDER BY ?s")));
        assert!(!unordered(&pattern("SELECT DISTINCT ?s { ?s ?p ?o } ORDER BY ?s")));
        assert!(!unordered(&pattern("SELECT ?s { ?s ?p ?o } LIMIT 5")));
        assert!(!unordered(&pattern("SELECT ?s { ?s ?p ?o } OFFSET 5")));
    }

    #[test]
    fn virtuoso_blank_node_labels_are_read_as_blank_nodes() {
        let body = br#"{ "head": { "link": [], "vars": ["o"] }, "results": { "distinct": false, "ordered": true, "bindings": [ { "o": { "type": "bnode", "value": "nodeID://b10007" }}, { "o": { "type": "literal", "value": "nodeID://b1" }} ] } }"#;
        let Answer::Table { rows, .. } = table(body).unwrap() else { panic!("a table") };
        assert_eq!(rows[0].get("o").unwrap().to_string(), "_:nodeID_3a_2f_2fb10007");
        assert_eq!(rows[1].get("o").unwrap().to_string(), "\"nodeID://b1\"", "a literal keeps its value");
    }

    #[test]
    fn a_quad_pattern_asks_xietong_graphs_or_the_one_named() {
        use oxigraph::model::NamedNode;
        let p = NamedNode::new("urn:x:p").unwrap();
        let g = NamedNode::new("urn:x:g").unwrap();
        let all = pattern_query(QuadPattern { predicate: Some(p.as_ref()), ..Default::default() }).unwrap();
        assert!(all.contains("GRAPH ?g { ?s <urn:x:p> ?o }") && all.contains(&format!("STRSTARTS(STR(?g), \"{XTR}\")")), "{all}");
        let one = pattern_query(QuadPattern { graph: Some(GraphNameRef::NamedNode(g.as_ref())), ..Default::default() }).unwrap();
        assert!(one.contains("GRAPH <urn:x:g> { ?s ?p ?o }") && !one.contains("STRSTARTS"), "{one}");
        assert!(pattern_query(QuadPattern { graph: Some(GraphNameRef::DefaultGraph), ..Default::default() }).is_none(), "xietong keeps nothing in the default graph");
    }

    #[test]
    fn only_the_prefixes_a_query_lacks_are_added() {
        let q = "PREFIX xt: <urn:other#>\nSELECT * { ?s a xt:School }";
        let t = with_prefixes(q);
        assert!(!t.contains("PREFIX xt: <https://"), "{t}");
        assert!(t.contains("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"), "{t}");
        assert!(t.ends_with(q));
    }
}
