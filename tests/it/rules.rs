//! Every relation rule fires on its own examples with the triples they name,
//! and stays silent on its counter-examples (in the manner of ruff's rule docs).

use xietong::model::{Extraction, Object};
use xietong::pipeline::{extract_corpus, InMemoryArticles, Input};
use xietong::text::norm;

use crate::common::*;

/// The corpus of one example sentence, and its one extraction.
fn extract(text: &str) -> (InMemoryArticles, Extraction) {
    let mut corpus = extract_corpus(&[Input { name: "example.txt".into(), bytes: text.as_bytes().to_vec() }], knowledge());
    assert!(corpus.failures.is_empty(), "{text}: {:?}", corpus.failures);
    let x = corpus.extractions.remove(0);
    (corpus, x)
}

#[test]
fn every_rule_fires_on_its_examples_and_not_on_its_counters() {
    let mut failures = Vec::new();
    for rule in &knowledge().rules.rules {
        for ex in &rule.examples {
            let (corpus, x) = extract(&ex.text);
            let names = |id: &str| entity_names(&corpus, id);
            let fired: Vec<_> = x.relations.iter().filter(|r| r.rule == rule.id).collect();
            if fired.is_empty() {
                failures.push(format!("{}: did not fire on “{}”", rule.id, ex.text));
            }
            for want in &ex.expect {
                let parts: Vec<&str> = want.split('|').collect();
                assert_eq!(parts.len(), 3, "{}: bad expectation {want}", rule.id);
                let ok = fired
                    .iter()
                    .any(|r| r.property == parts[1] && names(&r.subject).contains(&norm(parts[0])) && matches!(&r.object, Object::Entity(o) if names(o).contains(&norm(parts[2]))));
                if !ok {
                    let got: Vec<String> = fired
                        .iter()
                        .map(|r| {
                            format!(
                                "{:?} {} {:?}",
                                names(&r.subject).first(),
                                r.property,
                                match &r.object {
                                    Object::Entity(o) => names(o).first().cloned(),
                                    _ => None,
                                }
                            )
                        })
                        .collect();
                    failures.push(format!("{}: “{}” should give {want}; gave {got:?}", rule.id, ex.text));
                }
            }
        }
        for ex in &rule.counters {
            let (_, x) = extract(&ex.text);
            if x.relations.iter().any(|r| r.rule == rule.id) {
                failures.push(format!("{}: fired on counter-example “{}”", rule.id, ex.text));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_property_of_the_contract_has_a_rule_or_a_name_grammar_source() {
    let k = knowledge();
    let mut props: Vec<&str> = k.rules.rules.iter().map(|r| r.property.as_str()).collect();
    props.extend(k.rules.rules.iter().flat_map(|r| r.object_property.values().map(|p| p.as_str())));
    // Read from the shape of names and phrases by the mention stage.
    props.extend(["subOrganizationOf", "branchOf", "worksFor", "locatedIn", "memberOf"]);
    for p in xietong::eval::SCORED_PROPERTIES {
        assert!(props.contains(&p), "no rule emits xt:{p}");
    }
}

/// The knowledge built into the binary is the ontology folder's, file for file.
#[test]
fn the_built_in_knowledge_is_the_ontology_folder() {
    let built_in = xietong::knowledge::Knowledge::built_in().expect("built-in knowledge loads");
    assert_eq!(built_in.fingerprint, knowledge().fingerprint);
}
