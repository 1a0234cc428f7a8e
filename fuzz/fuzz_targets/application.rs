//! Application attributes (Coolify's `applications` row as JSON) through the whole
//! translation. Input: JSON; an `@options` member, taken out before the translation, holds
//! options as the PHP array gives them (absent: the defaults). Properties: every one of
//! `check_translation`.
#![no_main]

use coolify_k8s_core::{Options, Translator};
use coolify_k8s_fuzz::{check_translation, json_input, seeded_translator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((text, mut attrs)) = json_input(data) else {
        return;
    };
    let options = attrs.as_object_mut().and_then(|a| a.remove("@options"));
    let t = match options {
        None => seeded_translator(),
        Some(mut o) => {
            if let Some(o) = o.as_object_mut() {
                o.entry("seed").or_insert_with(|| "fuzz".into());
            }
            let Ok(options) = Options::from_value(o) else {
                return;
            };
            Translator::new(options)
        }
    };
    match (t.application(&attrs), t.application(&attrs)) {
        (Ok(a), Ok(b)) => check_translation(&a, &b, text),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});
