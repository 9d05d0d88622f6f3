//! Asking the processor to start loading bytes a query will read soon. A batch walks
//! several runs of its keys in turn and asks for each run's next state before stepping the
//! others, so their cache misses overlap instead of stalling one after another. The crate's other use of `unsafe`,
//! for the intrinsic alone.
#![allow(unsafe_code)]

/// Hints that `bytes[at]` will be read soon. Changes nothing observable and never faults:
/// positions past the end are ignored, and on targets without a stable prefetch
/// instruction it does nothing.
#[inline(always)]
pub(crate) fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(b) = bytes.get(at) {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch only hints the cache and never dereferences its pointer (no
        // fault even when invalid); here the pointer is inside a live slice anyway. SSE,
        // which the intrinsic is declared under, is part of every x86_64 target.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((b as *const u8).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_position_is_accepted_and_nothing_changes() {
        let bytes = vec![7u8; 100];
        for at in [0, 50, 99, 100, usize::MAX] {
            prefetch(&bytes, at);
        }
        prefetch(&[], 0);
        assert!(bytes.iter().all(|b| *b == 7));
    }
}
