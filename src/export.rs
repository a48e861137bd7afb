//! Export: the dataset (or one graph) in a standard RDF format, or the
//! relations between entities as a Graphviz DOT diagram built with petgraph.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::{bail, Context, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::store::Store;
use petgraph::dot::{Config, Dot};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::iri::{DOC_PREFIX, PREFIXES, XT, XTR};
use crate::knowledge::Knowledge;
use crate::text::norm;

/// The font Graphviz uses for the Chinese labels (fonts-noto-cjk).
pub const CJK_FONT: &str = "Noto Sans CJK SC";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Dot,
    Turtle,
    Trig,
    Nquads,
    Ntriples,
    Rdfxml,
    Jsonld,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "dot" => ExportFormat::Dot,
            "turtle" => ExportFormat::Turtle,
            "trig" => ExportFormat::Trig,
            "nquads" => ExportFormat::Nquads,
            "ntriples" => ExportFormat::Ntriples,
            "rdfxml" => ExportFormat::Rdfxml,
            "jsonld" => ExportFormat::Jsonld,
            other => return Err(format!("unknown export format `{other}`")),
        })
    }
}

impl ExportFormat {
    /// The names `from_str` reads, for a command line to offer.
    pub const NAMES: &'static [&'static str] = &["dot", "turtle", "trig", "nquads", "ntriples", "rdfxml", "jsonld"];

    /// The format a file name's extension implies.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "dot" | "gv" => ExportFormat::Dot,
            "ttl" => ExportFormat::Turtle,
            "trig" => ExportFormat::Trig,
            "nq" => ExportFormat::Nquads,
            "nt" => ExportFormat::Ntriples,
            "rdf" | "xml" | "owl" => ExportFormat::Rdfxml,
            "jsonld" | "json" => ExportFormat::Jsonld,
            _ => return None,
        })
    }

    fn rdf(self) -> Option<RdfFormat> {
        Some(match self {
            ExportFormat::Dot => return None,
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::Trig => RdfFormat::TriG,
            ExportFormat::Nquads => RdfFormat::NQuads,
            ExportFormat::Ntriples => RdfFormat::NTriples,
            ExportFormat::Rdfxml => RdfFormat::RdfXml,
            ExportFormat::Jsonld => RdfFormat::JsonLd { profile: Default::default() },
        })
    }
}

/// Writes the dataset, or the graph `graph`, in an RDF format.
pub fn write_rdf(store: &Store, format: ExportFormat, graph: Option<&NamedNode>, out: &mut dyn Write) -> Result<()> {
    let Some(rf) = format.rdf() else { bail!("DOT is not an RDF format") };
    let mut ser = RdfSerializer::from_format(rf);
    if !matches!(rf, RdfFormat::NTriples | RdfFormat::NQuads) {
        for (p, iri) in PREFIXES {
            ser = ser.with_prefix(p, iri)?;
        }
    }
    let mut w = ser.for_writer(out);
    let quads: Box<dyn Iterator<Item = Result<Quad, _>>> = match graph {
        Some(g) => Box::new(store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))),
        None => Box::new(store.iter()),
    };
    if rf.supports_datasets() {
        for q in quads {
            w.serialize_quad(&q?)?;
        }
    } else {
        // A triples format holds the union of the graphs, each triple once.
        let mut seen: std::collections::HashSet<Triple> = std::collections::HashSet::new();
        for q in quads {
            let q = q?;
            let t = Triple::new(q.subject, q.predicate, q.object);
            if seen.insert(t.clone()) {
                w.serialize_triple(&t)?;
            }
        }
    }
    w.finish().context("cannot finish the export")?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The label of every resource that has one, zh first.
fn labels(store: &Store) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let label = NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#label");
    for q in store.quads_for_pattern(None, Some(label.as_ref()), None, None) {
        let q = q?;
        if let (NamedOrBlankNode::NamedNode(s), Term::Literal(l)) = (&q.subject, &q.object) {
            if l.language() == Some("zh") || !out.contains_key(s.as_str()) {
                out.insert(s.as_str().to_string(), l.value().to_string());
            }
        }
    }
    Ok(out)
}

/// Every relation read from an article: (subject, property local name, object).
fn article_relations(store: &Store, k: &Knowledge) -> Result<BTreeSet<(String, String, String)>> {
    let mut out = BTreeSet::new();
    for q in store.iter() {
        let q = q?;
        let oxigraph::model::GraphName::NamedNode(g) = &q.graph_name else { continue };
        if !g.as_str().starts_with(DOC_PREFIX) {
            continue;
        }
        let Some(p) = q.predicate.as_str().strip_prefix(XT) else { continue };
        if !k.vocab.is_object_property(p) || matches!(p, "mentions" | "about" | "modality") {
            continue;
        }
        if let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&q.subject, &q.object) {
            out.insert((s.as_str().to_string(), p.to_string(), o.as_str().to_string()));
        }
    }
    Ok(out)
}

/// The relations between entities as DOT. With `focus`, only the entities
/// within one step of those named so (by label or alias).
pub fn write_dot(store: &Store, k: &Knowledge, focus: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let labels = labels(store)?;
    let mut rels = article_relations(store, k)?;
    if let Some(name) = focus {
        let wanted = norm(name);
        let alt = NamedNode::new_unchecked("http://www.w3.org/2004/02/skos/core#altLabel");
        let mut centres: BTreeSet<String> = labels.iter().filter(|(_, l)| norm(l) == wanted).map(|(s, _)| s.clone()).collect();
        for q in store.quads_for_pattern(None, Some(alt.as_ref()), None, None) {
            let q = q?;
            if let (NamedOrBlankNode::NamedNode(s), Term::Literal(l)) = (&q.subject, &q.object) {
                if norm(l.value()) == wanted {
                    centres.insert(s.as_str().to_string());
                }
            }
        }
        if centres.is_empty() {
            bail!("no entity is named {name:?}\nhint: `xietong query -e 'SELECT ?l {{ ?e rdfs:label ?l }}'` lists the names");
        }
        rels.retain(|(s, _, o)| centres.contains(s) || centres.contains(o));
    }
    let mut g: DiGraph<String, String> = DiGraph::new();
    let mut nodes: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let ids: BTreeSet<&String> = rels.iter().flat_map(|(s, _, o)| [s, o]).collect();
    for id in ids {
        let label = labels.get(id).cloned().unwrap_or_else(|| id.trim_start_matches(XTR).to_string());
        nodes.insert(id.clone(), g.add_node(label));
    }
    for (s, p, o) in &rels {
        let label = k.vocab.label(p, "zh").unwrap_or(p).to_string();
        g.add_edge(nodes[s], nodes[o], label);
    }
    let edge = |_, e: petgraph::graph::EdgeReference<'_, String>| format!("label=\"{}\"", escape(e.weight()));
    let node = |_, (_, l): (NodeIndex, &String)| format!("label=\"{}\"", escape(l));
    let dot = Dot::with_attr_getters(&g, &[Config::GraphContentOnly, Config::NodeNoLabel, Config::EdgeNoLabel], &edge, &node);
    writeln!(out, "digraph xietong {{")?;
    writeln!(out, "    graph [fontname=\"{CJK_FONT}\", rankdir=LR, charset=\"UTF-8\"];")?;
    writeln!(out, "    node [fontname=\"{CJK_FONT}\", shape=box, style=rounded];")?;
    writeln!(out, "    edge [fontname=\"{CJK_FONT}\", fontsize=10];")?;
    write!(out, "{dot}")?;
    writeln!(out, "}}")?;
    Ok(())
}
