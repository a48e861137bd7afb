//! The store as a server reads it: a read-only handle, opened again when
//! the store's files change (a build wrote to it), looked at no more than
//! once per `every`. A build holds the store's write lock and a reader
//! opened beside it sees the store as it was when opened, so the server
//! never blocks a build and a request never waits on one; what it answers
//! lags a finished build by at most `every` plus the time to open.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use crate::store::{KgStore, StoreError};

pub struct Snapshot {
    path: PathBuf,
    every: Duration,
    current: RwLock<Current>,
}

struct Current {
    store: Arc<KgStore>,
    files: u64,
    checked: Instant,
}

impl Snapshot {
    pub fn open(path: &Path, every: Duration) -> Result<Self, StoreError> {
        let files = files_signature(path);
        let store = Arc::new(KgStore::open_read_only(path)?);
        Ok(Snapshot { path: path.to_path_buf(), every, current: RwLock::new(Current { store, files, checked: Instant::now() }) })
    }

    /// The latest handle: the one held, or a new one if the store's files
    /// changed since it was opened. A store that cannot be opened now (a
    /// full build swapping its folder in) keeps the old handle until it can.
    pub fn store(&self) -> Arc<KgStore> {
        {
            let c = self.current.read().unwrap_or_else(|e| e.into_inner());
            if c.checked.elapsed() < self.every {
                return Arc::clone(&c.store);
            }
        }
        let mut c = self.current.write().unwrap_or_else(|e| e.into_inner());
        if c.checked.elapsed() >= self.every {
            c.checked = Instant::now();
            let files = files_signature(&self.path);
            if files != c.files {
                if let Ok(s) = KgStore::open_read_only(&self.path) {
                    c.store = Arc::new(s);
                    c.files = files;
                }
            }
        }
        Arc::clone(&c.store)
    }
}

/// A hash of the names, sizes and modification times of the store's
/// files: RocksDB writes new files (log, tables, manifest) for every
/// change, so any write changes it.
fn files_signature(path: &Path) -> u64 {
    let mut entries: Vec<(String, u64, SystemTime)> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), m.len(), m.modified().ok()?))
        })
        .collect();
    entries.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}
