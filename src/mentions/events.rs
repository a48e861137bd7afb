//! Events, documents, quoted programmes and the members of a list named by
//! their kind (北大、清华等高校).

use super::{counted_at, is_org, name_key, only_descriptors, Cand, CandTarget, Sent};
use crate::model::{sym, MentionSource, Referent};
use crate::sym;
use smallvec::SmallVec;

pub(super) fn event_cands(s: &Sent, out: &mut Vec<Cand>) {
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
        let founded = out.iter().filter(|o| is_org(s, o.class) && pos <= o.start && o.end < end && g.founding.words.iter().any(|w| s.starts_with_at(o.end, w)));
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

pub(super) fn document_cands(s: &Sent, out: &mut Vec<Cand>) {
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
    let years: Vec<String> = inner.split(|ch: char| !ch.is_ascii_digit()).filter(|p| p.len() == 4).map(str::to_string).collect();
    if years.len() == 2 {
        c.links.push((sym!("startDate"), CandTarget::Date(years[0].clone()), sym!("document.period")));
        c.links.push((sym!("endDate"), CandTarget::Date(years[1].clone()), sym!("document.period")));
    }
}

pub(super) fn quoted_cands(s: &Sent, out: &mut Vec<Cand>) {
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
        let counts =
            inner.chars().next().is_some_and(|ch| g.numeral_set.contains(&ch) || g.quoted.counting.contains(ch)) || inner.chars().any(|ch| ch.is_ascii_digit() || ch == '+');
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
pub(super) fn listed_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    let l = &g.lists;
    for q in 0..s.c.len() {
        let Some(n) = g.list_ends.longest_starting_at(&s.c, q) else { continue };
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
