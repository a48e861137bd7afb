//! The name grammar of `ontology/grammar.toml`, checked against the vocabulary
//! and compiled into matchers.

use std::collections::BTreeMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;

use super::{toml_error, KnowledgeError, Vocab};
use crate::model::Sym;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgGrammar {
    pub place_bound: Vec<String>,
    pub place_only_ok: Vec<String>,
    pub department_suffix: Vec<String>,
    pub department_max: usize,
    pub not_names: Vec<String>,
    pub branch_suffix: Vec<String>,
    pub descriptors: Vec<String>,
    pub generic_cores: Vec<String>,
    pub left_stops: Vec<String>,
    pub hard_stops: String,
    pub name_max: usize,
    pub measure_words: String,
    pub numerals: String,
    /// Type suffix → class (its local name, interned: every name found copies it).
    pub suffix: BTreeMap<String, Sym>,
    pub suffix_alias: BTreeMap<String, String>,
    pub abbreviated_suffix: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventGrammar {
    pub left_stops: Vec<String>,
    pub name_max: usize,
    pub suffix: BTreeMap<String, Sym>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentGrammar {
    pub agreement_suffix: Vec<String>,
    pub left_stops: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotedGrammar {
    pub max: usize,
    pub continuation: Vec<String>,
    pub prefix: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonGrammar {
    pub titles: Vec<String>,
    pub name_followers: Vec<String>,
    pub surnames: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureGrammar {
    pub units: Vec<String>,
    pub approx_infix: Vec<String>,
    pub qualifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModalityWords {
    pub planned: Vec<String>,
    pub reported: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FurnitureGrammar {
    pub markers: Vec<String>,
    pub credit_markers: Vec<String>,
    pub prose_min_chars: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarFile {
    org: OrgGrammar,
    event: EventGrammar,
    document: DocumentGrammar,
    quoted: QuotedGrammar,
    person: PersonGrammar,
    coref: BTreeMap<String, String>,
    figures: FigureGrammar,
    modality: ModalityWords,
    furniture: FurnitureGrammar,
}

/// The grammar, with the lists the extractor searches turned into matchers and sets.
#[derive(Debug)]
pub struct Grammar {
    pub org: OrgGrammar,
    pub event: EventGrammar,
    pub document: DocumentGrammar,
    pub quoted: QuotedGrammar,
    pub person: PersonGrammar,
    pub coref: BTreeMap<String, String>,
    pub figures: FigureGrammar,
    pub modality: ModalityWords,
    pub furniture: FurnitureGrammar,
    /// Every organisation, event and venue suffix, overlapping matches wanted.
    pub suffix_matcher: AhoCorasick,
    /// Every modality word, planned ones first: pattern i is planned when
    /// `i < modality.planned.len()`.
    pub modality_matcher: AhoCorasick,
    /// `org.left_stops`, indexed.
    pub org_left_stops: WordIndex,
    /// For pattern i of `suffix_matcher`: the suffix and whether it is an event-kind suffix.
    pub suffix_patterns: Vec<(String, bool)>,
    pub hard_stop_set: rustc_hash::FxHashSet<char>,
    pub numeral_set: rustc_hash::FxHashSet<char>,
    pub measure_set: rustc_hash::FxHashSet<char>,
    pub surname_set: rustc_hash::FxHashSet<char>,
}

/// A word list indexed by last character, to ask "which word ends here?"
/// at every position of a scan without comparing against the whole list.
#[derive(Debug, Default)]
pub struct WordIndex {
    by_last: rustc_hash::FxHashMap<char, Vec<Vec<char>>>,
}

impl WordIndex {
    pub fn new<'a>(words: impl IntoIterator<Item = &'a String>) -> Self {
        let mut by_last: rustc_hash::FxHashMap<char, Vec<Vec<char>>> = Default::default();
        for w in words {
            let chars: Vec<char> = w.chars().collect();
            if let Some(&last) = chars.last() {
                by_last.entry(last).or_default().push(chars);
            }
        }
        WordIndex { by_last }
    }

    /// The length in chars of the longest word ending at `end` in `c`.
    pub fn longest_ending_at(&self, c: &[char], end: usize) -> Option<usize> {
        let last = c.get(end.checked_sub(1)?)?;
        self.by_last.get(last)?.iter().filter(|w| w.len() <= end && c[end - w.len()..end] == w[..]).map(Vec::len).max()
    }
}

impl Grammar {
    pub fn parse(text: &str, file: &Path, vocab: &Vocab) -> Result<Self, KnowledgeError> {
        let g: GrammarFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
        for (suffix, class) in g.org.suffix.iter().chain(&g.event.suffix) {
            if !vocab.is_class(class) {
                let pos = text.find(&format!("\"{suffix}\"")).map(|o| super::line_col(text, o));
                return Err(KnowledgeError::new(file, pos, format!("suffix {suffix}: unknown class xt:{class}")));
            }
        }
        for (word, target) in &g.coref {
            let class = target.split(':').next_back().unwrap_or(target);
            let ok = vocab.is_class(class) || target.starts_with("group:");
            if !ok {
                return Err(KnowledgeError::new(file, None, format!("coref {word}: unknown target `{target}`")));
            }
        }
        let mut suffix_patterns: Vec<(String, bool)> = g.org.suffix.keys().map(|s| (s.clone(), false)).collect();
        suffix_patterns.extend(g.org.abbreviated_suffix.keys().map(|s| (s.clone(), false)));
        suffix_patterns.extend(g.event.suffix.keys().map(|s| (s.clone(), true)));
        let suffix_matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(suffix_patterns.iter().map(|(s, _)| s))
            .map_err(|e| KnowledgeError::new(file, None, format!("cannot build suffix matcher: {e}")))?;
        let modality_matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(g.modality.planned.iter().chain(&g.modality.reported).filter(|w| !w.is_empty()))
            .map_err(|e| KnowledgeError::new(file, None, format!("cannot build modality matcher: {e}")))?;
        Ok(Grammar {
            modality_matcher,
            org_left_stops: WordIndex::new(&g.org.left_stops),
            hard_stop_set: g.org.hard_stops.chars().collect(),
            numeral_set: g.org.numerals.chars().collect(),
            measure_set: g.org.measure_words.chars().collect(),
            surname_set: g.person.surnames.chars().collect(),
            org: g.org,
            event: g.event,
            document: g.document,
            quoted: g.quoted,
            person: g.person,
            coref: g.coref,
            figures: g.figures,
            modality: g.modality,
            furniture: g.furniture,
            suffix_matcher,
            suffix_patterns,
        })
    }

    /// The class a suffix gives, organisation or event kind.
    pub fn suffix_class(&self, suffix: &str) -> Option<Sym> {
        self.org.suffix.get(suffix).or_else(|| self.event.suffix.get(suffix)).copied().or_else(|| {
            let full = self.org.abbreviated_suffix.get(suffix)?;
            self.org.suffix.get(full).copied()
        })
    }
}
