//! Exports: DOT renders in the real Graphviz with the Chinese visible; every
//! RDF format re-parses to the same number of statements.

use std::collections::HashSet;
use std::process::Command;

use oxigraph::io::{RdfFormat, RdfParser};

use crate::common::*;

#[test]
fn dot_renders_in_graphviz_with_chinese_labels() {
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("g.dot");
    let out = xietong(&["export", "--format", "dot", "-o", dot.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = dir.path().join("g.svg");
    let st = Command::new("dot").arg("-Tsvg").arg(&dot).arg("-o").arg(&svg).status().expect("graphviz `dot` is installed");
    assert!(st.success());
    let svg = std::fs::read_to_string(&svg).unwrap();
    // Labels the gold says must be there: the two ends of a required aids line.
    let gold = &golds()[0];
    let (s, o) = gold
        .lines
        .iter()
        .find_map(|l| match l {
            xietong::eval::GoldLine::Relation { subject, property, object, optional: false } if property == "aids" => Some((subject.clone(), object.clone())),
            _ => None,
        })
        .unwrap();
    // (The entity's label is the fullest name the corpus gives it.)
    for name in [&s, &o] {
        assert!(gold_names(name).iter().any(|n| svg.contains(n.as_str())), "{name} missing from the SVG");
    }
    assert!(svg.contains("援助"), "the edge label of xt:aids is missing");
}

#[test]
fn dot_focus_on_an_unknown_name_is_an_error() {
    let out = xietong(&["export", "--format", "dot", "--focus", "不存在的学校名称"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no entity is named"), "{}", stderr(&out));
}

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
