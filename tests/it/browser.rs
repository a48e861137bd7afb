//! The page in a real browser: Debian's headless Chromium driven by
//! chromedriver over WebDriver (its JSON over HTTP, sent by curl). Type a
//! query, run it, see rows with labels, follow one to its entity page and
//! see its neighbourhood drawn; run a competency query by its button and
//! follow an article to its relations' evidence sentences, and a row's
//! relation to the sentences that say it. With XIETONG_SCREENSHOT=path the results
//! are saved there as PNG (docs/serve-page.png is made so).

use std::process::Command;

use serde_json::{json, Value};

use crate::serve::{curl, server, spawn_for_life, wait_for};
use crate::servers::free_port;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    base: String,
}

impl Driver {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let mut args = vec!["-X", method, "-H", "Content-Type: application/json"];
        let text = body.map(|b| b.to_string());
        if let Some(t) = &text {
            args.extend(["--data-binary", t.as_str()]);
        }
        args.push(&url);
        let r = curl(&args);
        let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", r.body));
        assert_eq!(r.status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        let v = self.call("POST", "/elements", Some(json!({ "using": "css selector", "value": css })));
        v.as_array().into_iter().flatten().filter_map(|e| e[ELEMENT].as_str().map(str::to_string)).collect()
    }

    /// The elements `css` selects, once there are some (the page fills itself from the endpoint).
    fn wait_all(&self, css: &str) -> Vec<String> {
        let started = std::time::Instant::now();
        loop {
            let found = self.find_all(css);
            if !found.is_empty() {
                return found;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "nothing matches `{css}` on the page");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    fn script(&self, js: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({ "script": js, "args": [] })))
    }
}

#[test]
fn a_person_asks_reads_and_follows_a_link_in_chromium() {
    let endpoint = server();
    let port = free_port();
    let mut cmd = Command::new("chromedriver");
    cmd.arg(format!("--port={port}"));
    spawn_for_life(cmd);
    let addr = format!("127.0.0.1:{port}");
    wait_for(&addr);
    let caps = json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"]
    } } } });
    let root = Driver { base: format!("http://{addr}") };
    let session = root.call("POST", "/session", Some(caps));
    let id = session["sessionId"].as_str().expect("a session id").to_string();
    let d = Driver { base: format!("http://{addr}/session/{id}") };

    d.call("POST", "/url", Some(json!({ "url": format!("{}/", endpoint.base) })));
    // The competency queries are one click away.
    let buttons = d.wait_all("#queries button");
    assert_eq!(buttons.len(), xietong::query::BUILT_IN.len());

    let editor = d.wait_all("#query")[0].clone();
    d.call("POST", &format!("/element/{editor}/clear"), Some(json!({})));
    let typed = "SELECT ?school ?place WHERE { ?school a xt:School ; xt:locatedIn ?place } ORDER BY ?school LIMIT 12";
    d.call("POST", &format!("/element/{editor}/value"), Some(json!({ "text": typed })));
    let run = d.wait_all("#run")[0].clone();
    d.call("POST", &format!("/element/{run}/click"), Some(json!({})));
    let rows = d.wait_all("#table tr td");
    assert!(!rows.is_empty());
    let status = d.script("return document.getElementById('status').textContent");
    let shown = d.script("return document.querySelectorAll('#table tr').length - 1").as_u64().expect("a count");
    // The rows the endpoint gives for the same query.
    let direct = curl(&["-H", "Accept: text/csv", "--data-urlencode", &format!("query={typed}"), &format!("{}/sparql", endpoint.base)]);
    assert_eq!(shown as usize, direct.body.lines().count() - 1, "{status}");
    // IRIs show as labels, linked to their entity pages.
    let links = d.wait_all("#table td a");
    let label = d.call("GET", &format!("/element/{}/text", links[0]), None).as_str().unwrap_or_default().to_string();
    assert!(!label.is_empty() && !label.contains("://"), "a link shows `{label}`, not a label");

    if let Some(path) = std::env::var_os("XIETONG_SCREENSHOT") {
        let png = d.call("GET", "/screenshot", None);
        let b64 = png.as_str().expect("base64 PNG");
        let mut child = Command::new("base64").arg("-d").stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().expect("base64");
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), b64.as_bytes()).expect("write");
        let out = child.wait_with_output().expect("base64 -d");
        assert!(out.stdout.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, out.stdout).expect("write the screenshot");
    }

    d.call("POST", &format!("/element/{}/click", links[0]), Some(json!({})));
    d.wait_all("#facts");
    let title = d.script("return document.querySelector('h1').textContent");
    assert_eq!(title.as_str(), Some(label.as_str()));
    let facts = d.script("return document.getElementById('facts').textContent");
    assert!(facts.as_str().is_some_and(|f| f.contains(&label)), "{facts}");
    // The neighbourhood, drawn server-side, has loaded as a picture.
    let started = std::time::Instant::now();
    loop {
        let w = d.script("const g = document.getElementById('graph'); return g && g.complete ? g.naturalWidth : -1").as_i64().unwrap_or(-1);
        if w > 0 {
            break;
        }
        assert!(w != 0, "the neighbourhood picture did not load");
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the neighbourhood picture did not load in time");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // A competency query one click away; its article column links to the
    // article's relations, each with its evidence sentence.
    d.call("POST", "/url", Some(json!({ "url": format!("{}/", endpoint.base) })));
    let evidence = d.wait_all("#queries button[data-name='08_evidence_aids.rq']");
    d.call("POST", &format!("/element/{}/click", evidence[0]), Some(json!({})));
    let articles = d.wait_all("#table td a[href^='/article']");
    d.call("POST", &format!("/element/{}/click", articles[0]), Some(json!({})));
    let relations = d.wait_all("#relations li q");
    let sentence = d.call("GET", &format!("/element/{}/text", relations[0]), None);
    assert!(sentence.as_str().is_some_and(|s| !s.is_empty()), "an evidence sentence is empty");

    // A row that holds a relation's subject, property and object, whatever
    // its columns are named, links to the sentences that say it.
    d.call("POST", "/url", Some(json!({ "url": format!("{}/", endpoint.base) })));
    let editor = d.wait_all("#query")[0].clone();
    d.call("POST", &format!("/element/{editor}/clear"), Some(json!({})));
    let typed = "SELECT ?x ?y ?z WHERE { ?st rdf:subject ?z ; rdf:predicate ?x ; rdf:object ?y } ORDER BY ?st LIMIT 5";
    d.call("POST", &format!("/element/{editor}/value"), Some(json!({ "text": typed })));
    d.call("POST", &format!("/element/{}/click", d.wait_all("#run")[0]), Some(json!({})));
    let links = d.wait_all("#table a.evidence");
    d.call("POST", &format!("/element/{}/click", links[0]), Some(json!({})));
    let said = d.wait_all("#sentences li q");
    let sentence = d.call("GET", &format!("/element/{}/text", said[0]), None);
    assert!(sentence.as_str().is_some_and(|s| !s.is_empty()), "an evidence sentence is empty");
    assert!(!d.find_all("#sentences a[href^='/article']").is_empty(), "the evidence does not link its article");
    // A competency query's rows hold labels, not IRIs: they link to the
    // evidence of the relation the labels name all the same.
    d.call("POST", "/url", Some(json!({ "url": format!("{}/", endpoint.base) })));
    let helpers = d.wait_all("#queries button[data-name='02_beijing_help_xiongan.rq']");
    d.call("POST", &format!("/element/{}/click", helpers[0]), Some(json!({})));
    let links = d.wait_all("#table a.evidence");
    d.call("POST", &format!("/element/{}/click", links[0]), Some(json!({})));
    assert!(!d.wait_all("#sentences li q").is_empty());
    d.call("DELETE", "", None);
}
