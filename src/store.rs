//! The on-disk Oxigraph store: replacing graphs in transactions, reading
//! what a build left. The only module that writes to the store.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
#[cfg(feature = "rocksdb")]
use std::path::Path;
use std::path::PathBuf;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use rayon::prelude::*;
use oxigraph::store::Store;

use crate::knowledge::Knowledge;
use crate::model::Entity;
use crate::pipeline::{Articles, Corpus};
use crate::rdf::{self, graph, xt, GRAPH_BUILD, GRAPH_INFERRED, GRAPH_LABELS, GRAPH_LEXICON, GRAPH_ONTOLOGY};

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
    /// Returns by how many quads the store grew.
    /// The graph keeps a digest of its quads (`xt:graphHash`), so that an
    /// unchanged graph costs no reading at all.
    pub fn update_graph(&self, g: &GraphName, mut quads: Vec<Quad>) -> Result<isize, StoreError> {
        let GraphName::NamedNode(name) = g else { return Ok(0) };
        let hash_quad = digest_quad(name, &quads);
        if self.store.contains(&hash_quad)? {
            return Ok(0);
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
        Ok(grew)
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

    /// What the store holds: each article graph's source file, content hash
    /// and graph hash, and the knowledge fingerprint of the last finished build.
    pub fn state(&self) -> Result<StoreState, StoreError> {
        let mut st = StoreState::default();
        let doc_prefix = format!("{}doc/", rdf::XTR);
        for (prop, slot) in [("sourceFile", 0usize), ("contentHash", 1), ("graphHash", 2)] {
            let p = xt(prop);
            for q in self.store.quads_for_pattern(None, Some(p.as_ref()), None, None) {
                let q = q?;
                let (GraphName::NamedNode(g), Term::Literal(l)) = (&q.graph_name, &q.object) else { continue };
                if !g.as_str().starts_with(&doc_prefix) {
                    continue;
                }
                let e = st.docs.entry(g.as_str().to_string()).or_default();
                match slot {
                    0 => e.source_file = l.value().to_string(),
                    1 => e.content_hash = l.value().to_string(),
                    _ => e.graph_hash = l.value().to_string(),
                }
            }
        }
        for q in self.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(rdf::xtr(GRAPH_BUILD).as_ref()))) {
            let q = q?;
            st.build_quads += 1;
            let Term::Literal(l) = q.object else { continue };
            match q.predicate.as_str().strip_prefix(rdf::XT) {
                Some("knowledgeFingerprint") => st.fingerprint = Some(l.value().to_string()),
                Some("quadCount") => st.quads = l.value().parse().ok(),
                _ => {}
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
    /// that was killed half-way is finished by the next one. The knowledge
    /// fingerprint is written last.
    pub fn write_corpus(&mut self, k: &Knowledge, corpus: &Batch<'_>, full: bool) -> Result<BuildStats, StoreError> {
        let mut clock = std::time::Instant::now();
        let mut lap = |stats: &mut BuildStats, what: &'static str| {
            stats.phases.push((what, clock.elapsed().as_secs_f64()));
            clock = std::time::Instant::now();
        };
        let before = self.state()?;
        let full = full || before.fingerprint.as_deref() != Some(k.fingerprint.as_str());
        let mut stats = BuildStats { full, ..Default::default() };
        lap(&mut stats, "store: reading its state");
        #[cfg(feature = "rocksdb")]
        if full {
            self.rebuild(k, corpus, &mut stats)?;
            stats.count_entities(corpus.entities);
            return Ok(stats);
        }
        let lexicon = rdf::lexicon_quads(k);
        // By how many quads the store grew, so as not to count them all.
        let mut grew: isize = 0;
        if full {
            grew += self.replace_graph(&graph(GRAPH_ONTOLOGY), &ontology_quads(k))?;
            grew += self.replace_graph(&graph(GRAPH_LEXICON), &lexicon)?;
        }
        let mut facts: Vec<Quad> = lexicon.into_iter().filter(|q| rdf::feeds_inference(k, q)).collect();
        let mut keep: HashSet<String> = corpus.unreadable.iter().map(|name| format!("{}{}", rdf::XTR, rdf::doc_id(name))).collect();
        let unchanged = |name: &NamedNode, hash: &str| !full && before.docs.get(name.as_str()).is_some_and(|old| old.graph_hash == hash);
        for_each_article_graph(k, corpus, |name, hash| !unchanged(name, hash), |ag| {
            keep.insert(ag.name.as_str().to_string());
            if ag.lost {
                stats.lost += 1;
                return Ok(());
            }
            match (&ag.quads, before.docs.get(ag.name.as_str())) {
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
            stats.count_relations(&ag.properties);
            facts.extend(ag.facts);
            Ok::<(), StoreError>(())
        })?;
        lap(&mut stats, "store: article graphs");
        for doc in before.docs.keys() {
            if !keep.contains(doc) {
                grew += self.remove_graph(&NamedNode::new_unchecked(doc))?;
                stats.removed += 1;
            }
        }
        grew += self.update_graph(&graph(GRAPH_LABELS), rdf::label_quads(&corpus.entities))?;
        lap(&mut stats, "store: labels");
        let inferred = rdf::inferred_quads(k, &facts);
        stats.inferred = inferred.len();
        lap(&mut stats, "store: inference");
        grew += self.update_graph(&graph(GRAPH_INFERRED), inferred)?;
        lap(&mut stats, "store: inferred graph");
        // Every quad but those of xtr:build, then the two it will hold.
        let others = match before.quads {
            Some(n) => (n as isize + grew) as usize - before.build_quads,
            None => self.store.len()? - before.build_quads,
        };
        stats.triples = others + 2;
        self.replace_graph(&graph(GRAPH_BUILD), &build_quads(k, stats.triples))?;
        stats.count_entities(corpus.entities);
        #[cfg(feature = "rocksdb")]
        self.store.flush()?;
        lap(&mut stats, "store: flush");
        Ok(stats)
    }

    /// A full build: every graph goes through Oxigraph's bulk loader into a
    /// fresh store beside this one (`<store>.new`), marked complete when
    /// loaded, then swapped in by two renames. A build killed at any moment
    /// leaves the old store or the new one; [`recover`] finishes a swap that
    /// was cut short.
    #[cfg(feature = "rocksdb")]
    fn rebuild(&mut self, k: &Knowledge, corpus: &Batch<'_>, stats: &mut BuildStats) -> Result<(), StoreError> {
        let fresh = sibling(&self.path, "new");
        remove_dir(&fresh)?;
        {
            let store = Store::open(&fresh).map_err(|e| open_error(&fresh, e))?;
            // One stream of quads into one `load_quads`: each call would end
            // in files of its own, and many small files make ingestion slow.
            // The graphs are made on another thread while the loader sorts.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Quad>>(256);
            let mut loader = store.bulk_loader().with_max_memory_size_in_megabytes(LOADER_MB);
            let made = std::thread::scope(|scope| {
                let old = &self.store;
                let maker = scope.spawn(move || make_all_graphs(k, corpus, old, tx));
                let loaded = loader.load_quads(rx.into_iter().flatten());
                // If the loader failed, the maker stops at its next send.
                let made = maker.join().map_err(|_| StoreError::Storage("the graph maker panicked".into()))?;
                Ok::<_, StoreError>(loaded.map(|()| made)?)
            })?;
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
    use std::fmt::Write as _;
    use std::hash::Hasher as _;
    struct Sip(siphasher::sip128::SipHasher13);
    impl std::fmt::Write for Sip {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut sum: u128 = 0;
    for q in quads.iter().collect::<HashSet<_>>() {
        let mut h = Sip(siphasher::sip128::SipHasher13::new());
        let _ = write!(h, "{q}");
        sum = sum.wrapping_add(siphasher::sip128::Hasher128::finish128(&h.0).as_u128());
    }
    format!("{sum:032x}")
}

/// `<graph> xt:graphHash "…"` for a derived graph holding `quads`.
fn digest_quad(name: &NamedNode, quads: &[Quad]) -> Quad {
    Quad::new(name.clone(), xt("graphHash"), Literal::new_simple_literal(quads_digest(quads)), name.clone())
}

/// A derived graph as a full build writes it: with its digest.
#[cfg(feature = "rocksdb")]
fn digested(g: &str, mut quads: Vec<Quad>) -> Vec<Quad> {
    quads.push(digest_quad(&rdf::xtr(g), &quads));
    quads
}

/// What [`make_all_graphs`] sent.
#[cfg(feature = "rocksdb")]
#[derive(Default)]
struct Made {
    /// Of the articles: added, lost, relations.
    stats: BuildStats,
    inferred: usize,
    /// Distinct quads: graphs are disjoint, so they add up graph by graph.
    triples: usize,
}

/// Every graph of a full build, sent graph by graph (the build fingerprint
/// last); stops early when the receiver is gone. An article that cannot be
/// read now keeps the graph the `old` store holds for it.
#[cfg(feature = "rocksdb")]
fn make_all_graphs(k: &Knowledge, corpus: &Batch<'_>, old: &Store, tx: std::sync::mpsc::SyncSender<Vec<Quad>>) -> Made {
    let old_graph = |name: &NamedNode| -> Vec<Quad> {
        old.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref()))).filter_map(Result::ok).collect()
    };
    let mut made = Made::default();
    let send = |quads: Vec<Quad>, made: &mut Made| {
        made.triples += quads.iter().collect::<HashSet<_>>().len();
        tx.send(quads).map_err(|_| ())
    };
    let lexicon = rdf::lexicon_quads(k);
    let mut facts: Vec<Quad> = lexicon.iter().filter(|q| rdf::feeds_inference(k, q)).cloned().collect();
    let _ = (|| {
        send(ontology_quads(k), &mut made)?;
        send(lexicon, &mut made)?;
        for_each_article_graph(k, corpus, |_, _| true, |ag| {
            if ag.lost {
                made.stats.lost += 1;
                return send(old_graph(&ag.name), &mut made);
            }
            made.stats.added += 1;
            made.stats.count_relations(&ag.properties);
            facts.extend(ag.facts);
            send(ag.quads.unwrap_or_default(), &mut made)
        })?;
        for name in &corpus.unreadable {
            send(old_graph(&rdf::xtr(&rdf::doc_id(name))), &mut made)?;
        }
        send(digested(GRAPH_LABELS, rdf::label_quads(&corpus.entities)), &mut made)?;
        let inferred = rdf::inferred_quads(k, &facts);
        made.inferred = inferred.len();
        send(digested(GRAPH_INFERRED, inferred), &mut made)?;
        let total = made.triples + 2;
        send(build_quads(k, total), &mut made)
    })();
    made
}

/// The bulk loader's memory budget. Its default (2 GB a thread) holds a
/// million quads per thread in memory; this keeps a build's peak near a
/// constant for any corpus size, for little speed.
#[cfg(feature = "rocksdb")]
const LOADER_MB: usize = 400;

/// Marks a store written by [`KgStore::rebuild`] as wholly loaded.
#[cfg(feature = "rocksdb")]
const COMPLETE: &str = "XIETONG_COMPLETE";

/// `<store>.new`, `<store>.old`: the folders of a full build's swap.
#[cfg(feature = "rocksdb")]
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

/// The two quads of `xtr:build`, written last: the knowledge fingerprint and
/// how many quads the store holds with them.
fn build_quads(k: &Knowledge, total: usize) -> Vec<Quad> {
    let b = rdf::xtr(GRAPH_BUILD);
    vec![
        Quad::new(b.clone(), xt("knowledgeFingerprint"), Term::from(Literal::new_simple_literal(&k.fingerprint)), graph(GRAPH_BUILD)),
        Quad::new(b, xt("quadCount"), Term::from(Literal::from(total as i64)), graph(GRAPH_BUILD)),
    ]
}

/// An article graph: its name, digest ([`rdf::article_digest`]), its quads
/// (with `xt:graphHash`) when it is to be written, and the quads of its facts
/// that feed inference, which every build needs. (Provenance feeds none:
/// taking facts from [`rdf::fact_quads`] alone keeps full and incremental
/// builds alike.)
struct ArticleGraph {
    name: NamedNode,
    content_hash: String,
    quads: Option<Vec<Quad>>,
    facts: Vec<Quad>,
    /// The property of each relation, for the summary.
    properties: Vec<String>,
    /// The article could not be read again as it was resolved: its graph stays.
    lost: bool,
}

/// Makes each article's graph, a chunk of articles at a time on all cores,
/// and hands them to `write` in corpus order: the quads of the whole corpus
/// are never held at once. Only graphs `wanted` (by name and digest) are
/// made whole; of the others only the facts that feed inference.
fn for_each_article_graph<E>(
    k: &Knowledge,
    corpus: &Batch<'_>,
    wanted: impl Fn(&NamedNode, &str) -> bool + Sync,
    mut write: impl FnMut(ArticleGraph) -> Result<(), E>,
) -> Result<(), E> {
    let facts = |quads: &[Quad]| quads.iter().filter(|q| rdf::feeds_inference(k, q)).cloned().collect::<Vec<_>>();
    let entities = corpus.entities;
    let indices: Vec<usize> = (0..corpus.articles.len()).collect();
    for chunk in indices.chunks(256) {
        let graphs: Vec<ArticleGraph> = chunk
            .par_iter()
            .map(|&i| {
                let file = corpus.articles.name(i);
                let name = rdf::xtr(&rdf::doc_id(file));
                // An unchanged graph whose relations are known needs no reading.
                if let Some(sum) = corpus.articles.summary(i) {
                    let digest = rdf::graph_digest(file, sum.content_hash, sum.mention_entities, entities);
                    if !wanted(&name, &digest) {
                        if let Some((_, relations)) = corpus.articles.relations_as_made(i).filter(|(d, _)| *d == digest) {
                            let facts = rdf::inference_facts(k, file, sum.mentions, sum.mention_entities, &relations, entities);
                            let properties = relations.into_iter().map(|r| r.property).collect();
                            return ArticleGraph { name, content_hash: sum.content_hash.to_string(), quads: None, facts, properties, lost: false };
                        }
                    }
                }
                let Some(x) = corpus.articles.get(i) else {
                    return ArticleGraph { name, content_hash: String::new(), quads: None, facts: Vec::new(), properties: Vec::new(), lost: true };
                };
                let hash = rdf::article_digest(&x, entities);
                let properties = x.relations.iter().map(|r| r.property.clone()).collect();
                let content_hash = x.article.content_hash.clone();
                if wanted(&name, &hash) {
                    let (_, mut quads, n_facts) = rdf::article_quads(&x, entities);
                    let facts = facts(&quads[..n_facts]);
                    quads.push(Quad::new(name.clone(), xt("graphHash"), Literal::new_simple_literal(&hash), name.clone()));
                    ArticleGraph { facts, name, content_hash, quads: Some(quads), properties, lost: false }
                } else {
                    ArticleGraph { facts: facts(&rdf::fact_quads(&x, entities).1), name, content_hash, quads: None, properties, lost: false }
                }
            })
            .collect();
        for ag in graphs {
            write(ag)?;
        }
    }
    Ok(())
}

/// One article graph as the store holds it.
#[derive(Debug, Clone, Default)]
pub struct DocState {
    pub source_file: String,
    pub content_hash: String,
    pub graph_hash: String,
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
    fn count_relations(&mut self, properties: &[String]) {
        self.articles += 1;
        self.relations += properties.len();
        for p in properties {
            *self.by_property.entry(p.clone()).or_default() += 1;
        }
    }
    fn count_entities(&mut self, entities: &BTreeMap<String, Entity>) {
        for e in entities.values() {
            *self.by_class.entry(e.class.clone()).or_default() += 1;
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
