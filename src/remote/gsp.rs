//! The SPARQL 1.1 Graph Store HTTP Protocol: replace or delete one named
//! graph. Every request names its graph (`?graph=IRI`): Oxigraph's server
//! replaces the whole dataset on a PUT without one, so this module has no
//! way to send such a PUT.

use oxigraph::model::NamedNode;

use super::client::{Body, Client, RemoteError, Reply, Request};

/// The media type graphs are sent in: N-Triples, which every server reads
/// and which needs no prefixes or nesting.
pub const NTRIPLES: &str = "application/n-triples";

/// Replaces the graph `name` at the graph store `url` with `ntriples`.
pub fn put(client: &Client, url: &str, name: &NamedNode, ntriples: &[u8]) -> Result<Reply, RemoteError> {
    let reply = client.send(&Request { method: "PUT", url, params: &[("graph", name.as_str())], accept: None, body: Body::Bytes(ntriples, NTRIPLES) })?;
    if reply.status == 404 {
        return Err(RemoteError::Status { method: "PUT".into(), url: url.into(), status: 404, body: "no graph store there (give --graph-store)".into() });
    }
    Ok(reply)
}

/// Deletes the graph `name`; a graph the server does not have is deleted
/// already (404 is success here: a retried DELETE may meet its own work).
pub fn delete(client: &Client, url: &str, name: &NamedNode) -> Result<Reply, RemoteError> {
    client.send(&Request { method: "DELETE", url, params: &[("graph", name.as_str())], accept: None, body: Body::Empty })
}
