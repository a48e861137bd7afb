//! Mentions: find the stretches of each sentence that name something.
//!
//! Candidates come from the lexicon (places, groups, authorities, fields,
//! program types), the name grammar (organisations by type suffix, events,
//! venues, documents, quoted program names, people with their posts) and
//! coreference words. Overlaps go to the longest candidate. The shape of a
//! name also states facts (a branch's parent, a person's post), returned as
//! [`Link`]s. Figures and dates are read here too. Pure.

use crate::knowledge::grammar::{PlainWords, SuffixPattern, WordIndex};
use crate::knowledge::{Knowledge, LexiconEntry};
use crate::model::{fill_char_offsets, fill_chars, word_at, word_len_at, Article, Link, LinkTarget, Mention, MentionSource, Observation, Places, Referent, Span, Sym, sym};
use crate::sym;
use crate::text::norm_into;
use smallvec::SmallVec;

/// Everything the mention stage reads from one article.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Found {
    /// First: the cache reads them alone (`Cache::get_mentions`).
    pub mentions: Vec<Mention>,
    pub links: Vec<Link>,
    pub observations: Vec<Observation>,
}

/// A candidate before overlaps are settled; offsets are chars in the sentence.
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
    /// The settled candidate that starts at this position of the sentence.
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
/// by the thread for its next article (made anew for every article, they
/// were grown a few times each: ~5 % of extraction's allocations). Only
/// capacity is carried over: each sentence clears them first.
#[derive(Default)]
struct Buffers {
    c: Vec<char>,
    char_at: Vec<usize>,
    byte_of: Vec<usize>,
    suffixes: Vec<(usize, usize, usize)>,
    plain: Vec<(usize, usize)>,
    /// Candidates, and those chosen (grown anew for every sentence, the
    /// two were ~7 % of extraction's allocations).
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
    /// into a string that grows (~10 % of extraction's allocations).
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

/// The value of a numeral written in digits or Chinese (八十 → 80).
fn numeral_value(s: &str) -> Option<String> {
    if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
        return Some(s.trim_start_matches('0').to_string());
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c).or(if c == '〇' { Some(0) } else if c == '两' { Some(2) } else { None });
    let mut total = 0usize;
    let mut cur = 0usize;
    let mut any = false;
    for ch in s.chars() {
        if let Some(d) = digit(ch) {
            cur = cur * 10 + d;
            any = true;
        } else if ch == '十' {
            total += if cur == 0 { 10 } else { cur * 10 };
            cur = 0;
            any = true;
        } else if ch == '百' {
            total += if cur == 0 { 100 } else { cur * 100 };
            cur = 0;
            any = true;
        } else {
            return None;
        }
    }
    any.then(|| (total + cur).to_string())
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
        Cand {
            start,
            end,
            name: (start, end),
            class,
            source,
            referent,
            places: Places::new(),
            variants: Vec::new(),
            priority,
            children: Vec::new(),
            links: SmallVec::new(),
        }
    }
}

/// An organisation name found by scanning left from a type suffix.
struct OrgName<'a> {
    start: usize,
    /// Inline, as in [`Places`]: every organisation name found has them.
    places: SmallVec<[(usize, Sym); 2]>,
    core: &'a str,
    ordinal: &'a str,
}

/// Finds all mentions, links and figures of an article.
pub fn find(article: &Article, k: &Knowledge) -> Found {
    let year = article.meta.year;
    // A sentence's buffers, kept for the next: see `fill_char_offsets`.
    // And the article's findings, grown in vectors kept by the thread and
    // copied out at their exact size at the end (grown anew for every
    // article, the mentions alone were reallocated and copied five times
    // an article, and held with up to half their capacity unused).
    thread_local! {
        static SPARE: std::cell::Cell<(Buffers, Found)> = std::cell::Cell::new(Default::default());
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
        settle(&mut cands, &mut chosen);
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
    let out = Found { mentions: found.mentions.drain(..).collect(), links: found.links.drain(..).collect(), observations: found.observations.drain(..).collect() };
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

fn lexicon_cands(s: &Sent, out: &mut Vec<Cand>) {
    let (text, char_at) = (s.text, &s.char_at);
    let first = out.len();
    // Stretches of common words that merely contain a name (教育部门).
    let blocked: Vec<(usize, usize)> =
        s.k.grammar.org.not_names.iter().enumerate().flat_map(|(wi, w)| s.plain_bytes(0, wi).map(move |i| (i, i + w.len()))).collect();
    for (start, end, pattern) in s.k.lexicon.matcher.find_leftmost(text) {
        if blocked.iter().any(|&(a, b)| a <= start && end <= b) {
            continue;
        }
        let e = s.k.lexicon.entry_of_pattern(pattern);
        let (a, b) = (char_at[start], char_at[end]);
        let mut c = Cand::new(a, b, e.class, MentionSource::Lexicon, Referent::Lexicon(e.id), 1);
        if s.k.vocab.is_a(e.class, sym!("Place")) {
            c.places.push(e.id);
        }
        extend_department(s, &mut c);
        // A chain of places, each inside the one before (北京市通州区,
        // 天津滨海新区), is one mention of the last: joined as found.
        let cur = out[first..].last_mut().filter(|cur| cur.end == c.start);
        if let Some(cur) = cur {
            if let (Referent::Lexicon(outer), Referent::Lexicon(inner)) = (&cur.referent, &c.referent) {
                if s.k.lexicon.within(inner, outer) && inner != outer {
                    let mut variants = std::mem::take(&mut cur.variants);
                    variants.push(s.s(c.start, c.end));
                    *cur = Cand { start: cur.start, name: (cur.start, c.end), variants, ..c };
                    continue;
                }
            }
        }
        out.push(c);
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

/// The longest core of a name that holds a soft stop (容和, 新和).
const SOFT_STOP_CORE_MAX: usize = 3;

/// Scans left from a suffix starting at `p` for the start of an organisation name.
/// `institution`: the suffix names a university or institute, whose names
/// may hold words that elsewhere are verbs (北京联合大学).
fn scan_org_left<'a>(s: &Sent<'a>, p: usize, abbreviated: bool, institution: bool) -> Option<OrgName<'a>> {
    let g = &s.k.grammar;
    let mut pos = p;
    while pos > 0 && g.numeral_set.contains(&s.c[pos - 1]) {
        pos -= 1;
    }
    if pos > 0 && pos < p && s.c[pos - 1] == '第' {
        pos -= 1;
    }
    if abbreviated && pos == p {
        return None;
    }
    let ordinal = s.slice(pos, p);
    let core_end = pos;
    // Places found right to left: (start, end, id).
    let mut places: SmallVec<[(usize, usize, Sym); 2]> = SmallVec::new();
    // A soft stop kept inside the core (容和…) belongs to a short proper
    // name; a long core through one (…发展和学校) is a phrase.
    let mut soft_stop_kept = false;
    while pos > 0 {
        if let Some((start, e)) = s.place_ending_at(pos) {
            // A place begins the name; places may chain (北京市东城区). A
            // "place" of another province than its left neighbour is part
            // of the name (a road of one city named after a city elsewhere:
            // 天津市和平区昆明路小学).
            if let Some(&(_, _, inner)) = places.last() {
                let province = |p: &Sym| s.k.lexicon.province_of(p).unwrap_or(*p);
                if !s.k.lexicon.within(&inner, &e.id) && province(&inner) != province(&e.id) {
                    places.pop();
                }
            }
            places.push((start, pos, e.id));
            pos = start;
            continue;
        }
        if !places.is_empty() {
            break;
        }
        let ch = s.c[pos - 1];
        if g.hard_stop_set.contains(&ch) || ch.is_ascii_digit() {
            break;
        }
        if counted_at(s, pos) {
            break;
        }
        let core_len = core_end - pos;
        if let Some(n) = g.org_left_stops.longest_ending_at(&s.c, pos).or_else(|| s.k.rules.trigger_index.longest_ending_at(&s.c, pos)) {
            // Between a place and a university's suffix, a word of
            // `core_words` is the name's core, not a verb (北京联合大学).
            let core_word = institution && core_len == 0 && g.org.core_words.iter().any(|w| s.ends_with_at(pos, w)) && s.place_ending_at(pos - n).is_some();
            if core_word {
                pos -= n;
                continue;
            }
            if core_len >= 2 || !g.org.soft_stops.iter().any(|w| s.ends_with_at(pos, w) && w.chars().count() == n) {
                break;
            }
            soft_stop_kept = true;
        }
        if core_len >= g.org.name_max {
            return None;
        }
        pos -= 1;
    }
    let places_end = places.first().map_or(pos, |(_, end, _)| *end);
    if soft_stop_kept && core_end - places_end > SOFT_STOP_CORE_MAX {
        return None;
    }
    let core = s.slice(places_end, core_end);
    Some(OrgName { start: pos, places: places.into_iter().rev().map(|(st, _, id)| (st, id)).collect(), core, ordinal })
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

/// The key that says which real organisation a name means.
/// `canon_suffix`: the suffix as keys spell it ([`crate::knowledge::Grammar::canonical_suffix`]).
fn org_key(k: &Knowledge, places: &[Sym], core: &str, ordinal: &str, canon_suffix: &str, place_bound: bool) -> String {
    // A name that is its place and a suffix (容城县第二高级中学, 保定市职教中心)
    // is told apart by the place itself; one with a proper name by its province.
    let place = if place_bound || core.is_empty() {
        places.last().map(|p| p.as_str())
    } else {
        places.last().map(|p| k.lexicon.province_of(p).unwrap_or(*p).as_str())
    };
    let place = place.unwrap_or("?");
    // "org|place|core第N|suffix", built in place (~28 000 keys a thousand articles).
    let mut key = String::with_capacity(8 + place.len() + core.len() + 2 * ordinal.len() + canon_suffix.len());
    key.push_str("org|");
    key.push_str(place);
    key.push('|');
    norm_into(&mut key, core);
    if !ordinal.is_empty() {
        let digits = ordinal.trim_start_matches('第');
        key.push('第');
        match numeral_value(digits) {
            Some(n) => key.push_str(&n),
            None => key.push_str(digits),
        }
    }
    key.push('|');
    key.push_str(canon_suffix);
    key
}

fn org_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    // The longest suffix at each end (the first found of equals), by end:
    // sorted in place (a tree map per sentence was ~1.5 % of extraction's
    // allocations).
    let mut at_end: SmallVec<[(usize, usize, &SuffixPattern); 8]> =
        s.suffixes.iter().map(|&(a, b, pattern)| (b, a, &g.suffix_patterns[pattern])).filter(|(_, _, pat)| !pat.is_event).collect();
    at_end.sort_by_key(|&(b, a, _)| (b, a));
    at_end.dedup_by_key(|&mut (b, _, _)| b);
    for &(end, p, pat) in &at_end {
        let (suffix, abbreviated, place_bound) = (pat.word.as_str(), pat.abbreviated, pat.place_bound);
        // An abbreviation needs a numeral before it (四中), and is not the
        // start of its full form (中 of 中学: the last character of the full
        // form follows).
        let full_continues = || pat.full_last.is_some_and(|l| s.c.get(end) == Some(&l));
        if abbreviated && (p == 0 || !g.numeral_set.contains(&s.c[p - 1]) || full_continues()) {
            continue;
        }
        // 中学 inside 中学生, 大学 inside 大学生: not a name. Nor does a name
        // end inside a title (某大学校长 is 某大学 + 校长, not 某大学校).
        let broken = g.org.suffix_breakers.iter().any(|w| s.starts_with_at(end, w)) && !g.org.breaker_exceptions.iter().any(|w| s.starts_with_at(end, w));
        if broken || g.person_titles.longest_starting_at(&s.c, end - 1).is_some_and(|n| n > 1) {
            continue;
        }
        let Some(class) = pat.class else { continue };
        let institution = s.k.vocab.is_a(class, sym!("HigherEducationInstitution")) || s.k.vocab.is_a(class, sym!("ResearchInstitute"));
        let Some(name) = scan_org_left(s, p, abbreviated, institution) else { continue };
        let place_ids: Places = name.places.iter().map(|&(_, id)| id).collect();
        let core_is_empty = name.core.is_empty();
        if place_bound && place_ids.is_empty() {
            // 市教委, 管委会 on their own: a reference back, settled by resolve.
            let core = name.core;
            if core.is_empty() || g.org.place_levels.iter().any(|l| l == core) {
                let key = format!("bare|{}", g.org.suffix_alias.get(suffix).map_or(suffix, String::as_str));
                let mut c = Cand::new(name.start, end, class, MentionSource::Coreference, Referent::Name { key }, 2);
                c.variants.push(core.to_string());
                out.push(c);
            }
            continue;
        }
        if core_is_empty && name.ordinal.is_empty() {
            // A place and a suffix alone name a body (北京市教委) or, below
            // province level, the place's own school (容城县中学).
            let local_school = s.k.vocab.is_a(class, sym!("School"))
                && class != "School"
                && place_ids.last().and_then(|p| s.k.lexicon.get(p)).is_some_and(|e| matches!(e.class.as_str(), "District" | "NewArea" | "City"));
            if place_ids.is_empty() || !(pat.place_only_ok || local_school) {
                continue;
            }
        }
        // Without a place, a proper name needs two characters at least (对方学校 is none).
        if place_ids.is_empty() && name.ordinal.is_empty() && name.core.chars().count() < 2 {
            continue;
        }
        // An alliance of a place is named by what it does (京津冀职业教育联盟).
        let alliance = class == "Alliance" && !place_ids.is_empty();
        if !core_is_empty && !alliance && only_descriptors(name.core, &g.descriptors) {
            continue;
        }
        if name.places.is_empty() && core_is_empty && !name.ordinal.is_empty() {
            continue;
        }
        let key = org_key(s.k, &place_ids, name.core, name.ordinal, &pat.canonical, place_bound);
        // An authority of a known place is the lexicon's entry.
        let referent = if place_bound && core_is_empty { body_referent(s.k, &place_ids, suffix, &class) } else { Referent::Name { key } };
        let mut c = Cand::new(name.start, end, class, MentionSource::NameGrammar, referent, 3);
        c.places = place_ids.clone();
        // The place its name begins with: where it is, as far as the name says.
        if let Some(pl) = place_ids.last() {
            if s.k.lexicon.get(pl).is_some_and(|e| s.k.vocab.is_a(e.class, sym!("Place")) && e.class != "RegionGroup") {
                c.links.push((sym!("nameLocatedIn"), CandTarget::Lexicon(*pl), sym!("name.place")));
            }
        }
        extend_department(s, &mut c);
        extend_branch(s, &mut c);
        out.push(c);
    }
}

/// 天津市教委职教处: a unit right after an organisation.
fn extend_department(s: &Sent, c: &mut Cand) {
    let g = &s.k.grammar;
    if !s.k.vocab.is_a(c.class, sym!("GovernmentBody")) {
        return;
    }
    let from = c.end;
    // A title right after the body (主任) is no unit of it.
    if s.k.grammar.person_titles.longest_starting_at(&s.c, from).is_some() {
        return;
    }
    for len in 1..=g.org.department_max {
        let end = from + len;
        if end > s.c.len() {
            break;
        }
        // (The characters before were checked at the shorter lengths.)
        if g.hard_stop_set.contains(&s.c[end - 1]) {
            break;
        }
        if let Some(n) = g.department_suffixes.longest_ending_at(&s.c, end) {
            if len > n {
                let parent = c.clone();
                let unit = s.s(from, end);
                let key = name_key(&["dept", referent_key(&parent.referent)], &unit);
                let mut d = Cand::new(c.start, end, parent.class, MentionSource::NameGrammar, Referent::Name { key }, 3);
                if s.k.vocab.is_a(parent.class, sym!("EducationAuthority")) || g.org.education_marks.iter().any(|m| unit.contains(m.as_str())) {
                    d.class = sym!("EducationAuthority");
                }
                d.variants.push(unit);
                d.places = parent.places.clone();
                let mut parent_child = parent;
                parent_child.links.clear();
                d.children.push(parent_child);
                d.links.push((sym!("subOrganizationOf"), CandTarget::Child(0), sym!("name.department")));
                *c = d;
                return;
            }
        }
    }
}

fn referent_key(r: &Referent) -> &str {
    match r {
        Referent::Lexicon(id) => id.as_str(),
        Referent::Name { key } => key,
        Referent::Back(_) => "",
    }
}

/// [school][place]校区 (…中学香河校区), [school]分校: a campus of the school before it.
fn extend_branch(s: &Sent, c: &mut Cand) {
    let g = &s.k.grammar;
    if !s.k.vocab.is_a(c.class, sym!("School")) {
        return;
    }
    let mut pos = c.end;
    let mut place = None;
    if let Some((end, e)) = s.place_starting_at(pos) {
        place = Some(e.id);
        pos = end;
    }
    let Some(n) = s.word_starting_at(pos, &g.org.branch_suffix) else { return };
    if place.is_none() && g.org.branch_needs_place.iter().any(|w| s.slice(pos, pos + n) == w) {
        return;
    }
    let end = pos + n;
    let parent = c.clone();
    let key = name_key(&["branch", referent_key(&parent.referent)], s.slice(parent.end, end));
    let mut b = Cand::new(c.start, end, sym!("School"), MentionSource::NameGrammar, Referent::Name { key }, 3);
    b.places = parent.places.clone();
    b.variants.push(s.s(parent.end, end));
    let mut child = parent;
    child.links.retain(|(p, _, _)| p == "nameLocatedIn");
    b.children.push(child);
    b.links.push((sym!("branchOf"), CandTarget::Child(0), sym!("name.branch")));
    if let Some(pl) = place {
        b.links.push((sym!("nameLocatedIn"), CandTarget::Lexicon(pl), sym!("name.place")));
    }
    *c = b;
}

fn event_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    let mut seen = rustc_hash::FxHashSet::default();
    let mut ms: Vec<(usize, usize, &String)> =
        s.suffixes.iter().filter(|&&(_, _, pattern)| g.suffix_patterns[pattern].is_event).map(|&(a, b, pattern)| (a, b, &g.suffix_patterns[pattern].word)).collect();
    // The longest suffix at each end.
    ms.sort_by_key(|(a, b, _)| (*b, *a));
    for (p, end, suffix) in ms {
        if !seen.insert(end) {
            continue;
        }
        if g.event.suffix_breakers.iter().any(|w| s.starts_with_at(end, w)) {
            continue;
        }
        let class = g.event.suffix[suffix];
        let mut pos = p;
        let mut open_quotes = 0i32;
        while pos > 0 {
            let ch = s.c[pos - 1];
            if ch == '”' {
                open_quotes += 1;
            }
            if ch == '“' {
                if open_quotes == 0 {
                    break;
                }
                open_quotes -= 1;
            }
            if g.hard_stop_set.contains(&ch) && !matches!(ch, '“' | '”' | '(' | ')' | '-') && !joins_parties(s, out, pos) {
                break;
            }
            if g.event_left_stops.longest_ending_at(&s.c, pos).is_some() || counted_at(s, pos) || listed_org_ends_at(s, out, pos) {
                break;
            }
            if p - pos >= g.event.name_max {
                // No beginning found: a clause, not a name.
                pos = p;
                break;
            }
            pos -= 1;
        }
        if pos == p {
            continue;
        }
        // A leading date (10月8日) is not part of the name.
        let name = s.slice(pos, end);
        let core = s.slice(pos, p);
        if only_descriptors(core, &g.descriptors) || core.chars().all(|c| !c.is_alphanumeric() || c.is_ascii_digit()) {
            continue;
        }
        let mut c = Cand::new(pos, end, class, MentionSource::Event, Referent::Name { key: name_key(&["event"], name) }, 4);
        // 2023年…会议 is also called without its year.
        if let Some(rest) = strip_year(name) {
            c.variants.push(rest);
        }
        // 某集团成立大会: the organisation founded is named inside, and is
        // a mention of its own (its founding is dated by the sentence).
        let founded = out.iter().filter(|o| {
            is_org(s, o.class) && pos <= o.start && o.end < end && g.founding.words.iter().any(|w| s.starts_with_at(o.end, w))
        });
        c.children.extend(founded.cloned());
        out.push(c);
    }
}

/// Whether an organisation that ends a list (…、某学院, 与某学院) ends at
/// `pos`: the list names the parties of what follows, not its name
/// (甲学校、乙学校结对签约仪式).
fn listed_org_ends_at(s: &Sent, cands: &[Cand], pos: usize) -> bool {
    cands.iter().any(|c| c.end == pos && is_org(s, c.class) && s.k.grammar.org.list_joiners.iter().any(|j| s.ends_with_at(c.start, j)))
}

/// Whether the dash before `pos` joins two parties inside a name
/// (甲大学—乙市人民政府合作办学协议): an organisation ends right before it.
fn joins_parties(s: &Sent, cands: &[Cand], pos: usize) -> bool {
    pos >= 2 && matches!(s.c[pos - 1], '—' | '-') && cands.iter().any(|c| c.end == pos - 1 && is_org(s, c.class))
}

fn strip_year(name: &str) -> Option<String> {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4).then(|| name[4..].strip_prefix('年').map(str::to_string)).flatten().filter(|r| !r.is_empty())
}

fn document_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    let mut i = 0;
    while i < s.c.len() {
        if s.c[i] == '《' {
            if let Some(len) = s.c[i + 1..].iter().position(|&c| c == '》') {
                let (a, b) = (i + 1, i + 1 + len);
                let name = s.slice(a, b);
                if !name.is_empty() {
                    let class = if g.document.agreement_suffix.iter().any(|x| name.ends_with(x.as_str())) { "Agreement" } else { "Policy" };
                    let mut c = Cand::new(i, b + 1, sym(class), MentionSource::Document, Referent::Name { key: name_key(&["doc"], name) }, 5);
                    c.name = (a, b);
                    period(name, &mut c);
                    out.push(c);
                }
                i = b + 1;
                continue;
            }
        }
        i += 1;
    }
    // Unquoted agreements: 签订托管办学协议.
    for (wi, suffix) in g.document.agreement_suffix.iter().enumerate() {
        let n = suffix.chars().count();
        for p in s.plain_bytes(1, wi).map(|b| s.char_at[b]) {
            let end = p + n;
            // Inside a title, or the start of a longer suffix (协议 of 协议书).
            let longer = g.document.agreement_suffix.iter().any(|w| w.len() > suffix.len() && s.starts_with_at(p, w));
            if longer || s.c.get(end) == Some(&'》') || (p > 0 && s.c[..p].iter().rposition(|&c| c == '《') > s.c[..p].iter().rposition(|&c| c == '》')) {
                continue;
            }
            let mut pos = p;
            while pos > 0 && p - pos < g.document.name_max {
                let ch = s.c[pos - 1];
                if (s.k.grammar.hard_stop_set.contains(&ch) && !joins_parties(s, out, pos)) || ch.is_ascii_digit() {
                    break;
                }
                if g.document_left_stops.longest_ending_at(&s.c, pos).is_some() {
                    break;
                }
                pos -= 1;
            }
            // A bare kind of agreement (战略协议) names no document.
            let core = s.slice(pos, p);
            if p - pos >= 2 && !only_descriptors(core, &g.descriptors) {
                let name = s.s(pos, end);
                let mut c = Cand::new(pos, end, sym!("Agreement"), MentionSource::Document, Referent::Name { key: name_key(&["agreement"], &name) }, 4);
                // 甲大学—乙市人民政府合作办学协议: the two joined by the dash
                // are its parties, and named inside it.
                let parties: SmallVec<[Cand; 2]> = out
                    .iter()
                    .filter(|o| is_org(s, o.class) && pos <= o.start && o.end <= p)
                    .filter(|o| joins_parties(s, out, o.end + 1) || (o.start >= 1 && joins_parties(s, out, o.start)))
                    .cloned()
                    .collect();
                for mut party in parties {
                    party.links.clear();
                    party.links.push((sym!("signed"), CandTarget::Parent, sym!("document.parties")));
                    c.children.push(party);
                }
                out.push(c);
            }
        }
    }
}

/// (2023年-2025年) inside a policy's name: its period.
fn period(name: &str, c: &mut Cand) {
    let Some(open) = name.find('(') else { return };
    let inner = &name[open + 1..];
    let years: Vec<String> = inner
        .split(|ch: char| !ch.is_ascii_digit())
        .filter(|p| p.len() == 4)
        .map(str::to_string)
        .collect();
    if years.len() == 2 {
        c.links.push((sym!("startDate"), CandTarget::Date(years[0].clone()), sym!("document.period")));
        c.links.push((sym!("endDate"), CandTarget::Date(years[1].clone()), sym!("document.period")));
    }
}

fn quoted_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    let mut i = 0;
    while i < s.c.len() {
        if s.c[i] != '“' {
            i += 1;
            continue;
        }
        let Some(len) = s.c[i + 1..].iter().position(|&c| c == '”') else { break };
        let (a, b) = (i + 1, i + 1 + len);
        i = b + 1;
        let inner = s.slice(a, b);
        if len == 0 || len > g.quoted.max || inner.chars().any(|c| "。,、;:!?《》".contains(c)) {
            continue;
        }
        if s.k.lexicon.lookup(inner).is_some() || g.suffix_class_of_name(inner) {
            continue;
        }
        // A count begins the name (“三校一院”, “双一流”) or is in figures (“3+2”).
        let counts = inner.chars().next().is_some_and(|ch| g.numeral_set.contains(&ch) || g.quoted.counting.contains(ch))
            || inner.chars().any(|ch| ch.is_ascii_digit() || ch == '+');
        let scheme = counts
            || s.word_starting_at(b + 1, &g.quoted.heads).is_some()
            || s.word_starting_at(b + 1, &g.quoted.continuation).is_some()
            || s.word_ending_at(a - 1, &g.quoted.verbs_before).is_some();
        if !scheme {
            continue;
        }
        let mut end = b + 1;
        let mut c = Cand::new(a - 1, end, sym!("Program"), MentionSource::Quoted, Referent::Name { key: name_key(&["program"], inner) }, 2);
        if let Some(n) = s.word_starting_at(end, &g.quoted.continuation) {
            end += n;
            c.end = end;
            c.name = (c.start, end);
            c.variants.push(s.s(c.start, b + 1));
        }
        if let Some(n) = s.word_ending_at(c.start, &g.quoted.prefix) {
            c.variants.push(s.s(c.start - n, end));
        }
        out.push(c);
    }
}

/// 提升文学、史学、生物学等学科, 与北大、清华等高校合作: each member of a list
/// closed by 等 (perhaps a count) and a word for a kind is one of that
/// kind. A member begins after a list joiner, a left stop or punctuation.
fn listed_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    let l = &g.lists;
    for q in 0..s.c.len() {
        let Some(n) = l.end.iter().filter(|w| s.starts_with_at(q, w)).map(|w| w.chars().count()).max() else { continue };
        // 等四所学校, 等60余家企业: a count between.
        let mut h = q + n;
        while h < s.c.len() && g.numeral_set.contains(&s.c[h]) {
            h += 1;
        }
        if h > q + n {
            if let Some(k) = s.word_starting_at(h, &g.figures.approx_infix) {
                h += k;
            }
            if h < s.c.len() && g.measure_set.contains(&s.c[h]) {
                h += 1;
            }
        }
        let Some((head, class)) = l.heads.iter().filter(|(w, _)| s.starts_with_at(h, w)).max_by_key(|(w, _)| w.len()) else { continue };
        if s.word_starting_at(h + head.chars().count(), &l.head_breakers).is_some() {
            continue;
        }
        let kind = if *class == "Field" { "field" } else { "listed" };
        let mut members: SmallVec<[(usize, usize); 6]> = SmallVec::new();
        let mut end = q;
        loop {
            let mut start = end;
            while start > 0
                && end - start < l.member_max
                && s.is_han(start - 1)
                && !g.hard_stop_set.contains(&s.c[start - 1])
                && g.org_left_stops.longest_ending_at(&s.c, start).is_none()
                && s.k.rules.trigger_index.longest_ending_at(&s.c, start).is_none()
            {
                start -= 1;
            }
            if end - start < 2 || only_descriptors(s.slice(start, end), &g.descriptors) || s.slice(start, end) == head {
                break;
            }
            members.push((start, end));
            match g.org.list_joiners.iter().find(|j| s.ends_with_at(start, j)) {
                Some(j) => end = start - j.chars().count(),
                None => break,
            }
        }
        if members.len() < 2 {
            continue;
        }
        for (a, b) in members {
            out.push(Cand::new(a, b, *class, MentionSource::NameGrammar, Referent::Name { key: name_key(&[kind, class.as_str()], s.slice(a, b)) }, 0));
        }
    }
}

trait SuffixOfName {
    fn suffix_class_of_name(&self, name: &str) -> bool;
}

impl SuffixOfName for crate::knowledge::Grammar {
    /// Whether a quoted name ends in an organisation or event suffix (then the name grammar reads it).
    fn suffix_class_of_name(&self, name: &str) -> bool {
        self.org.suffix.keys().chain(self.event.suffix.keys()).any(|x| name.ends_with(x.as_str()) && name != x)
    }
}

fn coref_cands(s: &Sent, out: &mut Vec<Cand>) {
    for (wi, (word, target)) in s.k.grammar.coref.iter().enumerate() {
        let n = word.chars().count();
        for p in s.plain_bytes(2, wi).map(|b| s.char_at[b]) {
            let class = target.split(':').next_back().unwrap_or("Organization");
            let class = if s.k.vocab.is_class(class) { class } else if target.starts_with("group") { "RegionGroup" } else { "Place" };
            let mut c = Cand::new(p, p + n, sym(class), MentionSource::Coreference, Referent::Back(vec![target.clone()]), 0);
            // 三地教育部门: the authorities of the three places.
            let authority = s.k.grammar.coref_authority.words.iter().filter(|w| s.starts_with_at(p + n, w)).map(|w| w.chars().count()).max();
            if let (true, Some(a)) = (target.starts_with("group:"), authority) {
                c.end = p + n + a;
                c.name = (p, c.end);
                c.class = sym!("EducationAuthority");
                c.referent = Referent::Back(vec![format!("{target}:authority")]);
            }
            out.push(c);
        }
    }
}

/// A coreference word loses to a name it overlaps (京津冀三地 is 京津冀), and
/// 三地 right after a list of places restates the list (北京市、天津市、河北省三地).
fn drop_shadowed_coreference(s: &Sent, cands: &mut Vec<Cand>) {
    let names: SmallVec<[(usize, usize, bool); 8]> = cands
        .iter()
        .filter(|c| c.source == MentionSource::Lexicon)
        .map(|c| (c.start, c.end, s.k.vocab.is_a(c.class, sym!("Place"))))
        .collect();
    cands.retain(|c| {
        c.source != MentionSource::Coreference
            || !matches!(c.referent, Referent::Back(_))
            || !names.iter().any(|&(a, b, place)| (a < c.end && c.start < b) || (place && b == c.start))
    });
}

/// Keeps the longest candidates that do not overlap: moved from `cands`
/// (left empty) to `chosen` (emptied first), by start.
fn settle(cands: &mut Vec<Cand>, chosen: &mut Vec<Cand>) {
    cands.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(b.priority.cmp(&a.priority))
            .then(a.start.cmp(&b.start))
    });
    chosen.clear();
    for c in cands.drain(..) {
        if chosen.iter().all(|o| c.end <= o.start || o.end <= c.start) {
            chosen.push(c);
        }
    }
    chosen.sort_by_key(|c| c.start);
}

/// A chain of titles: where it ends, and the units named in it.
type TitleChain = (usize, SmallVec<[(usize, usize); 2]>);

/// A chain of titles from `start`: `[unit]title(、[unit]title)*`, where a
/// unit is a body named by a place level (市教委副主任). With `prefixed`,
/// each item may also begin with a short qualifier or unit of its own
/// (教学副校长, 实习处主任, 组织部长): only where an item can begin, since
/// the qualifier is read as part of the title. A qualifier never holds a
/// name found in the sentence (`names`: a chosen mention starting inside it
/// would be its organisation, not its title).
fn title_chain(s: &Sent, start: usize, prefixed: bool, names: &[Cand]) -> Option<TitleChain> {
    let g = &s.k.grammar;
    // A title at `pos`, with its qualifier: the length of both.
    let title_at = |pos: usize| -> Option<usize> {
        if let Some(n) = g.person_titles.longest_starting_at(&s.c, pos) {
            return Some(n);
        }
        if !prefixed {
            return None;
        }
        let name_at = |i: usize| names.iter().any(|c| c.start == i);
        (1..=g.person.title_prefix_max)
            .take_while(|&k| s.is_han(pos + k - 1) && !g.hard_stop_set.contains(&s.c[pos + k - 1]) && !name_at(pos + k - 1) && g.org_left_stops.longest_ending_at(&s.c, pos + k).is_none())
            .find_map(|k| g.person_titles.longest_starting_at(&s.c, pos + k).map(|n| k + n))
    };
    // A unit inside the title chain (管委会常务副主任, 市教委副主任): its length.
    let unit_at = |pos: usize| {
        std::iter::once("")
            .chain(g.org.place_levels.iter().map(String::as_str))
            .find_map(|pre| {
                let pre_n = pre.chars().count();
                if !s.starts_with_at(pos, pre) {
                    return None;
                }
                g.place_bound.longest_starting_at(&s.c, pos + pre_n).map(|n| pre_n + n)
            })
            .filter(|&n| g.person_titles.longest_starting_at(&s.c, pos + n).is_some())
    };
    let mut pos = start;
    let mut units = SmallVec::new();
    let mut titles = 0;
    loop {
        if let Some(n) = unit_at(pos) {
            units.push((pos, pos + n));
            pos += n;
        }
        let Some(n) = title_at(pos) else { break };
        pos += n;
        titles += 1;
        // Titles follow one another (处长一级调研员), or 、 joins another
        // title of the same person when one follows.
        if g.person_titles.longest_starting_at(&s.c, pos).is_some() {
            continue;
        }
        if s.c.get(pos) == Some(&'、') && (unit_at(pos + 1).is_some() || title_at(pos + 1).is_some()) {
            pos += 1;
            continue;
        }
        break;
    }
    (titles > 0).then_some((pos, units))
}

/// The length of a personal name at `pos`: a surname (single or compound)
/// and one or two characters, of Han characters only. With `followed`, what
/// comes after must be a word that may follow a name (说, 出席, a comma).
fn name_len_at(s: &Sent, pos: usize, followed: bool) -> SmallVec<[usize; 2]> {
    let g = &s.k.grammar;
    let surname = g.compound_surnames.longest_starting_at(&s.c, pos).or_else(|| s.c.get(pos).filter(|c| g.surname_set.contains(c)).map(|_| 1));
    let Some(sl) = surname else { return SmallVec::new() };
    let fits = |len: usize| {
        pos + len <= s.c.len()
            && (pos..pos + len).all(|i| s.is_han(i))
            && !g.person.unit_ends.contains(s.c[pos + len - 1])
            && (!followed || pos + len == s.c.len() || g.name_followers.longest_starting_at(&s.c, pos + len).is_some())
    };
    // 王力说 is 王力 + 说, 张明远在 is 张明远 + 在: a two-character name
    // followed by a word wins over a three-character one followed by punctuation.
    let verb_after = |len: usize| pos + len < s.c.len() && !g.hard_stop_set.contains(&s.c[pos + len]);
    let (short, long) = (sl + 1, sl + 2);
    let mut out = SmallVec::new();
    if followed {
        if let Some(len) = [short, long].into_iter().find(|&len| fits(len) && verb_after(len)).or_else(|| [long, short].into_iter().find(|&len| fits(len))) {
            out.push(len);
        }
    } else {
        out.extend([long, short].into_iter().filter(|&len| fits(len)));
    }
    out
}

/// People with their posts. A person is named next to a chain of titles:
/// `[organisation][titles][name]` (北京某学院副院长王某),
/// `[organisation][name][titles]` (某学校王某校长), or `[titles][name]` where a
/// list item or clause begins (、教学副校长王某; 副市长王某出席). A title-less
/// `[organisation][name]` in a list of such people is one too. A list item
/// without an organisation of its own works for the one of the item before
/// it (某区教委副主任王某、职成科长李某: both for the commission).
fn person_cands(s: &Sent, chosen: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    let n = s.c.len();
    let mut people = Vec::new();
    // The end of the last person's name and the start of its organisation.
    let mut last: Option<(usize, Option<usize>)> = None;
    let mut p = 0;
    while p < n {
        if !s.is_han(p) || chosen.iter().any(|c| c.start < p && p < c.end) {
            p += 1;
            continue;
        }
        let org = chosen.iter().find(|c| c.end == p && is_org(s, c.class)).map(|c| c.start);
        let item_start = p == 0 || !s.is_han(p - 1) || org.is_some() || g.org_left_stops.longest_ending_at(&s.c, p).is_some();
        // The organisation of a list item that names none: the item's before it.
        let listed = last.filter(|&(end, _)| end + 1 == p && s.c[end] == '、').and_then(|(_, o)| o);
        let person = |name: (usize, usize), title: (usize, usize), org: Option<usize>, units: &[(usize, usize)]| {
            let surface = s.s(name.0, name.1);
            let mut c = Cand::new(name.0, name.1, sym!("Person"), MentionSource::Person, Referent::Name { key: format!("person|{surface}") }, 6);
            if title.1 > title.0 {
                c.links.push((sym!("jobTitle"), CandTarget::Text(s.s(title.0, title.1)), sym!("person.post")));
            }
            if let Some(o) = org {
                c.links.push((sym!("worksFor"), CandTarget::TopAt(o), sym!("person.post")));
            }
            unit_links(s, &mut c, org.and_then(|o| chosen.iter().find(|x| x.start == o)), units);
            c
        };
        // [titles][name]
        if let Some((chain_end, units)) = title_chain(s, p, item_start, chosen) {
            // (市教委主任 王某: a space may stand between post and name.)
            let name_at = chain_end + usize::from(s.c.get(chain_end) == Some(&' '));
            if let Some(&len) = name_len_at(s, name_at, true).first() {
                let org = org.or(listed);
                people.push(person((name_at, name_at + len), (p, chain_end), org, &units));
                last = Some((name_at + len, org));
                p = name_at + len;
                continue;
            }
        }
        if org.is_some() || listed.is_some() {
            let org = org.or(listed);
            // [organisation][name][titles]
            let followed = |end: usize| end == n || g.name_followers.longest_starting_at(&s.c, end).is_some();
            let named = name_len_at(s, p, false)
                .into_iter()
                .find_map(|len| title_chain(s, p + len, false, chosen).filter(|(end, _)| followed(*end)).map(|(end, units)| (len, end, units)));
            if let Some((len, chain_end, units)) = named {
                people.push(person((p, p + len), (p + len, chain_end), org, &units));
                last = Some((p + len, org));
                p = chain_end;
                continue;
            }
            // [organisation][name]、[titles][name]: a list of people.
            let listed_next = name_len_at(s, p, false).into_iter().find(|&len| {
                s.c.get(p + len) == Some(&'、') && title_chain(s, p + len + 1, true, chosen).is_some_and(|(end, _)| !name_len_at(s, end, true).is_empty())
            });
            if let Some(len) = listed_next {
                people.push(person((p, p + len), (p, p), org, &[]));
                last = Some((p + len, org));
                p += len;
                continue;
            }
        }
        p += 1;
    }
    for p in people {
        // The units replace the bare references found for them, and the
        // name the place names inside it (孙金华 holds 金华); the person must
        // not overlap anything else.
        chosen.retain(|c| {
            !(p.children.iter().any(|u| c.start < u.end && u.start < c.end) || (c.source == MentionSource::Lexicon && p.start <= c.start && c.end <= p.end))
        });
        if chosen.iter().all(|c| p.end <= c.start || c.end <= p.start) {
            chosen.push(p);
        }
    }
    chosen.sort_by_key(|c| c.start);
}

/// Units named in a title (市教委副主任) take the place of the organisation
/// before it: each is a child of the person, and the body it works for.
fn unit_links(s: &Sent, p: &mut Cand, org: Option<&Cand>, units: &[(usize, usize)]) {
    let g = &s.k.grammar;
    let place = org.and_then(|o| o.places.last().cloned());
    for &(a, b) in units {
        let surface = s.slice(a, b);
        let suffix = g.org.place_bound.iter().filter(|x| surface.ends_with(x.as_str())).max_by_key(|x| x.len()).cloned().unwrap_or_default();
        let class = g.suffix_class(&suffix).unwrap_or_else(|| sym!("GovernmentBody"));
        let places: Places = place.iter().copied().collect();
        let referent = body_referent(s.k, &places, &suffix, &class);
        let mut u = Cand::new(a, b, class, MentionSource::NameGrammar, referent, 3);
        u.places = places;
        p.links.push((sym!("worksFor"), CandTarget::Child(p.children.len()), sym!("person.post")));
        p.children.push(u);
    }
}

/// The referent of a government body named by a place and a suffix: the
/// lexicon's authority where there is one, else a name keyed by both.
fn body_referent(k: &Knowledge, places: &[Sym], suffix: &str, class: &str) -> Referent {
    let alias = k.grammar.org.suffix_alias.get(suffix).map(String::as_str).unwrap_or(suffix);
    let Some(pl) = places.last() else { return Referent::Name { key: format!("bare|{alias}") } };
    if class == "EducationAuthority" {
        if let Some(a) = k.lexicon.get(pl).and_then(|e| e.authority) {
            return Referent::Lexicon(a);
        }
    }
    Referent::Name { key: org_key(k, places, "", "", k.grammar.canonical_suffix(suffix), true) }
}

/// 保定三中、实验中学和保定市第一幼儿园: a generic name in a list takes the
/// place of the list's named members.
fn inherit_list_places(s: &Sent, chosen: &mut [Cand]) {
    let g = &s.k.grammar;
    for i in 0..chosen.len() {
        let Referent::Name { key } = &chosen[i].referent else { continue };
        if !key.starts_with("org|?|") || chosen[i].source != MentionSource::NameGrammar {
            continue;
        }
        let name = s.slice(chosen[i].start, chosen[i].end);
        let linked = |a: usize, b: usize| -> bool {
            let between = s.slice(a, b);
            between.is_empty() || g.org.list_joiners.iter().any(|w| w == between)
        };
        if !g.org.generic_cores.iter().any(|gc| name.starts_with(gc.as_str())) {
            // A proper name in an enumeration (joined by 、, not by 与,
            // which pairs two sides) whose placed members all lie in one
            // province (甲幼儿园、乙小学、北京十一中): of that province.
            let enumerated = |a: usize, b: usize| s.slice(a, b) == "、";
            let (mut lo, mut hi) = (i, i);
            while lo > 0 && enumerated(chosen[lo - 1].end, chosen[lo].start) {
                lo -= 1;
            }
            while hi + 1 < chosen.len() && enumerated(chosen[hi].end, chosen[hi + 1].start) {
                hi += 1;
            }
            let mut provinces = (lo..=hi).filter(|&j| is_org(s, chosen[j].class)).filter_map(|j| chosen[j].places.last()).map(|p| s.k.lexicon.province_of(p).unwrap_or(*p));
            let Some(first) = provinces.next() else { continue };
            if provinces.all(|p| p == first) {
                let new_key = key.replacen("org|?|", &format!("org|{first}|"), 1);
                chosen[i].referent = Referent::Name { key: new_key };
                chosen[i].places = smallvec::smallvec![first];
            }
            continue;
        }
        let mut place = None;
        let mut j = i;
        while j > 0 && linked(chosen[j - 1].end, chosen[j].start) {
            j -= 1;
            if let Some(p) = chosen[j].places.last() {
                place = Some(*p);
                break;
            }
        }
        if place.is_none() {
            let mut j = i;
            while j + 1 < chosen.len() && linked(chosen[j].end, chosen[j + 1].start) {
                j += 1;
                if let Some(p) = chosen[j].places.last() {
                    place = Some(*p);
                    break;
                }
            }
        }
        if let Some(p) = place {
            let province = s.k.lexicon.province_of(&p).unwrap_or(p);
            let new_key = key.replacen("org|?|", &format!("org|{province}|"), 1);
            chosen[i].referent = Referent::Name { key: new_key };
            chosen[i].places = smallvec::smallvec![province];
        }
    }
}

/// A district's short form standing alone and glued to other words (大兴…)
/// is too uncertain: keep it only when a clause boundary or a linking word is next to it.
fn drop_uncertain_short_places(s: &Sent, chosen: &mut Vec<Cand>) {
    chosen.retain(|c| {
        let Referent::Lexicon(id) = &c.referent else { return true };
        let Some(e) = s.k.lexicon.get(id) else { return true };
        if e.class != "District" {
            return true;
        }
        let surface = s.slice(c.start, c.end);
        if surface == e.name || c.variants.iter().any(|v| v == &e.name) || c.start != c.name.0 || !c.variants.is_empty() {
            return true;
        }
        // The short form: keep it when it is not glued to a name on its right.
        !(s.is_han(c.end) && s.k.grammar.org_left_stops.longest_starting_at(&s.c, c.end).is_none())
    });
}

/// Turns settled candidates into mentions and links. (It takes them: their
/// strings move into the mentions rather than being copied.)
fn emit(s: &Sent, si: usize, offset: usize, chosen: &mut Vec<Cand>, found: &mut Found) {
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

/// 10月8日 with an event in the sentence: its start date. 成立于2018年 after
/// an organisation, or 成立 right before one: a founding date.
fn dates(s: &Sent, offset: usize, base: usize, year: Option<u32>, found: &mut Found) {
    let in_sentence = base..found.mentions.len();
    let rel = |m: usize| (found.mentions[m].span.start - offset, found.mentions[m].span.end - offset);
    let mut md = None;
    for i in 0..s.c.len() {
        if s.c[i] != '月' {
            continue;
        }
        let m: String = s.c[..i].iter().rev().take_while(|c| c.is_ascii_digit()).collect::<Vec<_>>().into_iter().rev().collect();
        let d: String = s.c[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
        if m.is_empty() || d.is_empty() || s.c.get(i + 1 + d.len()) != Some(&'日') {
            continue;
        }
        let before = i - m.len();
        let explicit_year: Option<u32> =
            (before >= 5 && s.c[before - 1] == '年').then(|| s.slice(before - 5, before - 1).parse().ok()).flatten();
        if let (Some(y), Ok(mm), Ok(dd)) = (explicit_year.or(year), m.parse::<u32>(), d.parse::<u32>()) {
            if (1..=12).contains(&mm) && (1..=31).contains(&dd) {
                md = Some(format!("{y}-{mm:02}-{dd:02}"));
                break;
            }
        }
    }
    if let Some(date) = &md {
        // The sentence's first event, and the events joined to it (甲活动周暨乙大赛).
        let mut events = in_sentence.clone().filter(|&m| found.mentions[m].class == "Event");
        if let Some(mut ev) = events.next() {
            found.links.push(Link { from: ev, property: sym!("startDate"), to: LinkTarget::Date(date.clone()), rule: sym!("date.event") });
            for next in events {
                let (end, start) = (rel(ev).1, rel(next).0);
                if !(start > end && s.k.grammar.event.joiners.iter().any(|j| s.slice(end, start) == j)) {
                    break;
                }
                found.links.push(Link { from: next, property: sym!("startDate"), to: LinkTarget::Date(date.clone()), rule: sym!("date.event") });
                ev = next;
            }
        }
    }
    let founding = &s.k.grammar.founding;
    for (wi, word) in founding.words.iter().enumerate() {
        let n = word.chars().count();
        for p in s.plain_bytes(3, wi).map(|b| s.char_at[b]) {
            // 成立于2015年: a year stated right after the word.
            let after: String = s.c[p + n..].iter().take(12).collect();
            let stated_year = founding
                .year_prefix
                .iter()
                .find_map(|w| after.strip_prefix(w.as_str()))
                .map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>())
                .filter(|y| y.len() == 4);
            // 自1956年建校以来: a year stated right before it.
            let year_before = (p >= 5 && s.c[p - 1] == '年' && s.c[p - 5..p - 1].iter().all(char::is_ascii_digit) && (p == 5 || !s.c[p - 6].is_ascii_digit()))
                .then(|| s.slice(p - 5, p - 1).to_string());
            let org_before = in_sentence.clone().rev().find(|&m| rel(m).1 <= p && is_org(s, found.mentions[m].class));
            // (成立了…: what was founded follows; nothing before it was.)
            let marker = s.word_starting_at(p + n, &founding.object_markers);
            let object_at = p + n + marker.unwrap_or(0);
            let org_after = in_sentence.clone().find(|&m| rel(m).0 == object_at && is_org(s, found.mentions[m].class));
            // 某集团成立大会 on 5月8日: the organisation right before the word.
            let org_adjacent = org_before.filter(|&m| rel(m).1 == p);
            let (target, value) = match (stated_year, org_after, org_before) {
                (Some(y), _, Some(o)) => (o, y),
                (None, Some(o), _) => match md.clone().or_else(|| year.map(|y| y.to_string())) {
                    Some(d) => (o, d),
                    None => continue,
                },
                _ => match (year_before, org_adjacent, &md) {
                    // 某大学1956年建校: the organisation right before the year;
                    // 自1956年建校以来,某大学…: the subject after the clause.
                    (Some(y), _, _) => {
                        let since = founding.since.iter().any(|w| s.ends_with_at(p - 5, w));
                        let right_before = org_before.filter(|&m| rel(m).1 == p - 5);
                        let subject = || in_sentence.clone().find(|&m| rel(m).0 >= p + n && is_org(s, found.mentions[m].class));
                        match right_before.filter(|_| marker.is_none()).or_else(|| if since { subject() } else { None }) {
                            Some(o) => (o, y),
                            None => continue,
                        }
                    }
                    (None, Some(o), Some(d)) => (o, d.clone()),
                    _ => continue,
                },
            };
            found.links.push(Link { from: target, property: sym!("foundingDate"), to: LinkTarget::Date(value), rule: sym!("date.founding") });
        }
    }
}

fn is_org(s: &Sent, class: Sym) -> bool {
    s.k.vocab.is_a(class, sym!("Organization"))
}

/// 202所, 超过70%, 近100%, 2-4名, 2000余人, 2亿元.
fn figures(s: &Sent, si: usize, offset: usize, base: usize, found: &mut Found) {
    let g = &s.k.grammar.figures;
    let units = &g.units;
    let mut i = 0;
    while i < s.c.len() {
        if !s.c[i].is_ascii_digit() || (i > 0 && (s.c[i - 1].is_ascii_digit() || s.c[i - 1] == '.')) {
            i += 1;
            continue;
        }
        let start = i;
        let num = |j: &mut usize| -> &str {
            let from = *j;
            while *j < s.c.len() && (s.c[*j].is_ascii_digit() || (s.c[*j] == '.' && s.c.get(*j + 1).is_some_and(char::is_ascii_digit))) {
                *j += 1;
            }
            s.slice(from, *j)
        };
        let mut j = i;
        let first = num(&mut j);
        // Inline: every run of digits (years, dates) comes here.
        let mut values: SmallVec<[&str; 2]> = smallvec::smallvec![first];
        if j < s.c.len() && matches!(s.c[j], '-' | '~' | '至') && s.c.get(j + 1).is_some_and(char::is_ascii_digit) {
            let mut k2 = j + 1;
            values.push(num(&mut k2));
            j = k2;
        }
        if let Some(n) = s.word_starting_at(j, &g.approx_infix) {
            j += n;
        }
        let unit = units.iter().filter(|u| s.starts_with_at(j, u)).max_by_key(|u| u.len());
        let Some(unit) = unit else {
            i = j.max(i + 1);
            continue;
        };
        let end = j + unit.chars().count();
        let about = (base..found.mentions.len())
            .rfind(|&m| found.mentions[m].span.end <= offset + start && offset + start - found.mentions[m].span.end <= 2);
        for v in values {
            if let Ok(value) = v.parse::<f64>() {
                found.observations.push(Observation {
                    value,
                    unit: unit.clone(),
                    surface: s.s(start, end),
                    sentence: si,
                    span: Span::new(offset + start, offset + end),
                    about: about.map(|m| m.to_string()),
                });
            }
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(numeral_value("八十").as_deref(), Some("80"));
        assert_eq!(numeral_value("四").as_deref(), Some("4"));
        assert_eq!(numeral_value("十一").as_deref(), Some("11"));
        assert_eq!(numeral_value("101").as_deref(), Some("101"));
        assert_eq!(numeral_value("六一").as_deref(), Some("61"));
    }
}
