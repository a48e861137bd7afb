//! The one integration-test binary: shared fixtures are built once (see
//! `common`), every module runs the real `xietong` binary or the library
//! against the real on-disk store.

mod common;

mod browser;
mod cli;
mod diagram;
mod eval_gold;
mod export;
mod grammar;
mod graph_questions;
mod inference;
mod knowledge_errors;
mod layers;
mod properties;
mod push;
mod queries;
mod robustness;
mod rules;
mod serve;
mod servers;
mod streaming;
