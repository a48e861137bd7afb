//! The relations between entities as the articles state them: who is linked
//! to whom by which property, in how many articles, whether only as a plan.
//! Read by grouped SPARQL (all of them, or those around some entities, so
//! that a focus on one entity of a large store reads only its neighbourhood).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, QuadRef, Term};

use crate::iri::{modality_graph, xt, xtr, DOC_PREFIX, GRAPH_INFERRED, XT};
use crate::knowledge::Knowledge;
use crate::model::Modality;
use crate::query::{number, rows, Dataset, QuadPattern};

/// Object properties that tie an article or an assertion to things, not
/// entities to each other.
const NOT_RELATIONS: &[&str] = &["mentions", "about", "modality", "graphModality"];
/// The place a name begins with: true, but read from the name, not stated.
pub const NAME_PLACE: &str = "nameLocatedIn";

/// The most articles read to tell whether a relation is stated as planned.
pub const PLANNED_SAMPLE: usize = 4;

/// Which relations to read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Property local names; each takes its sub-properties too. Empty: all.
    pub properties: Vec<String>,
    /// Add the triples inference derived (`xtr:inferred`).
    pub include_inferred: bool,
    /// Add `xt:nameLocatedIn`, the place a name implies.
    pub include_name_places: bool,
    /// Only what this graph (an article's, or another) states.
    pub graph: Option<NamedNode>,
}

/// One relation between two entities (IRIs), the property by local name.
/// A symmetric property's relation is held once, the smaller IRI first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    pub subject: String,
    pub property: String,
    pub object: String,
}

/// What the store says of a relation.
#[derive(Debug, Clone, Default)]
pub struct Link {
    /// How many articles state it.
    pub articles: usize,
    /// One article that states it: the first in the store's index, which
    /// orders graphs by a hash of their IRI, so the same in every build.
    /// Filled by [`Reader::detail`].
    pub article: Option<String>,
    /// Every article stating it states it as a plan (`xt:Planned`). Filled by [`Reader::detail`].
    pub planned: bool,
    /// Derived by inference, stated by no article.
    pub inferred: bool,
    pub symmetric: bool,
}

/// Relations and what is known of each, sorted.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub links: BTreeMap<Relation, Link>,
}

impl Network {
    /// Every entity at an end of a relation.
    pub fn entities(&self) -> BTreeSet<&str> {
        self.links.keys().flat_map(|r| [r.subject.as_str(), r.object.as_str()]).collect()
    }
    /// Keeps the relations whose both ends are in `keep`.
    pub fn retain_between(&mut self, keep: &BTreeSet<String>) {
        self.links.retain(|r, _| keep.contains(&r.subject) && keep.contains(&r.object));
    }
    fn add(&mut self, r: Relation, symmetric: bool, articles: usize, inferred: bool) {
        let link = self.links.entry(r).or_insert_with(|| Link { symmetric, inferred: true, ..Link::default() });
        link.articles += articles;
        link.inferred &= inferred;
    }
}

/// Reads relations of a [`Scope`] from a store. Through SPARQL grouped by
/// relation: the store's evaluator counts articles on encoded terms, and only
/// the relations found are decoded, not every quad (a relation a hub takes
/// part in is stated by thousands of articles in a large store).
pub struct Reader<'a> {
    pub store: &'a dyn Dataset,
    pub k: &'a Knowledge,
    scope: Scope,
    properties: Vec<String>,
}

impl<'a> Reader<'a> {
    pub fn new(store: &'a dyn Dataset, k: &'a Knowledge, scope: Scope) -> Result<Self> {
        for p in &scope.properties {
            if !k.vocab.is_object_property(p) || NOT_RELATIONS.contains(&p.as_str()) {
                let known: Vec<&str> = relation_properties(k).collect();
                bail!("--property {p}: not a relation between entities\nhint: one of {}", known.join(", "));
            }
        }
        let properties = relation_properties(k)
            .filter(|p| scope.include_name_places || *p != NAME_PLACE || scope.properties.iter().any(|w| w == NAME_PLACE))
            .filter(|p| scope.properties.is_empty() || scope.properties.iter().any(|w| k.vocab.is_subproperty(p, w)))
            .map(str::to_string)
            .collect();
        Ok(Reader { store, k, scope, properties })
    }

    /// Every relation of the scope.
    pub fn all(&self) -> Result<Network> {
        let mut net = Network::default();
        self.read("GRAPH ?g { ?s ?p ?o }", &mut net)?;
        Ok(net)
    }

    /// The relations with one of `iris` at one end, added to `net`.
    pub fn around(&self, iris: &[String], net: &mut Network) -> Result<()> {
        for chunk in iris.chunks(500) {
            let values: String = chunk.iter().map(|i| format!("<{i}> ")).collect();
            let pattern = format!("VALUES ?x {{ {values}}} {{ GRAPH ?g {{ ?x ?p ?o }} BIND(?x AS ?s) }} UNION {{ GRAPH ?g {{ ?s ?p ?x }} BIND(?x AS ?o) }}");
            self.read(&pattern, net)?;
        }
        Ok(())
    }

    /// Runs `pattern` (binding ?s ?p ?o ?g) for the scope's properties and graphs.
    fn read(&self, pattern: &str, net: &mut Network) -> Result<()> {
        if self.properties.is_empty() {
            return Ok(());
        }
        let props: String = self.properties.iter().map(|p| format!("<{}> ", xt(p).as_str())).collect();
        // Stated: in an article's own graph, not a derived one, nor a
        // modality graph, which repeats its article's triples.
        let stated = match &self.scope.graph {
            Some(g) => format!("?g = <{}>", g.as_str()),
            None => format!("STRSTARTS(STR(?g), \"{DOC_PREFIX}\")"),
        };
        let mut graphs = vec![(stated, false)];
        if self.scope.include_inferred && self.scope.graph.is_none() {
            graphs.push((format!("?g = <{}>", xtr(GRAPH_INFERRED).as_str()), true));
        }
        for (filter, inferred) in graphs {
            let q = format!("SELECT ?s ?p ?o (COUNT(?g) AS ?n) {{ VALUES ?p {{ {props}}} {pattern} FILTER(!sameTerm(?s, ?o) && {filter}) }} GROUP BY ?s ?p ?o");
            for row in rows(self.store, &q)? {
                let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(Term::NamedNode(o))) = (row.get("s"), row.get("p"), row.get("o")) else { continue };
                let Some(p) = p.as_str().strip_prefix(XT) else { continue };
                let n = number(row.get("n"));
                let symmetric = self.k.vocab.is_symmetric(p);
                net.add(relation(s.as_str(), p, o.as_str(), symmetric), symmetric, if inferred { 0 } else { n }, inferred);
            }
        }
        Ok(())
    }

    /// Fills in, for the relations to be drawn, one article stating each and
    /// whether they state it as a plan. The articles of a relation are read
    /// lazily, in index order, and given up at the first that states it
    /// otherwise; a relation stated by many is judged on its first
    /// [`PLANNED_SAMPLE`], so the cost follows the relations drawn, not how
    /// often a hub's relations are repeated.
    pub fn detail(&self, net: &mut Network) -> Result<()> {
        for (r, link) in net.links.iter_mut() {
            if link.articles == 0 {
                continue;
            }
            let p = xt(&r.property);
            let (s, o) = (NamedNode::new_unchecked(r.subject.as_str()), NamedNode::new_unchecked(r.object.as_str()));
            let ends = if link.symmetric { vec![(&s, &o), (&o, &s)] } else { vec![(&s, &o)] };
            let mut planned = true;
            let mut first: Option<String> = None;
            let mut read = 0;
            for (s, o) in ends {
                for q in self.store.quads(QuadPattern {
                    subject: Some(s.as_ref().into()),
                    predicate: Some(p.as_ref()),
                    object: Some(o.as_ref().into()),
                    graph: self.scope.graph.as_ref().map(|g| g.as_ref().into()),
                }) {
                    let GraphName::NamedNode(g) = q?.graph_name else { continue };
                    if !g.as_str().starts_with(DOC_PREFIX) {
                        continue;
                    }
                    if first.is_none() {
                        first = Some(g.as_str().to_string());
                    }
                    if read == PLANNED_SAMPLE {
                        break;
                    }
                    read += 1;
                    if !self.planned_in(s, &p, o, &g)? {
                        planned = false;
                        break;
                    }
                }
                if !planned {
                    break;
                }
            }
            link.article = first;
            link.planned = planned && link.article.is_some();
        }
        Ok(())
    }

    /// Whether article `g` states `s p o` as planned.
    fn planned_in(&self, s: &NamedNode, p: &NamedNode, o: &NamedNode, g: &NamedNode) -> Result<bool> {
        // The article's graph of what it states as planned (ontology/README.md, "Modality graphs").
        let planned = modality_graph(g, Modality::Planned.local_name());
        self.store.contains(QuadRef::new(s, p, o, GraphNameRef::NamedNode(planned.as_ref())))
    }
}

fn relation(s: &str, property: &str, o: &str, symmetric: bool) -> Relation {
    let (s, o) = if symmetric && o < s { (o, s) } else { (s, o) };
    Relation { subject: s.to_string(), property: property.to_string(), object: o.to_string() }
}

/// The object properties that link entities, sorted.
pub fn relation_properties(k: &Knowledge) -> impl Iterator<Item = &str> {
    let mut ps: Vec<&str> = k.vocab.object_properties().filter(|p| !NOT_RELATIONS.contains(p)).collect();
    ps.sort_unstable();
    ps.into_iter()
}
