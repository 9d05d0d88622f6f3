//! The one function every export runs through, and the helpers that read C arguments and
//! make C results.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{MkwError, MkwErrorCode};

/// Runs `body`, turning an error or a panic into an `MkwError` stored in `*error` (when
/// `error` is not NULL), and returns `body`'s value or `None`.
///
/// `AssertUnwindSafe` is sound here: after a panic nothing `body` touched is used again by
/// this call, and the shared state (an engine) is immutable.
///
/// # Safety
/// `error` is NULL or points to writable storage for one pointer.
pub(crate) unsafe fn boundary<T>(
    error: *mut *mut MkwError,
    body: impl FnOnce() -> Result<T, MkwError>,
) -> Option<T> {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(MkwError::new(
            MkwErrorCode::Internal,
            format!("internal error in mikiwame ({what}): please report it"),
        ))
    });
    match outcome {
        Ok(v) => Some(v),
        Err(e) => {
            if !error.is_null() {
                // SAFETY: the caller guarantees that a non-NULL `error` is writable.
                unsafe { *error = Box::into_raw(Box::new(e)) };
            }
            None
        }
    }
}

/// The bytes of a NUL-terminated C string argument named `name`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn arg_bytes<'a>(p: *const c_char, name: &str) -> Result<&'a [u8], MkwError> {
    if p.is_null() {
        return Err(MkwError::new(
            MkwErrorCode::NullArgument,
            format!("`{name}` is NULL: pass a NUL-terminated UTF-8 string"),
        ));
    }
    // SAFETY: not NULL, and the caller guarantees a NUL-terminated string valid for 'a.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// A NUL-terminated UTF-8 C string argument named `name`.
///
/// # Safety
/// As [`arg_bytes`].
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, MkwError> {
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { arg_bytes(p, name) }?;
    std::str::from_utf8(bytes).map_err(|e| {
        MkwError::new(
            MkwErrorCode::InvalidUtf8,
            format!(
                "`{name}` is not valid UTF-8 (at byte {}): convert it to UTF-8 first",
                e.valid_up_to()
            ),
        )
    })
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As [`arg_bytes`].
pub(crate) unsafe fn arg_opt_str<'a>(
    p: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, MkwError> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { arg_str(p, name) }.map(Some)
}

/// A string for C: the caller frees it with `mkw_string_free`.
pub(crate) fn out_string(s: String) -> Result<*mut c_char, MkwError> {
    // JSON from serde escapes NUL as \u0000, so this only fails on a bug.
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| MkwError::new(MkwErrorCode::Internal, "output contains a NUL byte"))
}

/// Serializes `value` into a string for C.
pub(crate) fn out_json(value: &impl serde::Serialize) -> Result<*mut c_char, MkwError> {
    let s = serde_json::to_string(value)
        .map_err(|e| MkwError::new(MkwErrorCode::Internal, format!("cannot write JSON: {e}")))?;
    out_string(s)
}
