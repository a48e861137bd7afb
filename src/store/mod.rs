//! The on-disk Oxigraph store: replacing graphs in transactions, reading
//! what a build left. The only module that writes to the store.

mod memo;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::facts;
use crate::terms::{Terms, Triple};
use crate::knowledge::Knowledge;
use crate::model::{Entity, Sym};
use crate::pipeline::{Articles, Corpus};
use crate::resolve::Settled;
use crate::iri::{self, doc_graph, graph, xt, xtr, GRAPH_BUILD, GRAPH_INFERRED, GRAPH_LABELS, GRAPH_LEXICON, GRAPH_ONTOLOGY};
use crate::rdf;

/// Why the store could not be used; callers branch on the kind.
#[derive(Debug)]
pub enum StoreError {
    /// No store at that path yet.
    Missing(PathBuf),
    /// Another process holds the store.
    Locked(PathBuf, String),
    /// Cannot create or open the folder.
    Open(PathBuf, String),
    Storage(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Missing(p) => write!(f, "no store at {}\nhint: run `xietong build` first (or pass --store DIR)", p.display()),
            StoreError::Locked(p, e) => write!(f, "the store {} is in use by another xietong process: {e}", p.display()),
            StoreError::Open(p, e) => write!(f, "cannot open the store {}: {e}", p.display()),
            StoreError::Storage(e) => write!(f, "store: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<oxigraph::store::StorageError> for StoreError {
    fn from(e: oxigraph::store::StorageError) -> Self {
        StoreError::Storage(e.to_string())
    }
}

pub struct KgStore {
    pub store: Store,
    pub path: PathBuf,
}

#[cfg(feature = "rocksdb")]
fn open_error(path: &Path, e: oxigraph::store::StorageError) -> StoreError {
    let msg = e.to_string();
    if msg.contains("lock") || msg.contains("LOCK") || msg.contains("Resource temporarily unavailable") {
        StoreError::Locked(path.to_path_buf(), msg)
    } else {
        StoreError::Open(path.to_path_buf(), msg)
    }
}

impl KgStore {
    /// Opens the store for writing, creating it if missing.
    #[cfg(feature = "rocksdb")]
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        recover(path)?;
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open(path.to_path_buf(), e.to_string()))?;
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
        // Holding the store now: what is left of a killed full build goes.
        remove_dir(&sibling(path, "new"))?;
        remove_dir(&sibling(path, "old"))?;
        Ok(KgStore { store, path: path.to_path_buf() })
    }

    /// Opens an existing store.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        recover(path)?;
        if !path.join("CURRENT").exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
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

    /// Removes a named graph; returns by how many quads the store grew (≤ 0).
    fn remove_graph(&self, name: &NamedNode) -> Result<isize, StoreError> {
        let old = self.graph_len(name)?;
        self.store.remove_named_graph(name.as_ref())?;
        Ok(-(old as isize))
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
        let old: HashSet<Quad> = self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref())))
            .collect::<Result<_, _>>()?;
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
    fn memo_path(&self) -> PathBuf {
        sibling(&self.path, "memo")
    }

    /// What the store holds: the knowledge fingerprint of the last finished
    /// build and, when a build under `fingerprint` that is not `full` will
    /// use them, each article graph's content hash and graph hash — from
    /// the memo when it describes this store, else read from the store.
    pub fn state(&self, fingerprint: &str, full: bool) -> Result<StoreState, StoreError> {
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
        if let Some(m) = st.digest.as_ref().and_then(|d| memo::load(&self.memo_path()).filter(|m| m.digest == *d)) {
            st.docs = m.docs;
            st.terms = m.terms;
            st.inferred = Some((m.inferred, m.inferred_digest));
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

    /// Brings the store in line with a corpus. A full build (asked for, a
    /// first build, or new knowledge) writes every graph anew with Oxigraph's
    /// bulk loader into a fresh store and swaps it in ([`Self::rebuild`]).
    /// Otherwise each article graph is written (in one transaction) only when
    /// its content differs from what the store holds; graphs of articles that
    /// are gone are removed, those of articles that could not be read now are
    /// kept; the derived graphs are recomputed every time, so that a build
    /// that was killed half-way is finished by the next one. The state digest
    /// is removed first and written last, with the knowledge fingerprint;
    /// then the memo.
    ///
    /// `before` is [`Self::state`], read before the corpus was (its terms
    /// extended by the corpus's [`Settled`] articles).
    pub fn write_corpus(&mut self, k: &Knowledge, corpus: &Batch<'_>, full: bool, mut before: StoreState) -> Result<BuildStats, StoreError> {
        let mut clock = std::time::Instant::now();
        let mut lap = |stats: &mut BuildStats, what: &'static str| {
            stats.phases.push((what, clock.elapsed().as_secs_f64()));
            clock = std::time::Instant::now();
        };
        let full = full || before.fingerprint.as_deref() != Some(k.fingerprint.as_str());
        let mut stats = BuildStats { full, ..Default::default() };
        #[cfg(feature = "rocksdb")]
        if full {
            self.rebuild(k, corpus, &mut stats, before.terms)?;
            stats.count_entities(corpus.entities);
            return Ok(stats);
        }
        // Until this build writes its own digest, the memo no longer
        // describes the store: a build killed half-way leaves none.
        let mut build_quads_now = before.build_quads;
        if let Some(d) = &before.digest {
            let q = state_digest_quad(d);
            if self.store.contains(&q)? {
                self.store.remove(&q)?;
                build_quads_now -= 1;
            }
        }
        let lexicon = rdf::lexicon_quads(k);
        // By how many quads the store grew, so as not to count them all.
        let mut grew: isize = 0;
        if full {
            grew += self.replace_graph(&graph(GRAPH_ONTOLOGY), &ontology_quads(k))?;
            grew += self.replace_graph(&graph(GRAPH_LEXICON), &lexicon)?;
        }
        let mut terms = std::mem::take(&mut before.terms);
        let mut asserted: FxHashSet<Triple> = lexicon.iter().filter(|q| rdf::feeds_inference(k, q)).filter_map(|q| terms.triple(q)).collect();
        // The memo is written as the graphs are handed over, not held: it
        // names every article's settled form and facts.
        let mut memo = memo::Writer::create(&self.memo_path());
        let mut keep: HashSet<String> = corpus.unreadable.iter().map(|name| doc_graph(name).into_string()).collect();
        let old = |name: &NamedNode, hash: &str| before.docs.get(name.as_str()).filter(|old| !full && old.graph_hash == hash);
        let unchanged = |name: &NamedNode, hash: &str| old(name, hash).is_some();
        let remembered = |name: &NamedNode, hash: &str| old(name, hash).is_some_and(|o| o.known.is_some());
        for_each_article_graph(k, corpus, |name, hash| !unchanged(name, hash), remembered, |ag| {
            keep.insert(ag.name.as_str().to_string());
            let old = before.docs.get(ag.name.as_str());
            if ag.lost {
                stats.lost += 1;
                if let Some(o) = old {
                    memo.doc(ag.name.as_str(), o);
                }
                return Ok(());
            }
            match (&ag.quads, old) {
                (None, _) => stats.unchanged += 1,
                (Some(quads), old) => {
                    grew += self.replace_graph(&GraphName::NamedNode(ag.name.clone()), quads)?;
                    match old {
                        Some(o) if o.content_hash == ag.content_hash => stats.rewritten += 1,
                        Some(_) => stats.changed += 1,
                        None => stats.added += 1,
                    }
                }
            }
            let known = match old.and_then(|o| o.known.as_ref()).filter(|_| ag.remembered) {
                Some(known) => known.clone(),
                None => Known::of(&mut terms, &ag),
            };
            stats.count_relations(known.properties.iter().map(|&p| terms.get(p)));
            asserted.extend(known.facts.iter().copied());
            memo.doc(ag.name.as_str(), &DocState { content_hash: ag.content_hash, graph_hash: ag.digest, known: Some(known), settled: ag.settled });
            Ok::<(), StoreError>(())
        })?;
        lap(&mut stats, "store: article graphs");
        // Articles that cannot be read now keep their graph (and it stays out of inference).
        for name in &corpus.unreadable {
            let g = doc_graph(name).into_string();
            if let Some(o) = before.docs.get(&g) {
                memo.doc(&g, o);
            }
        }
        for doc in before.docs.keys() {
            if !keep.contains(doc) {
                grew += self.remove_graph(&NamedNode::new_unchecked(doc))?;
                stats.removed += 1;
            }
        }
        grew += self.update_graph(&graph(GRAPH_LABELS), rdf::label_quads(corpus.entities))?.0;
        lap(&mut stats, "store: labels");
        let inferred = facts::infer(k, &mut terms, &asserted);
        stats.inferred = inferred.len();
        lap(&mut stats, "store: inference");
        let (g, inferred_digest) = match before.inferred.take() {
            Some((old, digest)) => self.patch_inferred(&terms, old, &inferred, &digest)?,
            None => self.update_graph(&graph(GRAPH_INFERRED), inferred.iter().map(|t| terms.quad(t, &graph(GRAPH_INFERRED))).collect())?,
        };
        grew += g;
        lap(&mut stats, "store: inferred graph");
        // The memo goes in place before the store names its digest: until
        // then the store names none, and the memo is not trusted.
        let inferred: Vec<Triple> = inferred.into_iter().collect();
        let (digest, _) = memo.finish(&terms, &inferred, &inferred_digest);
        // Every quad but those of xtr:build, then the three it will hold.
        let others = match before.quads {
            Some(n) => (n as isize + grew) as usize - before.build_quads,
            None => self.store.len()? - build_quads_now,
        };
        stats.triples = others + 3;
        self.replace_graph(&graph(GRAPH_BUILD), &build_quads(k, stats.triples, &digest))?;
        stats.count_entities(corpus.entities);
        #[cfg(feature = "rocksdb")]
        self.store.flush()?;
        lap(&mut stats, "store: flush");
        Ok(stats)
    }

    /// Brings the inferred graph from the `old` triples the memo remembers
    /// to `new` by their difference alone, in one transaction, and its digest
    /// with them (a digest is a sum over quads). Returns by how many quads
    /// the store grew, and the new digest.
    fn patch_inferred(&self, terms: &Terms, old: Vec<Triple>, new: &FxHashSet<Triple>, old_digest: &str) -> Result<(isize, String), StoreError> {
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

    /// A full build: every graph goes through Oxigraph's bulk loader into a
    /// fresh store beside this one (`<store>.new`), marked complete when
    /// loaded, then swapped in by two renames. A build killed at any moment
    /// leaves the old store or the new one; [`recover`] finishes a swap that
    /// was cut short.
    #[cfg(feature = "rocksdb")]
    fn rebuild(&mut self, k: &Knowledge, corpus: &Batch<'_>, stats: &mut BuildStats, terms: Terms) -> Result<(), StoreError> {
        let fresh = sibling(&self.path, "new");
        remove_dir(&fresh)?;
        {
            let options = oxigraph::store::StoreOptions::default().with_max_open_files(MAX_OPEN_FILES);
            let store = Store::open_with_options(&fresh, options).map_err(|e| open_error(&fresh, e))?;
            // One stream of quads into one `load_quads`: each call would end
            // in files of its own, and many small files make ingestion slow.
            // The graphs are made on another thread while the loader sorts.
            // A short queue: each graph waiting in it is ~500 quads in memory.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Quad>>(QUEUE);
            let mut loader = store.bulk_loader().with_max_memory_size_in_megabytes(LOADER_MB);
            let memo_path = self.memo_path();
            let made = std::thread::scope(|scope| {
                let old = &self.store;
                let maker = scope.spawn(move || make_all_graphs(k, corpus, old, tx, terms, &memo_path));
                let loaded = loader.load_quads(rx.into_iter().flatten());
                // If the loader failed, the maker stops at its next send.
                let made = maker.join().map_err(|_| StoreError::Storage("the graph maker panicked".into()))?;
                Ok::<_, StoreError>(loaded.map(|()| made)?)
            })?;
            // The settled articles went into the memo, written as the
            // graphs were made; what they and the interner held goes back
            // to the system before the loader's files are merged (which
            // adds ~35 MB at 10 000 articles).
            drop(made.terms);
            give_back_freed_memory();
            loader.commit()?;
            store.flush()?;
            stats.added = made.stats.added;
            stats.lost = made.stats.lost;
            stats.articles = made.stats.articles;
            stats.relations = made.stats.relations;
            stats.by_property = made.stats.by_property;
            stats.inferred = made.inferred;
            stats.triples = made.triples;
            std::fs::write(fresh.join(COMPLETE), b"").map_err(|e| StoreError::Open(fresh.clone(), e.to_string()))?;
        }
        // Let go of the old store, swap, and open the new one in its place.
        self.store = Store::new()?;
        let old = sibling(&self.path, "old");
        remove_dir(&old)?;
        let io = |e: std::io::Error| StoreError::Open(self.path.clone(), e.to_string());
        std::fs::rename(&self.path, &old).map_err(io)?;
        std::fs::rename(&fresh, &self.path).map_err(io)?;
        self.store = Store::open(&self.path).map_err(|e| open_error(&self.path, e))?;
        remove_dir(&old)?;
        Ok(())
    }
}

/// A digest of a set of quads, independent of their order: the wrapping sum
/// of each distinct quad's 128-bit SipHash (fixed keys, so stable from build
/// to build), hashed as it prints, without sorting or allocating.
fn quads_digest(quads: &[Quad]) -> String {
    let sum = quads.iter().collect::<HashSet<_>>().into_iter().fold(0u128, |sum, q| sum.wrapping_add(quad_hash(q)));
    format!("{sum:032x}")
}

/// `<g> xt:graphHash "digest"` in graph `g`: how every graph keeps its digest.
fn graph_hash_quad(name: &NamedNode, digest: &str) -> Quad {
    Quad::new(name.clone(), xt("graphHash"), Literal::new_simple_literal(digest), name.clone())
}

/// One quad's part of [`quads_digest`]: its 128-bit SipHash as it prints.
fn quad_hash(q: &Quad) -> u128 {
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

/// A derived graph as a full build writes it: with its digest, also returned.
#[cfg(feature = "rocksdb")]
fn digested(g: &str, mut quads: Vec<Quad>) -> (Vec<Quad>, String) {
    let name = xtr(g);
    let digest = quads_digest(&quads);
    quads.push(graph_hash_quad(&name, &digest));
    (quads, digest)
}

/// What [`make_all_graphs`] sent.
#[cfg(feature = "rocksdb")]
struct Made {
    /// Of the articles: added, lost, relations.
    stats: BuildStats,
    inferred: usize,
    /// Distinct quads: graphs are disjoint, so they add up graph by graph.
    triples: usize,
    terms: Terms,
    /// What the new store holds, for the next build, written as it is made.
    memo: memo::Writer,
}

/// Every graph of a full build, sent graph by graph (the build fingerprint
/// last); stops early when the receiver is gone. An article that cannot be
/// read now keeps the graph the `old` store holds for it. `terms` are those
/// the corpus's articles were settled with; the memo goes to `memo_path`
/// (it describes the new store only, and names its state digest, so it is
/// ignored until the new store is swapped in).
#[cfg(feature = "rocksdb")]
fn make_all_graphs(k: &Knowledge, corpus: &Batch<'_>, old: &Store, tx: std::sync::mpsc::SyncSender<Vec<Quad>>, terms: Terms, memo_path: &Path) -> Made {
    let old_graph = |name: &NamedNode| -> Vec<Quad> {
        old.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref()))).filter_map(Result::ok).collect()
    };
    let mut made = Made { stats: BuildStats::default(), inferred: 0, triples: 0, terms, memo: memo::Writer::create(memo_path) };
    let send = |quads: Vec<Quad>, made: &mut Made| {
        made.triples += quads.iter().collect::<HashSet<_>>().len();
        tx.send(quads).map_err(|_| ())
    };
    // An article graph copied from the old store, as it is.
    let copy = |name: NamedNode, made: &mut Made| {
        let quads = old_graph(&name);
        if !quads.is_empty() {
            made.memo.doc(name.as_str(), &DocState::of(&name, &quads));
        }
        send(quads, made)
    };
    let lexicon = rdf::lexicon_quads(k);
    let mut asserted: FxHashSet<Triple> = FxHashSet::default();
    let _ = (|| {
        let terms = &mut made.terms;
        asserted.extend(lexicon.iter().filter(|q| rdf::feeds_inference(k, q)).filter_map(|q| terms.triple(q)));
        send(ontology_quads(k), &mut made)?;
        send(lexicon, &mut made)?;
        for_each_article_graph(k, corpus, |_, _| true, |_, _| false, |ag| {
            if ag.lost {
                made.stats.lost += 1;
                return copy(ag.name, &mut made);
            }
            made.stats.added += 1;
            made.stats.count_relations(ag.properties.iter().map(|p| p.as_str()));
            let known = Known::of(&mut made.terms, &ag);
            asserted.extend(known.facts.iter().copied());
            made.memo.doc(ag.name.as_str(), &DocState { content_hash: ag.content_hash, graph_hash: ag.digest, known: Some(known), settled: ag.settled });
            send(ag.quads.unwrap_or_default(), &mut made)
        })?;
        // What the graphs of the articles held is freed in the heaps of the
        // threads that made them; inference and the labels come next.
        give_back_freed_memory();
        for name in &corpus.unreadable {
            copy(doc_graph(name), &mut made)?;
        }
        send(digested(GRAPH_LABELS, rdf::label_quads(corpus.entities)).0, &mut made)?;
        let inferred: Vec<Triple> = facts::infer(k, &mut made.terms, &asserted).into_iter().collect();
        drop(asserted);
        // Sent in chunks the size of an article graph: as one vector of
        // quads (130 000 at 10 000 articles) the inferred graph raised a full
        // build's peak by ~40 MB. Its triples are distinct, so the digest
        // adds up chunk by chunk.
        let g = graph(GRAPH_INFERRED);
        let mut sum = 0u128;
        for chunk in inferred.chunks(512) {
            let quads: Vec<Quad> = chunk.iter().map(|t| made.terms.quad(t, &g)).collect();
            sum = quads.iter().fold(sum, |sum, q| sum.wrapping_add(quad_hash(q)));
            send(quads, &mut made)?;
        }
        let inferred_digest = format!("{sum:032x}");
        send(vec![graph_hash_quad(&xtr(GRAPH_INFERRED), &inferred_digest)], &mut made)?;
        made.inferred = inferred.len();
        // (One that cannot be written costs the next build a read of the store.)
        let (digest, _) = made.memo.finish(&made.terms, &inferred, &inferred_digest);
        let total = made.triples + 3;
        send(build_quads(k, total, &digest), &mut made)
    })();
    made
}

/// Returns the heap's free pages to the system. The settled articles, each
/// graph's state on its way to the memo and the interner were freed in the
/// middle of the heaps of several threads, where glibc keeps them: without
/// this, a build of 10 000 articles held ~75 MB more through the merge of
/// the loader's files (measured when the memo was still held to the end).
#[cfg(feature = "rocksdb")]
fn give_back_freed_memory() {
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

/// Articles whose graphs are made at once, on all cores, and graphs waiting
/// for the bulk loader: every graph of a chunk and of the queue is in memory
/// (~500 quads each), and once a build held nothing per article they were
/// its largest part besides the loader. Builds of 10 000 articles, two runs
/// each: chunks of 64 and a queue of 16 peaked at 128–142 MB, 32 and 8 at
/// 117–120 MB, 16 and 4 at 115–118 MB, in the same time (at 1 000, 16 and 4
/// were slower); 256 and 256 had peaked 120 MB higher.
const CHUNK: usize = 32;
#[cfg(feature = "rocksdb")]
const QUEUE: usize = 8;

/// Marks a store written by [`KgStore::rebuild`] as wholly loaded.
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
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::Open(p.to_path_buf(), e.to_string())),
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
    std::fs::rename(&fresh, path).map_err(|e| StoreError::Open(path.to_path_buf(), e.to_string()))
}

/// The three quads of `xtr:build`, written last: the knowledge fingerprint,
/// how many quads the store holds with them, and the digest of what the
/// build wrote ([`memo::state_digest`]).
fn build_quads(k: &Knowledge, total: usize, digest: &str) -> Vec<Quad> {
    let b = xtr(GRAPH_BUILD);
    vec![
        Quad::new(b.clone(), xt("knowledgeFingerprint"), Term::from(Literal::new_simple_literal(&k.fingerprint)), graph(GRAPH_BUILD)),
        Quad::new(b, xt("quadCount"), Term::from(Literal::from(total as i64)), graph(GRAPH_BUILD)),
        state_digest_quad(digest),
    ]
}

fn state_digest_quad(digest: &str) -> Quad {
    Quad::new(xtr(GRAPH_BUILD), xt("stateDigest"), Literal::new_simple_literal(digest), graph(GRAPH_BUILD))
}

/// An article graph: its name, digest ([`rdf::article_digest`]), its quads
/// (with `xt:graphHash`) when it is to be written, and the quads of its facts
/// that feed inference, which every build needs. (Provenance feeds none:
/// taking facts from [`rdf::fact_quads`] alone keeps full and incremental
/// builds alike.)
struct ArticleGraph {
    name: NamedNode,
    content_hash: String,
    digest: String,
    quads: Option<Vec<Quad>>,
    facts: Vec<Quad>,
    /// The property of each relation, for the summary.
    properties: Vec<Sym>,
    /// The article could not be read again as it was resolved: its graph stays.
    lost: bool,
    /// Unchanged, and its facts and properties are remembered: neither was made.
    remembered: bool,
    /// The article settled for resolution, for the memo (if the source keeps it).
    settled: Option<Settled>,
}

impl ArticleGraph {
    fn lost(name: NamedNode) -> Self {
        ArticleGraph {
            name,
            content_hash: String::new(),
            digest: String::new(),
            quads: None,
            facts: Vec::new(),
            properties: Vec::new(),
            lost: true,
            remembered: false,
            settled: None,
        }
    }
}

/// What a build knows of an article graph without making it: the facts it
/// feeds inference and its relations' properties, as ids of the memo's terms.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Known {
    pub facts: Vec<Triple>,
    pub properties: Vec<u32>,
}

impl Known {
    fn of(terms: &mut Terms, ag: &ArticleGraph) -> Self {
        Known { facts: ag.facts.iter().filter_map(|q| terms.triple(q)).collect(), properties: ag.properties.iter().map(|p| terms.id(p)).collect() }
    }
}

/// Makes each article's graph, a chunk of articles at a time on all cores,
/// and hands them to `write` in corpus order: the quads of the whole corpus
/// are never held at once. Only graphs `wanted` (by name and digest) are
/// made whole; of the others only the facts that feed inference, unless
/// they are `remembered` (else the article is read again for them).
fn for_each_article_graph<E>(
    k: &Knowledge,
    corpus: &Batch<'_>,
    wanted: impl Fn(&NamedNode, &str) -> bool + Sync,
    remembered: impl Fn(&NamedNode, &str) -> bool + Sync,
    mut write: impl FnMut(ArticleGraph) -> Result<(), E>,
) -> Result<(), E> {
    let facts = |quads: &[Quad]| quads.iter().filter(|q| rdf::feeds_inference(k, q)).cloned().collect::<Vec<_>>();
    let entities = corpus.entities;
    let by_id: rustc_hash::FxHashMap<&str, &Entity> = entities.iter().map(|(id, e)| (id.as_str(), e)).collect();
    let indices: Vec<usize> = (0..corpus.articles.len()).collect();
    for chunk in indices.chunks(CHUNK) {
        let graphs: Vec<ArticleGraph> = chunk
            .par_iter()
            .map(|&i| {
                let file = corpus.articles.name(i);
                let name = doc_graph(file);
                // An unchanged graph the memo remembers needs no reading.
                let summary = corpus.articles.summary(i);
                let known = summary.as_ref().map(|sum| (sum.content_hash, rdf::graph_digest(file, sum.content_hash, sum.referents.iter().map(|ids| ids.iter().copied()), |id| by_id.get(id).copied())));
                let (referents, settled) = summary.map(|sum| (sum.referents, sum.settled)).unzip();
                if let Some((content_hash, digest)) = known.as_ref().filter(|(_, d)| !wanted(&name, d) && remembered(&name, d)) {
                    let (facts, properties) = (Vec::new(), Vec::new());
                    let (content_hash, digest) = (content_hash.to_string(), digest.clone());
                    return ArticleGraph { name, content_hash, digest, quads: None, facts, properties, lost: false, remembered: true, settled };
                }
                let Some(x) = corpus.articles.get(i, referents) else { return ArticleGraph::lost(name) };
                // The same digest, from the article itself when the source has no summary.
                let digest = known.map(|(_, d)| d).unwrap_or_else(|| rdf::article_digest(&x, entities));
                let properties = x.relations.iter().map(|r| r.property).collect();
                let content_hash = x.article.content_hash.clone();
                let (quads, facts) = if wanted(&name, &digest) {
                    let (_, mut quads, n_facts) = rdf::article_quads(&x, entities);
                    let facts = facts(&quads[..n_facts]);
                    quads.push(graph_hash_quad(&name, &digest));
                    (Some(quads), facts)
                } else {
                    (None, facts(&rdf::fact_quads(&x, entities).1))
                };
                ArticleGraph { name, content_hash, digest, quads, facts, properties, lost: false, remembered: false, settled }
            })
            .collect();
        for ag in graphs {
            write(ag)?;
        }
    }
    Ok(())
}

/// One article graph as the store holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DocState {
    pub content_hash: String,
    pub graph_hash: String,
    /// Known from the memo; not read from the store.
    pub known: Option<Known>,
    /// The article settled for resolution (ids of the memo's terms), from the memo.
    pub settled: Option<Settled>,
}

impl DocState {
    /// Of a graph's quads (an article graph copied as it is).
    #[cfg(feature = "rocksdb")]
    fn of(name: &NamedNode, quads: &[Quad]) -> Self {
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

/// The ontology Turtle as quads of the graph xtr:ontology. Its blank nodes
/// (owl:unionOf lists) get labels by order of appearance, so that every build
/// writes the same quads.
pub fn ontology_quads(k: &Knowledge) -> Vec<Quad> {
    let mut labels: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut stable = |b: &BlankNode| -> BlankNode {
        let n = labels.len();
        labels.entry(b.clone()).or_insert_with(|| BlankNode::new_unchecked(format!("ontology{n}"))).clone()
    };
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(graph(GRAPH_ONTOLOGY))
        .for_slice(k.ontology_ttl.as_bytes())
        .filter_map(Result::ok)
        .map(|mut q| {
            if let NamedOrBlankNode::BlankNode(b) = &q.subject {
                q.subject = stable(b).into();
            }
            if let Term::BlankNode(b) = &q.object {
                q.object = stable(b).into();
            }
            q
        })
        .collect()
}

impl BuildStats {
    fn count_relations<'a>(&mut self, properties: impl Iterator<Item = &'a str>) {
        self.articles += 1;
        for p in properties {
            self.relations += 1;
            *self.by_property.entry(p.to_string()).or_default() += 1;
        }
    }
    fn count_entities(&mut self, entities: &BTreeMap<String, Entity>) {
        for e in entities.values() {
            *self.by_class.entry(e.class.to_string()).or_default() += 1;
        }
        self.entities = entities.len();
    }
}

/// What a build writes: its articles (one extraction at a time), the
/// entities they share, and the articles that could not be read now, whose
/// graphs stay as they are.
pub struct Batch<'a> {
    pub articles: &'a dyn Articles,
    pub entities: &'a BTreeMap<String, Entity>,
    pub unreadable: Vec<String>,
}

impl<'a> Batch<'a> {
    /// A corpus held in memory.
    pub fn of(corpus: &'a Corpus) -> Self {
        Batch { articles: corpus, entities: &corpus.entities, unreadable: corpus.failures.iter().map(|(n, _)| n.clone()).collect() }
    }
}

/// Figures of one build, for the summary.
#[derive(Debug, Default)]
pub struct BuildStats {
    /// Whether every graph was rewritten (asked for, or the knowledge changed).
    pub full: bool,
    /// Article graphs new to the store, rewritten because the article changed,
    /// rewritten because what other articles say changed them, removed, left alone.
    pub added: usize,
    pub changed: usize,
    pub rewritten: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Articles read but not again for their relations (changed meanwhile); their graphs stay.
    pub lost: usize,
    pub articles: usize,
    pub entities: usize,
    pub relations: usize,
    pub inferred: usize,
    pub triples: usize,
    pub by_class: BTreeMap<String, usize>,
    pub by_property: BTreeMap<String, usize>,
    /// Seconds spent in each phase of the writing, for `build --timings`.
    pub phases: Vec<(&'static str, f64)>,
}
