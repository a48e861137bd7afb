//! The extraction cache: what ingest and mentions read from each article
//! ([`Read`]), in bincode (several times faster than JSON to read back, for a
//! rebuild reads ten thousand of them), kept in a folder beside the store under the knowledge
//! fingerprint and the article's content hash, so that a build re-reads only
//! articles that changed. A missing or unreadable entry only costs a re-read.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::pipeline::Read;

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

    fn path(&self, content_hash: &str) -> PathBuf {
        self.dir.join(format!("{}-{}.bin", self.prefix, content_hash))
    }

    pub fn get(&self, content_hash: &str) -> Option<Read> {
        let bytes = std::fs::read(self.path(content_hash)).ok()?;
        bincode::deserialize(&bytes).ok()
    }

    /// Writes an entry whole or not at all (a temporary file, then a rename).
    pub fn put(&self, content_hash: &str, read: &Read) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let target = self.path(content_hash);
        let tmp = target.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bincode::serialize(read).map_err(io::Error::other)?)?;
        std::fs::rename(tmp, target)
    }

    /// Removes entries of other fingerprints and of articles no longer there.
    pub fn prune(&self, keep: &HashSet<String>) -> io::Result<()> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Ok(()) };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let live = name
                .strip_suffix(".bin")
                .and_then(|n| n.split_once('-'))
                .is_some_and(|(p, h)| p == self.prefix && keep.contains(h));
            if !live {
                std::fs::remove_file(e.path())?;
            }
        }
        Ok(())
    }
}
