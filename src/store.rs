//! The on-disk Oxigraph store: replacing graphs in transactions, reading
//! what a build left. The only module that writes to the store.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
#[cfg(feature = "rocksdb")]
use std::path::Path;
use std::path::PathBuf;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, GraphNameRef, Literal, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use sha2::{Digest, Sha256};
use oxigraph::store::Store;

use crate::knowledge::Knowledge;
use crate::pipeline::Corpus;
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
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open(path.to_path_buf(), e.to_string()))?;
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
        Ok(KgStore { store, path: path.to_path_buf() })
    }

    /// Opens an existing store.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.join("CURRENT").exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
        Ok(KgStore { store, path: path.to_path_buf() })
    }

    /// Replaces one named graph with `quads`, in one transaction.
    pub fn replace_graph(&self, g: &GraphName, quads: &[Quad]) -> Result<(), StoreError> {
        let GraphName::NamedNode(name) = g else { return Ok(()) };
        let mut t = self.store.start_transaction()?;
        t.clear_graph(GraphNameRef::NamedNode(name.as_ref()))?;
        t.insert_named_graph(name.as_ref());
        t.extend(quads.iter());
        t.commit()?;
        Ok(())
    }

    /// Makes a named graph hold exactly `quads`, writing only the difference,
    /// in one transaction: derived graphs change little between builds.
    pub fn update_graph(&self, g: &GraphName, quads: Vec<Quad>) -> Result<(), StoreError> {
        let GraphName::NamedNode(name) = g else { return Ok(()) };
        let old: HashSet<Quad> = self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref())))
            .collect::<Result<_, _>>()?;
        let new: HashSet<Quad> = quads.into_iter().collect();
        let mut t = self.store.start_transaction()?;
        t.insert_named_graph(name.as_ref());
        for q in old.difference(&new) {
            t.remove(q);
        }
        for q in new.difference(&old) {
            t.insert(q);
        }
        t.commit()?;
        Ok(())
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
        let fp = xt("knowledgeFingerprint");
        for q in self.store.quads_for_pattern(None, Some(fp.as_ref()), None, None) {
            if let Term::Literal(l) = q?.object {
                st.fingerprint = Some(l.value().to_string());
            }
        }
        Ok(st)
    }

    /// Brings the store in line with a corpus. Each article graph is written
    /// (in one transaction) only when its content differs from what the store
    /// holds, or always with `full`; graphs of articles that are gone are
    /// removed, those of articles that could not be read now are kept; the
    /// derived graphs are recomputed every time, so that a build that was
    /// killed half-way is finished by the next one. The knowledge fingerprint
    /// is written last.
    pub fn write_corpus(&self, k: &Knowledge, corpus: &Corpus, full: bool) -> Result<BuildStats, StoreError> {
        let mut stats = BuildStats::default();
        let before = self.state()?;
        let full = full || before.fingerprint.as_deref() != Some(k.fingerprint.as_str());
        stats.full = full;
        // The ontology and the lexicon change only with the knowledge files.
        let lexicon = rdf::lexicon_quads(k);
        if full {
            self.replace_graph(&graph(GRAPH_ONTOLOGY), &ontology_quads(k))?;
            self.replace_graph(&graph(GRAPH_LEXICON), &lexicon)?;
        }
        let mut all_facts: Vec<Quad> = lexicon;
        let mut keep: HashSet<String> = corpus.failures.iter().map(|(name, _)| format!("{}{}", rdf::XTR, rdf::doc_id(name))).collect();
        for x in &corpus.extractions {
            let (g, mut quads) = rdf::article_quads(x, &corpus.entities);
            let GraphName::NamedNode(name) = &g else { continue };
            let hash = graph_hash(&quads);
            quads.push(Quad::new(name.clone(), xt("graphHash"), Literal::new_simple_literal(&hash), g.clone()));
            keep.insert(name.as_str().to_string());
            match before.docs.get(name.as_str()) {
                Some(old) if !full && old.graph_hash == hash => stats.unchanged += 1,
                old => {
                    self.replace_graph(&g, &quads)?;
                    match old {
                        Some(o) if o.content_hash == x.article.content_hash => stats.rewritten += 1,
                        Some(_) => stats.changed += 1,
                        None => stats.added += 1,
                    }
                }
            }
            stats.articles += 1;
            stats.relations += x.relations.len();
            for r in &x.relations {
                *stats.by_property.entry(r.property.clone()).or_default() += 1;
            }
            all_facts.extend(quads);
        }
        for doc in before.docs.keys() {
            if !keep.contains(doc) {
                self.store.remove_named_graph(NamedNodeRef::new_unchecked(doc))?;
                stats.removed += 1;
            }
        }
        let labels = rdf::label_quads(&corpus.entities);
        self.update_graph(&graph(GRAPH_LABELS), labels)?;
        let inferred = rdf::inferred_quads(k, &all_facts);
        stats.inferred = inferred.len();
        self.update_graph(&graph(GRAPH_INFERRED), inferred)?;
        let build = vec![Quad::new(
            rdf::xtr(GRAPH_BUILD),
            xt("knowledgeFingerprint"),
            Term::from(Literal::new_simple_literal(&k.fingerprint)),
            graph(GRAPH_BUILD),
        )];
        self.replace_graph(&graph(GRAPH_BUILD), &build)?;
        for e in corpus.entities.values() {
            *stats.by_class.entry(e.class.clone()).or_default() += 1;
        }
        stats.entities = corpus.entities.len();
        stats.triples = self.store.len()?;
        #[cfg(feature = "rocksdb")]
        self.store.flush()?;
        Ok(stats)
    }
}

/// A digest of a graph's quads, independent of their order.
pub fn graph_hash(quads: &[Quad]) -> String {
    let mut lines: Vec<String> = quads.iter().map(|q| q.to_string()).collect();
    lines.sort_unstable();
    let mut h = Sha256::new();
    for l in lines {
        h.update(l.as_bytes());
        h.update(b"\n");
    }
    crate::knowledge::hex(&h.finalize()[..16])
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
    pub articles: usize,
    pub entities: usize,
    pub relations: usize,
    pub inferred: usize,
    pub triples: usize,
    pub by_class: BTreeMap<String, usize>,
    pub by_property: BTreeMap<String, usize>,
}
