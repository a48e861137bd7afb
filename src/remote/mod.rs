//! A SPARQL server as the place a graph lives: the HTTP client (`client`),
//! the Graph Store Protocol's PUT and DELETE of one graph (`gsp`), and
//! queries over the SPARQL Protocol answered as the embedded store answers
//! them (`sparql`). No state: what was pushed where is `push`'s.

pub mod client;
pub mod gsp;
pub mod sparql;

use anyhow::{bail, Result};

pub use client::{Client, RemoteError, Retry};

/// A server's two addresses: its SPARQL query endpoint and its graph store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub query: String,
    pub graph_store: String,
}

impl Endpoint {
    /// The endpoint at `query`, its graph store at `graph_store`, or where
    /// the two servers tested here keep it beside their query endpoint:
    /// Oxigraph's `…/query` has `…/store`, Virtuoso's `…/sparql` has
    /// `…/sparql-graph-crud`. Others (Fuseki's `/ds/data`, GraphDB's
    /// `/repositories/R/rdf-graphs/service`) are named with `--graph-store`.
    pub fn new(query: &str, graph_store: Option<&str>) -> Result<Self> {
        let query = query.trim_end_matches('/').to_string();
        check_http(&query)?;
        let graph_store = match graph_store {
            Some(g) => g.to_string(),
            None => {
                if let Some(base) = query.strip_suffix("/sparql") {
                    format!("{base}/sparql-graph-crud")
                } else if let Some(base) = query.strip_suffix("/query") {
                    format!("{base}/store")
                } else {
                    bail!("{query}: where is its graph store?\nhint: give it with --graph-store URL (the SPARQL 1.1 Graph Store endpoint)");
                }
            }
        };
        Ok(Endpoint { query, graph_store })
    }
}

/// Refuses a URL that is not `http://` or `https://`.
pub fn check_http(url: &str) -> Result<()> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("{url}: not an http:// or https:// URL");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn graph_store_is_found_beside_known_query_endpoints() {
        assert_eq!(Endpoint::new("http://h:8890/sparql", None).unwrap().graph_store, "http://h:8890/sparql-graph-crud");
        assert_eq!(Endpoint::new("http://h:7878/query/", None).unwrap().graph_store, "http://h:7878/store");
        assert!(Endpoint::new("http://h/ds", None).is_err());
        assert_eq!(Endpoint::new("http://h/ds/sparql", Some("http://h/ds/data")).unwrap().graph_store, "http://h/ds/data");
        assert!(Endpoint::new("h/sparql", None).is_err());
    }
}
