//! The page a person opens: `/` (the query editor, in `page.html`, built
//! into the program: no build step, nothing fetched from elsewhere), the
//! competency queries at `/queries.json`, an entity's facts at
//! `/entity?name=` (the `describe` view as HTML), its neighbourhood at
//! `/entity.svg?name=` (the diagram export, drawn by Graphviz), and an
//! article's relations with their sentences at `/article?file=`.

use oxhttp::model::header::CONTENT_TYPE;
use oxhttp::model::{Body, Request, Response, StatusCode};

use super::{reply, Server};
use crate::describe::describe;
use crate::export::{self, dot::Look, Request as Drawing};
use crate::query::{header, run, show, Answer, BUILT_IN};

const PAGE: &str = include_str!("page.html");

/// The most entities an entity's neighbourhood draws: a picture a page can show.
const NEIGHBOURS: usize = 40;

pub fn answer(server: &Server, path: &str, req: &Request<Body>) -> Response<Body> {
    let name = || param(req, "name");
    match path {
        "/" | "/index.html" => ok("text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
        "/queries.json" => ok("application/json", queries_json().into_bytes()),
        "/entity" => match name() {
            Some(n) => entity_page(server, &n),
            None => reply(StatusCode::BAD_REQUEST, "give `name=`: a label or alias"),
        },
        "/article" => match param(req, "file") {
            Some(f) => article_page(server, &f),
            None => reply(StatusCode::BAD_REQUEST, "give `file=`: an article's file name"),
        },
        "/entity.svg" => match name() {
            Some(n) => neighbourhood(server, &n),
            None => reply(StatusCode::BAD_REQUEST, "give `name=`: a label or alias"),
        },
        _ => reply(StatusCode::NOT_FOUND, "not found: the page is at /, the SPARQL endpoint at /sparql"),
    }
}

pub fn param(req: &Request<Body>, key: &str) -> Option<String> {
    form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn ok(content_type: &str, body: Vec<u8>) -> Response<Body> {
    Response::builder().header(CONTENT_TYPE, content_type).body(Body::from(body)).unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, "cannot build the response"))
}

/// The built-in queries as `[{"name", "title", "description", "text"}]`, by file name.
fn queries_json() -> String {
    let list: Vec<serde_json::Value> = BUILT_IN
        .iter()
        .map(|(n, t)| serde_json::json!({ "name": n, "title": header(t, "title").unwrap_or_default(), "description": header(t, "description").unwrap_or_default(), "text": t }))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// An HTML page of the server's own: `body` under a link back to the query editor.
pub fn html_page(title: &str, body: &str) -> Response<Body> {
    let html = format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{} — xietong</title>\
         <style>body{{font-family:sans-serif;margin:1.5em}}li{{margin-bottom:.6em}}.file{{color:#777;font-size:.8em}}pre{{white-space:pre-wrap}}img{{max-width:100%}}</style></head>\
         <body><p><a href=\"/\">← query</a></p>{body}</body></html>",
        escape(title)
    );
    ok("text/html; charset=utf-8", html.into_bytes())
}

/// A link to the entity page of `name`.
pub fn entity_link(name: &str) -> String {
    format!("<a href=\"/entity?name={}\">{}</a>", form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>(), escape(name))
}

/// The rows of a SELECT for a page, or the response that says why there
/// are none: 503 when it ran past the server's timeout, else 500.
pub fn rows_for_page(server: &Server, store: &oxigraph::store::Store, q: &str) -> Result<Vec<oxigraph::sparql::QuerySolution>, Response<Body>> {
    match run(store, q, server.limits.timeout) {
        Ok(Answer::Table { rows, .. }) => Ok(rows),
        Ok(_) => Ok(Vec::new()),
        Err(e) => {
            let status = match e.downcast_ref::<crate::query::QueryError>() {
                Some(crate::query::QueryError::Cancelled(_)) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            Err(reply(status, &e.to_string()))
        }
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn entity_page(server: &Server, name: &str) -> Response<Body> {
    let store = server.snapshot.store();
    let mut text = Vec::new();
    let (status, facts) = match describe(&store.store, name, &mut text) {
        Ok(()) => (StatusCode::OK, String::from_utf8_lossy(&text).into_owned()),
        Err(e) => (StatusCode::NOT_FOUND, e.to_string()),
    };
    let q: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let picture = if status == StatusCode::OK {
        format!("<figure><img id=\"graph\" alt=\"the neighbourhood of {0}\" src=\"/entity.svg?name={q}\"></figure>", escape(name))
    } else {
        String::new()
    };
    let mut r = html_page(name, &format!("<h1>{}</h1><pre id=\"facts\">{}</pre>{picture}", escape(name), escape(&facts)));
    *r.status_mut() = status;
    r
}

/// One article: its headline and every relation read from it, each with
/// the sentence that says it, the ends linked to their entity pages.
fn article_page(server: &Server, file: &str) -> Response<Body> {
    let store = server.snapshot.store();
    let lit = oxigraph::model::Literal::new_simple_literal(file).to_string();
    let q = format!(
        "SELECT ?title ?a ?p ?b ?sentence ?start WHERE {{
           ?doc xt:sourceFile {lit} . OPTIONAL {{ ?doc schema:headline ?title }}
           OPTIONAL {{ ?st prov:wasDerivedFrom ?doc ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; xt:evidence ?sentence ; xt:charStart ?start .
             ?s rdfs:label ?a . FILTER(lang(?a) = 'zh') ?o rdfs:label ?b . FILTER(lang(?b) = 'zh') }}
         }} ORDER BY ?start ?p ?a ?b"
    );
    let rows = match rows_for_page(server, &store.store, &q) {
        Ok(rows) => rows,
        Err(r) => return r,
    };
    if rows.is_empty() {
        return reply(StatusCode::NOT_FOUND, &format!("no article has the file name {file:?}"));
    }
    let cell = |r: &oxigraph::sparql::QuerySolution, v: &str| r.get(v).map(show).unwrap_or_default();
    let title = cell(&rows[0], "title");
    let items: String = rows
        .iter()
        .filter(|r| r.get("p").is_some())
        .map(|r| format!("<li>{} <b>{}</b> {}<br><q>{}</q></li>", entity_link(&cell(r, "a")), escape(&cell(r, "p")), entity_link(&cell(r, "b")), escape(&cell(r, "sentence"))))
        .collect();
    html_page(&title, &format!("<h1>{}</h1><p>{}</p><ul id=\"relations\">{items}</ul>", escape(&title), escape(file)))
}

fn neighbourhood(server: &Server, name: &str) -> Response<Body> {
    let store = server.snapshot.store();
    let req = Drawing { focus: vec![name.to_string()], depth: 1, max_nodes: Some(NEIGHBOURS), look: Look::default(), ..Default::default() };
    let d = match export::diagram(&store.store, &server.knowledge, &req) {
        Ok(d) => d,
        Err(e) => return reply(StatusCode::NOT_FOUND, &e.to_string()),
    };
    let mut svg = Vec::new();
    match export::render::render(&d.dot, "svg", export::render::engine_for(d.entities, d.relations), &mut svg) {
        Ok(_) => ok("image/svg+xml", svg),
        Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
