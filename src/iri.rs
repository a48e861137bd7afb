//! The vocabulary's IRIs: namespaces, the prefixes queries and exports
//! declare, the names of the derived graphs and of each article's graph.
//! Pure; imports only [`crate::text`] from the crate.

use oxigraph::model::{GraphName, NamedNode};

use crate::text::short_hash;

pub const XT: &str = "https://w3id.org/xietong/ontology#";
pub const XTR: &str = "https://w3id.org/xietong/id/";
pub const SCHEMA: &str = "https://schema.org/";
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
pub const PROV: &str = "http://www.w3.org/ns/prov#";

/// The prefixes every query may use, and every export declares.
pub const PREFIXES: [(&str, &str); 9] = [
    ("xt", XT),
    ("xtr", XTR),
    ("schema", SCHEMA),
    ("skos", SKOS),
    ("prov", PROV),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// The derived graphs, besides one graph per article.
pub const GRAPH_ONTOLOGY: &str = "ontology";
pub const GRAPH_LEXICON: &str = "lexicon";
pub const GRAPH_INFERRED: &str = "inferred";
/// Canonical labels chosen across all articles.
pub const GRAPH_LABELS: &str = "labels";
/// Build bookkeeping: the knowledge fingerprint.
pub const GRAPH_BUILD: &str = "build";

pub fn xt(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{XT}{local}"))
}
pub fn xtr(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{XTR}{local}"))
}
pub fn graph(local: &str) -> GraphName {
    GraphName::NamedNode(xtr(local))
}

/// What the IRI of every article's graph begins with ([`doc_graph`]).
pub const DOC_PREFIX: &str = "https://w3id.org/xietong/id/doc/";

/// The IRI of an article, from its path, which also names its graph:
/// `xtr:doc/` and the file's stem, readable and stable. A stem with other
/// characters than ASCII letters, digits and `._-` has them replaced and a
/// hash of the stem added, so that two such stems stay apart.
pub fn doc_graph(source_file: &str) -> NamedNode {
    let stem = source_file.strip_suffix(".txt").unwrap_or(source_file);
    let safe: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    if safe == stem {
        NamedNode::new_unchecked(format!("{DOC_PREFIX}{safe}"))
    } else {
        NamedNode::new_unchecked(format!("{DOC_PREFIX}{safe}-{}", &short_hash(stem)[..8]))
    }
}

/// What the IRI of every modality graph begins with ([`modality_graph`]).
pub const MODALITY_PREFIX: &str = "https://w3id.org/xietong/id/modality/";

/// The graph of the triples one article states with one modality
/// (`local`, its local name: `Planned`): `xtr:modality/`, the article's
/// name after `xtr:doc/`, `/` and the modality. Outside `xtr:doc/`, so that
/// what finds article graphs by that prefix leaves it out.
pub fn modality_graph(doc: &NamedNode, local: &str) -> NamedNode {
    let name = doc.as_str().strip_prefix(DOC_PREFIX).unwrap_or(doc.as_str());
    NamedNode::new_unchecked(format!("{MODALITY_PREFIX}{name}/{local}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_graphs_are_named_under_the_resource_namespace() {
        assert_eq!(DOC_PREFIX, format!("{XTR}doc/"));
        assert_eq!(doc_graph("000.txt").as_str(), format!("{XTR}doc/000"));
        assert_eq!(doc_graph("a b.txt").as_str(), format!("{XTR}doc/a_b-{}", &short_hash("a b")[..8]));
        assert_eq!(MODALITY_PREFIX, format!("{XTR}modality/"));
        assert_eq!(modality_graph(&doc_graph("000.txt"), "Planned").as_str(), format!("{XTR}modality/000/Planned"));
    }
}
