//! Declarative relation rules of `ontology/rules.toml`.
//!
//! A rule has an id, the property it emits, and patterns: space-separated
//! parts, each a slot or a literal. Slots: `{s}` subject, `{o}` object,
//! `{s2}` a second subject (it gets the same triple), `{g}` a group whose
//! members are related pairwise, `{x}` a group that must be there but is not
//! related. A literal lists alternatives with `|`. Every rule carries example
//! sentences it must fire on (with the triples) and must not fire on.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::vocab::ClassSet;
use super::{line_col, toml_error, KnowledgeError, Vocab};
use crate::model::{sym, Sym};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    S,
    O,
    S2,
    G,
    X,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Slot(Slot),
    Lit(Lit),
}

/// A literal of a pattern: its alternatives (`签署|签订`), and their indices
/// in [`RuleSet::words`], filled at load time so that matching looks up
/// numbers, not strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lit {
    pub alts: Vec<String>,
    pub ids: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub source: String,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    /// `subject|property|object`, by surface form.
    #[serde(default)]
    pub expect: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    property: String,
    patterns: Vec<String>,
    s: Vec<String>,
    o: Vec<String>,
    #[serde(default)]
    x: Vec<String>,
    gap: Option<usize>,
    #[serde(default)]
    far: bool,
    #[serde(default)]
    topic: bool,
    #[serde(default)]
    event_topic: bool,
    #[serde(default)]
    object_property: BTreeMap<String, String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    example: Vec<Example>,
    #[serde(default)]
    counter: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    default_gap: usize,
    far_gap: usize,
    structure: StructureWords,
    rule: Vec<RuleDef>,
}

/// Words the matcher reads around the slots of every rule (`[structure]`),
/// as characters: they are compared with a sentence's characters in place,
/// many times a sentence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureWords {
    /// Join the members of a coordinated list (A、B和C).
    #[serde(deserialize_with = "char_words")]
    pub coordinators: Vec<Box<[char]>>,
    /// Pair a list of subjects with a list of objects one by one.
    #[serde(deserialize_with = "char_words")]
    pub respectively: Vec<Box<[char]>>,
    /// After them, the mention before is the topic of what follows.
    #[serde(deserialize_with = "char_words")]
    pub topic_markers: Vec<Box<[char]>>,
    /// Before a list, make it the place of an action, not an argument.
    #[serde(deserialize_with = "char_words")]
    pub locatives: Vec<Box<[char]>>,
    /// After a list of places, call it a group of the lexicon (三地).
    #[serde(deserialize_with = "char_words")]
    pub group_words: Vec<Box<[char]>>,
    /// Close a list before a count of what it qualifies (山西、甘肃等五所…).
    #[serde(deserialize_with = "char_words")]
    pub list_closers: Vec<Box<[char]>>,
    /// Measure words that count organisations (所, 家): places before such a
    /// count qualify the bodies counted, and are not arguments.
    #[serde(deserialize_with = "char_words")]
    pub counted_by: Vec<Box<[char]>>,
    /// Words that pair the group before with the group after (A与B): a chain
    /// of them (A与B、C与D签约) pairs each link's two sides.
    #[serde(deserialize_with = "char_words")]
    pub pairing: Vec<Box<[char]>>,
}

/// A list of words, each as its characters (an empty word is dropped: it
/// would stand everywhere).
fn char_words<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Box<[char]>>, D::Error> {
    let words: Vec<String> = Vec::deserialize(d)?;
    Ok(words.iter().filter(|w| !w.is_empty()).map(|w| w.chars().collect()).collect())
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: Sym,
    pub property: Sym,
    pub patterns: Vec<Pattern>,
    /// Classes a subject (and `{s2}`, `{g}` member) may have.
    pub s: Vec<String>,
    pub o: Vec<String>,
    /// `s`, `o` and `x` as sets, for the matcher.
    pub s_set: ClassSet,
    pub o_set: ClassSet,
    pub x_set: ClassSet,
    /// Classes of `{x}`; empty: any.
    pub x: Vec<String>,
    /// Most characters between two parts.
    pub gap: usize,
    /// The leading slot may lie in an earlier clause of the sentence.
    pub far: bool,
    /// A missing subject is the paragraph's topic.
    pub topic: bool,
    /// A missing leading object, in a clause that begins with a bare event
    /// word of the grammar (大赛由…主办, 本次会议由…), is the last event
    /// named before whose name ends in that word.
    pub event_topic: bool,
    /// Object class → property to emit instead (an object that is a Program).
    pub object_property: BTreeMap<String, Sym>,
    /// Words inside which a literal does not count (援建 inside 支援建设).
    pub exclude: Vec<String>,
    /// `exclude`'s indices in [`RuleSet::words`].
    pub exclude_ids: Vec<usize>,
    pub examples: Vec<Example>,
    pub counters: Vec<Example>,
}

/// Classes that may fill a slot: a group of them inside a gap means the
/// pattern reached past a nearer argument.
pub const ARGUMENT_CLASSES: [&str; 2] = ["Organization", "Person"];

#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub far_gap: usize,
    /// Classes that may fill a slot ([`ARGUMENT_CLASSES`]).
    pub argument_classes: ClassSet,
    pub structure: StructureWords,
    /// Every literal of every rule: they also bound names.
    pub triggers: Vec<String>,
    /// `triggers`, indexed.
    pub trigger_index: super::grammar::WordIndex,
    /// Every literal and excluded word, and the modality words, for one
    /// overlapping search per sentence: pattern i of the matcher is
    /// `words[i]`, and pattern `words.len() + j` modality word j (planned
    /// when `j < planned_words`).
    pub word_matcher: super::matcher::WordMatcher,
    pub words: Vec<String>,
    pub planned_words: usize,
    /// For each word (by id), the patterns (rule, pattern) whose first
    /// literal it is one of: a sentence tries only the patterns whose first
    /// literal it holds, not every pattern of every rule.
    pub anchored_by: Vec<Vec<(u32, u32)>>,
}

fn parse_pattern(src: &str) -> Result<Pattern, String> {
    let mut parts = Vec::new();
    for tok in src.split_whitespace() {
        let part = match tok {
            "{s}" => Part::Slot(Slot::S),
            "{o}" => Part::Slot(Slot::O),
            "{s2}" => Part::Slot(Slot::S2),
            "{g}" => Part::Slot(Slot::G),
            "{x}" => Part::Slot(Slot::X),
            t if t.starts_with('{') => return Err(format!("unknown slot {t}")),
            t => Part::Lit(Lit { alts: t.split('|').map(str::to_string).collect(), ids: Vec::new() }),
        };
        parts.push(part);
    }
    if !parts.iter().any(|p| matches!(p, Part::Lit(_))) {
        return Err("a pattern needs at least one literal".into());
    }
    let has = |s: Slot| parts.contains(&Part::Slot(s));
    if !(has(Slot::G) || (has(Slot::S) || has(Slot::O))) {
        return Err("a pattern needs {s} and {o}, or {g}".into());
    }
    for w in parts.windows(2) {
        if matches!(w, [Part::Slot(_), Part::Slot(_)]) {
            return Err("two slots need a literal between them".into());
        }
    }
    Ok(Pattern { source: src.to_string(), parts })
}

impl RuleSet {
    /// `modality`: the grammar's modality words, searched with the rules' words.
    pub fn parse(text: &str, file: &Path, vocab: &Vocab, modality: &super::grammar::ModalityWords) -> Result<Self, KnowledgeError> {
        let f: RulesFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
        let at = |needle: &str| text.find(needle).map(|o| line_col(text, o));
        let mut rules = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for d in f.rule {
            let here = at(&format!("\"{}\"", d.id));
            let err = |m: String| KnowledgeError::new(file, here, format!("rule {}: {m}", d.id));
            if !ids.insert(d.id.clone()) {
                return Err(err("duplicate id".into()));
            }
            for p in std::iter::once(&d.property).chain(d.object_property.values()) {
                if !vocab.is_object_property(p) {
                    return Err(err(format!("xt:{p} is not an object property of the ontology")));
                }
            }
            for c in d.s.iter().chain(&d.o).chain(&d.x).chain(d.object_property.keys()) {
                if !vocab.is_class(c) {
                    return Err(err(format!("unknown class xt:{c}")));
                }
            }
            let mut patterns = Vec::new();
            for p in &d.patterns {
                let pos = at(p);
                patterns.push(parse_pattern(p).map_err(|m| KnowledgeError::new(file, pos, format!("rule {}: pattern `{p}`: {m}", d.id)))?);
            }
            if d.example.is_empty() {
                return Err(err("a rule needs at least one [[rule.example]] it must fire on".into()));
            }
            if d.counter.is_empty() {
                return Err(err("a rule needs at least one [[rule.counter]] it must not fire on".into()));
            }
            rules.push(Rule {
                id: sym(&d.id),
                property: sym(&d.property),
                patterns,
                s_set: vocab.class_set(&d.s),
                o_set: vocab.class_set(&d.o),
                x_set: vocab.class_set(&d.x),
                s: d.s,
                o: d.o,
                x: d.x,
                gap: d.gap.unwrap_or(f.default_gap),
                far: d.far,
                topic: d.topic,
                event_topic: d.event_topic,
                object_property: d.object_property.iter().map(|(c, p)| (c.clone(), sym(p))).collect(),
                exclude: d.exclude,
                exclude_ids: Vec::new(),
                examples: d.example,
                counters: d.counter,
            });
        }
        let mut triggers: Vec<String> = rules
            .iter()
            .flat_map(|r| &r.patterns)
            .flat_map(|p| &p.parts)
            .filter_map(|p| match p {
                Part::Lit(lit) => Some(lit.alts.clone()),
                _ => None,
            })
            .flatten()
            .filter(|t| t.chars().count() >= 2)
            .collect();
        triggers.sort();
        triggers.dedup();
        let mut words: Vec<String> = rules
            .iter()
            .flat_map(|r| {
                r.patterns
                    .iter()
                    .flat_map(|p| &p.parts)
                    .filter_map(|p| match p {
                        Part::Lit(lit) => Some(lit.alts.clone()),
                        _ => None,
                    })
                    .flatten()
                    .chain(r.exclude.iter().cloned())
                    .collect::<Vec<_>>()
            })
            .collect();
        words.sort();
        words.dedup();
        let planned: Vec<&String> = modality.planned.iter().filter(|w| !w.is_empty()).collect();
        let reported = modality.reported.iter().filter(|w| !w.is_empty());
        let word_matcher = super::matcher::WordMatcher::overlapping(words.iter().chain(planned.iter().copied()).chain(reported))
            .map_err(|e| KnowledgeError::new(file, None, format!("cannot build the literal matcher: {e}")))?;
        let word_id: rustc_hash::FxHashMap<String, usize> = words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
        let ids = |alts: &[String]| alts.iter().filter_map(|a| word_id.get(a).copied()).collect::<Vec<usize>>();
        for r in &mut rules {
            r.exclude_ids = ids(&r.exclude);
            for part in r.patterns.iter_mut().flat_map(|p| p.parts.iter_mut()) {
                if let Part::Lit(lit) = part {
                    lit.ids = ids(&lit.alts);
                }
            }
        }
        let mut anchored_by = vec![Vec::new(); words.len()];
        for (ri, r) in rules.iter().enumerate() {
            for (pi, p) in r.patterns.iter().enumerate() {
                if let Some(Part::Lit(lit)) = p.parts.iter().find(|p| matches!(p, Part::Lit(_))) {
                    for &id in &lit.ids {
                        anchored_by[id].push((ri as u32, pi as u32));
                    }
                }
            }
        }
        let trigger_index = super::grammar::WordIndex::new(&triggers);
        Ok(RuleSet {
            rules,
            far_gap: f.far_gap,
            argument_classes: vocab.class_set(&ARGUMENT_CLASSES),
            structure: f.structure,
            triggers,
            trigger_index,
            word_matcher,
            words,
            planned_words: planned.len(),
            anchored_by,
        })
    }
}
