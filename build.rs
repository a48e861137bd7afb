//! Hashes the source of the extraction and RDF stages into the build, so
//! that the knowledge fingerprint changes with the code: a store and cache
//! made by other code are rebuilt in full, not trusted piece by piece. And
//! lists the competency queries of `queries/` to build them into the binary.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &files {
        f.hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=XIETONG_SOURCE_HASH={:016x}", h.finish());

    // The competency queries, built into the binary (`query::BUILT_IN`).
    println!("cargo:rerun-if-changed=queries");
    let mut queries: Vec<PathBuf> =
        std::fs::read_dir("queries").map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "rq")).collect()).unwrap_or_default();
    queries.sort();
    let mut table = String::from("&[\n");
    for q in &queries {
        let abs = std::fs::canonicalize(q).expect("query path");
        table.push_str(&format!("    ({:?}, include_str!({:?})),\n", q.file_name().unwrap().to_string_lossy(), abs.display().to_string()));
    }
    table.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("queries.rs");
    std::fs::write(out, table).expect("write the query table");
}
