//! The C ABI of mikiwame: opaque handles, UTF-8 JSON strings in and out, errors through an
//! out-parameter. The header `include/mikiwame.h` is generated from this crate by cbindgen
//! (see `bindings/c/generate-headers.sh`), and its comments come from the doc comments here,
//! so they are written for C readers.
//!
//! Every export runs its body through [`boundary::boundary`], which checks the arguments,
//! catches panics and reports failures through `MkwError **error`: nothing unwinds into C.
// The one crate of the workspace that may use unsafe code: it dereferences C pointers.
#![allow(unsafe_code)]

mod address;
mod boundary;
mod engine;
mod error;
mod screen;

pub use address::mkw_normalize_address;
pub use engine::{
    mkw_check_address, mkw_engine_free, mkw_engine_open, mkw_engine_open_with_threads,
    mkw_score_json, mkw_score_jsonl, MkwEngine,
};
pub use error::{mkw_error_code, mkw_error_free, mkw_error_message, MkwError, MkwErrorCode};
pub use screen::mkw_screen_json;

use std::ffi::c_char;

/// The version of the ABI described by this header. It changes whenever a function's
/// signature or meaning changes, so a program or a PHP wrapper can refuse a library it was
/// not written for: compare `mkw_abi_version()` with the value it was built against (1).
pub const MKW_ABI_VERSION: u32 = 1;

/// The ABI version of the loaded library (see `MKW_ABI_VERSION`).
///
/// Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn mkw_abi_version() -> u32 {
    MKW_ABI_VERSION
}

/// The version of the mikiwame library, e.g. "0.1.0".
///
/// The string is static: do not free it. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn mkw_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Frees a string returned by any `mkw_*` function that returns `char *`.
///
/// `s` may be NULL (nothing happens). Never pass a string that was not returned by this
/// library, nor the same string twice. Thread-safe.
///
/// # Safety
/// `s` is NULL or a string returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mkw_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the caller passes a pointer that `boundary::out_string` made with
        // `CString::into_raw` and that has not been freed yet.
        drop(unsafe { std::ffi::CString::from_raw(s) });
    }
}
