//! RDF exports: every format re-parses to the same number of statements.
//! (Diagrams are tested in `diagram`.)

use std::collections::HashSet;

use oxigraph::io::{RdfFormat, RdfParser};

use crate::common::*;

fn count(bytes: &[u8], format: RdfFormat) -> usize {
    let quads: Vec<_> = RdfParser::from_format(format).for_slice(bytes).collect::<Result<_, _>>().expect("export re-parses");
    if format.supports_datasets() {
        quads.len()
    } else {
        quads.into_iter().map(|q| (q.subject, q.predicate, q.object)).collect::<HashSet<_>>().len()
    }
}

#[test]
fn every_rdf_export_reparses_to_the_same_number_of_statements() {
    let nq = xietong(&["export", "--format", "nquads"]);
    assert!(nq.status.success());
    let quads = count(&nq.stdout, RdfFormat::NQuads);
    assert!(quads > 1000, "{quads}");
    let triples =
        RdfParser::from_format(RdfFormat::NQuads).for_slice(&nq.stdout).map(|q| q.map(|q| (q.subject, q.predicate, q.object))).collect::<Result<HashSet<_>, _>>().unwrap().len();
    for (name, format) in [
        ("trig", RdfFormat::TriG),
        ("jsonld", RdfFormat::JsonLd { profile: Default::default() }),
        ("turtle", RdfFormat::Turtle),
        ("ntriples", RdfFormat::NTriples),
        ("rdfxml", RdfFormat::RdfXml),
    ] {
        let out = xietong(&["export", "--format", name]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let expected = if format.supports_datasets() { quads } else { triples };
        assert_eq!(count(&out.stdout, format), expected, "{name}");
    }
}

#[test]
fn the_format_follows_the_file_extension() {
    let dir = tempfile::tempdir().unwrap();
    let ttl = dir.path().join("lexicon.ttl");
    let out = xietong(&["export", "--graph", "https://w3id.org/xietong/id/lexicon", "-o", ttl.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read(&ttl).unwrap();
    assert!(count(&text, RdfFormat::Turtle) > 100);
}
