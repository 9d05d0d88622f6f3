//! Mapping an index file into memory: the crate's one use of `unsafe`.
#![allow(unsafe_code)]

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

/// Maps `path` read-only. An empty file gives an empty byte vector (a zero-length mapping is
/// an error on some platforms), which the format check then refuses.
pub(crate) fn map(path: &Path) -> Result<Mapped> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Ok(Mapped::Empty);
    }
    // SAFETY: the mapping is read-only and we never create a mutable view of it. The index
    // writer never modifies a finished file in place: it writes a temporary file and renames
    // it over the old one, so readers keep the old inode's bytes. A third party truncating or
    // rewriting the file while it is mapped is outside our control (SIGBUS on truncation is
    // the documented risk of every mmap reader, the fst crate's included); `Index::open`
    // documents that index files must not be modified in place. The builder also maps its
    // own side file of keys, which nothing writes once it is mapped.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    Ok(Mapped::Map(map))
}

/// The bytes of a mapped file.
#[derive(Debug)]
pub(crate) enum Mapped {
    /// A mapping.
    Map(memmap2::Mmap),
    /// An empty file.
    Empty,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        match self {
            Mapped::Map(m) => m,
            Mapped::Empty => &[],
        }
    }
}
