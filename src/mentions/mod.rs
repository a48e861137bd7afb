//! Mentions: find the stretches of each sentence that name something.
//!
//! Candidates come from the lexicon (places, groups, authorities, fields,
//! program types), the name grammar (organisations by type suffix, events,
//! venues, documents, quoted program names, people with their posts) and
//! coreference words. Overlaps go to the longest candidate. The shape of a
//! name also states facts (a branch's parent, a person's post), returned as
//! [`Link`]s. Figures and dates are read here too. Pure.

mod coreference;
mod events;
mod figures;
mod names;
mod people;

use crate::knowledge::grammar::{PlainWords, WordIndex};
use crate::knowledge::{Knowledge, LexiconEntry};
use crate::model::{fill_char_offsets, fill_chars, word_at, word_len_at, Article, Link, LinkTarget, Mention, MentionSource, Observation, Places, Referent, Span, Sym};
use crate::sym;
use crate::text::norm_into;
use coreference::{coref_cands, drop_shadowed_coreference};
use events::{document_cands, event_cands, listed_cands, quoted_cands};
use figures::{dates, figures};
use names::{drop_uncertain_short_places, inherit_list_places, lexicon_cands, org_cands};
use people::person_cands;
use smallvec::SmallVec;

/// Everything the mention stage reads from one article.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Findings {
    /// First: the cache reads them alone (`Cache::get_mentions`).
    pub mentions: Vec<Mention>,
    pub links: Vec<Link>,
    pub observations: Vec<Observation>,
}

/// A candidate before overlaps are decided; offsets are chars in the sentence.
#[derive(Debug, Clone)]
struct Cand {
    start: usize,
    end: usize,
    /// Part of the candidate that is the name, when the span also covers
    /// brackets or quotes (《…》).
    name: (usize, usize),
    class: Sym,
    source: MentionSource,
    referent: Referent,
    places: Places,
    variants: Vec<String>,
    priority: u8,
    /// Mentions inside this one that the text also names (a branch's parent).
    children: Vec<Cand>,
    /// (property, target, rule id): facts the shape of the name states;
    /// inline, as most names state one or none.
    links: SmallVec<[(Sym, CandTarget, Sym); 1]>,
}

#[derive(Debug, Clone)]
enum CandTarget {
    /// A mention inside this one.
    Child(usize),
    /// The chosen candidate that starts at this position of the sentence.
    TopAt(usize),
    Lexicon(Sym),
    Text(String),
    Date(String),
    /// The candidate a child belongs to (of a child's links only).
    Parent,
}

/// A place found ending at a position, if any; `None` until asked.
type PlaceMemo<'a> = Option<Option<(usize, &'a LexiconEntry)>>;

/// What a [`Sent`] owns, handed from one sentence to the next, and kept
/// by the thread for its next article (made anew for every article, each
/// would be grown a few times over, an allocation each time). Only
/// capacity is carried over: each sentence clears them first.
#[derive(Default)]
struct Buffers {
    c: Vec<char>,
    char_at: Vec<usize>,
    byte_of: Vec<usize>,
    suffixes: Vec<(usize, usize, usize)>,
    plain: Vec<(usize, usize)>,
    /// Candidates, and those chosen (kept: grown anew for every sentence,
    /// the two would be reallocated sentence after sentence).
    cands: Vec<Cand>,
    chosen: Vec<Cand>,
}

/// Text of a sentence as chars, with helpers the grammar needs.
struct Sent<'a> {
    c: Vec<char>,
    /// The sentence as a string, and the character index of each of its bytes.
    text: &'a str,
    char_at: Vec<usize>,
    /// The byte offset of each character (and of the end): `s` copies a
    /// stretch of `text` at once rather than pushing its chars one by one
    /// into a string that grows, reallocating as it goes.
    byte_of: Vec<usize>,
    k: &'a Knowledge,
    /// Memo of `place_ending_at`, by end position: scans ask it again and again.
    places_ending: std::cell::RefCell<Vec<PlaceMemo<'a>>>,
    /// Every type suffix in the sentence, overlapping: (start, end, pattern
    /// of the suffix matcher). One scan serves organisations and events.
    suffixes: Vec<(usize, usize, usize)>,
    /// The words of `grammar.plain_words` in the sentence: (pattern, byte offset).
    plain: Vec<(usize, usize)>,
}

impl<'a> Sent<'a> {
    fn s(&self, a: usize, b: usize) -> String {
        self.slice(a, b).to_string()
    }
    /// Characters `[a, b)` of the sentence, borrowed: for what is only looked at.
    fn slice(&self, a: usize, b: usize) -> &'a str {
        &self.text[self.byte_of[a]..self.byte_of[b]]
    }
    fn starts_with_at(&self, pos: usize, w: &str) -> bool {
        word_at(&self.c, pos, w)
    }
    fn ends_with_at(&self, end: usize, w: &str) -> bool {
        let n = w.chars().count();
        n <= end && self.starts_with_at(end - n, w)
    }
    /// The longest word of `words` ending at `end`, by length in chars.
    fn word_ending_at(&self, end: usize, words: &[String]) -> Option<usize> {
        words.iter().filter(|w| self.ends_with_at(end, w)).map(|w| w.chars().count()).max()
    }
    fn word_starting_at(&self, pos: usize, words: &[String]) -> Option<usize> {
        words.iter().filter_map(|w| word_len_at(&self.c, pos, w)).max()
    }
    /// The lexicon place (or group) whose surface ends exactly at `end`, longest first.
    fn place_ending_at(&self, end: usize) -> Option<(usize, &'a LexiconEntry)> {
        if let Some(Some(known)) = self.places_ending.borrow().get(end) {
            return *known;
        }
        let found = self.k.lexicon.place_ending_at(&self.c, end);
        if let Some(slot) = self.places_ending.borrow_mut().get_mut(end) {
            *slot = Some(found);
        }
        found
    }
    fn place_starting_at(&self, pos: usize) -> Option<(usize, &'a LexiconEntry)> {
        self.k.lexicon.place_starting_at(&self.c, pos)
    }
    /// Byte offsets where word `i` of `grammar.plain_words`' list `list` stands.
    fn plain_bytes(&self, list: usize, i: usize) -> impl Iterator<Item = usize> + '_ {
        PlainWords::starts(&self.plain, self.k.grammar.plain_words.lists[list][i])
    }
    fn is_han(&self, i: usize) -> bool {
        i < self.c.len() && ('\u{4e00}'..='\u{9fff}').contains(&self.c[i])
    }
}

/// A name's key: `parts` and the name in normal form, joined by `|`, in
/// one string sized at once (keys are made for every name of every article).
fn name_key(parts: &[&str], name: &str) -> String {
    let mut key = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + name.len());
    for p in parts {
        key.push_str(p);
        key.push('|');
    }
    norm_into(&mut key, name);
    key
}

impl Cand {
    fn new(start: usize, end: usize, class: Sym, source: MentionSource, referent: Referent, priority: u8) -> Self {
        Cand { start, end, name: (start, end), class, source, referent, places: Places::new(), variants: Vec::new(), priority, children: Vec::new(), links: SmallVec::new() }
    }
}

/// Finds all mentions, links and figures of an article.
pub fn find(article: &Article, k: &Knowledge) -> Findings {
    let year = article.meta.year;
    // A sentence's buffers, kept for the next: see `fill_char_offsets`.
    // And the article's findings, grown in vectors kept by the thread and
    // copied out at their exact size at the end (grown anew for every
    // article, the mentions alone would be reallocated and copied several
    // times an article, and held with up to half their capacity unused).
    thread_local! {
        static SPARE: std::cell::Cell<(Buffers, Findings)> = std::cell::Cell::new(Default::default());
    }
    // (The findings' vectors come back empty: drained at the end.)
    let (mut spare, mut found) = SPARE.take();
    // (The place memo borrows from the knowledge: kept for the article
    // only, made once at the size of its longest sentence.)
    let mut places: Vec<PlaceMemo> = Vec::with_capacity(article.sentences.iter().map(|s| s.span.len() + 1).max().unwrap_or(0));
    for (si, sentence) in article.sentences.iter().enumerate() {
        let Buffers { mut c, mut char_at, mut byte_of, mut suffixes, mut plain, mut cands, mut chosen } = std::mem::take(&mut spare);
        let text = article.sentence_text(sentence);
        fill_chars(text, &mut c, &mut byte_of);
        fill_char_offsets(text, &mut char_at);
        places.clear();
        places.resize(c.len() + 1, None);
        k.grammar.plain_words.find(text, &mut suffixes, &mut plain);
        for (a, b, _) in &mut suffixes {
            (*a, *b) = (char_at[*a], char_at[*b]);
        }
        let sent = Sent { places_ending: std::cell::RefCell::new(places), c, text, char_at, byte_of, k, suffixes, plain };
        lexicon_cands(&sent, &mut cands);
        org_cands(&sent, &mut cands);
        event_cands(&sent, &mut cands);
        document_cands(&sent, &mut cands);
        quoted_cands(&sent, &mut cands);
        listed_cands(&sent, &mut cands);
        coref_cands(&sent, &mut cands);
        drop_shadowed_coreference(&sent, &mut cands);
        choose_longest(&mut cands, &mut chosen);
        person_cands(&sent, &mut chosen);
        inherit_list_places(&sent, &mut chosen);
        drop_uncertain_short_places(&sent, &mut chosen);
        let base = found.mentions.len();
        emit(&sent, si, sentence.span.start, &mut chosen, &mut found);
        dates(&sent, sentence.span.start, base, year, &mut found);
        figures(&sent, si, sentence.span.start, base, &mut found);
        places = sent.places_ending.into_inner();
        spare = Buffers { c: sent.c, char_at: sent.char_at, byte_of: sent.byte_of, suffixes: sent.suffixes, plain: sent.plain, cands, chosen };
    }
    original_forms(article, &mut found.mentions);
    let out = Findings { mentions: found.mentions.drain(..).collect(), links: found.links.drain(..).collect(), observations: found.observations.drain(..).collect() };
    SPARE.set((spare, found));
    out
}

/// A name read from Traditional Chinese keeps its original form as an alias.
fn original_forms(article: &Article, mentions: &mut [Mention]) {
    let Some(original) = &article.original else { return };
    let chars: Vec<char> = original.chars().collect();
    for m in mentions {
        let (Some(&a), Some(&b)) = (article.original_offsets.get(m.span.start), article.original_offsets.get(m.span.end - 1)) else { continue };
        if a <= b && b < chars.len() {
            let form: String = chars[a..=b].iter().collect();
            if form != m.surface && !m.variants.contains(&form) && form.chars().count() == m.span.len() {
                m.variants.push(form);
            }
        }
    }
}

/// Greedy cover of `core` by descriptor words: a core made only of them is
/// no name.
fn only_descriptors(core: &str, words: &WordIndex) -> bool {
    let mut rest = core;
    while !rest.is_empty() {
        match words.longest_prefix_of(rest) {
            Some(n) => rest = &rest[n..],
            None => return false,
        }
    }
    true
}

/// Whether a count ends at `pos` (三所, 20余所, 15场): what follows it is
/// counted, not named.
fn counted_at(s: &Sent, pos: usize) -> bool {
    let g = &s.k.grammar;
    if pos == 0 || !g.measure_set.contains(&s.c[pos - 1]) {
        return false;
    }
    let mut i = pos - 1;
    if let Some(n) = s.word_ending_at(i, &g.figures.approx_infix) {
        i -= n;
    }
    i > 0 && g.numeral_set.contains(&s.c[i - 1])
}

/// Keeps the longest candidates that do not overlap: moved from `cands`
/// (left empty) to `chosen` (emptied first), by start.
fn choose_longest(cands: &mut Vec<Cand>, chosen: &mut Vec<Cand>) {
    cands.sort_by(|a, b| (b.end - b.start).cmp(&(a.end - a.start)).then(b.priority.cmp(&a.priority)).then(a.start.cmp(&b.start)));
    chosen.clear();
    for c in cands.drain(..) {
        if chosen.iter().all(|o| c.end <= o.start || o.end <= c.start) {
            chosen.push(c);
        }
    }
    chosen.sort_by_key(|c| c.start);
}

/// Turns chosen candidates into mentions and links. (It takes them: their
/// strings move into the mentions rather than being copied.)
fn emit(s: &Sent, si: usize, offset: usize, chosen: &mut Vec<Cand>, found: &mut Findings) {
    // Top-level mentions first, so that links can name them by position.
    let first = found.mentions.len();
    let starts: SmallVec<[usize; 16]> = chosen.iter().map(|c| c.start).collect();
    for c in chosen.iter_mut() {
        found.mentions.push(take_mention(s, si, offset, c));
    }
    for (ti, c) in chosen.drain(..).enumerate() {
        let me = first + ti;
        let mut child_idx = Vec::new();
        for mut ch in c.children {
            let ci = found.mentions.len();
            child_idx.push(ci);
            found.mentions.push(take_mention(s, si, offset, &mut ch));
            for (property, target, rule) in ch.links {
                let to = match target {
                    CandTarget::Lexicon(id) => LinkTarget::Lexicon(id),
                    CandTarget::Parent => LinkTarget::Mention(me),
                    _ => continue,
                };
                found.links.push(Link { from: ci, property, to, rule });
            }
        }
        for (property, target, rule) in c.links {
            let to = match target {
                CandTarget::Child(i) => LinkTarget::Mention(child_idx[i]),
                CandTarget::TopAt(start) => match starts.iter().rposition(|&st| st == start) {
                    Some(top) => LinkTarget::Mention(first + top),
                    None => continue,
                },
                CandTarget::Lexicon(id) => LinkTarget::Lexicon(id),
                CandTarget::Text(t) => LinkTarget::Text(t),
                CandTarget::Date(d) => LinkTarget::Date(d),
                // (A top-level candidate belongs to none.)
                CandTarget::Parent => continue,
            };
            found.links.push(Link { from: me, property, to, rule });
        }
    }
}

/// The mention a candidate makes; its strings are moved out (its links and
/// children stay).
fn take_mention(s: &Sent, si: usize, offset: usize, c: &mut Cand) -> Mention {
    Mention {
        sentence: si,
        span: Span::new(offset + c.start, offset + c.end),
        surface: s.s(c.name.0, c.name.1),
        class: c.class,
        source: c.source,
        referent: std::mem::replace(&mut c.referent, Referent::Back(Vec::new())),
        places: std::mem::take(&mut c.places),
        variants: std::mem::take(&mut c.variants),
    }
}

fn is_org(s: &Sent, class: Sym) -> bool {
    s.k.vocab.is_a(class, sym!("Organization"))
}
