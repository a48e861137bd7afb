//! The ontology's Turtle as the quads of `xtr:ontology`.

use std::collections::HashMap;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, NamedOrBlankNode, Quad, Term};

use crate::iri::{graph, GRAPH_ONTOLOGY};
use crate::knowledge::Knowledge;

/// The ontology Turtle as quads of the graph xtr:ontology. Its blank nodes
/// (owl:unionOf lists) get labels by order of appearance, so that every build
/// writes the same quads.
pub fn ontology_quads(k: &Knowledge) -> Vec<Quad> {
    let mut labels: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut stable = |b: &BlankNode| -> BlankNode {
        let n = labels.len();
        labels.entry(b.clone()).or_insert_with(|| BlankNode::new_unchecked(format!("ontology{n}"))).clone()
    };
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(graph(GRAPH_ONTOLOGY))
        .for_slice(k.ontology_ttl.as_bytes())
        .filter_map(Result::ok)
        .map(|mut q| {
            if let NamedOrBlankNode::BlankNode(b) = &q.subject {
                q.subject = stable(b).into();
            }
            if let Term::BlankNode(b) = &q.object {
                q.object = stable(b).into();
            }
            q
        })
        .collect()
}
