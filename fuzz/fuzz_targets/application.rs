//! Application attributes (Coolify's `applications` row as JSON) through the whole
//! translation. Input: JSON. Properties: every one of `check_translation`.
#![no_main]

use coolify_k8s_core::{Options, Translator};
use coolify_k8s_fuzz::check_translation;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(attrs) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let options = Options {
        seed: Some("fuzz".to_string()),
        ..Options::default()
    };
    let t = Translator::new(options);
    match (t.application(&attrs), t.application(&attrs)) {
        (Ok(a), Ok(b)) => check_translation(&a, &b, text),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});
