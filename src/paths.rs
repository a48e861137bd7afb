//! How two entities are connected: the shortest chains of relations
//! between them (either direction), each step with a sentence and the
//! article that state it. A breadth-first search over petgraph, from the
//! far end, so that each chain is walked forward without dead ends.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use oxigraph::model::Term;
use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

use crate::export::entity::{entities, find, Entity};
use crate::export::network::{Network, Reader, Relation, Scope};
use crate::iri::xt;
use crate::knowledge::Knowledge;
use crate::query::{rows, Dataset};

/// One step of a chain: a relation, walked from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub relation: Relation,
    /// Walked along the relation's direction (subject to object).
    pub forward: bool,
    pub articles: usize,
    /// An article stating it and its sentence.
    pub evidence: Option<(String, String)>,
}

impl Step {
    pub fn from(&self) -> &str {
        if self.forward {
            &self.relation.subject
        } else {
            &self.relation.object
        }
    }
    pub fn to(&self) -> &str {
        if self.forward {
            &self.relation.object
        } else {
            &self.relation.subject
        }
    }
}

/// The chains found, and what a reader needs to print or draw them.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub chains: Vec<Vec<Step>>,
    /// Whether more chains of the same length exist than were listed.
    pub more: bool,
    /// Every entity on a chain.
    pub entities: BTreeMap<String, Entity>,
    /// The relations of the chains, for a diagram.
    pub network: Network,
}

/// The shortest chains from any entity named `from` to any named `to`, at
/// most `max_chains`, sorted; over the relations of `scope`.
pub fn paths(store: &dyn Dataset, k: &Knowledge, scope: Scope, from: &str, to: &str, max_chains: usize, lang: &str) -> Result<Paths> {
    let (sources, targets) = (find(store, from)?, find(store, to)?);
    let reader = Reader::new(store, k, scope)?;
    let net = reader.all()?;
    let mut g: UnGraph<&str, &Relation> = UnGraph::new_undirected();
    let mut index: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for e in net.entities() {
        index.insert(e, g.add_node(e));
    }
    for r in net.links.keys() {
        g.add_edge(index[r.subject.as_str()], index[r.object.as_str()], r);
    }
    // Distance of every node to the nearest target.
    let mut dist: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for t in targets.iter().filter_map(|t| index.get(t.as_str())) {
        for (n, d) in dijkstra(&g, *t, None, |_| 1usize) {
            let slot = dist.entry(n).or_insert(d);
            *slot = (*slot).min(d);
        }
    }
    let starts: Vec<NodeIndex> = sources.iter().filter_map(|s| index.get(s.as_str()).copied()).filter(|s| dist.contains_key(s)).collect();
    let Some(best) = starts.iter().map(|s| dist[s]).min() else {
        bail!("no chain of relations links {from:?} to {to:?}");
    };
    if best == 0 {
        bail!("{from:?} and {to:?} name the same entity");
    }
    let mut chains: Vec<(NodeIndex, Vec<&Relation>)> = Vec::new();
    let mut more = false;
    for s in starts.into_iter().filter(|s| dist[s] == best) {
        let mut found = Vec::new();
        walk(&g, &dist, s, &mut Vec::new(), &mut found, max_chains.saturating_sub(chains.len()), &mut more);
        chains.extend(found.into_iter().map(|c| (s, c)));
    }
    // Sorted by the entities walked through, then the properties.
    let mut out = Paths { more, ..Paths::default() };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut built: Vec<Vec<Step>> = Vec::new();
    for (start, chain) in chains {
        let mut steps = Vec::new();
        let mut at = g[start].to_string();
        for r in chain {
            let forward = r.subject == at;
            at = if forward { r.object.clone() } else { r.subject.clone() };
            let link = &net.links[r];
            out.network.links.insert(r.clone(), link.clone());
            seen.extend([r.subject.clone(), r.object.clone()]);
            steps.push(Step { relation: r.clone(), forward, articles: link.articles, evidence: None });
        }
        built.push(steps);
    }
    built.sort_by(|a, b| {
        let key = |c: &Vec<Step>| c.iter().map(|s| (s.from().to_string(), s.to().to_string(), s.relation.property.clone())).collect::<Vec<_>>();
        key(a).cmp(&key(b))
    });
    for step in built.iter_mut().flatten() {
        step.evidence = evidence(store, k, &step.relation)?;
    }
    out.chains = built;
    reader.detail(&mut out.network)?;
    let ends: BTreeSet<&str> = seen.iter().map(String::as_str).collect();
    out.entities = entities(store, k, &ends, lang)?;
    Ok(out)
}

/// Every chain from `at` that gets one step nearer the target each step.
fn walk<'a>(
    g: &UnGraph<&'a str, &'a Relation>,
    dist: &BTreeMap<NodeIndex, usize>,
    at: NodeIndex,
    path: &mut Vec<&'a Relation>,
    out: &mut Vec<Vec<&'a Relation>>,
    max: usize,
    more: &mut bool,
) {
    if dist[&at] == 0 {
        if out.len() < max {
            out.push(path.clone());
        } else {
            *more = true;
        }
        return;
    }
    let mut next: Vec<(NodeIndex, &'a Relation)> =
        g.edges(at).map(|e| (if e.source() == at { e.target() } else { e.source() }, *e.weight())).filter(|(n, _)| dist.get(n) == Some(&(dist[&at] - 1))).collect();
    next.sort_by(|a, b| g[a.0].cmp(g[b.0]).then(a.1.cmp(b.1)));
    for (n, r) in next {
        if out.len() >= max {
            *more = true;
            return;
        }
        path.push(r);
        walk(g, dist, n, path, out, max, more);
        path.pop();
    }
}

/// A sentence stating `r` (either way round for a symmetric property) and its article.
fn evidence(store: &dyn Dataset, k: &Knowledge, r: &Relation) -> Result<Option<(String, String)>> {
    let p = xt(&r.property);
    let mut ends = vec![(&r.subject, &r.object)];
    if k.vocab.is_symmetric(&r.property) {
        ends.push((&r.object, &r.subject));
    }
    for (s, o) in ends {
        let q = format!("SELECT ?g ?e {{ GRAPH ?g {{ ?a rdf:subject <{s}> ; rdf:predicate <{}> ; rdf:object <{o}> ; xt:evidence ?e }} }} LIMIT 1", p.as_str());
        if let Some(row) = rows(store, &q)?.first() {
            if let (Some(Term::NamedNode(g)), Some(Term::Literal(e))) = (row.get("g"), row.get("e")) {
                return Ok(Some((g.as_str().to_string(), e.value().to_string())));
            }
        }
    }
    Ok(None)
}
