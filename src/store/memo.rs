//! The store's memo: what the last build wrote, kept beside the store
//! (`<store>.memo`) so that the next build need not read it back — each
//! article graph's hashes, the facts it feeds inference and its relations'
//! properties, and the inferred graph. It is trusted only while the store's
//! `xt:stateDigest` (written last by a build, removed first by the next)
//! equals the memo's: a build killed half-way, a memo lost or from another
//! store leaves a store without it or with another, and the build then
//! reads the store itself. Never required: any error only costs that reading.

use std::collections::BTreeMap;
use std::hash::Hasher as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::DocState;
use crate::facts::Triple;
use crate::terms::Terms;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Memo {
    /// [`state_digest`] of what follows: equal to the store's `xt:stateDigest`
    /// when the store holds what the memo says.
    pub digest: String,
    pub terms: Terms,
    /// By graph IRI.
    pub docs: BTreeMap<String, DocState>,
    /// The triples of the inferred graph, and the digest of its quads.
    pub inferred: Vec<Triple>,
    pub inferred_digest: String,
}

/// A digest of what a store holds, as far as a build relies on it: each
/// article graph with its graph hash, and the inferred graph's digest.
pub fn state_digest(docs: &BTreeMap<String, DocState>, inferred_digest: &str) -> String {
    let mut h = siphasher::sip128::SipHasher13::new();
    for (name, d) in docs {
        h.write(name.as_bytes());
        h.write_u8(0xff);
        h.write(d.graph_hash.as_bytes());
        h.write_u8(0xff);
    }
    h.write(inferred_digest.as_bytes());
    format!("{:032x}", siphasher::sip128::Hasher128::finish128(&h).as_u128())
}

/// Variable-length integers: the memo is mostly small ids.
fn options() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

pub fn load(path: &Path) -> Option<Memo> {
    let bytes = std::fs::read(path).ok()?;
    let mut memo: Memo = bincode::Options::deserialize(options(), &bytes).ok()?;
    memo.terms.reindex();
    Some(memo)
}

/// Writes the memo whole or not at all (a temporary file, then a rename),
/// streamed: serialised into memory first it doubled the memo's share of a
/// full build's peak.
pub fn save(path: &Path, memo: &Memo) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension(format!("memo-tmp{}", std::process::id()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    bincode::Options::serialize_into(options(), &mut out, memo).map_err(std::io::Error::other)?;
    out.flush()?;
    std::fs::rename(tmp, path)
}
