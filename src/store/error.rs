//! Why the store could not be used, as a type: callers branch on the
//! variant (a locked store, a missing one), and the cause stays attached
//! as the error's source.

use std::path::PathBuf;

use oxigraph::store::StorageError;

/// Why the store could not be used; callers branch on the kind. A message
/// names what failed and leaves the cause to the source chain (printed
/// after it, `: `-separated, by `{:#}`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store at that path yet.
    #[error("no store at {}\nhint: run `xietong build` first (or pass --store DIR)", .0.display())]
    Missing(PathBuf),
    /// Another process holds the store.
    #[error("the store {} is in use by another xietong process", path.display())]
    Locked {
        path: PathBuf,
        #[source]
        source: StorageError,
    },
    /// Oxigraph cannot open the folder as a store.
    #[error("cannot open the store {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: StorageError,
    },
    /// Cannot create, remove or rename the folder (or a file in it).
    #[error("cannot open the store {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A full build's graph maker panicked while the loader read its quads.
    #[error("store: the graph maker panicked")]
    MakerPanicked,
    #[error("store")]
    Storage(#[from] StorageError),
}

impl StoreError {
    /// Of an I/O error on the store's folder `path` (for `map_err`).
    #[cfg(feature = "rocksdb")]
    pub(super) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }
}
