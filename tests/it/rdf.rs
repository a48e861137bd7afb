//! A rebuild makes the inference facts of an unchanged article from its
//! mentions, resolution and cached relations, without reading it again:
//! they must be exactly the facts of the graph a full build writes.

use std::collections::BTreeSet;

use xietong::pipeline::{extract_corpus, Input};
use xietong::rdf;

use crate::common::*;

#[test]
fn the_facts_a_rebuild_keeps_are_those_of_the_written_graph() {
    let k = knowledge();
    let mut inputs: Vec<Input> = std::fs::read_dir(repo().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| Input { name: p.file_name().unwrap().to_string_lossy().into_owned(), bytes: std::fs::read(&p).unwrap() })
        .collect();
    inputs.extend((0..200).map(|i| {
        let (name, text) = xietong::synth::article(k, 11, i);
        Input { name, bytes: text.into_bytes() }
    }));
    let corpus = extract_corpus(&inputs, k);
    let mut relations = 0;
    for x in &corpus.extractions {
        let (_, quads) = rdf::fact_quads(x, &corpus.entities);
        let want: BTreeSet<String> = quads.iter().filter(|q| rdf::feeds_inference(k, q)).map(ToString::to_string).collect();
        let got: BTreeSet<String> = rdf::inference_facts(k, &x.article.source_file, &x.mentions, &x.mention_entities, &x.relations, &corpus.entities)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, want, "{}", x.article.source_file);
        relations += x.relations.len();
    }
    assert!(relations > 1000, "the corpus states relations ({relations})");
}
