//! Domain knowledge loaded at run time from the `ontology/` folder: the
//! vocabulary (xietong.ttl), the curated lexicon (places.tsv, lexicon.toml),
//! the name grammar (grammar.toml) and the relation rules (rules.toml).
//!
//! Loading reads files; everything after it is pure. Errors name the file
//! and, where the parser knows it, the line and column.

pub mod grammar;
pub mod lexicon;
pub mod matcher;
pub mod rules;
pub mod vocab;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::text::hex;

pub use grammar::Grammar;
pub use lexicon::{Lexicon, LexiconEntry};
pub use rules::{Rule, RuleSet};
pub use vocab::Vocab;

/// The files of the ontology folder, in the order they are read.
pub const FILES: [&str; 5] = ["xietong.ttl", "places.tsv", "lexicon.toml", "grammar.toml", "rules.toml"];

/// A knowledge file that cannot be used; the build stops before the store is touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeError {
    pub file: PathBuf,
    /// 1-based line and column, where known.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl KnowledgeError {
    pub fn new(file: impl Into<PathBuf>, position: Option<(usize, usize)>, message: impl Into<String>) -> Self {
        KnowledgeError { file: file.into(), position, message: message.into() }
    }
}

impl fmt::Display for KnowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{}:{}: {}", self.file.display(), line, col, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for KnowledgeError {}

/// Everything the extractor knows before reading an article.
#[derive(Debug)]
pub struct Knowledge {
    pub vocab: Vocab,
    pub lexicon: Lexicon,
    pub grammar: Grammar,
    pub rules: RuleSet,
    /// The ontology Turtle, kept to load into `xtr:ontology`.
    pub ontology_ttl: String,
    /// SHA-256 over all knowledge files: a change rebuilds everything.
    pub fingerprint: String,
    /// The Chinese characters the curated data uses: what a correct decoding
    /// of a news article on this domain is full of.
    pub familiar_chars: rustc_hash::FxHashSet<char>,
}

/// The raw text of each knowledge file, so that loading can be tested without a folder.
pub struct Sources {
    pub dir: PathBuf,
    pub texts: Vec<String>,
}

impl Sources {
    /// The knowledge files as the program was built with them, so that an
    /// installed binary works from any folder once the source tree is gone.
    pub fn built_in() -> Self {
        let texts = [
            include_str!("../../ontology/xietong.ttl"),
            include_str!("../../ontology/places.tsv"),
            include_str!("../../ontology/lexicon.toml"),
            include_str!("../../ontology/grammar.toml"),
            include_str!("../../ontology/rules.toml"),
        ];
        Sources { dir: PathBuf::from("ontology"), texts: texts.iter().map(|t| t.to_string()).collect() }
    }

    pub fn read(dir: &Path) -> Result<Self, KnowledgeError> {
        let mut texts = Vec::new();
        for name in FILES {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| KnowledgeError::new(&path, None, format!("cannot read: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| KnowledgeError::new(&path, None, format!("not UTF-8: {e}")))?;
            texts.push(text);
        }
        Ok(Sources { dir: dir.to_path_buf(), texts })
    }
}

impl Knowledge {
    /// Reads and checks every file of the ontology folder.
    pub fn load(dir: &Path) -> Result<Self, KnowledgeError> {
        Self::from_sources(&Sources::read(dir)?)
    }

    /// The knowledge the program was built with ([`Sources::built_in`]).
    pub fn built_in() -> Result<Self, KnowledgeError> {
        Self::from_sources(&Sources::built_in())
    }

    pub fn from_sources(src: &Sources) -> Result<Self, KnowledgeError> {
        let path = |i: usize| src.dir.join(FILES[i]);
        let vocab = Vocab::parse(&src.texts[0], &path(0))?;
        let grammar = Grammar::parse(&src.texts[3], &path(3), &vocab)?;
        let lexicon = Lexicon::parse(&src.texts[1], &path(1), &src.texts[2], &path(2), &vocab)?;
        let rules = RuleSet::parse(&src.texts[4], &path(4), &vocab, &grammar.modality)?;
        let mut hasher = Sha256::new();
        for t in &src.texts {
            hasher.update((t.len() as u64).to_le_bytes());
            hasher.update(t.as_bytes());
        }
        // The program too: other code may read or write the same text differently.
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(env!("XIETONG_SOURCE_HASH").as_bytes());
        let fingerprint = hex(&hasher.finalize());
        let familiar_chars = src.texts.iter().flat_map(|t| t.chars()).filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).collect();
        Ok(Knowledge { vocab, lexicon, grammar, rules, ontology_ttl: src.texts[0].clone(), fingerprint, familiar_chars })
    }
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Wraps a TOML error with its file and position.
pub(crate) fn toml_error(file: &Path, text: &str, e: toml::de::Error) -> KnowledgeError {
    let position = e.span().map(|s| line_col(text, s.start));
    KnowledgeError::new(file, position, e.message().to_string())
}
