// throwaway: serialise every extraction and entity, to check output identity
use xietong::knowledge::Knowledge;
use xietong::pipeline::{extract_corpus, Input};
fn main() {
    let k = Knowledge::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).expect("ontology");
    let mut inputs: Vec<Input> = (0..1500).map(|i| { let (name, text) = xietong::synth::article(&k, 7, i); Input { name, bytes: text.into_bytes() } }).collect();
    for dir in ["seeds", "../shared/dev"] {
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
        files.sort();
        for p in files { inputs.push(Input { name: p.display().to_string(), bytes: std::fs::read(&p).unwrap() }); }
    }
    let c = extract_corpus(&inputs, &k);
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    for x in &c.extractions { serde_json::to_writer(&mut out, x).unwrap(); writeln!(out).unwrap(); }
    serde_json::to_writer(&mut out, &c.entities).unwrap();
    writeln!(out, "{}", c.failures.len()).unwrap();
}
