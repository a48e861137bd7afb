//! The name grammar of `ontology/grammar.toml`, checked against the vocabulary
//! and compiled into matchers.

use std::collections::BTreeMap;
use std::path::Path;

use super::matcher::WordMatcher;
use serde::Deserialize;

use super::{toml_error, KnowledgeError, Vocab};
use crate::model::Sym;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgGrammar {
    /// Words that elsewhere stop a name but may stand between a place and a
    /// university's suffix as its core (北京联合大学).
    pub core_words: Vec<String>,
    pub place_bound: Vec<String>,
    pub place_only_ok: Vec<String>,
    pub department_suffix: Vec<String>,
    pub department_max: usize,
    pub not_names: Vec<String>,
    pub branch_suffix: Vec<String>,
    pub descriptors: Vec<String>,
    pub generic_cores: Vec<String>,
    pub left_stops: Vec<String>,
    /// Left stops a name may hold when its core would be shorter without them.
    pub soft_stops: Vec<String>,
    pub soft_stop_core_max: usize,
    /// 市, 区…: before a place-bound suffix, a reference back; in a title chain, a unit.
    pub place_levels: Vec<String>,
    /// Branch suffixes that make a campus only after a place (校区).
    pub branch_needs_place: Vec<String>,
    /// A department whose name holds one of these is an education authority.
    pub education_marks: Vec<String>,
    /// Join the names of a list: a generic name takes its neighbours' place.
    pub list_joiners: Vec<String>,
    /// Right after a suffix, make it part of another word (中学生).
    pub suffix_breakers: Vec<String>,
    pub breaker_exceptions: Vec<String>,
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
    pub suffix_breakers: Vec<String>,
    /// Words that join two events named as one occasion (甲活动周暨乙大赛).
    pub joiners: Vec<String>,
    pub suffix: BTreeMap<String, Sym>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentGrammar {
    pub agreement_suffix: Vec<String>,
    pub left_stops: Vec<String>,
    pub name_max: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotedGrammar {
    pub max: usize,
    pub counting: String,
    pub heads: Vec<String>,
    pub verbs_before: Vec<String>,
    pub continuation: Vec<String>,
    pub prefix: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonGrammar {
    pub titles: Vec<String>,
    pub name_followers: Vec<String>,
    /// Characters that end the name of a unit (金融局, 金融系), never a person's name.
    pub unit_ends: String,
    /// Single-character surnames (the first character of a name).
    pub surnames: String,
    /// Two-character surnames (欧阳, 司马): a name of three or four characters.
    pub compound_surnames: Vec<String>,
    /// The longest qualifier or unit a title may carry before it, when it
    /// begins a list item (教学副校长, 实习处主任, 组织部长).
    pub title_prefix_max: usize,
}

/// Words after a group word that make it the group's authorities (三地教育部门).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorefAuthority {
    pub words: Vec<String>,
}

/// Words that say an organisation was founded, and those between them and a stated year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoundingGrammar {
    pub words: Vec<String>,
    pub year_prefix: Vec<String>,
    /// Words of "since" before a year and the word (自1956年建校以来): the
    /// clause's subject, after it, was founded.
    pub since: Vec<String>,
    /// Words between the word and the organisation it founds (成立了某学院).
    pub object_markers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureGrammar {
    /// Longest first (sorted at load: a figure takes the longest unit that fits).
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
    /// Labels of the source in a byline (来源:…), read as the publisher.
    pub source_labels: Vec<String>,
    pub credit_markers: Vec<String>,
    pub prose_min_chars: usize,
    /// Labels of page furniture (`来源:`, `责任编辑:`, `当前位置:`): a line
    /// of the header holding one before a `:`, or any short line starting
    /// with one, is not article text.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Words that make a short line furniture wherever they stand
    /// (版权所有, ICP备, 分享到).
    #[serde(default)]
    pub words: Vec<String>,
    /// Last words of a dateline before a credit (本报讯(记者…), …日电).
    #[serde(default)]
    pub dateline_ends: Vec<String>,
    /// Last words of a photo credit after a caption (记者 某某 摄).
    #[serde(default)]
    pub photo_credit_ends: Vec<String>,
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
    coref_authority: CorefAuthority,
    founding: FoundingGrammar,
    figures: FigureGrammar,
    modality: ModalityWords,
    furniture: FurnitureGrammar,
    lists: ListGrammar,
}

/// A list closed by a word like 等, perhaps a count, and a word for a kind
/// (…、生物学等学科; 北大、清华等高校): each member is one of that kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListGrammar {
    pub end: Vec<String>,
    pub heads: BTreeMap<String, Sym>,
    pub member_max: usize,
    /// Words that, right after a head, make it part of another noun (学科带头人).
    pub head_breakers: Vec<String>,
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
    pub coref_authority: CorefAuthority,
    pub founding: FoundingGrammar,
    pub figures: FigureGrammar,
    pub modality: ModalityWords,
    pub furniture: FurnitureGrammar,
    pub lists: ListGrammar,
    /// `org.left_stops`, indexed.
    pub org_left_stops: WordIndex,
    /// `org.department_suffix`, indexed: asked at every length after every body.
    pub department_suffixes: WordIndex,
    /// `event.left_stops`, indexed: asked at every step of the leftward scan.
    pub event_left_stops: WordIndex,
    /// `document.left_stops`, indexed: asked at every step left of an agreement.
    pub document_left_stops: WordIndex,
    /// `person.titles`, `person.name_followers` and `org.place_bound`,
    /// indexed: asked after every organisation.
    pub person_titles: WordIndex,
    pub name_followers: WordIndex,
    pub place_bound: WordIndex,
    /// `org.descriptors`, indexed: a name's core is covered by them word by
    /// word, and comparing all of them at every step would be a `memcmp`
    /// for each descriptor at each step.
    pub descriptors: WordIndex,
    /// The suffixes of `suffix_patterns` (every occurrence), and
    /// `org.not_names`, `document.agreement_suffix`, the coreference words
    /// (in `coref`'s order) and `founding.words` as lists 0 to 3, searched
    /// in one pass.
    pub plain_words: PlainWords,
    /// Every organisation, event and venue suffix (the patterns of
    /// `plain_words`' every-occurrence words, in order).
    pub suffix_patterns: Vec<SuffixPattern>,
    pub hard_stop_set: rustc_hash::FxHashSet<char>,
    pub numeral_set: rustc_hash::FxHashSet<char>,
    pub measure_set: rustc_hash::FxHashSet<char>,
    pub surname_set: rustc_hash::FxHashSet<char>,
    pub compound_surnames: WordIndex,
    /// `lists.end`, indexed: asked at every position of a sentence.
    pub list_ends: WordIndex,
}

/// A type suffix a sentence is searched for, with what the name grammar
/// asks of it worked out at load time, rather than looked up by string in
/// five tables at every suffix found.
#[derive(Debug)]
pub struct SuffixPattern {
    pub word: String,
    /// Of an event or venue (`event.suffix`): read by the event grammar.
    pub is_event: bool,
    /// The class a name with it gets ([`Grammar::suffix_class`]).
    pub class: Option<Sym>,
    /// An abbreviation (`org.abbreviated_suffix`: 中 of 中学), and the last
    /// character of its full form.
    pub abbreviated: bool,
    pub full_last: Option<char>,
    pub place_bound: bool,
    pub place_only_ok: bool,
    /// As keys spell it ([`Grammar::canonical_suffix`]).
    pub canonical: String,
}

/// The words a sentence is searched for, in one pass: the type suffixes,
/// every occurrence wanted (overlapping), and several plain word lists,
/// each distinct word one pattern, found as `str::match_indices` finds it.
/// (One pass costs far fewer instructions than searching word by word,
/// with a string searcher built for each word in each sentence, or than a
/// pass for the plain words and another for the suffixes.)
#[derive(Debug)]
pub struct PlainWords {
    matcher: WordMatcher,
    /// Patterns `0..every` are the words of which every occurrence is wanted.
    every: usize,
    /// Byte length of each pattern.
    lens: Vec<usize>,
    /// For each list given to `new`, the pattern of each of its words
    /// (`None` for an empty word, which is never found).
    pub lists: Vec<Vec<Option<usize>>>,
}

impl PlainWords {
    pub fn new<'w>(every: &[&'w str], lists: &[Vec<&'w str>]) -> Result<Self, String> {
        let mut words: Vec<&'w str> = every.to_vec();
        let lists = lists
            .iter()
            .map(|list| {
                list.iter()
                    .map(|&w| {
                        (!w.is_empty()).then(|| {
                            words[every.len()..].iter().position(|x| *x == w).map(|i| i + every.len()).unwrap_or_else(|| {
                                words.push(w);
                                words.len() - 1
                            })
                        })
                    })
                    .collect()
            })
            .collect();
        let matcher = WordMatcher::overlapping(&words)?;
        Ok(PlainWords { matcher, every: every.len(), lens: words.iter().map(|w| w.len()).collect(), lists })
    }

    /// Fills `every` with (start, end, word) in bytes of each occurrence of
    /// a word of `new`'s `every`, in the order found; and `out` with
    /// (pattern, byte offset) of each occurrence of a listed word, sorted by
    /// pattern then offset; a word's occurrences do not overlap, left to
    /// right, as `str::match_indices` finds them.
    pub fn find(&self, text: &str, every: &mut Vec<(usize, usize, usize)>, out: &mut Vec<(usize, usize)>) {
        every.clear();
        out.clear();
        self.matcher.each_overlapping(text, |start, end, p| {
            if p < self.every {
                every.push((start, end, p));
            } else {
                out.push((p, start));
            }
        });
        out.sort_unstable();
        let mut last: Option<(usize, usize)> = None;
        out.retain(|&(p, start)| {
            let keep = !matches!(last, Some((lp, end)) if lp == p && start < end);
            if keep {
                last = Some((p, start + self.lens[p]));
            }
            keep
        });
    }

    /// The byte offsets of pattern `p` in a table `find` filled.
    pub fn starts(table: &[(usize, usize)], p: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        let from = p.map_or(table.len(), |p| table.partition_point(|&(q, _)| q < p));
        table[from..].iter().take_while(move |&&(q, _)| Some(q) == p).map(|&(_, start)| start)
    }
}

/// A word list indexed by first and by last character, to ask "which word
/// starts (ends) here?" at every position of a scan without comparing
/// against the whole list (an empty word is never found): asked word by
/// word, a list costs a comparison per word after every candidate name.
#[derive(Debug, Default)]
pub struct WordIndex {
    by_first: rustc_hash::FxHashMap<char, Vec<Vec<char>>>,
    by_last: rustc_hash::FxHashMap<char, Vec<Vec<char>>>,
}

impl WordIndex {
    pub fn new<'a>(words: impl IntoIterator<Item = &'a String>) -> Self {
        let mut index = WordIndex::default();
        for w in words {
            let chars: Vec<char> = w.chars().collect();
            if let (Some(&first), Some(&last)) = (chars.first(), chars.last()) {
                index.by_first.entry(first).or_default().push(chars.clone());
                index.by_last.entry(last).or_default().push(chars);
            }
        }
        index
    }

    /// The length in chars of the longest word ending at `end` in `c`.
    pub fn longest_ending_at(&self, c: &[char], end: usize) -> Option<usize> {
        let last = c.get(end.checked_sub(1)?)?;
        self.by_last.get(last)?.iter().filter(|w| w.len() <= end && c[end - w.len()..end] == w[..]).map(Vec::len).max()
    }

    /// The length in bytes of the longest word `s` begins with.
    pub fn longest_prefix_of(&self, s: &str) -> Option<usize> {
        let first = s.chars().next()?;
        self.by_first.get(&first)?.iter().filter_map(|w| prefix_bytes(s, w)).max()
    }

    /// The length in chars of the longest word starting at `pos` in `c`.
    pub fn longest_starting_at(&self, c: &[char], pos: usize) -> Option<usize> {
        let first = c.get(pos)?;
        self.by_first.get(first)?.iter().filter(|w| c[pos..].starts_with(w)).map(Vec::len).max()
    }
}

/// The length in bytes of word `w` if `s` begins with it.
fn prefix_bytes(s: &str, w: &[char]) -> Option<usize> {
    let mut chars = s.char_indices();
    for &c in w {
        chars.next().filter(|&(_, x)| x == c)?;
    }
    Some(chars.next().map_or(s.len(), |(i, _)| i))
}

impl Grammar {
    pub fn parse(text: &str, file: &Path, vocab: &Vocab) -> Result<Self, KnowledgeError> {
        let mut g: GrammarFile = toml::from_str(text).map_err(|e| toml_error(file, text, e))?;
        g.figures.units.sort_by_key(|u| std::cmp::Reverse(u.chars().count()));
        for (suffix, class) in g.org.suffix.iter().chain(&g.event.suffix).chain(&g.lists.heads) {
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
        let mut words: Vec<(&String, bool)> = g.org.suffix.keys().map(|s| (s, false)).collect();
        words.extend(g.org.abbreviated_suffix.keys().map(|s| (s, false)));
        words.extend(g.event.suffix.keys().map(|s| (s, true)));
        let every: Vec<&str> = words.iter().map(|(s, _)| s.as_str()).collect();
        let plain_words = PlainWords::new(
            &every,
            &[
                g.org.not_names.iter().map(String::as_str).collect(),
                g.document.agreement_suffix.iter().map(String::as_str).collect(),
                g.coref.keys().map(String::as_str).collect(),
                g.founding.words.iter().map(String::as_str).collect(),
            ],
        )
        .map_err(|e| KnowledgeError::new(file, None, format!("cannot build word matcher: {e}")))?;
        let suffix_patterns = words
            .iter()
            .map(|&(word, is_event)| SuffixPattern {
                word: word.clone(),
                is_event,
                class: suffix_class(&g.org, &g.event, word),
                abbreviated: g.org.abbreviated_suffix.contains_key(word),
                full_last: g.org.abbreviated_suffix.get(word).and_then(|full| full.chars().last()),
                place_bound: g.org.place_bound.contains(word),
                place_only_ok: g.org.place_only_ok.contains(word),
                canonical: canonical_suffix(&g.org, word).to_string(),
            })
            .collect();
        Ok(Grammar {
            plain_words,
            org_left_stops: WordIndex::new(&g.org.left_stops),
            department_suffixes: WordIndex::new(&g.org.department_suffix),
            event_left_stops: WordIndex::new(&g.event.left_stops),
            document_left_stops: WordIndex::new(&g.document.left_stops),
            person_titles: WordIndex::new(&g.person.titles),
            name_followers: WordIndex::new(&g.person.name_followers),
            place_bound: WordIndex::new(&g.org.place_bound),
            descriptors: WordIndex::new(&g.org.descriptors),
            hard_stop_set: g.org.hard_stops.chars().collect(),
            numeral_set: g.org.numerals.chars().collect(),
            measure_set: g.org.measure_words.chars().collect(),
            surname_set: g.person.surnames.chars().collect(),
            compound_surnames: WordIndex::new(&g.person.compound_surnames),
            list_ends: WordIndex::new(&g.lists.end),
            org: g.org,
            event: g.event,
            document: g.document,
            quoted: g.quoted,
            person: g.person,
            coref: g.coref,
            coref_authority: g.coref_authority,
            founding: g.founding,
            figures: g.figures,
            modality: g.modality,
            furniture: g.furniture,
            lists: g.lists,
            suffix_patterns,
        })
    }

    /// The class a suffix gives, organisation or event kind.
    pub fn suffix_class(&self, suffix: &str) -> Option<Sym> {
        suffix_class(&self.org, &self.event, suffix)
    }
    /// A suffix as keys spell it: its alias's full form, then an
    /// abbreviation's (教委 → 教育委员会, 中 → 中学).
    pub fn canonical_suffix<'a>(&'a self, suffix: &'a str) -> &'a str {
        canonical_suffix(&self.org, suffix)
    }
}

fn suffix_class(org: &OrgGrammar, event: &EventGrammar, suffix: &str) -> Option<Sym> {
    org.suffix.get(suffix).or_else(|| event.suffix.get(suffix)).copied().or_else(|| {
        let full = org.abbreviated_suffix.get(suffix)?;
        org.suffix.get(full).copied()
    })
}

fn canonical_suffix<'a>(org: &'a OrgGrammar, suffix: &'a str) -> &'a str {
    let s = org.suffix_alias.get(suffix).map_or(suffix, String::as_str);
    org.abbreviated_suffix.get(s).map_or(s, String::as_str)
}

#[cfg(test)]
mod tests {
    use super::{PlainWords, WordIndex};

    /// The longest listed word at a position, in chars or in bytes, and none
    /// for a word that runs past the text.
    #[test]
    fn word_index_finds_the_longest_word() {
        let words: Vec<String> = ["教育", "教育局", "局长", ""].iter().map(|w| w.to_string()).collect();
        let index = WordIndex::new(&words);
        let c: Vec<char> = "市教育局长".chars().collect();
        assert_eq!(index.longest_starting_at(&c, 1), Some(3));
        assert_eq!(index.longest_ending_at(&c, 5), Some(2));
        assert_eq!(index.longest_starting_at(&c, 0), None);
        assert_eq!(index.longest_prefix_of("教育局长"), Some("教育局".len()));
        assert_eq!(index.longest_prefix_of("教"), None);
        assert_eq!(index.longest_prefix_of(""), None);
    }

    /// One pass finds every occurrence of the `every` words, and what
    /// `str::match_indices` finds word by word of the lists, also for a word
    /// that overlaps itself, a word that two lists share and one that is in
    /// both.
    #[test]
    fn plain_words_find_what_match_indices_finds() {
        let lists = vec![vec!["两两", "教育部门", ""], vec!["部门", "两两"]];
        let every = ["两两", "部门"];
        let words = PlainWords::new(&every, &lists).expect("matcher");
        let (mut table, mut all) = (Vec::new(), Vec::new());
        for text in ["两两两两两", "市教育部门和区教育部门", "部门两两部门", ""] {
            words.find(text, &mut all, &mut table);
            // Every occurrence of the `every` words, overlapping ones too.
            for (i, w) in every.iter().enumerate() {
                let want: Vec<usize> = (0..text.len()).filter(|&b| text.get(b..).is_some_and(|t| t.starts_with(w))).collect();
                let got: Vec<usize> = all
                    .iter()
                    .filter(|&&(_, _, p)| p == i)
                    .map(|&(a, b, _)| {
                        assert_eq!(b - a, w.len());
                        a
                    })
                    .collect();
                assert_eq!(got, want, "every {w:?} in {text:?}");
            }
            for (li, list) in lists.iter().enumerate() {
                for (wi, w) in list.iter().enumerate() {
                    let want: Vec<usize> = if w.is_empty() { Vec::new() } else { text.match_indices(w).map(|(i, _)| i).collect() };
                    let got: Vec<usize> = PlainWords::starts(&table, words.lists[li][wi]).collect();
                    assert_eq!(got, want, "{w:?} in {text:?}");
                }
            }
        }
    }
}
