//! The on-disk Oxigraph store: replacing graphs in transactions, reading
//! what a build left. The only module that writes to the store.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, NamedNodeRef, NamedOrBlankNode, Quad, Term};
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
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open(path.to_path_buf(), e.to_string()))?;
        let store = Store::open(path).map_err(|e| open_error(path, e))?;
        Ok(KgStore { store, path: path.to_path_buf() })
    }

    /// Opens an existing store.
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

    pub fn named_graphs(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for g in self.store.named_graphs() {
            if let NamedOrBlankNode::NamedNode(n) = g? {
                out.push(n.into_string());
            }
        }
        Ok(out)
    }

    /// Writes a whole corpus: every article graph, then the derived graphs.
    /// Graphs of articles that are gone are removed.
    pub fn write_corpus(&self, k: &Knowledge, corpus: &Corpus) -> Result<BuildStats, StoreError> {
        let mut stats = BuildStats::default();
        let mut keep: Vec<String> = [GRAPH_ONTOLOGY, GRAPH_LEXICON, GRAPH_LABELS, GRAPH_INFERRED, GRAPH_BUILD]
            .iter()
            .map(|g| format!("{}{g}", rdf::XTR))
            .collect();
        let ontology = ontology_quads(k);
        self.replace_graph(&graph(GRAPH_ONTOLOGY), &ontology)?;
        let lexicon = rdf::lexicon_quads(k);
        self.replace_graph(&graph(GRAPH_LEXICON), &lexicon)?;
        let mut all_facts: Vec<Quad> = lexicon.clone();
        for x in &corpus.extractions {
            let (g, quads) = rdf::article_quads(x, &corpus.entities);
            if let GraphName::NamedNode(n) = &g {
                keep.push(n.as_str().to_string());
            }
            self.replace_graph(&g, &quads)?;
            stats.articles += 1;
            stats.relations += x.relations.len();
            for r in &x.relations {
                *stats.by_property.entry(r.property.clone()).or_default() += 1;
            }
            all_facts.extend(quads);
        }
        let labels = rdf::label_quads(&corpus.entities);
        self.replace_graph(&graph(GRAPH_LABELS), &labels)?;
        let inferred = rdf::inferred_quads(k, &all_facts);
        stats.inferred = inferred.len();
        self.replace_graph(&graph(GRAPH_INFERRED), &inferred)?;
        let build = vec![Quad::new(
            rdf::xtr(GRAPH_BUILD),
            xt("knowledgeFingerprint"),
            Term::from(oxigraph::model::Literal::new_simple_literal(&k.fingerprint)),
            graph(GRAPH_BUILD),
        )];
        self.replace_graph(&graph(GRAPH_BUILD), &build)?;
        for g in self.named_graphs()? {
            if !keep.contains(&g) {
                let n = NamedNodeRef::new_unchecked(&g);
                self.store.remove_named_graph(n)?;
            }
        }
        for e in corpus.entities.values() {
            *stats.by_class.entry(e.class.clone()).or_default() += 1;
        }
        stats.entities = corpus.entities.len();
        stats.triples = self.store.len()?;
        self.store.flush()?;
        Ok(stats)
    }
}

/// The ontology Turtle as quads of the graph xtr:ontology.
pub fn ontology_quads(k: &Knowledge) -> Vec<Quad> {
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(graph(GRAPH_ONTOLOGY))
        .for_slice(k.ontology_ttl.as_bytes())
        .filter_map(Result::ok)
        .collect()
}

/// Figures of one build, for the summary.
#[derive(Debug, Default)]
pub struct BuildStats {
    pub articles: usize,
    pub entities: usize,
    pub relations: usize,
    pub inferred: usize,
    pub triples: usize,
    pub by_class: BTreeMap<String, usize>,
    pub by_property: BTreeMap<String, usize>,
}
