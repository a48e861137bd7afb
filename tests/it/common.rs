//! Fixtures shared by all tests: one store built from seeds/ by the real
//! binary, a lock that serialises processes using it (RocksDB allows one
//! process per store), and the gold files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

use xietong::eval::{read_gold_dir, Gold};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: PathBuf,
    pub build_stdout: String,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();
static STORE_LOCK: Mutex<()> = Mutex::new(());

/// Holds the shared store for one process at a time.
pub fn lock() -> MutexGuard<'static, ()> {
    STORE_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The store built once from seeds/.
pub fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("store");
        let out = run_in(&repo(), &["build", "--seeds", "seeds", "--store", store.to_str().unwrap()]);
        assert!(out.status.success(), "build failed: {}", String::from_utf8_lossy(&out.stderr));
        Fixture { _dir: dir, store, build_stdout: String::from_utf8_lossy(&out.stdout).into_owned() }
    })
}

/// Runs the real binary in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xietong")).current_dir(cwd).env_remove("XIETONG_STORE").env_remove("XIETONG_ONTOLOGY").args(args).output().expect("run xietong")
}

/// Runs the binary against the shared store, holding the lock.
pub fn xietong(args: &[&str]) -> Output {
    let f = fixture();
    let _g = lock();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--store", f.store.to_str().unwrap()]);
    run_in(&repo(), &all)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn golds() -> &'static Vec<Gold> {
    static G: OnceLock<Vec<Gold>> = OnceLock::new();
    G.get_or_init(|| read_gold_dir(&repo().join("tests/gold")).expect("gold files"))
}

pub fn knowledge() -> &'static xietong::knowledge::Knowledge {
    static K: OnceLock<xietong::knowledge::Knowledge> = OnceLock::new();
    K.get_or_init(|| xietong::knowledge::Knowledge::load(&repo().join("ontology")).expect("ontology loads"))
}

/// Every name (label, aliases, lexicon forms) of an entity of a corpus, normalised.
pub fn entity_names(corpus: &xietong::pipeline::InMemoryArticles, id: &str) -> Vec<String> {
    corpus
        .entities
        .get(id)
        .into_iter()
        .flat_map(|e| std::iter::once(e.label.clone()).chain(e.alt_labels.clone()))
        .chain(knowledge().lexicon.get(id).into_iter().flat_map(|e| std::iter::once(e.name.clone()).chain(e.aliases.clone())))
        .map(|n| xietong::text::norm(&n))
        .collect()
}

/// How many articles seeds/ holds: the tests that count articles count from it.
pub fn seed_count() -> usize {
    std::fs::read_dir(repo().join("seeds")).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "txt")).count()
}

/// All names of the real thing a gold name names: the label and aliases of
/// every E line, in any gold file, that shares a name with it (gold/README:
/// cross-article identity), normalised.
pub fn gold_names(name: &str) -> std::collections::BTreeSet<String> {
    use xietong::eval::GoldLine;
    let n = xietong::text::norm(name);
    let mut out = std::collections::BTreeSet::from([n.clone()]);
    for g in golds() {
        for l in &g.lines {
            if let GoldLine::Entity { label, aliases, .. } = l {
                let all: std::collections::BTreeSet<String> = std::iter::once(label).chain(aliases).map(|x| xietong::text::norm(x)).collect();
                if all.contains(&n) {
                    out.extend(all);
                }
            }
        }
    }
    out
}

/// Every (article, modality, triple) the assertions state, and the same read
/// from the modality graphs (ontology/README.md, "Modality graphs"): two
/// questions whose answers must be equal.
pub const ASSERTED_BY_MODALITY: &str =
    "SELECT DISTINCT ?doc ?m ?s ?p ?o WHERE { GRAPH ?doc { ?st a xt:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; xt:modality ?m } }";
pub const IN_MODALITY_GRAPHS: &str = "SELECT DISTINCT ?doc ?m ?s ?p ?o WHERE { GRAPH ?doc { ?g xt:graphModality ?m } GRAPH ?g { ?s ?p ?o } }";
