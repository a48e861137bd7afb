//! Golden test of extraction: the built graph scored against the gold files
//! with the scoring of gold/README.md. The floors are the figures reached so
//! far; they only ever go up.

use oxigraph::store::Store;
use xietong::eval::evaluate;

use crate::common::*;

fn report() -> xietong::eval::Report {
    let f = fixture();
    let _g = lock();
    let store = Store::open(&f.store).expect("store opens");
    evaluate(&store, knowledge(), golds()).expect("eval")
}

#[test]
fn extraction_meets_its_floors_on_the_gold_set() {
    let r = report();
    let mut text = Vec::new();
    r.write(true, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert_eq!(r.articles.len(), golds().len(), "{text}");
    assert!(r.articles.iter().all(|a| a.found_article), "{text}");
    assert!(r.entities.f1() >= ENTITY_F1, "entity F1 {:.3} < {ENTITY_F1}\n{text}", r.entities.f1());
    assert!(r.relations.f1() >= RELATION_F1, "relation F1 {:.3} < {RELATION_F1}\n{text}", r.relations.f1());
    assert!(r.attribute_recall() >= ATTRIBUTE_RECALL, "attribute recall {:.3}\n{text}", r.attribute_recall());
    assert!(r.observation_recall() >= OBSERVATION_RECALL, "observation recall {:.3}\n{text}", r.observation_recall());
    assert!(r.identity.ratio() >= IDENTITY, "cross-article identity {:.3}\n{text}", r.identity.ratio());
}

#[test]
fn nothing_is_read_from_page_furniture() {
    // The gold files list what furniture holds as comments; none of the
    // entities the store holds for an article may come from the lines after
    // its body. Checked through the evidence: no assertion quotes a line
    // that the ingest stage should have dropped.
    let out = xietong(&["query", "-e", "SELECT ?e WHERE { ?a xt:evidence ?e }", "--format", "tsv"]);
    let text = stdout(&out);
    for marker in ["免责声明", "相关文章", "今日看点", "责编", "编辑:"] {
        assert!(!text.contains(marker), "evidence from furniture ({marker}): {text}");
    }
}

// The bars of issue 20, on the 21 development articles, are 0.92, 0.80,
// 0.80, 0.80 and 0.95 (identity); these floors sit just under what the
// extractor reached when they were last raised (0.949, 0.929, 0.938, 1.000,
// 0.982 on 2026-12-05).
const ENTITY_F1: f64 = 0.94;
const RELATION_F1: f64 = 0.92;
const ATTRIBUTE_RECALL: f64 = 0.93;
const OBSERVATION_RECALL: f64 = 0.98;
const IDENTITY: f64 = 0.97;

#[test]
fn the_founding_article_alone_meets_its_bars() {
    let r = report();
    let a = r.articles.iter().find(|a| a.stem.starts_with("000_")).expect("the founding article is scored");
    assert!(a.entities.f1() >= 0.95, "entity F1 {:.3}: {:?} {:?}", a.entities.f1(), a.misses, a.false_positives);
    assert!(a.relations.f1() >= 0.90, "relation F1 {:.3}: {:?} {:?}", a.relations.f1(), a.misses, a.false_positives);
}
