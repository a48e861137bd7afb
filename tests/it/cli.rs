//! The command line: build summary, help, errors, describe.

use crate::common::*;

#[test]
fn build_summary_counts_the_articles() {
    let f = fixture();
    assert!(f.build_stdout.contains(&format!("from {} articles", seed_count())), "{}", f.build_stdout);
    for word in ["entities", "relations", "triples"] {
        assert!(f.build_stdout.contains(word), "{}", f.build_stdout);
    }
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for cmd in ["build", "query", "export", "describe", "path", "stats", "extract", "eval", "serve", "push", "bench"] {
        let out = run_in(&repo(), &[cmd, "--help"]);
        assert!(out.status.success());
        assert!(stdout(&out).contains("Example"), "{cmd} --help has no example");
    }
}

#[test]
fn query_without_a_store_says_how_to_build_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none");
    let out = run_in(&repo(), &["query", "-e", "ASK {}", "--store", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("xietong: no store at"), "{err}");
    assert!(err.contains("xietong build"), "{err}");
}

#[test]
fn invalid_sparql_is_one_clear_error() {
    let out = xietong(&["query", "-e", "SELECT ?x WHERE { ?x "]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("xietong: invalid SPARQL"), "{}", stderr(&out));
}

#[test]
fn describe_gives_facts_with_their_sentences() {
    // A subject of a required aids line of the founding article's gold.
    let gold = &golds()[0];
    let subject = gold
        .lines
        .iter()
        .find_map(|l| match l {
            xietong::eval::GoldLine::Relation { subject, property, optional: false, .. } if property == "aids" => Some(subject.clone()),
            _ => None,
        })
        .expect("gold has an aids line");
    let out = xietong(&["describe", &subject]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("xt:aids"), "{text}");
    assert!(text.contains('“') && text.contains(".txt"), "evidence and article expected: {text}");
}

#[test]
fn extract_prints_relations_with_rule_ids_without_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(&repo(), &["extract", "seeds/000_90bd2cb1578450b3.txt", "--format", "json", "--store", dir.path().join("s").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rels = v["relations"].as_array().expect("relations");
    assert!(!rels.is_empty());
    assert!(rels.iter().all(|r| r["rule"].as_str().is_some_and(|s| !s.is_empty())));
    assert!(!dir.path().join("s").exists(), "extract must not create a store");
}

/// The benchmark, on a corpus small enough for a test, prints every figure
/// the issue asks for (what the figures are is not checked: no timing here),
/// data on stdout and progress on stderr.
#[test]
fn bench_prints_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("bench");
    let out = run_in(&repo(), &["bench", "--sizes", "20", "--query-runs", "1", "--work", work.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("20 articles"), "{report}");
    for figure in
        ["end-to-end build", "bulk load of same quads", "extraction, one core", "jieba-rs cut, one core", "rebuild, 1 article changed", "peak resident memory", "store on disk"]
    {
        let line = report.lines().find(|l| l.trim_start().starts_with(figure)).unwrap_or_else(|| panic!("no {figure:?} in {report}"));
        let number = line.trim_start()[figure.len()..].split_whitespace().next().unwrap_or("");
        assert!(number.parse::<f64>().is_ok(), "{figure}: {line:?}");
    }
    let queries = std::fs::read_dir(repo().join("queries")).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "rq")).count();
    assert_eq!(report.lines().filter(|l| l.trim_start().starts_with("query ") && l.contains("median")).count(), queries, "{report}");
    assert!(stderr(&out).contains("bench: 20: end-to-end build"), "{}", stderr(&out));
}

/// An article whose body was lost (only the page's furniture is left) is
/// named on stderr and counted in the summary when built, and `extract`
/// notes it; an article that reads well is not.
#[test]
fn an_article_read_little_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    let lost = "当前位置:首页 > 新闻中心 > 教育动态\n来源:某某日报 2024-03-01 10:00\n责任编辑:王某\n版权所有 某某教育网\n";
    std::fs::write(seeds.join("lost.txt"), lost).unwrap();
    std::fs::write(seeds.join("read.txt"), "北京某某中学与天津某某小学签订结对协议,两校将在课程建设、教师培训等方面开展合作。\n").unwrap();
    let ontology = repo().join("ontology");
    let store = dir.path().join("store");
    let out = run_in(dir.path(), &["build", "--seeds", "seeds", "--store", store.to_str().unwrap(), "--ontology", ontology.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (err, summary) = (stderr(&out), stdout(&out));
    assert!(err.contains("warning: ") && err.contains("lost.txt") && !err.contains("read.txt"), "{err}");
    assert!(summary.contains("warnings  1 article(s) read little or nothing: lost.txt\n"), "{summary}");
    let out = run_in(dir.path(), &["extract", "seeds/lost.txt", "--ontology", ontology.to_str().unwrap()]);
    assert!(stdout(&out).contains(&format!("note     {}", xietong::ingest::READ_LITTLE)), "{}", stdout(&out));
}

/// The program carries its ontology and its queries: in a folder that holds
/// only articles it builds, lists and answers the prepared questions.
#[test]
fn the_binary_works_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("seeds")).unwrap();
    std::fs::write(dir.path().join("seeds/a.txt"), "保定华信职业学院与廊坊博远职业技术学院签订《师资互派框架协议》。\n").unwrap();
    let out = run_in(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = run_in(dir.path(), &["query", "--list"]);
    assert!(stdout(&list).contains("queries/01_signed_documents.rq"), "{}", stdout(&list));
    let q = run_in(dir.path(), &["query", "queries/01_signed_documents.rq", "--format", "tsv"]);
    assert!(q.status.success(), "{}", stderr(&q));
    assert!(stdout(&q).contains("师资互派框架协议"), "{}", stdout(&q));
}
