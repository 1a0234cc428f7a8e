//! `Manifests::from_json` (stored manifests, PHP `Manifests::fromJson()`), then every
//! command builder, YAML and JSON output on what it returns. Input: JSON. Properties:
//! every command line is one line; YAML re-read equals the objects.
#![no_main]

use coolify_k8s_core::kubectl::Kubectl;
use coolify_k8s_core::Manifests;
use coolify_k8s_fuzz::{check_commands, check_yaml_is_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = Manifests::from_json(text) else {
        return;
    };
    check_yaml_is_json(&m);
    let k = Kubectl::new(Default::default()).expect("the default target is valid");
    let service = m
        .objects()
        .iter()
        .find_map(|o| o["metadata"]["name"].as_str())
        .unwrap_or("web")
        .to_string();
    check_commands(&k, &m, &service);
});
