//! Ingest and extraction on arbitrary bytes: no panic, spans inside their
//! text, and the same bytes give the same result.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xietong::knowledge::Knowledge;
use xietong::pipeline::{extract_corpus, Input};

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ontology");
        Knowledge::load(&dir).expect("the ontology folder loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let k = knowledge();
    let run = || extract_corpus(&[Input { name: "fuzz.txt".into(), bytes: data.to_vec() }], k);
    let a = run();
    for x in &a.extractions {
        let n = x.article.text.chars().count();
        for s in &x.article.sentences {
            assert!(s.span.start < s.span.end && s.span.end <= n);
        }
        for m in &x.mentions {
            let s = &x.article.sentences[m.sentence];
            assert!(s.span.start <= m.span.start && m.span.end <= s.span.end);
        }
    }
    let b = run();
    assert_eq!(a.extractions.len(), b.extractions.len());
    for (x, y) in a.extractions.iter().zip(&b.extractions) {
        assert_eq!(x.relations, y.relations);
        assert_eq!(x.mentions, y.mentions);
    }
});
