//! The extraction pipeline over a corpus: ingest → mentions → settled for
//! resolution (per article, in parallel) → resolve (across the corpus) →
//! relations (per article). Pure: bytes in, [`Extraction`]s out. The first
//! half of an article's work ([`Reading`]) depends on nothing but its bytes and
//! the knowledge, so a build can keep it and skip it for articles that did
//! not change.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ingest::{ingest, IngestError};
use crate::knowledge::Knowledge;
use crate::mentions::{find, Findings};
use crate::model::{Article, Entity, Extraction, Mention, Referred, Sym};
use crate::relations;
use crate::resolve::{article_keys, resolve_keys, ArticleKeys, Resolution};
use crate::terms::Terms;

/// An input article: its path relative to the seeds folder, and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// One article read up to its mentions. (The mentions come first, as
/// serialised: a build can read them alone from the cache.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reading {
    pub found: Findings,
    pub article: Article,
}

/// What a corpus yields: one extraction per readable article, the entities
/// they share, and the articles that could not be read.
pub struct InMemoryArticles {
    pub extractions: Vec<Extraction>,
    pub entities: BTreeMap<String, Entity>,
    pub failures: Vec<(String, IngestError)>,
}

/// Ingest and mentions of one article.
pub fn read_article(input: &Input, k: &Knowledge) -> Result<Reading, IngestError> {
    let article = ingest(&input.bytes, &input.name, k)?;
    let found = find(&article, k);
    Ok(Reading { article, found })
}

/// Reads articles as a build does: each settled for resolution as soon as
/// its mentions are found, while they are still in the processor's cache
/// (settled after the whole corpus is read, every mention would come back
/// from main memory), into one table of terms for all cores.
pub struct Reader<'k> {
    k: &'k Knowledge,
    terms: std::sync::Mutex<Terms>,
}

impl<'k> Reader<'k> {
    /// `terms`: those of an earlier build, to keep their ids.
    pub fn new(k: &'k Knowledge, terms: Terms) -> Self {
        Reader { k, terms: std::sync::Mutex::new(terms) }
    }
    /// Ingest and mentions of one article, and the article settled.
    pub fn read(&self, input: &Input) -> Result<(Reading, ArticleKeys), IngestError> {
        let read = read_article(input, self.k)?;
        let settled = self.article_keys(&read.found.mentions);
        Ok((read, settled))
    }
    /// Mentions read before (kept in a cache), settled.
    pub fn article_keys(&self, mentions: &[Mention]) -> ArticleKeys {
        let local = article_keys(mentions, self.k);
        local.intern(&mut self.terms.lock().unwrap_or_else(|e| e.into_inner()))
    }
    pub fn into_terms(self) -> Terms {
        self.terms.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// The relations of one article, once its mentions are resolved.
fn relate(read: Reading, mention_entities: Vec<Referred>, k: &Knowledge) -> Extraction {
    let Reading { article, found } = read;
    let relations = relations::extract(&article, &found.mentions, &mention_entities, &found.links, k);
    Extraction { article, mentions: found.mentions, mention_entities, relations, observations: found.observations }
}

/// Resolution across the corpus, then the relations of every article.
/// `terms`: those the articles were settled with.
pub fn finish(reads: Vec<(Reading, ArticleKeys)>, terms: &Terms, failures: Vec<(String, IngestError)>, k: &Knowledge) -> InMemoryArticles {
    let res = resolve_keys(reads.iter().map(|(_, s)| s), terms, k);
    let referents = &res.referents;
    let extractions = reads.into_par_iter().map(|(read, settled)| relate(read, referents.of_owned(&settled), k)).collect();
    InMemoryArticles { extractions, entities: res.entities, failures }
}

/// The articles of a corpus as the store takes them: one extraction at a
/// time, so that a build need not hold them all.
pub trait Articles: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The extraction of article `i`; `None` when it can no longer be read
    /// as it was (the store then keeps its last good graph).
    /// `referents`: its mentions' entities, when the caller has them
    /// already (from [`Articles::summary`]), so as not to work them out twice.
    fn get(&self, i: usize, referents: Option<Vec<Referred>>) -> Option<Cow<'_, Extraction>>;
    /// Its path relative to the seeds folder.
    fn name(&self, i: usize) -> &str;
    /// What is known of article `i` without reading it again, if anything:
    /// enough to tell whether its graph changed, and the article settled
    /// for resolution (for the store's memo).
    fn summary(&self, _i: usize) -> Option<Summary<'_>> {
        None
    }
}

/// An article as resolved, without its text.
pub struct Summary<'a> {
    pub content_hash: &'a str,
    /// For each mention, the entities it refers to.
    pub referents: Vec<Referred>,
    pub settled: ArticleKeys,
}

/// Where pass 2 of a build finds articles again (the extraction cache).
/// Each article comes with its index, name and content hash.
pub trait Reread: Sync {
    /// The read of an article (ingest + mentions).
    fn read(&self, i: usize, name: &str, content_hash: &str) -> Option<Reading>;
}

/// Where a build keeps each article settled between pass 1 and its graph:
/// on disk (`spill`), so that it holds none of them; in memory for a
/// corpus that is.
pub trait ArticleKeysSource: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Article `i` settled; `None` if it can no longer be read.
    fn get(&self, i: usize) -> Option<Cow<'_, ArticleKeys>>;
}

impl ArticleKeysSource for Vec<ArticleKeys> {
    fn len(&self) -> usize {
        self.len()
    }
    fn get(&self, i: usize) -> Option<Cow<'_, ArticleKeys>> {
        self.as_slice().get(i).map(Cow::Borrowed)
    }
}

impl Articles for InMemoryArticles {
    fn len(&self) -> usize {
        self.extractions.len()
    }
    fn get(&self, i: usize, _referents: Option<Vec<Referred>>) -> Option<Cow<'_, Extraction>> {
        self.extractions.get(i).map(Cow::Borrowed)
    }
    fn name(&self, i: usize) -> &str {
        &self.extractions[i].article.source_file
    }
}

/// A corpus read twice, as `build` reads it: the first pass keeps only each
/// article settled for resolution ([`ArticleKeys`]: numbers, not texts or
/// mentions), where `S` keeps it; after resolution, each article whose graph
/// must be made is read again (from the extraction cache) for its relations
/// and dropped once written.
pub struct RereadArticles<'k, R, S> {
    pub names: Vec<String>,
    pub content_hashes: Vec<String>,
    /// Each article settled, in corpus order.
    settled: S,
    pub resolution: Resolution,
    pub reread: R,
    pub k: &'k Knowledge,
}

impl<'k, R: Reread, S: ArticleKeysSource> RereadArticles<'k, R, S> {
    /// `terms` are those the articles were settled with.
    pub fn new(names: Vec<String>, content_hashes: Vec<String>, settled: S, terms: &Terms, reread: R, k: &'k Knowledge) -> Self {
        // An article that cannot be read back counts for nothing here; it
        // is lost when its graph is made.
        let resolution = resolve_keys((0..settled.len()).filter_map(|i| settled.get(i)), terms, k);
        RereadArticles { names, content_hashes, settled, resolution, reread, k }
    }
}

impl<R: Reread, S: ArticleKeysSource> Articles for RereadArticles<'_, R, S> {
    fn len(&self) -> usize {
        self.names.len()
    }
    fn get(&self, i: usize, referents: Option<Vec<Referred>>) -> Option<Cow<'_, Extraction>> {
        let read = self.reread.read(i, &self.names[i], &self.content_hashes[i])?;
        let referents = match referents {
            Some(r) => r,
            None => self.resolution.referents.of_owned(self.settled.get(i)?.as_ref()),
        };
        // Read again, it must be what was resolved (the cache is keyed by
        // content, so only a damaged entry would differ).
        if read.found.mentions.len() != referents.len() {
            return None;
        }
        Some(Cow::Owned(relate(read, referents, self.k)))
    }
    fn name(&self, i: usize) -> &str {
        &self.names[i]
    }
    fn summary(&self, i: usize) -> Option<Summary<'_>> {
        let settled = self.settled.get(i)?.into_owned();
        Some(Summary { content_hash: &self.content_hashes[i], referents: self.resolution.referents.of_owned(&settled), settled })
    }
}

impl InMemoryArticles {
    /// The entities an article mentions, sorted by id. (Not kept in each
    /// extraction: an entity named by thousands of articles is held once.)
    pub fn entities_of(&self, x: &Extraction) -> Vec<&Entity> {
        let mut ids: Vec<&Sym> = x.mention_entities.iter().flatten().collect();
        ids.sort();
        ids.dedup();
        ids.into_iter().filter_map(|id| self.entities.get(id.as_str())).collect()
    }
}

/// An article read and settled, or why it could not be.
type ReadingResult = Result<(Reading, ArticleKeys), IngestError>;

/// The whole pipeline over inputs held in memory.
pub fn extract_corpus(inputs: &[Input], k: &Knowledge) -> InMemoryArticles {
    let reader = Reader::new(k, Terms::default());
    let read: Vec<(String, ReadingResult)> = inputs.par_iter().map(|inp| (inp.name.clone(), reader.read(inp))).collect();
    let mut ok = Vec::new();
    let mut failures = Vec::new();
    for (name, r) in read {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => failures.push((name, e)),
        }
    }
    finish(ok, &reader.into_terms(), failures, k)
}
