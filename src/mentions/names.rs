//! Names: the lexicon's (places, groups, authorities, fields) and
//! organisations' by the name grammar (a type suffix, scanned left for
//! places, a core and an ordinal), with their departments and branches, the
//! key that says which organisation a name means, and the place a generic
//! name takes from the list it stands in.

use super::{counted_at, is_org, name_key, only_descriptors, Cand, CandTarget, Sent};
use crate::knowledge::grammar::SuffixPattern;
use crate::knowledge::Knowledge;
use crate::model::{MentionSource, Places, Referent, Sym};
use crate::sym;
use crate::text::norm_into;
use smallvec::SmallVec;

/// The value of a numeral written in digits or Chinese (八十 → 80).
fn numeral_value(s: &str) -> Option<String> {
    if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
        return Some(s.trim_start_matches('0').to_string());
    }
    let digit = |c: char| {
        "零一二三四五六七八九".chars().position(|d| d == c).or(if c == '〇' {
            Some(0)
        } else if c == '两' {
            Some(2)
        } else {
            None
        })
    };
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

/// An organisation name found by scanning left from a type suffix.
struct OrgName<'a> {
    start: usize,
    /// Inline, as in [`Places`]: every organisation name found has them.
    places: SmallVec<[(usize, Sym); 2]>,
    core: &'a str,
    ordinal: &'a str,
}

pub(super) fn lexicon_cands(s: &Sent, out: &mut Vec<Cand>) {
    let (text, char_at) = (s.text, &s.char_at);
    let first = out.len();
    // Stretches of common words that merely contain a name (教育部门).
    let blocked: Vec<(usize, usize)> = s.k.grammar.org.not_names.iter().enumerate().flat_map(|(wi, w)| s.plain_bytes(0, wi).map(move |i| (i, i + w.len()))).collect();
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
    if soft_stop_kept && core_end - places_end > g.org.soft_stop_core_max {
        return None;
    }
    let core = s.slice(places_end, core_end);
    Some(OrgName { start: pos, places: places.into_iter().rev().map(|(st, _, id)| (st, id)).collect(), core, ordinal })
}

/// The key that says which real organisation a name means.
/// `canon_suffix`: the suffix as keys spell it ([`crate::knowledge::Grammar::canonical_suffix`]).
fn org_key(k: &Knowledge, places: &[Sym], core: &str, ordinal: &str, canon_suffix: &str, place_bound: bool) -> String {
    // A name that is its place and a suffix (容城县第二高级中学, 保定市职教中心)
    // is told apart by the place itself; one with a proper name by its province.
    let place = if place_bound || core.is_empty() { places.last().map(|p| p.as_str()) } else { places.last().map(|p| k.lexicon.province_of(p).unwrap_or(*p).as_str()) };
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

pub(super) fn org_cands(s: &Sent, out: &mut Vec<Cand>) {
    let g = &s.k.grammar;
    // The longest suffix at each end (the first found of equals), by end:
    // sorted in place (a tree map would be allocated anew for every
    // sentence).
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

/// The referent of a government body named by a place and a suffix: the
/// lexicon's authority where there is one, else a name keyed by both.
pub(super) fn body_referent(k: &Knowledge, places: &[Sym], suffix: &str, class: &str) -> Referent {
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
pub(super) fn inherit_list_places(s: &Sent, chosen: &mut [Cand]) {
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
pub(super) fn drop_uncertain_short_places(s: &Sent, chosen: &mut Vec<Cand>) {
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
