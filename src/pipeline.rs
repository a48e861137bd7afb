//! The extraction pipeline over a corpus: ingest → mentions (per article, in
//! parallel) → resolve (across the corpus) → relations (per article). Pure:
//! bytes in, [`Extraction`]s out.

use std::collections::BTreeMap;

use rayon::prelude::*;

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

/// What a corpus yields: one extraction per readable article, the entities
/// they share, and the articles that could not be read.
pub struct Corpus {
    pub extractions: Vec<Extraction>,
    pub entities: BTreeMap<String, Entity>,
    pub failures: Vec<(String, IngestError)>,
}

pub fn extract_corpus(inputs: &[Input], k: &Knowledge) -> Corpus {
    let read: Vec<(String, Result<(Article, Found), IngestError>)> = inputs
        .par_iter()
        .map(|inp| {
            let r = ingest(&inp.bytes, &inp.name, &k.grammar).map(|a| {
                let f = find(&a, k);
                (a, f)
            });
            (inp.name.clone(), r)
        })
        .collect();
    let mut ok = Vec::new();
    let mut failures = Vec::new();
    for (name, r) in read {
        match r {
            Ok(af) => ok.push(af),
            Err(e) => failures.push((name, e)),
        }
    }
    let pairs: Vec<(&Article, &Found)> = ok.iter().map(|(a, f)| (a, f)).collect();
    let res = resolve(&pairs, k);
    let extractions = ok
        .into_par_iter()
        .zip(res.mention_entities.into_par_iter())
        .map(|((article, found), mention_entities)| {
            let relations = relations::extract(&article, &found.mentions, &mention_entities, &found.links, k);
            let mut ids: Vec<&String> = mention_entities.iter().flatten().collect();
            ids.sort();
            ids.dedup();
            let entities = ids.into_iter().filter_map(|id| res.entities.get(id).cloned()).collect();
            Extraction { article, mentions: found.mentions, mention_entities, entities, relations, observations: found.observations }
        })
        .collect();
    Corpus { extractions, entities: res.entities, failures }
}
