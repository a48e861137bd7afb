//! Graph digests: a digest of a set of quads that does not depend on their
//! order, and the quad by which every graph keeps its own.

use std::collections::HashSet;

use oxigraph::model::{Literal, NamedNode, Quad};

use crate::iri::xt;

/// A digest of a set of quads, independent of their order: the wrapping sum
/// of each distinct quad's 128-bit SipHash (fixed keys, so stable from build
/// to build), hashed as it prints, without sorting or allocating.
pub fn quads_digest(quads: &[Quad]) -> String {
    let sum = quads.iter().collect::<HashSet<_>>().into_iter().fold(0u128, |sum, q| sum.wrapping_add(quad_hash(q)));
    format!("{sum:032x}")
}

/// `<g> xt:graphHash "digest"` in graph `g`: how every graph keeps its digest.
pub fn graph_hash_quad(name: &NamedNode, digest: &str) -> Quad {
    Quad::new(name.clone(), xt("graphHash"), Literal::new_simple_literal(digest), name.clone())
}

/// One quad's part of [`quads_digest`]: its 128-bit SipHash as it prints.
pub fn quad_hash(q: &Quad) -> u128 {
    use std::fmt::Write as _;
    use std::hash::Hasher as _;
    struct Sip(siphasher::sip128::SipHasher13);
    impl std::fmt::Write for Sip {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Sip(siphasher::sip128::SipHasher13::new());
    let _ = write!(h, "{q}");
    siphasher::sip128::Hasher128::finish128(&h.0).as_u128()
}
