//! Plain data types passed between the pipeline stages.
//!
//! ingest → [`Article`] → mentions → [`Mention`]s → resolve → [`Entity`]s →
//! relations → [`Relation`]s; all bundled in an [`Extraction`], which the rdf
//! stage turns into quads. Nothing here does I/O.

use serde::{Deserialize, Serialize};

/// A name from the vocabulary or the rules (a class, a property, a rule id)
/// or an entity id, interned once per process: mentions, links and
/// relations copy a pointer instead of owning a string each (extraction
/// made hundreds of such strings an article). Ordered and serialised as the
/// string it names.
pub type Sym = ustr::Ustr;

/// The [`Sym`] of a name.
pub fn sym(name: &str) -> Sym {
    ustr::ustr(name)
}

/// The [`Sym`] of a name the code itself uses (`sym!("startDate")`),
/// interned once per place it is written: interning hashes the name and
/// takes the interner's lock, a cost not worth paying again for every link
/// and mention.
#[macro_export]
macro_rules! sym {
    ($name:literal) => {{
        static SYM: std::sync::OnceLock<$crate::model::Sym> = std::sync::OnceLock::new();
        *SYM.get_or_init(|| $crate::model::sym($name))
    }};
}

/// Character offsets `[start, end)` into an article's normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Whether word `w` stands in `chars` at `pos`: the grammar and the rules test
/// words in place rather than making strings of the text.
pub fn word_at(chars: &[char], pos: usize, w: &str) -> bool {
    word_len_at(chars, pos, w).is_some()
}

/// The length in chars of word `w` if it stands in `chars` at `pos`
/// (counted while comparing, not in a pass of its own).
pub fn word_len_at(chars: &[char], pos: usize, w: &str) -> Option<usize> {
    let mut i = pos;
    for ch in w.chars() {
        if chars.get(i) != Some(&ch) {
            return None;
        }
        i += 1;
    }
    Some(i - pos)
}

/// Fills `chars` with the characters of `text` and `byte_of` with the byte
/// offset of each (and of the end), into buffers kept from one line or
/// sentence to the next.
pub fn fill_chars(text: &str, chars: &mut Vec<char>, byte_of: &mut Vec<usize>) {
    chars.clear();
    byte_of.clear();
    for (b, ch) in text.char_indices() {
        chars.push(ch);
        byte_of.push(b);
    }
    byte_of.push(text.len());
}

/// Fills `at` with, for each byte offset of `text` (and its end), the index
/// of the character it falls in: matchers report bytes, spans are
/// characters. The buffer is kept from sentence to sentence: a fresh one
/// each time is a large allocation, and glibc tidies its small free lists
/// before every large one (`malloc_consolidate`), which would then run for
/// every sentence.
pub fn fill_char_offsets(text: &str, at: &mut Vec<usize>) {
    at.clear();
    at.reserve(text.len() + 1);
    // By bytes: a byte that is not a continuation byte (10xxxxxx) starts a
    // character; one sized extend rather than a push per byte (which would
    // check the capacity at every byte).
    let mut n = 0usize;
    at.extend(text.as_bytes().iter().map(|&b| {
        n += usize::from(b & 0xc0 != 0x80);
        n - 1
    }));
    at.push(n);
}

/// Something odd about the input that did not stop the stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub message: String,
}

/// Metadata read from the article's header lines and byline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub url: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`: as precise as the text allows.
    pub date: Option<String>,
    /// The year a date without one (10月8日) takes.
    pub year: Option<u32>,
}

/// One sentence of the article body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: Span,
    /// The same stretch of the article's text in bytes: a sentence's text
    /// is sliced from the article's ([`Article::sentence_text`]), not held
    /// as a copy of its own (a string per sentence would be an allocation
    /// per sentence, and the article's text twice in memory).
    pub bytes: std::ops::Range<usize>,
    /// Index of the paragraph (body line) it belongs to.
    pub paragraph: usize,
}

/// An article after decoding, normalisation, furniture removal and splitting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Article {
    /// Path relative to the seeds folder, with `/` separators.
    pub source_file: String,
    /// SHA-256 of the raw bytes, hex.
    pub content_hash: String,
    /// Normalised text (Simplified, full-width ASCII folded). Spans index it.
    pub text: String,
    /// For each character of `text`, the index of its character in `original`
    /// (empty when there is none).
    #[serde(skip, default)]
    pub original_offsets: Vec<usize>,
    pub encoding: String,
    /// Whether the text was Traditional Chinese, converted to Simplified.
    pub converted: bool,
    /// The decoded text before normalisation, when it differs (Traditional originals).
    #[serde(skip, default)]
    pub original: Option<String>,
    pub meta: Meta,
    pub sentences: Vec<Sentence>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Article {
    /// The text of sentence `s` of this article. (Empty for a range that is
    /// not one of its text, which only a damaged cache entry could hold: not
    /// a panic.)
    pub fn sentence_text(&self, s: &Sentence) -> &str {
        self.text.get(s.bytes.clone()).unwrap_or_default()
    }
}

/// Why a mention was found: which part of the grammar recognised it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionSource {
    Lexicon,
    NameGrammar,
    Event,
    Document,
    Quoted,
    Person,
    Coreference,
}

/// What a mention refers to before resolution decides the entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Referent {
    /// A curated lexicon entry (place, group, authority, field, program type), by id.
    Lexicon(Sym),
    /// A name read from the text; `key` is its normalised identity.
    Name { key: String },
    /// Points back to entities named earlier (该校, 两校, 三地); filled in by resolve.
    Back(Vec<String>),
}

/// A stretch of a sentence that names something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub sentence: usize,
    pub span: Span,
    pub surface: String,
    /// Local name of an `xt:` class.
    pub class: Sym,
    pub source: MentionSource,
    pub referent: Referent,
    /// Lexicon places this name lies in (雄安 in 雄安启明第二中学), by lexicon id.
    pub places: Places,
    /// Surface forms of the same thing that the grammar knows besides `surface`
    /// (the quoted term of “3+2”联合培养, the un-prefixed name of 天津滨海新区).
    pub variants: Vec<String>,
}

/// What a [`Link`] points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkTarget {
    /// Another mention of the same article, by index.
    Mention(usize),
    /// A lexicon entry, by id.
    Lexicon(Sym),
    Text(String),
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Date(String),
}

/// A fact the name grammar reads from the shape of a name or phrase
/// (a branch's parent, a person's post, a policy's period): it becomes a
/// [`Relation`] once mentions are resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub from: usize,
    pub property: Sym,
    pub to: LinkTarget,
    pub rule: Sym,
}

/// A resolved thing: one per real entity across the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Local part of the IRI under `xtr:`; deterministic from the entity's identity.
    pub id: String,
    pub class: Sym,
    /// Canonical label: the fullest surface form seen.
    pub label: String,
    pub alt_labels: Vec<String>,
    /// Whether it comes from the curated lexicon (its background facts live there).
    pub from_lexicon: bool,
}

/// How sure the text is that something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Modality {
    Reported,
    Planned,
    Stated,
}

impl Modality {
    pub fn local_name(self) -> &'static str {
        match self {
            Modality::Reported => "Reported",
            Modality::Planned => "Planned",
            Modality::Stated => "Stated",
        }
    }
}

/// The object of a relation: another entity or a literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Object {
    Entity(Sym),
    Text(String),
    Date(String),
}

/// One fact read from one sentence, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub subject: Sym,
    /// Local name of an `xt:` property.
    pub property: Sym,
    pub object: Object,
    pub sentence: usize,
    pub rule: Sym,
    pub modality: Modality,
}

/// A figure stated in the text (202所, 近100%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub value: f64,
    pub unit: String,
    pub surface: String,
    pub sentence: usize,
    pub span: Span,
    /// The entity counted, when one stands right before the figure.
    pub about: Option<String>,
}

/// The places a name lies in: none, one or two (a city and its district),
/// held inline (every candidate name of every sentence has them).
pub type Places = smallvec::SmallVec<[Sym; 2]>;

/// The entities one mention refers to: nearly always none or one, held
/// inline (a vector each would be an allocation per mention).
pub type Referred = smallvec::SmallVec<[Sym; 2]>;

/// Everything read from one article: the pure output of the extraction stages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extraction {
    pub article: Article,
    pub mentions: Vec<Mention>,
    /// Entity ids each mention refers to, by index (several for 两校; none: unresolved).
    pub mention_entities: Vec<Referred>,
    pub relations: Vec<Relation>,
    pub observations: Vec<Observation>,
}

#[cfg(test)]
mod tests {
    use super::{Article, Meta, Sentence, Span};

    /// A sentence's text is its byte range of the article's; a range that is
    /// not one (outside the text, or cutting a character) gives an empty
    /// text, not a panic.
    #[test]
    fn sentence_text_is_sliced_from_the_article() {
        let sentence = |bytes: std::ops::Range<usize>| Sentence { span: Span::new(0, 0), bytes, paragraph: 0 };
        let article = Article {
            source_file: "a.txt".into(),
            content_hash: String::new(),
            text: "北京。天津。".into(),
            original_offsets: Vec::new(),
            encoding: "UTF-8".into(),
            converted: false,
            original: None,
            meta: Meta::default(),
            sentences: Vec::new(),
            diagnostics: Vec::new(),
        };
        assert_eq!(article.sentence_text(&sentence(9..18)), "天津。");
        assert_eq!(article.sentence_text(&sentence(9..40)), "");
        assert_eq!(article.sentence_text(&sentence(1..9)), "");
    }
}
