//! `MkwError`: what went wrong, for the C caller.

use std::ffi::{c_char, CString};

/// The kind of an error, from `mkw_error_code`. The numbers are stable.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MkwErrorCode {
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// The input could not be read: not JSON, a field of the wrong type, an address that
    /// cannot be parsed, or settings that are invalid.
    InvalidInput = 3,
    /// The index file is not an index, is truncated, corrupted, or of another version.
    IndexFormat = 4,
    /// A file could not be read (missing, no permission).
    Io = 5,
    /// A bug in mikiwame: a panic was caught at the boundary. Please report it.
    Internal = 6,
}

/// An error: a code and a message in English that says what happened and what to do.
///
/// Returned through the `MkwError **error` parameter of a function that failed. The caller
/// owns it and frees it with `mkw_error_free`. It is immutable: it may be read from any
/// thread, and sent to another thread.
#[derive(Debug)]
pub struct MkwError {
    pub(crate) code: MkwErrorCode,
    pub(crate) message: CString,
}

impl MkwError {
    /// A new error; a NUL inside the message (it may quote user input) is replaced so that
    /// the message is always a valid C string.
    pub(crate) fn new(code: MkwErrorCode, message: impl Into<String>) -> MkwError {
        let message = message.into().replace('\0', "\u{FFFD}");
        let message = CString::new(message).unwrap_or_default();
        MkwError { code, message }
    }
}

impl From<mikiwame::Error> for MkwError {
    fn from(e: mikiwame::Error) -> MkwError {
        use mikiwame::Error as E;
        let code = match &e {
            E::NotAnIndex
            | E::IndexTruncated { .. }
            | E::IndexCorrupted { .. }
            | E::Version { .. } => MkwErrorCode::IndexFormat,
            E::Io { .. } => MkwErrorCode::Io,
            _ => MkwErrorCode::InvalidInput,
        };
        MkwError::new(code, e.to_string())
    }
}

/// The message of an error: UTF-8, NUL-terminated, never NULL for a non-NULL `error`.
///
/// The string belongs to `error` and lives until `mkw_error_free(error)`: do not free it.
/// Returns NULL when `error` is NULL.
///
/// # Safety
/// `error` is NULL or an error from this library that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn mkw_error_message(error: *const MkwError) -> *const c_char {
    // SAFETY: the caller passes NULL or a live error made by `Box::into_raw`.
    match unsafe { error.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => std::ptr::null(),
    }
}

/// The kind of an error (see `MkwErrorCode`); `MKW_ERROR_CODE_NULL_ARGUMENT` when `error`
/// is NULL.
///
/// # Safety
/// `error` is NULL or an error from this library that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn mkw_error_code(error: *const MkwError) -> MkwErrorCode {
    // SAFETY: the caller passes NULL or a live error made by `Box::into_raw`.
    match unsafe { error.as_ref() } {
        Some(e) => e.code,
        None => MkwErrorCode::NullArgument,
    }
}

/// Frees an error. `error` may be NULL (nothing happens). Do not use the error, nor the
/// string from `mkw_error_message`, afterwards.
///
/// # Safety
/// `error` is NULL or an error from this library that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn mkw_error_free(error: *mut MkwError) {
    if !error.is_null() {
        // SAFETY: the caller passes an error made by `Box::into_raw` in
        // `boundary::boundary`, not freed yet.
        drop(unsafe { Box::from_raw(error) });
    }
}
