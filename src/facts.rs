//! The facts that feed inference, interned: each IRI once, each triple as
//! three numbers. A build reasons over the distinct triples of the corpus,
//! and keeps each article's facts from one build to the next (in the store's
//! memo) so that an unchanged article costs no work at all. Pure.

use oxigraph::model::vocab::rdf;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::iri::XT;
use crate::knowledge::Knowledge;
use crate::terms::{Terms, Triple};

/// What a vocabulary term implies, worked out once per term.
enum Implies {
    /// A class: its super-classes.
    Class(Vec<u32>),
    /// An object property: itself and its super-properties, nearest first,
    /// each with whether it is symmetric and whether transitive.
    Property(Vec<(u32, bool, bool)>),
    Nothing,
}

/// The closure of sub-class, sub-property, symmetric and transitive
/// properties over the `asserted` triples, minus what they already state.
pub fn infer(k: &Knowledge, terms: &mut Terms, asserted: &FxHashSet<Triple>) -> FxHashSet<Triple> {
    let type_p = terms.id(rdf::TYPE.as_str());
    let mut implies: FxHashMap<u32, Implies> = FxHashMap::default();
    let mut implied = |terms: &mut Terms, id: u32, as_class: bool| {
        if let std::collections::hash_map::Entry::Vacant(slot) = implies.entry(id) {
            let local = terms.get(id).strip_prefix(XT).map(str::to_string);
            let what = match local {
                Some(c) if as_class => Implies::Class(k.vocab.superclasses(&c).iter().map(|s| terms.id(&format!("{XT}{s}"))).collect()),
                Some(p) if !as_class && k.vocab.is_object_property(&p) => {
                    let own = [p.clone()];
                    let closure = k.vocab.property_closure_of(&p).unwrap_or(&own);
                    Implies::Property(closure.iter().map(|a| (terms.id(&format!("{XT}{a}")), k.vocab.is_symmetric(a), k.vocab.is_transitive(a))).collect())
                }
                _ => Implies::Nothing,
            };
            slot.insert(what);
        }
    };
    // First every term's implications (which may add terms), then the triples.
    for &[_, p, o] in asserted {
        if p == type_p {
            implied(terms, o, true);
        } else {
            implied(terms, p, false);
        }
    }
    let mut new: FxHashSet<Triple> = FxHashSet::default();
    let mut add = |t: Triple| {
        if !asserted.contains(&t) {
            new.insert(t);
        }
    };
    // Edges of each transitive property: property → subject → objects.
    let mut transitive: std::collections::BTreeMap<u32, FxHashMap<u32, Vec<u32>>> = Default::default();
    for &[s, p, o] in asserted {
        if p == type_p {
            if let Some(Implies::Class(sups)) = implies.get(&o) {
                for &c in sups {
                    add([s, type_p, c]);
                }
            }
            continue;
        }
        let Some(Implies::Property(closure)) = implies.get(&p) else { continue };
        for (i, &(a, symmetric, is_transitive)) in closure.iter().enumerate() {
            if i > 0 {
                add([s, a, o]);
            }
            if symmetric {
                add([o, a, s]);
            }
            if is_transitive {
                transitive.entry(a).or_default().entry(s).or_default().push(o);
            }
        }
    }
    // Transitive closure, property by property.
    for (&p, edges) in &transitive {
        for (&s, direct) in edges {
            let mut seen: FxHashSet<u32> = FxHashSet::default();
            let mut stack: Vec<u32> = direct.clone();
            while let Some(t) = stack.pop() {
                if t == s || !seen.insert(t) {
                    continue;
                }
                if let Some(next) = edges.get(&t) {
                    stack.extend(next.iter());
                }
            }
            for t in seen {
                add([s, p, t]);
            }
        }
    }
    new
}
