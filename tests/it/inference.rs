//! The inference closure (`facts::infer`) on
//! a handful of invented triples: sub-class, sub-property, symmetric and
//! transitive properties, and nothing it already states.

use std::collections::BTreeSet;

use oxigraph::model::vocab::rdf as rdfv;
use oxigraph::model::{GraphName, NamedNode, Quad};
use xietong::facts;
use xietong::iri::{graph, xt, xtr, GRAPH_INFERRED};
use xietong::knowledge::Knowledge;
use xietong::terms::Terms;

use crate::common::*;

/// The closure of sub-class, sub-property, symmetric and transitive
/// properties over the given quads, minus what they already state, as quads
/// of the inferred graph: what a build does with the facts it keeps.
fn inferred_quads(k: &Knowledge, quads: &[Quad]) -> Vec<Quad> {
    let mut terms = Terms::default();
    let asserted = quads.iter().filter_map(|q| terms.triple(q)).collect();
    let g = graph(GRAPH_INFERRED);
    facts::infer(k, &mut terms, &asserted).iter().map(|t| terms.quad(t, &g)).collect()
}

fn check(asserted: &[(&str, NamedNode, &str)], must: &[(&str, NamedNode, &str)], must_not: &[(&str, NamedNode, &str)]) {
    let node = |s: &str| {
        if s.contains(':') {
            NamedNode::new_unchecked(s)
        } else if s.chars().next().is_some_and(char::is_uppercase) {
            xt(s)
        } else {
            xtr(s)
        }
    };
    let quads: Vec<Quad> = asserted.iter().map(|(s, p, o)| Quad::new(node(s), p.clone(), node(o), GraphName::DefaultGraph)).collect();
    let inferred: BTreeSet<(String, String, String)> =
        inferred_quads(knowledge(), &quads).into_iter().map(|q| (q.subject.to_string(), q.predicate.to_string(), q.object.to_string())).collect();
    let key = |(s, p, o): &(&str, NamedNode, &str)| (node(s).to_string(), p.to_string(), node(o).to_string());
    for t in must {
        assert!(inferred.contains(&key(t)), "{t:?} not inferred from {asserted:?}: {inferred:#?}");
    }
    for t in must_not {
        assert!(!inferred.contains(&key(t)), "{t:?} inferred from {asserted:?}");
    }
}

#[test]
fn classes_and_properties_imply_their_ancestors() {
    let ty = rdfv::TYPE.into_owned();
    check(&[("s1", ty.clone(), "PrimarySchool")], &[("s1", ty.clone(), "School"), ("s1", ty.clone(), "Organization")], &[("s1", ty.clone(), "PrimarySchool")]);
    check(&[("a", xt("branchOf"), "b")], &[("a", xt("subOrganizationOf"), "b")], &[("b", xt("subOrganizationOf"), "a")]);
    // What is asserted is not inferred again.
    check(&[("a", xt("branchOf"), "b"), ("a", xt("subOrganizationOf"), "b")], &[], &[("a", xt("subOrganizationOf"), "b")]);
}

#[test]
fn symmetric_and_transitive_properties_close() {
    check(&[("a", xt("jointlyRuns"), "c")], &[("c", xt("jointlyRuns"), "a"), ("a", xt("cooperatesWith"), "c"), ("c", xt("cooperatesWith"), "a")], &[]);
    check(
        &[("p1", xt("locatedIn"), "p2"), ("p2", xt("locatedIn"), "p3"), ("p3", xt("locatedIn"), "p4")],
        &[("p1", xt("locatedIn"), "p3"), ("p1", xt("locatedIn"), "p4"), ("p2", xt("locatedIn"), "p4")],
        &[("p3", xt("locatedIn"), "p1"), ("p1", xt("locatedIn"), "p1")],
    );
}
