//! The extraction pipeline over a corpus: ingest → mentions (per article, in
//! parallel) → resolve (across the corpus) → relations (per article). Pure:
//! bytes in, [`Extraction`]s out. The first half of an article's work
//! ([`Read`]) depends on nothing but its bytes and the knowledge, so a
//! build can keep it and skip it for articles that did not change.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ingest::{ingest, IngestError};
use crate::knowledge::Knowledge;
use crate::mentions::{find, Found};
use crate::model::{Article, Entity, Extraction};
use crate::relations;
use crate::resolve::resolve;

/// An input article: its path relative to the seeds folder, and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// One article read up to its mentions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Read {
    pub article: Article,
    pub found: Found,
}

/// What a corpus yields: one extraction per readable article, the entities
/// they share, and the articles that could not be read.
pub struct Corpus {
    pub extractions: Vec<Extraction>,
    pub entities: BTreeMap<String, Entity>,
    pub failures: Vec<(String, IngestError)>,
}

/// Ingest and mentions of one article.
pub fn read_article(input: &Input, k: &Knowledge) -> Result<Read, IngestError> {
    let article = ingest(&input.bytes, &input.name, k)?;
    let found = find(&article, k);
    Ok(Read { article, found })
}

/// Resolution across the corpus, then the relations of every article.
pub fn finish(reads: Vec<Read>, failures: Vec<(String, IngestError)>, k: &Knowledge) -> Corpus {
    let pairs: Vec<(&Article, &Found)> = reads.iter().map(|r| (&r.article, &r.found)).collect();
    let res = resolve(&pairs, k);
    let extractions = reads
        .into_par_iter()
        .zip(res.mention_entities.into_par_iter())
        .map(|(Read { article, found }, mention_entities)| {
            let relations = relations::extract(&article, &found.mentions, &mention_entities, &found.links, k);
            Extraction { article, mentions: found.mentions, mention_entities, relations, observations: found.observations }
        })
        .collect();
    Corpus { extractions, entities: res.entities, failures }
}

impl Corpus {
    /// The entities an article mentions, sorted by id. (Not kept in each
    /// extraction: an entity named by thousands of articles is held once.)
    pub fn entities_of(&self, x: &Extraction) -> Vec<&Entity> {
        let mut ids: Vec<&String> = x.mention_entities.iter().flatten().collect();
        ids.sort();
        ids.dedup();
        ids.into_iter().filter_map(|id| self.entities.get(id)).collect()
    }
}

/// The whole pipeline over inputs held in memory.
pub fn extract_corpus(inputs: &[Input], k: &Knowledge) -> Corpus {
    let read: Vec<(String, Result<Read, IngestError>)> = inputs.par_iter().map(|inp| (inp.name.clone(), read_article(inp, k))).collect();
    let mut ok = Vec::new();
    let mut failures = Vec::new();
    for (name, r) in read {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => failures.push((name, e)),
        }
    }
    finish(ok, failures, k)
}
