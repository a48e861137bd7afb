//! The `xietong` command: parses arguments, calls the library and prints
//! data on stdout and messages on stderr.

// The binary is where printing belongs (Cargo.toml denies it to the library).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use oxigraph::model::NamedNode;

use xietong::export::{self, ExportFormat};
use xietong::knowledge::Knowledge;
use xietong::pipeline::{extract_corpus, Input};
use xietong::query::{self, Format};
use xietong::store::KgStore;
use xietong::{build, describe, eval};

#[derive(Parser)]
#[command(
    name = "xietong",
    version,
    about = "Builds a knowledge graph of Beijing–Tianjin–Hebei education collaboration from Chinese news articles",
    after_help = "Examples:\n  xietong build                      # read seeds/ into ./.xietong/store\n  xietong query queries/01_signed_documents.rq\n  xietong query -e 'SELECT ?s ?o { ?s xt:aids ?o }'\n  xietong export --focus 雄安新区 -o xiongan.svg\n  xietong describe 雄安新区\n  xietong path 天津市 雄安新区\n  xietong stats\n  xietong serve                      # the endpoint and page at http://127.0.0.1:7878/\n  xietong eval -v\n  xietong push --endpoint http://localhost:7878/query"
)]
struct Cli {
    /// The store folder.
    #[arg(long, global = true, default_value = ".xietong/store", env = "XIETONG_STORE")]
    store: PathBuf,
    /// A folder of ontology, lexicon, grammar and rules files to read instead of those built into the program.
    #[arg(long, global = true, env = "XIETONG_ONTOLOGY")]
    ontology: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read every article of the seeds folder and load the graph into the store.
    #[command(
        after_help = "Examples:\n  xietong build                        # only what changed since the last build\n  xietong build --seeds news/ --full   # re-read everything\n  xietong build --timings              # where the time goes\n  xietong build --push http://localhost:7878/query   # then send what changed to a server"
    )]
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
        /// Then push the store to the SPARQL server at this query endpoint (as `xietong push --endpoint URL`).
        #[arg(long, value_name = "URL")]
        push: Option<String>,
        #[command(flatten)]
        server: Server,
    },
    /// Ask the graph a SPARQL question (SELECT, ASK, CONSTRUCT, DESCRIBE) over all graphs.
    #[command(
        after_help = "Examples:\n  xietong query queries/08_evidence_aids.rq\n  xietong query -e 'SELECT ?school { ?school a xt:School }' --format csv\n  xietong query --list\n  xietong query --explain queries/05_cross_province.rq   # where the time goes\n  xietong query --endpoint http://localhost:8890/sparql queries/08_evidence_aids.rq"
    )]
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
        /// Run the query and print, instead of its answer, Oxigraph's plan as JSON with each step's rows and time.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        source: Source,
    },
    /// Send the store's graphs to a SPARQL server (Graph Store Protocol): only those changed since the last push there.
    #[command(
        after_help = "Examples:\n  xietong push --endpoint http://localhost:7878/query                # Oxigraph server\n  xietong push --endpoint http://localhost:8890/sparql               # Virtuoso\n  xietong push --endpoint http://localhost:3030/ds/sparql --graph-store http://localhost:3030/ds/data --user admin --password pw\n  xietong query --endpoint http://localhost:7878/query queries/08_evidence_aids.rq"
    )]
    Push {
        /// The server's SPARQL query endpoint.
        #[arg(long, value_name = "URL")]
        endpoint: String,
        /// Send every graph, not only those changed since the last push there.
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        server: Server,
    },
    /// Write the dataset, or one graph, as RDF; or draw the relations between entities (DOT, SVG, PNG, PDF).
    #[command(after_help = "Examples:
  xietong export -o graph.svg                              # the whole network, drawn by Graphviz
  xietong export --focus 雄安新区 --depth 2 -o xiongan.png   # two steps around one entity
  xietong export --property supports -o support.svg             # supports, aids, operates, guides
  xietong export --class VocationalSchool --max-nodes 80 --lang en -o vocational.pdf
  xietong export --graph 127_xiongan-turnkey-middle-school-handover-rqfang --format dot
  xietong export --query my_network.rq -o mine.svg        # draw a CONSTRUCT's relations
  xietong export -o all.trig                               # the dataset as RDF
  xietong export --format turtle --graph https://w3id.org/xietong/id/lexicon
  xietong export --focus 雄安新区 -o xiongan.svg --endpoint http://localhost:7878/query   # from a server

Diagrams: shape and fill by class (see the legend), dashed = planned, thicker = stated by
several articles (the count in the tooltip), no arrow = a mutual relation. SVG, PNG and PDF
need Graphviz (`apt-get install graphviz`); without it the exit code is 2.")]
    Export {
        /// Format [default: from the extension of -o, else trig].
        #[arg(long, value_parser = one_of::<ExportFormat>(ExportFormat::NAMES))]
        format: Option<ExportFormat>,
        /// Only this named graph: an IRI, or for a diagram an article's file name.
        #[arg(long)]
        graph: Option<String>,
        /// Write here instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Diagram: around the entity with this label or alias (repeatable).
        #[arg(long)]
        focus: Vec<String>,
        /// Diagram: steps from the focus.
        #[arg(long, default_value_t = 1, requires = "focus")]
        depth: usize,
        /// Diagram: only relations with an entity of this class at one end (repeatable; sub-classes too).
        #[arg(long = "class")]
        classes: Vec<String>,
        /// Diagram: only this property and its sub-properties (repeatable), e.g. aids, cooperatesWith.
        #[arg(long = "property")]
        properties: Vec<String>,
        /// Diagram: at most this many entities, the best connected, with at most 3 relations each on average, those most articles state (stderr says what was cut).
        #[arg(long)]
        max_nodes: Option<usize>,
        /// Diagram: add the relations inference derived.
        #[arg(long)]
        include_inferred: bool,
        /// Diagram: add the places names imply (xt:nameLocatedIn).
        #[arg(long)]
        include_name_places: bool,
        /// Diagram: label language (English where the data has it, else Chinese).
        #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
        lang: String,
        /// Diagram: the font of every label (a CJK font, so that PNG and PDF show Chinese).
        #[arg(long, default_value = export::dot::CJK_FONT)]
        font: String,
        /// Diagram: group entities in boxes by province, article or class, or not.
        #[arg(long, default_value = "province", value_parser = one_of::<export::dot::Cluster>(export::dot::Cluster::NAMES))]
        cluster: export::dot::Cluster,
        /// Diagram: draw the xt: relations a CONSTRUCT query (a .rq file) returns.
        #[arg(long)]
        query: Option<PathBuf>,
        /// Diagram: Graphviz layout engine [default: dot; sfdp from 300 entities or 1000 relations].
        #[arg(long, value_parser = ["dot", "sfdp", "neato", "fdp", "circo", "twopi"])]
        layout: Option<String>,
        #[command(flatten)]
        source: Source,
    },
    /// The shortest chains of relations between two entities, each step with its sentence and article.
    #[command(after_help = "Examples:
  xietong path 天津市 雄安新区
  xietong path 北京市 雄安新区 --property supports -o chain.svg
  xietong path 北京市 雄安新区 --include-name-places --max-chains 3")]
    Path {
        /// A label or alias of the entity to start from.
        from: String,
        /// A label or alias of the entity to reach.
        to: String,
        /// Only this property and its sub-properties (repeatable).
        #[arg(long = "property")]
        properties: Vec<String>,
        /// Walk through the relations inference derived too.
        #[arg(long)]
        include_inferred: bool,
        /// Walk through the places names imply (xt:nameLocatedIn) too.
        #[arg(long)]
        include_name_places: bool,
        /// List at most this many chains.
        #[arg(long, default_value_t = 5)]
        max_chains: usize,
        /// Also draw the chains here (.dot, .svg, .png or .pdf).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
    /// Figures of the graph: entities by class, relations by property, hubs, components, articles per entity.
    #[command(after_help = "Examples:\n  xietong stats\n  xietong stats --top 20\n  xietong stats --endpoint http://localhost:7878/query")]
    Stats {
        /// Entities listed in each ranking.
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[command(flatten)]
        source: Source,
    },
    /// Every fact about an entity, with the sentence and article that say it.
    #[command(after_help = "Examples:\n  xietong describe 雄安新区\n  xietong describe 雄安新区 --endpoint http://localhost:8890/sparql   # as pushed to a server")]
    Describe {
        /// A label or alias of the entity.
        name: String,
        #[command(flatten)]
        source: Source,
    },
    /// Serve the store over HTTP, read-only: a SPARQL 1.1 endpoint at /sparql and a page to ask and look at /.
    #[command(after_help = "Examples:
  xietong serve                                   # http://127.0.0.1:7878/
  xietong serve --bind 0.0.0.0:8080 --timeout 10  # open to the network
  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?s { ?s a xt:School }' http://127.0.0.1:7878/sparql

Updates are refused (403), and so is SERVICE. A build may run beside the server: it
reads the store read-only and opens it again, within about a second, when a build changed it.")]
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// Cancel a query after this many seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Send at most this many rows or triples of an answer (Xietong-Cut says when it cut: a header, or a trailer after an answer longer than 64 KiB).
        #[arg(long, default_value_t = 100_000)]
        max_rows: usize,
        /// Serve at most this many connections at once; more wait.
        #[arg(long, default_value_t = 64)]
        max_connections: usize,
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

/// Who to be at a SPARQL server.
#[derive(clap::Args, Clone)]
struct Credentials {
    /// User name for HTTP Basic auth.
    #[arg(long, env = "XIETONG_USER", requires = "password")]
    user: Option<String>,
    /// Password for HTTP Basic auth.
    #[arg(long, env = "XIETONG_PASSWORD", hide_env_values = true)]
    password: Option<String>,
}

impl Credentials {
    fn client(&self, timeout: Option<Duration>) -> xietong::remote::Client {
        xietong::remote::Client::new(self.user.as_deref().zip(self.password.as_deref()), timeout)
    }
}

/// How to reach a SPARQL server to write to, besides its query endpoint.
#[derive(clap::Args, Clone)]
struct Server {
    /// The server's Graph Store Protocol endpoint [default: beside the query endpoint: Oxigraph's /store, Virtuoso's /sparql-graph-crud].
    #[arg(long, value_name = "URL")]
    graph_store: Option<String>,
    #[command(flatten)]
    credentials: Credentials,
}

impl Server {
    fn connect(&self, url: &str, timeout: Option<Duration>) -> Result<(xietong::remote::Endpoint, xietong::remote::Client)> {
        Ok((xietong::remote::Endpoint::new(url, self.graph_store.as_deref())?, self.credentials.client(timeout)))
    }
}

/// Where a reader asks: the store, or a SPARQL server.
#[derive(clap::Args, Clone)]
struct Source {
    /// Ask the SPARQL server at this query endpoint instead of the store (its default graph the union of its graphs).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    #[command(flatten)]
    credentials: Credentials,
}

/// An open [`Source`].
enum Opened {
    Store(KgStore),
    Server(xietong::remote::sparql::Service),
}

/// How long a reader waits for each answer of a server, unless told.
const SERVER_TIMEOUT: Duration = Duration::from_secs(300);

impl Source {
    fn open(&self, store: &Path, timeout: Option<Duration>) -> Result<Opened> {
        Ok(match &self.endpoint {
            Some(url) => Opened::Server(xietong::remote::sparql::Service::new(url, self.credentials.client(Some(timeout.unwrap_or(SERVER_TIMEOUT))))?),
            None => Opened::Store(KgStore::open_read_only(store)?),
        })
    }
}

impl Opened {
    fn dataset(&self) -> &dyn query::Dataset {
        match self {
            Opened::Store(kg) => &kg.store,
            Opened::Server(s) => s,
        }
    }
}

impl Command {
    /// Whether the command reads a store or a server without building.
    fn only_reads(&self) -> bool {
        match self {
            Command::Query { .. }
            | Command::Push { .. }
            | Command::Export { .. }
            | Command::Path { .. }
            | Command::Stats { .. }
            | Command::Describe { .. }
            | Command::Serve { .. }
            | Command::Eval { .. } => true,
            Command::Build { .. } | Command::Extract { .. } | Command::Bench { .. } => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExtractFormat {
    Text,
    Json,
}

#[global_allocator]
static ALLOCATOR: xietong::allocator::Allocator = xietong::allocator::Allocator;

fn main() -> ExitCode {
    build::keep_freed_memory_short();
    let cli = Cli::parse();
    // Commands that only read a store or a server take mimalloc, faster for
    // a query's rows; the others keep glibc's, which a build's memory is
    // tuned for (src/allocator.rs).
    if cli.command.only_reads() {
        xietong::allocator::use_mimalloc();
    }
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

/// The folder `--ontology` names; without it, the knowledge built into the program.
fn ontology_dir(cli: &Option<PathBuf>) -> Option<PathBuf> {
    cli.clone()
}

fn load_knowledge(dir: Option<&Path>) -> Result<Knowledge> {
    Ok(match dir {
        Some(d) => Knowledge::load(d)?,
        None => Knowledge::built_in()?,
    })
}

/// A query file's text: the file, or else a query built into the program
/// by its file name (`queries/01_signed_documents.rq` from any folder).
fn query_text(f: &Path) -> Result<String> {
    match std::fs::read_to_string(f) {
        Ok(t) => Ok(t),
        Err(e) => {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            query::BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, t)| t.to_string()).ok_or(e).with_context(|| format!("cannot read {}", f.display()))
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Build { seeds, full, timings, push: to, server } => {
            // A build that skipped unreadable articles still pushes the
            // store it made (their last good graphs), and exits 1 after.
            let code = build(&cli.store, ontology_dir(&cli.ontology).as_deref(), &seeds, full, timings, &mut out)?;
            if let Some(url) = to {
                push(&cli.store, &url, &server, false, &mut out)?;
            }
            code
        }
        Command::Push { endpoint, full, server } => push(&cli.store, &endpoint, &server, full, &mut out)?,
        Command::Query { file, expr, list, format, timeout, explain, source } => {
            if list {
                list_queries(&mut out)?;
            } else {
                let text = match (file, expr) {
                    (Some(f), None) => query_text(&f)?,
                    (None, Some(e)) => e,
                    _ => bail!("give a query file or -e 'SPARQL'\nhint: `xietong query --list` shows the prepared questions"),
                };
                let timeout = timeout.map(Duration::from_secs);
                let format = format.unwrap_or(if io::stdout().is_terminal() { Format::Table } else { Format::Tsv });
                if explain && source.endpoint.is_some() {
                    bail!("--explain shows the embedded store's plan; a server explains its own");
                }
                match source.open(&cli.store, timeout)? {
                    Opened::Server(service) => query::write(&query::Dataset::answer(&service, &text)?, format, &mut out)?,
                    Opened::Store(kg) if explain => query::explain(&kg.store, &text, timeout, &mut out)?,
                    Opened::Store(kg) => {
                        query::stream(&kg.store, &text, timeout, format, &mut out)?;
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Export {
            format,
            graph,
            output,
            focus,
            depth,
            classes,
            properties,
            max_nodes,
            include_inferred,
            include_name_places,
            lang,
            font,
            cluster,
            query: query_file,
            layout,
            source,
        } => {
            let opened = source.open(&cli.store, None)?;
            let ds = opened.dataset();
            let format = format.or_else(|| output.as_deref().and_then(ExportFormat::from_path)).unwrap_or(ExportFormat::Trig);
            // A diagram is made in memory first, so that a failure leaves no half-written file.
            let mut bytes: Vec<u8> = Vec::new();
            if format.is_diagram() {
                let k = load_knowledge(ontology_dir(&cli.ontology).as_deref())?;
                let graph = graph
                    .map(|g| if g.contains("://") { NamedNode::new(&g).with_context(|| format!("--graph {g}: not an IRI")) } else { Ok(xietong::iri::doc_graph(&g)) })
                    .transpose()?;
                let query = query_file.map(|f| query_text(&f)).transpose()?;
                let scope = export::network::Scope { properties, include_inferred, include_name_places, graph };
                let look = export::dot::Look { lang, font, cluster };
                let req = export::Request { scope, focus, depth, classes, max_nodes, query, look };
                let d = export::diagram(ds, &k, &req)?;
                if let Some(c) = d.cut {
                    eprintln!(
                        "xietong: drew the {} best connected of {} entities and {} of {} relations; narrow with --focus, --class or --property, or raise --max-nodes",
                        c.entities_after, c.entities_before, c.relations_after, c.relations_before
                    );
                }
                if d.relations == 0 {
                    eprintln!("xietong: warning: no relation to draw");
                }
                let engine = layout.as_deref().unwrap_or(export::render::engine_for(d.entities, d.relations));
                if format.graphviz().is_some() {
                    eprintln!("xietong: {} entities, {} relations, laid out by Graphviz `{engine}`", d.entities, d.relations);
                }
                if !picture(&d.dot, format, engine, &mut bytes)? {
                    return Ok(ExitCode::from(2));
                }
            } else {
                // RDF streams: the whole dataset can be larger than memory.
                let g = graph.map(|g| NamedNode::new(&g).with_context(|| format!("--graph {g}: not an IRI"))).transpose()?;
                let mut file_out;
                let w: &mut dyn Write = match &output {
                    Some(p) => {
                        file_out = io::BufWriter::new(std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?);
                        &mut file_out
                    }
                    None => &mut out,
                };
                export::write_rdf(ds, format, g.as_ref(), w)?;
                w.flush()?;
                return Ok(ExitCode::SUCCESS).and_then(|c| out.flush().map(|_| c).map_err(Into::into));
            }
            match &output {
                Some(p) => std::fs::write(p, &bytes).with_context(|| format!("cannot write {}", p.display()))?,
                None => out.write_all(&bytes)?,
            }
            ExitCode::SUCCESS
        }
        Command::Path { from, to, properties, include_inferred, include_name_places, max_chains, output, source } => {
            let opened = source.open(&cli.store, None)?;
            let k = load_knowledge(ontology_dir(&cli.ontology).as_deref())?;
            let scope = export::network::Scope { properties, include_inferred, include_name_places, graph: None };
            let found = xietong::paths::paths(opened.dataset(), &k, scope, &from, &to, max_chains, "zh")?;
            write_paths(&k, &found, &mut out)?;
            if let Some(p) = output {
                let format = ExportFormat::from_path(&p).filter(|f| f.is_diagram()).with_context(|| format!("{}: draw to a .dot, .svg, .png or .pdf file", p.display()))?;
                let look = export::dot::Look { cluster: export::dot::Cluster::None, ..Default::default() };
                let dot = export::draw(opened.dataset(), &k, &found.network, &look)?;
                let mut bytes = Vec::new();
                if !picture(&dot, format, "dot", &mut bytes)? {
                    out.flush()?;
                    return Ok(ExitCode::from(2));
                }
                std::fs::write(&p, &bytes).with_context(|| format!("cannot write {}", p.display()))?;
            }
            ExitCode::SUCCESS
        }
        Command::Stats { top, source } => {
            let opened = source.open(&cli.store, None)?;
            let k = load_knowledge(ontology_dir(&cli.ontology).as_deref())?;
            let st = xietong::stats::stats(opened.dataset(), &k, top)?;
            write_stats(&k, &st, &mut out)?;
            ExitCode::SUCCESS
        }
        Command::Describe { name, source } => {
            let opened = source.open(&cli.store, None)?;
            describe::describe(opened.dataset(), &name, &mut out)?;
            ExitCode::SUCCESS
        }
        Command::Serve { bind, timeout, max_rows, max_connections } => {
            let k = load_knowledge(ontology_dir(&cli.ontology).as_deref())?;
            let limits = query::Limits { timeout: Some(Duration::from_secs(timeout)), max_rows: Some(max_rows) };
            let config = xietong::serve::Config { bind, limits, max_connections };
            let server = xietong::serve::start(&cli.store, k, &config)?;
            eprintln!("xietong: serving {} on http://{bind}/ (SPARQL at /sparql)", cli.store.display());
            server.join()?;
            ExitCode::SUCCESS
        }
        Command::Extract { file, format } => {
            let k = load_knowledge(ontology_dir(&cli.ontology).as_deref())?;
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
            let k = load_knowledge(onto.as_deref())?;
            let queries = query::BUILT_IN.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
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
            let k = load_knowledge(ontology_dir(&cli.ontology).as_deref())?;
            let kg = KgStore::open_read_only(&cli.store)?;
            let golds = eval::read_gold_dir(&gold)?;
            let report = eval::evaluate(&kg.store, &k, &golds)?;
            report.write(verbose, &mut out)?;
            ExitCode::SUCCESS
        }
    };
    out.flush()?;
    Ok(code)
}

fn build(store: &Path, ontology: Option<&Path>, seeds: &Path, full: bool, timings: bool, out: &mut dyn Write) -> Result<ExitCode> {
    let started = Instant::now();
    let phase_start = std::sync::Mutex::new(started);
    let phase = |name: &str| {
        let mut at = phase_start.lock().unwrap_or_else(|e| e.into_inner());
        if timings {
            eprintln!("xietong: {name:<28} {:>8.2} s {:>7}", at.elapsed().as_secs_f64(), memory_now());
        }
        *at = Instant::now();
    };
    let k = load_knowledge(ontology)?;
    phase("knowledge");
    let bar = indicatif::ProgressBar::hidden();
    let on = |event: build::Event<'_>| match event {
        build::Event::Reading { total } => {
            bar.set_length(total as u64);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(indicatif::ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
            bar.set_prefix("reading");
        }
        build::Event::Read => bar.inc(1),
        build::Event::ReadingDone => bar.finish_and_clear(),
        build::Event::Phase(name) => phase(name),
        build::Event::StorePhase(what, secs) => {
            if timings {
                eprintln!("xietong:   {what:<26} {secs:>8.2} s");
            }
        }
        build::Event::CacheUnwritable => eprintln!("xietong: cannot write the extraction cache beside {}; holding the articles in memory", store.display()),
        build::Event::ReadLittle { path, why } => eprintln!("xietong: warning: {}: {why}", path.display()),
        build::Event::Skipped { path, error } => eprintln!("xietong: {}: {error} (skipped; its last good graph stays)", path.display()),
    };
    let opts = build::BuildOptions { seeds: seeds.to_path_buf(), store: store.to_path_buf(), full, leak_corpus: true };
    let report = build::run(&opts, &k, &on)?;
    let stats = &report.stats;
    let secs = started.elapsed().as_secs_f64();
    writeln!(out, "built {} from {} articles in {:.2} s{}", store.display(), stats.articles, secs, if stats.full { " (full rebuild)" } else { "" })?;
    writeln!(
        out,
        "  articles  {} added, {} changed, {} removed, {} unchanged; {} re-extracted{}",
        stats.added,
        stats.changed,
        stats.removed,
        stats.unchanged + stats.rewritten,
        report.reextracted,
        if stats.rewritten > 0 { format!(", {} rewritten for what other articles say", stats.rewritten) } else { String::new() }
    )?;
    let join = |m: &std::collections::BTreeMap<String, usize>| m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
    writeln!(out, "  entities  {}: {}", stats.entities, join(&stats.by_class))?;
    writeln!(out, "  relations {}: {}", stats.relations, join(&stats.by_property))?;
    writeln!(out, "  triples   {} (of which inferred {})", stats.triples, stats.inferred)?;
    if !report.read_little.is_empty() {
        let names: Vec<&str> = report.read_little.iter().map(|(n, _)| n.as_str()).collect();
        writeln!(out, "  warnings  {} article(s) read little or nothing: {}", report.read_little.len(), names.join(", "))?;
    }
    let mut code = ExitCode::SUCCESS;
    if !report.skipped.is_empty() {
        writeln!(out, "  skipped   {} unreadable article(s)", report.skipped.len())?;
        code = ExitCode::FAILURE;
    }
    if stats.lost > 0 {
        eprintln!("xietong: {} article(s) could not be read back as they were read (changed during the build?); their last good graphs stay: build again", stats.lost);
        code = ExitCode::FAILURE;
    }
    Ok(code)
}

/// `xietong push`: the store's changed graphs to the server at `url`.
fn push(store: &Path, url: &str, server: &Server, full: bool, out: &mut dyn Write) -> Result<ExitCode> {
    use xietong::push::PushEvent;
    let started = Instant::now();
    let (endpoint, client) = server.connect(url, None)?;
    let kg = KgStore::open_read_only(store)?;
    let bar = indicatif::ProgressBar::hidden();
    let on = |event: PushEvent<'_>| match event {
        PushEvent::Plan { send, .. } => {
            bar.set_length(send as u64);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(indicatif::ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
            bar.set_prefix("pushing");
        }
        PushEvent::Sent { .. } => bar.inc(1),
        PushEvent::Deleted { .. } => {}
    };
    let result = xietong::push::push(&kg.store, store, &endpoint, &client, full, &on);
    bar.finish_and_clear();
    let r = result.with_context(|| format!("push to {}", endpoint.graph_store))?;
    let secs = started.elapsed().as_secs_f64();
    writeln!(out, "pushed {} to {} in {secs:.2} s", store.display(), endpoint.graph_store)?;
    writeln!(out, "  graphs    {} sent, {} unchanged, {} deleted (of {} in the store)", r.sent, r.unchanged, r.deleted, r.graphs)?;
    writeln!(out, "  sent      {} triples, {} bytes ({:.0} triples/s)", r.triples, r.bytes, r.triples as f64 / secs.max(1e-9))?;
    if r.retries > 0 {
        writeln!(out, "  retries   {} request(s) sent again after a server error or a lost connection", r.retries)?;
    }
    Ok(ExitCode::SUCCESS)
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

fn write_machine(out: &mut dyn Write) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpu =
        std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()));
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
        writeln!(
            out,
            "  rebuild, 1 article changed{:>9.2} s   {:.1}% of the full build (target ≤ 2%)",
            r.rebuild_one_changed_secs,
            100.0 * r.rebuild_one_changed_secs / r.build_secs
        )?;
        writeln!(out, "  peak resident memory      {:>9.0} MB", r.peak_rss_mb)?;
        if let Some(mb) = r.bulk_load_peak_mb {
            writeln!(out, "  bulk load's own peak      {:>9.0} MB   (what Oxigraph's loader adds to a process)", mb)?;
        }
        writeln!(out, "  store on disk             {:>9.1} MB", r.store_mb)?;
        for q in &r.queries {
            writeln!(
                out,
                "  query {:<32} median {:>9.2} ms   p95 {:>9.2} ms   ({} runs)   {:>7} rows  {:>9.0} rows/s",
                q.name,
                q.median_ms,
                q.p95_ms,
                q.runs,
                q.rows,
                q.rows_per_s()
            )?;
        }
        for (what, l) in [("describe", &r.describe), ("focus DOT", &r.focus_dot)] {
            if let Some(l) = l {
                writeln!(out, "  {what:<38} median {:>9.2} ms   p95 {:>9.2} ms   ({} runs, the whole command: `xietong {}`)", l.median_ms, l.p95_ms, l.runs, l.name)?;
            }
        }
    }
    Ok(())
}

/// A diagram's bytes in `format`: the DOT itself, or Graphviz's picture of
/// it (its warnings on stderr). `false` when Graphviz is missing, said on
/// stderr with how to install it.
fn picture(dot: &str, format: ExportFormat, engine: &str, bytes: &mut Vec<u8>) -> Result<bool> {
    let Some(t) = format.graphviz() else {
        bytes.extend_from_slice(dot.as_bytes());
        return Ok(true);
    };
    match export::render::render(dot, t, engine, bytes) {
        Ok(r) => r.warnings.iter().for_each(|w| eprintln!("xietong: graphviz: {w}")),
        Err(e @ export::render::RenderError::Missing(_)) => {
            eprintln!("xietong: {e}");
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(true)
}

fn write_paths(k: &Knowledge, p: &xietong::paths::Paths, out: &mut dyn Write) -> Result<()> {
    let label = |iri: &str| p.entities.get(iri).map_or(iri.to_string(), |e| e.label.clone());
    let steps = p.chains.first().map_or(0, Vec::len);
    writeln!(
        out,
        "{} shortest chain{} of {steps} step{}{}",
        p.chains.len(),
        if p.chains.len() == 1 { "" } else { "s" },
        if steps == 1 { "" } else { "s" },
        if p.more { " (more exist: raise --max-chains)" } else { "" }
    )?;
    for (i, chain) in p.chains.iter().enumerate() {
        writeln!(out, "\n{}. {}", i + 1, std::iter::once(label(chain[0].from())).chain(chain.iter().map(|s| label(s.to()))).collect::<Vec<_>>().join(" — "))?;
        for s in chain {
            let prop = k.vocab.label(&s.relation.property, "zh").unwrap_or(&s.relation.property);
            let arrow = if k.vocab.is_symmetric(&s.relation.property) {
                format!("—{prop}—")
            } else if s.forward {
                format!("—{prop}→")
            } else {
                format!("←{prop}—")
            };
            writeln!(out, "   {} {arrow} {}   [{}, {} article{}]", label(s.from()), label(s.to()), s.relation.property, s.articles, if s.articles == 1 { "" } else { "s" })?;
            if let Some((article, sentence)) = &s.evidence {
                writeln!(out, "      “{sentence}”  ({})", article.strip_prefix(xietong::iri::DOC_PREFIX).unwrap_or(article))?;
            }
        }
    }
    Ok(())
}

fn write_stats(k: &Knowledge, st: &xietong::stats::Stats, out: &mut dyn Write) -> Result<()> {
    let zh = |t: &str| k.vocab.label(t, "zh").unwrap_or("").to_string();
    writeln!(out, "articles {}   entities mentioned {}   relations {}", st.articles, st.entities, st.properties.iter().map(|p| p.1).sum::<usize>())?;
    writeln!(out, "\nentities by class")?;
    for (c, n) in &st.classes {
        writeln!(out, "  {n:>7}  {c} {}", zh(c))?;
    }
    writeln!(out, "\nrelations by property (stated by articles; name-implied places and inferred left out)")?;
    for (p, n, s) in &st.properties {
        writeln!(out, "  {n:>7}  {p} {}   ({s} statements)", zh(p))?;
    }
    let ranking = |title: &str, list: &[xietong::stats::Ranked], out: &mut dyn Write| -> Result<()> {
        writeln!(out, "\n{title}")?;
        for r in list {
            writeln!(out, "  {:>7}  {}  ({})  {}", r.value, r.label, r.class.as_deref().unwrap_or("?"), r.iri.strip_prefix(xietong::iri::XTR).unwrap_or(&r.iri))?;
        }
        Ok(())
    };
    ranking("most connected (distinct neighbours)", &st.most_connected, out)?;
    ranking("most mentioned (articles)", &st.most_mentioned, out)?;
    let a = &st.articles_per_entity;
    writeln!(out, "\narticles per entity: mean {:.2}, median {}, max {}", a.mean, a.median, a.max)?;
    let shown: Vec<String> = st.components.iter().take(10).map(usize::to_string).collect();
    writeln!(
        out,
        "connected components: {} (sizes {}{}); {} mentioned entities in no relation",
        st.components.len(),
        shown.join(", "),
        if st.components.len() > 10 { ", …" } else { "" },
        st.unlinked
    )?;
    Ok(())
}

/// The prepared questions: those built into the program, by the path
/// `xietong query` takes them by.
fn list_queries(out: &mut dyn Write) -> Result<()> {
    for (name, text) in query::BUILT_IN {
        writeln!(out, "queries/{name}\t{}", query::header(text, "title").unwrap_or_default())?;
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
