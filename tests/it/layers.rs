//! Layers in one direction: a module of `src/` uses (`crate::…`) only
//! modules of lower layers, so the library has no import cycle and a layer
//! reads knowing only those under it. The order is data, here; a new module
//! gets a place in it, or this test fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A module uses modules of strictly lower layers only (and
/// its own submodules): modules of one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    // The ground floor: text normalisation and hashes, the data model, the
    // interner; and the process's allocator.
    &["text", "model", "terms", "allocator"],
    // The vocabulary's IRIs (an article's IRI hashes its name with `text`).
    &["iri"],
    // Domain knowledge, loaded from ontology/.
    &["knowledge"],
    // The pure stages, in the order a build runs them.
    &["ingest"],
    &["mentions"],
    &["resolve"],
    &["relations"],
    &["pipeline"],
    // What a build makes of the stages' output: inferred facts, RDF.
    &["facts", "rdf"],
    &["store"],
    // A build's whole flow (with the caches of its first pass), into the store.
    &["build"],
    // Reading a store.
    &["query", "eval"],
    // What a reader asks of the whole: one entity's facts, diagrams, graph questions.
    &["describe", "export"],
    // Graph questions over the relations a diagram draws.
    &["paths", "stats"],
    // A SPARQL server as the place a graph lives, and pushing a store to one.
    &["remote"],
    &["push"],
    // The store over HTTP: the endpoint and the page.
    &["serve"],
    // Synthetic corpora and the benchmark over them.
    &["synth"],
    &["bench"],
    // The command line.
    &["main"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The module a file of `src/` belongs to: its first path component
/// (`knowledge/lexicon.rs` is in `knowledge`); `None` for the crate root.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let m = first.strip_suffix(".rs").unwrap_or(first);
    (m != "lib").then(|| m.to_string())
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The crate's top-level names a source uses through `crate::` paths, in
/// `use` lines (`crate::{a::X, b}` too, across lines) and in code. Lines
/// that are comments are skipped; nothing else is parsed.
fn crate_uses(source: &str) -> BTreeSet<String> {
    let code: String = source.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut out = BTreeSet::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        if code[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut end) = (1, group.len());
            for (i, c) in group.char_indices() {
                depth += match c {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let (mut depth, mut part) = (0, String::new());
            for c in group[..end].chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let name: String = part.trim().chars().take_while(|&c| is_ident(c)).collect();
                        if !name.is_empty() {
                            out.insert(name);
                        }
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
        } else {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The uses of `module` (its source given) that go to its own layer or
/// one above, as messages.
fn violations(module: &str, source: &str) -> Vec<String> {
    let Some(own) = layer(module) else { return vec![format!("{module}: not in LAYERS; give it a layer")] };
    crate_uses(source)
        .into_iter()
        .filter(|used| used != module)
        .filter_map(|used| {
            let theirs = layer(&used)?;
            (theirs >= own).then(|| format!("{module} (layer {own}) uses {used} (layer {theirs})"))
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ lists") {
        let p = e.expect("a directory entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut modules = BTreeSet::new();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src/");
        let Some(module) = module_of(rel) else { continue };
        let source = std::fs::read_to_string(f).expect("source reads");
        wrong.extend(violations(&module, &source).into_iter().map(|v| format!("src/{}: {v}", rel.display())));
        modules.insert(module);
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
    let listed: BTreeSet<String> = LAYERS.iter().flat_map(|l| l.iter().map(|m| m.to_string())).collect();
    assert_eq!(listed, modules, "LAYERS names exactly the modules of src/");
}

/// The check itself: a ground-floor module that used a stage, a stage that
/// used a later one in a grouped `use` over lines, or a sibling of its own
/// layer, fails; using lower layers, itself, or items of the crate root
/// (exported macros) does not.
#[test]
fn a_lower_layer_using_a_higher_one_fails() {
    assert_eq!(violations("text", "use crate::mentions::norm;\n"), vec!["text (layer 0) uses mentions (layer 4)"]);
    assert_eq!(violations("mentions", "use crate::{\n    model::Mention,\n    pipeline::{Reading, Reader},\n};\n"), vec!["mentions (layer 4) uses pipeline (layer 7)"]);
    assert_eq!(violations("rdf", "fn f() { crate::store::open(); }\n"), vec!["rdf (layer 8) uses store (layer 9)"]);
    assert_eq!(violations("facts", "use crate::rdf::XT;\n"), vec!["facts (layer 8) uses rdf (layer 8)"]);
    assert!(violations("resolve", "use crate::text::norm;\nuse crate::resolve::X;\nlet s = crate::sym!(\"A\");\n// see crate::pipeline\n").is_empty());
    assert_eq!(violations("nowhere", ""), vec!["nowhere: not in LAYERS; give it a layer"]);
}
