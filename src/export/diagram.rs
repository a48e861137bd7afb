//! A diagram from a request: read the relations asked for, cut them to a
//! size, describe their ends, write DOT.

use std::collections::BTreeSet;

use anyhow::{bail, Result};
use oxigraph::model::{NamedOrBlankNode, Term};

use super::dot::{to_dot, Look};
use super::entity::{entities, find};
use super::network::{relation_properties, Link, Network, Reader, Relation, Scope};
use super::select::{focus, limit, of_classes, Cut};
use crate::iri::XT;
use crate::knowledge::Knowledge;
use crate::query::{Answer, Dataset};

/// What to draw and how.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub scope: Scope,
    /// Names (labels or aliases) of the entities to centre on; empty: all.
    pub focus: Vec<String>,
    /// Steps from the focus.
    pub depth: usize,
    /// Only relations with an entity of one of these classes.
    pub classes: Vec<String>,
    /// At most this many entities.
    pub max_nodes: Option<usize>,
    /// A CONSTRUCT query whose `xt:` relations to draw, instead of the store's.
    pub query: Option<String>,
    pub look: Look,
}

/// A diagram and what it holds.
#[derive(Debug, Clone)]
pub struct Diagram {
    pub dot: String,
    pub entities: usize,
    pub relations: usize,
    /// What `max_nodes` left out.
    pub cut: Option<Cut>,
}

pub fn diagram(store: &dyn Dataset, k: &Knowledge, req: &Request) -> Result<Diagram> {
    let reader = Reader::new(store, k, req.scope.clone())?;
    let mut centres = BTreeSet::new();
    let mut net = if let Some(q) = &req.query {
        constructed(k, store, q)?
    } else if !req.focus.is_empty() {
        for name in &req.focus {
            centres.extend(find(store, name)?);
        }
        focus(&reader, &centres, req.depth)?
    } else {
        reader.all()?
    };
    if !req.classes.is_empty() {
        of_classes(store, k, &mut net, &req.classes)?;
    }
    let cut = req.max_nodes.and_then(|max| limit(&mut net, max, &centres));
    if req.query.is_none() {
        reader.detail(&mut net)?;
    }
    Ok(Diagram { dot: draw(store, k, &net, &req.look)?, entities: net.entities().len(), relations: net.links.len(), cut })
}

/// The DOT of a network already chosen (and detailed by [`Reader::detail`]).
pub fn draw(store: &dyn Dataset, k: &Knowledge, net: &Network, look: &Look) -> Result<String> {
    let described = entities(store, k, &net.entities(), &look.lang)?;
    Ok(to_dot(k, net, &described, look))
}

/// The `xt:` relations between two IRIs that a CONSTRUCT query returns.
fn constructed(k: &Knowledge, store: &dyn Dataset, query: &str) -> Result<Network> {
    let Answer::Graph(triples) = store.answer(query)? else { bail!("--query: give a CONSTRUCT query (its triples are drawn)") };
    let mut net = Network::default();
    for t in triples {
        let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&t.subject, &t.object) else { continue };
        let Some(p) = t.predicate.as_str().strip_prefix(XT) else { continue };
        if !relation_properties(k).any(|r| r == p) {
            continue;
        }
        let symmetric = k.vocab.is_symmetric(p);
        let (s, o) = if symmetric && o.as_str() < s.as_str() { (o, s) } else { (s, o) };
        net.links
            .insert(Relation { subject: s.as_str().to_string(), property: p.to_string(), object: o.as_str().to_string() }, Link { symmetric, inferred: false, ..Link::default() });
    }
    Ok(net)
}
