//! The page a person opens: `/` (the query editor, in `page.html`, built
//! into the program: no build step, nothing fetched from elsewhere), the
//! competency queries at `/queries.json`, an entity's facts at
//! `/entity?name=` (the `describe` view as HTML) and its neighbourhood at
//! `/entity.svg?name=` (the diagram export, drawn by Graphviz).

use oxhttp::model::header::CONTENT_TYPE;
use oxhttp::model::{Body, Request, Response, StatusCode};

use super::{reply, Server};
use crate::describe::describe;
use crate::export::{self, dot::Look, Request as Drawing};
use crate::query::{header, BUILT_IN};

const PAGE: &str = include_str!("page.html");

/// The most entities an entity's neighbourhood draws: a picture a page can show.
const NEIGHBOURS: usize = 40;

pub fn answer(server: &Server, path: &str, req: &Request<Body>) -> Response<Body> {
    let name = || -> Option<String> { form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).find(|(k, _)| k == "name").map(|(_, v)| v.into_owned()) };
    match path {
        "/" | "/index.html" => ok("text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
        "/queries.json" => ok("application/json", queries_json().into_bytes()),
        "/entity" => match name() {
            Some(n) => entity_page(server, &n),
            None => reply(StatusCode::BAD_REQUEST, "give `name=`: a label or alias"),
        },
        "/entity.svg" => match name() {
            Some(n) => neighbourhood(server, &n),
            None => reply(StatusCode::BAD_REQUEST, "give `name=`: a label or alias"),
        },
        _ => reply(StatusCode::NOT_FOUND, "not found: the page is at /, the SPARQL endpoint at /sparql"),
    }
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
    let html = format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{0} — xietong</title>\
         <style>body{{font-family:sans-serif;margin:1.5em}}pre{{white-space:pre-wrap}}img{{max-width:100%}}</style></head>\
         <body><p><a href=\"/\">← query</a></p><h1>{0}</h1><pre id=\"facts\">{1}</pre>{2}</body></html>",
        escape(name),
        escape(&facts),
        picture
    );
    let mut r = ok("text/html; charset=utf-8", html.into_bytes());
    *r.status_mut() = status;
    r
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
