//! The ontology's classes and properties, read from `ontology/xietong.ttl`.
//! The code asks it "is X a kind of Y?" instead of hard-coding the hierarchy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};

use super::KnowledgeError;
use crate::model::{sym, Sym};

pub const XT: &str = "https://w3id.org/xietong/ontology#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_SUBCLASS: &str = "http://www.w3.org/2000/01/rdf-schema#subClassOf";
const RDFS_SUBPROP: &str = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const OWL: &str = "http://www.w3.org/2002/07/owl#";

#[derive(Debug, Default)]
pub struct Vocab {
    /// Local names of xt: classes → their direct xt: super-classes.
    class_parents: BTreeMap<String, Vec<String>>,
    /// Local names of xt: properties → their direct xt: super-properties.
    property_parents: BTreeMap<String, Vec<String>>,
    object_properties: BTreeSet<String>,
    symmetric: BTreeSet<String>,
    transitive: BTreeSet<String>,
    /// (local name, lang) → label.
    labels: BTreeMap<(String, String), String>,
    /// Each class and property with all its ancestors (itself first), computed
    /// once; classes by interned name (`is_a` is asked ~400 times an article,
    /// and an interned name carries its hash: no string hashed).
    class_closure: ustr::UstrMap<Vec<Sym>>,
    /// Each class's number, and for class `i` the bits of itself and its
    /// ancestors (`ancestor_bits[i * class_words..][..class_words]`): a set
    /// of classes known at load time ([`ClassSet`], a rule's slot) is tested
    /// with a mask, not by comparing names, which would be far slower for a
    /// test asked this often.
    class_number: ustr::UstrMap<u32>,
    ancestor_bits: Vec<u64>,
    class_words: usize,
    property_closure: rustc_hash::FxHashMap<String, Vec<String>>,
    /// Classes and object properties that take part in inference: with a
    /// super-class or super-property, one of another, symmetric or transitive.
    inference_classes: rustc_hash::FxHashSet<String>,
    inference_properties: rustc_hash::FxHashSet<String>,
}

fn local(iri: &str) -> Option<&str> {
    iri.strip_prefix(XT)
}

impl Vocab {
    pub fn parse(ttl: &str, file: &Path) -> Result<Self, KnowledgeError> {
        let mut v = Vocab::default();
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(ttl.as_bytes()) {
            let quad = quad.map_err(|e| {
                let pos = e.location().map(|r| (r.start.line as usize + 1, r.start.column as usize + 1));
                KnowledgeError::new(file, pos, e.to_string())
            })?;
            let NamedOrBlankNode::NamedNode(s) = &quad.subject else { continue };
            let Some(s) = local(s.as_str()) else { continue };
            let p = quad.predicate.as_str();
            match (&quad.object, p) {
                (Term::NamedNode(o), RDF_TYPE) => match o.as_str().strip_prefix(OWL) {
                    Some("Class") => {
                        v.class_parents.entry(s.to_string()).or_default();
                    }
                    Some("ObjectProperty") => {
                        v.object_properties.insert(s.to_string());
                        v.property_parents.entry(s.to_string()).or_default();
                    }
                    Some("DatatypeProperty") => {
                        v.property_parents.entry(s.to_string()).or_default();
                    }
                    Some("SymmetricProperty") => {
                        v.symmetric.insert(s.to_string());
                    }
                    Some("TransitiveProperty") => {
                        v.transitive.insert(s.to_string());
                    }
                    _ => {}
                },
                (Term::NamedNode(o), RDFS_SUBCLASS) => {
                    if let Some(o) = local(o.as_str()) {
                        v.class_parents.entry(s.to_string()).or_default().push(o.to_string());
                    }
                }
                (Term::NamedNode(o), RDFS_SUBPROP) => {
                    if let Some(o) = local(o.as_str()) {
                        v.property_parents.entry(s.to_string()).or_default().push(o.to_string());
                    }
                }
                (Term::Literal(l), RDFS_LABEL) => {
                    let lang = l.language().unwrap_or("").to_string();
                    v.labels.insert((s.to_string(), lang), l.value().to_string());
                }
                _ => {}
            }
        }
        v.class_closure = v.class_parents.keys().map(|c| (sym(c), closure(&v.class_parents, c).iter().map(|a| sym(a)).collect())).collect();
        v.class_number = v.class_parents.keys().enumerate().map(|(i, c)| (sym(c), i as u32)).collect();
        v.class_words = v.class_parents.len().div_ceil(64).max(1);
        v.ancestor_bits = vec![0; v.class_parents.len() * v.class_words];
        for (c, &i) in &v.class_number {
            for j in v.class_closure[c].iter().filter_map(|a| v.class_number.get(a)).map(|&j| j as usize) {
                v.ancestor_bits[i as usize * v.class_words + j / 64] |= 1 << (j % 64);
            }
        }
        v.property_closure = v.property_parents.keys().map(|p| (p.clone(), closure(&v.property_parents, p))).collect();
        v.inference_classes = v.class_closure.values().filter(|a| a.len() > 1).flatten().map(|c| c.to_string()).collect();
        v.inference_properties =
            v.property_closure.values().filter(|a| a.len() > 1).flatten().chain(&v.symmetric).chain(&v.transitive).filter(|p| v.object_properties.contains(*p)).cloned().collect();
        for required in ["Organization", "School", "Place", "Person"] {
            if !v.is_class(required) {
                return Err(KnowledgeError::new(file, None, format!("class xt:{required} is missing")));
            }
        }
        Ok(v)
    }

    pub fn is_class(&self, name: &str) -> bool {
        self.class_parents.contains_key(name)
    }
    pub fn is_property(&self, name: &str) -> bool {
        self.property_parents.contains_key(name)
    }
    pub fn is_object_property(&self, name: &str) -> bool {
        self.object_properties.contains(name)
    }
    pub fn is_symmetric(&self, name: &str) -> bool {
        self.symmetric.contains(name)
    }
    pub fn is_transitive(&self, name: &str) -> bool {
        self.transitive.contains(name)
    }
    pub fn classes(&self) -> impl Iterator<Item = &str> {
        self.class_parents.keys().map(String::as_str)
    }
    pub fn object_properties(&self) -> impl Iterator<Item = &str> {
        self.object_properties.iter().map(String::as_str)
    }

    /// Whether a type triple of `class` can yield or repeat an inferred one.
    pub fn class_in_inference(&self, class: &str) -> bool {
        self.inference_classes.contains(class)
    }
    /// Whether a triple of object property `property` can yield or repeat an inferred one.
    pub fn property_in_inference(&self, property: &str) -> bool {
        self.inference_properties.contains(property)
    }
    /// The xt: super-classes of `class`, nearest first, without copying.
    pub fn superclasses(&self, class: &str) -> &[Sym] {
        // A name never interned is no class.
        Sym::from_existing(class).and_then(|c| self.class_closure.get(&c)).map_or(&[], |a| &a[1.min(a.len())..])
    }
    /// The property and all its xt: super-properties, nearest first; `None`
    /// for a property it does not know.
    pub fn property_closure_of(&self, property: &str) -> Option<&[String]> {
        self.property_closure.get(property).map(Vec::as_slice)
    }
    /// Whether `class` is `ancestor` or one of its sub-classes. Interned
    /// names compare as pointers: the code's own class names are given so
    /// (`sym!("Place")`), not compared as strings ~300 times an article.
    pub fn is_a(&self, class: Sym, ancestor: Sym) -> bool {
        class == ancestor || self.class_closure.get(&class).is_some_and(|a| a.contains(&ancestor))
    }
    /// [`Vocab::is_a`] for a class named by a string (from data files).
    pub fn is_a_named(&self, class: Sym, ancestor: &str) -> bool {
        class == ancestor || self.class_closure.get(&class).is_some_and(|a| a.iter().any(|c| c == ancestor))
    }
    /// The set of `classes` (names the ontology has; others are left out).
    pub fn class_set<S: AsRef<str>>(&self, classes: &[S]) -> ClassSet {
        let mut bits = vec![0u64; self.class_words];
        for c in classes {
            if let Some(&j) = Sym::from_existing(c.as_ref()).and_then(|c| self.class_number.get(&c)) {
                bits[j as usize / 64] |= 1 << (j % 64);
            }
        }
        ClassSet { bits, any: classes.is_empty() }
    }
    /// Whether `class` is one of `set`'s classes or a sub-class of one (an
    /// empty set takes any class).
    pub fn in_set(&self, class: Sym, set: &ClassSet) -> bool {
        if set.any {
            return true;
        }
        let Some(&i) = self.class_number.get(&class) else { return false };
        let own = &self.ancestor_bits[i as usize * self.class_words..][..self.class_words];
        own.iter().zip(&set.bits).any(|(a, b)| a & b != 0)
    }
    /// Whether `property` is `ancestor` or one of its sub-properties.
    pub fn is_subproperty(&self, property: &str, ancestor: &str) -> bool {
        property == ancestor || self.property_closure.get(property).is_some_and(|a| a.iter().any(|p| p == ancestor))
    }
    pub fn label(&self, term: &str, lang: &str) -> Option<&str> {
        self.labels.get(&(term.to_string(), lang.to_string())).map(String::as_str)
    }
}

/// Classes named at load time (a rule's slot), as bits of the vocabulary's
/// class numbers: see [`Vocab::in_set`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassSet {
    bits: Vec<u64>,
    /// Made from no class at all: any class fits.
    any: bool,
}

fn closure(parents: &BTreeMap<String, Vec<String>>, start: &str) -> Vec<String> {
    let mut out = vec![start.to_string()];
    let mut i = 0;
    while i < out.len() {
        if let Some(ps) = parents.get(&out[i]) {
            for p in ps {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        i += 1;
    }
    out
}
