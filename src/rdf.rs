//! RDF: extractions, the lexicon and the inference closure as quads, with
//! provenance exactly as ontology/README.md says (one `xt:Assertion` per triple and
//! sentence) and each article's modality graphs. Pure: builds values, writes nothing.

use std::collections::{BTreeMap, BTreeSet};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::iri::{doc_graph, graph, modality_graph, xt, xtr, GRAPH_LABELS, GRAPH_LEXICON, PROV, SCHEMA, SKOS, XT};
use crate::knowledge::Knowledge;
use crate::model::{Entity, Extraction, Object, Relation, Sym};
use crate::text::short_hash;

fn schema(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SCHEMA}{local}"))
}
fn skos(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{local}"))
}
fn prov(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{PROV}{local}"))
}
fn zh(s: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, "zh")
}

/// A date of 4, 7 or 10 characters as the matching XSD type.
pub fn date_literal(d: &str) -> Literal {
    let dt = match d.len() {
        4 => xsd::G_YEAR,
        7 => xsd::G_YEAR_MONTH,
        _ => xsd::DATE,
    };
    Literal::new_typed_literal(d, dt)
}

struct Out<'a> {
    g: &'a GraphName,
    quads: Vec<Quad>,
}

impl Out<'_> {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        self.quads.push(Quad::new(s.into(), p, o.into(), self.g.clone()));
    }
}

/// The quads of one article's graph: its facts ([`fact_quads`]), then the
/// provenance of each, then its modality graphs ([`modality_quads`]).
/// Returns also how many of them are facts (a prefix).
pub fn article_quads(x: &Extraction, entities: &BTreeMap<String, Entity>) -> (GraphName, Vec<Quad>, usize) {
    let (g, quads) = fact_quads(x, entities);
    let facts = quads.len();
    let doc = doc_graph(&x.article.source_file);
    let mut out = Out { g: &g, quads };
    provenance_quads(x, &doc, &mut out);
    modality_quads(x, &doc, &mut out);
    let quads = out.quads;
    (g, quads, facts)
}

/// The article's modality graphs: for each modality it states relation or
/// attribute triples with (each triple that has an `xt:Assertion`), a graph
/// of those triples, plain; and in the article's own graph `<that graph>
/// xt:graphModality xt:Planned`, which names it. What was planned or
/// reported is then read from one graph, not joined from four triples of
/// every assertion (ontology/README.md, "Modality graphs").
fn modality_quads(x: &Extraction, doc: &NamedNode, out: &mut Out<'_>) {
    let stated = x.relations.iter().map(|r| {
        let (subject, predicate, object) = relation_triple(r);
        (xt(r.modality.local_name()), subject.into(), predicate, object)
    });
    out.quads.extend(modality_graphs(doc, stated));
}

/// The modality graphs of an article graph as a store holds it (`quads`,
/// the graph's own), made again from its assertions: for a graph kept as it
/// was, which an earlier version may have written without them.
pub fn kept_modality_quads(doc: &NamedNode, quads: &[Quad]) -> Vec<Quad> {
    #[derive(Default)]
    struct Assertion {
        subject: Option<NamedOrBlankNode>,
        predicate: Option<NamedNode>,
        object: Option<Term>,
        modalities: Vec<NamedNode>,
    }
    let modality = xt("modality");
    // By the assertion's IRI, in order, so that the quads come out the same each time.
    let mut assertions: BTreeMap<String, Assertion> = BTreeMap::new();
    for q in quads {
        let (p, o) = (q.predicate.as_ref(), &q.object);
        if ![rdf::SUBJECT, rdf::PREDICATE, rdf::OBJECT, modality.as_ref()].contains(&p) {
            continue;
        }
        let a = assertions.entry(q.subject.to_string()).or_default();
        match o {
            Term::NamedNode(n) if p == rdf::SUBJECT => a.subject = Some(n.clone().into()),
            Term::BlankNode(b) if p == rdf::SUBJECT => a.subject = Some(b.clone().into()),
            Term::NamedNode(n) if p == rdf::PREDICATE => a.predicate = Some(n.clone()),
            Term::NamedNode(n) if p == modality.as_ref() => a.modalities.push(n.clone()),
            _ if p == rdf::OBJECT => a.object = Some(o.clone()),
            _ => {}
        }
    }
    let stated = assertions.into_values().flat_map(|a| {
        let triple = a.subject.zip(a.predicate).zip(a.object);
        a.modalities.into_iter().filter_map(move |m| triple.clone().map(|((s, p), o)| (m, s, p, o)))
    });
    modality_graphs(doc, stated)
}

/// Each modality's graph of `doc` and its name in `doc`'s graph, from what
/// the article states: (modality, subject, predicate, object).
fn modality_graphs(doc: &NamedNode, stated: impl Iterator<Item = (NamedNode, NamedOrBlankNode, NamedNode, Term)>) -> Vec<Quad> {
    let mut by_modality: BTreeMap<NamedNode, Vec<(NamedOrBlankNode, NamedNode, Term)>> = BTreeMap::new();
    for (m, s, p, o) in stated {
        by_modality.entry(m).or_default().push((s, p, o));
    }
    let mut quads = Vec::new();
    for (m, triples) in by_modality {
        let local = m.as_str().strip_prefix(XT).unwrap_or(m.as_str());
        let name = modality_graph(doc, local);
        quads.push(Quad::new(name.clone(), xt("graphModality"), m.clone(), doc.clone()));
        let g = GraphName::NamedNode(name);
        quads.extend(triples.into_iter().map(|(s, p, o)| Quad::new(s, p, o, g.clone())));
    }
    quads
}

/// A digest of everything an article's graph is made from: the article
/// (by content hash, under the knowledge fingerprint, which also covers the
/// program version), its name, what its mentions resolved to, and the class
/// and label of those entities, which other articles can change. Equal
/// digests mean equal graphs, so a build makes only graphs whose digest moved.
pub fn article_digest(x: &Extraction, entities: &BTreeMap<String, Entity>) -> String {
    graph_digest(&x.article.source_file, &x.article.content_hash, x.mention_entities.iter().map(|ids| ids.iter().copied()), |id| entities.get(id))
}

/// [`article_digest`] from its parts, which a build knows without reading
/// the article again; `entity` finds an entity by id (a build digests every
/// article and looks up every mention: it passes a hash map).
pub fn graph_digest<'e>(
    source_file: &str,
    content_hash: &str,
    mention_entities: impl Iterator<Item = impl Iterator<Item = Sym>>,
    entity: impl Fn(&str) -> Option<&'e Entity>,
) -> String {
    use std::hash::Hasher as _;
    let mut h = siphasher::sip128::SipHasher13::new();
    let mut put = |s: &str| {
        h.write(s.as_bytes());
        h.write_u8(0xff);
    };
    put(source_file);
    put(content_hash);
    for ids in mention_entities {
        for id in ids {
            put(&id);
            if let Some(e) = entity(&id) {
                put(&e.class);
                put(&e.label);
            }
        }
        put("");
    }
    format!("{:032x}", siphasher::sip128::Hasher128::finish128(&h).as_u128())
}

/// The facts of an article's graph, without provenance: the article, the
/// entities it names (class, names used) and the relation triples. All the
/// quads of the graph that can feed inference are among these.
pub fn fact_quads(x: &Extraction, entities: &BTreeMap<String, Entity>) -> (GraphName, Vec<Quad>) {
    let a = &x.article;
    let doc = doc_graph(&a.source_file);
    let g = GraphName::NamedNode(doc.clone());
    let mut out = Out { g: &g, quads: Vec::new() };
    out.add(doc.clone(), rdf::TYPE.into_owned(), xt("NewsArticle"));
    out.add(doc.clone(), xt("sourceFile"), Literal::new_simple_literal(&a.source_file));
    out.add(doc.clone(), xt("contentHash"), Literal::new_simple_literal(&a.content_hash));
    if let Some(t) = &a.meta.title {
        out.add(doc.clone(), schema("headline"), zh(t));
    }
    if let Some(d) = &a.meta.date {
        out.add(doc.clone(), schema("datePublished"), date_literal(d));
    }
    if let Some(p) = &a.meta.publisher {
        out.add(doc.clone(), schema("publisher"), zh(p));
    }
    if let Some(u) = &a.meta.url {
        match NamedNode::new(u) {
            Ok(iri) => out.add(doc.clone(), schema("url"), iri),
            Err(_) => out.add(doc.clone(), schema("url"), Literal::new_typed_literal(u, xsd::ANY_URI)),
        }
    }
    for (id, names) in &named(&x.mentions, &x.mention_entities) {
        let Some(e) = entities.get(*id) else { continue };
        let node = entity_facts(&mut out, &doc, id, e);
        for n in names {
            if *n != e.label {
                out.add(node.clone(), skos("altLabel"), zh(n));
            }
        }
    }
    for r in &x.relations {
        let (subject, predicate, object) = relation_triple(r);
        out.add(subject, predicate, object);
    }
    let quads = out.quads;
    (g, quads)
}

/// Entities an article names, with the names used for each. A coreference
/// word (该校, 三地) names nothing of its own.
fn named<'a>(mentions: &'a [crate::model::Mention], mention_entities: &'a [crate::model::Referred]) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    let mut surfaces: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (m, ids) in mentions.iter().zip(mention_entities) {
        if matches!(m.referent, crate::model::Referent::Back(_)) {
            continue;
        }
        for id in ids {
            let set = surfaces.entry(id.as_str()).or_default();
            if ids.len() == 1 {
                set.insert(m.surface.as_str());
                set.extend(m.variants.iter().filter(|v| v.chars().count() >= 2).map(String::as_str));
            }
        }
    }
    surfaces
}

/// That the article mentions an entity, and the entity's class as read there.
fn entity_facts(out: &mut Out<'_>, doc: &NamedNode, id: &str, e: &Entity) -> NamedNode {
    let node = xtr(id);
    out.add(doc.clone(), xt("mentions"), node.clone());
    out.add(node.clone(), rdf::TYPE.into_owned(), xt(&e.class));
    node
}

fn relation_triple(r: &Relation) -> (NamedNode, NamedNode, Term) {
    let object: Term = match &r.object {
        Object::Entity(id) => xtr(id).into(),
        Object::Text(t) => zh(t).into(),
        Object::Date(d) => date_literal(d).into(),
    };
    (xtr(&r.subject), xt(&r.property), object)
}

/// Each relation's `xt:Assertion` and each figure's `xt:Observation`.
fn provenance_quads(x: &Extraction, doc: &NamedNode, out: &mut Out<'_>) {
    let a = &x.article;
    for r in &x.relations {
        let s = &x.article.sentences[r.sentence];
        let (subject, predicate, object) = relation_triple(r);
        let aid = short_hash(&format!("{}|{}|{}|{}|{}|{}", a.source_file, r.subject, r.property, object, r.sentence, r.rule));
        let assertion = xtr(&format!("assertion/{aid}"));
        out.add(assertion.clone(), rdf::TYPE.into_owned(), xt("Assertion"));
        out.add(assertion.clone(), rdf::SUBJECT.into_owned(), subject);
        out.add(assertion.clone(), rdf::PREDICATE.into_owned(), predicate);
        out.add(assertion.clone(), rdf::OBJECT.into_owned(), object);
        out.add(assertion.clone(), prov("wasDerivedFrom"), doc.clone());
        out.add(assertion.clone(), xt("evidence"), zh(a.sentence_text(s)));
        out.add(assertion.clone(), xt("charStart"), Literal::from(s.span.start as i64));
        out.add(assertion.clone(), xt("charEnd"), Literal::from(s.span.end as i64));
        out.add(assertion.clone(), xt("rule"), Literal::new_simple_literal(r.rule.as_str()));
        out.add(assertion, xt("modality"), xt(r.modality.local_name()));
    }
    for o in &x.observations {
        let s = &x.article.sentences[o.sentence];
        let oid = short_hash(&format!("{}|{}|{}|{}", a.source_file, o.span.start, o.value, o.unit));
        let node = xtr(&format!("observation/{oid}"));
        out.add(node.clone(), rdf::TYPE.into_owned(), xt("Observation"));
        out.add(node.clone(), xt("value"), Literal::new_typed_literal(format_decimal(o.value), xsd::DECIMAL));
        out.add(node.clone(), xt("unit"), Literal::new_simple_literal(&o.unit));
        out.add(node.clone(), rdfs::LABEL.into_owned(), zh(&o.surface));
        if let Some(about) = o.about.as_ref().and_then(|m| m.parse::<usize>().ok()).and_then(|m| x.mention_entities.get(m)).and_then(|ids| ids.first()) {
            out.add(node.clone(), xt("about"), xtr(about));
        }
        out.add(node.clone(), xt("evidence"), zh(a.sentence_text(s)));
        out.add(node.clone(), xt("charStart"), Literal::from(s.span.start as i64));
        out.add(node.clone(), xt("charEnd"), Literal::from(s.span.end as i64));
        out.add(node, prov("wasDerivedFrom"), doc.clone());
    }
}

fn format_decimal(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The lexicon graph: places, groups, authorities with names, English names and hierarchy.
pub fn lexicon_quads(k: &Knowledge) -> Vec<Quad> {
    let g = graph(GRAPH_LEXICON);
    let mut out = Out { g: &g, quads: Vec::new() };
    for e in &k.lexicon.entries {
        let node = xtr(&e.id);
        out.add(node.clone(), rdf::TYPE.into_owned(), xt(&e.class));
        out.add(node.clone(), rdfs::LABEL.into_owned(), zh(&e.name));
        if let Some(en) = &e.en {
            out.add(node.clone(), rdfs::LABEL.into_owned(), Literal::new_language_tagged_literal_unchecked(en, "en"));
        }
        for a in &e.aliases {
            out.add(node.clone(), skos("altLabel"), zh(a));
        }
        if let Some(p) = &e.located_in {
            out.add(node.clone(), xt("locatedIn"), xtr(p));
        }
        for m in &e.members {
            out.add(xtr(m), xt("memberOf"), node.clone());
        }
    }
    out.quads
}

/// The labels graph: exactly one `rdfs:label@zh` per extracted entity (the
/// fullest form seen in any article), chosen across the corpus.
pub fn label_quads(entities: &BTreeMap<String, Entity>) -> Vec<Quad> {
    let g = graph(GRAPH_LABELS);
    let mut out = Out { g: &g, quads: Vec::new() };
    for e in entities.values().filter(|e| !e.from_lexicon) {
        out.add(xtr(&e.id), rdfs::LABEL.into_owned(), zh(&e.label));
    }
    out.quads
}

/// Whether a quad can feed the inference closure, or repeat a triple it
/// infers (which the closure leaves out): a type or an object property that
/// takes part in the hierarchy, or one that is symmetric or transitive. A
/// build keeps only these, not every quad it writes.
pub fn feeds_inference(k: &Knowledge, q: &Quad) -> bool {
    if q.predicate == rdf::TYPE {
        return matches!(&q.object, Term::NamedNode(c) if c.as_str().strip_prefix(XT).is_some_and(|local| k.vocab.class_in_inference(local)));
    }
    matches!(&q.object, Term::NamedNode(_)) && q.predicate.as_str().strip_prefix(XT).is_some_and(|p| k.vocab.property_in_inference(p))
}
