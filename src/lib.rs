//! xietong (协同): a knowledge-graph builder for Chinese news on
//! Beijing–Tianjin–Hebei education collaboration.
//!
//! The pipeline, one module a stage (see ARCHITECTURE.md):
//! [`ingest`] → [`mentions`] → [`resolve`] → [`relations`] → [`rdf`] →
//! [`store`] → [`query`] / [`export`] / [`describe`] / [`eval`] /
//! [`paths`] / [`stats`]; [`serve`] puts them on HTTP.
//! Domain knowledge is data under `ontology/`, loaded by [`knowledge`].
//! Under them all, the ground floor: [`text`] (name normalisation, hashes),
//! [`iri`] (namespaces, graph names), [`model`] and [`terms`]. Imports go
//! down the layers only (tests/it/layers.rs holds the order and checks it).

pub mod allocator;
#[cfg(feature = "bench")]
pub mod bench;
pub mod build;
pub mod describe;
pub mod eval;
pub mod export;
pub mod facts;
pub mod ingest;
pub mod iri;
pub mod knowledge;
pub mod mentions;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod push;
pub mod query;
pub mod rdf;
pub mod relations;
pub mod remote;
pub mod resolve;
#[cfg(feature = "rocksdb")]
pub mod serve;
pub mod stats;
pub mod store;
pub mod synth;
pub mod terms;
pub mod text;
