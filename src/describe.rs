//! Describe: every fact about an entity named so, each with the sentence
//! that says it and the article it comes from.

use std::collections::BTreeSet;
use std::io::Write;

use anyhow::{bail, Result};
use oxigraph::model::{Literal, Term};

use crate::query::{rows, show, Dataset};
use crate::text::norm;

fn cell(row: &oxigraph::sparql::QuerySolution, v: &str) -> String {
    row.get(v).map(show).unwrap_or_default()
}

pub fn describe(store: &dyn Dataset, name: &str, out: &mut dyn Write) -> Result<()> {
    let ents = named(store, name)?;
    if ents.is_empty() {
        bail!("no entity is named {name:?}\nhint: try a shorter or fuller form, or `xietong query -e 'SELECT ?l {{ ?e rdfs:label ?l }}'`");
    }
    for e in ents {
        let e_nt = e.to_string();
        // The names and classes each as a set of its own: joined in one
        // pattern they would multiply, once per graph that states each.
        let values = |q: String, v: &str| -> Result<Vec<String>> {
            let set: BTreeSet<String> = rows(store, &q)?.iter().map(|r| cell(r, v)).filter(|c| !c.is_empty()).collect();
            Ok(set.into_iter().collect())
        };
        let label = values(format!("SELECT ?l WHERE {{ {e_nt} rdfs:label ?l FILTER(lang(?l) = 'zh') }}"), "l")?.join(" / ");
        let classes = values(format!("SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ {e_nt} a ?c }} FILTER(?g != xtr:inferred) }}"), "c")?;
        let alts = values(format!("SELECT DISTINCT ?a WHERE {{ {e_nt} skos:altLabel ?a }}"), "a")?;
        writeln!(out, "{label}  {}  [{}]", show(&e), classes.join(", "))?;
        if !alts.is_empty() {
            writeln!(out, "  also: {}", alts.join("、"))?;
        }
        let said = "rdf:predicate ?p ; xt:evidence ?evidence ; xt:modality ?modality ; prov:wasDerivedFrom ?doc .";
        let facts = format!(
            // Each branch starts from the entity (a lookup), not from every
            // assertion of the store.
            "SELECT ?dir ?p ?otherLabel ?other ?modality ?evidence ?title ?file WHERE {{
               {{ ?a rdf:subject {e_nt} ; rdf:object ?other ; {said} BIND(\"→\" AS ?dir) }}
               UNION {{ ?a rdf:object {e_nt} ; rdf:subject ?other ; {said} BIND(\"←\" AS ?dir) }}
               OPTIONAL {{ ?other rdfs:label ?otherLabel FILTER(lang(?otherLabel) = 'zh') }}
               OPTIONAL {{ ?doc schema:headline ?title }}
               ?doc xt:sourceFile ?file .
             }} ORDER BY ?file ?p ?other ?dir ?evidence"
        );
        let found = rows(store, &facts)?;
        for r in &found {
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
        if found.is_empty() {
            writeln!(out, "  (no relations read from the articles)")?;
        }
    }
    Ok(())
}

/// The entities whose label or alias is `name`: those named exactly so, found
/// by lookup; else those whose name is the same after the scoring
/// normalisation (full-width forms, spaces, quote marks), found by reading
/// every name.
fn named(store: &dyn Dataset, name: &str) -> Result<Vec<Term>> {
    let wanted = norm(name);
    let forms: BTreeSet<&str> = [name.trim(), wanted.as_str()].into_iter().collect();
    let values: Vec<String> =
        forms.iter().flat_map(|f| [Literal::new_language_tagged_literal_unchecked(*f, "zh").to_string(), Literal::new_simple_literal(*f).to_string()]).collect();
    let exact = format!("SELECT DISTINCT ?e WHERE {{ VALUES ?l {{ {} }} {{ ?e rdfs:label ?l }} UNION {{ ?e skos:altLabel ?l }} }}", values.join(" "));
    let mut ents: Vec<Term> = rows(store, &exact)?.iter().filter_map(|r| r.get("e").cloned()).collect();
    if ents.is_empty() {
        let q = "SELECT DISTINCT ?e ?l WHERE { ?e rdfs:label|skos:altLabel ?l }";
        ents = rows(store, q)?.iter().filter(|r| matches!(r.get("l"), Some(Term::Literal(l)) if norm(l.value()) == wanted)).filter_map(|r| r.get("e").cloned()).collect();
    }
    ents.sort_by_key(|t| t.to_string());
    ents.dedup();
    Ok(ents)
}
