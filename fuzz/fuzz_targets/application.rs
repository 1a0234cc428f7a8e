//! Application attributes (Coolify's `applications` row as JSON) through the whole
//! translation. Input: JSON; an `@options` member, taken out before the translation, holds
//! options as the PHP array gives them (absent: the defaults). Properties: every one of
//! `check_translation`.
#![no_main]

use coolify_k8s_fuzz::{check_translation, json_input, translator_for};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let Some((text, mut attrs)) = json_input(data) else {
        return;
    };
    let Some(t) = translator_for(&mut attrs) else {
        return;
    };
    match (t.application(&attrs), t.application(&attrs)) {
        (Ok(a), Ok(b)) => check_translation(&a, &b, text),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});
