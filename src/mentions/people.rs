//! People with their posts: chains of titles, personal names, and the
//! bodies they work for.

use super::names::body_referent;
use super::{is_org, Cand, CandTarget, Sent};
use crate::model::{MentionSource, Places, Referent};
use crate::sym;
use smallvec::SmallVec;

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
            .take_while(|&k| {
                s.is_han(pos + k - 1) && !g.hard_stop_set.contains(&s.c[pos + k - 1]) && !name_at(pos + k - 1) && g.org_left_stops.longest_ending_at(&s.c, pos + k).is_none()
            })
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
pub(super) fn person_cands(s: &Sent, chosen: &mut Vec<Cand>) {
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
            let named =
                name_len_at(s, p, false).into_iter().find_map(|len| title_chain(s, p + len, false, chosen).filter(|(end, _)| followed(*end)).map(|(end, units)| (len, end, units)));
            if let Some((len, chain_end, units)) = named {
                people.push(person((p, p + len), (p + len, chain_end), org, &units));
                last = Some((p + len, org));
                p = chain_end;
                continue;
            }
            // [organisation][name]、[titles][name]: a list of people.
            let listed_next = name_len_at(s, p, false)
                .into_iter()
                .find(|&len| s.c.get(p + len) == Some(&'、') && title_chain(s, p + len + 1, true, chosen).is_some_and(|(end, _)| !name_len_at(s, end, true).is_empty()));
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
        chosen.retain(|c| !(p.children.iter().any(|u| c.start < u.end && u.start < c.end) || (c.source == MentionSource::Lexicon && p.start <= c.start && c.end <= p.end)));
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
