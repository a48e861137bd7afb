//! Pushing a store to a SPARQL server: every graph of the store but
//! `xtr:build` (its bookkeeping), each sent by the Graph Store Protocol's
//! PUT, so that a push again replaces and never duplicates. Only graphs
//! whose digest (`xt:graphHash`, or a digest of its quads for a graph
//! without one) changed since the last push to that graph store are sent;
//! the graphs pushed before and gone from the store now are deleted.
//!
//! What was pushed where is kept beside the store, one file per graph
//! store (`<store>.pushed/<hash of its URL>`): a line `graph<TAB>digest`
//! appended after each graph the server took (`-` for one deleted), the
//! last line of a graph holding. A line is written in one `write` and a
//! line without its newline (a push killed as it wrote) is not read, so a
//! push cut off anywhere leaves the record naming only graphs the server
//! has as recorded, and the next push sends the rest. Each graph changes on
//! the server in one request, so it is old or new there, never half. A
//! finished push rewrites the file as one line a graph (a new file renamed
//! over it).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Term};
use oxigraph::store::Store;

use crate::iri::{xt, xtr, GRAPH_BUILD};
use crate::remote::{gsp, Client, Endpoint};
use crate::store::quads_digest;
use crate::text::short_hash;

/// What a push did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Graphs in the store (those pushed).
    pub graphs: usize,
    pub sent: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub triples: u64,
    pub bytes: u64,
    /// Requests sent again after a 5xx answer or a failed connection.
    pub retries: u32,
}

/// What a push tells as it goes.
pub enum PushEvent<'a> {
    /// The graphs to send and to delete, before any is.
    Plan {
        send: usize,
        delete: usize,
        unchanged: usize,
    },
    Sent {
        graph: &'a str,
        triples: u64,
        bytes: u64,
    },
    Deleted {
        graph: &'a str,
    },
}

/// The record of one graph store's pushes, beside the store.
pub fn record_path(store: &Path, endpoint: &Endpoint) -> PathBuf {
    let mut name = store.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".pushed");
    store.with_file_name(name).join(short_hash(&endpoint.graph_store))
}

/// Every graph of the store to push, with its digest.
pub fn local_graphs(store: &Store) -> Result<BTreeMap<String, String>> {
    let build = xtr(GRAPH_BUILD);
    let hash = xt("graphHash");
    let mut out = BTreeMap::new();
    for g in store.named_graphs() {
        let oxigraph::model::NamedOrBlankNode::NamedNode(g) = g? else { continue };
        if g == build {
            continue;
        }
        let gr = GraphNameRef::NamedNode(g.as_ref());
        let kept = store.quads_for_pattern(Some(g.as_ref().into()), Some(hash.as_ref()), None, Some(gr)).next().transpose()?;
        let digest = match kept.map(|q| q.object) {
            Some(Term::Literal(l)) => l.value().to_string(),
            _ => quads_digest(&store.quads_for_pattern(None, None, None, Some(gr)).collect::<Result<Vec<_>, _>>()?),
        };
        out.insert(g.into_string(), digest);
    }
    Ok(out)
}

/// One graph's triples as N-Triples, and how many.
fn ntriples(store: &Store, g: &NamedNode) -> Result<(Vec<u8>, u64)> {
    let mut w = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    let mut n = 0;
    for q in store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref()))) {
        w.serialize_triple(q?.as_ref())?;
        n += 1;
    }
    Ok((w.finish()?, n))
}

/// The record of what one graph store holds, read back and appended to.
struct Record {
    path: PathBuf,
    graphs: BTreeMap<String, String>,
    log: std::fs::File,
}

impl Record {
    fn open(path: &Path) -> Result<Self> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
        let text = match std::fs::read(path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let mut graphs = BTreeMap::new();
        // Only whole lines: the last one, without its newline, was cut short.
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let Some((g, d)) = line.trim_end_matches('\n').split_once('\t') else { continue };
            if d == "-" {
                graphs.remove(g);
            } else {
                graphs.insert(g.to_string(), d.to_string());
            }
        }
        let log = std::fs::OpenOptions::new().create(true).append(true).open(path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Record { path: path.to_path_buf(), graphs, log })
    }

    /// Notes that the server now holds `graph` at `digest` (`None`: deleted).
    fn note(&mut self, graph: &str, digest: Option<&str>) -> Result<()> {
        let line = format!("{graph}\t{}\n", digest.unwrap_or("-"));
        self.log.write_all(line.as_bytes()).with_context(|| format!("cannot write {}", self.path.display()))?;
        match digest {
            Some(d) => self.graphs.insert(graph.to_string(), d.to_string()),
            None => self.graphs.remove(graph),
        };
        Ok(())
    }

    /// Rewrites the record as one line a graph.
    fn compact(&self) -> Result<()> {
        let tmp = self.path.with_extension("new");
        let mut text = String::new();
        for (g, d) in &self.graphs {
            text.push_str(&format!("{g}\t{d}\n"));
        }
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path).with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

/// Pushes the store to `endpoint`'s graph store: the graphs changed since
/// the last push there (all of them when `full`), then the deletions.
pub fn push(store: &Store, store_path: &Path, endpoint: &Endpoint, client: &Client, full: bool, on: &dyn Fn(PushEvent<'_>)) -> Result<PushReport> {
    let local = local_graphs(store)?;
    let mut record = Record::open(&record_path(store_path, endpoint))?;
    let send: Vec<(&String, &String)> = local.iter().filter(|(g, d)| full || record.graphs.get(*g) != Some(*d)).collect();
    let gone: Vec<String> = record.graphs.keys().filter(|g| !local.contains_key(*g)).cloned().collect();
    let mut report = PushReport { graphs: local.len(), unchanged: local.len() - send.len(), ..PushReport::default() };
    on(PushEvent::Plan { send: send.len(), delete: gone.len(), unchanged: report.unchanged });
    for (g, digest) in send {
        let name = NamedNode::new(g.as_str())?;
        let (body, n) = ntriples(store, &name)?;
        let reply = gsp::put(client, &endpoint.graph_store, &name, &body)?;
        record.note(g, Some(digest))?;
        report.sent += 1;
        report.triples += n;
        report.bytes += body.len() as u64;
        report.retries += reply.retries;
        on(PushEvent::Sent { graph: g, triples: n, bytes: body.len() as u64 });
    }
    for g in gone {
        let reply = gsp::delete(client, &endpoint.graph_store, &NamedNode::new(g.as_str())?)?;
        record.note(&g, None)?;
        report.deleted += 1;
        report.retries += reply.retries;
        on(PushEvent::Deleted { graph: &g });
    }
    record.compact()?;
    Ok(report)
}
