//! An interner: each string once, as a number. A build interns the keys,
//! classes and names resolution works on and the IRIs of the facts that feed
//! inference, and keeps the table in the store's memo, so that what it
//! remembers of each article is numbers. Pure.

use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::facts::Triple;

/// Strings (keys, names, IRIs) by id. Ids only grow: what a memo keeps
/// from an earlier build keeps its meaning.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Terms {
    strings: Vec<String>,
    /// Rebuilt on load ([`Terms::reindex`]), not stored.
    #[serde(skip)]
    ids: FxHashMap<String, u32>,
}

impl Terms {
    /// Makes the index after deserialising.
    pub fn reindex(&mut self) {
        self.ids = self.strings.iter().enumerate().map(|(i, s)| (s.clone(), i as u32)).collect();
    }

    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }

    pub fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    /// The triple of a quad whose subject and object are IRIs (all that can
    /// feed inference); `None` for any other.
    pub fn triple(&mut self, q: &Quad) -> Option<Triple> {
        let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&q.subject, &q.object) else { return None };
        Some([self.id(s.as_str()), self.id(q.predicate.as_str()), self.id(o.as_str())])
    }

    pub fn quad(&self, t: &Triple, g: &GraphName) -> Quad {
        let node = |i: u32| NamedNode::new_unchecked(self.get(i));
        Quad::new(node(t[0]), node(t[1]), node(t[2]), g.clone())
    }
}

