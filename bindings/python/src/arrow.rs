//! Reading Arrow string columns in place, through the Arrow C data interface.
//!
//! `score_frame` hands string columns over as pyarrow arrays rather than Python lists: the
//! cells are then read from Arrow's buffers (offsets and UTF-8 bytes) without a Python
//! object or an allocation per cell, and without the GIL. Only the two string layouts are
//! read here, `utf8` (32-bit offsets) and `large_utf8` (64-bit); the Python side passes
//! every other column type as a list.
//!
//! The arrays arrive through the PyCapsule protocol (`__arrow_c_array__`, pyarrow 14 and
//! later): the capsules stay alive in [`ArrowStrings`], so the producer's buffers do too,
//! and their destructor releases the arrays when the column is dropped. Nothing from the
//! producer is trusted: the format must be one of the two above, the pointers non-null
//! where the layout needs them, the offsets in order and on character boundaries, and the
//! bytes valid UTF-8; anything else is an `InputError`, checked once when the column is
//! read, before any cell is.
//!
//! The one module of the extension with `unsafe` code: reading foreign memory is what it is
//! for.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_void, CStr};

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

use crate::errors;

/// `struct ArrowSchema` of the Arrow C data interface.
#[repr(C)]
struct FfiSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut FfiSchema,
    dictionary: *mut FfiSchema,
    release: Option<unsafe extern "C" fn(*mut FfiSchema)>,
    private_data: *mut c_void,
}

/// `struct ArrowArray` of the Arrow C data interface.
#[repr(C)]
struct FfiArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut FfiArray,
    dictionary: *mut FfiArray,
    release: Option<unsafe extern "C" fn(*mut FfiArray)>,
    private_data: *mut c_void,
}

/// One Arrow string array, checked: cell `i` is `data[offsets[i]..offsets[i + 1]]`.
struct Chunk {
    /// The schema and array capsules: they own the buffers below.
    _owners: [Py<PyCapsule>; 2],
    /// `offset + length + 1` offsets, already shifted by the array's offset.
    offsets: Offsets,
    /// The validity bitmap and the bit of the first cell, when the array has nulls.
    validity: Option<(*const u8, usize)>,
    data: *const u8,
    len: usize,
}

#[derive(Clone, Copy)]
enum Offsets {
    Small(*const i32),
    Large(*const i64),
}

// SAFETY: the pointers are read only, into buffers that the capsules in `_owners` keep
// alive and that Arrow arrays never change once exported.
unsafe impl Send for Chunk {}
unsafe impl Sync for Chunk {}

impl Chunk {
    fn offset(&self, i: usize) -> usize {
        // `new` checked every offset: none is negative.
        self.raw_offset(i) as usize
    }

    fn get(&self, i: usize) -> Option<&str> {
        if let Some((bits, first)) = self.validity {
            let bit = first + i;
            // SAFETY: the bitmap has `offset + length` bits (Arrow's layout).
            if unsafe { *bits.add(bit / 8) } & (1 << (bit % 8)) == 0 {
                return None;
            }
        }
        let (start, end) = (self.offset(i), self.offset(i + 1));
        if start == end {
            return Some("");
        }
        // SAFETY: `new` checked that the offsets rise, that `data[..last offset]` is valid
        // UTF-8 and that every offset falls on a character boundary.
        Some(unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.data.add(start),
                end - start,
            ))
        })
    }

    /// Reads and checks one exported array.
    fn new(array: &Bound<'_, PyAny>, column: &str) -> PyResult<Chunk> {
        let bad = |why: &str| {
            errors::input(format!(
                "column `{column}`: the Arrow array cannot be read ({why}); pass the column as a \
                 pyarrow string array or as a list"
            ))
        };
        let pair = array.call_method0("__arrow_c_array__")?;
        let pair = pair
            .downcast::<PyTuple>()
            .map_err(|_| bad("__arrow_c_array__ did not return a pair"))?;
        if pair.len() != 2 {
            return Err(bad("__arrow_c_array__ did not return a pair"));
        }
        let capsule = |i: usize, name: &CStr| -> PyResult<Bound<'_, PyCapsule>> {
            let c = pair.get_item(i)?;
            let c = c
                .downcast_into::<PyCapsule>()
                .map_err(|_| bad("not a capsule"))?;
            if c.name()? != Some(name) || c.pointer().is_null() {
                return Err(bad("not an Arrow capsule"));
            }
            Ok(c)
        };
        let schema_capsule = capsule(0, c"arrow_schema")?;
        let array_capsule = capsule(1, c"arrow_array")?;
        // SAFETY: the capsules are named as the PyCapsule protocol names them, which
        // promises these structs; they are alive while the capsules are.
        let (schema, arr) = unsafe {
            (
                &*(schema_capsule.pointer() as *const FfiSchema),
                &*(array_capsule.pointer() as *const FfiArray),
            )
        };
        if schema.release.is_none() || arr.release.is_none() || schema.format.is_null() {
            return Err(bad("released"));
        }
        // SAFETY: non-null, and a C string by the interface.
        let format = unsafe { CStr::from_ptr(schema.format) };
        let large = match format.to_bytes() {
            b"u" => false,
            b"U" => true,
            _ => return Err(bad("not a utf8 or large_utf8 array")),
        };
        let (Ok(len), Ok(first)) = (usize::try_from(arr.length), usize::try_from(arr.offset))
        else {
            return Err(bad("negative length or offset"));
        };
        if arr.n_buffers != 3 || arr.buffers.is_null() || first.checked_add(len).is_none() {
            return Err(bad("not the layout of a string array"));
        }
        // SAFETY: three buffer pointers, by `n_buffers`.
        let buffers = unsafe { std::slice::from_raw_parts(arr.buffers, 3) };
        let (validity, offsets, data) = (buffers[0], buffers[1], buffers[2]);
        if offsets.is_null() {
            return Err(bad("no offsets"));
        }
        // A null count of -1 means "not computed": the bitmap, when there is one, decides.
        let validity = match (arr.null_count, validity.is_null()) {
            (0, _) | (-1, true) => None,
            (_, true) => return Err(bad("nulls without a validity bitmap")),
            (_, false) => Some((validity as *const u8, first)),
        };
        let offsets = if large {
            // SAFETY: the offsets buffer holds `offset + length + 1` entries.
            Offsets::Large(unsafe { (offsets as *const i64).add(first) })
        } else {
            // SAFETY: as above.
            Offsets::Small(unsafe { (offsets as *const i32).add(first) })
        };
        let mut chunk = Chunk {
            _owners: [schema_capsule.unbind(), array_capsule.unbind()],
            offsets,
            validity,
            data: data as *const u8,
            len,
        };
        // Offsets: in order, non-negative.
        let start = chunk.raw_offset(0);
        let mut last = start;
        for i in 1..=len {
            let o = chunk.raw_offset(i);
            if o < last {
                return Err(bad("offsets out of order"));
            }
            last = o;
        }
        if start < 0 {
            return Err(bad("negative offsets"));
        }
        let (start, end) = (start as usize, last as usize);
        if end > start && data.is_null() {
            return Err(bad("no data buffer"));
        }
        if end == start {
            // Every cell is empty (or null): `get` never touches the data pointer.
            chunk.data = std::ptr::NonNull::<u8>::dangling().as_ptr();
            return Ok(chunk);
        }
        // SAFETY: the data buffer holds at least the last offset's bytes.
        let bytes = unsafe { std::slice::from_raw_parts(chunk.data, end) };
        let text =
            simdutf8::basic::from_utf8(&bytes[start..end]).map_err(|_| bad("invalid UTF-8"))?;
        let text = text.as_bytes();
        for i in 0..=len {
            let o = chunk.offset(i) - start;
            // A cell may start or end only between characters.
            if o < text.len() && (text[o] & 0xC0) == 0x80 {
                return Err(bad("a cell boundary inside a character"));
            }
        }
        Ok(chunk)
    }

    fn raw_offset(&self, i: usize) -> i64 {
        // SAFETY: `i <= len`: the buffer holds `offset + length + 1` entries.
        unsafe {
            match self.offsets {
                Offsets::Small(p) => p.add(i).read_unaligned() as i64,
                Offsets::Large(p) => p.add(i).read_unaligned(),
            }
        }
    }
}

/// An Arrow string column (one array or the chunks of a `ChunkedArray`), read in place.
pub(crate) struct ArrowStrings {
    chunks: Vec<Chunk>,
    /// The first row of each chunk.
    starts: Vec<usize>,
    len: usize,
}

impl ArrowStrings {
    /// Reads the arrays of `chunks` (pyarrow `StringArray` or `LargeStringArray`, or
    /// anything with `__arrow_c_array__` exporting one), in order.
    pub(crate) fn read(chunks: &Bound<'_, PyAny>, column: &str) -> PyResult<ArrowStrings> {
        let mut out = ArrowStrings {
            chunks: Vec::new(),
            starts: Vec::new(),
            len: 0,
        };
        for array in chunks.try_iter()? {
            let chunk = Chunk::new(&array?, column)?;
            out.starts.push(out.len);
            out.len += chunk.len;
            out.chunks.push(chunk);
        }
        Ok(out)
    }

    /// The number of cells.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Cell `i` (`None` when null or out of range).
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let c = match self.chunks.len() {
            1 => 0,
            _ => self.starts.partition_point(|&s| s <= i).checked_sub(1)?,
        };
        let chunk = self.chunks.get(c)?;
        let j = i - self.starts[c];
        if j >= chunk.len {
            return None;
        }
        chunk.get(j)
    }
}
