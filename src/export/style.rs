//! How a diagram looks: a shape and a fill for each family of classes, the
//! width of a relation by how many articles state it. Presentation only: the
//! classes are the vocabulary's fixed local names, their labels come from
//! the ontology in the diagram's language.

use crate::knowledge::Knowledge;
use crate::model::Sym;

/// The look of the entities of one class and its sub-classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassStyle {
    pub class: &'static str,
    pub shape: &'static str,
    pub fill: &'static str,
}

const fn look(class: &'static str, shape: &'static str, fill: &'static str) -> ClassStyle {
    ClassStyle { class, shape, fill }
}

/// Most specific first: an entity takes the first look its class is a
/// (sub-class of). Schools go from light to dark yellow by level,
/// universities blue; authorities red; places green; documents pink.
const LOOKS: &[ClassStyle] = &[
    look("EducationAuthority", "hexagon", "#f4a6a6"),
    look("GovernmentBody", "hexagon", "#f8d0d0"),
    look("Kindergarten", "box", "#fff8d6"),
    look("PrimarySchool", "box", "#fff0a8"),
    look("SecondarySchool", "box", "#ffe066"),
    look("VocationalSchool", "box", "#ffc285"),
    look("VocationalCollege", "box", "#9fc5e8"),
    look("HigherEducationInstitution", "box", "#cfe2f3"),
    look("School", "box", "#fff8d6"),
    look("ResearchInstitute", "component", "#d9d2e9"),
    look("Alliance", "doubleoctagon", "#d0e0e3"),
    look("Enterprise", "cds", "#e0e0e0"),
    look("Organization", "box", "#f3f3f3"),
    look("RegionGroup", "doublecircle", "#d9ead3"),
    look("Venue", "house", "#d9ead3"),
    look("Place", "ellipse", "#b6d7a8"),
    look("Program", "parallelogram", "#c9daf8"),
    look("Event", "octagon", "#fce5cd"),
    look("Agreement", "note", "#ead1dc"),
    look("Policy", "note", "#d5a6bd"),
    look("Document", "note", "#ead1dc"),
    look("Person", "oval", "#ffffff"),
    look("Field", "tab", "#eeeeee"),
];

/// An entity of no known class.
pub const UNKNOWN: ClassStyle = look("", "box", "#ffffff");

/// The look of an entity of `class`.
pub fn look_of(k: &Knowledge, class: Option<&str>) -> ClassStyle {
    let Some(c) = class.and_then(Sym::from_existing) else { return UNKNOWN };
    LOOKS.iter().copied().find(|l| k.vocab.is_a_named(c, l.class)).unwrap_or(UNKNOWN)
}

/// Node style attributes: rounded boxes, filled shapes.
pub fn node_style(l: &ClassStyle) -> &'static str {
    if l.shape == "box" {
        "filled,rounded"
    } else {
        "filled"
    }
}

/// A term's label in `lang`, else in Chinese, else its local name.
pub fn term_label<'k>(k: &'k Knowledge, term: &'k str, lang: &str) -> &'k str {
    k.vocab.label(term, lang).or_else(|| k.vocab.label(term, "zh")).unwrap_or(term)
}

/// Line width of a relation stated by `articles` articles: one for one,
/// growing by steps and capped, so that a hub's edges stay apart.
pub fn pen_width(articles: usize) -> f64 {
    1.0 + (articles.saturating_sub(1).min(8) as f64) * 0.5
}

/// Words of a diagram's frame, in its language (Chinese unless `en`).
pub struct Words {
    pub legend: &'static str,
    pub legend_lines: &'static str,
    pub articles: &'static str,
    pub inferred: &'static str,
}

pub fn words(lang: &str) -> Words {
    if lang == "en" {
        Words {
            legend: "Legend",
            legend_lines: "dashed: planned\\lthick: stated by several articles\\lno arrow: mutual\\ldotted grey: inferred\\l",
            articles: "articles",
            inferred: "inferred",
        }
    } else {
        Words {
            legend: "图例", legend_lines: "虚线：计划\\l粗线：多篇文章报道\\l无箭头：相互关系\\l灰色点线：推理所得\\l", articles: "篇文章", inferred: "推理所得"
        }
    }
}
