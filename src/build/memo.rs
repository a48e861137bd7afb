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

use crate::store::DocState;
use crate::terms::{Terms, Triple};

/// A memo as a build reads it. On disk it is written as it is made (see
/// [`Writer`]): each article graph's state, then the rest.
#[derive(Debug, Default, Clone)]
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

/// What follows the article graphs in the file.
#[derive(Serialize, Deserialize)]
struct Tail<'a> {
    digest: std::borrow::Cow<'a, str>,
    terms: std::borrow::Cow<'a, Terms>,
    inferred: std::borrow::Cow<'a, [Triple]>,
    inferred_digest: std::borrow::Cow<'a, str>,
}

/// One article graph's part of [`state_digest`].
fn doc_part(name: &str, graph_hash: &str) -> u128 {
    let mut h = siphasher::sip128::SipHasher13::new();
    h.write(name.as_bytes());
    h.write_u8(0xff);
    h.write(graph_hash.as_bytes());
    siphasher::sip128::Hasher128::finish128(&h).as_u128()
}

/// The digest from the sum of the article graphs' parts.
fn digest_of(docs: u128, inferred_digest: &str) -> String {
    let mut h = siphasher::sip128::SipHasher13::new();
    h.write_u128(docs);
    h.write(inferred_digest.as_bytes());
    format!("{:032x}", siphasher::sip128::Hasher128::finish128(&h).as_u128())
}

/// A digest of what a store holds, as far as a build relies on it: each
/// article graph with its graph hash, and the inferred graph's digest. A sum
/// over the graphs, so that a build can work it out graph by graph, in any
/// order ([`Writer`] does; this is its definition, for the tests).
#[cfg(test)]
pub fn state_digest(docs: &BTreeMap<String, DocState>, inferred_digest: &str) -> String {
    digest_of(docs.iter().fold(0, |sum, (name, d)| sum.wrapping_add(doc_part(name, &d.graph_hash))), inferred_digest)
}

/// Variable-length integers: the memo is mostly small ids.
fn options() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

pub fn load(path: &Path) -> Option<Memo> {
    let bytes = std::fs::read(path).ok()?;
    let mut de = bincode::Deserializer::from_slice(&bytes, options());
    let mut docs = BTreeMap::new();
    while let Some((name, doc)) = <Option<(String, DocState)>>::deserialize(&mut de).ok()? {
        docs.insert(name, doc);
    }
    let tail = Tail::deserialize(&mut de).ok()?;
    let mut terms = tail.terms.into_owned();
    terms.reindex();
    Some(Memo { digest: tail.digest.into_owned(), terms, docs, inferred: tail.inferred.into_owned(), inferred_digest: tail.inferred_digest.into_owned() })
}

/// A memo written as a build makes it, article graph by article graph, so
/// that the build need not hold every article's state (at 10 000 articles
/// ~35 MB) until the end. It works out the state digest as it
/// goes. Failing to write costs only the next build a read of the store, so
/// the first error is kept and reported by [`Writer::finish`]; the digest is
/// worked out all the same. A writer dropped unfinished removes its file.
pub struct Writer {
    path: std::path::PathBuf,
    tmp: std::path::PathBuf,
    out: std::io::Result<std::io::BufWriter<std::fs::File>>,
    docs: u128,
}

impl Writer {
    /// Only by the store's one writer (RocksDB's lock): it removes the
    /// temporary files of builds that were killed while they wrote a memo.
    pub fn create(path: &Path) -> Self {
        remove_leftovers(path);
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!("{TMP}{}", std::process::id()));
        let tmp = std::path::PathBuf::from(tmp);
        let out = std::fs::File::create(&tmp).map(std::io::BufWriter::new);
        Writer { path: path.to_path_buf(), tmp, out, docs: 0 }
    }

    fn write(&mut self, value: &impl Serialize) {
        if let Ok(out) = &mut self.out {
            if let Err(e) = bincode::Options::serialize_into(options(), out, value) {
                self.out = Err(std::io::Error::other(e));
            }
        }
    }

    pub fn doc(&mut self, name: &str, doc: &DocState) {
        self.docs = self.docs.wrapping_add(doc_part(name, &doc.graph_hash));
        self.write(&Some((name, doc)));
    }

    /// The state digest, and whether the memo is now in place. (Once:
    /// a writer finished writes nothing more.)
    pub fn finish(&mut self, terms: &Terms, inferred: &[Triple], inferred_digest: &str) -> (String, std::io::Result<()>) {
        use std::borrow::Cow;
        use std::io::Write as _;
        let digest = digest_of(self.docs, inferred_digest);
        self.write(&None::<(&str, &DocState)>);
        self.write(&Tail { digest: Cow::Borrowed(&digest), terms: Cow::Borrowed(terms), inferred: Cow::Borrowed(inferred), inferred_digest: Cow::Borrowed(inferred_digest) });
        let out = std::mem::replace(&mut self.out, Err(std::io::Error::other("finished")));
        let done = out.and_then(|mut out| out.flush()).and_then(|()| std::fs::rename(&self.tmp, &self.path));
        (digest, done)
    }
}

/// A memo is written to `<memo>-tmp<pid>`, then renamed.
const TMP: &str = "-tmp";

/// `<store>.memo-tmp<pid>` files beside `path` (`<store>.memo`): a build
/// writes its memo for as long as it writes graphs, and a build killed then
/// leaves its file behind.
fn remove_leftovers(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return };
    let prefix = format!("{}{TMP}", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Renamed away when finished; otherwise a partial file.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(graph_hash: &str, facts: Vec<Triple>) -> DocState {
        DocState { content_hash: format!("c-{graph_hash}"), graph_hash: graph_hash.into(), known: Some(crate::store::GraphFacts { facts, properties: vec![2] }), settled: None }
    }

    /// Written a graph at a time and read back whole: the same memo, and
    /// the state digest the writer worked out in graph order is the one
    /// worked out over the docs by name; a memo that cannot be written
    /// still gives the digest, and leaves no file.
    #[test]
    fn written_as_made_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut terms = Terms::default();
        let t = [terms.id("s"), terms.id("p"), terms.id("o")];
        let docs: BTreeMap<String, DocState> = [("xtr:doc/b".to_string(), doc("b1", vec![t])), ("xtr:doc/a".to_string(), doc("a1", vec![]))].into();
        let mut w = Writer::create(&dir.path().join("m.memo"));
        for (name, d) in docs.iter().rev() {
            w.doc(name, d);
        }
        let (digest, saved) = w.finish(&terms, &[t], "inferred");
        assert!(saved.is_ok());
        assert_eq!(digest, state_digest(&docs, "inferred"));
        assert_ne!(digest, state_digest(&docs, "other"));
        let m = load(&dir.path().join("m.memo")).expect("the memo reads back");
        assert_eq!((m.digest.as_str(), m.inferred.as_slice(), m.inferred_digest.as_str()), (digest.as_str(), &[t][..], "inferred"));
        assert_eq!(format!("{:?}", m.docs), format!("{docs:?}"));
        assert_eq!(m.terms.get(t[2]), "o");

        let nowhere = dir.path().join("missing").join("m.memo");
        let mut w = Writer::create(&nowhere);
        w.doc("xtr:doc/a", &docs["xtr:doc/a"]);
        w.doc("xtr:doc/b", &docs["xtr:doc/b"]);
        let (digest2, saved) = w.finish(&terms, &[t], "inferred");
        assert!(saved.is_err());
        assert_eq!(digest2, digest);
        assert!(load(&nowhere).is_none());
    }

    /// The temporary memo of a killed build (another process id) goes when
    /// the next writer starts; other files beside the store stay.
    #[test]
    fn a_killed_builds_temporary_memo_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.memo");
        let (left, other) = (dir.path().join("store.memo-tmp4000000"), dir.path().join("store.memo.keep"));
        std::fs::write(&left, b"half a memo").unwrap();
        std::fs::write(&other, b"not ours").unwrap();
        let mut w = Writer::create(&path);
        assert!(!left.exists());
        assert!(other.exists());
        assert!(w.finish(&Terms::default(), &[], "").1.is_ok());
        assert!(load(&path).is_some());
    }
}
