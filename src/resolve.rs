//! Resolve: one entity per real thing across the corpus.
//!
//! Coreference words (该校, 两校, 三地, a bare 管委会) are pointed at the
//! entities named before them; names are keyed by their normalised identity
//! (place, proper name, ordinal, canonical suffix); a name without its place
//! joins the one placed name it can mean; an abbreviation (育英小学 for 育英学校小学) joins
//! the one longer name that contains its characters in order. Every entity
//! gets a deterministic IRI from its key, the fullest surface as its label
//! and every other surface as an alias. Pure.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use smallvec::{smallvec, SmallVec};

use crate::knowledge::Knowledge;
use crate::model::{sym, Entity, Mention, Referent, Referred, Sym};
use crate::sym;
use crate::terms::Terms;
use crate::text::{norm, short_hash};

/// The outcome of resolution over a corpus.
#[derive(Debug, Default)]
pub struct Resolution {
    /// The entity of each name key: any article's referents, from its settled form.
    pub referents: Referents,
    /// Every entity, by id.
    pub entities: BTreeMap<String, Entity>,
}

/// The entity each name key resolved to, from which any article's
/// referents are worked out from its [`ArticleKeys`] alone ([`Referents::of`]).
/// It grows with the distinct names of a corpus, not with its articles or
/// mentions: a build need not hold every mention's entities (ten thousand
/// articles hold 400 000 mentions) from resolution to the last graph.
#[derive(Debug, Default)]
pub struct Referents {
    /// Entity ids, each once.
    ids: Vec<Sym>,
    /// By key (a term id): its entity, an index into `ids`.
    of_key: FxHashMap<u32, u32>,
}

impl Referents {
    /// The mentions of a settled article, each as the entities it refers
    /// to: those of its keys, each once, in the order of its keys.
    pub fn of<'a>(&'a self, s: &'a ArticleKeys) -> impl Iterator<Item = impl Iterator<Item = Sym> + 'a> + 'a {
        s.mention_keys().map(move |ks| {
            let entity = move |j: usize| self.of_key.get(&ks[j]).copied();
            (0..ks.len()).filter_map(move |j| entity(j).filter(|e| !(0..j).any(|i| entity(i) == Some(*e)))).map(|e| self.ids[e as usize])
        })
    }
    /// The same, as vectors (an [`Extraction`](crate::model::Extraction) holds them so).
    pub fn of_owned(&self, s: &ArticleKeys) -> Vec<Referred> {
        self.of(s).map(|ids| ids.collect()).collect()
    }
}

/// Parsed `org|place|core|suffix` key.
struct OrgKey<'a> {
    place: &'a str,
    core: &'a str,
    suffix: &'a str,
}

fn parse_org_key(key: &str) -> Option<OrgKey<'_>> {
    let mut it = key.split('|');
    if it.next()? != "org" {
        return None;
    }
    Some(OrgKey { place: it.next()?, core: it.next()?, suffix: it.next()? })
}

fn in_order(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|l| l == c))
}

/// The keys one mention refers to: most refer to one, kept inline (a
/// vector each would be an allocation per mention).
type Keys<'m> = SmallVec<[Cow<'m, str>; 1]>;

/// Points each coreference mention at the keys of what it refers to. (A key
/// the mentions hold is borrowed: most are, and a copy of each would be an
/// allocation per key.)
fn settle_back<'m>(mentions: &'m [Mention], k: &Knowledge) -> Vec<Keys<'m>> {
    let mut out: Vec<Keys<'m>> = Vec::with_capacity(mentions.len());
    // Borrowed: most mentions asked are passed over, and need no copy.
    fn key_ref(m: &Mention) -> Option<&str> {
        match &m.referent {
            Referent::Lexicon(id) => Some(id),
            Referent::Name { key } if !key.starts_with("bare|") => Some(key),
            _ => None,
        }
    }
    let key_of = |m: &'m Mention| key_ref(m).map(Cow::Borrowed);
    for (i, m) in mentions.iter().enumerate() {
        let earlier = || (0..i).rev().map(|j| &mentions[j]).filter(|p| p.span.end <= m.span.start);
        let keys: Keys<'m> = match &m.referent {
            Referent::Lexicon(id) => smallvec![Cow::Borrowed(id.as_str())],
            Referent::Name { key } if key.starts_with("bare|") => {
                let suffix = &key["bare|".len()..];
                // The same kind of body named before, else the body of the place named last.
                let same = earlier().filter_map(key_ref).find(|kk| kk.strip_suffix(suffix).is_some_and(|rest| rest.ends_with('|'))).map(Cow::Borrowed);
                let by_place = || {
                    earlier().find_map(|p| match &p.referent {
                        Referent::Lexicon(id) if k.vocab.is_a(p.class, sym!("Place")) && p.class != "RegionGroup" => {
                            let class = k.grammar.suffix_class(suffix).unwrap_or_else(|| sym!("GovernmentBody"));
                            if class == "EducationAuthority" {
                                k.lexicon.get(id).and_then(|e| e.authority).map(|a| Cow::Borrowed(a.as_str()))
                            } else {
                                Some(Cow::Owned(format!("org|{id}||{suffix}")))
                            }
                        }
                        _ => None,
                    })
                };
                same.or_else(by_place).into_iter().collect()
            }
            Referent::Name { key } => smallvec![Cow::Borrowed(key.as_str())],
            Referent::Back(targets) => {
                let target = targets.first().map(String::as_str).unwrap_or("");
                if let Some(class) = target.strip_prefix("pair:") {
                    let mut seen: Keys<'m> = Keys::new();
                    for p in earlier() {
                        if k.vocab.is_a_named(p.class, class) && !matches!(p.class.as_str(), "RegionGroup" | "Venue") {
                            if let Some(kk) = key_ref(p) {
                                if !seen.iter().any(|s| s == kk) {
                                    seen.push(Cow::Borrowed(kk));
                                }
                            }
                        }
                        if seen.len() == 2 {
                            break;
                        }
                    }
                    if seen.len() == 2 {
                        seen
                    } else {
                        Keys::new()
                    }
                } else if let Some(rest) = target.strip_prefix("group:") {
                    let (n, authority) = match rest.split_once(':') {
                        Some((n, a)) => (n, a == "authority"),
                        None => (rest, false),
                    };
                    let n: usize = n.parse().unwrap_or(0);
                    let mentioned = earlier().find_map(|p| match &p.referent {
                        Referent::Lexicon(id) if k.lexicon.get(id).is_some_and(|e| e.members.len() == n) => Some(*id),
                        _ => None,
                    });
                    let group = mentioned.or_else(|| k.lexicon.entries.iter().find(|e| e.class == "RegionGroup" && e.members.len() == n).map(|e| e.id));
                    match (group, authority) {
                        (Some(g), false) => smallvec![Cow::Borrowed(g.as_str())],
                        (Some(g), true) => {
                            k.lexicon.get(&g).map(|e| e.members.iter().filter_map(|m| k.lexicon.get(m)?.authority.map(|a| Cow::Borrowed(a.as_str()))).collect()).unwrap_or_default()
                        }
                        (None, _) => Keys::new(),
                    }
                } else if let Some(class) = target.strip_prefix("first:") {
                    // 我校, 本校: the publisher speaking, named as the article's
                    // first organisation of that kind, before or after.
                    mentions
                        .iter()
                        .filter(|p| k.vocab.is_a_named(p.class, class) && !matches!(p.referent, Referent::Back(_)) && key_ref(p).is_some())
                        .min_by_key(|p| p.span.start)
                        .and_then(key_of)
                        .into_iter()
                        .collect()
                } else if k.vocab.is_class(target) {
                    // 该校: the first such entity of the latest sentence that names one
                    // (the subject there, not merely the nearest name).
                    let fits = |p: &&Mention| k.vocab.is_a_named(p.class, target) && !matches!(p.referent, Referent::Back(_)) && key_ref(p).is_some();
                    let latest = earlier().find(fits).map(|p| p.sentence);
                    mentions[..i]
                        .iter()
                        .filter(|p| Some(p.sentence) == latest && p.span.end <= m.span.start)
                        .filter(fits)
                        .min_by_key(|p| p.span.start)
                        .and_then(key_of)
                        .into_iter()
                        .collect()
                } else {
                    Keys::new()
                }
            }
        };
        out.push(keys);
    }
    // A coreference to a coreference: follow it once.
    out
}

/// Within one article, a document named by part of a longer name of the
/// same article (《实施方案》 after 《…实施方案(2024年-2026年)》) is that document.
fn abbreviated_documents(mut keys: Vec<Keys<'_>>) -> Vec<Keys<'_>> {
    let docs: BTreeSet<String> = keys.iter().flatten().filter(|kk| kk.starts_with("doc|")).map(|kk| kk.to_string()).collect();
    let mut to: FxHashMap<String, String> = FxHashMap::default();
    for short in &docs {
        let longer: Vec<&String> = docs.iter().filter(|l| *l != short && l[4..].contains(&short[4..])).collect();
        if longer.len() == 1 {
            to.insert(short.clone(), longer[0].clone());
        }
    }
    if to.is_empty() {
        return keys;
    }
    for ks in &mut keys {
        for kk in ks.iter_mut().filter(|kk| kk.starts_with("doc|")) {
            if let Some(long) = to.get(kk.as_ref()) {
                *kk = Cow::Owned(long.clone());
            }
        }
    }
    keys
}

/// Which family of IRI a class belongs to.
fn iri_kind(k: &Knowledge, class: Sym) -> &'static str {
    for (ancestor, kind) in [
        ("School", "school"),
        ("GovernmentBody", "body"),
        ("Organization", "org"),
        ("Person", "person"),
        ("Event", "event"),
        ("Document", "document"),
        ("Program", "program"),
        ("Place", "place"),
        ("Field", "field"),
    ] {
        if k.vocab.is_a_named(class, ancestor) {
            return kind;
        }
    }
    "thing"
}

/// What resolution needs of one article, settled within it (coreference,
/// abbreviated documents): the keys each mention refers to, and for each
/// mention that names one key directly, that key's class and surfaces there.
/// Strings are ids of a corpus-wide [`Terms`]: a build keeps this, not the
/// mentions, for every article (on disk: `spill`), and in the store's memo.
/// (Flat: a handful of vectors an article, not one per mention, for ten
/// thousand of them are read and written on every build.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleKeys {
    /// The keys of every mention, one mention after another; mention `i`'s
    /// end at `key_ends[i]`.
    keys: Vec<u32>,
    key_ends: Vec<u32>,
    /// Names: key, class, and the end of its surfaces in `surfaces`.
    named: Vec<[u32; 3]>,
    surfaces: Vec<u32>,
}

impl ArticleKeys {
    /// How many mentions the article has.
    pub fn len(&self) -> usize {
        self.key_ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.key_ends.is_empty()
    }
    /// The keys of each mention.
    pub fn mention_keys(&self) -> impl Iterator<Item = &[u32]> {
        let starts = std::iter::once(0).chain(self.key_ends.iter().copied());
        starts.zip(self.key_ends.iter().copied()).map(|(a, b)| &self.keys[a as usize..b as usize])
    }
    /// Each name: its key, class and surfaces.
    pub fn names(&self) -> impl Iterator<Item = (u32, u32, &[u32])> {
        let starts = std::iter::once(0).chain(self.named.iter().map(|n| n[2]));
        starts.zip(&self.named).map(|(a, n)| (n[0], n[1], &self.surfaces[a as usize..n[2] as usize]))
    }
}

/// One article settled, before its strings are interned (which needs the
/// corpus-wide table: [`UninternedKeys::intern`]).
pub struct UninternedKeys<'m> {
    keys: Vec<Keys<'m>>,
    named: Vec<(usize, &'m str, SmallVec<[&'m str; 2]>)>,
}

/// Settles one article's mentions within it. The costly part of
/// [`ArticleKeys`], on any core: interning is left to [`UninternedKeys::intern`].
pub fn article_keys<'m>(mentions: &'m [Mention], k: &Knowledge) -> UninternedKeys<'m> {
    let keys = abbreviated_documents(settle_back(mentions, k));
    // Sized at once (collected through the filter, it grew five times an
    // article).
    let mut named = Vec::with_capacity(mentions.len());
    named.extend(mentions.iter().zip(&keys).enumerate().filter(|(_, (m, ks))| !matches!(m.referent, Referent::Back(_)) && !m.surface.is_empty() && ks.len() == 1).map(
        |(i, (m, _))| {
            let mut surfaces: SmallVec<[&str; 2]> = smallvec![m.surface.as_str()];
            surfaces.extend(m.variants.iter().filter(|v| !v.is_empty() && v.chars().count() >= 2).map(String::as_str));
            (i, m.class.as_str(), surfaces)
        },
    ));
    UninternedKeys { keys, named }
}

impl UninternedKeys<'_> {
    pub fn intern(&self, terms: &mut Terms) -> ArticleKeys {
        let mut s = ArticleKeys {
            keys: Vec::with_capacity(self.keys.iter().map(|ks| ks.len()).sum()),
            key_ends: Vec::with_capacity(self.keys.len()),
            named: Vec::with_capacity(self.named.len()),
            // Held by the thousand when a corpus is extracted in memory:
            // sized at once, not left at its last doubling.
            surfaces: Vec::with_capacity(self.named.iter().map(|(_, _, surfaces)| surfaces.len()).sum()),
        };
        for ks in &self.keys {
            s.keys.extend(ks.iter().map(|kk| terms.id(kk)));
            s.key_ends.push(s.keys.len() as u32);
        }
        for (i, class, surfaces) in &self.named {
            s.surfaces.extend(surfaces.iter().map(|x| terms.id(x)));
            // The name's one key, interned just above.
            let key = s.keys[if *i == 0 { 0 } else { s.key_ends[i - 1] as usize }];
            s.named.push([key, terms.id(class), s.surfaces.len() as u32]);
        }
        s
    }
}

/// Resolves a corpus from each article's [`ArticleKeys`]: it needs nothing else
/// of an article, so a build need not hold (or even read) the mentions; and
/// it needs each article once, in any order, so a build need not hold them
/// either (they can come from disk).
pub fn resolve_keys<'t>(corpus: impl IntoIterator<Item = impl std::borrow::Borrow<ArticleKeys>>, terms: &'t Terms, k: &Knowledge) -> Resolution {
    // Every name key in the corpus, with the classes and surfaces seen for it.
    // (Hashed while gathering, sorted once: half a million mentions at ten
    // thousand articles.)
    let mut gathered: FxHashMap<u32, (FxHashSet<u32>, FxHashSet<u32>)> = FxHashMap::default();
    for s in corpus {
        let s = s.borrow();
        for &key in &s.keys {
            gathered.entry(key).or_default();
        }
        for (key, class, surfaces) in s.names() {
            let e = gathered.entry(key).or_default();
            e.0.insert(class);
            e.1.extend(surfaces.iter().copied());
        }
    }
    // The keys in the order of their strings: what follows is deterministic.
    let mut seen: Vec<(&str, u32)> = gathered.keys().map(|&key| (terms.get(key), key)).collect();
    seen.sort_unstable_by(|a, b| a.0.cmp(b.0));

    // Merges: an unplaced or abbreviated organisation name joins the one name it can mean.
    let mut merged: FxHashMap<&str, &str> = FxHashMap::default();
    // Each organisation key parsed once, with its core's length in chars.
    let orgs: Vec<(&str, OrgKey<'_>, usize)> = seen
        .iter()
        .map(|&(kk, _)| kk)
        .filter(|kk| kk.starts_with("org|"))
        .filter_map(|kk| {
            let a = parse_org_key(kk)?;
            let n = a.core.chars().count();
            Some((kk, a, n))
        })
        .collect();
    // Candidates share the suffix and the first character of the name, and
    // a placed name's candidates its place: index by all three ("?" stands
    // for any place). Without the place, the buckets of a large corpus grow
    // with it and the comparisons with their square.
    let mut buckets: FxHashMap<(&str, Option<char>, &str), Vec<usize>> = FxHashMap::default();
    for (i, (_, a, _)) in orgs.iter().enumerate() {
        let first = a.core.chars().next();
        buckets.entry((a.suffix, first, a.place)).or_default().push(i);
        if a.place != "?" {
            buckets.entry((a.suffix, first, "?")).or_default().push(i);
        }
    }
    for (i, (key, a, a_len)) in orgs.iter().enumerate() {
        let bucket = buckets.get(&(a.suffix, a.core.chars().next(), a.place)).map(Vec::as_slice).unwrap_or(&[]);
        let mut candidates = bucket.iter().filter(|&&j| j != i).filter(|&&j| {
            let (_, b, b_len) = &orgs[j];
            if a.suffix != b.suffix || b.core.is_empty() {
                return false;
            }
            let place_ok = a.place == b.place || a.place == "?";
            let same_core = a.core == b.core && a.place == "?" && b.place != "?";
            let abbreviation = a_len < b_len
                && *a_len >= 2
                && a.core.chars().next() == b.core.chars().next()
                && in_order(a.core, b.core)
                && (a.place == b.place || a.place == "?" || b.place == "?");
            place_ok && (same_core || abbreviation)
        });
        if let (Some(&only), None) = (candidates.next(), candidates.next()) {
            merged.insert(key, orgs[only].0);
        }
    }
    let canonical = |key: &'t str| -> &'t str { follow_merges(&merged, key) };

    // Entities: the keys of each canonical key, in the order of its string.
    // (Classes and surfaces kept as ids until a group is made: most keys are
    // a group of their own, and B-trees of strings for each key would be
    // several allocations per key.)
    let mut groups: FxHashMap<&str, SmallVec<[u32; 1]>> = FxHashMap::default();
    for &(key, id) in &seen {
        groups.entry(canonical(key)).or_default().push(id);
    }
    let mut groups: Vec<(&str, SmallVec<[u32; 1]>)> = groups.into_iter().collect();
    groups.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut id_of: FxHashMap<&str, String> = FxHashMap::default();
    let mut entities = BTreeMap::new();
    let (mut classes, mut surfaces): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for (key, members) in &groups {
        classes.clear();
        surfaces.clear();
        for m in members {
            let (cs, ss) = &gathered[m];
            classes.extend(cs.iter().map(|&c| terms.get(c)));
            surfaces.extend(ss.iter().map(|&x| terms.get(x)));
        }
        classes.sort_unstable();
        classes.dedup();
        surfaces.sort_unstable();
        surfaces.dedup();
        let lex = k.lexicon.get(key);
        let class = match lex {
            Some(e) => e.class,
            None => most_specific(k, &classes),
        };
        let Some(class) = Some(class).filter(|c| !c.is_empty()) else { continue };
        let id = match lex {
            Some(e) => e.id.to_string(),
            None => format!("{}/{}", iri_kind(k, class), short_hash(key)),
        };
        let label = match lex {
            Some(e) => e.name.clone(),
            None => surfaces.iter().max_by(|a, b| label_rank(a).cmp(&label_rank(b)).then(b.cmp(a))).map(|s| s.to_string()).unwrap_or_default(),
        };
        if label.is_empty() {
            continue;
        }
        let label_norm = norm(&label);
        let alt_labels: Vec<String> = surfaces.iter().filter(|s| **s != label && norm(s) != label_norm).map(|s| s.to_string()).collect();
        id_of.insert(key, id.clone());
        entities.insert(id.clone(), Entity { id, class, label, alt_labels, from_lexicon: lex.is_some() });
    }
    // Each key straight to the number of its entity, worked out once per
    // distinct key.
    let mut referents = Referents::default();
    let mut number: FxHashMap<&str, u32> = FxHashMap::default();
    for &(key, key_id) in &seen {
        let c = canonical(key);
        let id: &str = match id_of.get(c) {
            Some(id) => id,
            None => match k.lexicon.get(c) {
                Some(e) => e.id.as_str(),
                None => continue,
            },
        };
        // Lexicon entities reached only through coreference still need an entry.
        if !entities.contains_key(id) {
            if let Some(e) = k.lexicon.get(id) {
                entities.insert(e.id.to_string(), Entity { id: e.id.to_string(), class: e.class, label: e.name.clone(), alt_labels: Vec::new(), from_lexicon: true });
            }
        }
        let i = *number.entry(id).or_insert_with(|| {
            referents.ids.push(sym(id));
            (referents.ids.len() - 1) as u32
        });
        referents.of_key.insert(key_id, i);
    }
    Resolution { referents, entities }
}

/// The key a key was merged into, through at most four merges.
fn follow_merges<'t>(merged: &FxHashMap<&'t str, &'t str>, key: &'t str) -> &'t str {
    let mut cur = key;
    for _ in 0..4 {
        match merged.get(cur) {
            Some(&next) if next != cur => cur = next,
            _ => break,
        }
    }
    cur
}

/// The fullest form: most Han characters, then longest.
fn label_rank(s: &str) -> (usize, usize) {
    (s.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count(), s.chars().count())
}

/// The deepest class among those seen (SeniorHighSchool over School); of
/// equally deep ones, the first by name.
fn most_specific(k: &Knowledge, classes: &[&str]) -> Sym {
    let depth = |c: &str| k.vocab.superclasses(c).len();
    classes.iter().max_by(|a, b| depth(a).cmp(&depth(b)).then(b.cmp(a))).map(|c| sym(c)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys merged into one entity name it once; unknown keys name none.
    #[test]
    fn a_mention_refers_to_each_entity_of_its_keys_once_in_order() {
        let (a, b) = (sym("xtr:a"), sym("xtr:b"));
        let referents = Referents { ids: vec![a, b], of_key: [(1, 1), (2, 0), (3, 1)].into_iter().collect() };
        let s = ArticleKeys { keys: vec![1, 2, 3, 9], key_ends: vec![3, 4], ..Default::default() };
        let got = referents.of_owned(&s);
        assert_eq!(got, vec![Referred::from_slice(&[b, a]), Referred::new()]);
    }

    #[test]
    fn characters_in_order() {
        assert!(in_order("ac", "abc"));
        assert!(!in_order("ca", "abc"));
    }
}
