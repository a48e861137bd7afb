//! SPARQL over the store: the predeclared prefixes, the union of all graphs
//! as the default graph, and the result formats a user asks for.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad, QuadRef, Term, TermRef};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{BoundPreparedSparqlQuery, CancellationToken, QueryEvaluationError, QueryResults, QuerySolution, SparqlEvaluator, Variable};
use oxigraph::store::Store;
use unicode_width::UnicodeWidthStr;

use crate::iri::PREFIXES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    Ntriples,
    Nquads,
    Trig,
    Rdfxml,
    Jsonld,
}

impl Format {
    /// The names `from_str` reads, for a command line to offer.
    pub const NAMES: &'static [&'static str] = &["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"];
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "json" => Format::Json,
            "xml" => Format::Xml,
            "turtle" => Format::Turtle,
            "ntriples" => Format::Ntriples,
            "nquads" => Format::Nquads,
            "trig" => Format::Trig,
            "rdfxml" => Format::Rdfxml,
            "jsonld" => Format::Jsonld,
            other => return Err(format!("unknown result format `{other}`")),
        })
    }
}

/// The competency queries of `queries/` as the program was built with them:
/// (file name, text), by file name.
pub const BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/queries.rs"));

/// A query's results held in memory (tables are small; graphs are streamed by callers if large).
pub enum Answer {
    Table { vars: Vec<Variable>, rows: Vec<QuerySolution> },
    Boolean(bool),
    Graph(Vec<oxigraph::model::Triple>),
}

/// Quads read from a [`Dataset`].
pub type Quads<'a> = Box<dyn Iterator<Item = Result<Quad>> + 'a>;

/// The quads a [`Dataset::quads`] call asks for: each part given, or any.
#[derive(Clone, Copy, Default)]
pub struct QuadPattern<'a> {
    pub subject: Option<NamedOrBlankNodeRef<'a>>,
    pub predicate: Option<NamedNodeRef<'a>>,
    pub object: Option<TermRef<'a>>,
    pub graph: Option<GraphNameRef<'a>>,
}

impl<'a> From<QuadRef<'a>> for QuadPattern<'a> {
    fn from(quad: QuadRef<'a>) -> Self {
        QuadPattern { subject: Some(quad.subject), predicate: Some(quad.predicate), object: Some(quad.object), graph: Some(quad.graph_name) }
    }
}

/// Where questions are answered: the embedded store, or a SPARQL server
/// (`remote::sparql::Service`). The readers of a graph (describe, diagrams, paths,
/// stats, RDF export) ask through this, so each works against either.
pub trait Dataset {
    /// The answer to a query, with the predeclared prefixes and the union
    /// of all graphs as the default graph.
    fn answer(&self, sparql: &str) -> Result<Answer>;
    /// The quads of the named graphs matching a pattern, in an order that is
    /// the same at every call on the same data.
    fn quads<'a>(&'a self, pattern: QuadPattern<'_>) -> Quads<'a>;
    /// Whether the dataset holds a quad.
    fn contains(&self, quad: QuadRef<'_>) -> Result<bool> {
        Ok(self.quads(quad.into()).next().transpose()?.is_some())
    }
}

impl Dataset for Store {
    fn answer(&self, sparql: &str) -> Result<Answer> {
        run(self, sparql, None)
    }
    /// In the store's index order.
    fn quads<'a>(&'a self, p: QuadPattern<'_>) -> Quads<'a> {
        Box::new(self.quads_for_pattern(p.subject, p.predicate, p.object, p.graph).map(|q| q.map_err(Into::into)))
    }
    fn contains(&self, quad: QuadRef<'_>) -> Result<bool> {
        // Encodes and looks up, without decoding any term.
        Ok(Store::contains(self, quad)?)
    }
}

/// The rows of a SELECT.
pub fn rows(ds: &dyn Dataset, sparql: &str) -> Result<Vec<QuerySolution>> {
    match ds.answer(sparql)? {
        Answer::Table { rows, .. } => Ok(rows),
        _ => bail!("a SELECT gave no table"),
    }
}

/// A count in a row (`COUNT(…) AS ?n`); 0 if unbound or not a number.
pub fn number(t: Option<&Term>) -> usize {
    match t {
        Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
        _ => 0,
    }
}

/// A query parsed against the store, with the predeclared prefixes, the
/// union of all graphs as the default graph unless the query names its
/// own, and a timeout that cancels it.
fn bind<'a>(store: &'a Store, sparql: &str, timeout: Option<Duration>, graphs: Option<&Graphs>) -> Result<BoundPreparedSparqlQuery<'a>> {
    let mut ev = SparqlEvaluator::new();
    for (p, iri) in PREFIXES {
        ev = ev.with_prefix(p, iri).context("prefix")?;
    }
    let token = CancellationToken::new();
    if let Some(t) = timeout {
        cancel_at(token.clone(), Instant::now() + t);
    }
    let ev = ev.with_cancellation_token(token);
    let mut prepared = ev.parse_query(sparql).map_err(|e| anyhow::anyhow!("invalid SPARQL: {e}"))?;
    if let Some(g) = graphs {
        prepared.dataset_mut().set_default_graph(g.default.iter().cloned().map(Into::into).collect());
        prepared.dataset_mut().set_available_named_graphs(g.named.iter().cloned().map(Into::into).collect());
    } else if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    Ok(prepared.on_store(store))
}

/// Queries' deadlines, soonest first, each with the token that cancels it
/// (the number tells apart deadlines of one instant).
type Deadlines = BTreeMap<(Instant, u64), CancellationToken>;

/// Cancels `token` at `at`. One thread keeps every deadline: a thread per
/// query sleeping out its timeout would leave thousands asleep under a
/// server's load. Cancelling a query already done does nothing.
fn cancel_at(token: CancellationToken, at: Instant) {
    static ALARMS: OnceLock<Arc<Alarms>> = OnceLock::new();
    let alarms = ALARMS.get_or_init(|| {
        let alarms = Arc::new(Alarms::default());
        let kept = Arc::clone(&alarms);
        std::thread::spawn(move || kept.ring());
        alarms
    });
    let mut due = alarms.due.lock().unwrap_or_else(|e| e.into_inner());
    let n = due.1;
    due.1 += 1;
    let soonest = due.0.keys().next().is_none_or(|&(first, _)| at < first);
    due.0.insert((at, n), token);
    if soonest {
        alarms.bell.notify_one();
    }
}

/// The deadlines [`cancel_at`] keeps, with the next number to give, and
/// the bell that wakes their thread when a sooner one comes.
#[derive(Default)]
struct Alarms {
    due: Mutex<(Deadlines, u64)>,
    bell: Condvar,
}

impl Alarms {
    /// Cancels each query as its deadline passes; runs for the process's life.
    fn ring(&self) {
        let mut due = self.due.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            while let Some(entry) = due.0.first_entry().filter(|e| e.key().0 <= now) {
                entry.remove().cancel();
            }
            due = match due.0.keys().next() {
                Some(&(next, _)) => self.bell.wait_timeout(due, next - now).unwrap_or_else(|e| e.into_inner()).0,
                None => self.bell.wait(due).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

/// [`QueryError::evaluation`], for the callers that want an `anyhow::Error`.
fn failed(e: QueryEvaluationError, timeout: Option<Duration>) -> anyhow::Error {
    QueryError::evaluation(e, timeout).into()
}

/// Parses and runs a query; `timeout` cancels a runaway one.
pub fn run(store: &Store, sparql: &str, timeout: Option<Duration>) -> Result<Answer> {
    let cancelled = |e: QueryEvaluationError| failed(e, timeout);
    match bind(store, sparql, timeout, None)?.execute().map_err(cancelled)? {
        QueryResults::Solutions(sols) => {
            let vars = sols.variables().to_vec();
            let rows = sols.collect::<Result<Vec<_>, _>>().map_err(cancelled)?;
            Ok(Answer::Table { vars, rows })
        }
        QueryResults::Boolean(b) => Ok(Answer::Boolean(b)),
        QueryResults::Graph(triples) => Ok(Answer::Graph(triples.collect::<Result<Vec<_>, _>>().map_err(cancelled)?)),
    }
}

/// Runs a query and writes its answer as it comes: rows and triples go to
/// `out` one at a time, so an answer of millions of rows is never held
/// (except for `Format::Table`, whose columns are aligned over all rows).
/// Returns the number of rows or triples written.
pub fn stream(store: &Store, sparql: &str, timeout: Option<Duration>, format: Format, out: &mut dyn Write) -> Result<usize> {
    if format == Format::Table {
        let answer = run(store, sparql, timeout)?;
        write(&answer, format, out)?;
        return Ok(match &answer {
            Answer::Table { rows, .. } => rows.len(),
            Answer::Boolean(_) => 1,
            Answer::Graph(t) => t.len(),
        });
    }
    let limits = Limits { timeout, max_rows: None };
    Ok(stream_at_most(store, sparql, None, &limits, &|_| Some(format), out)?.rows)
}

/// What a query may take: time, and rows or triples of its answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub timeout: Option<Duration>,
    pub max_rows: Option<usize>,
}

/// A query's dataset named from outside the query (the SPARQL Protocol's
/// `default-graph-uri` and `named-graph-uri`), in place of its own FROM and
/// FROM NAMED: the default graph is the merge of `default` (empty if none),
/// and `GRAPH` sees only `named`.
#[derive(Debug, Clone, Default)]
pub struct Graphs {
    pub default: Vec<NamedNode>,
    pub named: Vec<NamedNode>,
}

/// The two kinds of answer, which have formats of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SELECT and ASK: a table of solutions, or a boolean.
    Table,
    /// CONSTRUCT and DESCRIBE: RDF triples.
    Graph,
}

/// What [`stream_at_most`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct Streamed {
    pub format: Format,
    /// Rows or triples written (1 for ASK).
    pub rows: usize,
    /// Whether the answer had more than `Limits::max_rows` and was cut there.
    pub cut: bool,
}

/// Why a query gave no answer, told apart so that a server answers each
/// with its own status.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("invalid SPARQL: {0}")]
    Invalid(String),
    #[error("the query ran longer than {0}s and was cancelled\nhint: raise --timeout or narrow the query")]
    Cancelled(u64),
    /// The program is built without Oxigraph's HTTP client: a query makes no
    /// request to another host on anyone's behalf.
    #[error("SERVICE is refused: this program queries no other endpoint")]
    Service,
    #[error("no format of a {0:?} answer is acceptable")]
    NotAcceptable(Kind),
    #[error("query failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Write(#[from] std::io::Error),
}

impl QueryError {
    fn evaluation(e: QueryEvaluationError, timeout: Option<Duration>) -> Self {
        match e {
            QueryEvaluationError::Cancelled => QueryError::Cancelled(timeout.map_or(0, |t| t.as_secs())),
            QueryEvaluationError::UnsupportedService(_) | QueryEvaluationError::UnboundService | QueryEvaluationError::InvalidServiceName(_) => QueryError::Service,
            e => QueryError::Failed(e.to_string()),
        }
    }
}

/// Whether `sparql` is a SPARQL update (with the predeclared prefixes), so
/// that a reader can refuse it as such rather than as bad syntax.
pub fn is_update(sparql: &str) -> bool {
    let mut ev = SparqlEvaluator::new();
    for (p, iri) in PREFIXES {
        match ev.with_prefix(p, iri) {
            Ok(e) => ev = e,
            Err(_) => return false,
        }
    }
    ev.parse_update(sparql).is_ok()
}

/// Runs a query and writes at most `limits.max_rows` rows or triples of its
/// answer to `out`, in the format `choose` gives for its kind of answer
/// (`None`: none acceptable). Never holds the answer.
pub fn stream_at_most(
    store: &Store,
    sparql: &str,
    graphs: Option<&Graphs>,
    limits: &Limits,
    choose: &dyn Fn(Kind) -> Option<Format>,
    out: &mut dyn Write,
) -> Result<Streamed, QueryError> {
    let timeout = limits.timeout;
    let ev = |e: QueryEvaluationError| QueryError::evaluation(e, timeout);
    let other = |e: anyhow::Error| QueryError::Failed(e.to_string());
    let max = limits.max_rows.unwrap_or(usize::MAX);
    let bound = bind(store, sparql, timeout, graphs).map_err(|e| QueryError::Invalid(e.to_string().trim_start_matches("invalid SPARQL: ").to_string()))?;
    let (format, (rows, cut)) = match bound.execute().map_err(ev)? {
        QueryResults::Solutions(sols) => {
            let format = choose(Kind::Table).ok_or(QueryError::NotAcceptable(Kind::Table))?;
            let mut ser = QueryResultsSerializer::from_format(results_format(format).map_err(other)?).serialize_solutions_to_writer(out, sols.variables().to_vec())?;
            let written = at_most(sols, max, ev, |row| ser.serialize(row))?;
            ser.finish()?;
            (format, written)
        }
        QueryResults::Boolean(b) => {
            let format = choose(Kind::Table).ok_or(QueryError::NotAcceptable(Kind::Table))?;
            QueryResultsSerializer::from_format(results_format(format).map_err(other)?).serialize_boolean_to_writer(out, b)?;
            (format, (1, false))
        }
        QueryResults::Graph(triples) => {
            let format = choose(Kind::Graph).ok_or(QueryError::NotAcceptable(Kind::Graph))?;
            let mut w = graph_serializer(format).map_err(other)?.for_writer(out);
            let written = at_most(triples, max, ev, |t| w.serialize_triple(t))?;
            w.finish()?;
            (format, written)
        }
    };
    Ok(Streamed { format, rows, cut })
}

/// Writes the items of an answer, at most `max`; returns how many, and
/// whether there were more.
fn at_most<T>(
    items: impl Iterator<Item = Result<T, QueryEvaluationError>>,
    max: usize,
    ev: impl Fn(QueryEvaluationError) -> QueryError,
    mut write: impl FnMut(&T) -> std::io::Result<()>,
) -> Result<(usize, bool), QueryError> {
    let mut n = 0;
    for item in items {
        let item = item.map_err(&ev)?;
        if n == max {
            return Ok((n, true));
        }
        write(&item)?;
        n += 1;
    }
    Ok((n, false))
}

/// Runs a query to its end with Oxigraph's statistics on, and writes the
/// evaluator's plan as JSON: each operator with its output rows and time.
pub fn explain(store: &Store, sparql: &str, timeout: Option<Duration>, out: &mut dyn Write) -> Result<()> {
    let (results, explanation) = bind(store, sparql, timeout, None)?.compute_statistics().explain();
    match results.map_err(|e| failed(e, timeout))? {
        QueryResults::Solutions(sols) => sols.into_iter().try_for_each(|r| r.map(drop)).map_err(|e| failed(e, timeout))?,
        QueryResults::Graph(triples) => triples.into_iter().try_for_each(|r| r.map(drop)).map_err(|e| failed(e, timeout))?,
        QueryResults::Boolean(_) => {}
    }
    explanation.write_in_json(&mut *out)?;
    writeln!(out)?;
    Ok(())
}

/// A term as a person reads it: prefixed names, bare literal values.
pub fn show(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => {
            for (p, iri) in PREFIXES {
                if let Some(local) = n.as_str().strip_prefix(iri) {
                    return format!("{p}:{local}");
                }
            }
            format!("<{}>", n.as_str())
        }
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => l.value().to_string(),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

pub fn write(answer: &Answer, format: Format, out: &mut dyn Write) -> Result<()> {
    match (answer, format) {
        (Answer::Table { vars, rows }, Format::Table) => write_table(vars, rows, out),
        (Answer::Boolean(b), Format::Table) => Ok(writeln!(out, "{b}")?),
        (Answer::Table { vars, rows }, f) => {
            let rf = results_format(f)?;
            let mut ser = QueryResultsSerializer::from_format(rf).serialize_solutions_to_writer(out, vars.clone())?;
            for r in rows {
                ser.serialize(r)?;
            }
            ser.finish()?;
            Ok(())
        }
        (Answer::Boolean(b), f) => {
            QueryResultsSerializer::from_format(results_format(f)?).serialize_boolean_to_writer(out, *b)?;
            Ok(())
        }
        (Answer::Graph(triples), f) => {
            let mut w = graph_serializer(f)?.for_writer(out);
            for t in triples {
                w.serialize_triple(t)?;
            }
            w.finish()?;
            Ok(())
        }
    }
}

/// The RDF serializer of a graph answer, with the predeclared prefixes.
fn graph_serializer(f: Format) -> Result<RdfSerializer> {
    let rdf_format = match f {
        Format::Table | Format::Turtle => RdfFormat::Turtle,
        Format::Ntriples => RdfFormat::NTriples,
        Format::Nquads => RdfFormat::NQuads,
        Format::Xml | Format::Rdfxml => RdfFormat::RdfXml,
        Format::Trig => RdfFormat::TriG,
        Format::Jsonld => RdfFormat::JsonLd { profile: Default::default() },
        Format::Csv | Format::Tsv | Format::Json => bail!("a CONSTRUCT or DESCRIBE answer is a graph: use --format turtle, ntriples, nquads, trig, rdfxml or jsonld"),
    };
    let mut ser = RdfSerializer::from_format(rdf_format);
    for (p, iri) in PREFIXES {
        ser = ser.with_prefix(p, iri)?;
    }
    Ok(ser)
}

fn results_format(f: Format) -> Result<QueryResultsFormat> {
    Ok(match f {
        Format::Csv => QueryResultsFormat::Csv,
        Format::Tsv => QueryResultsFormat::Tsv,
        Format::Json => QueryResultsFormat::Json,
        Format::Xml => QueryResultsFormat::Xml,
        Format::Table => QueryResultsFormat::Tsv,
        Format::Turtle | Format::Ntriples | Format::Nquads | Format::Trig | Format::Rdfxml | Format::Jsonld => {
            bail!("a SELECT or ASK answer is a table: use --format table, csv, tsv, json or xml")
        }
    })
}

/// An aligned table; wide (CJK) characters count twice.
fn write_table(vars: &[Variable], rows: &[QuerySolution], out: &mut dyn Write) -> Result<()> {
    let cells: Vec<Vec<String>> = rows.iter().map(|r| vars.iter().map(|v| r.get(v).map(show).unwrap_or_default().replace('\n', " ")).collect()).collect();
    let heads: Vec<String> = vars.iter().map(|v| v.as_str().to_string()).collect();
    let widths: Vec<usize> = (0..vars.len()).map(|i| cells.iter().map(|r| r[i].width()).chain([heads[i].width()]).max().unwrap_or(0)).collect();
    let line = |cols: &[String], out: &mut dyn Write| -> Result<()> {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())?;
        Ok(())
    };
    line(&heads, out)?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(&rule, out)?;
    for r in &cells {
        line(r, out)?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })?;
    Ok(())
}

/// The `# title:` and `# description:` of a query file.
pub fn header(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .find_map(|l| l.strip_prefix('#').map(str::trim).and_then(|l| l.strip_prefix(key)).map(|v| v.trim_start_matches(':').trim().to_string()))
}
