//! What a diagram shows of an entity (label, class, province), and which
//! entities a name names.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use oxigraph::model::vocab::rdfs;
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term};

use super::network::NAME_PLACE;
use crate::iri::{xtr, GRAPH_INFERRED, MODALITY_PREFIX, SKOS, XT, XTR};
use crate::knowledge::Knowledge;
use crate::query::{number, rows, Dataset, QuadPattern};
use crate::text::norm;

/// What a diagram shows of an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub iri: String,
    pub label: String,
    /// The most specific `xt:` class the articles or the lexicon give it.
    pub class: Option<String>,
    /// The lexicon id of the province it lies in (`place/11`).
    pub province: Option<String>,
}

/// The label (in `lang`, else Chinese, else any), class and province of
/// each entity: three grouped queries over all of them, counted on encoded
/// terms (a hub's type is read in thousands of articles).
pub fn entities(store: &dyn Dataset, k: &Knowledge, iris: &BTreeSet<&str>, lang: &str) -> Result<BTreeMap<String, Entity>> {
    let mut labels: BTreeMap<String, (u8, String)> = BTreeMap::new();
    let mut classes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut places: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let inferred = xtr(GRAPH_INFERRED);
    let all: Vec<&str> = iris.iter().copied().collect();
    for chunk in all.chunks(500) {
        let values: String = chunk.iter().map(|i| format!("<{i}> ")).collect();
        for row in rows(store, &format!("SELECT ?e ?l {{ VALUES ?e {{ {values}}} GRAPH ?g {{ ?e rdfs:label ?l }} }}"))? {
            let (Some(Term::NamedNode(e)), Some(Term::Literal(l))) = (row.get("e"), row.get("l")) else { continue };
            let rank = match l.language() {
                Some(t) if t == lang => 0,
                Some("zh") => 1,
                _ => 2,
            };
            let slot = labels.entry(e.as_str().to_string()).or_insert((u8::MAX, String::new()));
            if (rank, l.value()) < (slot.0, slot.1.as_str()) {
                *slot = (rank, l.value().to_string());
            }
        }
        let q = format!("SELECT ?e ?c (COUNT(?g) AS ?n) {{ VALUES ?e {{ {values}}} GRAPH ?g {{ ?e a ?c }} FILTER(?g != <{}>) }} GROUP BY ?e ?c", inferred.as_str());
        for row in rows(store, &q)? {
            let (Some(Term::NamedNode(e)), Some(Term::NamedNode(c))) = (row.get("e"), row.get("c")) else { continue };
            if let Some(c) = c.as_str().strip_prefix(XT) {
                classes.entry(e.as_str().to_string()).or_default().insert(c.to_string(), number(row.get("n")));
            }
        }
        // Not counted in modality graphs, which repeat their article's triples.
        let q = format!(
            "SELECT ?e ?p (COUNT(?g) AS ?n) {{ VALUES ?e {{ {values}}} GRAPH ?g {{ ?e xt:locatedIn|xt:{NAME_PLACE} ?p }} FILTER(?g != <{}> && !STRSTARTS(STR(?g), \"{MODALITY_PREFIX}\")) }} GROUP BY ?e ?p",
            inferred.as_str()
        );
        for row in rows(store, &q)? {
            let (Some(Term::NamedNode(e)), Some(Term::NamedNode(p))) = (row.get("e"), row.get("p")) else { continue };
            if let Some(prov) = p.as_str().strip_prefix(XTR).and_then(|l| k.lexicon.province_of(l)) {
                *places.entry(e.as_str().to_string()).or_default().entry(prov.to_string()).or_default() += number(row.get("n"));
            }
        }
    }
    let mut out = BTreeMap::new();
    for &iri in iris {
        let local = iri.strip_prefix(XTR).unwrap_or(iri);
        let none = BTreeMap::new();
        let cs = classes.get(iri).unwrap_or(&none);
        let class = most_specific(k, cs);
        let province = k
            .lexicon
            .province_of(local)
            .map(|p| p.to_string())
            .or_else(|| places.get(iri).and_then(|votes| votes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(p, _)| p.clone())));
        let label = labels.remove(iri).map(|(_, l)| l).unwrap_or_else(|| local.to_string());
        out.insert(iri.to_string(), Entity { iri: iri.to_string(), label, class, province });
    }
    Ok(out)
}

/// The entities named `name` (a label or an alias, compared normalised).
/// Exact forms are looked up in the index; only when none matches are all
/// names read and compared.
pub fn find(store: &dyn Dataset, name: &str) -> Result<BTreeSet<String>> {
    let alt = NamedNode::new_unchecked(format!("{SKOS}altLabel"));
    let props = [rdfs::LABEL, alt.as_ref()];
    let mut out = BTreeSet::new();
    let forms: BTreeSet<String> = [name.trim().to_string(), norm(name)].into_iter().collect();
    for form in &forms {
        for lit in [Literal::new_language_tagged_literal_unchecked(form, "zh"), Literal::new_language_tagged_literal_unchecked(form, "en"), Literal::new_simple_literal(form)] {
            for p in props {
                for q in store.quads(QuadPattern { predicate: Some(p), object: Some(lit.as_ref().into()), ..Default::default() }) {
                    if let NamedOrBlankNode::NamedNode(s) = q?.subject {
                        out.insert(s.into_string());
                    }
                }
            }
        }
    }
    if out.is_empty() {
        let wanted = norm(name);
        for p in props {
            for q in store.quads(QuadPattern { predicate: Some(p), ..Default::default() }) {
                let q = q?;
                if let (NamedOrBlankNode::NamedNode(s), Term::Literal(l)) = (q.subject, q.object) {
                    if norm(l.value()) == wanted || l.value().eq_ignore_ascii_case(name.trim()) {
                        out.insert(s.into_string());
                    }
                }
            }
        }
    }
    // Articles and assertions carry no labels; observations do, and are no entities.
    out.retain(|s| !s.starts_with(&format!("{XTR}observation/")));
    if out.is_empty() {
        bail!("no entity is named {name:?}\nhint: `xietong query -e 'SELECT DISTINCT ?l {{ ?e rdfs:label ?l }}'` lists the names");
    }
    Ok(out)
}

/// Of the classes an entity is read as (with how often), the most specific:
/// none of the others is a sub-class of it; then the most often read.
pub fn most_specific(k: &Knowledge, read: &BTreeMap<String, usize>) -> Option<String> {
    read.iter()
        .filter(|(c, _)| !read.keys().any(|d| d != *c && k.vocab.superclasses(d).iter().any(|s| s.as_str() == c.as_str())))
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(c, _)| c.clone())
}
