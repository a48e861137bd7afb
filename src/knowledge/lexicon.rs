//! The curated lexicon: places of 京津冀 (generated from the GB/T 2260 codes
//! into places.tsv), region groups, education authorities (from templates),
//! national bodies, fields and program types (lexicon.toml).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::matcher::WordMatcher;
use serde::Deserialize;

use super::{toml_error, KnowledgeError, Vocab};
use crate::model::{sym, Sym};

/// The longest place name the grammar looks for inside other names, in chars.
const MAX_PLACE_CHARS: usize = 7;

/// One thing the project knows before reading: a place, a group, an authority…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconEntry {
    /// Local part of its IRI under `xtr:` (place/110112, group/jjj, authority/11).
    pub id: Sym,
    pub class: Sym,
    pub name: String,
    pub aliases: Vec<String>,
    pub en: Option<String>,
    /// The place it lies in (an entry id).
    pub located_in: Option<Sym>,
    /// Members of a region group (entry ids).
    pub members: Vec<Sym>,
    /// For a place: the id of its education authority.
    pub authority: Option<Sym>,
    /// For an authority: the place it serves.
    pub serves: Option<Sym>,
}

#[derive(Debug)]
pub struct Lexicon {
    pub entries: Vec<LexiconEntry>,
    by_id: rustc_hash::FxHashMap<String, usize>,
    by_surface: rustc_hash::FxHashMap<String, usize>,
    /// Leftmost-longest matcher over every name and alias; pattern i names `surface_entry[i]`.
    pub matcher: WordMatcher,
    surface_entry: Vec<usize>,
    /// The surfaces of `by_surface` that name a place (or group), as
    /// characters, with the lengths (bit `n` for `n` chars) of those that
    /// end (start) with a character: the name grammar asks at each position
    /// of its leftward scans which place ends there: keyed by characters, no
    /// string is made for each length it tries, and hashing only the
    /// lengths that occur saves most of the lookups that remain.
    places_by_chars: rustc_hash::FxHashMap<Box<[char]>, usize>,
    place_lengths_by_last: rustc_hash::FxHashMap<char, u16>,
    place_lengths_by_first: rustc_hash::FxHashMap<char, u16>,
    /// Province code → one-character abbreviation (京).
    pub abbreviations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    place: Vec<PlaceDef>,
    #[serde(default)]
    english: BTreeMap<String, String>,
    #[serde(default)]
    abbreviation: BTreeMap<String, String>,
    #[serde(default)]
    group: Vec<GroupDef>,
    #[serde(default)]
    authority: Vec<AuthorityDef>,
    #[serde(default)]
    national: Vec<NationalDef>,
    fields: Terms,
    programs: Terms,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceDef {
    code: String,
    level: String,
    name: String,
    parent: String,
    #[serde(default)]
    short: Vec<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDef {
    id: String,
    name: String,
    aliases: Vec<String>,
    members: Vec<String>,
    within: Option<String>,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityDef {
    level: String,
    provinces: Vec<String>,
    name: String,
    short: Vec<String>,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NationalDef {
    id: String,
    name: String,
    aliases: Vec<String>,
    class: String,
    en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Terms {
    terms: Vec<String>,
}

struct Place {
    code: String,
    level: String,
    name: String,
    parent: String,
    short: Vec<String>,
}

fn class_of_level(level: &str) -> Option<&'static str> {
    Some(match level {
        "province" => "Province",
        "city" => "City",
        "district" => "District",
        "newarea" => "NewArea",
        _ => return None,
    })
}

fn parse_places(tsv: &str, file: &Path) -> Result<Vec<Place>, KnowledgeError> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 5 {
            return Err(KnowledgeError::new(file, Some((i + 1, 1)), format!("expected 5 tab-separated columns (code, level, name, parent, short forms), found {}", cols.len())));
        }
        if class_of_level(cols[1]).is_none() {
            let col = cols[0].chars().count() + 2;
            return Err(KnowledgeError::new(file, Some((i + 1, col)), format!("unknown level `{}`", cols[1])));
        }
        out.push(Place {
            code: cols[0].to_string(),
            level: cols[1].to_string(),
            name: cols[2].to_string(),
            parent: cols[3].to_string(),
            short: cols[4].split('|').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        });
    }
    Ok(out)
}

fn fill(template: &str, name: &str, short: &str, en: &str) -> String {
    template.replace("{name}", name).replace("{short}", short).replace("{en}", en)
}

impl Lexicon {
    pub fn parse(tsv: &str, tsv_file: &Path, toml_text: &str, toml_file: &Path, vocab: &Vocab) -> Result<Self, KnowledgeError> {
        let def: LexiconFile = toml::from_str(toml_text).map_err(|e| toml_error(toml_file, toml_text, e))?;
        let mut places = parse_places(tsv, tsv_file)?;
        for p in &def.place {
            if class_of_level(&p.level).is_none() {
                return Err(KnowledgeError::new(toml_file, None, format!("place {}: unknown level `{}`", p.code, p.level)));
            }
            places.push(Place { code: p.code.clone(), level: p.level.clone(), name: p.name.clone(), parent: p.parent.clone(), short: p.short.clone() });
        }
        let mut english = def.english.clone();
        for p in &def.place {
            if let Some(en) = &p.en {
                english.insert(p.code.clone(), en.clone());
            }
        }
        let codes: HashMap<&str, &Place> = places.iter().map(|p| (p.code.as_str(), p)).collect();
        let province_of = |code: &str| -> String {
            let mut cur = code.to_string();
            for _ in 0..8 {
                match codes.get(cur.as_str()) {
                    Some(p) if !p.parent.is_empty() => cur = p.parent.clone(),
                    _ => break,
                }
            }
            cur
        };

        let mut entries = Vec::new();
        for p in &places {
            if !p.parent.is_empty() && !codes.contains_key(p.parent.as_str()) {
                return Err(KnowledgeError::new(tsv_file, None, format!("place {} names unknown parent {}", p.code, p.parent)));
            }
            entries.push(LexiconEntry {
                id: sym(&format!("place/{}", p.code)),
                class: sym(class_of_level(&p.level).unwrap_or("Place")),
                name: p.name.clone(),
                aliases: p.short.clone(),
                en: english.get(&p.code).cloned(),
                located_in: (!p.parent.is_empty()).then(|| sym(&format!("place/{}", p.parent))),
                members: Vec::new(),
                authority: None,
                serves: None,
            });
        }
        // Authorities from templates, one per place the template covers.
        for t in &def.authority {
            for p in &places {
                if p.level != t.level || !t.provinces.contains(&province_of(&p.code)) {
                    continue;
                }
                let short = p.short.first().cloned().unwrap_or_else(|| p.name.clone());
                let en_place = english.get(&p.code).cloned().unwrap_or_default();
                let id = format!("authority/{}", p.code);
                let place_id = format!("place/{}", p.code);
                if let Some(e) = entries.iter_mut().find(|e| e.id == place_id) {
                    e.authority = Some(sym(&id));
                }
                entries.push(LexiconEntry {
                    id: sym(&id),
                    class: sym("EducationAuthority"),
                    name: fill(&t.name, &p.name, &short, &en_place),
                    aliases: t.short.iter().map(|s| fill(s, &p.name, &short, &en_place)).collect(),
                    en: (!t.en.is_empty() && !en_place.is_empty()).then(|| fill(&t.en, &p.name, &short, &en_place)),
                    located_in: Some(sym(&place_id)),
                    members: Vec::new(),
                    authority: None,
                    serves: Some(sym(&place_id)),
                });
            }
        }
        for g in &def.group {
            for m in &g.members {
                if !codes.contains_key(m.as_str()) {
                    return Err(KnowledgeError::new(toml_file, None, format!("group {}: unknown member {m}", g.id)));
                }
            }
            entries.push(LexiconEntry {
                id: sym(&format!("group/{}", g.id)),
                class: sym("RegionGroup"),
                name: g.name.clone(),
                aliases: g.aliases.clone(),
                en: g.en.clone(),
                located_in: g.within.as_ref().map(|w| sym(&format!("place/{w}"))),
                members: g.members.iter().map(|m| sym(&format!("place/{m}"))).collect(),
                authority: None,
                serves: None,
            });
        }
        for n in &def.national {
            if !vocab.is_class(&n.class) {
                return Err(KnowledgeError::new(toml_file, None, format!("national {}: unknown class xt:{}", n.id, n.class)));
            }
            entries.push(LexiconEntry {
                id: sym(&format!("org/{}", n.id)),
                class: sym(&n.class),
                name: n.name.clone(),
                aliases: n.aliases.clone(),
                en: n.en.clone(),
                located_in: None,
                members: Vec::new(),
                authority: None,
                serves: None,
            });
        }
        for (kind, class, terms) in [("field", "Field", &def.fields.terms), ("program", "Program", &def.programs.terms)] {
            for t in terms {
                entries.push(LexiconEntry {
                    id: sym(&format!("{kind}/{}", crate::text::short_hash(t))),
                    class: sym(class),
                    name: t.clone(),
                    aliases: Vec::new(),
                    en: None,
                    located_in: None,
                    members: Vec::new(),
                    authority: None,
                    serves: None,
                });
            }
        }

        let by_id: rustc_hash::FxHashMap<String, usize> = entries.iter().enumerate().map(|(i, e)| (e.id.to_string(), i)).collect();
        // A surface names the first entry that claims it: the higher level wins
        // because places.tsv lists provinces, then cities, then districts.
        let mut by_surface: rustc_hash::FxHashMap<String, usize> = Default::default();
        let mut surfaces: Vec<String> = Vec::new();
        let mut surface_entry = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for s in std::iter::once(&e.name).chain(&e.aliases) {
                if s.chars().count() < 2 || by_surface.contains_key(s) {
                    continue;
                }
                by_surface.insert(s.clone(), i);
                surfaces.push(s.clone());
                surface_entry.push(i);
            }
        }
        let matcher = WordMatcher::leftmost_longest(&surfaces).map_err(|e| KnowledgeError::new(toml_file, None, format!("cannot build matcher: {e}")))?;
        let places_by_chars: rustc_hash::FxHashMap<Box<[char]>, usize> =
            by_surface.iter().filter(|&(_, &i)| vocab.is_a(entries[i].class, crate::sym!("Place"))).map(|(s, &i)| (s.chars().collect(), i)).collect();
        let (mut place_lengths_by_last, mut place_lengths_by_first) = (rustc_hash::FxHashMap::default(), rustc_hash::FxHashMap::default());
        for s in places_by_chars.keys().filter(|s| s.len() <= MAX_PLACE_CHARS) {
            if let (Some(&first), Some(&last)) = (s.first(), s.last()) {
                *place_lengths_by_last.entry(last).or_insert(0u16) |= 1 << s.len();
                *place_lengths_by_first.entry(first).or_insert(0u16) |= 1 << s.len();
            }
        }
        Ok(Lexicon { entries, by_id, by_surface, matcher, surface_entry, places_by_chars, place_lengths_by_last, place_lengths_by_first, abbreviations: def.abbreviation })
    }

    pub fn get(&self, id: &str) -> Option<&LexiconEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }
    /// The entry a whole surface form names.
    pub fn lookup(&self, surface: &str) -> Option<&LexiconEntry> {
        self.by_surface.get(surface).map(|&i| &self.entries[i])
    }
    /// The place whose surface is `chars[end - len..end]` for the longest
    /// `len` of at most 7 (the surface's start and its entry).
    pub fn place_ending_at(&self, chars: &[char], end: usize) -> Option<(usize, &LexiconEntry)> {
        let lengths = *self.place_lengths_by_last.get(chars.get(end.checked_sub(1)?)?)?;
        (2..=MAX_PLACE_CHARS.min(end))
            .rev()
            .filter(|len| lengths & (1 << len) != 0)
            .find_map(|len| self.places_by_chars.get(&chars[end - len..end]).map(|&i| (end - len, &self.entries[i])))
    }
    /// The place whose surface is `chars[pos..pos + len]` for the longest
    /// `len` of at most 7 (the surface's end and its entry).
    pub fn place_starting_at(&self, chars: &[char], pos: usize) -> Option<(usize, &LexiconEntry)> {
        let lengths = *self.place_lengths_by_first.get(chars.get(pos)?)?;
        (2..=MAX_PLACE_CHARS.min(chars.len() - pos))
            .rev()
            .filter(|len| lengths & (1 << len) != 0)
            .find_map(|len| self.places_by_chars.get(&chars[pos..pos + len]).map(|&i| (pos + len, &self.entries[i])))
    }
    /// The entry named by pattern `pattern` of the matcher.
    pub fn entry_of_pattern(&self, pattern: usize) -> &LexiconEntry {
        &self.entries[self.surface_entry[pattern]]
    }
    /// Whether `inner` lies in `outer` (following located_in), or is it.
    pub fn within(&self, inner: &str, outer: &str) -> bool {
        let mut cur = Some(inner);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == outer {
                return true;
            }
            steps += 1;
            if steps > 8 {
                break;
            }
            cur = self.get(c).and_then(|e| e.located_in.as_ref()).map(|l| l.as_str());
        }
        false
    }
    /// The province an entry lies in, if any.
    pub fn province_of(&self, id: &str) -> Option<Sym> {
        let mut cur = self.get(id)?;
        for _ in 0..8 {
            if cur.class == "Province" {
                return Some(cur.id);
            }
            cur = self.get(cur.located_in.as_deref()?)?;
        }
        None
    }
}
