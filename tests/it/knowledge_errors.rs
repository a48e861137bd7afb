//! A broken ontology, lexicon, grammar or rules file is one clear error that
//! names the file and the line:column.

use std::path::Path;

use xietong::knowledge::Knowledge;

use crate::common::*;

fn copy_ontology(to: &Path) {
    for f in xietong::knowledge::FILES {
        std::fs::copy(repo().join("ontology").join(f), to.join(f)).unwrap();
    }
}

fn break_file(name: &str, from: &str, to: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    copy_ontology(dir.path());
    let p = dir.path().join(name);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{name} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    match Knowledge::load(dir.path()) {
        Ok(_) => panic!("{name} with {to:?} must not load"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn toml_syntax_errors_carry_line_and_column() {
    let e = break_file("rules.toml", "[[rule]]", "[[rule]");
    assert!(e.contains("rules.toml:"), "{e}");
    let pos = e.split("rules.toml:").nth(1).unwrap();
    let mut it = pos.split(':');
    assert!(it.next().unwrap().parse::<usize>().is_ok(), "{e}");
    assert!(it.next().unwrap().parse::<usize>().is_ok(), "{e}");
}

#[test]
fn a_rule_with_an_unknown_property_is_refused() {
    let e = break_file("rules.toml", "property = \"heldIn\"", "property = \"heldAt\"");
    assert!(e.contains("xt:heldAt") && e.contains("rules.toml:"), "{e}");
}

#[test]
fn turtle_errors_carry_line_and_column() {
    let e = break_file("xietong.ttl", "xt:Organization a owl:Class ;", "xt:Organization a owl:Class ; ] ;");
    assert!(e.contains("xietong.ttl:"), "{e}");
}

#[test]
fn a_grammar_class_that_the_ontology_lacks_is_refused() {
    let e = break_file("grammar.toml", "\"幼儿园\" = \"Kindergarten\"", "\"幼儿园\" = \"Nursery\"");
    assert!(e.contains("xt:Nursery") && e.contains("grammar.toml:"), "{e}");
}

#[test]
fn a_bad_places_row_names_its_line() {
    let e = break_file("places.tsv", "\tprovince\t", "\tkingdom\t");
    assert!(e.contains("places.tsv:2:"), "{e}");
}

#[test]
fn build_with_a_broken_rules_file_leaves_the_store_alone() {
    let dir = tempfile::tempdir().unwrap();
    let onto = dir.path().join("ontology");
    std::fs::create_dir(&onto).unwrap();
    copy_ontology(&onto);
    let p = onto.join("rules.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("far_gap = 60", "far_gap = [", 1)).unwrap();
    let store = dir.path().join("store");
    let out = run_in(&repo(), &["build", "--store", store.to_str().unwrap(), "--ontology", onto.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("xietong: ") && stderr(&out).contains("rules.toml:"), "{}", stderr(&out));
    assert!(!store.exists(), "the store must not be touched");
}

#[test]
fn a_lexicon_syntax_error_names_its_line() {
    let e = break_file("lexicon.toml", "[[group]]", "[[group]");
    assert!(e.contains("lexicon.toml:"), "{e}");
}
