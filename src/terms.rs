//! An interner: each string once, as a number. A build interns the keys,
//! classes and names resolution works on and the IRIs of the facts that feed
//! inference, and keeps the table in the store's memo, so that what it
//! remembers of each article is numbers. Pure.

use std::hash::BuildHasher;

use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use serde::{Deserialize, Serialize};

/// Subject, predicate and object, as ids of [`Terms`]: a fact that feeds
/// inference.
pub type Triple = [u32; 3];

/// Strings (keys, names, IRIs) by id. Ids only grow: what a memo keeps
/// from an earlier build keeps its meaning. The strings are held one after
/// another in one buffer, and the index holds only ids: interning a new
/// string copies it once, with no allocation of its own (a `String` for
/// the table and another for the index would be two allocations per string,
/// and probes of an index of strings most of the cost of resolution).
#[derive(Default, Clone, Serialize, Deserialize)]
pub struct Terms {
    /// String `i` is `text[ends[i - 1]..ends[i]]` (from 0 for the first).
    text: String,
    ends: Vec<u32>,
    /// Rebuilt on load ([`Terms::reindex`]), not stored.
    #[serde(skip)]
    index: hashbrown::HashTable<u32>,
}

impl std::fmt::Debug for Terms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Terms({} strings)", self.ends.len())
    }
}

fn hash(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s)
}

/// String `id` of a table's buffer and ends.
fn string<'a>(text: &'a str, ends: &[u32], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

impl Terms {
    /// Makes the index after deserialising.
    pub fn reindex(&mut self) {
        let Terms { text, ends, index } = self;
        index.clear();
        for id in 0..ends.len() as u32 {
            index.insert_unique(hash(string(text, ends, id)), id, |&i| hash(string(text, ends, i)));
        }
    }

    pub fn id(&mut self, s: &str) -> u32 {
        let Terms { text, ends, index } = self;
        let h = hash(s);
        if let Some(&id) = index.find(h, |&i| string(text, ends, i) == s) {
            return id;
        }
        let id = u32::try_from(ends.len()).expect("fewer than 2^32 terms");
        text.push_str(s);
        ends.push(u32::try_from(text.len()).expect("terms shorter than 4 GB in all"));
        index.insert_unique(h, id, |&i| hash(string(text, ends, i)));
        id
    }

    pub fn get(&self, id: u32) -> &str {
        string(&self.text, &self.ends, id)
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

#[cfg(test)]
mod tests {
    use super::Terms;

    /// The same string, the same id, before and after a round trip through
    /// the memo's encoding; ids in order of first interning.
    #[test]
    fn interns_each_string_once() {
        let mut t = Terms::default();
        let words = ["org|北京|育英|中学", "", "School", "org|北京|育英|中学", "学校"];
        let ids: Vec<u32> = words.iter().map(|w| t.id(w)).collect();
        assert_eq!(ids, vec![0, 1, 2, 0, 3]);
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(t.get(id), *w);
        }
        let mut back: Terms = bincode::deserialize(&bincode::serialize(&t).expect("encode")).expect("decode");
        back.reindex();
        assert_eq!(back.id("学校"), 3);
        assert_eq!(back.id("new"), 4);
        assert_eq!(back.get(2), "School");
    }
}
