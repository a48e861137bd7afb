//! Describe: every fact about an entity named so, each with the sentence
//! that says it and the article it comes from.

use std::io::Write;

use anyhow::{bail, Result};
use oxigraph::model::{Literal, Term};
use oxigraph::store::Store;

use crate::query::{run, show, Answer};
use crate::text::norm;

fn cell(row: &oxigraph::sparql::QuerySolution, v: &str) -> String {
    row.get(v).map(show).unwrap_or_default()
}

pub fn describe(store: &Store, name: &str, out: &mut dyn Write) -> Result<()> {
    // Entities whose label or alias is the name, after the scoring normalisation.
    let wanted = norm(name);
    let q = "SELECT DISTINCT ?e ?l WHERE { ?e rdfs:label|skos:altLabel ?l }";
    let Answer::Table { rows, .. } = run(store, q, None)? else { bail!("unexpected answer") };
    let mut ents: Vec<Term> = rows.iter().filter(|r| matches!(r.get("l"), Some(Term::Literal(l)) if norm(l.value()) == wanted)).filter_map(|r| r.get("e").cloned()).collect();
    ents.sort_by_key(|t| t.to_string());
    ents.dedup();
    if ents.is_empty() {
        bail!("no entity is named {name:?}\nhint: try a shorter or fuller form, or `xietong query -e 'SELECT ?l {{ ?e rdfs:label ?l }}'`");
    }
    for e in ents {
        let e_nt = e.to_string();
        let head = format!(
            "SELECT ?label ?class (GROUP_CONCAT(DISTINCT ?alt; separator=\"、\") AS ?alts) WHERE {{
               OPTIONAL {{ {e_nt} rdfs:label ?label FILTER(lang(?label) = 'zh') }}
               OPTIONAL {{ GRAPH ?g {{ {e_nt} a ?class }} FILTER(?g != xtr:inferred) }}
               OPTIONAL {{ {e_nt} skos:altLabel ?alt }}
             }} GROUP BY ?label ?class"
        );
        let Answer::Table { rows, .. } = run(store, &head, None)? else { bail!("unexpected answer") };
        let first = rows.first();
        let label = first.map(|r| cell(r, "label")).unwrap_or_default();
        let classes: Vec<String> = rows.iter().map(|r| cell(r, "class")).filter(|c| !c.is_empty()).collect();
        writeln!(out, "{label}  {}  [{}]", show(&e), classes.join(", "))?;
        if let Some(alts) = first.map(|r| cell(r, "alts")).filter(|a| !a.is_empty()) {
            writeln!(out, "  also: {alts}")?;
        }
        let facts = format!(
            "SELECT ?dir ?p ?otherLabel ?other ?modality ?evidence ?title ?file WHERE {{
               ?a a xt:Assertion ; rdf:predicate ?p ; xt:evidence ?evidence ; xt:modality ?modality ; prov:wasDerivedFrom ?doc .
               {{ ?a rdf:subject {e_nt} ; rdf:object ?other . BIND(\"→\" AS ?dir) }}
               UNION {{ ?a rdf:object {e_nt} ; rdf:subject ?other . BIND(\"←\" AS ?dir) }}
               OPTIONAL {{ ?other rdfs:label ?otherLabel FILTER(lang(?otherLabel) = 'zh') }}
               OPTIONAL {{ ?doc schema:headline ?title }}
               ?doc xt:sourceFile ?file .
             }} ORDER BY ?file ?p ?other"
        );
        let Answer::Table { rows, .. } = run(store, &facts, None)? else { bail!("unexpected answer") };
        for r in &rows {
            let other = match r.get("otherLabel") {
                Some(l) => show(l),
                None => match r.get("other") {
                    Some(Term::Literal(l)) => Literal::value(l).to_string(),
                    Some(t) => show(t),
                    None => String::new(),
                },
            };
            let source = match r.get("title") {
                Some(t) => format!("《{}》 {}", show(t), cell(r, "file")),
                None => cell(r, "file"),
            };
            writeln!(
                out,
                "  {} {} {}  ({})\n      “{}”\n      — {}",
                cell(r, "dir"),
                cell(r, "p"),
                other,
                cell(r, "modality").trim_start_matches("xt:"),
                cell(r, "evidence"),
                source
            )?;
        }
        if rows.is_empty() {
            writeln!(out, "  (no relations read from the articles)")?;
        }
    }
    Ok(())
}
