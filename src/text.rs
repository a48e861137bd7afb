//! Text and hashing every layer shares: the normal form of a name for
//! identity, and the stable hashes that make IRIs and content digests. Pure,
//! and imports nothing of the crate: the ground floor.

use sha2::{Digest, Sha256};

/// Normal form of a name for identity: NFKC, no spaces or quote marks.
pub fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    norm_into(&mut out, s);
    out
}

/// [`norm`], appended to `out`.
pub fn norm_into(out: &mut String, s: &str) {
    use unicode_normalization::UnicodeNormalization;
    let keep = |c: &char| !c.is_whitespace() && !matches!(c, '“' | '”' | '‘' | '’' | '"' | '\'' | '《' | '》' | '「' | '」');
    // Most names are Han characters and ASCII, which NFKC leaves as they
    // are (no decomposition, and nothing composes with them), as it does
    // the quote marks dropped: ~3 000 instructions a name saved.
    let stable = |c: char| c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c) || !keep(&c) && !c.is_whitespace();
    let (mut all_stable, mut all_kept) = (true, true);
    for c in s.chars() {
        all_stable &= stable(c);
        all_kept &= keep(&c);
    }
    if all_stable && all_kept {
        out.push_str(s);
    } else if all_stable {
        out.extend(s.chars().filter(keep));
    } else {
        out.extend(s.nfkc().filter(keep));
    }
}

/// A stable 64-bit FNV-1a hash, hex: the same key gives the same IRI everywhere.
pub fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // (Not a `format!` a byte: every article's content hash is written this way.)
    bytes.iter().flat_map(|b| [DIGITS[(b >> 4) as usize] as char, DIGITS[(b & 15) as usize] as char]).collect()
}

/// SHA-256 of bytes, hex: an article's content hash.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable() {
        assert_eq!(short_hash(""), "cbf29ce484222325");
        assert_ne!(short_hash("a"), short_hash("b"));
    }

    #[test]
    fn norm_drops_quotes_and_folds() {
        assert_eq!(norm("“3+2” 联合培养"), "3+2联合培养");
        assert_eq!(norm("《实施方案》"), "实施方案");
    }

    /// The shortcut for text NFKC leaves alone gives what NFKC gives, and
    /// text it would change still goes through NFKC.
    #[test]
    fn norm_is_nfkc_with_or_without_the_shortcut() {
        use unicode_normalization::UnicodeNormalization;
        let by_nfkc = |s: &str| -> String { s.nfkc().filter(|c| !c.is_whitespace() && !"“”‘’\"'《》「」".contains(*c)).collect() };
        for s in ["某县第三中学", "“3+2”联合培养", "ＡＢＣ学校", "（雄安）校区", "第Ⅲ期", "①号楼", "e\u{301}cole", "北京\u{3000}四中", "㐀字", "·"]
        {
            assert_eq!(norm(s), by_nfkc(s), "{s}");
        }
        assert_eq!(norm("ＡＢＣ学校"), "ABC学校");
    }
}
