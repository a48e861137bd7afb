//! Words that refer back to what was named before (三地, 该校), and the
//! names that shadow them.

use super::{Cand, Sent};
use crate::model::{sym, MentionSource, Referent};
use crate::sym;
use smallvec::SmallVec;

pub(super) fn coref_cands(s: &Sent, out: &mut Vec<Cand>) {
    for (wi, (word, target)) in s.k.grammar.coref.iter().enumerate() {
        let n = word.chars().count();
        for p in s.plain_bytes(2, wi).map(|b| s.char_at[b]) {
            let class = target.split(':').next_back().unwrap_or("Organization");
            let class = if s.k.vocab.is_class(class) {
                class
            } else if target.starts_with("group") {
                "RegionGroup"
            } else {
                "Place"
            };
            let mut c = Cand::new(p, p + n, sym(class), MentionSource::Coreference, Referent::Back(vec![target.clone()]), 0);
            // 三地教育部门: the authorities of the three places.
            let authority = s.k.grammar.coref_authority.words.iter().filter(|w| s.starts_with_at(p + n, w)).map(|w| w.chars().count()).max();
            if let (true, Some(a)) = (target.starts_with("group:"), authority) {
                c.end = p + n + a;
                c.name = (p, c.end);
                c.class = sym!("EducationAuthority");
                c.referent = Referent::Back(vec![format!("{target}:authority")]);
            }
            out.push(c);
        }
    }
}

/// A coreference word loses to a name it overlaps (京津冀三地 is 京津冀), and
/// 三地 right after a list of places restates the list (北京市、天津市、河北省三地).
pub(super) fn drop_shadowed_coreference(s: &Sent, cands: &mut Vec<Cand>) {
    let names: SmallVec<[(usize, usize, bool); 8]> =
        cands.iter().filter(|c| c.source == MentionSource::Lexicon).map(|c| (c.start, c.end, s.k.vocab.is_a(c.class, sym!("Place")))).collect();
    cands.retain(|c| {
        c.source != MentionSource::Coreference
            || !matches!(c.referent, Referent::Back(_))
            || !names.iter().any(|&(a, b, place)| (a < c.end && c.start < b) || (place && b == c.start))
    });
}
