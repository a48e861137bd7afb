//! The extraction cache: what ingest and mentions read from each article
//! ([`Reading`]), in bincode (several times faster than JSON to read back, for a
//! rebuild reads ten thousand of them), kept in a folder beside the store under the knowledge
//! fingerprint and the article's content hash, so that a build re-reads only
//! articles that changed. A missing or unreadable entry only costs a re-read.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::Mention;
use crate::pipeline::Reading;

/// The file kind of an article's `Reading`.
const READ: &str = "bin";

pub struct Cache {
    dir: PathBuf,
    /// Entries of other knowledge fingerprints are stale.
    prefix: String,
}

impl Cache {
    /// The cache of the store at `store` (`.xietong/store` → `.xietong/store.cache`).
    pub fn beside(store: &Path, fingerprint: &str) -> Self {
        let mut name = store.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".cache");
        Cache { dir: store.with_file_name(name), prefix: fingerprint[..16.min(fingerprint.len())].to_string() }
    }

    fn path(&self, content_hash: &str, kind: &str) -> PathBuf {
        self.dir.join(format!("{}-{}.{kind}", self.prefix, content_hash))
    }

    pub fn get(&self, content_hash: &str) -> Option<Reading> {
        self.load(&self.path(content_hash, READ))
    }

    /// Only the mentions of an article's `Reading`, which come first in it
    /// ([`Reading`] puts them there): a build reads ten thousand of these for
    /// resolution and the rest only of the articles it writes.
    pub fn get_mentions(&self, content_hash: &str) -> Option<Vec<Mention>> {
        // Read as far as the mentions go: the rest of the Reading stays on disk.
        let file = std::fs::File::open(self.path(content_hash, READ)).ok()?;
        bincode::deserialize_from(io::BufReader::with_capacity(16 * 1024, file)).ok()
    }

    pub fn put(&self, content_hash: &str, read: &Reading) -> io::Result<()> {
        self.store(&self.path(content_hash, READ), read)
    }

    fn load<T: serde::de::DeserializeOwned>(&self, path: &Path) -> Option<T> {
        let bytes = std::fs::read(path).ok()?;
        bincode::deserialize(&bytes).ok()
    }

    /// Writes an entry whole or not at all (a temporary file, then a rename).
    fn store<T: serde::Serialize + ?Sized>(&self, target: &Path, value: &T) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        // Unique per write: two articles with the same bytes share entries.
        static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = target.with_extension(format!("tmp{}-{n}", std::process::id()));
        std::fs::write(&tmp, bincode::serialize(value).map_err(io::Error::other)?)?;
        std::fs::rename(tmp, target)
    }

    /// Removes entries of other fingerprints and of articles no longer there.
    pub fn prune(&self, keep: &HashSet<String>) -> io::Result<()> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Ok(()) };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let live = name.strip_suffix(&format!(".{READ}")).and_then(|n| n.split_once('-')).is_some_and(|(p, h)| p == self.prefix && keep.contains(h));
            if !live {
                std::fs::remove_file(e.path())?;
            }
        }
        Ok(())
    }
}
