//! The writing of a build, written once: the lexicon's facts, the article
//! graphs, the old graphs of articles that cannot be read now, the labels,
//! inference, the inferred graph, the memo and `xtr:build`, in that order,
//! into a [`Sink`]. A full build (asked for, a first build, or new
//! knowledge) sends every graph to Oxigraph's bulk loader, filling a fresh
//! store that is swapped in ([`Bulk`]); an incremental one writes each
//! graph that changed in one transaction ([`Transactions`]).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use oxigraph::model::{GraphNameRef, Literal, NamedNode, Quad, Term};
use oxigraph::store::Store;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::memo;
use crate::facts;
use crate::iri::{doc_graph, graph, xt, xtr, GRAPH_BUILD, GRAPH_INFERRED, GRAPH_LABELS};
use crate::knowledge::Knowledge;
use crate::model::{Entity, Sym};
use crate::pipeline::{Articles, InMemoryArticles};
use crate::rdf;
use crate::resolve::ArticleKeys;
use crate::store::{give_back_freed_memory, graph_hash_quad, ontology_quads, quad_hash, quads_digest, DocState, GraphFacts, KgStore, StoreError, StoreState};
use crate::terms::{Terms, Triple};

/// Brings the store in line with a corpus. A full build writes every graph
/// anew into a fresh store ([`KgStore::bulk_rebuild`]). Otherwise each
/// article graph is written (in one transaction) only when its content
/// differs from what the store holds; graphs of articles that are gone are
/// removed, those of articles that could not be read now are kept; the
/// derived graphs are recomputed every time, so that a build that was
/// killed half-way is finished by the next one. The state digest is removed
/// first and written last, with the knowledge fingerprint; then the memo.
///
/// `before` is [`KgStore::state`], read before the corpus was (its terms
/// extended by the corpus's [`ArticleKeys`] articles).
pub fn write_corpus(kg: &mut KgStore, k: &Knowledge, corpus: &ArticlesToWrite<'_>, full: bool, mut before: StoreState) -> Result<BuildStats, StoreError> {
    let full = full || before.fingerprint.as_deref() != Some(k.fingerprint.as_str());
    let mut stats = BuildStats { full, ..Default::default() };
    let mut terms = std::mem::take(&mut before.terms);
    let memo_path = kg.memo_path();
    #[cfg(feature = "rocksdb")]
    if full {
        let docs = &before.docs;
        let counted = &mut stats;
        kg.bulk_rebuild(
            |old, tx| {
                let mut sink = Bulk { old, tx, triples: 0 };
                // A failed send means the loader failed: the store says why.
                let _ = write_graphs(k, corpus, &mut sink, &mut terms, docs, None, &memo_path, counted);
                terms
            },
            // The settled articles went into the memo, written as the
            // graphs were made; what they and the interner held goes back
            // to the system before the loader's files are merged (which
            // adds ~35 MB at 10 000 articles).
            |terms| {
                drop(std::mem::take(terms));
                give_back_freed_memory();
            },
        )?;
        stats.count_entities(corpus.entities);
        return Ok(stats);
    }
    // Until this build writes its own digest, the memo no longer
    // describes the store: a build killed half-way leaves none.
    let mut build_quads_now = before.build_quads;
    if let Some(d) = &before.digest {
        let q = state_digest_quad(d);
        if kg.store.contains(&q)? {
            kg.store.remove(&q)?;
            build_quads_now -= 1;
        }
    }
    let inferred = before.inferred.take();
    let mut sink = Transactions {
        kg,
        full,
        grew: 0,
        keep: HashSet::new(),
        quads_before: before.quads.map(|n| (n, before.build_quads)),
        build_quads_now,
        clock: std::time::Instant::now(),
        phases: Vec::new(),
    };
    write_graphs(k, corpus, &mut sink, &mut terms, &before.docs, inferred, &memo_path, &mut stats)?;
    stats.phases = std::mem::take(&mut sink.phases);
    stats.count_entities(corpus.entities);
    Ok(stats)
}

/// Where a build's graphs go, in the order [`write_graphs`] makes them.
trait Sink {
    type Error;
    /// Whether every article graph is made anew (none left as the store holds it).
    fn rewrites_all(&self) -> bool;
    /// The ontology and lexicon graphs.
    fn vocabulary(&mut self, k: &Knowledge, lexicon: Vec<Quad>) -> Result<(), Self::Error>;
    /// An article graph: made anew (`quads`), or left as the store holds it
    /// (`None`); `old` is what the store held.
    fn article(&mut self, name: &NamedNode, quads: Option<Vec<Quad>>, content_hash: &str, old: Option<&DocState>, stats: &mut BuildStats) -> Result<(), Self::Error>;
    /// An article graph that stays as the store holds it (its article is
    /// lost or cannot be read now); its state, when the sink learnt it
    /// anew (else the memo keeps the old one).
    fn keep(&mut self, name: NamedNode) -> Result<Option<DocState>, Self::Error>;
    /// The article graphs are all made.
    fn articles_done(&mut self);
    /// Removes the graphs of articles that are gone (of `docs`, those neither written nor kept).
    fn remove_gone(&mut self, docs: &BTreeMap<String, DocState>, stats: &mut BuildStats) -> Result<(), Self::Error>;
    fn labels(&mut self, quads: Vec<Quad>) -> Result<(), Self::Error>;
    /// A phase of the writing ended (for `build --timings`).
    fn phase(&mut self, _what: &'static str) {}
    /// The inferred graph; `old` is what the memo remembers of it. Returns its digest.
    fn inferred(&mut self, terms: &Terms, inferred: &FxHashSet<Triple>, old: Option<(Vec<Triple>, String)>) -> Result<String, Self::Error>;
    /// `xtr:build`, written last, naming the memo's `digest`; sets `stats.triples`.
    fn finish(&mut self, k: &Knowledge, digest: &str, stats: &mut BuildStats) -> Result<(), Self::Error>;
}

/// The writing of a build, once for both sinks (see the module's comment).
/// `docs` are the article graphs the store holds; the memo goes to
/// `memo_path` as the graphs are made (it names every article's settled
/// form and facts: it is not held).
#[allow(clippy::too_many_arguments)]
fn write_graphs<S: Sink>(
    k: &Knowledge,
    corpus: &ArticlesToWrite<'_>,
    sink: &mut S,
    terms: &mut Terms,
    docs: &BTreeMap<String, DocState>,
    old_inferred: Option<(Vec<Triple>, String)>,
    memo_path: &Path,
    stats: &mut BuildStats,
) -> Result<(), S::Error> {
    let lexicon = rdf::lexicon_quads(k);
    let mut asserted: FxHashSet<Triple> = lexicon.iter().filter(|q| rdf::feeds_inference(k, q)).filter_map(|q| terms.triple(q)).collect();
    let mut memo = memo::Writer::create(memo_path);
    sink.vocabulary(k, lexicon)?;
    let all = sink.rewrites_all();
    let old = |name: &NamedNode, hash: &str| docs.get(name.as_str()).filter(|old| !all && old.graph_hash == hash);
    let unchanged = |name: &NamedNode, hash: &str| old(name, hash).is_some();
    let remembered = |name: &NamedNode, hash: &str| old(name, hash).is_some_and(|o| o.known.is_some());
    for_each_article_graph(
        k,
        corpus,
        |name, hash| !unchanged(name, hash),
        remembered,
        |mut ag| {
            let old = docs.get(ag.name.as_str());
            if ag.lost {
                stats.lost += 1;
                let name = ag.name.as_str().to_string();
                if let Some(d) = sink.keep(ag.name)?.as_ref().or(old) {
                    memo.doc(&name, d);
                }
                return Ok(());
            }
            sink.article(&ag.name, ag.quads.take(), &ag.content_hash, old, stats)?;
            let known = match old.and_then(|o| o.known.as_ref()).filter(|_| ag.remembered) {
                Some(known) => known.clone(),
                None => known(terms, &ag),
            };
            stats.count_relations(known.properties.iter().map(|&p| terms.get(p)));
            asserted.extend(known.facts.iter().copied());
            memo.doc(ag.name.as_str(), &DocState { content_hash: ag.content_hash, graph_hash: ag.digest, known: Some(known), settled: ag.settled });
            Ok(())
        },
    )?;
    sink.articles_done();
    // Articles that cannot be read now keep their graph (and it stays out of inference).
    for name in &corpus.unreadable {
        let name = doc_graph(name);
        let g = name.as_str().to_string();
        if let Some(d) = sink.keep(name)?.as_ref().or(docs.get(&g)) {
            memo.doc(&g, d);
        }
    }
    sink.remove_gone(docs, stats)?;
    sink.labels(rdf::label_quads(corpus.entities))?;
    sink.phase("store: labels");
    let inferred = facts::infer(k, terms, &asserted);
    drop(asserted);
    stats.inferred = inferred.len();
    sink.phase("store: inference");
    let inferred_digest = sink.inferred(terms, &inferred, old_inferred)?;
    sink.phase("store: inferred graph");
    // The memo goes in place before the store names its digest: until
    // then the store names none, and the memo is not trusted. (One that
    // cannot be written costs the next build a read of the store.)
    let inferred: Vec<Triple> = inferred.into_iter().collect();
    let (digest, _) = memo.finish(terms, &inferred, &inferred_digest);
    sink.finish(k, &digest, stats)
}

/// An incremental build: each graph that changed in one transaction.
struct Transactions<'a> {
    kg: &'a KgStore,
    /// Every graph rewritten (a full build without the bulk loader).
    full: bool,
    /// By how many quads the store grew, so as not to count them all.
    grew: isize,
    /// Article graphs written or kept: the others are gone.
    keep: HashSet<String>,
    /// The store's quads and those of `xtr:build` after the last finished build.
    quads_before: Option<(usize, usize)>,
    /// The quads of `xtr:build` now.
    build_quads_now: usize,
    clock: std::time::Instant,
    phases: Vec<(&'static str, f64)>,
}

impl Sink for Transactions<'_> {
    type Error = StoreError;

    fn rewrites_all(&self) -> bool {
        self.full
    }

    fn vocabulary(&mut self, k: &Knowledge, lexicon: Vec<Quad>) -> Result<(), StoreError> {
        // The same knowledge (else the build is full): the same graphs.
        if self.full {
            self.grew += self.kg.replace_graph(&graph(crate::iri::GRAPH_ONTOLOGY), &ontology_quads(k))?;
            self.grew += self.kg.replace_graph(&graph(crate::iri::GRAPH_LEXICON), &lexicon)?;
        }
        Ok(())
    }

    fn article(&mut self, name: &NamedNode, quads: Option<Vec<Quad>>, content_hash: &str, old: Option<&DocState>, stats: &mut BuildStats) -> Result<(), StoreError> {
        self.keep.insert(name.as_str().to_string());
        match quads {
            None => stats.unchanged += 1,
            Some(quads) => {
                self.grew += self.kg.replace_article(name, &quads)?;
                match old {
                    Some(o) if o.content_hash == content_hash => stats.rewritten += 1,
                    Some(_) => stats.changed += 1,
                    None => stats.added += 1,
                }
            }
        }
        Ok(())
    }

    fn keep(&mut self, name: NamedNode) -> Result<Option<DocState>, StoreError> {
        self.keep.insert(name.into_string());
        Ok(None)
    }

    fn articles_done(&mut self) {
        self.phase("store: article graphs");
    }

    fn remove_gone(&mut self, docs: &BTreeMap<String, DocState>, stats: &mut BuildStats) -> Result<(), StoreError> {
        for doc in docs.keys() {
            if !self.keep.contains(doc) {
                self.grew += self.kg.remove_article(&NamedNode::new_unchecked(doc))?;
                stats.removed += 1;
            }
        }
        Ok(())
    }

    fn labels(&mut self, quads: Vec<Quad>) -> Result<(), StoreError> {
        self.grew += self.kg.update_graph(&graph(GRAPH_LABELS), quads)?.0;
        Ok(())
    }

    fn phase(&mut self, what: &'static str) {
        self.phases.push((what, self.clock.elapsed().as_secs_f64()));
        self.clock = std::time::Instant::now();
    }

    fn inferred(&mut self, terms: &Terms, inferred: &FxHashSet<Triple>, old: Option<(Vec<Triple>, String)>) -> Result<String, StoreError> {
        let (g, digest) = match old {
            Some((old, digest)) => self.kg.patch_inferred(terms, old, inferred, &digest)?,
            None => self.kg.update_graph(&graph(GRAPH_INFERRED), inferred.iter().map(|t| terms.quad(t, &graph(GRAPH_INFERRED))).collect())?,
        };
        self.grew += g;
        Ok(digest)
    }

    fn finish(&mut self, k: &Knowledge, digest: &str, stats: &mut BuildStats) -> Result<(), StoreError> {
        // Every quad but those of xtr:build, then the three it will hold.
        let others = match self.quads_before {
            Some((n, build_quads)) => (n as isize + self.grew) as usize - build_quads,
            None => self.kg.store.len()? - self.build_quads_now,
        };
        stats.triples = others + 3;
        self.kg.replace_graph(&graph(GRAPH_BUILD), &build_quads(k, stats.triples, digest))?;
        #[cfg(feature = "rocksdb")]
        self.kg.store.flush()?;
        self.phase("store: flush");
        Ok(())
    }
}

/// A full build: every graph sent to the bulk loader of a fresh store, graph
/// by graph (the build fingerprint last); stops at the first send the
/// loader no longer hears. An article that cannot be read now keeps the
/// graph the `old` store holds for it. The memo describes the new store
/// only, and names its state digest, so it is ignored until the new store
/// is swapped in.
struct Bulk<'a> {
    old: &'a Store,
    tx: std::sync::mpsc::SyncSender<Vec<Quad>>,
    /// Distinct quads: graphs are disjoint, so they add up graph by graph.
    triples: usize,
}

impl Bulk<'_> {
    fn send(&mut self, quads: Vec<Quad>) -> Result<(), ()> {
        self.triples += quads.iter().collect::<HashSet<_>>().len();
        self.tx.send(quads).map_err(|_| ())
    }
}

impl Sink for Bulk<'_> {
    type Error = ();

    fn rewrites_all(&self) -> bool {
        true
    }

    fn vocabulary(&mut self, k: &Knowledge, lexicon: Vec<Quad>) -> Result<(), ()> {
        self.send(ontology_quads(k))?;
        self.send(lexicon)
    }

    fn article(&mut self, _: &NamedNode, quads: Option<Vec<Quad>>, _: &str, _: Option<&DocState>, stats: &mut BuildStats) -> Result<(), ()> {
        stats.added += 1;
        self.send(quads.unwrap_or_default())
    }

    /// Copied from the old store, as it is, with its modality graphs made
    /// again from its assertions: an earlier version wrote none.
    fn keep(&mut self, name: NamedNode) -> Result<Option<DocState>, ()> {
        let graph_modality = xt("graphModality");
        let mut quads: Vec<Quad> =
            self.old.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref()))).filter_map(Result::ok).filter(|q| q.predicate != graph_modality).collect();
        let state = (!quads.is_empty()).then(|| DocState::of(&name, &quads));
        let modality = rdf::kept_modality_quads(&name, &quads);
        quads.extend(modality);
        self.send(quads)?;
        Ok(state)
    }

    fn articles_done(&mut self) {
        // What the graphs of the articles held is freed in the heaps of the
        // threads that made them; inference and the labels come next.
        give_back_freed_memory();
    }

    fn remove_gone(&mut self, _: &BTreeMap<String, DocState>, _: &mut BuildStats) -> Result<(), ()> {
        Ok(())
    }

    fn labels(&mut self, quads: Vec<Quad>) -> Result<(), ()> {
        self.send(digested(GRAPH_LABELS, quads).0)
    }

    fn inferred(&mut self, terms: &Terms, inferred: &FxHashSet<Triple>, _: Option<(Vec<Triple>, String)>) -> Result<String, ()> {
        // Sent in chunks the size of an article graph: as one vector of
        // quads (130 000 at 10 000 articles) the inferred graph raised a full
        // build's peak by ~40 MB. Its triples are distinct, so the digest
        // adds up chunk by chunk.
        let g = graph(GRAPH_INFERRED);
        let mut sum = 0u128;
        let mut triples = inferred.iter().peekable();
        while triples.peek().is_some() {
            let quads: Vec<Quad> = triples.by_ref().take(512).map(|t| terms.quad(t, &g)).collect();
            sum = quads.iter().fold(sum, |sum, q| sum.wrapping_add(quad_hash(q)));
            self.send(quads)?;
        }
        let digest = format!("{sum:032x}");
        self.send(vec![graph_hash_quad(&xtr(GRAPH_INFERRED), &digest)])?;
        Ok(digest)
    }

    fn finish(&mut self, k: &Knowledge, digest: &str, stats: &mut BuildStats) -> Result<(), ()> {
        let total = self.triples + 3;
        self.send(build_quads(k, total, digest))?;
        stats.triples = self.triples;
        Ok(())
    }
}

/// A derived graph as a full build writes it: with its digest, also returned.
fn digested(g: &str, mut quads: Vec<Quad>) -> (Vec<Quad>, String) {
    let name = xtr(g);
    let digest = quads_digest(&quads);
    quads.push(graph_hash_quad(&name, &digest));
    (quads, digest)
}

/// Articles whose graphs are made at once, on all cores, and graphs waiting
/// for the bulk loader (the store's QUEUE): every graph of a chunk and of the queue is in memory
/// (~500 quads each), and once a build held nothing per article they were
/// its largest part besides the loader. Builds of 10 000 articles, two runs
/// each: chunks of 64 and a queue of 16 peaked at 128–142 MB, 32 and 8 at
/// 117–120 MB, 16 and 4 at 115–118 MB, in the same time (at 1 000, 16 and 4
/// were slower); 256 and 256 had peaked 120 MB higher.
const CHUNK: usize = 32;

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
    settled: Option<ArticleKeys>,
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

/// What a build knows of an article graph it made, for the memo.
fn known(terms: &mut Terms, ag: &ArticleGraph) -> GraphFacts {
    GraphFacts { facts: ag.facts.iter().filter_map(|q| terms.triple(q)).collect(), properties: ag.properties.iter().map(|p| terms.id(p)).collect() }
}

/// Makes each article's graph, a chunk of articles at a time on all cores,
/// and hands them to `write` in corpus order: the quads of the whole corpus
/// are never held at once. Only graphs `wanted` (by name and digest) are
/// made whole; of the others only the facts that feed inference, unless
/// they are `remembered` (else the article is read again for them).
fn for_each_article_graph<E>(
    k: &Knowledge,
    corpus: &ArticlesToWrite<'_>,
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
                let known = summary
                    .as_ref()
                    .map(|sum| (sum.content_hash, rdf::graph_digest(file, sum.content_hash, sum.referents.iter().map(|ids| ids.iter().copied()), |id| by_id.get(id).copied())));
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
pub struct ArticlesToWrite<'a> {
    pub articles: &'a dyn Articles,
    pub entities: &'a BTreeMap<String, Entity>,
    pub unreadable: Vec<String>,
}

impl<'a> ArticlesToWrite<'a> {
    /// A corpus held in memory.
    pub fn of(corpus: &'a InMemoryArticles) -> Self {
        ArticlesToWrite { articles: corpus, entities: &corpus.entities, unreadable: corpus.failures.iter().map(|(n, _)| n.clone()).collect() }
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
