//! `/evidence?s=&p=&o=`: where a relation was read. The assertions of the
//! triple (s, p, o), each with the sentence that says it and the article
//! it is in, linked to that article's page. The page links here from a
//! results row that holds the three ends of an extracted relation.

use oxhttp::model::{Body, Request, Response, StatusCode};
use oxigraph::model::NamedNode;
use oxigraph::sparql::QuerySolution;

use super::page::{entity_link, escape, html_page, param, rows_for_page};
use super::{reply, Server};
use crate::query::show;

pub fn answer(server: &Server, req: &Request<Body>) -> Response<Body> {
    let iri = |k: &str| param(req, k).and_then(|v| NamedNode::new(v).ok());
    let (Some(s), Some(p), Some(o)) = (iri("s"), iri("p"), iri("o")) else {
        return reply(StatusCode::BAD_REQUEST, "give `s=`, `p=` and `o=`: the IRIs of a relation's subject, property and object");
    };
    let store = server.snapshot.store();
    let ask = |q: &str| rows_for_page(server, &store.store, q);
    let q = format!(
        "SELECT DISTINCT ?sentence ?file ?title ?start WHERE {{
           ?st rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; xt:evidence ?sentence ; prov:wasDerivedFrom ?doc .
           OPTIONAL {{ ?st xt:charStart ?start }} OPTIONAL {{ ?doc xt:sourceFile ?file }} OPTIONAL {{ ?doc schema:headline ?title }}
         }} ORDER BY ?file ?start ?sentence"
    );
    let rows = match ask(&q) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if rows.is_empty() {
        return reply(StatusCode::NOT_FOUND, &format!("no sentence says {s} {p} {o}"));
    }
    // A label each end reads by: Chinese first, then English, else the IRI.
    let label = |n: &NamedNode| {
        let q = format!("SELECT ?l WHERE {{ {n} rdfs:label ?l }} ORDER BY (lang(?l) != 'zh') (lang(?l) != 'en') ?l LIMIT 1");
        ask(&q).ok().and_then(|r| r.first().and_then(|r| r.get("l").map(show))).unwrap_or_else(|| show(&n.clone().into()))
    };
    let (sl, pl, ol) = (label(&s), label(&p), label(&o));
    let cell = |r: &QuerySolution, v: &str| r.get(v).map(show).unwrap_or_default();
    let items: String = rows
        .iter()
        .map(|r| {
            let file = cell(r, "file");
            let title = Some(cell(r, "title")).filter(|t| !t.is_empty()).unwrap_or_else(|| file.clone());
            let href = form_urlencoded::byte_serialize(file.as_bytes()).collect::<String>();
            format!(
                "<li><q>{}</q><br><a class=\"article\" href=\"/article?file={href}\">{}</a> <span class=\"file\">{}</span></li>",
                escape(&cell(r, "sentence")),
                escape(&title),
                escape(&file)
            )
        })
        .collect();
    let heading = format!("{} <b>{}</b> {}", entity_link(&sl), escape(&pl), entity_link(&ol));
    let body = format!(
        "<h1>{heading}</h1><p>{} sentence{} say{} so.</p><ul id=\"sentences\">{items}</ul>",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if rows.len() == 1 { "s" } else { "" }
    );
    html_page(&format!("{sl} {pl} {ol}"), &body)
}
