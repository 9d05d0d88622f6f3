//! Mapping an index file into memory: one of the crate's two uses of `unsafe` (the other is
//! the cache hint in `prefetch.rs`).
#![allow(unsafe_code)]

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The file at `path`, opened for reading, and its length; a directory is refused by
/// name (mapping one fails with a bare "No such device").
fn open_file(path: &Path) -> Result<(File, u64)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let e = std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "this is a directory: give the index file in it",
        );
        return Err(Error::io(path, e));
    }
    Ok((file, meta.len()))
}

/// Maps `path` read-only. An empty file gives an empty byte vector (a zero-length mapping is
/// an error on some platforms), which the format check then refuses.
pub(crate) fn map(path: &Path) -> Result<Mapped> {
    let (file, len) = open_file(path)?;
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

/// Reads the file at `path` into private anonymous memory advised to use transparent huge
/// pages where the system offers them (Linux with THP `madvise` or `always`; elsewhere, or
/// when refused, ordinary pages). A large index is then walked with one TLB entry per
/// 2 MiB instead of per 4 KiB: random queries stop paying a page walk at most states.
/// Needs no `unsafe`: the memory is the process's own.
pub(crate) fn read_huge(path: &Path) -> Result<Mapped> {
    let (mut file, len) = open_file(path)?;
    if len == 0 {
        return Ok(Mapped::Empty);
    }
    let too_large = || Error::io(path, std::io::Error::other("file larger than memory"));
    let len = usize::try_from(len).map_err(|_| too_large())?;
    // Linux places anonymous mappings on a huge-page boundary only when their length is a
    // multiple of the huge-page size; unaligned, a 9 MB index got one huge page, not four.
    let mapped_len = len
        .checked_next_multiple_of(HUGE_PAGE)
        .ok_or_else(too_large)?;
    let mut map = memmap2::MmapMut::map_anon(mapped_len).map_err(|e| Error::io(path, e))?;
    // Before the first touch, so that the pages the read faults in are huge ones. Best
    // effort: a refusal only costs speed.
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    // A file that shrank since its length was read fails here; one that grew is read to
    // the old length, and the format check then sees whatever that holds.
    file.read_exact(&mut map[..len])
        .map_err(|e| Error::io(path, e))?;
    let map = map.make_read_only().map_err(|e| Error::io(path, e))?;
    Ok(Mapped::Anon { map, len })
}

/// The size of a transparent huge page on x86-64 and most arm64 systems.
const HUGE_PAGE: usize = 2 << 20;

/// The bytes of a mapped file.
#[derive(Debug)]
pub(crate) enum Mapped {
    /// A mapping.
    Map(memmap2::Mmap),
    /// Anonymous memory holding a file's `len` bytes, then zeros up to a page boundary.
    Anon { map: memmap2::Mmap, len: usize },
    /// An empty file.
    Empty,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        match self {
            Mapped::Map(m) => m,
            Mapped::Anon { map, len } => map.get(..*len).unwrap_or_default(),
            Mapped::Empty => &[],
        }
    }
}
