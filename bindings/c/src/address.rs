//! Address normalization.

use std::ffi::c_char;

use mikiwame::address::Address;

use crate::boundary::{arg_str, boundary, out_json};
use crate::error::{MkwError, MkwErrorCode};

/// Parses an address argument; an empty one is an input error, as in `mikiwame check`.
pub(crate) fn parse(text: &str) -> Result<Address, MkwError> {
    if text.trim().is_empty() {
        return Err(MkwError::new(
            MkwErrorCode::InvalidInput,
            "the address is empty: pass the shipping address as one string",
        ));
    }
    Ok(mikiwame::address::normalize(text)?)
}

/// Normalizes one address (Japanese or Latin script); no engine or index is needed.
///
/// Returns a JSON object with the same fields as `mikiwame normalize`: `input`,
/// `block_key`, `unit_key`, `components`, `anomalies`; the caller frees it with
/// `mkw_string_free`. Returns NULL on error with `*error` set when `error` is not NULL.
/// Thread-safe.
///
/// # Safety
/// `address` is NULL or a NUL-terminated string; `error` is NULL or points to writable
/// storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn mkw_normalize_address(
    address: *const c_char,
    error: *mut *mut MkwError,
) -> *mut c_char {
    // SAFETY: `error` as the caller guarantees.
    let out = unsafe {
        boundary(error, || {
            // SAFETY: the caller passes NULL or a NUL-terminated string.
            let text = arg_str(address, "address")?;
            out_json(&mikiwame::address::to_json(&parse(text)?))
        })
    };
    out.unwrap_or(std::ptr::null_mut())
}
