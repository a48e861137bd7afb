//! A build: the articles of a folder into the store, re-reading and
//! rewriting only what changed. Pass 1 reads each article (or takes it as
//! the store's memo or the extraction cache remembers it) and keeps it
//! settled for resolution on disk (the spill); resolution works on all of
//! them; the store then writes each article graph, reading the article back
//! for its relations when its graph must be made. The library's one entry
//! is [`run`]; it prints nothing: what happened is in the [`BuildReport`],
//! and a callback hears of each step as it happens.

pub mod cache;
pub mod memo;
pub mod spill;
#[cfg(feature = "rocksdb")]
mod write;

#[cfg(feature = "rocksdb")]
pub use write::{write_corpus, ArticlesToWrite, BuildStats};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::ingest::IngestError;
use crate::knowledge::Knowledge;
use crate::pipeline::{Input, Reader, Reading, Reread, RereadArticles};
use crate::store::{KgStore, Remembered};
use cache::Cache;
use spill::{Place, SpillWriter};

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The folder of articles (`*.txt`, any encoding).
    pub seeds: PathBuf,
    /// The store folder (made if missing).
    pub store: PathBuf,
    /// Re-read and rewrite everything, not only what changed.
    pub full: bool,
    /// Leave the corpus unfreed at the end, for a process that ends right
    /// after: freeing it piece by piece takes most of a second at ten
    /// thousand articles and gives nothing back.
    pub leak_corpus: bool,
}

/// A step of a build, told to the caller's callback as it happens.
#[derive(Debug)]
pub enum Event<'a> {
    /// Pass 1 starts reading this many articles.
    Reading { total: usize },
    /// Pass 1 has dealt with one more article (from any thread).
    Read,
    /// Pass 1 is over.
    ReadingDone,
    /// A phase of the build ended (named as `build --timings` shows it).
    Phase(&'a str),
    /// A part of the store's writing, and the seconds it took.
    StorePhase(&'a str, f64),
    /// The extraction cache cannot be written: the articles are held in memory.
    CacheUnwritable,
    /// An article read anew was read little or not at all (its body likely
    /// taken for page furniture).
    ReadLittle { path: &'a Path, why: &'a str },
    /// An article could not be read; its last good graph stays.
    Skipped { path: &'a Path, error: &'a IngestError },
}

/// What a build did, for the summary.
#[cfg(feature = "rocksdb")]
#[derive(Debug)]
pub struct BuildReport {
    /// The store's figures (articles, graphs, entities, relations, triples).
    pub stats: BuildStats,
    /// Articles read anew rather than taken from the memo or the cache.
    pub reextracted: usize,
    /// Articles read anew that were read little or not at all: name, why.
    pub read_little: Vec<(String, String)>,
    /// Articles that could not be read (their last good graphs stay): name, why.
    pub skipped: Vec<(String, IngestError)>,
    /// Whether the extraction cache could not be written.
    pub cache_unwritable: bool,
}

/// An article after pass 1 of a build: settled for resolution (and the
/// whole read, when the cache could not keep it), or why it could not be read.
struct Pass1 {
    name: String,
    hash: String,
    /// Where its settled form is in the spill, and the read itself when the cache could not keep it.
    read: Result<(Place, Option<Box<Reading>>), IngestError>,
    /// Read anew rather than from the cache.
    fresh: bool,
    /// Why it was read little or not at all, when it was read anew so.
    little: Option<String>,
}

/// Builds the store from the articles of `opts.seeds` (see the module's
/// comment); `on` hears of each step (from several threads for
/// [`Event::Read`]).
#[cfg(feature = "rocksdb")]
pub fn run(opts: &BuildOptions, k: &Knowledge, on: &(dyn Fn(Event<'_>) + Sync)) -> Result<BuildReport> {
    let (seeds, store, full) = (opts.seeds.as_path(), opts.store.as_path(), opts.full);
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds)
        .with_context(|| format!("cannot read the seeds folder {}", seeds.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    // The store first: a second writer is refused before any work is done.
    let mut kg = KgStore::create(store)?;
    on(Event::Phase("opening the store"));
    // What the store remembers of each article holds under the same knowledge
    // only. (A full build starts an empty table of terms: one that grew over
    // many incremental builds is dropped there.)
    let memo_path = kg.memo_path();
    let remembered =
        |digest: &str| memo::load(&memo_path).filter(|m| m.digest == digest).map(|m| Remembered { docs: m.docs, terms: m.terms, inferred: (m.inferred, m.inferred_digest) });
    let mut before = kg.state(&k.fingerprint, full, remembered)?;
    let reuse = !full && before.fingerprint.as_deref() == Some(k.fingerprint.as_str());
    // Only a memo gives the inferred graph's triples: says which way the state came.
    on(Event::Phase(if before.inferred.is_some() { "store state, from the memo" } else { "store state" }));
    let cache = Cache::beside(store, &k.fingerprint);
    on(Event::Reading { total: files.len() });
    // Pass 1, on all cores: each article as the store's memo remembers it
    // settled for resolution, else from the extraction cache, else read anew
    // and cached (under the same knowledge only). Only the settled article
    // is kept, and on disk (the spill): the build holds none of them; the
    // rest is read back from the cache in pass 2.
    let cache_broken = AtomicBool::new(false);
    let reader = Reader::new(k, std::mem::take(&mut before.terms));
    let beside = store.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let spill = SpillWriter::create(beside).with_context(|| format!("cannot make a temporary file in {}", beside.display()))?;
    let firsts: Vec<Pass1> = files
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            let name = f.strip_prefix(seeds).unwrap_or(f).to_string_lossy().replace('\\', "/");
            let hash = crate::text::content_hash(&bytes);
            let doc = crate::iri::doc_graph(&name).into_string();
            let remembered = reuse.then(|| before.docs.get(&doc)).flatten().filter(|d| d.content_hash == hash).and_then(|d| d.settled.as_ref());
            let cached = || (!full).then(|| cache.get_mentions(&hash)).flatten();
            let mut little = None;
            let (read, fresh) = if let Some(settled) = remembered {
                (Ok((spill.put(settled), None)), false)
            } else if let Some(mentions) = cached() {
                (Ok((spill.put(&reader.article_keys(&mentions)), None)), false)
            } else {
                let read = reader.read(&Input { name: name.clone(), bytes }).map(|(read, settled)| {
                    little = crate::ingest::read_little(&read.article).map(str::to_string);
                    // Held in memory only when the cache cannot keep it.
                    let kept = cache.put(&hash, &read).is_ok();
                    if !kept {
                        cache_broken.store(true, Ordering::Relaxed);
                    }
                    (spill.put(&settled), (!kept).then(|| Box::new(read)))
                });
                (read, true)
            };
            on(Event::Read);
            Ok(Pass1 { name, hash, read, fresh, little })
        })
        .collect::<Result<_>>()?;
    before.terms = reader.into_terms();
    // What the memo remembered of each article settled is in the spill now.
    for d in before.docs.values_mut() {
        d.settled = None;
    }
    on(Event::ReadingDone);
    let cache_unwritable = cache_broken.load(Ordering::Relaxed);
    if cache_unwritable {
        on(Event::CacheUnwritable);
    }
    on(Event::Phase("reading (pass 1)"));
    let hashes: std::collections::HashSet<String> = firsts.iter().map(|f| f.hash.clone()).collect();
    let reextracted = firsts.iter().filter(|f| f.fresh && f.read.is_ok()).count();
    // Articles read anew whose body was most likely lost as furniture.
    let read_little: Vec<(String, String)> = firsts.iter().filter_map(|f| Some((f.name.clone(), f.little.clone()?))).collect();
    for (name, why) in &read_little {
        on(Event::ReadLittle { path: &seeds.join(name), why });
    }
    let (mut names, mut places, mut held, mut keys, mut skipped) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in firsts {
        match f.read {
            Ok((place, h)) => {
                names.push(f.name);
                places.push(place);
                held.push(h);
                keys.push(f.hash);
            }
            Err(e) => skipped.push((f.name, e)),
        }
    }
    for (name, error) in &skipped {
        on(Event::Skipped { path: &seeds.join(name), error });
    }
    // Pass 2, article by article as the store writes them.
    let reread = CacheReread { cache: &cache, held };
    let settled = spill.finish(places).with_context(|| format!("cannot write a temporary file in {}", beside.display()))?;
    let corpus = RereadArticles::new(names, keys, settled, &before.terms, reread, k);
    on(Event::Phase("resolution"));
    let batch = ArticlesToWrite { articles: &corpus, entities: &corpus.resolution.entities, unreadable: skipped.iter().map(|(n, _)| n.clone()).collect() };
    let stats = write_corpus(&mut kg, k, &batch, full, before)?;
    on(Event::Phase("relations and writing"));
    for (what, secs) in &stats.phases {
        on(Event::StorePhase(what, *secs));
    }
    let _ = cache.prune(&hashes);
    on(Event::Phase("pruning the cache"));
    if opts.leak_corpus {
        std::mem::forget(corpus);
    }
    Ok(BuildReport { stats, reextracted, read_little, skipped, cache_unwritable })
}

/// Pass 2 of a build reads articles back from the extraction cache (or
/// from memory, when the cache could not keep them).
struct CacheReread<'a> {
    cache: &'a Cache,
    /// By article index: the reads the cache could not keep. (Boxed: one
    /// slot per article, nearly all empty, of 8 bytes rather than ~380.)
    held: Vec<Option<Box<Reading>>>,
}

impl Reread for CacheReread<'_> {
    fn read(&self, i: usize, name: &str, content_hash: &str) -> Option<Reading> {
        let mut read = self.held[i].as_deref().cloned().or_else(|| self.cache.get(content_hash))?;
        read.article.source_file = name.to_string();
        Some(read)
    }
}

/// glibc raises its mmap threshold to the largest block freed so far, so
/// the bulk loader's freed batches (tens of MB) are then taken from the heap
/// and never given back: a full build of 10 000 articles peaked 180 MB
/// higher. A fixed trim threshold keeps the dynamic threshold off. Call it
/// once, first thing in `main`, before any thread starts.
pub fn keep_freed_memory_short() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 20);
    }
}
