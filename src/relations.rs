//! Relations: the declarative rules of `ontology/rules.toml` matched against
//! each sentence's mentions, plus the facts the name grammar read from the
//! shape of names ([`Link`]s). Coordinated mentions (A、B和C) form a group and
//! a slot takes the whole group, so coordination distributes. Pure.

use std::borrow::Cow;

use rustc_hash::FxHashSet;
use smallvec::{smallvec, SmallVec};

use crate::knowledge::rules::{Lit, Part, Pattern, Slot};
use crate::knowledge::vocab::ClassSet;
use crate::knowledge::{Knowledge, Rule};
use crate::model::{Article, Link, LinkTarget, Mention, Modality, Object, Referred, Relation, Sym};

/// Characters that end a clause: a pattern does not reach across them.
const CLAUSE_ENDS: [char; 7] = [',', ';', ':', '。', '!', '?', '\n'];

/// Most characters before the event word of a bare head that stands for an
/// event named before (本次会议, 此次大赛: a demonstrative).
const EVENT_HEAD_LEAD: usize = 2;

/// A coordinated list of mentions, in sentence-relative chars.
#[derive(Debug, Clone)]
struct Group {
    start: usize,
    end: usize,
    members: Members,
}

struct Ctx<'a> {
    k: &'a Knowledge,
    chars: Vec<char>,
    /// The rule words' occurrences in the sentence, in chars.
    found: Occurrences,
    /// Modality markers of the sentence.
    markers: Vec<(usize, usize, Modality)>,
    mentions: &'a [Mention],
    /// Where the sentence starts in the article: mention spans less this
    /// are sentence-relative.
    offset: usize,
    groups: Vec<Group>,
}

impl Ctx<'_> {
    /// Whether a whole group of organisations or people lies inside `[a, b)`.
    fn gap_holds_argument(&self, a: usize, b: usize) -> bool {
        self.groups.iter().any(|g| a <= g.start && g.end <= b && g.members.iter().any(|&m| self.k.vocab.in_set(self.mentions[m].class, &self.k.rules.argument_classes)))
    }
    /// Whether a group stands after a locative preposition.
    fn locative(&self, g: usize) -> bool {
        self.after(g, &self.k.rules.structure.locatives)
    }
    /// Whether a group stands right after one of `words`.
    fn after(&self, g: usize, words: &[Box<[char]>]) -> bool {
        let st = self.groups[g].start;
        words.iter().any(|w| st >= w.len() && self.word_at(st - w.len(), w))
    }
    /// Whether word `w` (its characters) stands in the sentence at `pos`
    /// (without making strings: every group, topic and coordinator test
    /// asks this).
    fn word_at(&self, pos: usize, w: &[char]) -> bool {
        self.chars.get(pos..pos + w.len()) == Some(w)
    }
    /// Whether word `w` (a string of the grammar) stands in the sentence at
    /// `pos`.
    fn str_at(&self, pos: usize, w: &str) -> bool {
        let n = w.chars().count();
        self.chars.get(pos..pos + n).is_some_and(|x| w.chars().eq(x.iter().copied()))
    }
    /// Whether `[a, b)` is exactly word `w`.
    fn is_word(&self, a: usize, b: usize, w: &[char]) -> bool {
        a <= b && w.len() == b - a && self.word_at(a, w)
    }
    /// Whether a list closed by a count of bodies ends at `pos` (等四所,
    /// 等12家, 等10余所: a closer, numerals of the grammar, perhaps an
    /// approximation of `figures.approx_infix`, a measure word of
    /// `counted_by`). Without the closer a place is the bodies' whole side
    /// (支援甘肃8所乡村小学: Gansu is helped), so it is not asked for.
    fn count_at(&self, pos: usize) -> bool {
        let s = &self.k.rules.structure;
        let g = &self.k.grammar;
        let Some(closer) = s.list_closers.iter().filter(|w| self.word_at(pos, w)).map(|w| w.len()).max() else { return false };
        let digits = self.chars[(pos + closer).min(self.chars.len())..].iter().take_while(|c| g.numeral_set.contains(c)).count();
        let mut at = pos + closer + digits;
        if let Some(n) = g.figures.approx_infix.iter().filter(|w| self.str_at(at, w)).map(|w| w.chars().count()).max() {
            at += n;
        }
        digits > 0 && s.counted_by.iter().any(|w| self.word_at(at, w))
    }
    /// The event word of the clause before `pos` when that clause is a bare
    /// head that stands for an event named before (大赛由…, 本次会议由…): it
    /// ends in an event word of the grammar (`event.suffix`, of an Event
    /// class; the shortest, 大赛 of 技能大赛) with at most a demonstrative
    /// before it, and no mention ends in it. Any other short head is no
    /// event (该项目由…主办, 培训班由…承办). As `[start, end)` in chars.
    fn bare_event_head(&self, pos: usize) -> Option<(usize, usize)> {
        let lead = self.clause_lead(pos);
        let n = self
            .k
            .grammar
            .event
            .suffix
            .iter()
            .filter(|(w, class)| {
                let n = w.chars().count();
                n <= lead && lead - n <= EVENT_HEAD_LEAD && self.str_at(pos - n, w) && self.k.vocab.is_a(**class, crate::sym!("Event"))
            })
            .map(|(w, _)| w.chars().count())
            .min()?;
        let named = self.groups.iter().any(|g| g.end <= pos && pos - g.end < lead && !self.crosses_clause(g.end, pos));
        (!named).then_some((pos - n, pos))
    }
    /// Whether a pairing word (与) stands exactly in `[a, b)`.
    fn pairs(&self, a: usize, b: usize) -> bool {
        self.k.rules.structure.pairing.iter().any(|w| self.is_word(a, b, w))
    }
    /// The links of a chain of pairs that ends with group `g` on the left of
    /// a pairing word (甲与乙、丙与丁、戊与…): (left, right) member lists of
    /// the links before, nearest first, and the one member of `g` that
    /// stands on the left of the last link. Inner groups of such a chain
    /// are two members, the right side of one link and the left of the next
    /// (乙、丙); a link may also end a clause of its own (甲与乙,丙与…).
    fn chain_before(&self, g: usize) -> (Vec<(Members, Members)>, Option<usize>) {
        let mut links = Vec::new();
        let mut last_left = None;
        let mut cur = g;
        loop {
            let gr = &self.groups[cur];
            // 乙、丙 与…: the link before is 甲 与 乙.
            if gr.members.len() == 2 && cur >= 1 && self.pairs(self.groups[cur - 1].end, gr.start) {
                if cur == g {
                    last_left = Some(gr.members[1]);
                }
                let right: Members = smallvec![gr.members[0]];
                let prev = &self.groups[cur - 1];
                let inner = cur >= 2 && prev.members.len() == 2 && self.pairs(self.groups[cur - 2].end, prev.start);
                let left: Members = if inner { smallvec![prev.members[1]] } else { prev.members.clone() };
                links.push((left, right));
                if !inner {
                    break;
                }
                cur -= 1;
                continue;
            }
            // 甲与乙, 丙 与…: the link before ends the clause before.
            if cur >= 2
                && gr.start >= 1
                && self.chars[gr.start - 1] == ','
                && self.groups[cur - 1].end + 1 == gr.start
                && self.pairs(self.groups[cur - 2].end, self.groups[cur - 1].start)
            {
                links.push((self.groups[cur - 2].members.clone(), self.groups[cur - 1].members.clone()));
                cur -= 2;
                continue;
            }
            break;
        }
        (links, last_left)
    }
    /// Whether word `w` stands anywhere inside `[a, b)`.
    fn holds_word(&self, a: usize, b: usize, w: &[char]) -> bool {
        self.chars.get(a..b.min(self.chars.len())).is_some_and(|x| x.windows(w.len()).any(|x| x == w))
    }
    fn crosses_clause(&self, a: usize, b: usize) -> bool {
        a < b && self.chars[a..b].iter().any(|c| CLAUSE_ENDS.contains(c))
    }
    /// Whether at most a short lead word (根据, 并) stands between a clause start and `pos`.
    fn clause_initial(&self, pos: usize) -> bool {
        self.clause_lead(pos) <= 2
    }
    /// How many characters stand between the start of the clause and `pos`.
    fn clause_lead(&self, pos: usize) -> usize {
        let start = self.chars[..pos].iter().rposition(|c| CLAUSE_ENDS.contains(c)).map_or(0, |i| i + 1);
        pos - start
    }
    fn class_ok(&self, m: usize, classes: &ClassSet) -> bool {
        self.k.vocab.in_set(self.mentions[m].class, classes)
    }
    /// Members of group `g` whose class fits.
    fn fitting(&self, g: usize, classes: &ClassSet) -> Members {
        self.groups[g].members.iter().copied().filter(|&m| self.class_ok(m, classes)).collect()
    }
    /// Whether group `g` names an event.
    fn is_event(&self, g: usize) -> bool {
        self.groups[g].members.iter().any(|&m| self.k.vocab.is_a(self.mentions[m].class, crate::sym!("Event")))
    }
    /// Whether any member of group `g` fits.
    fn any_fits(&self, g: usize, classes: &ClassSet) -> bool {
        self.groups[g].members.iter().any(|&m| self.class_ok(m, classes))
    }
    /// Occurrences of a literal's alternatives that no excluded word covers.
    fn occurrences_for(&self, lit: &Lit, rule: &Rule) -> Cow<'_, [(usize, usize)]> {
        let mut found = self.occurrences(&lit.ids);
        if !found.is_empty() && !rule.exclude_ids.is_empty() {
            let hidden = self.occurrences(&rule.exclude_ids);
            if !hidden.is_empty() {
                found.to_mut().retain(|&(a, b)| !hidden.iter().any(|&(x, y)| x <= a && b <= y));
            }
        }
        // A word between two members of a list joins them (和, 及): it
        // is no pattern's word there.
        if found.iter().any(|&(a, b)| self.between_members(a, b)) {
            found.to_mut().retain(|&(a, b)| !self.between_members(a, b));
        }
        found
    }
    /// Whether `[a, b)` lies between two members of one group.
    fn between_members(&self, a: usize, b: usize) -> bool {
        self.groups.iter().filter(|g| g.members.len() > 1 && g.start < a && b < g.end).any(|g| {
            g.members.windows(2).any(|w| {
                let offset = self.offset;
                self.mentions[w[0]].span.end - offset <= a && b <= self.mentions[w[1]].span.start - offset
            })
        })
    }
    /// Occurrences of words (by id): (start, end), sentence-relative, in
    /// order. Most literals are one word, and most words occur nowhere:
    /// those are borrowed, not gathered.
    fn occurrences(&self, ids: &[usize]) -> Cow<'_, [(usize, usize)]> {
        let mut present = ids.iter().filter(|&&id| !self.found.of(id).is_empty());
        match (present.next(), present.next()) {
            (None, _) => Cow::Borrowed(&[]),
            (Some(&id), None) => Cow::Borrowed(self.found.of(id)),
            _ => {
                let mut out: Vec<(usize, usize)> = ids.iter().flat_map(|&id| self.found.of(id).iter().copied()).collect();
                out.sort_unstable();
                Cow::Owned(out)
            }
        }
    }
}

/// The mentions a slot names: most groups are short, kept inline (a vector
/// each would be an allocation per group).
type Members = SmallVec<[usize; 4]>;

/// What a slot matched: the mentions it names.
#[derive(Debug, Clone, Default)]
struct Bound {
    /// The group `s` was taken from (none for a topic).
    s_group: Option<usize>,
    s: Members,
    o: Members,
    s2: Members,
    g: Members,
    /// The event word of a bare head that stands for the missing object
    /// (大赛 of 大赛由…), in chars.
    event_head: Option<(usize, usize)>,
}

fn slot_classes(rule: &Rule, slot: Slot) -> &ClassSet {
    match slot {
        Slot::S | Slot::S2 | Slot::G => &rule.s_set,
        Slot::O => &rule.o_set,
        Slot::X => &rule.x_set,
    }
}

fn bind(b: &mut Bound, slot: Slot, members: Members) {
    match slot {
        Slot::S => b.s = members,
        Slot::O => b.o = members,
        Slot::S2 => b.s2 = members,
        Slot::G => b.g = members,
        Slot::X => {}
    }
}

/// Matches one pattern at one occurrence of its first literal.
fn match_at(ctx: &Ctx, rule: &Rule, pat: &Pattern, anchor_part: usize, anchor: (usize, usize), far_gap: usize) -> Option<Bound> {
    let mut b = Bound::default();
    // Rightwards from the anchor.
    let mut cursor = anchor.1;
    for part in &pat.parts[anchor_part + 1..] {
        match part {
            Part::Lit(lit) => {
                let occ = ctx.occurrences_for(lit, rule).iter().copied().find(|&(a, _)| a >= cursor && a - cursor <= rule.gap && !ctx.crosses_clause(cursor, a))?;
                if ctx.gap_holds_argument(cursor, occ.0) {
                    return None;
                }
                cursor = occ.1;
            }
            Part::Slot(slot) => {
                let classes = slot_classes(rule, *slot);
                // A word inside an event's name is the event's, not a verb
                // of what follows (结对帮扶启动仪式在X举行: X is not helped).
                // Before an argument, an event not fitting the slot ends the
                // phrase too.
                if (0..ctx.groups.len()).any(|g| ctx.groups[g].start < cursor && cursor <= ctx.groups[g].end && ctx.is_event(g)) {
                    return None;
                }
                let g = (0..ctx.groups.len()).find(|&g| {
                    let gr = &ctx.groups[g];
                    gr.start >= cursor && (ctx.any_fits(g, classes) || ctx.is_event(g))
                })?;
                if !ctx.any_fits(g, classes) {
                    return None;
                }
                let gr = &ctx.groups[g];
                if gr.start - cursor > rule.gap || ctx.crosses_clause(cursor, gr.start) || ctx.gap_holds_argument(cursor, gr.start) {
                    return None;
                }
                bind(&mut b, *slot, ctx.fitting(g, classes));
                if *slot == Slot::S {
                    b.s_group = Some(g);
                }
                cursor = gr.end;
            }
        }
    }
    // Leftwards from the anchor.
    let mut cursor = anchor.0;
    for (i, part) in pat.parts[..anchor_part].iter().enumerate().rev() {
        let leading = i == 0;
        let (limit, may_cross) = if leading && rule.far { (far_gap, true) } else { (rule.gap, false) };
        match part {
            Part::Lit(lit) => {
                let occ =
                    ctx.occurrences_for(lit, rule).iter().copied().rev().find(|&(_, e)| e <= cursor && cursor - e <= limit && (may_cross || !ctx.crosses_clause(e, cursor)))?;
                if !may_cross && ctx.gap_holds_argument(occ.1, cursor) {
                    return None;
                }
                cursor = occ.0;
            }
            Part::Slot(slot) => {
                let classes = slot_classes(rule, *slot);
                let subject = matches!(slot, Slot::S | Slot::S2 | Slot::G);
                // A group after a pairing word (与北大、清华…合作) is the other
                // side of a pair, not a group whose members pair up; nor is
                // one before a pairing word that comes before the verb (甲、乙
                // 与雄县合作: the pairs are with 雄县).
                let pairing = &ctx.k.rules.structure.pairing;
                let fits = |g: usize| {
                    ctx.groups[g].end <= cursor
                        && ctx.any_fits(g, classes)
                        && !(subject && ctx.locative(g))
                        && !(*slot == Slot::G && (ctx.after(g, pairing) || pairing.iter().any(|w| ctx.holds_word(ctx.groups[g].end, cursor, w))))
                };
                let nearest = (0..ctx.groups.len()).rev().find(|&g| fits(g));
                // A far slot reaching into an earlier clause takes the subject of
                // one: a group that begins a clause.
                let found = match nearest {
                    Some(g) if leading && rule.far && ctx.crosses_clause(ctx.groups[g].end, cursor) => {
                        (0..ctx.groups.len()).rev().find(|&g| fits(g) && ctx.clause_initial(ctx.groups[g].start)).or(nearest)
                    }
                    other => other,
                };
                match found {
                    Some(g)
                        if cursor - ctx.groups[g].end <= limit
                            && (may_cross || (!ctx.crosses_clause(ctx.groups[g].end, cursor) && !ctx.gap_holds_argument(ctx.groups[g].end, cursor))) =>
                    {
                        bind(&mut b, *slot, ctx.fitting(g, classes));
                        if *slot == Slot::S {
                            b.s_group = Some(g);
                        }
                        cursor = ctx.groups[g].start;
                    }
                    _ if leading && *slot == Slot::S && rule.topic => {
                        // Left to the topic, filled in by the caller.
                        b.s.clear();
                    }
                    // A bare head (大赛由…, 本次会议由…) names no event of its
                    // own: left to the caller, the last event named before
                    // whose name ends in its event word.
                    _ if leading && *slot == Slot::O && rule.event_topic => {
                        b.o.clear();
                        b.event_head = Some(ctx.bare_event_head(cursor)?);
                    }
                    _ => return None,
                }
            }
        }
    }
    Some(b)
}

/// The modality of what a sentence says at `pos`: the nearest marker before
/// it (a longer 已经 over the 将 it ends with), else the first one later in
/// the same clause (…援建的X已正式设立).
fn modality(ctx: &Ctx, pos: usize) -> Modality {
    let before = ctx.markers.iter().filter(|&&(_, e, _)| e <= pos).max_by_key(|&&(s, e, m)| (e, m == Modality::Reported && e - s > 1));
    if let Some(&(_, _, m)) = before {
        return m;
    }
    let clause_end = ctx.chars[pos..].iter().position(|c| CLAUSE_ENDS.contains(c)).map_or(ctx.chars.len(), |i| pos + i);
    ctx.markers.iter().filter(|&&(s, e, _)| s >= pos && e <= clause_end).min_by_key(|&&(s, _, m)| (s, m == Modality::Planned)).map_or(Modality::Stated, |&(_, _, m)| m)
}

/// The rule words found in a sentence: (start, end) in chars, grouped by
/// word and in the order found within each. Flat, in buffers kept from
/// sentence to sentence (a vector for each word found would be an
/// allocation per word, in every sentence).
#[derive(Default)]
struct Occurrences {
    /// As found: (word, (start, end)); grouped by word once all are found.
    raw: Vec<(u32, (usize, usize))>,
    at: Vec<(usize, usize)>,
    /// For each word, its stretch of `at` (empty for a word not found).
    of: Vec<(u32, u32)>,
    /// The words found, each once, ascending.
    words: Vec<usize>,
}

impl Occurrences {
    /// Forgets the last sentence's words; `n`: how many words there are.
    fn clear(&mut self, n: usize) {
        for &w in &self.words {
            self.of[w] = (0, 0);
        }
        self.of.resize(n, (0, 0));
        self.words.clear();
        self.raw.clear();
    }
    /// Groups what `raw` holds by word.
    fn group(&mut self) {
        // Stable: each word's occurrences keep the order they were found in.
        self.raw.sort_by_key(|&(w, _)| w);
        self.at.clear();
        for run in self.raw.chunk_by(|a, b| a.0 == b.0) {
            let w = run[0].0 as usize;
            self.of[w] = (self.at.len() as u32, (self.at.len() + run.len()) as u32);
            self.words.push(w);
            self.at.extend(run.iter().map(|&(_, at)| at));
        }
    }
    /// The occurrences of word `id`.
    fn of(&self, id: usize) -> &[(usize, usize)] {
        let (lo, hi) = self.of[id];
        &self.at[lo as usize..hi as usize]
    }
}

/// Where each rule word occurs in a sentence, and its modality markers
/// (start, end, modality), planned ones first: one overlapping search for
/// all, in chars.
fn rule_words(k: &Knowledge, text: &str, char_at: &[usize], found: &mut Occurrences, markers: &mut Vec<(usize, usize, Modality)>) {
    let words = k.rules.words.len();
    found.clear(words);
    markers.clear();
    k.rules.word_matcher.each_overlapping(text, |start, end, p| {
        let (a, b) = (char_at[start], char_at[end]);
        match p.checked_sub(words) {
            None => found.raw.push((p as u32, (a, b))),
            Some(j) => markers.push((a, b, if j < k.rules.planned_words { Modality::Planned } else { Modality::Reported })),
        }
    });
    found.group();
    markers.sort_by_key(|&(s, e, m)| (m != Modality::Planned, s, e));
}

/// The object of a relation not yet made: borrowed from the entities, rules
/// and links it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ObjectRef<'a> {
    Entity(Sym),
    Text(&'a str),
    Date(&'a str),
}

/// A relation not yet made, and the identity that keeps one per sentence.
#[derive(Debug, Clone, Copy)]
struct Fact<'a> {
    subject: Sym,
    property: Sym,
    object: ObjectRef<'a>,
    sentence: usize,
    rule: Sym,
    modality: Modality,
}

/// The facts of one article, each once (subject, property, object, sentence):
/// strings are made only for a fact that is new, not cloned for every
/// candidate to test it.
struct Facts<'a> {
    seen: FxHashSet<(Sym, Sym, ObjectRef<'a>, usize)>,
}

impl<'a> Facts<'a> {
    fn push(&mut self, out: &mut Vec<Relation>, f: Fact<'a>) {
        if f.object == ObjectRef::Entity(f.subject) || !self.seen.insert((f.subject, f.property, f.object, f.sentence)) {
            return;
        }
        let object = match f.object {
            ObjectRef::Entity(e) => Object::Entity(e),
            ObjectRef::Text(t) => Object::Text(t.to_string()),
            ObjectRef::Date(d) => Object::Date(d.to_string()),
        };
        out.push(Relation { subject: f.subject, property: f.property, object, sentence: f.sentence, rule: f.rule, modality: f.modality });
    }
}

/// What one sentence's [`Ctx`] owns, handed to the next, and kept by the
/// thread for its next article (only capacity is carried over: each
/// sentence clears them first).
#[derive(Default)]
struct Spare {
    chars: Vec<char>,
    char_at: Vec<usize>,
    found: Occurrences,
    markers: Vec<(usize, usize, Modality)>,
    groups: Vec<Group>,
}

/// Applies every rule and link to one article's mentions.
pub fn extract(article: &Article, mentions: &[Mention], entities: &[Referred], links: &[Link], k: &Knowledge) -> Vec<Relation> {
    // Sized by the mentions (an article gives about as many facts as it has
    // mentions): grown from empty, the two would be reallocated again and
    // again for every article.
    let mut out: Vec<Relation> = Vec::with_capacity(mentions.len());
    let mut facts = Facts { seen: FxHashSet::with_capacity_and_hasher(mentions.len(), Default::default()) };
    let mut topic: Option<(usize, usize)> = None; // (paragraph, mention)
                                                  // The events named in the sentences before, in order: a bare head
                                                  // (大赛由…) stands for the last one whose name ends in its word, in
                                                  // whatever paragraph (a lead names the contest, the next paragraph says
                                                  // who ran it).
    let mut events: Vec<usize> = Vec::new();
    thread_local! {
        static SPARE: std::cell::Cell<Spare> = std::cell::Cell::new(Spare::default());
    }
    let mut spare = SPARE.take();
    let mut tried: Vec<(u32, u32)> = Vec::new();
    let (mut idx, mut topics): (Vec<usize>, Vec<(usize, usize)>) = (Vec::new(), Vec::new());
    // The mentions of each sentence, found once rather than per sentence:
    // by sentence (as the grammar emits them; the stable sort only checks),
    // each sentence a run.
    let mut by_sentence: Vec<usize> = (0..mentions.len()).collect();
    by_sentence.sort_by_key(|&m| mentions[m].sentence);
    let mut runs = by_sentence.chunk_by(|&a, &b| mentions[a].sentence == mentions[b].sentence).peekable();
    for (si, sentence) in article.sentences.iter().enumerate() {
        while runs.peek().is_some_and(|run| mentions[run[0]].sentence < si) {
            runs.next();
        }
        let here: &[usize] = match runs.peek() {
            Some(run) if mentions[run[0]].sentence == si => run,
            _ => &[],
        };
        sentence_arguments(here, mentions, entities, &mut idx);
        if topic.is_some_and(|(p, _)| p != sentence.paragraph) {
            topic = None;
        }
        // No mention that refers to anything: no rule can bind a slot here
        // (and no topic is set), so the sentence is not searched at all.
        if idx.is_empty() {
            continue;
        }
        let offset = sentence.span.start;
        // Buffers from the sentence before: see `fill_char_offsets`.
        let Spare { mut chars, mut char_at, mut found, mut markers, mut groups } = std::mem::take(&mut spare);
        let text = article.sentence_text(sentence);
        chars.clear();
        chars.extend(text.chars());
        crate::model::fill_char_offsets(text, &mut char_at);
        rule_words(k, text, &char_at, &mut found, &mut markers);
        groups.clear();
        let mut ctx = Ctx { k, chars, found, markers, mentions, offset, groups };
        group_coordinated(&mut ctx, &idx);
        members_of_groups(&ctx, si, entities, &mut out);
        clause_topics(&ctx, &idx, entities, &mut topics);
        let earlier = Antecedents { topics: &topics, topic, events: &events };
        apply_rules(&ctx, si, entities, earlier, &mut tried, &mut facts, &mut out);
        if let Some(&(_, m)) = topics.last() {
            topic = Some((sentence.paragraph, m));
        }
        events.extend(idx.iter().copied().filter(|&m| k.vocab.is_a(mentions[m].class, crate::sym!("Event"))));
        spare = Spare { chars: ctx.chars, char_at, found: ctx.found, markers: ctx.markers, groups: ctx.groups };
    }
    SPARE.set(spare);
    drop_general_duplicates(&mut out, k);
    link_facts(links, mentions, entities, &mut facts, &mut out);
    // Held until the article's graph is made (by the thousand, when a
    // corpus is extracted in memory): the spare capacity of the last growth
    // is given back.
    out.shrink_to_fit();
    out
}

/// The mentions of a sentence (`here`) that may stand in a group, into
/// `idx` by position: those that refer to something and lie inside no other.
fn sentence_arguments(here: &[usize], mentions: &[Mention], entities: &[Referred], idx: &mut Vec<usize>) {
    idx.clear();
    idx.extend(
        here.iter()
            .copied()
            .filter(|&m| !entities[m].is_empty())
            .filter(|&m| !here.iter().any(|&o| o != m && mentions[o].span.contains(mentions[m].span) && mentions[o].span != mentions[m].span)),
    );
    idx.sort_by_key(|&m| (mentions[m].span.start, std::cmp::Reverse(mentions[m].span.end)));
    // Overlapping mentions cannot both stand in a group: keep the first.
    let mut last_end = 0;
    idx.retain(|&m| {
        let keep = mentions[m].span.start >= last_end;
        if keep {
            last_end = mentions[m].span.end;
        }
        keep
    });
}

/// Coordinated mentions (A、B和C) into `ctx.groups`, a group per list.
fn group_coordinated(ctx: &mut Ctx, idx: &[usize]) {
    let (k, mentions, offset) = (ctx.k, ctx.mentions, ctx.offset);
    for &m in idx {
        let (a, e) = (mentions[m].span.start - offset, mentions[m].span.end - offset);
        // A name in brackets right after a member is another name of it
        // (任丘职教中心(任丘开放大学)、…): the list goes on past it.
        let bracketed = ctx.groups.last().is_some_and(|g| a == g.end + 1 && ctx.chars[g.end] == '(' && ctx.chars.get(e) == Some(&')'));
        if bracketed {
            if let Some(g) = ctx.groups.last_mut() {
                g.end = e + 1;
            }
            continue;
        }
        let joined = ctx.groups.last().is_some_and(|g| k.rules.structure.coordinators.iter().any(|w| ctx.is_word(g.end, a, w)));
        match ctx.groups.last_mut() {
            Some(g) if joined => {
                g.members.push(m);
                g.end = e;
            }
            _ => ctx.groups.push(Group { start: a, end: e, members: smallvec![m] }),
        }
    }
    // Places before a count of bodies say where the bodies are (山西、
    // 甘肃等五所中职学校): they are no argument of a rule.
    for gi in 0..ctx.groups.len() {
        if ctx.count_at(ctx.groups[gi].end) {
            let members = std::mem::take(&mut ctx.groups[gi].members);
            ctx.groups[gi].members = members.into_iter().filter(|&m| !k.vocab.is_a(mentions[m].class, crate::sym!("Place"))).collect();
        }
    }
    ctx.groups.retain(|g| !g.members.is_empty());
}

/// Mentions right before 将/已/还…: (end, mention), the topics of what
/// follows them, into `topics`.
fn clause_topics(ctx: &Ctx, idx: &[usize], entities: &[Referred], topics: &mut Vec<(usize, usize)>) {
    let (k, mentions, offset) = (ctx.k, ctx.mentions, ctx.offset);
    topics.clear();
    topics.extend(
        idx.iter()
            .filter(|&&m| {
                let e = mentions[m].span.end - offset;
                let followed = k.rules.structure.topic_markers.iter().any(|w| ctx.word_at(e, w));
                // Places and government bodies carry a paragraph (天津市将…); a school seldom does.
                let kind_ok = k.vocab.is_a(mentions[m].class, crate::sym!("GovernmentBody")) || ["Province", "City", "District", "NewArea"].contains(&mentions[m].class.as_str());
                followed && kind_ok && entities[m].len() == 1
            })
            .map(|&m| (mentions[m].span.end - offset, m)),
    );
}

/// What a sentence's rules take from outside their match when a slot is
/// empty: the topics of its clauses, the paragraph's topic (paragraph,
/// mention), and the events named so far.
#[derive(Clone, Copy)]
struct Antecedents<'a> {
    topics: &'a [(usize, usize)],
    topic: Option<(usize, usize)>,
    events: &'a [usize],
}

/// Matches the rules whose words the sentence holds and adds the facts they
/// state. `tried` is a buffer handed from sentence to sentence.
fn apply_rules(ctx: &Ctx, si: usize, entities: &[Referred], earlier: Antecedents, tried: &mut Vec<(u32, u32)>, facts: &mut Facts, out: &mut Vec<Relation>) {
    let (k, mentions) = (ctx.k, ctx.mentions);
    let Antecedents { topics, topic, events } = earlier;
    // The patterns whose first literal the sentence holds, in the order
    // of the rules (which decides the rule a fact is credited to).
    tried.clear();
    for &id in &ctx.found.words {
        tried.extend_from_slice(&k.rules.anchored_by[id]);
    }
    tried.sort_unstable();
    tried.dedup();
    for &(ri, pi) in tried.iter() {
        let rule = &k.rules.rules[ri as usize];
        let pat = &rule.patterns[pi as usize];
        let Some(anchor_part) = pat.parts.iter().position(|p| matches!(p, Part::Lit(_))) else { continue };
        let Part::Lit(lit) = &pat.parts[anchor_part] else { continue };
        for &anchor in ctx.occurrences_for(lit, rule).iter() {
            let Some(mut b) = match_at(ctx, rule, pat, anchor_part, anchor, k.rules.far_gap) else { continue };
            if pat.parts.contains(&Part::Slot(Slot::O)) && b.o.is_empty() {
                let Some((a, e)) = b.event_head else { continue };
                let word = &ctx.chars[a..e];
                let named = events.iter().rev().find(|&&m| mentions[m].surface.chars().rev().take(word.len()).eq(word.iter().rev().copied()));
                match named {
                    Some(&m) if ctx.class_ok(m, &rule.o_set) => b.o = smallvec![m],
                    _ => continue,
                }
            }
            let needs_s = pat.parts.contains(&Part::Slot(Slot::S));
            if needs_s && b.s.is_empty() {
                // The topic: of an earlier clause of this sentence, else of the paragraph.
                let here = topics.iter().rev().find(|&&(end, _)| end <= anchor.0).map(|&(_, m)| m);
                match here.or(topic.map(|(_, t)| t)) {
                    Some(t) if ctx.class_ok(t, &rule.s_set) => b.s = smallvec![t],
                    _ => continue,
                }
            }
            // 甲与乙、丙与丁签约: the subject group is a chain's last link.
            let mut links = Vec::new();
            let pairs_s_with_o = pat.parts.windows(3).any(|w| matches!(w, [Part::Slot(Slot::S), Part::Lit(_), Part::Slot(Slot::O)]));
            if let Some(g) = b.s_group.filter(|&g| pairs_s_with_o && k.rules.structure.pairing.iter().any(|w| ctx.word_at(ctx.groups[g].end, w))) {
                let (before, last_left) = ctx.chain_before(g);
                if !before.is_empty() {
                    if let Some(m) = last_left {
                        b.s.retain(|s| *s == m);
                    }
                    links = before;
                }
            }
            let modality = modality(ctx, anchor.0);
            let mut emit = |s: usize, o: usize, out: &mut Vec<Relation>| {
                let class_o = &mentions[o].class;
                let property = rule.object_property.iter().find(|(c, _)| k.vocab.is_a_named(*class_o, c)).map_or(rule.property, |(_, p)| *p);
                for &se in &entities[s] {
                    for &oe in &entities[o] {
                        let object = ObjectRef::Entity(oe);
                        facts.push(out, Fact { subject: se, property, object, sentence: si, rule: rule.id, modality });
                    }
                }
            };
            // A分别与B…: the i-th subject goes with the i-th object.
            let respective = b.s.len() == b.o.len() && b.s.len() > 1 && k.rules.structure.respectively.iter().any(|w| ctx.holds_word(0, anchor.1, w));
            for (i, &s) in b.s.iter().chain(&b.s2).enumerate() {
                for (j, &o) in b.o.iter().enumerate() {
                    if !respective || i == j || i >= b.s.len() {
                        emit(s, o, out);
                    }
                }
            }
            for (left, right) in &links {
                for &s in left.iter().filter(|&&s| ctx.class_ok(s, &rule.s_set)) {
                    for &o in right.iter().filter(|&&o| ctx.class_ok(o, &rule.o_set)) {
                        emit(s, o, out);
                    }
                }
            }
            // A group is related pairwise, entity by entity (两校 names two).
            let members: Vec<Sym> = b.g.iter().flat_map(|&m| entities[m].iter().copied()).collect();
            for (i, &a) in members.iter().enumerate() {
                for &c in &members[i + 1..] {
                    let object = ObjectRef::Entity(c);
                    facts.push(out, Fact { subject: a, property: rule.property, object, sentence: si, rule: rule.id, modality });
                }
            }
        }
    }
}

/// The facts the shape of names stated ([`Link`]s), as relations.
fn link_facts<'a>(links: &'a [Link], mentions: &[Mention], entities: &[Referred], facts: &mut Facts<'a>, out: &mut Vec<Relation>) {
    for link in links {
        let from = &entities[link.from];
        let si = mentions[link.from].sentence;
        let modality = if link.property == "foundingDate" { Modality::Reported } else { Modality::Stated };
        // Inline: most links have one target (a vector each would be an
        // allocation per link).
        let targets: SmallVec<[ObjectRef; 2]> = match &link.to {
            LinkTarget::Mention(m) => entities[*m].iter().map(|&e| ObjectRef::Entity(e)).collect(),
            LinkTarget::Lexicon(id) => smallvec![ObjectRef::Entity(*id)],
            LinkTarget::Text(t) => smallvec![ObjectRef::Text(t)],
            LinkTarget::Date(d) => smallvec![ObjectRef::Date(d)],
        };
        for &s in from {
            for &object in &targets {
                facts.push(out, Fact { subject: s, property: link.property, object, sentence: si, rule: link.rule, modality });
            }
        }
    }
}

/// A list of places called 三地/两地 (`structure.group_words`) is a region
/// group of the lexicon with exactly those members: each place is a member
/// of it.
fn members_of_groups(ctx: &Ctx, si: usize, entities: &[Referred], out: &mut Vec<Relation>) {
    for g in &ctx.groups {
        if g.members.len() < 2 || !ctx.k.rules.structure.group_words.iter().any(|w| ctx.word_at(g.end, w)) {
            continue;
        }
        let ids: std::collections::BTreeSet<Sym> = g.members.iter().flat_map(|&m| entities[m].iter().copied()).collect();
        let group = ctx.k.lexicon.entries.iter().find(|e| e.class == "RegionGroup" && e.members.len() == ids.len() && e.members.iter().all(|m| ids.contains(m)));
        if let Some(group) = group {
            for id in ids {
                out.push(Relation {
                    subject: id,
                    property: crate::sym!("memberOf"),
                    object: Object::Entity(group.id),
                    sentence: si,
                    rule: crate::sym!("structure.member"),
                    modality: Modality::Stated,
                });
            }
        }
    }
}

/// When one sentence states both a relation and a more specific one between
/// the same pair (合作 and 联合培养), only the specific one is kept.
fn drop_general_duplicates(rels: &mut Vec<Relation>, k: &Knowledge) {
    let general: Vec<bool> = rels
        .iter()
        .map(|r| {
            let Object::Entity(o) = &r.object else { return false };
            rels.iter().any(|r2| {
                let Object::Entity(o2) = &r2.object else { return false };
                // Cheap comparisons first: this is asked of every pair of an
                // article's relations, and the vocabulary lookups hash.
                if r2.sentence != r.sentence || r2.property == r.property {
                    return false;
                }
                let same_pair = (r2.subject == r.subject && o2 == o) || (r2.subject == *o && *o2 == r.subject && k.vocab.is_symmetric(&r.property));
                same_pair && k.vocab.is_subproperty(&r2.property, &r.property)
            })
        })
        .collect();
    let mut general = general.into_iter();
    rels.retain(|_| !general.next().unwrap_or(false));
}
