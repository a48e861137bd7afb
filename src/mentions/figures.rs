//! Dates (an event's start, an organisation's founding) and figures:
//! observations read beside the mentions, not mentions.

use super::{is_org, Findings, Sent};
use crate::model::{Link, LinkTarget, Observation, Span};
use crate::sym;
use smallvec::SmallVec;

/// 10月8日 with an event in the sentence: its start date. 成立于2018年 after
/// an organisation, or 成立 right before one: a founding date.
pub(super) fn dates(s: &Sent, offset: usize, base: usize, year: Option<u32>, found: &mut Findings) {
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
        let explicit_year: Option<u32> = (before >= 5 && s.c[before - 1] == '年').then(|| s.slice(before - 5, before - 1).parse().ok()).flatten();
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

/// 202所, 超过70%, 近100%, 2-4名, 2000余人, 2亿元.
pub(super) fn figures(s: &Sent, si: usize, offset: usize, base: usize, found: &mut Findings) {
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
        // (Longest first: the grammar sorts them so at load.)
        let unit = units.iter().find(|u| s.starts_with_at(j, u));
        let Some(unit) = unit else {
            i = j.max(i + 1);
            continue;
        };
        let end = j + unit.chars().count();
        let about = (base..found.mentions.len()).rfind(|&m| found.mentions[m].span.end <= offset + start && offset + start - found.mentions[m].span.end <= 2);
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
