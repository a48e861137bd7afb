//! Export: the dataset (or one graph) in a standard RDF format, or the
//! relations between entities as a diagram: Graphviz DOT, or SVG/PNG/PDF
//! rendered by Graphviz.
//!
//! A diagram is made in steps, one file each: [`network`] reads the
//! relations from the store, [`select`] chooses what to draw (a focus, a
//! class, a size), [`entity`] says what is drawn of each end, [`style`] how
//! each class and relation looks, [`dot`] writes the DOT and [`render`]
//! hands it to Graphviz; [`diagram`] chains them.

pub mod diagram;
pub mod dot;
pub mod entity;
pub mod network;
mod rdf;
pub mod render;
pub mod select;
pub mod style;

pub use diagram::{diagram, draw, Diagram, Request};
pub use rdf::write_rdf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Dot,
    Svg,
    Png,
    Pdf,
    Turtle,
    Trig,
    Nquads,
    Ntriples,
    Rdfxml,
    Jsonld,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "dot" => ExportFormat::Dot,
            "svg" => ExportFormat::Svg,
            "png" => ExportFormat::Png,
            "pdf" => ExportFormat::Pdf,
            "turtle" => ExportFormat::Turtle,
            "trig" => ExportFormat::Trig,
            "nquads" => ExportFormat::Nquads,
            "ntriples" => ExportFormat::Ntriples,
            "rdfxml" => ExportFormat::Rdfxml,
            "jsonld" => ExportFormat::Jsonld,
            other => return Err(format!("unknown export format `{other}`")),
        })
    }
}

impl ExportFormat {
    /// The names `from_str` reads, for a command line to offer.
    pub const NAMES: &'static [&'static str] = &["dot", "svg", "png", "pdf", "turtle", "trig", "nquads", "ntriples", "rdfxml", "jsonld"];

    /// The format a file name's extension implies.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "dot" | "gv" => ExportFormat::Dot,
            "svg" => ExportFormat::Svg,
            "png" => ExportFormat::Png,
            "pdf" => ExportFormat::Pdf,
            "ttl" => ExportFormat::Turtle,
            "trig" => ExportFormat::Trig,
            "nq" => ExportFormat::Nquads,
            "nt" => ExportFormat::Ntriples,
            "rdf" | "xml" | "owl" => ExportFormat::Rdfxml,
            "jsonld" | "json" => ExportFormat::Jsonld,
            _ => return None,
        })
    }

    /// Whether the format is a diagram of the relations (DOT or a picture of it).
    pub fn is_diagram(self) -> bool {
        matches!(self, ExportFormat::Dot | ExportFormat::Svg | ExportFormat::Png | ExportFormat::Pdf)
    }

    /// The `-T` name Graphviz renders the format by; `None` for DOT itself and RDF.
    pub fn graphviz(self) -> Option<&'static str> {
        match self {
            ExportFormat::Svg => Some("svg"),
            ExportFormat::Png => Some("png"),
            ExportFormat::Pdf => Some("pdf"),
            _ => None,
        }
    }

    fn rdf(self) -> Option<oxigraph::io::RdfFormat> {
        use oxigraph::io::RdfFormat;
        Some(match self {
            ExportFormat::Dot | ExportFormat::Svg | ExportFormat::Png | ExportFormat::Pdf => return None,
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::Trig => RdfFormat::TriG,
            ExportFormat::Nquads => RdfFormat::NQuads,
            ExportFormat::Ntriples => RdfFormat::NTriples,
            ExportFormat::Rdfxml => RdfFormat::RdfXml,
            ExportFormat::Jsonld => RdfFormat::JsonLd { profile: Default::default() },
        })
    }
}
