//! The index file's bytes. No other module knows them.
//!
//! ```text
//! offset  size  field
//!      0     8  magic  89 4D 4B 57 0D 0A 1A 0A  ("\x89MKW\r\n\x1a\n", as PNG: catches text-mode
//!                      transfers and truncation to 7 bits)
//!      8     4  format version, u32 little-endian
//!     12     4  header length (64), u32 LE
//!     16     8  info section length, u64 LE       bincode (=2.0.1, serde, standard config): BuildInfo
//!     24     8  record section length, u64 LE     u32 count, u32 offsets[count + 1], then one
//!                                                 bincode RecordEntry per record
//!     32     8  forwarder section length, u64 LE  bincode: Vec<ForwarderEntry>
//!     40     8  postings section length, u64 LE   lists of ids: u32 count, u32 ids[count]
//!     48     8  locality section length, u64 LE   the locality table (`localities.rs`)
//!     56     8  key section length, u64 LE        a directory, then one or more fst::Maps over
//!                                                 consecutive key ranges (`shards.rs`; keys:
//!                                                 see `keys.rs`)
//!     64     4  CRC-32 of every byte after the header
//!     68     4  CRC-32 of header bytes 0..68
//! ```
//!
//! All sections follow the header in that order, with nothing after the key section. An fst value
//! `v` names a list of ids: `v >> 1` is the id itself when `v & 1 == 0`, else the byte offset
//! of a list in the postings section. Ids index the record table, or the forwarder table for
//! forwarder keys.
//!
//! Opening checks the magic, the version, the header checksum, the lengths and the small
//! sections, in time independent of the file's size; [`verify`] checks the body checksum.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

use super::localities;
use super::table::{BuildInfo, ForwarderEntry, RecordEntry};

/// The magic bytes at the start of every index file.
pub(crate) const MAGIC: [u8; 8] = *b"\x89MKW\r\n\x1a\n";
/// The format version this library writes and reads.
///
/// 1: the first layout. 2: shorter address keys (one tag byte for the unit's parts, plain
/// room numbers as numbers; see `keys.rs`): the same header and sections, but keys a
/// version-1 reader would not find, so each version refuses the other's files
/// ([`Error::Version`]: rebuild with `mikiwame index build`). 3: a locality table section
/// before the keys (where each locality's keys begin in the automaton), so the header has
/// a sixth length and is 72 bytes long; the key section holds several automata built in
/// parallel behind a directory. 4: the same layout as 3, with shorter address keys (the
/// usual block tail and the usual flat's room in one or two bytes instead of three or four)
/// and the locality table's entries holding the output on the way to their state (so the full check starts there too): a version-3 reader would
/// find no address. 5: the same layout and encoding as 4, but addresses normalized by
/// the parser of 2026-12-08, which reads some notations to other keys than before (a
/// space after 丁目, Iwate's 地割, Niigata's 番町, floors and rooms such as 2F201): a
/// version-4 index would silently miss records written that way, so it is refused and
/// rebuilt from its source files.
pub const FORMAT_VERSION: u32 = 5;
/// The fixed header length.
pub(crate) const HEADER_LEN: usize = 72;
/// The number of sections, in file order: info, records, forwarders, postings, localities,
/// keys.
const SECTIONS: usize = 6;
/// Where the body checksum lies; the header checksum follows it and covers the bytes
/// before it.
const BODY_CRC_AT: usize = 16 + 8 * SECTIONS;
const HEADER_CRC_AT: usize = BODY_CRC_AT + 4;
/// Upper bound for any one bincode allocation while decoding, so that a corrupted length
/// prefix cannot ask for terabytes.
const DECODE_LIMIT: usize = 1 << 30;

type Config = bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<DECODE_LIMIT>,
>;

fn config() -> Config {
    bincode::config::standard().with_limit::<DECODE_LIMIT>()
}

/// Where the sections of a parsed file lie, and the small sections decoded.
#[derive(Debug)]
pub(crate) struct Sections {
    pub(crate) info: BuildInfo,
    pub(crate) forwarders: Vec<ForwarderEntry>,
    pub(crate) records: Range<usize>,
    pub(crate) record_count: u32,
    pub(crate) postings: Range<usize>,
    pub(crate) localities: Range<usize>,
    /// The locality table's shape, `None` when the file has none.
    pub(crate) locality_shape: Option<localities::Shape>,
    pub(crate) fst: Range<usize>,
}

fn corrupted(what: impl Into<String>) -> Error {
    Error::IndexCorrupted { what: what.into() }
}

/// The little-endian `u32` at `at`, if `data` holds it (shared by the section readers).
pub(super) fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The little-endian `u64` at `at`, if `data` holds it.
pub(super) fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let b = data.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_le_bytes(a))
}

/// Reads the header and the small sections. Refuses foreign, newer or older, truncated and
/// visibly corrupted files, each with its own error.
pub(crate) fn parse(data: &[u8]) -> Result<Sections> {
    if data.len() < MAGIC.len() || data[..MAGIC.len()] != MAGIC {
        // A file shorter than the magic that starts like it (or an empty one: a copy that never
        // began) is a truncated index.
        if MAGIC.starts_with(data) {
            return Err(Error::IndexTruncated {
                expected: HEADER_LEN as u64,
                got: data.len() as u64,
            });
        }
        return Err(Error::NotAnIndex);
    }
    if data.len() < HEADER_LEN {
        return Err(Error::IndexTruncated {
            expected: HEADER_LEN as u64,
            got: data.len() as u64,
        });
    }
    // Magic and version are the part of the header that every format version keeps, so the
    // version is read before anything whose layout a later version may change.
    let version = u32_at(data, 8).unwrap_or(0);
    if version != FORMAT_VERSION {
        return Err(Error::Version {
            expected: FORMAT_VERSION,
            got: version,
        });
    }
    let header_crc = u32_at(data, HEADER_CRC_AT).unwrap_or(0);
    if crc32fast::hash(&data[..HEADER_CRC_AT]) != header_crc {
        return Err(corrupted("header checksum mismatch"));
    }
    if u32_at(data, 12) != Some(HEADER_LEN as u32) {
        return Err(corrupted("unexpected header length"));
    }
    let lens: Vec<u64> = (0..SECTIONS)
        .map(|i| u64_at(data, 16 + 8 * i).unwrap_or(u64::MAX))
        .collect();
    let total = lens
        .iter()
        .try_fold(HEADER_LEN as u64, |acc, l| acc.checked_add(*l))
        .ok_or_else(|| corrupted("section lengths overflow"))?;
    if (data.len() as u64) < total {
        return Err(Error::IndexTruncated {
            expected: total,
            got: data.len() as u64,
        });
    }
    if (data.len() as u64) > total {
        return Err(corrupted(format!(
            "{} bytes after the last section",
            data.len() as u64 - total
        )));
    }
    let mut ranges = Vec::with_capacity(SECTIONS);
    let mut at = HEADER_LEN;
    for l in &lens {
        // The total fits in `data.len()`, so every length fits in usize.
        let end = at + *l as usize;
        ranges.push(at..end);
        at = end;
    }
    let info: BuildInfo = decode(&data[ranges[0].clone()], "build metadata")?;
    let forwarders: Vec<ForwarderEntry> = decode(&data[ranges[2].clone()], "forwarder table")?;
    let records = ranges[1].clone();
    let record_count = check_record_section(&data[records.clone()])?;
    let postings = ranges[3].clone();
    if postings.len() % 4 != 0 {
        return Err(corrupted("postings section length is not a multiple of 4"));
    }
    Ok(Sections {
        info,
        forwarders,
        records,
        record_count,
        postings,
        locality_shape: localities::check(&data[ranges[4].clone()])?,
        localities: ranges[4].clone(),
        fst: ranges[5].clone(),
    })
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    match bincode::serde::decode_from_slice::<T, _>(bytes, config()) {
        Ok((v, used)) if used == bytes.len() => Ok(v),
        Ok(_) => Err(corrupted(format!("{what}: trailing bytes"))),
        Err(e) => Err(corrupted(format!("{what}: {e}"))),
    }
}

/// Checks the record section's count and offset table bounds; returns the count.
fn check_record_section(sec: &[u8]) -> Result<u32> {
    let count = u32_at(sec, 0).ok_or_else(|| corrupted("record section too short"))?;
    let table_end = (count as usize)
        .checked_add(1)
        .and_then(|n| n.checked_mul(4))
        .and_then(|n| n.checked_add(4))
        .ok_or_else(|| corrupted("record count overflows"))?;
    if sec.len() < table_end {
        return Err(corrupted("record offset table is cut short"));
    }
    let last = u32_at(sec, 4 + count as usize * 4).unwrap_or(u32::MAX) as usize;
    if table_end.checked_add(last) != Some(sec.len()) {
        return Err(corrupted("record offsets do not match the section length"));
    }
    Ok(count)
}

/// Checks the body checksum: every byte after the header. Linear in the file size.
pub(crate) fn verify(data: &[u8]) -> Result<()> {
    let want = u32_at(data, BODY_CRC_AT).ok_or(Error::IndexTruncated {
        expected: HEADER_LEN as u64,
        got: data.len() as u64,
    })?;
    let got = crc32fast::hash(data.get(HEADER_LEN..).unwrap_or_default());
    if want != got {
        return Err(corrupted("body checksum mismatch"));
    }
    Ok(())
}

/// Decodes record `id` of the record section, or `None` when it is out of range or undecodable
/// (only possible in a file that fails [`verify`]).
pub(crate) fn record(sec: &[u8], id: u32) -> Option<RecordEntry> {
    let count = u32_at(sec, 0)?;
    if id >= count {
        return None;
    }
    let base = 4 + (count as usize + 1) * 4;
    let start = u32_at(sec, 4 + id as usize * 4)? as usize;
    let end = u32_at(sec, 4 + (id as usize + 1) * 4)? as usize;
    let bytes = sec.get(base.checked_add(start)?..base.checked_add(end)?)?;
    bincode::serde::decode_from_slice(bytes, config())
        .ok()
        .map(|(r, _)| r)
}

/// The ids an fst value names: `v >> 1` itself, or the list at offset `v >> 1` in the
/// postings section. Out-of-range offsets (only in files that fail [`verify`]) give none.
pub(crate) fn ids(postings: &[u8], value: u64, out: &mut Vec<u32>) {
    if value & 1 == 0 {
        if let Ok(id) = u32::try_from(value >> 1) {
            out.push(id);
        }
        return;
    }
    let Ok(at) = usize::try_from(value >> 1) else {
        return;
    };
    let Some(n) = u32_at(postings, at) else {
        return;
    };
    for i in 0..n as usize {
        match u32_at(postings, at + 4 + 4 * i) {
            Some(id) => out.push(id),
            None => return,
        }
    }
}

/// Encodes a sorted, de-duplicated id list as an fst value, appending to `postings` when it
/// has more than one id.
pub(crate) fn encode_ids(ids: &[u32], postings: &mut Vec<u8>) -> u64 {
    encode_ids_at(ids, postings, 0)
}

/// As [`encode_ids`], for a `postings` buffer that will be placed `base` bytes into the
/// postings section.
pub(crate) fn encode_ids_at(ids: &[u32], postings: &mut Vec<u8>, base: u64) -> u64 {
    match ids {
        [one] => u64::from(*one) << 1,
        _ => {
            let at = base + postings.len() as u64;
            postings.extend_from_slice(&(ids.len() as u32).to_le_bytes());
            for id in ids {
                postings.extend_from_slice(&id.to_le_bytes());
            }
            (at << 1) | 1
        }
    }
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(v, config()).map_err(|e| Error::IndexCorrupted {
        what: format!("cannot encode index metadata: {e}"),
    })
}

/// Encodes the record section.
fn encode_records(records: &[RecordEntry]) -> Result<Vec<u8>> {
    let mut payload = Vec::new();
    let mut offsets = Vec::with_capacity(records.len() + 1);
    offsets.push(0u32);
    for r in records {
        let bytes = encode(r)?;
        payload.extend_from_slice(&bytes);
        offsets.push(
            u32::try_from(payload.len()).map_err(|_| Error::IndexCorrupted {
                what: "record table larger than 4 GiB".into(),
            })?,
        );
    }
    let mut sec = Vec::with_capacity(4 + offsets.len() * 4 + payload.len());
    sec.extend_from_slice(&(records.len() as u32).to_le_bytes());
    for o in offsets {
        sec.extend_from_slice(&o.to_le_bytes());
    }
    sec.extend_from_slice(&payload);
    Ok(sec)
}

/// Everything an index file holds, ready to be written.
pub(crate) struct Contents<'a> {
    pub(crate) info: &'a BuildInfo,
    pub(crate) records: &'a [RecordEntry],
    pub(crate) forwarders: &'a [ForwarderEntry],
    pub(crate) postings: &'a [u8],
    pub(crate) localities: &'a [u8],
}

/// Writes a whole index file to `out`: header, sections, then `fst_len` bytes read from `fst`.
pub(crate) fn write_to<W: Write + Seek>(
    out: &mut W,
    contents: &Contents<'_>,
    fst: &mut dyn Read,
    fst_len: u64,
) -> io::Result<()> {
    let to_io = |e: Error| io::Error::other(e.to_string());
    let info = encode(contents.info).map_err(to_io)?;
    let records = encode_records(contents.records).map_err(to_io)?;
    let forwarders = encode(&contents.forwarders).map_err(to_io)?;
    out.write_all(&[0u8; HEADER_LEN])?;
    let mut crc = crc32fast::Hasher::new();
    for sec in [
        &info[..],
        &records,
        &forwarders,
        contents.postings,
        contents.localities,
    ] {
        crc.update(sec);
        out.write_all(sec)?;
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut copied = 0u64;
    loop {
        let n = fst.read(&mut buf)?;
        if n == 0 {
            break;
        }
        crc.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        copied += n as u64;
    }
    if copied != fst_len {
        return Err(io::Error::other("fst section changed while being copied"));
    }
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(&MAGIC);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
    for l in [
        info.len() as u64,
        records.len() as u64,
        forwarders.len() as u64,
        contents.postings.len() as u64,
        contents.localities.len() as u64,
        fst_len,
    ] {
        header.extend_from_slice(&l.to_le_bytes());
    }
    header.extend_from_slice(&crc.finalize().to_le_bytes());
    let hcrc = crc32fast::hash(&header);
    header.extend_from_slice(&hcrc.to_le_bytes());
    out.seek(SeekFrom::Start(0))?;
    out.write_all(&header)?;
    out.seek(SeekFrom::End(0))?;
    Ok(())
}

/// Writes an index file atomically: into a temporary file in the same directory, fsync,
/// rename over `path`, fsync the directory. A crash leaves either the old file or the new
/// one, never a broken one.
pub(crate) fn write_file(
    path: &Path,
    contents: &Contents<'_>,
    fst: &mut dyn Read,
    fst_len: u64,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> io::Result<()> {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        write_to(&mut w, contents, fst, fst_len)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
