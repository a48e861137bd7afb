//! The shape of the graph in figures: entities by class, relations by
//! property, the most connected and most mentioned entities, connected
//! components (petgraph), articles per entity. Counted by grouped SPARQL
//! on encoded terms, then in Rust sets; sorted, so two builds compare.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use oxigraph::model::Term;
use petgraph::unionfind::UnionFind;

use crate::export::entity::{entities, most_specific};
use crate::export::network::{Reader, Scope};
use crate::iri::{xtr, GRAPH_BUILD, GRAPH_INFERRED, GRAPH_LABELS, GRAPH_LEXICON, GRAPH_ONTOLOGY, XT};
use crate::knowledge::Knowledge;
use crate::query::{number, rows, Dataset};

/// An entity and a figure about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub iri: String,
    pub label: String,
    pub class: Option<String>,
    pub value: usize,
}

/// Mean, median and largest of a list of counts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    pub mean: f64,
    pub median: usize,
    pub max: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub articles: usize,
    /// Entities some article mentions.
    pub entities: usize,
    /// By most specific class: (class, entities), most first.
    pub classes: Vec<(String, usize)>,
    /// (property, relations, statements by articles), most relations first.
    pub properties: Vec<(String, usize, usize)>,
    /// Most distinct neighbours.
    pub most_connected: Vec<Ranked>,
    /// Sizes of the connected components of the relation graph, largest first.
    pub components: Vec<usize>,
    /// Mentioned entities in no relation.
    pub unlinked: usize,
    /// Articles that mention each entity.
    pub articles_per_entity: Spread,
    pub most_mentioned: Vec<Ranked>,
}

/// The figures of the stated relations (name-implied places and inferred
/// triples left out, as in a diagram), with `top` entities in each ranking.
pub fn stats(store: &dyn Dataset, k: &Knowledge, top: usize) -> Result<Stats> {
    let derived = [GRAPH_ONTOLOGY, GRAPH_LEXICON, GRAPH_INFERRED, GRAPH_LABELS, GRAPH_BUILD].map(|g| format!("<{}>", xtr(g).as_str())).join(", ");
    let mut st = Stats::default();

    // Articles per entity, from the mentions.
    let mut mentions: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows(store, "SELECT ?e (COUNT(?g) AS ?n) { GRAPH ?g { ?d xt:mentions ?e } } GROUP BY ?e")? {
        if let Some(Term::NamedNode(e)) = row.get("e") {
            mentions.insert(e.as_str().to_string(), number(row.get("n")));
        }
    }
    st.articles = rows(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) { ?d a xt:NewsArticle }")?.first().map_or(0, |r| number(r.get("n")));
    st.entities = mentions.len();

    // Most specific class of each mentioned entity, as the articles read it.
    let q = format!("SELECT ?e ?c (COUNT(?g) AS ?n) {{ GRAPH ?g {{ ?e a ?c }} FILTER(?g NOT IN ({derived})) }} GROUP BY ?e ?c");
    let mut read: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for row in rows(store, &q)? {
        let (Some(Term::NamedNode(e)), Some(Term::NamedNode(c))) = (row.get("e"), row.get("c")) else { continue };
        if let (true, Some(c)) = (mentions.contains_key(e.as_str()), c.as_str().strip_prefix(XT)) {
            read.entry(e.as_str().to_string()).or_default().insert(c.to_string(), number(row.get("n")));
        }
    }
    let mut by_class: BTreeMap<String, usize> = BTreeMap::new();
    for cs in read.values() {
        if let Some(c) = most_specific(k, cs) {
            *by_class.entry(c).or_default() += 1;
        }
    }
    st.classes = by_class.into_iter().collect();
    st.classes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    // Relations, their components and degrees.
    let net = Reader::new(store, k, Scope::default())?.all()?;
    let mut by_property: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (r, l) in &net.links {
        let slot = by_property.entry(&r.property).or_default();
        slot.0 += 1;
        slot.1 += l.articles;
    }
    st.properties = by_property.into_iter().map(|(p, (n, s))| (p.to_string(), n, s)).collect();
    st.properties.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let ends = net.entities();
    let index: BTreeMap<&str, usize> = ends.iter().enumerate().map(|(i, e)| (*e, i)).collect();
    let mut uf = UnionFind::<usize>::new(ends.len());
    let mut neighbours: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); ends.len()];
    for r in net.links.keys() {
        let (a, b) = (index[r.subject.as_str()], index[r.object.as_str()]);
        uf.union(a, b);
        neighbours[a].insert(b);
        neighbours[b].insert(a);
    }
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..ends.len() {
        *sizes.entry(uf.find(i)).or_default() += 1;
    }
    st.components = sizes.into_values().collect();
    st.components.sort_unstable_by(|a, b| b.cmp(a));
    st.unlinked = mentions.keys().filter(|e| !index.contains_key(e.as_str())).count();

    let mut connected: Vec<(usize, &str)> = ends.iter().map(|e| (neighbours[index[e]].len(), *e)).collect();
    connected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    connected.truncate(top);
    let mut mentioned: Vec<(usize, &str)> = mentions.iter().map(|(e, n)| (*n, e.as_str())).collect();
    mentioned.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut counts: Vec<usize> = mentioned.iter().map(|(n, _)| *n).collect();
    counts.sort_unstable();
    if !counts.is_empty() {
        st.articles_per_entity = Spread { mean: counts.iter().sum::<usize>() as f64 / counts.len() as f64, median: counts[counts.len() / 2], max: counts[counts.len() - 1] };
    }
    mentioned.truncate(top);
    let wanted: BTreeSet<&str> = connected.iter().chain(&mentioned).map(|(_, e)| *e).collect();
    let described = entities(store, k, &wanted, "zh")?;
    let rank = |list: &[(usize, &str)]| -> Vec<Ranked> {
        list.iter()
            .map(|(n, e)| {
                let d = &described[*e];
                Ranked { iri: e.to_string(), label: d.label.clone(), class: d.class.clone(), value: *n }
            })
            .collect()
    };
    st.most_connected = rank(&connected);
    st.most_mentioned = rank(&mentioned);
    Ok(st)
}
