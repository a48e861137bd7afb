//! A count in a SELECT's rows, for the readers of the store (diagrams,
//! `paths`, `stats`).

use oxigraph::model::Term;

pub fn number(t: Option<&Term>) -> usize {
    match t {
        Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
        _ => 0,
    }
}
