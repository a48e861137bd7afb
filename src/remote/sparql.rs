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
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};

use super::client::{Body, Client, Request};
use crate::iri::PREFIXES;
use crate::query::Answer;

/// Longest query sent in a GET's URL; a longer one goes as a form POST
/// (servers cap the request line, commonly at 8 KiB).
const GET_MAX: usize = 4000;

/// The kinds of answer a query asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Table,
    Graph,
}

/// Runs `sparql` at the query endpoint `url`.
pub fn run(client: &Client, url: &str, sparql: &str) -> Result<Answer> {
    let text = with_prefixes(sparql);
    let form = match spargebra::SparqlParser::new().parse_query(&text).map_err(|e| anyhow::anyhow!("invalid SPARQL: {e}"))? {
        spargebra::Query::Select { .. } | spargebra::Query::Ask { .. } => Form::Table,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => Form::Graph,
    };
    let accept = match form {
        Form::Table => "application/sparql-results+json",
        Form::Graph => "application/n-triples, text/turtle;q=0.9",
    };
    let pairs = [("query", text.as_str())];
    let req = if text.len() <= GET_MAX {
        Request { method: "GET", url, params: &pairs, accept: Some(accept), body: Body::Empty }
    } else {
        Request { method: "POST", url, params: &[], accept: Some(accept), body: Body::Form(&pairs) }
    };
    let reply = client.send(&req)?;
    if reply.status == 404 {
        bail!("{url}: no SPARQL endpoint there (404)");
    }
    if let Some(n) = &reply.max_rows {
        bail!("{url}: the server cut the answer at {n} rows (its result-size limit, Virtuoso's ResultSetMaxRows)\nhint: raise the limit ([SPARQL] ResultSetMaxRows in virtuoso.ini), or ask for fewer rows at a time with LIMIT and OFFSET");
    }
    match form {
        Form::Table => table(&reply.body),
        Form::Graph => graph(&reply.body, &reply.content_type),
    }
    .with_context(|| format!("{url}: cannot read the answer"))
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
    match QueryResultsParser::from_format(QueryResultsFormat::Json).for_slice(body)? {
        SliceQueryResultsParserOutput::Solutions(solutions) => {
            let vars = solutions.variables().to_vec();
            let rows = solutions.collect::<Result<Vec<_>, _>>()?;
            Ok(Answer::Table { vars, rows })
        }
        SliceQueryResultsParserOutput::Boolean(b) => Ok(Answer::Boolean(b)),
    }
}

fn graph(body: &[u8], content_type: &str) -> Result<Answer> {
    let format = RdfFormat::from_media_type(content_type).unwrap_or(RdfFormat::Turtle);
    let triples = RdfParser::from_format(format).for_slice(body).map(|q| q.map(oxigraph::model::Triple::from)).collect::<Result<Vec<_>, _>>()?;
    Ok(Answer::Graph(triples))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_prefixes_a_query_lacks_are_added() {
        let q = "PREFIX xt: <urn:other#>\nSELECT * { ?s a xt:School }";
        let t = with_prefixes(q);
        assert!(!t.contains("PREFIX xt: <https://"), "{t}");
        assert!(t.contains("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"), "{t}");
        assert!(t.ends_with(q));
    }
}
