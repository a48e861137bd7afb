//! The DOT text of a network: one styled node per entity (grouped in
//! clusters), one edge per relation, a legend. Sorted by stable ids (the
//! entities' IRIs under `xtr:`), so that two builds' diagrams diff line by line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::entity::Entity;
use super::network::Network;
use super::style::{look_of, node_style, pen_width, term_label, words};
use crate::iri::{DOC_PREFIX, XTR};
use crate::knowledge::Knowledge;

/// The font Graphviz draws every label with (fonts-noto-cjk), so that PNG
/// and PDF show Chinese, not only SVG.
pub const CJK_FONT: &str = "Noto Sans CJK SC";

/// Samples a row of the legend holds.
const LEGEND_ROW: usize = 4;

/// How entities are grouped into boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cluster {
    /// By the province each lies in (the lexicon's hierarchy).
    Province,
    /// By the first article (sorted) that states a relation of it.
    Article,
    /// By the family of classes its look is of.
    Class,
    None,
}

impl std::str::FromStr for Cluster {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "province" => Cluster::Province,
            "article" => Cluster::Article,
            "class" => Cluster::Class,
            "none" => Cluster::None,
            other => return Err(format!("unknown clustering `{other}`")),
        })
    }
}

impl Cluster {
    pub const NAMES: &'static [&'static str] = &["province", "article", "class", "none"];
}

/// How to draw.
#[derive(Debug, Clone)]
pub struct Look {
    /// Label language: `zh`, or `en` where the data has English.
    pub lang: String,
    pub font: String,
    pub cluster: Cluster,
}

impl Default for Look {
    fn default() -> Self {
        Look { lang: "zh".into(), font: CJK_FONT.into(), cluster: Cluster::Province }
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A stable DOT id: the IRI under `xtr:`.
pub fn node_id(iri: &str) -> &str {
    iri.strip_prefix(XTR).unwrap_or(iri)
}

/// Writes `net` as DOT; `entities` holds what is drawn of each end.
pub fn to_dot(k: &Knowledge, net: &Network, entities: &BTreeMap<String, Entity>, look: &Look) -> String {
    let w = words(&look.lang);
    let font = esc(&look.font);
    let mut out = String::new();
    let _ = writeln!(out, "digraph xietong {{");
    // newrank: Graphviz 2.43 cannot rank some clusterings without it (trouble in init_rank).
    let _ = writeln!(out, "    graph [newrank=true, fontname=\"{font}\", charset=\"UTF-8\", rankdir=LR, overlap=false, splines=true, nodesep=0.25, ranksep=0.6];");
    let _ = writeln!(out, "    node [fontname=\"{font}\", fontsize=11, penwidth=0.8];");
    let _ = writeln!(out, "    edge [fontname=\"{font}\", fontsize=9, color=\"#555555\", fontcolor=\"#333333\", arrowsize=0.7];");

    // Groups, by a key that sorts; entities outside any group come last.
    let mut first_article: BTreeMap<&str, &str> = BTreeMap::new();
    for (r, l) in &net.links {
        if let Some(a) = l.article.as_deref() {
            for e in [&r.subject, &r.object] {
                let slot = first_article.entry(e.as_str()).or_insert(a);
                if a < *slot {
                    *slot = a;
                }
            }
        }
    }
    let mut groups: BTreeMap<Option<String>, Vec<&Entity>> = BTreeMap::new();
    for e in net.entities().into_iter().filter_map(|iri| entities.get(iri)) {
        let key = match look.cluster {
            Cluster::Province => e.province.clone(),
            Cluster::Article => first_article.get(e.iri.as_str()).map(|a| a.to_string()),
            Cluster::Class => Some(look_of(k, e.class.as_deref()).class.to_string()).filter(|c| !c.is_empty()),
            Cluster::None => None,
        };
        groups.entry(key).or_default().push(e);
    }
    let mut used_looks = BTreeSet::new();
    let (mut named, loose): (Vec<_>, Vec<_>) = groups.into_iter().partition(|(key, _)| key.is_some());
    named.extend(loose);
    for (i, (key, members)) in named.iter().enumerate() {
        let indent = if key.is_some() { "        " } else { "    " };
        if let Some(key) = key {
            let title = match look.cluster {
                Cluster::Province => {
                    k.lexicon.get(key).map(|p| if look.lang == "en" { p.en.clone().unwrap_or_else(|| p.name.clone()) } else { p.name.clone() }).unwrap_or_else(|| key.clone())
                }
                Cluster::Article => key.strip_prefix(DOC_PREFIX).unwrap_or(key).to_string(),
                Cluster::Class => term_label(k, key, &look.lang).to_string(),
                Cluster::None => String::new(),
            };
            let _ = writeln!(out, "    subgraph cluster_{i} {{");
            let _ = writeln!(out, "        graph [label=\"{}\", style=\"rounded,filled\", fillcolor=\"#f7f7f7\", color=\"#bbbbbb\"];", esc(&title));
        }
        for e in members {
            let l = look_of(k, e.class.as_deref());
            used_looks.insert(l.class);
            let class_label = e.class.as_deref().map(|c| term_label(k, c, &look.lang)).unwrap_or("");
            let _ = writeln!(
                out,
                "{indent}\"{}\" [label=\"{}\", shape={}, style=\"{}\", fillcolor=\"{}\", tooltip=\"{} · {}\"];",
                esc(node_id(&e.iri)),
                esc(&e.label),
                l.shape,
                node_style(&l),
                l.fill,
                esc(class_label),
                esc(node_id(&e.iri))
            );
        }
        if key.is_some() {
            let _ = writeln!(out, "    }}");
        }
    }

    for (r, l) in &net.links {
        let label = term_label(k, &r.property, &look.lang);
        let mut attrs = format!("label=\"{}\"", esc(label));
        if l.symmetric {
            attrs.push_str(", dir=none");
        }
        if l.inferred {
            attrs.push_str(", style=dotted, color=\"#999999\"");
            let _ = write!(attrs, ", tooltip=\"{} · {}\"", esc(label), w.inferred);
        } else {
            if l.planned {
                attrs.push_str(", style=dashed");
            }
            let n = l.articles;
            if n > 1 {
                let _ = write!(attrs, ", penwidth={:.1}", pen_width(n));
            }
            let _ = write!(attrs, ", tooltip=\"{} · {n} {}\"", esc(label), w.articles);
        }
        let _ = writeln!(out, "    \"{}\" -> \"{}\" [{attrs}];", esc(node_id(&r.subject)), esc(node_id(&r.object)));
    }

    // The legend: one sample of each look drawn, and what the lines mean.
    let _ = writeln!(out, "    subgraph cluster_legend {{");
    let _ = writeln!(out, "        graph [label=\"{}\", style=\"rounded\", color=\"#888888\"];", w.legend);
    for (j, class) in used_looks.iter().enumerate() {
        let l = look_of(k, (!class.is_empty()).then_some(*class));
        let name = if class.is_empty() { "?" } else { term_label(k, class, &look.lang) };
        let _ = writeln!(out, "        \"legend/{j}\" [label=\"{}\", shape={}, style=\"{}\", fillcolor=\"{}\", fontsize=9];", esc(name), l.shape, node_style(&l), l.fill);
    }
    let _ = writeln!(out, "        \"legend/lines\" [label=\"{}\", shape=plaintext, fontsize=9];", w.legend_lines);
    // Rows of four samples: invisible edges line each row up along the rank direction.
    let row = LEGEND_ROW;
    for j in 0..used_looks.len() {
        if (j + 1) % row != 0 && j + 1 < used_looks.len() {
            let _ = writeln!(out, "        \"legend/{j}\" -> \"legend/{}\" [style=invis];", j + 1);
        }
    }
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}");
    out
}
