//! A SELECT's rows and the counts in them, for the readers of the store
//! (diagrams, `paths`, `stats`).

use anyhow::{bail, Result};
use oxigraph::model::Term;
use oxigraph::sparql::QuerySolution;
use oxigraph::store::Store;

use crate::query::{run, Answer};

pub fn rows(store: &Store, q: &str) -> Result<Vec<QuerySolution>> {
    match run(store, q, None)? {
        Answer::Table { rows, .. } => Ok(rows),
        _ => bail!("a SELECT gave no table"),
    }
}

pub fn number(t: Option<&Term>) -> usize {
    match t {
        Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
        _ => 0,
    }
}
