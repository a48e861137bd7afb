//! The `xietong` command: parses arguments, calls the library and prints
//! data on stdout and messages on stderr. (It still holds a build's first
//! pass and its cache decisions; see ARCHITECTURE.md.)

// The binary is where printing belongs (Cargo.toml denies it to the library).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use oxigraph::model::NamedNode;

use rayon::prelude::*;
use xietong::cache::Cache;
use xietong::export::{self, ExportFormat};
use xietong::knowledge::Knowledge;
use xietong::pipeline::{extract_corpus, Input, Read, Reader, Streamed};
use xietong::query::{self, Format};
use xietong::spill::{Place, SpillWriter};
use xietong::store::{Batch, KgStore};
use xietong::{describe, eval};

#[derive(Parser)]
#[command(
    name = "xietong",
    version,
    about = "Builds a knowledge graph of Beijing–Tianjin–Hebei education collaboration from Chinese news articles",
    after_help = "Examples:\n  xietong build                      # read seeds/ into ./.xietong/store\n  xietong query queries/01_signed_documents.rq\n  xietong query -e 'SELECT ?s ?o { ?s xt:aids ?o }'\n  xietong export --format dot -o graph.dot\n  xietong describe 雄安新区\n  xietong eval -v"
)]
struct Cli {
    /// The store folder.
    #[arg(long, global = true, default_value = ".xietong/store", env = "XIETONG_STORE")]
    store: PathBuf,
    /// The folder of ontology, lexicon, grammar and rules files [default: ./ontology].
    #[arg(long, global = true, env = "XIETONG_ONTOLOGY")]
    ontology: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read every article of the seeds folder and load the graph into the store.
    #[command(after_help = "Examples:\n  xietong build                        # only what changed since the last build\n  xietong build --seeds news/ --full   # re-read everything\n  xietong build --timings              # where the time goes")]
    Build {
        /// Folder of articles (*.txt, any encoding).
        #[arg(long, default_value = "seeds")]
        seeds: PathBuf,
        /// Re-read and rewrite everything, not only what changed.
        #[arg(long)]
        full: bool,
        /// Print how long each phase took, on stderr.
        #[arg(long)]
        timings: bool,
    },
    /// Ask the graph a SPARQL question (SELECT, ASK, CONSTRUCT, DESCRIBE) over all graphs.
    #[command(after_help = "Examples:\n  xietong query queries/08_evidence_aids.rq\n  xietong query -e 'SELECT ?school { ?school a xt:School }' --format csv\n  xietong query --list")]
    Query {
        /// A .rq file.
        file: Option<PathBuf>,
        /// The query text itself.
        #[arg(short = 'e', long = "expr", conflicts_with = "file")]
        expr: Option<String>,
        /// List the queries of the queries/ folder with their titles.
        #[arg(long)]
        list: bool,
        /// Output format [default: table on a terminal, tsv otherwise].
        #[arg(long, value_parser = one_of::<Format>(Format::NAMES))]
        format: Option<Format>,
        /// Cancel the query after this many seconds.
        #[arg(long)]
        timeout: Option<u64>,
    },
    /// Write the dataset, or one graph, as RDF or as a Graphviz DOT diagram.
    #[command(after_help = "Examples:\n  xietong export --format dot -o graph.dot && dot -Tsvg graph.dot -o graph.svg\n  xietong export -o all.trig\n  xietong export --format turtle --graph https://w3id.org/xietong/id/lexicon")]
    Export {
        /// Format [default: from the extension of -o, else trig].
        #[arg(long, value_parser = one_of::<ExportFormat>(ExportFormat::NAMES))]
        format: Option<ExportFormat>,
        /// Only this named graph (an IRI).
        #[arg(long)]
        graph: Option<String>,
        /// Write here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// DOT: only the entities within one step of the one with this name.
        #[arg(long)]
        focus: Option<String>,
    },
    /// Every fact about an entity, with the sentence and article that say it.
    #[command(after_help = "Example:\n  xietong describe 雄安新区")]
    Describe {
        /// A label or alias of the entity.
        name: String,
    },
    /// Extract one article without touching the store: mentions, entities, relations.
    #[command(after_help = "Example:\n  xietong extract seeds/000_90bd2cb1578450b3.txt --format json")]
    Extract {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: ExtractFormat,
    },
    /// Measure build, extraction, rebuild and query speed on synthetic corpora (release mode).
    #[command(after_help = "Example:\n  cargo run --release -- bench --sizes 1000,10000")]
    Bench {
        /// Corpus sizes, in articles.
        #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
        sizes: Vec<usize>,
        /// Seed of the corpus generator.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Work folder (made anew).
        #[arg(long, default_value = "target/bench")]
        work: PathBuf,
        /// Runs of each query for the latency figures.
        #[arg(long, default_value_t = 20)]
        query_runs: usize,
    },
    /// Score the built graph against gold annotations.
    #[command(after_help = "Example:\n  xietong eval --gold tests/gold -v")]
    Eval {
        /// Folder of gold .tsv files.
        #[arg(long, default_value = "tests/gold")]
        gold: PathBuf,
        /// List every miss and every false positive.
        #[arg(short, long)]
        verbose: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExtractFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    keep_freed_memory_short();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            if e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)) {
                return ExitCode::SUCCESS;
            }
            eprintln!("xietong: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A value of a library type named on the command line: one of `names`
/// (the library's types know nothing of clap).
fn one_of<T: std::str::FromStr + Clone + Send + Sync + 'static>(names: &'static [&'static str]) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).map(|s| s.parse::<T>().ok().expect("a name of the list parses"))
}

fn ontology_dir(cli: &Option<PathBuf>) -> PathBuf {
    if let Some(d) = cli {
        return d.clone();
    }
    let here = PathBuf::from("ontology");
    if here.join("xietong.ttl").exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ontology")
}

fn load_knowledge(dir: &Path) -> Result<Knowledge> {
    Ok(Knowledge::load(dir)?)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Build { seeds, full, timings } => build(&cli.store, &ontology_dir(&cli.ontology), &seeds, full, timings, &mut out)?,
        Command::Query { file, expr, list, format, timeout } => {
            if list {
                list_queries(&mut out)?;
            } else {
                let text = match (file, expr) {
                    (Some(f), None) => std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?,
                    (None, Some(e)) => e,
                    _ => bail!("give a query file or -e 'SPARQL'\nhint: `xietong query --list` shows the prepared questions"),
                };
                let kg = KgStore::open(&cli.store)?;
                let answer = query::run(&kg.store, &text, timeout.map(Duration::from_secs))?;
                let format = format.unwrap_or(if io::stdout().is_terminal() { Format::Table } else { Format::Tsv });
                query::write(&answer, format, &mut out)?;
            }
            ExitCode::SUCCESS
        }
        Command::Export { format, graph, output, focus } => {
            let kg = KgStore::open(&cli.store)?;
            let format = format.or_else(|| output.as_deref().and_then(ExportFormat::from_path)).unwrap_or(ExportFormat::Trig);
            let mut file_out;
            let w: &mut dyn Write = match &output {
                Some(p) => {
                    file_out = io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?);
                    &mut file_out
                }
                None => &mut out,
            };
            if format == ExportFormat::Dot {
                let k = load_knowledge(&ontology_dir(&cli.ontology))?;
                export::write_dot(&kg.store, &k, focus.as_deref(), w)?;
            } else {
                let g = graph.map(|g| NamedNode::new(&g).with_context(|| format!("--graph {g}: not an IRI"))).transpose()?;
                export::write_rdf(&kg.store, format, g.as_ref(), w)?;
            }
            w.flush()?;
            ExitCode::SUCCESS
        }
        Command::Describe { name } => {
            let kg = KgStore::open(&cli.store)?;
            describe::describe(&kg.store, &name, &mut out)?;
            ExitCode::SUCCESS
        }
        Command::Extract { file, format } => {
            let k = load_knowledge(&ontology_dir(&cli.ontology))?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("article.txt").to_string();
            let corpus = extract_corpus(&[Input { name: name.clone(), bytes }], &k);
            if let Some((_, e)) = corpus.failures.first() {
                bail!("{}: {e}", file.display());
            }
            let x = &corpus.extractions[0];
            let entities = corpus.entities_of(x);
            match format {
                ExtractFormat::Json => {
                    /// An extraction with the entities it mentions.
                    #[derive(serde::Serialize)]
                    struct View<'a> {
                        #[serde(flatten)]
                        extraction: &'a xietong::model::Extraction,
                        entities: &'a [&'a xietong::model::Entity],
                    }
                    serde_json::to_writer_pretty(&mut out, &View { extraction: x, entities: &entities })?
                }
                ExtractFormat::Text => write_extraction(x, &entities, &mut out)?,
            }
            ExitCode::SUCCESS
        }
        Command::Bench { sizes, seed, work, query_runs } => {
            let onto = ontology_dir(&cli.ontology);
            let k = load_knowledge(&onto)?;
            let queries = if Path::new("queries").is_dir() { PathBuf::from("queries") } else { PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("queries") };
            let cfg = xietong::bench::Config { sizes: sizes.clone(), seed, work, exe: std::env::current_exe()?, ontology: onto, queries, query_runs };
            if cfg!(debug_assertions) {
                eprintln!("xietong: warning: a debug build; run the benchmark with `cargo run --release -- bench`");
            }
            write_machine(&mut out)?;
            for n in sizes {
                let r = xietong::bench::measure(&cfg, &k, n, &|m| eprintln!("bench: {m}"))?;
                write_bench(&r, &mut out)?;
                out.flush()?;
            }
            ExitCode::SUCCESS
        }
        Command::Eval { gold, verbose } => {
            let k = load_knowledge(&ontology_dir(&cli.ontology))?;
            let kg = KgStore::open(&cli.store)?;
            let golds = eval::read_gold_dir(&gold)?;
            let report = eval::evaluate(&kg.store, &k, &golds)?;
            report.write(verbose, &mut out)?;
            ExitCode::SUCCESS
        }
    };
    out.flush()?;
    Ok(code)
}

fn build(store: &Path, ontology: &Path, seeds: &Path, full: bool, timings: bool, out: &mut dyn Write) -> Result<ExitCode> {
    let started = Instant::now();
    let mut phase_start = started;
    let mut phase = |name: &str| {
        if timings {
            eprintln!("xietong: {name:<28} {:>8.2} s {:>7}", phase_start.elapsed().as_secs_f64(), memory_now());
        }
        phase_start = Instant::now();
    };
    let k = load_knowledge(ontology)?;
    phase("knowledge");
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds)
        .with_context(|| format!("cannot read the seeds folder {}", seeds.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    // The store first: a second writer is refused before any work is done.
    let mut kg = KgStore::create(store)?;
    phase("opening the store");
    // What the store remembers of each article holds under the same knowledge
    // only. (A full build starts an empty table of terms: one that grew over
    // many incremental builds is dropped there.)
    let mut before = kg.state(&k.fingerprint, full)?;
    let reuse = !full && before.fingerprint.as_deref() == Some(k.fingerprint.as_str());
    // Only a memo gives the inferred graph's triples: says which way the state came.
    phase(if before.inferred.is_some() { "store state, from the memo" } else { "store state" });
    let cache = Cache::beside(store, &k.fingerprint);
    let bar = indicatif::ProgressBar::new(files.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
    bar.set_prefix("reading");
    // Pass 1, on all cores: each article as the store's memo remembers it
    // settled for resolution, else from the extraction cache, else read anew
    // and cached (under the same knowledge only). Only the settled article
    // is kept, and on disk (the spill): the build holds none of them; the
    // rest is read back from the cache in pass 2.
    let cache_broken = std::sync::atomic::AtomicBool::new(false);
    let reader = Reader::new(&k, std::mem::take(&mut before.terms));
    let beside = store.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let spill = SpillWriter::create(beside).with_context(|| format!("cannot make a temporary file in {}", beside.display()))?;
    let firsts: Vec<First> = files
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            let name = f.strip_prefix(seeds).unwrap_or(f).to_string_lossy().replace('\\', "/");
            let hash = xietong::text::content_hash(&bytes);
            let doc = xietong::iri::doc_graph(&name).into_string();
            let remembered = reuse.then(|| before.docs.get(&doc)).flatten().filter(|d| d.content_hash == hash).and_then(|d| d.settled.as_ref());
            let cached = || (!full).then(|| cache.get_mentions(&hash)).flatten();
            let mut little = None;
            let (read, fresh) = if let Some(settled) = remembered {
                (Ok((spill.put(settled), None)), false)
            } else if let Some(mentions) = cached() {
                (Ok((spill.put(&reader.settle(&mentions)), None)), false)
            } else {
                let read = reader.read(&Input { name: name.clone(), bytes }).map(|(read, settled)| {
                    little = xietong::ingest::read_little(&read.article).map(str::to_string);
                    // Held in memory only when the cache cannot keep it.
                    let kept = cache.put(&hash, &read).is_ok();
                    if !kept {
                        cache_broken.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    (spill.put(&settled), (!kept).then(|| Box::new(read)))
                });
                (read, true)
            };
            bar.inc(1);
            Ok(First { name, hash, read, fresh, little })
        })
        .collect::<Result<_>>()?;
    before.terms = reader.into_terms();
    // What the memo remembered of each article settled is in the spill now.
    for d in before.docs.values_mut() {
        d.settled = None;
    }
    bar.finish_and_clear();
    if cache_broken.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("xietong: cannot write the extraction cache beside {}; holding the articles in memory", store.display());
    }
    phase("reading (pass 1)");
    let hashes: Vec<String> = firsts.iter().map(|f| f.hash.clone()).collect();
    let reextracted = firsts.iter().filter(|f| f.fresh && f.read.is_ok()).count();
    // Articles read anew whose body was most likely lost as furniture.
    let little: Vec<(String, String)> = firsts.iter().filter_map(|f| Some((f.name.clone(), f.little.clone()?))).collect();
    for (name, why) in &little {
        eprintln!("xietong: warning: {}: {why}", seeds.join(name).display());
    }
    let (mut names, mut places, mut held, mut keys, mut failures) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in firsts {
        match f.read {
            Ok((place, h)) => {
                names.push(f.name);
                places.push(place);
                held.push(h);
                keys.push(f.hash);
            }
            Err(e) => failures.push((f.name, e)),
        }
    }
    for (name, e) in &failures {
        eprintln!("xietong: {}: {e} (skipped; its last good graph stays)", seeds.join(name).display());
    }
    // Pass 2, article by article as the store writes them.
    let reread = CacheReread { cache: &cache, held };
    let settled = spill.finish(places).with_context(|| format!("cannot write a temporary file in {}", beside.display()))?;
    let corpus = Streamed::new(names, keys, settled, &before.terms, reread, &k);
    phase("resolution");
    let batch = Batch { articles: &corpus, entities: &corpus.resolution.entities, unreadable: failures.iter().map(|(n, _)| n.clone()).collect() };
    let stats = kg.write_corpus(&k, &batch, full, before)?;
    phase("relations and writing");
    if timings {
        for (what, secs) in &stats.phases {
            eprintln!("xietong:   {what:<26} {secs:>8.2} s");
        }
    }
    let _ = cache.prune(&hashes.iter().cloned().collect());
    phase("pruning the cache");
    let secs = started.elapsed().as_secs_f64();
    writeln!(out, "built {} from {} articles in {:.2} s{}", store.display(), stats.articles, secs, if stats.full { " (full rebuild)" } else { "" })?;
    writeln!(
        out,
        "  articles  {} added, {} changed, {} removed, {} unchanged; {} re-extracted{}",
        stats.added,
        stats.changed,
        stats.removed,
        stats.unchanged + stats.rewritten,
        reextracted,
        if stats.rewritten > 0 { format!(", {} rewritten for what other articles say", stats.rewritten) } else { String::new() }
    )?;
    let join = |m: &std::collections::BTreeMap<String, usize>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    writeln!(out, "  entities  {}: {}", stats.entities, join(&stats.by_class))?;
    writeln!(out, "  relations {}: {}", stats.relations, join(&stats.by_property))?;
    writeln!(out, "  triples   {} (of which inferred {})", stats.triples, stats.inferred)?;
    if !little.is_empty() {
        let names: Vec<&str> = little.iter().map(|(n, _)| n.as_str()).collect();
        writeln!(out, "  warnings  {} article(s) read little or nothing: {}", little.len(), names.join(", "))?;
    }
    let mut code = ExitCode::SUCCESS;
    if !failures.is_empty() {
        writeln!(out, "  skipped   {} unreadable article(s)", failures.len())?;
        code = ExitCode::FAILURE;
    }
    if stats.lost > 0 {
        eprintln!("xietong: {} article(s) could not be read back as they were read (changed during the build?); their last good graphs stay: build again", stats.lost);
        code = ExitCode::FAILURE;
    }
    // The process ends here: freeing the corpus piece by piece would take
    // most of a second at ten thousand articles and give nothing back.
    std::mem::forget(corpus);
    Ok(code)
}

/// Pass 2 of a build reads articles back from the extraction cache (or
/// from memory, when the cache could not keep them).
struct CacheReread<'a> {
    cache: &'a Cache,
    /// By article index: the reads the cache could not keep. (Boxed: one
    /// slot per article, nearly all empty, of 8 bytes rather than ~380.)
    held: Vec<Option<Box<Read>>>,
}

impl xietong::pipeline::Reread for CacheReread<'_> {
    fn read(&self, i: usize, name: &str, content_hash: &str) -> Option<Read> {
        let mut read = self.held[i].as_deref().cloned().or_else(|| self.cache.get(content_hash))?;
        read.article.source_file = name.to_string();
        Some(read)
    }
}

/// Resident and peak memory so far, as `--timings` shows them after each
/// phase ("" where /proc is not there).
fn memory_now() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| xietong::bench::status_kb(&status, name);
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!("{:>5} MB resident, {:>5} MB peak", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

/// glibc raises its mmap threshold to the largest block freed so far, so
/// the bulk loader's freed batches (tens of MB) are then taken from the heap
/// and never given back: a full build of 10 000 articles peaked 180 MB
/// higher. A fixed trim threshold keeps the dynamic threshold off.
fn keep_freed_memory_short() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 20);
    }
}

/// An article after pass 1 of a build: settled for resolution (and the
/// whole read, when the cache could not keep it), or why it could not be read.
struct First {
    name: String,
    hash: String,
    /// Where its settled form is in the spill, and the read itself when the cache could not keep it.
    read: Result<(Place, Option<Box<Read>>), xietong::ingest::IngestError>,
    /// Read anew rather than from the cache.
    fresh: bool,
    /// Why it was read little or not at all, when it was read anew so.
    little: Option<String>,
}

fn write_machine(out: &mut dyn Write) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()));
    writeln!(out, "machine: {} cores; {}", cores, cpu.unwrap_or_default())?;
    Ok(())
}

fn write_bench(r: &xietong::bench::SizeReport, out: &mut dyn Write) -> Result<()> {
    {
        writeln!(out, "\n{} articles, {:.1} MB of text", r.articles, r.text_bytes as f64 / 1e6)?;
        writeln!(out, "  end-to-end build          {:>9.2} s   ({:.0} quads, {:.0} quads/s)", r.build_secs, r.quads as f64, r.quads_per_s())?;
        writeln!(out, "  bulk load of same quads   {:>9.2} s   build / bulk load = {:.2} (target ≤ 1.30)", r.bulk_load_secs, r.build_secs / r.bulk_load_secs)?;
        let runs = xietong::bench::SPEED_RUNS;
        writeln!(out, "  extraction, one core      {:>9.2} s   {:.2} MB/s per core (target ≥ 20; fastest of {runs})", r.extract_secs_one_core, r.extract_mb_per_s_per_core())?;
        writeln!(out, "  jieba-rs cut, one core    {:>9.2} s   {:.2} MB/s (fastest of {runs})", r.jieba_secs_one_core, r.jieba_mb_per_s())?;
        writeln!(out, "  rebuild, 1 article changed{:>9.2} s   {:.1}% of the full build (target ≤ 2%)", r.rebuild_one_changed_secs, 100.0 * r.rebuild_one_changed_secs / r.build_secs)?;
        writeln!(out, "  peak resident memory      {:>9.0} MB", r.peak_rss_mb)?;
        if let Some(mb) = r.bulk_load_peak_mb {
            writeln!(out, "  bulk load's own peak      {:>9.0} MB   (what Oxigraph's loader adds to a process)", mb)?;
        }
        writeln!(out, "  store on disk             {:>9.1} MB", r.store_mb)?;
        for q in &r.queries {
            writeln!(out, "  query {:<32} median {:>9.2} ms   p95 {:>9.2} ms   ({} runs)", q.name, q.median_ms, q.p95_ms, q.runs)?;
        }
    }
    Ok(())
}

fn list_queries(out: &mut dyn Write) -> Result<()> {
    let dir = if Path::new("queries").is_dir() { PathBuf::from("queries") } else { PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("queries") };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rq"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        writeln!(out, "{}\t{}", f.display(), query::header(&text, "title").unwrap_or_default())?;
    }
    Ok(())
}

fn write_extraction(x: &xietong::model::Extraction, entities: &[&xietong::model::Entity], out: &mut dyn Write) -> Result<()> {
    let a = &x.article;
    writeln!(out, "article  {} ({}, {} sentences)", a.source_file, a.encoding, a.sentences.len())?;
    writeln!(out, "title    {}", a.meta.title.as_deref().unwrap_or("-"))?;
    writeln!(out, "date     {}   publisher {}", a.meta.date.as_deref().unwrap_or("-"), a.meta.publisher.as_deref().unwrap_or("-"))?;
    for d in &a.diagnostics {
        writeln!(out, "note     {}", d.message)?;
    }
    writeln!(out, "\nmentions")?;
    for (m, ids) in x.mentions.iter().zip(&x.mention_entities) {
        writeln!(out, "  [{}-{}] {} :{} ({:?}) → {}", m.span.start, m.span.end, m.surface, m.class, m.source, ids.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", "))?;
    }
    writeln!(out, "\nentities")?;
    for e in entities {
        writeln!(out, "  {}  {} :{}{}", e.id, e.label, e.class, if e.alt_labels.is_empty() { String::new() } else { format!("  ({})", e.alt_labels.join("、")) })?;
    }
    let label = |id: &str| entities.iter().find(|e| e.id == id).map(|e| e.label.clone()).unwrap_or_else(|| id.to_string());
    writeln!(out, "\nrelations")?;
    for r in &x.relations {
        let o = match &r.object {
            xietong::model::Object::Entity(id) => label(id),
            xietong::model::Object::Text(t) | xietong::model::Object::Date(t) => format!("\"{t}\""),
        };
        writeln!(out, "  {} {} {}  [{} {:?}]", label(&r.subject), r.property, o, r.rule, r.modality)?;
        writeln!(out, "      “{}”", a.sentence_text(&a.sentences[r.sentence]))?;
    }
    writeln!(out, "\nobservations")?;
    for o in &x.observations {
        writeln!(out, "  {} {}  “{}”", o.value, o.unit, o.surface)?;
    }
    Ok(())
}
