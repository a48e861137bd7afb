//! Each article settled for resolution, kept on disk from pass 1 of a build
//! to the making of its graph: in memory they would be held through the
//! whole build, and they grow with the corpus. An unnamed
//! temporary file beside the store (removed by the system however the
//! build ends), written by any thread as articles are read, then read back
//! by place from any thread.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use bincode::Options as _;

use crate::pipeline::ArticleKeysSource;
use crate::resolve::ArticleKeys;

/// Where an article's bytes are: offset and length.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    at: u64,
    len: u32,
}

/// Variable-length integers: a settled article is mostly small term ids.
fn options() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

/// Written in pass 1, from any thread.
pub struct SpillWriter {
    /// The file, the end of what was written, the first error.
    out: Mutex<(BufWriter<File>, u64, Option<io::Error>)>,
}

impl SpillWriter {
    /// An unnamed temporary file in `dir`.
    pub fn create(dir: &Path) -> io::Result<Self> {
        let f = tempfile::tempfile_in(dir)?;
        Ok(SpillWriter { out: Mutex::new((BufWriter::with_capacity(1 << 16, f), 0, None)) })
    }

    /// Keeps one settled article; returns where. (An error is kept for
    /// [`Self::finish`].)
    pub fn put(&self, s: &ArticleKeys) -> Place {
        // Encoded outside the lock: only the copy is serialised.
        let bytes = options().serialize(s).unwrap_or_default();
        let mut guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let (f, end, err) = &mut *guard;
        if err.is_none() {
            if let Err(e) = f.write_all(&bytes) {
                *err = Some(e);
            }
        }
        let place = Place { at: *end, len: bytes.len() as u32 };
        *end += bytes.len() as u64;
        place
    }

    /// Ready for reading, each article at its place (in corpus order); the
    /// first error of any write, if one failed.
    pub fn finish(self, places: Vec<Place>) -> io::Result<Spill> {
        let (f, _, err) = self.out.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = err {
            return Err(e);
        }
        let file = f.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(Spill { file, places })
    }
}

/// The settled articles of a build, read back by place.
pub struct Spill {
    file: File,
    places: Vec<Place>,
}

impl ArticleKeysSource for Spill {
    fn len(&self) -> usize {
        self.places.len()
    }
    fn get(&self, i: usize) -> Option<Cow<'_, ArticleKeys>> {
        let p = self.places.get(i)?;
        let mut buf = vec![0; p.len as usize];
        read_at(&self.file, &mut buf, p.at).ok()?;
        options().deserialize(&buf).ok().map(Cow::Owned)
    }
}

/// Reads at an offset without moving a shared cursor: any thread, at once.
#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, at)
}

#[cfg(windows)]
fn read_at(f: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(f, buf, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}
