//! Eval: scores the built graph against gold annotations exactly as
//! `gold/README.md` says: entities and relations by precision, recall and
//! F1 (micro-averaged over articles), attributes and observations by recall.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use oxigraph::model::{GraphName, NamedOrBlankNode, Term};
use oxigraph::store::Store;

use crate::knowledge::Knowledge;
use crate::mentions::norm;
use crate::rdf::{SKOS, XT, XTR};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

/// One line of a gold file.
#[derive(Debug, Clone, PartialEq)]
pub enum GoldLine {
    Entity { label: String, classes: Vec<String>, aliases: Vec<String>, optional: bool },
    Relation { subject: String, property: String, object: String, optional: bool },
    Attribute { subject: String, property: String, value: String, optional: bool },
    Observation { value: f64, unit: String },
}

/// A gold file: its article's file stem and its lines.
#[derive(Debug, Clone)]
pub struct Gold {
    pub stem: String,
    pub lines: Vec<GoldLine>,
}

/// Parses one gold `.tsv`; errors name the line.
pub fn parse_gold(text: &str, stem: &str) -> Result<Gold> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (kind, optional) = match cols[0].strip_suffix('?') {
            Some(k) => (k, true),
            None => (cols[0], false),
        };
        let need = |n: usize| -> Result<()> {
            if cols.len() < n {
                anyhow::bail!("{stem}.tsv:{}:1: `{kind}` needs {} tab-separated columns, found {}", i + 1, n, cols.len());
            }
            Ok(())
        };
        let split = |s: &str| s.split('|').map(str::to_string).filter(|x| !x.is_empty()).collect::<Vec<_>>();
        let gl = match kind {
            "E" => {
                need(3)?;
                GoldLine::Entity { label: cols[1].into(), classes: split(cols[2]), aliases: cols.get(3).map(|a| split(a)).unwrap_or_default(), optional }
            }
            "R" => {
                need(4)?;
                GoldLine::Relation { subject: cols[1].into(), property: cols[2].into(), object: cols[3].into(), optional }
            }
            "A" => {
                need(4)?;
                GoldLine::Attribute { subject: cols[1].into(), property: cols[2].into(), value: cols[3].into(), optional }
            }
            "O" => {
                need(3)?;
                let value = cols[1].trim().parse().with_context(|| format!("{stem}.tsv:{}:3: not a number: {}", i + 1, cols[1]))?;
                GoldLine::Observation { value, unit: cols[2].into() }
            }
            other => anyhow::bail!("{stem}.tsv:{}:1: unknown line kind `{other}`", i + 1),
        };
        lines.push(gl);
    }
    Ok(Gold { stem: stem.to_string(), lines })
}

/// Reads every `.tsv` of a folder, sorted by name.
pub fn read_gold_dir(dir: &Path) -> Result<Vec<Gold>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the gold folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            parse_gold(&text, stem)
        })
        .collect()
}

/// Counts of one measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The score of one article, with what was missed and what was wrong.
#[derive(Debug, Clone, Default)]
pub struct ArticleScore {
    pub stem: String,
    pub found_article: bool,
    pub entities: Counts,
    pub relations: Counts,
    /// (found, total) of required attributes and of observations.
    pub attributes: (usize, usize),
    pub observations: (usize, usize),
    pub misses: Vec<String>,
    pub false_positives: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub articles: Vec<ArticleScore>,
    pub entities: Counts,
    pub relations: Counts,
    pub attributes: (usize, usize),
    pub observations: (usize, usize),
}

impl Report {
    pub fn attribute_recall(&self) -> f64 {
        ratio(self.attributes.0, self.attributes.1)
    }
    pub fn observation_recall(&self) -> f64 {
        ratio(self.observations.0, self.observations.1)
    }
}

/// What the store says, gathered in one pass.
struct Facts {
    /// source file stem → doc IRI
    docs: BTreeMap<String, String>,
    /// doc IRI → mentioned entities
    mentions: HashMap<String, BTreeSet<String>>,
    /// entity → normalised labels and aliases (any graph)
    labels: HashMap<String, BTreeSet<String>>,
    /// entity → display label
    display: HashMap<String, String>,
    /// entity → xt: classes (any graph, inferred included)
    types: HashMap<String, BTreeSet<String>>,
    /// doc IRI → (s, property, o) between IRIs
    relations: HashMap<String, Vec<(String, String, String)>>,
    /// doc IRI → (s, property, literal)
    attributes: HashMap<String, Vec<(String, String, String)>>,
    /// doc IRI → observation node → (value, unit)
    observations: HashMap<String, BTreeMap<String, (Option<f64>, Option<String>)>>,
}

fn gather(store: &Store) -> Result<Facts> {
    let mut f = Facts {
        docs: BTreeMap::new(),
        mentions: HashMap::new(),
        labels: HashMap::new(),
        display: HashMap::new(),
        types: HashMap::new(),
        relations: HashMap::new(),
        attributes: HashMap::new(),
        observations: HashMap::new(),
    };
    let doc_prefix = format!("{XTR}doc/");
    let alt = format!("{SKOS}altLabel");
    let mut obs_nodes: HashMap<String, BTreeSet<String>> = HashMap::new();
    for q in store.iter() {
        let q = q?;
        let NamedOrBlankNode::NamedNode(s) = &q.subject else { continue };
        let s = s.as_str();
        let p = q.predicate.as_str();
        let g = match &q.graph_name {
            GraphName::NamedNode(n) if n.as_str().starts_with(&doc_prefix) => Some(n.as_str()),
            _ => None,
        };
        match (&q.object, p) {
            (Term::Literal(l), _) if p == RDFS_LABEL || p == alt => {
                f.labels.entry(s.into()).or_default().insert(norm(l.value()));
                if p == RDFS_LABEL && l.language() == Some("zh") {
                    f.display.insert(s.into(), l.value().into());
                }
            }
            (Term::NamedNode(c), RDF_TYPE) => {
                if let Some(local) = c.as_str().strip_prefix(XT) {
                    f.types.entry(s.into()).or_default().insert(local.into());
                    if local == "Observation" {
                        if let Some(g) = g {
                            obs_nodes.entry(g.into()).or_default().insert(s.into());
                        }
                    }
                }
            }
            _ => {}
        }
        let Some(g) = g else { continue };
        let Some(local) = p.strip_prefix(XT) else { continue };
        match (&q.object, local) {
            (Term::Literal(l), "sourceFile") => {
                let stem = l.value().rsplit('/').next().unwrap_or("").trim_end_matches(".txt").to_string();
                f.docs.insert(stem, g.into());
            }
            (Term::NamedNode(o), "mentions") => {
                f.mentions.entry(g.into()).or_default().insert(o.as_str().into());
            }
            (Term::NamedNode(o), _) => f.relations.entry(g.into()).or_default().push((s.into(), local.into(), o.as_str().into())),
            (Term::Literal(l), _) => {
                f.attributes.entry(g.into()).or_default().push((s.into(), local.into(), l.value().into()));
                let entry = f.observations.entry(g.into()).or_default();
                if local == "value" {
                    entry.entry(s.into()).or_default().0 = l.value().parse().ok();
                } else if local == "unit" {
                    entry.entry(s.into()).or_default().1 = Some(l.value().into());
                }
            }
            _ => {}
        }
    }
    for (g, nodes) in obs_nodes {
        if let Some(m) = f.observations.get_mut(&g) {
            m.retain(|k, _| nodes.contains(k));
        }
    }
    Ok(f)
}

/// The relation properties of ONTOLOGY.md, `xt:mentions` excepted: the ones
/// whose extra triples count as false positives. Extensions of the project
/// (sub-properties) count towards recall through their super-property only.
const SCORED_PROPERTIES: [&str; 17] = [
    "locatedIn", "memberOf", "subOrganizationOf", "branchOf", "supports", "aids", "operates", "guides",
    "cooperatesWith", "jointlyRuns", "jointlyTrains", "participatesIn", "signed", "organizes", "heldIn",
    "focusesOn", "worksFor",
];

/// Classes that are not entities for scoring.
const NOT_ENTITIES: [&str; 4] = ["NewsArticle", "Observation", "Assertion", "Modality"];

pub fn evaluate(store: &Store, k: &Knowledge, golds: &[Gold]) -> Result<Report> {
    let facts = gather(store)?;
    let scored_props: BTreeSet<&str> = SCORED_PROPERTIES.into_iter().collect();
    let mut report = Report::default();
    for gold in golds {
        let mut sc = ArticleScore { stem: gold.stem.clone(), ..Default::default() };
        let Some(doc) = facts.docs.get(&gold.stem) else {
            sc.misses.push(format!("article {}.txt is not in the store", gold.stem));
            for l in &gold.lines {
                match l {
                    GoldLine::Entity { optional: false, .. } => sc.entities.fn_ += 1,
                    GoldLine::Relation { optional: false, .. } => sc.relations.fn_ += 1,
                    GoldLine::Attribute { optional: false, .. } => sc.attributes.1 += 1,
                    GoldLine::Observation { .. } => sc.observations.1 += 1,
                    _ => {}
                }
            }
            report.entities.add(sc.entities);
            report.relations.add(sc.relations);
            report.attributes.1 += sc.attributes.1;
            report.observations.1 += sc.observations.1;
            report.articles.push(sc);
            continue;
        };
        sc.found_article = true;
        let empty = BTreeSet::new();
        let mentioned = facts.mentions.get(doc).unwrap_or(&empty);
        let labels_of = |e: &str| facts.labels.get(e).cloned().unwrap_or_default();
        let is_instance = |e: &str, classes: &[String]| {
            facts.types.get(e).is_some_and(|ts| ts.iter().any(|t| classes.iter().any(|c| k.vocab.is_a_named(crate::model::sym(t), c))))
        };
        let show = |e: &str| facts.display.get(e).cloned().unwrap_or_else(|| e.trim_start_matches(XTR).to_string());
        // Entity lines: names, and the mentioned entities that match each.
        let ent_lines: Vec<(BTreeSet<String>, &Vec<String>, bool, &String)> = gold
            .lines
            .iter()
            .filter_map(|l| match l {
                GoldLine::Entity { label, classes, aliases, optional } => {
                    let names: BTreeSet<String> = std::iter::once(label).chain(aliases).map(|n| norm(n)).collect();
                    Some((names, classes, *optional, label))
                }
                _ => None,
            })
            .collect();
        let matches_of = |names: &BTreeSet<String>, classes: &[String]| -> Vec<String> {
            mentioned.iter().filter(|e| !labels_of(e).is_disjoint(names) && is_instance(e, classes)).cloned().collect()
        };
        for (names, classes, optional, label) in &ent_lines {
            let m = matches_of(names, classes);
            if m.is_empty() {
                if !optional {
                    sc.entities.fn_ += 1;
                    sc.misses.push(format!("E {label} ({})", classes.join("|")));
                }
            } else {
                if !optional {
                    sc.entities.tp += 1;
                }
                if m.len() > 1 {
                    sc.entities.fp += m.len() - 1;
                    sc.false_positives.push(format!("E {label} split into {} entities: {}", m.len(), m.iter().map(|e| show(e)).collect::<Vec<_>>().join(", ")));
                }
            }
        }
        for e in mentioned {
            let typed = facts.types.get(e).is_some_and(|ts| ts.iter().any(|t| !NOT_ENTITIES.contains(&t.as_str())));
            if typed && ent_lines.iter().all(|(names, ..)| labels_of(e).is_disjoint(names)) {
                sc.entities.fp += 1;
                let class = facts.types.get(e).and_then(|t| t.iter().next().cloned()).unwrap_or_default();
                sc.false_positives.push(format!("E {} ({class})", show(e)));
            }
        }
        // A name in an R or A line names the entities of the E line it belongs to.
        let resolve_name = |name: &str| -> BTreeSet<String> {
            let n = norm(name);
            let mut out = BTreeSet::new();
            for (names, classes, ..) in &ent_lines {
                if names.contains(&n) {
                    out.extend(matches_of(names, classes));
                }
            }
            out
        };
        let rels = facts.relations.get(doc).cloned().unwrap_or_default();
        let rels: Vec<&(String, String, String)> = rels.iter().filter(|(s, p, o)| scored_props.contains(p.as_str()) && mentioned.contains(s) && mentioned.contains(o)).collect();
        let holds = |s: &BTreeSet<String>, prop: &str, o: &BTreeSet<String>, t: &(String, String, String)| {
            k.vocab.is_subproperty(&t.1, prop)
                && ((s.contains(&t.0) && o.contains(&t.2)) || (k.vocab.is_symmetric(prop) && s.contains(&t.2) && o.contains(&t.0)))
        };
        let mut r_lines = Vec::new();
        for l in &gold.lines {
            if let GoldLine::Relation { subject, property, object, optional } = l {
                let (s, o) = (resolve_name(subject), resolve_name(object));
                let found = rels.iter().any(|t| holds(&s, property, &o, t));
                if !optional {
                    if found {
                        sc.relations.tp += 1;
                    } else {
                        sc.relations.fn_ += 1;
                        sc.misses.push(format!("R {subject} {property} {object}"));
                    }
                }
                r_lines.push((s, property.as_str(), o));
            }
        }
        let mut seen_fp = BTreeSet::new();
        for t in &rels {
            if !r_lines.iter().any(|(s, p, o)| holds(s, p, o, t)) && seen_fp.insert((*t).clone()) {
                sc.relations.fp += 1;
                sc.false_positives.push(format!("R {} {} {}", show(&t.0), t.1, show(&t.2)));
            }
        }
        let attrs = facts.attributes.get(doc).cloned().unwrap_or_default();
        for l in &gold.lines {
            if let GoldLine::Attribute { subject, property, value, optional: false } = l {
                let s = resolve_name(subject);
                sc.attributes.1 += 1;
                if attrs.iter().any(|(e, p, v)| s.contains(e) && p == property && v.starts_with(value.as_str())) {
                    sc.attributes.0 += 1;
                } else {
                    sc.misses.push(format!("A {subject} {property} {value}"));
                }
            }
        }
        let empty_obs = BTreeMap::new();
        let obs = facts.observations.get(doc).unwrap_or(&empty_obs);
        for l in &gold.lines {
            if let GoldLine::Observation { value, unit } = l {
                sc.observations.1 += 1;
                if obs.values().any(|(v, u)| *v == Some(*value) && u.as_deref() == Some(unit.as_str())) {
                    sc.observations.0 += 1;
                } else {
                    sc.misses.push(format!("O {value} {unit}"));
                }
            }
        }
        report.entities.add(sc.entities);
        report.relations.add(sc.relations);
        report.attributes.0 += sc.attributes.0;
        report.attributes.1 += sc.attributes.1;
        report.observations.0 += sc.observations.0;
        report.observations.1 += sc.observations.1;
        report.articles.push(sc);
    }
    Ok(report)
}

struct Prf<'a>(&'a Counts);

impl fmt::Display for Prf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        write!(f, "P {:.3} R {:.3} F1 {:.3} (tp {} fp {} fn {})", c.precision(), c.recall(), c.f1(), c.tp, c.fp, c.fn_)
    }
}

impl Report {
    pub fn write(&self, verbose: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        for a in &self.articles {
            writeln!(out, "{}", a.stem)?;
            writeln!(out, "  entities   {}", Prf(&a.entities))?;
            writeln!(out, "  relations  {}", Prf(&a.relations))?;
            writeln!(out, "  attributes {}/{}   observations {}/{}", a.attributes.0, a.attributes.1, a.observations.0, a.observations.1)?;
            if verbose {
                for m in &a.misses {
                    writeln!(out, "    miss  {m}")?;
                }
                for m in &a.false_positives {
                    writeln!(out, "    false {m}")?;
                }
            }
        }
        writeln!(out, "micro-average over {} articles", self.articles.len())?;
        writeln!(out, "  entities   {}", Prf(&self.entities))?;
        writeln!(out, "  relations  {}", Prf(&self.relations))?;
        writeln!(
            out,
            "  attribute recall {:.3} ({}/{})   observation recall {:.3} ({}/{})",
            self.attribute_recall(),
            self.attributes.0,
            self.attributes.1,
            self.observation_recall(),
            self.observations.0,
            self.observations.1
        )?;
        Ok(())
    }
}
