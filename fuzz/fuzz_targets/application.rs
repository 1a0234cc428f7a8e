//! Application attributes (Coolify's `applications` row as JSON) through the whole
//! translation. Input: JSON. Properties: every one of `check_translation`.
#![no_main]

use coolify_k8s_fuzz::{check_translation, json_input, seeded_translator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((text, attrs)) = json_input(data) else {
        return;
    };
    let t = seeded_translator();
    match (t.application(&attrs), t.application(&attrs)) {
        (Ok(a), Ok(b)) => check_translation(&a, &b, text),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});
