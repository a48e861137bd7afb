//! A build does not hold its corpus: each article settled for resolution
//! goes to disk ([`xietong::build::spill`]) and its referents are worked out from
//! it when its graph is made. What it writes must be what the whole
//! corpus held in memory gives.

use std::borrow::Cow;

use rayon::prelude::*;
use xietong::build::spill::SpillWriter;
use xietong::build::{self, ArticlesToWrite, BuildOptions};
use xietong::pipeline::{extract_corpus, ArticleKeysSource, Articles, Input, Reader, Reading, Reread, RereadArticles};
use xietong::resolve::ArticleKeys;
use xietong::store::KgStore;
use xietong::terms::Terms;

use crate::common::{knowledge, repo};

/// The real articles of seeds/ and synthetic ones (many names, short forms
/// and coreference across articles).
fn inputs() -> Vec<Input> {
    let k = knowledge();
    let mut inputs: Vec<Input> = std::fs::read_dir(repo().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| Input { name: p.file_name().unwrap().to_string_lossy().into_owned(), bytes: std::fs::read(&p).unwrap() })
        .collect();
    inputs.extend((0..200).map(|i| {
        let (name, text) = xietong::synth::article(k, 7, i);
        Input { name, bytes: text.into_bytes() }
    }));
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    inputs
}

/// Pass 2 reads articles back from memory here (from the cache in a build).
struct Held(Vec<Reading>);

impl Reread for Held {
    fn read(&self, i: usize, _name: &str, _hash: &str) -> Option<Reading> {
        self.0.get(i).cloned()
    }
}

/// The inputs read as pass 1 reads them (ingest, mentions, settled), with
/// the terms they were settled with.
fn read_all() -> (Vec<Input>, Vec<(Reading, ArticleKeys)>, Terms) {
    let inputs = inputs();
    let reader = Reader::new(knowledge(), Terms::default());
    let reads = inputs.iter().map(|i| reader.read(i).expect("readable")).collect();
    (inputs, reads, reader.into_terms())
}

/// The quads of every graph of a store, sorted.
fn sorted_quads(store: &std::path::Path) -> Vec<String> {
    let kg = KgStore::open(store).unwrap();
    let mut quads: Vec<String> = kg.store.iter().map(|q| q.unwrap().to_string()).collect();
    quads.sort();
    quads
}

#[test]
fn a_build_settled_on_disk_writes_what_the_corpus_in_memory_does() {
    let k = knowledge();
    let inputs = inputs();
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    for i in &inputs {
        std::fs::write(seeds.join(&i.name), &i.bytes).unwrap();
    }

    // The build as the command runs it: pass 1 to the spill, pass 2 from the cache.
    let built = dir.path().join("built");
    let opts = BuildOptions { seeds, store: built.clone(), full: true, leak_corpus: false };
    let report = build::run(&opts, k, &|_| {}).unwrap();
    assert!(report.skipped.is_empty());
    assert_eq!(report.stats.articles, inputs.len());
    assert!(report.stats.relations > 0, "the corpus states relations");

    // The whole corpus held in memory, written the same way.
    let corpus = extract_corpus(&inputs, k);
    let held = dir.path().join("held");
    let mut kg = KgStore::create(&held).unwrap();
    let before = kg.state(&k.fingerprint, true, |_| None).unwrap();
    let stats = build::write_corpus(&mut kg, k, &ArticlesToWrite::of(&corpus), true, before).unwrap();
    drop(kg);
    assert_eq!(stats.triples, report.stats.triples);
    assert_eq!(stats.by_class, report.stats.by_class);
    assert_eq!(stats.by_property, report.stats.by_property);
    assert_eq!(sorted_quads(&built), sorted_quads(&held));
}

#[test]
fn the_spill_reads_back_what_was_written_from_many_threads() {
    let (_, reads, _) = read_all();
    // Written from several threads, in no particular order, as pass 1 does.
    let dir = tempfile::tempdir().unwrap();
    let writer = SpillWriter::create(dir.path()).unwrap();
    let places: Vec<_> = reads.par_iter().rev().map(|(_, s)| writer.put(s)).collect::<Vec<_>>().into_iter().rev().collect();
    let spill = writer.finish(places).unwrap();
    assert_eq!(spill.len(), reads.len());
    for (i, (_, s)) in reads.iter().enumerate() {
        assert_eq!(spill.get(i).as_deref(), Some(s), "article {i} read back from the spill");
    }
    assert!(spill.get(reads.len()).is_none());
}

/// An article whose cached read no longer matches what was settled (a
/// damaged entry) is lost, not mixed with another's referents.
#[test]
fn a_reread_that_differs_from_what_was_settled_is_lost() {
    let k = knowledge();
    let (inputs, reads, terms) = read_all();
    let settled: Vec<_> = reads.iter().map(|(_, s)| s.clone()).collect();
    // Article 0 read back as another, of another length.
    let other = (1..reads.len()).find(|&j| settled[j].len() != settled[0].len()).expect("articles of different lengths");
    let mut wrong: Vec<Reading> = reads.iter().map(|(r, _)| r.clone()).collect();
    wrong.swap(0, other);
    let last = (1..reads.len()).rev().find(|&j| j != other).unwrap();
    let names = inputs.iter().map(|i| i.name.clone()).collect();
    let streamed = RereadArticles::new(names, vec![String::new(); reads.len()], settled, &terms, Held(wrong), k);
    assert!(streamed.get(0, None).is_none());
    assert!(streamed.get(other, None).is_none());
    assert!(matches!(streamed.get(last, None), Some(Cow::Owned(_))));
}
