//! The dataset, or one named graph, in a standard RDF format.

use std::io::Write;

use anyhow::{bail, Context, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Triple};

use super::ExportFormat;
use crate::iri::PREFIXES;
use crate::query::{Dataset, QuadPattern};

/// Writes the dataset, or the graph `graph`, in an RDF format.
pub fn write_rdf(store: &dyn Dataset, format: ExportFormat, graph: Option<&NamedNode>, out: &mut dyn Write) -> Result<()> {
    let Some(rf) = format.rdf() else { bail!("{format:?} is a drawing, not an RDF format") };
    let mut ser = RdfSerializer::from_format(rf);
    if !matches!(rf, RdfFormat::NTriples | RdfFormat::NQuads) {
        for (p, iri) in PREFIXES {
            ser = ser.with_prefix(p, iri)?;
        }
    }
    let mut w = ser.for_writer(out);
    let quads = store.quads(QuadPattern { graph: graph.map(|g| GraphNameRef::NamedNode(g.as_ref())), ..Default::default() });
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
