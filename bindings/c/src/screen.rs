//! Impersonation screening.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::{Arc, Mutex, OnceLock};

use mikiwame::impersonation::{BrandProfile, Screener};

use crate::boundary::{arg_opt_str, arg_str, boundary, out_json};
use crate::error::{MkwError, MkwErrorCode};

/// Compiled screeners by brand: compiling one takes milliseconds, screening microseconds.
fn screener(brand: &str) -> Result<Arc<Screener>, MkwError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Screener>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A poisoned lock only means another call panicked; the map is still whole.
    if let Some(s) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(brand) {
        return Ok(Arc::clone(s));
    }
    let s = Arc::new(Screener::new(BrandProfile::builtin(brand)?)?);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(brand.to_string(), Arc::clone(&s));
    Ok(s)
}

/// Screens a sender address, URL, phone number and/or message text for impersonation of
/// a brand. `input_json` is a JSON object with any of `sender`, `url`, `phone` (and
/// `region`), `text`, `authenticated`; `brand` names a built-in brand profile, or is NULL
/// for "amazon".
///
/// Returns a JSON object as one line of `mikiwame screen`: under each given field's name a
/// `verdict` (official/lookalike/blocklisted/unknown; for `text`: scam/suspicious/legit with
/// `score` and `cues`) and `reasons`; a field of the wrong type gives an `error` member
/// instead. The caller frees it with `mkw_string_free`. Returns NULL on error (NULL or
/// non-UTF-8 argument, input that is not a JSON object, unknown brand) with `*error` set
/// when `error` is not NULL. Thread-safe.
///
/// # Safety
/// `input_json` and `brand` are NULL or NUL-terminated strings; `error` is NULL or points
/// to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn mkw_screen_json(
    input_json: *const c_char,
    brand: *const c_char,
    error: *mut *mut MkwError,
) -> *mut c_char {
    // SAFETY: `error` as the caller guarantees.
    let out = unsafe {
        boundary(error, || {
            // SAFETY: the caller passes NULL or NUL-terminated strings.
            let text = arg_str(input_json, "input_json")?;
            // SAFETY: as above.
            let brand = arg_opt_str(brand, "brand")?.unwrap_or("amazon");
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                MkwError::new(
                    MkwErrorCode::InvalidInput,
                    format!("`input_json` is not valid JSON: {e}"),
                )
            })?;
            if !value.is_object() {
                return Err(MkwError::new(
                    MkwErrorCode::InvalidInput,
                    "`input_json` must be a JSON object with any of sender, url, phone, text",
                ));
            }
            out_json(&screener(brand)?.screen_json(&value))
        })
    };
    out.unwrap_or(std::ptr::null_mut())
}
