//! Incremental builds, one writer, bad input, runaway queries, and builds
//! killed half-way: the store stays whole and the next build completes it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oxigraph::io::{RdfFormat, RdfParser};

use crate::common::*;

fn seeds_copy(dir: &Path) -> PathBuf {
    let to = dir.join("seeds");
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(repo().join("seeds")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    to
}

fn build(seeds: &Path, store: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--seeds", seeds.to_str().unwrap(), "--store", store.to_str().unwrap()];
    args.extend(extra);
    run_in(&repo(), &args)
}

/// The store's quads as sorted N-Quads lines, read by the real binary.
fn dump(store: &Path) -> Vec<String> {
    let out = run_in(&repo(), &["export", "--format", "nquads", "--store", store.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut lines: Vec<String> = RdfParser::from_format(RdfFormat::NQuads).for_slice(&out.stdout).map(|q| q.unwrap().to_string()).collect();
    lines.sort();
    lines
}

/// The same folder built into a fresh store (`dir/name`), dumped.
fn clean_dump(seeds: &Path, dir: &Path, name: &str) -> Vec<String> {
    let clean = dir.join(name);
    let out = build(seeds, &clean, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    dump(&clean)
}

/// The `triples N` of a build summary.
fn summary_triples(summary: &str) -> usize {
    summary.lines().find_map(|l| l.trim().strip_prefix("triples")).and_then(|v| v.split_whitespace().next()?.parse().ok()).expect("a triples line")
}

#[test]
fn a_rebuild_touches_only_what_changed_and_equals_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    let again = build(&seeds, &store, &["--timings"]);
    assert!(stdout(&again).contains(&format!("0 added, 0 changed, 0 removed, {} unchanged; 0 re-extracted", seed_count())), "{}", stdout(&again));
    // The memo the full build wrote as it made the graphs describes the store it made.
    assert!(stderr(&again).contains("store state, from the memo"), "{}", stderr(&again));
    // Where the time and memory went, on stderr only.
    for phase in ["reading (pass 1)", "resolution", "relations and writing"] {
        let line = stderr(&again).lines().find(|l| l.contains(phase)).map(str::to_string);
        assert!(line.as_deref().is_some_and(|l| l.contains(" s ") && l.contains("MB peak")), "{phase}: {}", stderr(&again));
        assert!(!stdout(&again).contains(phase));
    }
    // Edit one article, delete one, add one.
    let first = std::fs::read_dir(&seeds).unwrap().map(|e| e.unwrap().path()).min().unwrap();
    let mut text = std::fs::read_to_string(&first).unwrap();
    text.push_str("\n海淀育英小学与容城县第一小学签订对口帮扶协议。\n");
    std::fs::write(&first, text).unwrap();
    let last = std::fs::read_dir(&seeds).unwrap().map(|e| e.unwrap().path()).max().unwrap();
    std::fs::rename(&last, dir.path().join("gone.txt")).unwrap();
    std::fs::write(seeds.join("200_new.txt"), "北京航运职业学院与廊坊博远职业技术学院开展联合办学。\n").unwrap();
    let inc = build(&seeds, &store, &[]);
    let summary = stdout(&inc);
    assert!(summary.contains("1 added, 1 changed, 1 removed"), "{summary}");
    assert!(summary.contains("2 re-extracted"), "{summary}");
    // The count a rebuild keeps up to date is the store's.
    assert_eq!(summary_triples(&summary), dump(&store).len(), "{summary}");
    // The same as building the same folder into a fresh store.
    let clean = dir.path().join("clean");
    let full = build(&seeds, &clean, &[]);
    assert!(full.status.success());
    assert_eq!(summary_triples(&stdout(&full)), dump(&clean).len());
    assert_eq!(dump(&store), dump(&clean));
}

#[test]
fn a_second_writer_is_refused_with_the_store_named() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    let held = oxigraph::store::Store::open(&store).unwrap();
    let started = Instant::now();
    let out = build(&seeds, &store, &[]);
    assert!(started.elapsed() < Duration::from_secs(20), "it must not hang");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("xietong: the store ") && err.contains(store.to_str().unwrap()) && err.contains("in use"), "{err}");
    // Readers are not writers: a query answers beside the one who holds the store.
    let q = run_in(dir.path(), &["query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e", "SELECT (COUNT(*) AS ?n) { ?s a xt:NewsArticle }"]);
    assert!(q.status.success(), "{}", stderr(&q));
    let articles = std::fs::read_dir(&seeds).unwrap().count();
    assert!(stdout(&q).lines().nth(1).is_some_and(|n| n.trim() == articles.to_string()), "{}", stdout(&q));
    drop(held);
    assert!(build(&seeds, &store, &[]).status.success(), "the store is undamaged");
}

#[test]
fn bad_articles_are_skipped_and_reported_while_the_others_are_built() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    std::fs::write(seeds.join("binary.txt"), [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    std::fs::write(seeds.join("empty.txt"), "  \n").unwrap();
    std::fs::write(seeds.join("undecodable.txt"), [0x41, 0xe9, 0x80, 0xfd, 0xc3, 0x28, 0xa0, 0x20].repeat(50)).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode("保定华信职业学院与廊坊博远职业技术学院签订师资互派框架协议。");
    std::fs::write(seeds.join("gbk.txt"), &gbk).unwrap();
    let (big5, _, _) = encoding_rs::BIG5.encode("北京航運職業學院與廊坊博遠職業技術學院開展聯合辦學。");
    std::fs::write(seeds.join("big5.txt"), &big5).unwrap();
    let store = dir.path().join("store");
    let out = build(&seeds, &store, &[]);
    assert_eq!(out.status.code(), Some(1), "a skipped article makes the exit code 1");
    let err = stderr(&out);
    for (file, cause) in [("binary.txt", "binary"), ("empty.txt", "empty"), ("undecodable.txt", "decode")] {
        assert!(err.lines().any(|l| l.starts_with("xietong: ") && l.contains(file) && l.contains(cause)), "{file}: {err}");
    }
    assert!(!err.contains("panick"), "{err}");
    assert!(stdout(&out).contains(&format!("from {} articles", seed_count() + 2)), "{}", stdout(&out));
    let q = run_in(&repo(), &["query", "-e", "SELECT ?l WHERE { ?e rdfs:label ?l }", "--format", "tsv", "--store", store.to_str().unwrap()]);
    let labels = stdout(&q);
    assert!(labels.contains("师资互派框架协议"), "the GBK article is read");
    assert!(labels.contains("北京航运职业学院"), "the Big5 article is read and converted to Simplified");
}

#[test]
fn an_article_without_punctuation_is_cut_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    std::fs::write(seeds.join("long.txt"), "北京航运职业学院与廊坊博远职业技术学院开展联合办学".repeat(20_000)).unwrap();
    let out = build(&seeds, &dir.path().join("store"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn missing_seeds_and_unwritable_stores_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = build(&dir.path().join("nope"), &dir.path().join("store"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("xietong: cannot read the seeds folder") && stderr(&out).contains("nope"), "{}", stderr(&out));
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let seeds = seeds_copy(dir.path());
    let out = build(&seeds, &file.join("store"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("xietong: cannot open the store"), "{}", stderr(&out));
}

#[test]
fn a_runaway_query_is_cancelled() {
    // A cross product of every triple thrice: it does not end unless cancelled.
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let out = xietong(&["query", "-e", q, "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cancelled"), "{}", stderr(&out));
}

/// Each article graph and modality graph of a store: (graph IRI, content
/// hash (none for a modality graph), number of quads).
fn graphs(store: &Path) -> std::collections::BTreeMap<String, (String, usize)> {
    let mut out = std::collections::BTreeMap::new();
    for line in dump(store) {
        let q = RdfParser::from_format(RdfFormat::NQuads).for_slice(line.as_bytes()).next().unwrap().unwrap();
        let oxigraph::model::GraphName::NamedNode(g) = &q.graph_name else { continue };
        if !g.as_str().starts_with(xietong::iri::DOC_PREFIX) && !g.as_str().starts_with(xietong::iri::MODALITY_PREFIX) {
            continue;
        }
        let e = out.entry(g.as_str().to_string()).or_insert((String::new(), 0));
        e.1 += 1;
        if q.predicate.as_str().ends_with("#contentHash") {
            if let oxigraph::model::Term::Literal(l) = &q.object {
                e.0 = l.value().to_string();
            }
        }
    }
    out
}

#[test]
fn builds_killed_at_random_moments_leave_every_article_old_or_new() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    // A corpus big enough for a build to be caught half-way.
    let originals: Vec<PathBuf> = std::fs::read_dir(repo().join("seeds")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    for i in 0..40 {
        let src = &originals[i % originals.len()];
        let mut text = std::fs::read_to_string(src).unwrap();
        text.push_str(&format!("\n第{i}号稿件。\n"));
        std::fs::write(seeds.join(format!("{i:03}.txt")), text).unwrap();
    }
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    let old = graphs(&store);
    // The new state: every article edited.
    for i in 0..40 {
        let p = seeds.join(format!("{i:03}.txt"));
        let mut text = std::fs::read_to_string(&p).unwrap();
        text.push_str("海淀育英小学与容城县第一小学结对。\n");
        std::fs::write(&p, text).unwrap();
    }
    let reference = dir.path().join("reference");
    assert!(build(&seeds, &reference, &[]).status.success());
    let new = graphs(&reference);
    let mut seed = 0x9e3779b97f4a7c15u64;
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(seed % 400);
        let mut child = Command::new(env!("CARGO_BIN_EXE_xietong"))
            .current_dir(repo())
            .args(["build", "--full", "--seeds", seeds.to_str().unwrap(), "--store", store.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = graphs(&store);
        // A full build swaps the whole store: no article graph goes missing.
        assert_eq!(now.keys().collect::<Vec<_>>(), old.keys().collect::<Vec<_>>(), "round {round} ({delay:?})");
        for (g, state) in &now {
            assert!(old.get(g) == Some(state) || new.get(g) == Some(state), "round {round} ({delay:?}): {g} is half-written: {state:?}");
        }
    }
    assert!(build(&seeds, &store, &[]).status.success());
    assert_eq!(dump(&store), dump(&reference), "the next build completes the store");
}

/// A full build loads a fresh store beside the old one and swaps them by two
/// renames. Cut between the renames, the store is at `.old` and the new one,
/// marked complete, at `.new`: the next command finishes the swap; an
/// unfinished `.new` is thrown away.
#[test]
fn a_full_build_cut_between_its_renames_is_finished_by_the_next_command() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    let (old, fresh) = (dir.path().join("store.old"), dir.path().join("store.new"));
    assert!(build(&seeds, &store, &[]).status.success());
    let before = dump(&store);
    // The moment after the first rename: a complete new store waits.
    copy_dir(&store, &fresh);
    std::fs::write(fresh.join("XIETONG_COMPLETE"), "").unwrap();
    std::fs::rename(&store, &old).unwrap();
    assert_eq!(dump(&store), before, "a reader finishes the swap");
    assert!(!fresh.exists());
    assert!(build(&seeds, &store, &[]).status.success());
    assert!(!old.exists(), "the writer clears what the swap left");
    // Killed while loading: `.new` has no mark and the store is untouched.
    copy_dir(&store, &fresh);
    assert_eq!(dump(&store), before);
    assert!(build(&seeds, &store, &[]).status.success());
    assert!(!fresh.exists(), "an unfinished new store is thrown away");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "LOCK" {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Pass 2 of a build reads each article back from the extraction cache; when
/// the cache cannot be written, the articles are held in memory instead and
/// the store is the same.
#[test]
fn a_build_without_a_writable_cache_holds_the_articles_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    // A file where the cache folder would go.
    std::fs::write(dir.path().join("store.cache"), "not a folder").unwrap();
    let out = build(&seeds, &store, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write the extraction cache"), "{}", stderr(&out));
    assert_eq!(dump(&store), clean_dump(&seeds, dir.path(), "clean"));
}

/// Makes the first article of `seeds` bytes no reader takes; returns its path.
fn spoil_first_article(seeds: &Path) -> PathBuf {
    let victim = std::fs::read_dir(seeds).unwrap().map(|e| e.unwrap().path()).min().unwrap();
    std::fs::write(&victim, [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    victim
}

/// An article that cannot be read now keeps its last good graph, in an
/// incremental build and in a full one (which loads a fresh store).
#[test]
fn an_article_that_turns_unreadable_keeps_its_last_good_graph() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    let before = graphs(&store);
    spoil_first_article(&seeds);
    for extra in [&[][..], &["--full"][..]] {
        let out = build(&seeds, &store, extra);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stderr(&out));
        assert_eq!(graphs(&store), before, "{extra:?}: every article graph and modality graph as it was");
    }
}

/// Two files with the same bytes share cache entries but are two articles,
/// each with its own graph, in full and incremental builds alike.
#[test]
fn the_same_text_under_two_names_is_two_articles() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let first = std::fs::read_dir(&seeds).unwrap().map(|e| e.unwrap().path()).min().unwrap();
    std::fs::copy(&first, seeds.join("copy.txt")).unwrap();
    let store = dir.path().join("store");
    let out = build(&seeds, &store, &[]);
    assert!(stdout(&out).contains(&format!("from {} articles", seed_count() + 1)), "{}", stdout(&out));
    let docs = graphs(&store);
    let articles = docs.keys().filter(|g| g.starts_with(xietong::iri::DOC_PREFIX)).count();
    assert_eq!(articles, seed_count() + 1, "{docs:?}");
    // The copy has modality graphs of its own, as many as the original.
    let modality_graphs_of = |doc: &str| docs.keys().filter(|g| g.starts_with(&format!("{}{doc}/", xietong::iri::MODALITY_PREFIX))).count();
    let original = xietong::iri::doc_graph(first.file_name().unwrap().to_str().unwrap());
    let original = modality_graphs_of(original.as_str().strip_prefix(xietong::iri::DOC_PREFIX).unwrap());
    assert!(original > 0 && modality_graphs_of("copy") == original, "{docs:?}");
    // Again, after a change elsewhere: the copy's graph is kept or remade alike.
    let last = std::fs::read_dir(&seeds).unwrap().map(|e| e.unwrap().path()).max().unwrap();
    let mut text = std::fs::read_to_string(&last).unwrap();
    text.push_str("\n北京航运职业学院与廊坊博远职业技术学院开展联合办学。\n");
    std::fs::write(&last, text).unwrap();
    assert!(build(&seeds, &store, &[]).status.success());
    assert_eq!(dump(&store), clean_dump(&seeds, dir.path(), "clean"));
}

/// A rebuild trusts the memo beside the store (`<store>.memo`) only while
/// the store's `xt:stateDigest` matches it: a memo missing, unreadable or
/// left from an earlier state is ignored and the store read instead.
#[test]
fn a_memo_that_does_not_match_the_store_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    let memo = dir.path().join("store.memo");
    assert!(build(&seeds, &store, &[]).status.success());
    assert!(memo.exists(), "a build leaves a memo");
    let stale = std::fs::read(&memo).unwrap();
    let files: Vec<PathBuf> = std::fs::read_dir(&seeds).unwrap().map(|e| e.unwrap().path()).collect();
    let edit = |i: usize, line: &str| {
        let mut text = std::fs::read_to_string(&files[i]).unwrap();
        text.push_str(line);
        std::fs::write(&files[i], text).unwrap();
    };
    edit(0, "\n海淀育英小学与容城县第一小学签订对口帮扶协议。\n");
    assert!(build(&seeds, &store, &[]).status.success());
    // The memo of the first state, back beside the second.
    std::fs::write(&memo, &stale).unwrap();
    edit(1, "\n北京航运职业学院与廊坊博远职业技术学院开展联合办学。\n");
    let out = build(&seeds, &store, &["--timings"]);
    assert!(out.status.success());
    assert!(!stderr(&out).contains("from the memo"), "{}", stderr(&out));
    assert_eq!(dump(&store), clean_dump(&seeds, dir.path(), "clean1"), "a stale memo");
    for (case, bytes) in [("missing", None), ("garbage", Some(&b"not a memo"[..]))] {
        match bytes {
            None => std::fs::remove_file(&memo).unwrap(),
            Some(b) => std::fs::write(&memo, b).unwrap(),
        }
        edit(2, "\n天津市教委与河北省教育厅签署合作协议。\n");
        let out = build(&seeds, &store, &[]);
        assert!(out.status.success(), "{case}: {}", stderr(&out));
        assert_eq!(dump(&store), clean_dump(&seeds, dir.path(), &format!("clean-{case}")), "a {case} memo");
    }
}

/// Incremental builds killed at random moments, then the articles put back
/// as they were: a graph rewritten by a killed build must not pass for the
/// old one because a memo says so. The next build equals a clean build.
#[test]
fn incremental_builds_killed_then_undone_leave_no_stale_graph() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    let originals: Vec<PathBuf> = std::fs::read_dir(repo().join("seeds")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    let texts: Vec<String> = (0..40).map(|i| format!("{}\n第{i}号稿件。\n", std::fs::read_to_string(&originals[i % originals.len()]).unwrap())).collect();
    let write_all = |edited: bool| {
        for (i, t) in texts.iter().enumerate() {
            let extra = if edited { "海淀育英小学与容城县第一小学结对。\n" } else { "" };
            std::fs::write(seeds.join(format!("{i:03}.txt")), format!("{t}{extra}")).unwrap();
        }
    };
    write_all(false);
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    let reference = dir.path().join("reference");
    assert!(build(&seeds, &reference, &[]).status.success());
    let mut seed = 0x2545f4914f6cdd1du64;
    for round in 0..8 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(seed % 300);
        write_all(true);
        let mut child = Command::new(env!("CARGO_BIN_EXE_xietong"))
            .current_dir(repo())
            .args(["build", "--seeds", seeds.to_str().unwrap(), "--store", store.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        write_all(false);
        let out = build(&seeds, &store, &[]);
        assert!(out.status.success(), "round {round} ({delay:?}): {}", stderr(&out));
        let (got, want) = (dump(&store), dump(&reference));
        let extra: Vec<&String> = got.iter().filter(|q| !want.contains(q)).take(5).collect();
        let missing: Vec<&String> = want.iter().filter(|q| !got.contains(q)).take(5).collect();
        assert!(extra.is_empty() && missing.is_empty(), "round {round} ({delay:?}): extra {extra:#?}, missing {missing:#?}");
    }
}

/// The answer of `query -e Q` on `store`, its rows sorted.
fn sorted_rows(store: &Path, q: &str) -> Vec<String> {
    let out = run_in(&repo(), &["query", "--store", store.to_str().unwrap(), "--format", "tsv", "-e", q]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut rows: Vec<String> = stdout(&out).lines().skip(1).map(str::to_string).collect();
    rows.sort();
    rows
}

/// An edit that leaves an article without one of its modalities takes that
/// modality's graph away, as a clean build of the same folder has none.
#[test]
fn an_edit_that_drops_a_modality_drops_its_graph() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let stated = "北京航运职业学院与廊坊博远职业技术学院开展联合办学。\n";
    std::fs::write(seeds.join("300_modality.txt"), format!("海淀育英小学将与容城县第一小学开展合作。\n{stated}")).unwrap();
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    let doc = xietong::iri::doc_graph("300_modality.txt");
    let planned = xietong::iri::modality_graph(&doc, "Planned").into_string();
    let stated_graph = xietong::iri::modality_graph(&doc, "Stated").into_string();
    let before = graphs(&store);
    assert!(before.contains_key(&planned) && before.contains_key(&stated_graph), "{before:?}");
    std::fs::write(seeds.join("300_modality.txt"), stated).unwrap();
    assert!(build(&seeds, &store, &[]).status.success());
    let after = graphs(&store);
    assert!(!after.contains_key(&planned) && after.contains_key(&stated_graph), "{after:?}");
    assert_eq!(dump(&store), clean_dump(&seeds, dir.path(), "clean"));
}

/// A full build keeps an unreadable article's graph as the store held it
/// and makes its modality graphs again from its assertions: a store an
/// earlier version built has none, and 09 reads them.
#[test]
fn an_unreadable_article_kept_from_an_earlier_store_gets_its_modality_graphs() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds_copy(dir.path());
    let store = dir.path().join("store");
    assert!(build(&seeds, &store, &[]).status.success());
    // The store as an earlier version left it: no modality graph, none named.
    {
        let s = oxigraph::store::Store::open(&store).unwrap();
        s.update("DELETE WHERE { GRAPH ?doc { ?g <https://w3id.org/xietong/ontology#graphModality> ?m } }").unwrap();
        let modality: Vec<_> = s.named_graphs().map(Result::unwrap).filter(|g| g.to_string().starts_with(&format!("<{}", xietong::iri::MODALITY_PREFIX))).collect();
        assert!(!modality.is_empty());
        for g in modality {
            s.remove_named_graph(&g).unwrap();
        }
    }
    let victim = spoil_first_article(&seeds);
    let doc = xietong::iri::doc_graph(victim.file_name().unwrap().to_str().unwrap());
    let out = build(&seeds, &store, &["--full"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let named = sorted_rows(&store, &format!("SELECT ?g WHERE {{ GRAPH <{}> {{ ?g xt:graphModality ?m }} }}", doc.as_str()));
    assert!(!named.is_empty(), "the kept article names no modality graph");
    let asserted = sorted_rows(&store, ASSERTED_BY_MODALITY);
    let in_graphs = sorted_rows(&store, IN_MODALITY_GRAPHS);
    assert!(asserted.iter().any(|r| r.starts_with(&format!("<{}>", doc.as_str()))));
    assert_eq!(in_graphs, asserted);
}
