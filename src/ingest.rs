//! Ingest: raw bytes → an [`Article`]: decoded, normalised, stripped of page
//! furniture, split into sentences, with metadata from the header and byline.
//!
//! Pure: takes bytes and a name, returns data. Input that cannot be read as
//! text is an [`IngestError`], never a panic.

use std::fmt;

use crate::knowledge::{Grammar, Knowledge};
use crate::model::{Article, Diagnostic, Meta, Sentence, Span};
use crate::text::content_hash;
use encoding_rs::{Encoding, BIG5, GB18030, UTF_8};

/// Longest sentence kept whole; longer runs without punctuation are cut.
pub const MAX_SENTENCE_CHARS: usize = 400;

/// How the diagnostic of an article that yields no sentences, or sentences
/// holding under 1/[`READ_LITTLE_SHARE`] of its Chinese, begins: its body
/// was most likely taken for page furniture.
pub const READ_LITTLE: &str = "read little or nothing of the article";
const READ_LITTLE_SHARE: usize = 3;

/// The diagnostic saying an article was read little or not at all, if it has one.
pub fn read_little(article: &Article) -> Option<&str> {
    article.diagnostics.iter().map(|d| d.message.as_str()).find(|m| m.starts_with(READ_LITTLE))
}

/// Chinese characters of UTF-8 text, counted by their lead bytes
/// (U+4000–U+9FFF: 0xE4–0xE9), so that the count runs over bytes.
fn han_count(bytes: &[u8]) -> usize {
    // In runs of 255 bytes counted in a byte, so that the count is vectorised.
    bytes.chunks(255).map(|run| run.iter().fold(0u8, |n, &b| n + u8::from(b.wrapping_sub(0xe4) < 6)) as usize).sum()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestError {
    Empty,
    Binary { offset: usize },
    Undecodable { encoding: String, bad: usize },
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IngestError::Empty => write!(f, "the article is empty"),
            IngestError::Binary { offset } => {
                write!(f, "binary data (a NUL or control byte at byte {offset}), not an article")
            }
            IngestError::Undecodable { encoding, bad } => {
                write!(f, "cannot decode the text as Chinese: {bad} characters make no sense as {encoding}, UTF-8, GB18030 or Big5")
            }
        }
    }
}

impl std::error::Error for IngestError {}

/// Decodes bytes whose encoding is not declared: BOM, then UTF-8, then
/// whichever of chardetng's guess, GB18030 and Big5 decodes cleanly into the
/// most characters of `familiar` (the Chinese the curated data uses): short
/// texts are too ambiguous for byte statistics alone.
pub fn decode(bytes: &[u8], familiar: &rustc_hash::FxHashSet<char>) -> Result<(String, &'static str), IngestError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return check_decoded(text.into_owned(), enc, had_errors);
    }
    if let Some(offset) = first_binary_byte(bytes) {
        return Err(IngestError::Binary { offset });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), UTF_8.name()));
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let guess = det.guess(Some(b"cn"), false);
    let mut best: Option<(usize, String, &'static Encoding, bool)> = None;
    for enc in [guess, GB18030, BIG5] {
        let (text, _, had_errors) = enc.decode(bytes);
        let simplified = zhconv::zhconv(&text, zhconv::Variant::ZhHans);
        let score = simplified.chars().filter(|c| familiar.contains(c)).count() * if had_errors { 0 } else { 1 };
        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
            best = Some((score, text.into_owned(), enc, had_errors));
        }
    }
    let (_, text, enc, had_errors) = best.expect("three candidates");
    // A legacy decoding is right only if it gives Chinese: bytes that every
    // single-byte code page accepts as Latin letters are not an article here.
    let non_ascii = text.chars().filter(|c| !c.is_ascii()).count();
    let han = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    if non_ascii > 0 && han * 2 < non_ascii {
        return Err(IngestError::Undecodable { encoding: enc.name().to_string(), bad: non_ascii - han });
    }
    check_decoded(text, enc, had_errors)
}

/// The offset of the first NUL or control byte no text has (tab, line
/// breaks and escape aside). Tested a block of 64 bytes at a time, without
/// an exit inside the block, so that the test is vectorised: a byte at a time,
/// with an exit at each, it could not be.
fn first_binary_byte(bytes: &[u8]) -> Option<usize> {
    let binary = |b: u8| b < 0x09 || (0x0e..0x1b).contains(&b);
    let block = bytes.chunks(64).position(|c| c.iter().fold(false, |any, &b| any | binary(b)))?;
    bytes[block * 64..].iter().position(|&b| binary(b)).map(|i| block * 64 + i)
}

fn check_decoded(text: String, enc: &'static Encoding, had_errors: bool) -> Result<(String, &'static str), IngestError> {
    if had_errors {
        let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
        if bad * 20 > text.chars().count().max(1) {
            return Err(IngestError::Undecodable { encoding: enc.name().to_string(), bad });
        }
    }
    if text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    Ok((text, enc.name()))
}

/// Full-width ASCII → ASCII, ideographic space → space, CR dropped. One
/// character in, at most one out, so offsets map one to one.
fn fold_char(c: char) -> Option<char> {
    match c {
        '\r' => None,
        '\u{3000}' | '\u{a0}' => Some(' '),
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xff01 + 0x21),
        _ => Some(c),
    }
}

/// The characters a conversion to Simplified may change: for each pair of
/// zhconv's table whose words differ, the characters where they differ (all
/// of the source word's when the lengths differ). A text with none of them
/// has nothing to convert, whatever the converter's matches.
struct MayConvert {
    /// One bit per character of the Basic Multilingual Plane.
    bmp: Vec<u64>,
    other: rustc_hash::FxHashSet<char>,
}

static MAY_CONVERT: std::sync::LazyLock<MayConvert> = std::sync::LazyLock::new(|| {
    let mut set = MayConvert { bmp: vec![0; 0x10000 / 64], other: Default::default() };
    for (from, to) in zhconv::tables::expand_table(zhconv::tables::ZH_HANS_TABLE) {
        let (f, t): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
        let differing: Vec<char> = if f.len() == t.len() { f.iter().zip(&t).filter(|(a, b)| a != b).map(|(a, _)| *a).collect() } else { f };
        differing.into_iter().for_each(|c| set.insert(c));
    }
    set
});

impl MayConvert {
    fn insert(&mut self, c: char) {
        let i = c as usize;
        if i < 0x10000 {
            self.bmp[i / 64] |= 1 << (i % 64);
        } else {
            self.other.insert(c);
        }
    }
    fn has(&self, c: char) -> bool {
        let i = c as usize;
        if i < 0x10000 {
            self.bmp[i / 64] & (1 << (i % 64)) != 0
        } else {
            self.other.contains(&c)
        }
    }
    #[cfg(test)]
    fn any_in(&self, text: &str) -> bool {
        text.chars().any(|c| self.has(c))
    }
}

/// zhconv's `is_hans_confidence(text) < 0.45`, in one pass for most text.
/// The confidence is `hant / (hans + hant)`, where `hans` counts the
/// characters a conversion to Simplified would change and `hant` those a
/// conversion to Traditional would: with no `hans` it is 1 (or 0/0), never
/// below the bar, so the second pass over the text (a costly one) is
/// needed only when the first finds something. And the first, the
/// converter's automaton, is asked only of text that holds a character a
/// conversion may change ([`normalise`] notes it as it folds: a bit per
/// character, far cheaper than running the automaton over every text).
fn is_traditional(text: &str) -> bool {
    let hans = zhconv::converters::ZH_TO_HANS_CONVERTER.count_replaced(text);
    if hans == 0 {
        return false;
    }
    let hant = zhconv::converters::ZH_TO_HANT_CONVERTER.count_replaced(text);
    (hant as f32) / ((hans + hant) as f32) < 0.45
}

/// Normalises decoded text; returns it, whether it was Traditional, and, when
/// it was, for each character the index of its character in the decoded
/// original (only a Traditional original is kept: at 8 bytes a character,
/// the map would be a large part of what extraction holds for a Simplified
/// article).
pub fn normalise(decoded: &str) -> (String, Vec<usize>, bool) {
    let mut out = String::with_capacity(decoded.len());
    // Folded as Simplified text, in one pass that also notes whether a
    // character might convert (then, rarely, the Traditional test decides);
    // the runs between characters to fold copied whole, not char by char.
    let (mut run, mut may_convert) = (0, false);
    let convertible = &*MAY_CONVERT;
    for (i, c) in decoded.char_indices() {
        may_convert |= convertible.has(c);
        if fold_char(c) != Some(c) {
            out.push_str(&decoded[run..i]);
            out.extend(fold_char(c));
            run = i + c.len_utf8();
        }
    }
    out.push_str(&decoded[run..]);
    if !may_convert || !is_traditional(decoded) {
        // Nothing to convert or map.
        return (out, Vec::new(), false);
    }
    out.clear();
    let mut map = Vec::with_capacity(decoded.len() / 2);
    let mut line_start = 0usize;
    for line in decoded.split_inclusive('\n') {
        let n = line.chars().count();
        let converted = zhconv::zhconv(line, zhconv::Variant::ZhHans);
        let same_len = converted.chars().count() == n;
        for (i, c) in converted.chars().enumerate() {
            if let Some(f) = fold_char(c) {
                out.push(f);
                map.push(line_start + if same_len { i } else { 0 });
            }
        }
        line_start += n;
    }
    (out, map, true)
}

/// A line of the normalised text, with its character range and the byte
/// offset it starts at.
struct Line<'a> {
    start: usize,
    byte_start: usize,
    text: &'a str,
    chars: usize,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(text.bytes().filter(|&b| b == b'\n').count() + 1);
    let (mut pos, mut byte_start) = (0, 0);
    for l in text.split('\n') {
        let chars = l.chars().count();
        out.push(Line { start: pos, byte_start, text: l, chars });
        pos += chars + 1;
        byte_start += l.len() + 1;
    }
    out
}

fn is_prose(line: &str, min_chars: usize) -> bool {
    prose_of(line, line.chars().count(), min_chars)
}

/// [`is_prose`] of a line whose characters are counted already. (。 is
/// sought first, by memchr; `!` and `?`, folded to ASCII, byte by byte.)
fn prose_of(line: &str, chars: usize, min_chars: usize) -> bool {
    chars >= min_chars && (line.contains('。') || line.bytes().any(|b| b == b'!' || b == b'?'))
}

fn starts_with_marker(line: &str, g: &Grammar) -> bool {
    let t = line.trim_start_matches([' ', '【', '[']);
    g.furniture.markers.iter().any(|m| t.starts_with(m.as_str()))
}

/// Leading bullets and blanks of a page's lists (• 要闻).
const BULLETS: [char; 7] = [' ', '\t', '•', '·', '●', '■', '◆'];

/// Whether one of the furniture labels stands in `line` before a `:`
/// (`来源: 新华网`, `…|编辑:某某`); `at_start`: only as the line's first word.
fn has_label(line: &str, g: &Grammar, at_start: bool) -> bool {
    let t = line.trim_start_matches(BULLETS).trim_start_matches(['(', '【', '[']);
    // Asked at each colon (few lines have one), not of each label.
    let mut colons = t.match_indices(':').map(|(i, _)| t[..i].trim_end());
    // Each label's last character compared first: most labels differ there,
    // and this is asked of every line with a colon.
    let is_label = |before: &str, whole: bool| {
        let last = before.chars().next_back();
        g.furniture.labels.iter().any(|l| l.chars().next_back() == last && if whole { before == l } else { before.ends_with(l.as_str()) })
    };
    if at_start {
        colons.next().is_some_and(|before| is_label(before, true))
    } else {
        colons.any(|before| is_label(before, false))
    }
}

/// A breadcrumb (首页 > 新闻 > 要闻).
fn is_breadcrumb(line: &str) -> bool {
    line.contains(['>', '»', '›'])
}

/// An image's file name left where the image stood (图片_2022.jpg).
fn is_file_name(line: &str) -> bool {
    let t = line.trim().as_bytes();
    let ends_with = |x: &str| t.len() > x.len() && t[t.len() - x.len()..].eq_ignore_ascii_case(x.as_bytes());
    !t.contains(&b' ') && [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"].into_iter().any(ends_with)
}

/// One bit for each character of `s`, by its code modulo 64: a word can be
/// in a line only if its bits are all in the line's, which spares most
/// substring searches (each costs more than the line is long).
fn char_bits(s: &str) -> u64 {
    s.chars().fold(0, |bits, c| bits | 1 << (c as u32 % 64))
}

/// A date stamp: a numeric date (2019-02-27), or a written one with a time
/// after it (2019年2月27日 13:41). Its ISO date.
fn stamp(line: &str) -> Option<String> {
    let (date, start, end) = find_date(line)?;
    let numeric = line[start..end].contains('-');
    let timed = || {
        let rest = line[end..].trim_start();
        let h = rest.bytes().take_while(u8::is_ascii_digit).count();
        (1..=2).contains(&h) && rest[h..].starts_with(':') && rest.as_bytes().get(h + 1).is_some_and(u8::is_ascii_digit)
    };
    (numeric || timed()).then_some(date)
}

/// Longest menu item or site name of a line split by `|`, `_` or ` / `.
const MENU_ITEM_CHARS: usize = 12;

/// The parts of a line split by the separators of page titles and menus
/// (`|`, `_`, a `/` between blanks), as character ranges, blanks trimmed;
/// `None` when it has no such separator.
fn separated_parts(chars: &[char]) -> Option<Vec<(usize, usize)>> {
    let sep = |i: usize| {
        let c = chars[i];
        c == '|' || c == '_' || (c == '/' && i > 0 && chars[i - 1] == ' ' && chars.get(i + 1) == Some(&' '))
    };
    if !(0..chars.len()).any(sep) {
        return None;
    }
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || sep(i) {
            let (mut a, mut b) = (start, i);
            while a < b && chars[a].is_whitespace() {
                a += 1;
            }
            while b > a && chars[b - 1].is_whitespace() {
                b -= 1;
            }
            if b > a {
                parts.push((a, b));
            }
            start = i + 1;
        }
    }
    Some(parts)
}

/// What a line of the page is, read without its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Prose (sentence punctuation, long enough).
    Prose,
    /// Some other line that may be article text (a headline, a subhead).
    Text,
    /// Page furniture: copyright and share lines, labels, stamps,
    /// breadcrumbs, file names.
    Furniture,
}

/// A non-blank line of the page as ingest reads it.
struct Row {
    /// Its index among the text's lines.
    line: usize,
    prose: bool,
    /// It starts with a furniture marker.
    marker: bool,
    shape: Shape,
    /// The characters of it that are text (`None`: a menu).
    range: Option<(usize, usize)>,
    /// Read for sentences.
    keep: bool,
}

/// The shape of a line; `header`: whether it stands before the body's
/// first line of prose, where any furniture label and a bare `label:`
/// make furniture (in the body only a label that starts a line does).
fn shape(line: &str, g: &Grammar, header: bool) -> Shape {
    let t = line.trim();
    if is_prose(t, g.furniture.prose_min_chars) {
        return Shape::Prose;
    }
    let n = t.chars().count();
    if n == 0 {
        return Shape::Text;
    }
    let bits = char_bits(t);
    let furniture = g.furniture.words.iter().any(|w| char_bits(w) & !bits == 0 && t.contains(w.as_str()))
        || has_label(t, g, !header)
        || stamp(t).is_some()
        || is_breadcrumb(t)
        || is_file_name(t)
        || (header && t.ends_with(':') && n <= 8);
    if furniture {
        return Shape::Furniture;
    }
    Shape::Text
}

/// The part of a line that is text: a headline without the site names an
/// SEO title wraps it in (标题_某某网), without leading bullets; `None`
/// when the whole line is a menu (首页|要闻|视频).
fn text_range(chars: &[char]) -> Option<(usize, usize)> {
    let lead = chars.iter().take_while(|c| BULLETS.contains(c)).count();
    let whole = (lead, chars.len());
    let Some(parts) = separated_parts(chars) else { return Some(whole) };
    let long: Vec<&(usize, usize)> = parts.iter().filter(|(a, b)| b - a > MENU_ITEM_CHARS).collect();
    match long.as_slice() {
        [] if parts.len() >= 2 => None,
        [&(a, b)] => Some((a.max(lead), b)),
        _ => Some(whole),
    }
}

/// A date in a line: `YYYY-M-D` or `YYYY年M月D日`, as ISO, with its byte range.
fn find_date(s: &str) -> Option<(String, usize, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit) && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let year = &s[i..i + 4];
            let rest = &s[i + 4..];
            let (sep_m, sep_d, end_d): (&str, &str, &str) = if rest.starts_with('-') {
                ("-", "-", "")
            } else if rest.starts_with("年") {
                ("年", "月", "日")
            } else {
                ("", "", "")
            };
            if !sep_m.is_empty() {
                let r = &rest[sep_m.len()..];
                let m: String = r.chars().take_while(char::is_ascii_digit).collect();
                let r2 = &r[m.len()..];
                if !m.is_empty() && m.len() <= 2 && r2.starts_with(sep_d) {
                    let r3 = &r2[sep_d.len()..];
                    let d: String = r3.chars().take_while(char::is_ascii_digit).collect();
                    if !d.is_empty() && d.len() <= 2 && r3[d.len()..].starts_with(end_d) {
                        let (mm, dd) = (m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
                        if (1..=12).contains(&mm) && (1..=31).contains(&dd) {
                            let end = i + 4 + sep_m.len() + m.len() + sep_d.len() + d.len() + end_d.len();
                            return Some((format!("{year}-{mm:02}-{dd:02}"), i, end));
                        }
                    }
                }
            }
        }
        i += 1;
    }
    None
}

/// A date in a URL path: /2020/0225/, /2019-01/09/, /20200225/.
fn url_date(url: &str) -> Option<String> {
    let digits: Vec<(usize, &str)> = url
        .split(|c: char| !c.is_ascii_digit())
        .scan(0usize, |pos, part| {
            let here = *pos;
            *pos += part.len() + 1;
            Some((here, part))
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    for w in digits.windows(3) {
        let (y, m, d) = (w[0].1, w[1].1, w[2].1);
        if y.len() == 4 && m.len() == 2 && d.len() == 2 && (y.starts_with("19") || y.starts_with("20")) {
            return valid_ymd(y, m, d);
        }
    }
    for w in digits.windows(2) {
        let (y, md) = (w[0].1, w[1].1);
        if y.len() == 4 && md.len() == 4 && (y.starts_with("19") || y.starts_with("20")) {
            return valid_ymd(y, &md[..2], &md[2..]);
        }
    }
    for (_, p) in &digits {
        if p.len() == 8 && (p.starts_with("19") || p.starts_with("20")) {
            return valid_ymd(&p[..4], &p[4..6], &p[6..]);
        }
    }
    None
}

fn valid_ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let (mm, dd): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mm) && (1..=31).contains(&dd)).then(|| format!("{y}-{mm:02}-{dd:02}"))
}

/// The latest `YYYY年` the text mentions: the year an undated article implies.
fn latest_year(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    let mut best = None;
    for i in 0..chars.len().saturating_sub(4) {
        if chars[i + 4] == '年' && chars[i..i + 4].iter().all(|c| c.is_ascii_digit()) && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let y: u32 = chars[i..i + 4].iter().collect::<String>().parse().unwrap_or(0);
            if (1949..=2100).contains(&y) {
                best = best.max(Some(y));
            }
        }
    }
    best
}

/// Reads a byline (`慧聪教育网 2023-10-10 09:47 来源:东方财富`,
/// `2021-05-06 08:12|来源:某某日报|编辑:某某`): its publisher (the name
/// before the date, else the value of a source label) and its date.
fn byline(line: &str, g: &Grammar) -> (Option<String>, Option<String>) {
    let date = find_date(line);
    let label_value = |label: &str| {
        line.match_indices(label).find_map(|(i, _)| {
            let rest = line[i + label.len()..].trim_start().strip_prefix(':')?;
            let value = rest.trim_start().split(|c: char| c.is_whitespace() || matches!(c, '|' | '/' | '_')).next().unwrap_or("");
            (!value.is_empty()).then(|| value.to_string())
        })
    };
    // The name before the date, unless it is a label (时间:) or holds one.
    let before = date
        .as_ref()
        .map(|(_, start, _)| line[..*start].trim())
        .filter(|b| !b.is_empty() && !b.contains([':', '|', '/', '_', '>']) && !b.starts_with(BULLETS) && b.chars().count() <= 20);
    let publisher = before.map(str::to_string).or_else(|| g.furniture.source_labels.iter().find_map(|l| label_value(l)));
    (publisher, date.map(|d| d.0))
}

/// Ranges (in chars, relative to the line) that are not article text:
/// credits like (记者…), (…摄), a trailing (王力), a leading 【source】 tag,
/// the dateline before a leading credit (本报讯(记者…)), and a photo
/// credit after a caption's last sentence (…现场。 记者 王某 摄).
fn excluded_ranges(chars: &[char], g: &Grammar) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if chars.first() == Some(&'【') {
        if let Some(end) = chars.iter().position(|&c| c == '】') {
            if end <= 12 {
                out.push((0, end + 1));
            }
        }
    }
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '(' {
            if let Some(len) = chars[i..].iter().position(|&c| c == ')') {
                let inner: String = chars[i + 1..i + len].iter().collect();
                let at_end = chars[i + len + 1..].iter().all(|c| c.is_whitespace());
                let credit = g.furniture.credit_markers.iter().any(|m| inner.contains(m.as_str())) && inner.chars().count() <= 24;
                let name_only = at_end && (2..=4).contains(&inner.chars().count()) && inner.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                if credit || name_only {
                    out.push((i, i + len + 1));
                    i += len + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    // A dateline: the short run before the first credit, when it starts the
    // line and ends with a dateline word (讯, 电, 消息).
    if let Some(&(start, _)) = out.iter().find(|(s, _)| *s > 0) {
        let lead: String = chars[..start].iter().collect();
        let lead = lead.trim();
        let plain = !lead.contains([',', '。', ';', '!', '?', '“']);
        if plain && lead.chars().count() <= 16 && out.iter().all(|&(s, _)| s >= start) && g.furniture.dateline_ends.iter().any(|w| lead.ends_with(w.as_str())) {
            out.insert(0, (0, start));
        }
    }
    // A photo credit after the last sentence: a short run ending with a credit word.
    let after = chars.iter().rposition(|c| matches!(c, '。' | '!' | '?')).map_or(0, |p| p + 1);
    let tail = &chars[after..];
    let from = after + tail.iter().take_while(|c| c.is_whitespace()).count();
    let tail = &chars[from..chars.len() - tail.iter().rev().take_while(|c| c.is_whitespace()).count().min(chars.len() - from)];
    let ends_with = |w: &str| w.chars().count() <= tail.len() && w.chars().rev().zip(tail.iter().rev()).all(|(a, &b)| a == b);
    if !tail.is_empty() && tail.len() <= 16 && out.last().is_none_or(|&(_, e)| e <= after) && g.furniture.photo_credit_ends.iter().any(|w| ends_with(w)) {
        out.push((after, chars.len()));
    }
    out
}

/// Splits one body line into sentences on 。!?; keeping quotes and brackets balanced.
/// `line`: its characters, `byte_of` the byte offset of each in the line
/// (and of its end); the line starts at char `base`, byte `byte_base` of
/// the article's text.
fn split_sentences(line: &[char], byte_of: &[usize], (base, byte_base): (usize, usize), paragraph: usize, excluded: &[(usize, usize)], out: &mut Vec<Sentence>) {
    let push = |s: usize, e: usize, out: &mut Vec<Sentence>| {
        let trimmed_start = s + line[s..e].iter().take_while(|c| c.is_whitespace()).count();
        let trimmed_end = e - line[s..e].iter().rev().take_while(|c| c.is_whitespace()).count();
        if trimmed_end > trimmed_start {
            let mut a = trimmed_start;
            while a < trimmed_end {
                let b = (a + MAX_SENTENCE_CHARS).min(trimmed_end);
                out.push(Sentence { span: Span::new(base + a, base + b), bytes: byte_base + byte_of[a]..byte_base + byte_of[b], paragraph });
                a = b;
            }
        }
    };
    // Segments between excluded ranges are split independently.
    let mut segments: smallvec::SmallVec<[(usize, usize); 4]> = smallvec::SmallVec::new();
    let mut pos = 0;
    for &(s, e) in excluded {
        segments.push((pos, s));
        pos = e;
    }
    segments.push((pos, line.len()));
    for (seg_start, seg_end) in segments {
        let mut start = seg_start;
        let mut depth: i32 = 0;
        let mut i = seg_start;
        while i < seg_end {
            let c = line[i];
            match c {
                '“' | '《' | '(' | '「' | '‘' => depth += 1,
                '”' | '》' | ')' | '」' | '’' => depth = (depth - 1).max(0),
                _ => {}
            }
            let terminator = matches!(c, '。' | '!' | '?' | ';');
            if terminator {
                let mut end = i + 1;
                // A terminator right before a closing quote ends the quoted sentence.
                while end < seg_end && matches!(line[end], '”' | '」' | '’' | ')') {
                    end += 1;
                    depth = (depth - 1).max(0);
                }
                if depth == 0 {
                    push(start, end, out);
                    start = end;
                }
                i = end;
                continue;
            }
            i += 1;
        }
        push(start, seg_end, out);
    }
}

/// Reads one article. `source_file` is its path relative to the seeds folder.
pub fn ingest(bytes: &[u8], source_file: &str, k: &Knowledge) -> Result<Article, IngestError> {
    let g = &k.grammar;
    let content_hash = content_hash(bytes);
    let (decoded, encoding) = decode(bytes, &k.familiar_chars)?;
    let (text, original_offsets, traditional) = normalise(&decoded);
    let mut diagnostics = Vec::new();
    if encoding != "UTF-8" {
        diagnostics.push(Diagnostic { message: format!("decoded as {encoding}") });
    }
    if traditional {
        diagnostics.push(Diagnostic { message: "Traditional Chinese converted to Simplified".into() });
    }
    let all = lines(&text);
    let mut meta = Meta::default();
    let mut idx: Vec<usize> = (0..all.len()).filter(|&i| !all[i].text.trim().is_empty()).collect();
    if let Some(&first) = idx.first() {
        if let Some(url) = all[first].text.trim().strip_prefix("# source:") {
            meta.url = Some(url.trim().to_string());
            idx.remove(0);
        }
    }
    let min = g.furniture.prose_min_chars;
    let mut rows: Vec<Row> =
        idx.iter().map(|&i| Row { line: i, prose: prose_of(all[i].text, all[i].chars, min), marker: false, shape: Shape::Text, range: None, keep: false }).collect();
    // The body begins at its first line of prose with a full stop (a
    // headline may exclaim, it does not end in 。); before it stands the
    // header (mastheads, menus, breadcrumbs, the headline, the byline).
    let body_start = rows.iter().position(|r| r.prose && all[r.line].text.contains('。')).unwrap_or(rows.len());
    let prose_chars = |rows: &[Row]| rows.iter().filter(|r| r.prose).map(|r| all[r.line].chars).sum::<usize>();
    // A marker line (原标题:, 相关阅读, 责任编辑) is furniture. In the body it
    // starts the trailing furniture, unless more prose follows it than went
    // before it: what a page puts after an article is lists and notices,
    // never the article's bulk.
    let mut end = rows.len();
    for k in 0..rows.len() {
        if starts_with_marker(all[rows[k].line].text, g) {
            rows[k].marker = true;
            if k >= body_start && prose_chars(&rows[k + 1..]) < prose_chars(&rows[body_start..k]) {
                end = k;
                break;
            }
        }
    }
    // Then any run of two or more lines that are not prose after the last
    // line of prose (related headlines, site links). A short line that ends
    // a sentence is the article's (时间:上午9点,地点:某中学。), not a link.
    let ends_sentence = |k: usize| all[rows[k].line].text.trim_end().ends_with(['。', '!', '?']);
    if let Some(last) = (body_start..end).rev().find(|&k| rows[k].prose || ends_sentence(k)) {
        if end - last > 2 {
            end = last + 1;
        }
    }
    rows.truncate(end);
    // Each line's shape, and its text: a menu line has none, an SEO
    // title's is its headline.
    for (k, r) in rows.iter_mut().enumerate() {
        let text = all[r.line].text;
        // (In the body a short line that ends a sentence is prose too.)
        let sentence = k >= body_start && text.trim_end().ends_with(['。', '!', '?']);
        (r.shape, r.range) = if r.prose || sentence {
            (Shape::Prose, Some((0, all[r.line].chars)))
        } else {
            let chars: Vec<char> = text.chars().collect();
            (shape(text, g, k < body_start), text_range(&chars))
        };
        r.keep = !r.marker && r.shape != Shape::Furniture && r.range.is_some();
    }
    // The headline: the header's longest line of text without a full stop
    // (one without a comma first: a lead above the body has them, a
    // headline seldom); else the body's first line, when it reads as one.
    // Lines of the header before it without sentence punctuation are
    // mastheads, slogans and menus.
    let line_text = |r: &Row| {
        let t = all[r.line].text;
        match r.range {
            Some((0, b)) if b == all[r.line].chars => t.trim(),
            Some((a, b)) => {
                let byte = |c: usize| t.char_indices().nth(c).map_or(t.len(), |(o, _)| o);
                t[byte(a)..byte(b)].trim()
            }
            None => "",
        }
    };
    let headline = |r: &Row| r.keep && !line_text(r).contains('。') && (2..=60).contains(&line_text(r).chars().count());
    let header = &rows[..body_start.min(end)];
    let title = (0..header.len()).filter(|&k| headline(&rows[k])).max_by_key(|&k| (!line_text(&rows[k]).contains(','), line_text(&rows[k]).chars().count(), std::cmp::Reverse(k)));
    let title = title.or_else(|| (body_start < end && headline(&rows[body_start])).then_some(body_start));
    meta.title = title.map(|k| line_text(&rows[k]).to_string());
    let before_title = title.filter(|&t| t < body_start).unwrap_or(0);
    for r in &mut rows[..before_title] {
        r.keep &= line_text(r).contains(['。', '!', '?', ';']);
    }
    // The byline: date and publisher from the furniture of the header (and
    // of the body's first lines, under a headline that reads as prose).
    for r in rows.iter().take(body_start + 2).filter(|r| r.shape == Shape::Furniture) {
        let (publisher, date) = byline(all[r.line].text.trim(), g);
        if meta.date.is_none() {
            meta.date = date;
        }
        if meta.publisher.is_none() {
            meta.publisher = publisher;
        }
    }
    if meta.date.is_none() {
        meta.date = meta.url.as_deref().and_then(url_date);
    }
    meta.year = meta.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()).or_else(|| latest_year(&text));
    if meta.date.is_none() {
        meta.date = meta.year.map(|y| y.to_string());
    }
    let mut sentences = Vec::new();
    // One buffer for every paragraph's characters, and their byte offsets,
    // kept by the thread for its next article (only their capacity: each
    // line fills them anew).
    thread_local! {
        static SPARE: std::cell::Cell<(Vec<char>, Vec<usize>)> = Default::default();
    }
    let (mut chars, mut byte_of) = SPARE.take();
    for (paragraph, r) in rows.iter().filter(|r| r.keep).enumerate() {
        let (i, (from, to)) = (r.line, r.range.unwrap_or_default());
        crate::model::fill_chars(all[i].text, &mut chars, &mut byte_of);
        let (line, offsets) = (&chars[from..to], &byte_of[from..=to]);
        let excluded = excluded_ranges(line, g);
        split_sentences(line, offsets, (all[i].start + from, all[i].byte_start), paragraph, &excluded, &mut sentences);
        if chars.len() > MAX_SENTENCE_CHARS && !all[i].text.contains(['。', '!', '?', ';']) {
            diagnostics.push(Diagnostic { message: format!("line {} has {} characters and no sentence punctuation; cut into pieces", i + 1, chars.len()) });
        }
    }
    SPARE.set((chars, byte_of));
    let han_read: usize = sentences.iter().map(|s| han_count(&text.as_bytes()[s.bytes.clone()])).sum();
    let han_all = han_count(text.as_bytes());
    if sentences.is_empty() || han_read * READ_LITTLE_SHARE < han_all {
        diagnostics.push(Diagnostic { message: format!("{READ_LITTLE}: its sentences hold {han_read} of its {han_all} Chinese characters") });
    }
    debug_assert!(all.iter().map(|l| l.chars + 1).sum::<usize>() >= text.chars().count());
    Ok(Article {
        source_file: source_file.to_string(),
        content_hash,
        text,
        original_offsets,
        encoding: encoding.to_string(),
        converted: traditional,
        original: traditional.then_some(decoded),
        meta,
        sentences,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knowledge() -> &'static Knowledge {
        static K: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
        K.get_or_init(|| Knowledge::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology")).expect("ontology loads"))
    }

    fn sentences(a: &Article) -> Vec<&str> {
        a.sentences.iter().map(|s| a.sentence_text(s)).collect()
    }

    /// An invented page: masthead, menu, breadcrumb, headline, byline with
    /// `|` and labels, the original headline, a dateline and credit, the
    /// body, a photo credit, then an editor, copyright and related headlines.
    const PAGE: &str = "# source: http://news.example.cn/2021/0315/1.html
某某教育网_权威教育资讯平台
首页|新闻|图片|视频
当前位置:首页 > 教育新闻 > 京津冀
某市第一中学与某县第二小学结对帮扶
2021-03-15 09:30:12|来源:某某晚报|编辑:王某
原标题:两校结对帮扶 共享优质资源
本报讯(记者 李某)3月14日,某市第一中学与某县第二小学签订结对帮扶协议,两校将共享课程资源。
签约仪式现场。记者 张某 摄
根据协议,某市第一中学每年选派骨干教师赴某县第二小学支教,并接收对方教师跟岗学习。
责任编辑:赵某
版权所有:某某教育网 京ICP备00000000号
相关新闻
某区教委召开年度工作会议
某职业学院举行开学典礼
";

    #[test]
    fn page_furniture_yields_no_sentence() {
        let a = ingest(PAGE.as_bytes(), "page.txt", knowledge()).unwrap();
        assert_eq!(
            sentences(&a),
            [
                "某市第一中学与某县第二小学结对帮扶",
                "3月14日,某市第一中学与某县第二小学签订结对帮扶协议,两校将共享课程资源。",
                "签约仪式现场。",
                "根据协议,某市第一中学每年选派骨干教师赴某县第二小学支教,并接收对方教师跟岗学习。",
            ]
        );
        assert_eq!(a.meta.title.as_deref(), Some("某市第一中学与某县第二小学结对帮扶"));
        assert_eq!((a.meta.date.as_deref(), a.meta.publisher.as_deref()), (Some("2021-03-15"), Some("某某晚报")));
        assert!(read_little(&a).is_none(), "{:?}", a.diagnostics);
    }

    /// A marker in the header (原标题) is dropped alone; after the body has
    /// begun, one starts the trailing furniture only when less prose follows
    /// it than went before (a headline that reads as prose does not count
    /// as the body's bulk).
    #[test]
    fn short_closing_sentences_are_the_article_s() {
        let page = "乙县第一中学与甲市第二中学签订合作办学协议,双方将在课程建设和教师培训方面开展合作。\n时间:上午9点,地点:乙县第一中学。\n乙县教育局局长王力表示,将抓好落实。\n";
        let a = ingest(page.as_bytes(), "p.txt", knowledge()).unwrap();
        assert_eq!(sentences(&a).len(), 3, "{:?}", sentences(&a));
    }

    #[test]
    fn a_marker_cuts_the_tail_not_the_body() {
        let page = "时间:2022-06-01 11:00人气:来源: 某某日报\n某大学与某市政府签约合作办学!某大学某市研究院揭牌\n原标题:\n某大学与某市政府签订合作办学协议,双方将共建研究院,开展人才培养和科技合作。\n研究院设在某市高新区,首期将建设三个研究中心和一个成果转化平台。\n";
        let a = ingest(page.as_bytes(), "p.txt", knowledge()).unwrap();
        assert_eq!(sentences(&a).len(), 4, "{:?}", sentences(&a));
        assert_eq!(a.meta.title.as_deref(), Some("某大学与某市政府签约合作办学!某大学某市研究院揭牌"));
        assert_eq!((a.meta.date.as_deref(), a.meta.publisher.as_deref()), (Some("2022-06-01"), Some("某某日报")));
        let tail = "某大学与某市政府签订合作办学协议,双方将共建研究院,开展人才培养和科技合作。\n相关阅读\n某大学召开教学工作会议,部署新学期重点工作,要求各学院做好开学准备。\n";
        let a = ingest(tail.as_bytes(), "t.txt", knowledge()).unwrap();
        assert_eq!(sentences(&a), ["某大学与某市政府签订合作办学协议,双方将共建研究院,开展人才培养和科技合作。"]);
    }

    #[test]
    fn a_headline_in_an_seo_title_loses_its_site_names() {
        let page = "某市教育局与某县教育局签署职业教育合作协议_教育频道_某某网\n某市教育局与某县教育局日前签署职业教育合作协议,双方将联合培养技能人才。\n";
        let a = ingest(page.as_bytes(), "s.txt", knowledge()).unwrap();
        assert_eq!(a.meta.title.as_deref(), Some("某市教育局与某县教育局签署职业教育合作协议"));
        assert_eq!(sentences(&a)[0], "某市教育局与某县教育局签署职业教育合作协议");
    }

    #[test]
    fn an_article_read_little_says_so() {
        let k = knowledge();
        let nothing = ingest("当前位置:首页 > 新闻\n来源:某某日报 2024-03-01\n责任编辑:王某\n".as_bytes(), "n.txt", k).unwrap();
        assert!(nothing.sentences.is_empty());
        assert!(read_little(&nothing).is_some_and(|m| m.contains("0 of")), "{:?}", nothing.diagnostics);
        let body = "某校与某校签订合作协议,两校将在课程建设、教师培训等方面开展合作。\n";
        assert!(read_little(&ingest(body.as_bytes(), "b.txt", k).unwrap()).is_none());
    }

    #[test]
    fn dates_in_urls_and_bylines() {
        assert_eq!(url_date("http://x.cn/a/2020/0225/1617669.shtml").as_deref(), Some("2020-02-25"));
        assert_eq!(url_date("http://x.cn/2019-01/09/content_1.html").as_deref(), Some("2019-01-09"));
        assert_eq!(url_date("http://x.cn/news/detail/67344.html"), None);
        assert_eq!(find_date("发布时间:2024-5-10 14:55").map(|d| d.0).as_deref(), Some("2024-05-10"));
        assert_eq!(find_date("2023年10月8日").map(|d| d.0).as_deref(), Some("2023-10-08"));
    }

    #[test]
    fn the_first_binary_byte_is_found_in_any_block() {
        let mut text = "北京市与天津市\n\t合作\r\n".repeat(20).into_bytes();
        assert_eq!(first_binary_byte(&text), None);
        for at in [0, 63, 64, 200, text.len() - 1] {
            let mut t = text.clone();
            t[at] = 0x01;
            assert_eq!(first_binary_byte(&t), Some(at));
        }
        text[130] = 0x1a;
        text[131] = 0x00;
        assert_eq!(first_binary_byte(&text), Some(130));
    }

    #[test]
    fn decode_rejects_binary_and_reads_gbk() {
        let familiar: rustc_hash::FxHashSet<char> = "京津冀职业教育联席会议在天津举行".chars().collect();
        assert!(matches!(decode(b"\x00\x01abc", &familiar), Err(IngestError::Binary { .. })));
        assert_eq!(decode(b"  \n", &familiar), Err(IngestError::Empty));
        let (gbk, _, _) = encoding_rs::GBK.encode("京津冀职业教育联席会议在天津举行。");
        let (text, enc) = decode(&gbk, &familiar).unwrap();
        assert_eq!(text, "京津冀职业教育联席会议在天津举行。");
        assert!(enc == "GBK" || enc == "gb18030", "{enc}");
    }

    /// The filter before the converter: a word the conversion changes is
    /// always let through; Simplified text without such a character has
    /// nothing to convert.
    #[test]
    fn may_convert_lets_through_every_word_that_converts() {
        let converter = &zhconv::converters::ZH_TO_HANS_CONVERTER;
        for (from, _) in zhconv::tables::expand_table(zhconv::tables::ZH_HANS_TABLE) {
            if converter.count_replaced(&from) > 0 {
                assert!(MAY_CONVERT.any_in(&from), "{from}");
            }
        }
        for text in ["两地职业教育协同发展", "北京市与天津市的学校开展合作办学", "abc 123"] {
            assert!(!MAY_CONVERT.any_in(text), "{text}");
            assert_eq!(converter.count_replaced(text), 0, "{text}");
        }
    }

    #[test]
    fn normalise_folds_full_width_and_keeps_offsets() {
        let (t, map, traditional) = normalise("ＡＢ，\r\n學校");
        assert!(traditional);
        assert_eq!(t, "AB,\n学校");
        assert_eq!(map.len(), t.chars().count());
        assert_eq!(map[4], 5);
        for text in ["", "abc", "北京市", "學校", "学校與北京", "臺灣的学校和北京的学校", "什么学校", "乾隆", "著名学校"] {
            assert_eq!(is_traditional(text), zhconv::is_hans_confidence(text) < 0.45, "{text}");
        }
        let (t, map, traditional) = normalise("ＡＢ，\r\n北京");
        assert!(!traditional, "no original to map into");
        assert_eq!((t.as_str(), map.len()), ("AB,\n北京", 0));
    }
}
