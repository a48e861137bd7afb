//! What part of the network to draw: the neighbourhood of some entities,
//! the relations of some classes, the best connected entities up to a size.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use oxigraph::model::vocab::rdf;
use oxigraph::model::NamedOrBlankNode;

use super::network::{Network, Reader, Relation};
use crate::iri::xt;
use crate::knowledge::Knowledge;
use crate::query::{Dataset, QuadPattern};

/// The relations among the entities within `depth` steps of `centres`
/// (either direction), read around each entity reached and no further.
pub fn focus(reader: &Reader<'_>, centres: &BTreeSet<String>, depth: usize) -> Result<Network> {
    let mut net = Network::default();
    let mut seen: BTreeSet<String> = centres.clone();
    let mut frontier: Vec<String> = centres.iter().cloned().collect();
    for _ in 0..depth {
        let mut around = Network::default();
        reader.around(&frontier, &mut around)?;
        frontier = around.entities().into_iter().filter(|e| !seen.contains(*e)).map(str::to_string).collect();
        seen.extend(frontier.iter().cloned());
        for (r, l) in around.links {
            net.links.entry(r).or_insert(l);
        }
        if frontier.is_empty() {
            break;
        }
    }
    net.retain_between(&seen);
    Ok(net)
}

/// Keeps the relations with an entity of one of `classes` (or a sub-class)
/// at one end at least. The inferred graph holds every super-class, so one
/// index look-up a class finds its members.
pub fn of_classes(store: &dyn Dataset, k: &Knowledge, net: &mut Network, classes: &[String]) -> Result<()> {
    let mut members: BTreeSet<String> = BTreeSet::new();
    for c in classes {
        if !k.vocab.is_class(c) {
            let mut known: Vec<&str> = k.vocab.classes().collect();
            known.sort_unstable();
            bail!("--class {c}: no such class\nhint: one of {}", known.join(", "));
        }
        for q in store.quads(QuadPattern { predicate: Some(rdf::TYPE), object: Some(xt(c).as_ref().into()), ..Default::default() }) {
            if let NamedOrBlankNode::NamedNode(s) = q?.subject {
                members.insert(s.into_string());
            }
        }
    }
    net.links.retain(|r, _| members.contains(&r.subject) || members.contains(&r.object));
    Ok(())
}

/// What [`limit`] left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub entities_before: usize,
    pub entities_after: usize,
    pub relations_before: usize,
    pub relations_after: usize,
}

/// Relations a diagram keeps per entity when it had to be cut: among the
/// best connected entities of a large store nearly every pair is related,
/// and a picture with tens of relations per entity reads as a black smudge.
pub const RELATIONS_PER_ENTITY: usize = 3;

/// Keeps at most `max` entities: those of `keep`, then the best connected
/// (most distinct neighbours, then most articles, then IRI), and among them
/// at most [`RELATIONS_PER_ENTITY`] × `max` relations, those most articles
/// state. `None` when nothing had to go.
pub fn limit(net: &mut Network, max: usize, keep: &BTreeSet<String>) -> Option<Cut> {
    let before = net.entities().len();
    if before <= max {
        return None;
    }
    let relations_before = net.links.len();
    let mut neighbours: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut articles: BTreeMap<&str, usize> = BTreeMap::new();
    for (r, l) in &net.links {
        neighbours.entry(&r.subject).or_default().insert(&r.object);
        neighbours.entry(&r.object).or_default().insert(&r.subject);
        *articles.entry(&r.subject).or_default() += l.articles;
        *articles.entry(&r.object).or_default() += l.articles;
    }
    let mut ranked: Vec<&str> = neighbours.keys().copied().filter(|e| !keep.contains(*e)).collect();
    ranked.sort_by(|a, b| neighbours[b].len().cmp(&neighbours[a].len()).then(articles[b].cmp(&articles[a])).then(a.cmp(b)));
    let room = max.saturating_sub(keep.len());
    let kept: BTreeSet<String> = keep.iter().cloned().chain(ranked.into_iter().take(room).map(str::to_string)).collect();
    net.retain_between(&kept);
    let budget = RELATIONS_PER_ENTITY * max;
    if net.links.len() > budget {
        let mut by_weight: Vec<(&Relation, usize)> = net.links.iter().map(|(r, l)| (r, l.articles)).collect();
        by_weight.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let strongest: BTreeSet<Relation> = by_weight.into_iter().take(budget).map(|(r, _)| r.clone()).collect();
        net.links.retain(|r, _| strongest.contains(r));
    }
    Some(Cut { entities_before: before, entities_after: net.entities().len(), relations_before, relations_after: net.links.len() })
}

#[cfg(test)]
mod tests {
    use super::super::network::Link;
    use super::*;

    /// A star of `n` leaves around "hub", each leaf also linked to the next.
    fn star(n: usize) -> Network {
        let mut net = Network::default();
        let rel = |s: &str, o: &str| Relation { subject: s.into(), property: "cooperatesWith".into(), object: o.into() };
        for i in 0..n {
            net.links.insert(rel("hub", &format!("leaf{i:02}")), Link { articles: 1 + i % 3, ..Link::default() });
            if i + 1 < n {
                net.links.insert(rel(&format!("leaf{i:02}"), &format!("leaf{:02}", i + 1)), Link { articles: 1, ..Link::default() });
            }
        }
        net
    }

    #[test]
    fn a_limit_keeps_the_best_connected_and_the_focus_and_says_what_it_cut() {
        let mut net = star(30);
        let keep = BTreeSet::from(["leaf29".to_string()]);
        let cut = limit(&mut net, 5, &keep).expect("something was cut");
        let ends = net.entities();
        assert!(ends.len() <= 5 && ends.contains("hub") && ends.contains("leaf29"), "{ends:?}");
        assert!(net.links.len() <= RELATIONS_PER_ENTITY * 5);
        assert_eq!((cut.entities_before, cut.entities_after, cut.relations_after), (31, ends.len(), net.links.len()));
        assert!(limit(&mut star(3), 10, &BTreeSet::new()).is_none(), "a small network is cut");
    }
}
