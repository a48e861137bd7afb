//! A build does not hold its corpus: each article settled for resolution
//! goes to disk ([`xietong::build::spill`]) and its referents are worked out from
//! it when its graph is made. What it extracts must be what the whole
//! corpus held in memory gives.

use std::borrow::Cow;

use rayon::prelude::*;
use xietong::pipeline::{finish, Articles, Input, Read, Reader, Reread, SettledSource, Streamed};
use xietong::resolve::Settled;
use xietong::build::spill::SpillWriter;
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
struct Held(Vec<Read>);

impl Reread for Held {
    fn read(&self, i: usize, _name: &str, _hash: &str) -> Option<Read> {
        self.0.get(i).cloned()
    }
}

/// The inputs read as pass 1 reads them (ingest, mentions, settled), with
/// the terms they were settled with.
fn read_all() -> (Vec<Input>, Vec<(Read, Settled)>, Terms) {
    let inputs = inputs();
    let reader = Reader::new(knowledge(), Terms::default());
    let reads = inputs.iter().map(|i| reader.read(i).expect("readable")).collect();
    (inputs, reads, reader.into_terms())
}

fn json<T: serde::Serialize>(x: &T) -> serde_json::Value {
    serde_json::to_value(x).unwrap()
}

#[test]
fn a_corpus_settled_on_disk_extracts_what_it_does_in_memory() {
    let k = knowledge();
    let (inputs, reads, terms) = read_all();

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

    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let hashes: Vec<String> = reads.iter().map(|(r, _)| r.article.content_hash.clone()).collect();
    let held = Held(reads.iter().map(|(r, _)| r.clone()).collect());
    let streamed = Streamed::new(names, hashes, spill, &terms, held, k);
    let whole = finish(reads, &terms, Vec::new(), k);

    assert_eq!(json(&streamed.resolution.entities), json(&whole.entities));
    assert!(whole.extractions.iter().any(|x| !x.relations.is_empty()), "the corpus states relations");
    for (i, want) in whole.extractions.iter().enumerate() {
        let got = streamed.get(i, None).expect("read back");
        assert_eq!(json(&got.mention_entities), json(&want.mention_entities), "{}", want.article.source_file);
        assert_eq!(json(&got.relations), json(&want.relations), "{}", want.article.source_file);
        let summary = streamed.summary(i).unwrap();
        assert_eq!(json(&summary.referents), json(&want.mention_entities));
        assert_eq!(summary.content_hash, want.article.content_hash);
    }
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
    let mut wrong: Vec<Read> = reads.iter().map(|(r, _)| r.clone()).collect();
    wrong.swap(0, other);
    let last = (1..reads.len()).rev().find(|&j| j != other).unwrap();
    let names = inputs.iter().map(|i| i.name.clone()).collect();
    let streamed = Streamed::new(names, vec![String::new(); reads.len()], settled, &terms, Held(wrong), k);
    assert!(streamed.get(0, None).is_none());
    assert!(streamed.get(other, None).is_none());
    assert!(matches!(streamed.get(last, None), Some(Cow::Owned(_))));
}
