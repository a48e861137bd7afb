//! Properties of extraction on arbitrary input: it never panics, every span
//! lies inside its text and sentence, and the same bytes give the same result.
//! Inputs come from a seeded generator, so a failure can be replayed.

use xietong::pipeline::{extract_corpus, Input};

use crate::common::*;

use xietong::synth::Rng;

/// Text made of the pieces Chinese news is made of: names, suffixes,
/// triggers, punctuation, quotes, brackets, digits, line breaks.
fn chinese_like(rng: &mut Rng) -> Vec<u8> {
    const PIECES: [&str; 40] = [
        "北京",
        "天津市",
        "河北省",
        "雄安新区",
        "第四",
        "八十",
        "中学",
        "小学",
        "幼儿园",
        "职业学院",
        "校区",
        "教委",
        "与",
        "和",
        "、",
        ",",
        "。",
        "!",
        "“",
        "”",
        "《",
        "》",
        "(",
        ")",
        "援助",
        "支持",
        "签署",
        "合作办学",
        "该校",
        "三地",
        "党委书记",
        "张",
        "力",
        "表示",
        "202所",
        "近100%",
        "10月8日",
        "\n",
        "2023年-2025年",
        " ",
    ];
    let n = rng.below(120) as usize;
    (0..n).flat_map(|_| PIECES[rng.below(PIECES.len() as u64) as usize].as_bytes().to_vec()).collect()
}

fn raw_bytes(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(300);
    (0..n).map(|_| rng.next_u64() as u8).collect()
}

fn check(bytes: &[u8]) {
    let k = knowledge();
    let input = || [Input { name: "p.txt".into(), bytes: bytes.to_vec() }];
    let a = extract_corpus(&input(), k);
    let b = extract_corpus(&input(), k);
    // Resolution keeps every article's referents in one flat table: each
    // mention of each article gets its own, distinct, known entities.
    let pair = [Input { name: "a.txt".into(), bytes: "天津市教委与雄安新区签署协议。".into() }, input().into_iter().next().unwrap()];
    for x in &extract_corpus(&pair, k).extractions {
        assert_eq!(x.mention_entities.len(), x.mentions.len(), "one entry per mention in {}", x.article.source_file);
    }
    for x in &a.extractions {
        assert_eq!(x.mention_entities.len(), x.mentions.len());
        for ids in &x.mention_entities {
            assert!(ids.iter().all(|id| a.entities.contains_key(id.as_str())), "unknown entity among {ids:?}");
            assert!(ids.iter().enumerate().all(|(i, id)| !ids[..i].contains(id)), "an entity twice in {ids:?}");
        }
    }
    assert_eq!(a.failures.len(), b.failures.len());
    for (x, y) in a.extractions.iter().zip(&b.extractions) {
        assert_eq!(serde_json::to_string(x).unwrap(), serde_json::to_string(y).unwrap(), "not deterministic on {bytes:?}");
        let n = x.article.text.chars().count();
        assert_eq!(x.article.original_offsets.len(), if x.article.original.is_some() { n } else { 0 });
        for s in &x.article.sentences {
            assert!(s.span.start < s.span.end && s.span.end <= n, "sentence span {:?} outside {n}", s.span);
            let text: String = x.article.text.chars().skip(s.span.start).take(s.span.len()).collect();
            assert_eq!(text, x.article.sentence_text(s), "a sentence's text is its span");
        }
        for m in &x.mentions {
            let s = &x.article.sentences[m.sentence];
            assert!(s.span.start <= m.span.start && m.span.end <= s.span.end, "mention {m:?} outside its sentence");
            assert!(!m.surface.is_empty());
        }
        for r in &x.relations {
            assert!(r.sentence < x.article.sentences.len());
        }
    }
}

#[test]
fn extraction_is_total_bounded_and_deterministic_on_chinese_like_text() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..400 {
        let bytes = chinese_like(&mut rng);
        check(&bytes);
    }
}

#[test]
fn extraction_is_total_on_arbitrary_bytes() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..400 {
        let bytes = raw_bytes(&mut rng);
        check(&bytes);
    }
}
