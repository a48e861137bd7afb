//! Extraction speed on one core, for profiling: `cargo run --release --example extract_speed -- 2000 [runs]`
//! (then `perf record -e cpu-clock -g target/release/examples/extract_speed 2000`). With several
//! runs it reports the fastest: on a shared machine the others measure the neighbours.
//! `XIETONG_SPEED_DIR=seeds` measures the real articles of a folder instead, repeated up to N.
//! Changes smaller than this machine's noise are measured in instructions, which do not
//! move from run to run: `valgrind --tool=callgrind --toggle-collect='*pipeline::Reader*read*'
//! --toggle-collect='*pipeline::finish*' target/release/examples/extract_speed 300 1`.

// A measuring tool: it prints its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use xietong::knowledge::Knowledge;
use xietong::pipeline::{finish, Input, Reader};
use xietong::terms::Terms;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let k = Knowledge::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).expect("ontology");
    // XIETONG_SPEED_DIR: real articles (each .txt of the folder, repeated
    // up to N) instead of synthetic ones, to compare the two kinds of text.
    let inputs: Vec<Input> = match std::env::var_os("XIETONG_SPEED_DIR") {
        Some(dir) => {
            let mut files: Vec<_> = std::fs::read_dir(dir).expect("folder").map(|e| e.expect("entry").path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
            files.sort();
            let texts: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("article")).collect();
            (0..n).map(|i| Input { name: format!("{i}.txt"), bytes: texts[i % texts.len()].clone() }).collect()
        }
        None => (0..n)
            .map(|i| {
                let (name, text) = xietong::synth::article(&k, 7, i);
                Input { name, bytes: text.into_bytes() }
            })
            .collect(),
    };
    let runs: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let one_core = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let (mut read_secs, mut secs, mut relations) = (f64::MAX, f64::MAX, 0);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        // As a build reads: each article settled right after it is read.
        let reader = Reader::new(&k, Terms::default());
        let reads: Vec<_> = inputs.iter().filter_map(|i| reader.read(i).ok()).collect();
        let read = t.elapsed().as_secs_f64();
        let terms = reader.into_terms();
        let corpus = one_core.install(|| finish(reads, &terms, Vec::new(), &k));
        let all = t.elapsed().as_secs_f64();
        // (Freeing the result, after the clock, is not extraction.)
        relations = corpus.extractions.iter().map(|x| x.relations.len()).sum();
        if all < secs {
            (read_secs, secs) = (read, all);
        }
    }
    println!(
        "{n} articles, {:.1} MB: read (ingest, mentions, settled) {read_secs:.3} s, all {secs:.3} s, {:.2} MB/s per core; {relations} relations",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}
