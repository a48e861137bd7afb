//! The on-disk Oxigraph store: opening and locking it, finishing a full
//! build's swap that was cut short, reading what the last build left, and
//! writing graphs (one in a transaction, or a fresh store through the bulk
//! loader). What a build writes, and in what order, is `build`'s.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::iri::{self, graph, xt, xtr, GRAPH_BUILD, GRAPH_INFERRED};
use crate::resolve::ArticleKeys;
use crate::terms::{Terms, Triple};

mod digest;
mod error;
mod ontology;

pub use digest::{graph_hash_quad, quad_hash, quads_digest};
pub use error::StoreError;
pub use ontology::ontology_quads;

pub struct KgStore {
    pub store: Store,
    pub path: PathBuf,
}

/// Why Oxigraph could not open a store. RocksDB tells a store another
/// process holds only in its message (an I/O error of no particular kind):
/// this is the one place that reads it, so that callers match on
/// [`StoreError::Locked`].
#[cfg(feature = "rocksdb")]
fn open_error(path: &Path, source: oxigraph::store::StorageError) -> StoreError {
    let msg = source.to_string();
    let path = path.to_path_buf();
    if msg.contains("lock") || msg.contains("LOCK") || msg.contains("Resource temporarily unavailable") {
        StoreError::Locked { path, source }
    } else {
        StoreError::Open { path, source }
    }
}

impl KgStore {
    /// Opens the store for writing, creating it if missing.
    #[cfg(feature = "rocksdb")]
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        recover(path)?;
        std::fs::create_dir_all(path).map_err(StoreError::io(path))?;
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
        // Holding the store now: what is left of a killed full build goes.
        remove_dir(&sibling(path, "new"))?;
        remove_dir(&sibling(path, "old"))?;
        Ok(KgStore { store, path: path.to_path_buf() })
    }

    /// Opens an existing store.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_existing(path, |p| Store::open(p))
    }

    /// Opens an existing store for reading only: any number of readers at
    /// once, beside the one writer a build is. A reader sees the store as
    /// it was when opened.
    #[cfg(feature = "rocksdb")]
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        Self::open_existing(path, |p| Store::open_read_only(p))
    }

    #[cfg(feature = "rocksdb")]
    fn open_existing(path: &Path, open: impl FnOnce(&Path) -> Result<Store, oxigraph::store::StorageError>) -> Result<Self, StoreError> {
        recover(path)?;
        if !path.join("CURRENT").exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let store = open(path).map_err(|e| open_error(path, e))?;
        Ok(KgStore { store, path: path.to_path_buf() })
    }

    /// The number of quads in one named graph.
    fn graph_len(&self, name: &NamedNode) -> Result<usize, StoreError> {
        let mut n = 0;
        for q in self.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref()))) {
            q?;
            n += 1;
        }
        Ok(n)
    }

    /// Replaces one named graph with `quads`, in one transaction. Returns by
    /// how many quads the store grew.
    pub fn replace_graph(&self, g: &GraphName, quads: &[Quad]) -> Result<isize, StoreError> {
        let GraphName::NamedNode(name) = g else { return Ok(0) };
        let old = self.graph_len(name)?;
        let mut t = self.store.start_transaction()?;
        t.clear_graph(GraphNameRef::NamedNode(name.as_ref()))?;
        t.insert_named_graph(name.as_ref());
        t.extend(quads.iter());
        t.commit()?;
        Ok(quads.iter().collect::<HashSet<_>>().len() as isize - old as isize)
    }

    /// Replaces an article's graph and its modality graphs with `quads`,
    /// which hold the new ones, in one transaction: a modality graph the
    /// article no longer names goes with its old graph. Returns by how many
    /// quads the store grew.
    pub fn replace_article(&self, name: &NamedNode, quads: &[Quad]) -> Result<isize, StoreError> {
        let (mut t, old) = self.remove_article_in_transaction(name)?;
        t.insert_named_graph(name.as_ref());
        t.extend(quads.iter());
        t.commit()?;
        Ok(quads.iter().collect::<HashSet<_>>().len() as isize - old as isize)
    }

    /// Removes an article's graph and its modality graphs, in one
    /// transaction; returns by how many quads the store grew (≤ 0).
    pub fn remove_article(&self, name: &NamedNode) -> Result<isize, StoreError> {
        let (t, old) = self.remove_article_in_transaction(name)?;
        t.commit()?;
        Ok(-(old as isize))
    }

    /// A transaction that removes an article's graph and its modality
    /// graphs, and how many quads they hold.
    fn remove_article_in_transaction(&self, name: &NamedNode) -> Result<(oxigraph::store::Transaction<'_>, usize), StoreError> {
        let graphs = article_graphs(&self.store, name)?;
        let old = graphs.iter().map(|g| self.graph_len(g)).sum::<Result<usize, _>>()?;
        let mut t = self.store.start_transaction()?;
        for g in &graphs {
            t.remove_named_graph(g.as_ref())?;
        }
        Ok((t, old))
    }

    /// Makes a named graph hold exactly `quads`, writing only the difference,
    /// in one transaction: derived graphs change little between builds.
    /// Returns by how many quads the store grew, and the graph's digest.
    /// The graph keeps a digest of its quads (`xt:graphHash`), so that an
    /// unchanged graph costs no reading at all.
    pub fn update_graph(&self, g: &GraphName, mut quads: Vec<Quad>) -> Result<(isize, String), StoreError> {
        let GraphName::NamedNode(name) = g else { return Ok((0, String::new())) };
        let digest = quads_digest(&quads);
        let hash_quad = graph_hash_quad(name, &digest);
        if self.store.contains(&hash_quad)? {
            return Ok((0, digest));
        }
        quads.push(hash_quad);
        let old: HashSet<Quad> = self.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref()))).collect::<Result<_, _>>()?;
        let new: HashSet<Quad> = quads.into_iter().collect();
        let mut t = self.store.start_transaction()?;
        t.insert_named_graph(name.as_ref());
        let mut grew = 0;
        for q in old.difference(&new) {
            t.remove(q);
            grew -= 1;
        }
        for q in new.difference(&old) {
            t.insert(q);
            grew += 1;
        }
        t.commit()?;
        Ok((grew, digest))
    }

    pub fn named_graphs(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for g in self.store.named_graphs() {
            if let NamedOrBlankNode::NamedNode(n) = g? {
                out.push(n.into_string());
            }
        }
        Ok(out)
    }

    /// `<store>.memo`.
    pub fn memo_path(&self) -> PathBuf {
        sibling(&self.path, "memo")
    }

    /// What the store holds: the knowledge fingerprint of the last finished
    /// build and, when a build under `fingerprint` that is not `full` will
    /// use them, each article graph's content hash and graph hash — from
    /// the memo when it describes this store, else read from the store.
    /// `memo` is asked for what the memo remembers, given the state digest
    /// the store names; it answers only when its own digest is that one.
    pub fn state(&self, fingerprint: &str, full: bool, memo: impl FnOnce(&str) -> Option<Remembered>) -> Result<StoreState, StoreError> {
        let mut st = StoreState::default();
        for q in self.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(xtr(GRAPH_BUILD).as_ref()))) {
            let q = q?;
            st.build_quads += 1;
            let Term::Literal(l) = q.object else { continue };
            match q.predicate.as_str().strip_prefix(iri::XT) {
                Some("knowledgeFingerprint") => st.fingerprint = Some(l.value().to_string()),
                Some("quadCount") => st.quads = l.value().parse().ok(),
                Some("stateDigest") => st.digest = Some(l.value().to_string()),
                _ => {}
            }
        }
        // A build removes the digest before it changes anything: without it,
        // the store may differ from what the last finished build counted.
        if st.digest.is_none() {
            st.quads = None;
        }
        if full || st.fingerprint.as_deref() != Some(fingerprint) {
            return Ok(st);
        }
        if let Some(m) = st.digest.as_deref().and_then(memo) {
            st.docs = m.docs;
            st.terms = m.terms;
            st.inferred = Some(m.inferred);
            return Ok(st);
        }
        for prop in ["contentHash", "graphHash"] {
            let p = xt(prop);
            for q in self.store.quads_for_pattern(None, Some(p.as_ref()), None, None) {
                let q = q?;
                let (GraphName::NamedNode(g), Term::Literal(l)) = (&q.graph_name, &q.object) else { continue };
                if !g.as_str().starts_with(iri::DOC_PREFIX) {
                    continue;
                }
                let e = st.docs.entry(g.as_str().to_string()).or_default();
                let slot = if prop == "contentHash" { &mut e.content_hash } else { &mut e.graph_hash };
                *slot = l.value().to_string();
            }
        }
        Ok(st)
    }

    /// Brings the inferred graph from the `old` triples the memo remembers
    /// to `new` by their difference alone, in one transaction, and its digest
    /// with them (a digest is a sum over quads). Returns by how many quads
    /// the store grew, and the new digest.
    pub fn patch_inferred(&self, terms: &Terms, old: Vec<Triple>, new: &FxHashSet<Triple>, old_digest: &str) -> Result<(isize, String), StoreError> {
        let g = graph(GRAPH_INFERRED);
        let old: FxHashSet<Triple> = old.into_iter().collect();
        let removed: Vec<Quad> = old.difference(new).map(|t| terms.quad(t, &g)).collect();
        let added: Vec<Quad> = new.difference(&old).map(|t| terms.quad(t, &g)).collect();
        let Ok(mut sum) = u128::from_str_radix(old_digest, 16) else {
            return self.update_graph(&g, new.iter().map(|t| terms.quad(t, &g)).collect());
        };
        if removed.is_empty() && added.is_empty() {
            return Ok((0, old_digest.to_string()));
        }
        for q in &removed {
            sum = sum.wrapping_sub(quad_hash(q));
        }
        for q in &added {
            sum = sum.wrapping_add(quad_hash(q));
        }
        let digest = format!("{sum:032x}");
        let name = xtr(GRAPH_INFERRED);
        let mut t = self.store.start_transaction()?;
        t.remove(&graph_hash_quad(&name, old_digest));
        t.insert(&graph_hash_quad(&name, &digest));
        for q in &removed {
            t.remove(q);
        }
        for q in &added {
            t.insert(q);
        }
        t.commit()?;
        Ok((added.len() as isize - removed.len() as isize, digest))
    }

    /// A full build's store: every graph goes through Oxigraph's bulk
    /// loader into a fresh store beside this one (`<store>.new`), marked
    /// complete when loaded, then swapped in by two renames. A build killed
    /// at any moment leaves the old store or the new one; [`recover`]
    /// finishes a swap that was cut short. `make` sends the quads, graph by
    /// graph, on another thread while the loader sorts them (it is given
    /// the old store, to copy graphs from); `trim` is given what `make`
    /// returned before the loader's files are merged, to free what it need
    /// not hold through that.
    #[cfg(feature = "rocksdb")]
    pub fn bulk_rebuild<T: Send>(&mut self, make: impl FnOnce(&Store, std::sync::mpsc::SyncSender<Vec<Quad>>) -> T + Send, trim: impl FnOnce(&mut T)) -> Result<T, StoreError> {
        let fresh = sibling(&self.path, "new");
        remove_dir(&fresh)?;
        let made = {
            let options = oxigraph::store::StoreOptions::default().with_max_open_files(MAX_OPEN_FILES);
            let store = Store::open_with_options(&fresh, options).map_err(|e| open_error(&fresh, e))?;
            // One stream of quads into one `load_quads`: each call would end
            // in files of its own, and many small files make ingestion slow.
            // A short queue: each graph waiting in it is ~500 quads in memory.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Quad>>(QUEUE);
            let mut loader = store.bulk_loader().with_max_memory_size_in_megabytes(LOADER_MB);
            let mut made = std::thread::scope(|scope| {
                let old = &self.store;
                let maker = scope.spawn(move || make(old, tx));
                let loaded = loader.load_quads(rx.into_iter().flatten());
                // If the loader failed, the maker stops at its next send.
                let made = maker.join().map_err(|_| StoreError::MakerPanicked)?;
                Ok::<_, StoreError>(loaded.map(|()| made)?)
            })?;
            trim(&mut made);
            loader.commit()?;
            store.flush()?;
            std::fs::write(fresh.join(COMPLETE), b"").map_err(StoreError::io(&fresh))?;
            made
        };
        // Let go of the old store, swap, and open the new one in its place.
        self.store = Store::new()?;
        let old = sibling(&self.path, "old");
        remove_dir(&old)?;
        std::fs::rename(&self.path, &old).map_err(StoreError::io(&self.path))?;
        std::fs::rename(&fresh, &self.path).map_err(StoreError::io(&self.path))?;
        self.store = Store::open(&self.path).map_err(|e| open_error(&self.path, e))?;
        remove_dir(&old)?;
        Ok(made)
    }
}

/// An article's graph and the modality graphs it names
/// (`<g> xt:graphModality …` in it), as `store` holds them.
fn article_graphs(store: &Store, name: &NamedNode) -> Result<Vec<NamedNode>, StoreError> {
    let mut graphs = vec![name.clone()];
    let p = xt("graphModality");
    for q in store.quads_for_pattern(None, Some(p.as_ref()), None, Some(GraphNameRef::NamedNode(name.as_ref()))) {
        if let NamedOrBlankNode::NamedNode(g) = q?.subject {
            graphs.push(g);
        }
    }
    Ok(graphs)
}

/// Returns the heap's free pages to the system. The settled articles, each
/// graph's state on its way to the memo and the interner were freed in the
/// middle of the heaps of several threads, where glibc keeps them: without
/// this, the build would go on holding them through the merge of the
/// loader's files.
#[cfg(feature = "rocksdb")]
pub fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; any thread may call it.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The bulk loader's memory budget: 25 000 quads a batch on each of two
/// threads. Its default (2 GB a thread) holds a million quads per thread in
/// memory. Peaks measured with `build --timings` at 10 000 articles: 200 MB
/// ~340 MB, 100 279 MB, 50 222 MB (349 MB at 20 000), for the same time
/// within the machine's noise (the many small files it makes cost less than
/// the memory they save). Once the build held less of its own, 50 MB peaked
/// at 142–151 MB and 25 MB at 160–166 MB: more files for RocksDB to merge.
#[cfg(feature = "rocksdb")]
const LOADER_MB: usize = 50;

/// Files RocksDB keeps open in the store a full build loads. Each open file
/// holds its index in memory, and the loader's files are all opened when
/// they are ingested and merged at its commit: with RocksDB's default (as
/// many files as the process may open) what that phase holds grew with the
/// store, and it was a large build's peak. Full builds of 20 000 articles
/// (the bench's 10 000, twice) peaked at 170–176 MB with the default and
/// 127–139 MB with 64 (137 MB with 32); of the bench's 10 000, that phase
/// held 102–125 MB and holds 89–97 MB (their peak, 111–121 MB, now falls
/// while the graphs are made); in the same time within the machine's
/// noise. Queries open the store with RocksDB's default.
#[cfg(feature = "rocksdb")]
const MAX_OPEN_FILES: u32 = 64;

/// Graphs waiting for the bulk loader: each is in memory (~500 quads); see
/// `build`'s CHUNK for how the two were chosen.
#[cfg(feature = "rocksdb")]
const QUEUE: usize = 8;

/// Marks a store written by [`KgStore::bulk_rebuild`] as wholly loaded.
#[cfg(feature = "rocksdb")]
const COMPLETE: &str = "XIETONG_COMPLETE";

/// `<store>.new`, `<store>.old`: the folders of a full build's swap;
/// `<store>.memo`.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{what}"));
    path.with_file_name(name)
}

#[cfg(feature = "rocksdb")]
fn remove_dir(p: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::Io { path: p.to_path_buf(), source: e }),
        _ => Ok(()),
    }
}

/// Finishes a full build's swap that was cut short: when the store is gone
/// (renamed to `.old`) and a complete `.new` waits, the new one takes its place.
#[cfg(feature = "rocksdb")]
fn recover(path: &Path) -> Result<(), StoreError> {
    let fresh = sibling(path, "new");
    if path.join("CURRENT").exists() || !fresh.join(COMPLETE).exists() {
        return Ok(());
    }
    // An empty folder (made by a first `create`) may stand where the store goes.
    let _ = std::fs::remove_dir(path);
    std::fs::rename(&fresh, path).map_err(StoreError::io(path))
}

/// What a build knows of an article graph without making it: the facts it
/// feeds inference and its relations' properties, as ids of the memo's terms.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GraphFacts {
    pub facts: Vec<Triple>,
    pub properties: Vec<u32>,
}

/// One article graph as the store holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocState {
    pub content_hash: String,
    pub graph_hash: String,
    /// From the memo; not read from the store.
    pub known: Option<GraphFacts>,
    /// The article settled for resolution (ids of the memo's terms), from the memo.
    pub settled: Option<ArticleKeys>,
}

impl DocState {
    /// Of a graph's quads (an article graph copied as it is).
    #[cfg(feature = "rocksdb")]
    pub fn of(name: &NamedNode, quads: &[Quad]) -> Self {
        let value = |p: &str| {
            quads.iter().find(|q| q.predicate.as_str().strip_prefix(iri::XT) == Some(p) && q.subject == NamedOrBlankNode::NamedNode(name.clone())).and_then(|q| match &q.object {
                Term::Literal(l) => Some(l.value().to_string()),
                _ => None,
            })
        };
        DocState { content_hash: value("contentHash").unwrap_or_default(), graph_hash: value("graphHash").unwrap_or_default(), known: None, settled: None }
    }
}

#[derive(Debug, Clone, Default)]
pub struct StoreState {
    /// By graph IRI.
    pub docs: BTreeMap<String, DocState>,
    pub fingerprint: Option<String>,
    /// The quads of the whole store after the last finished build.
    pub quads: Option<usize>,
    /// The quads of `xtr:build` now.
    pub build_quads: usize,
    /// `xt:stateDigest` of the last finished build.
    pub digest: Option<String>,
    /// From the memo: the terms its ids stand for, and the inferred graph's
    /// triples with its digest.
    pub terms: Terms,
    pub inferred: Option<(Vec<Triple>, String)>,
}

/// What a memo remembers of a store, for [`KgStore::state`].
pub struct Remembered {
    pub docs: BTreeMap<String, DocState>,
    pub terms: Terms,
    /// The inferred graph's triples and its digest.
    pub inferred: (Vec<Triple>, String),
}

#[cfg(all(test, feature = "rocksdb"))]
mod tests {
    use super::*;

    #[test]
    fn a_store_held_elsewhere_is_locked_by_type_and_keeps_its_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let held = KgStore::create(&path).unwrap();
        let Err(e) = KgStore::open(&path) else { panic!("a held store opened twice") };
        assert!(matches!(&e, StoreError::Locked { path: p, .. } if *p == path), "{e:?}");
        assert!(std::error::Error::source(&e).is_some());
        drop(held);
        assert!(KgStore::open(&path).is_ok());
        assert!(matches!(KgStore::open(&dir.path().join("none")), Err(StoreError::Missing(_))));
    }
}
