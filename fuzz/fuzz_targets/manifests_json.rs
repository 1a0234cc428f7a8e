//! `Manifests::from_json` (stored manifests, PHP `Manifests::fromJson()`) and
//! `Stored::from_json` (a resource handle, or manifests' JSON), then every command builder,
//! YAML and JSON output on what they return. Input: JSON. Properties: every command line is
//! one line; YAML re-read equals the objects; a handle made from manifests reads back equal
//! and gives the same lifecycle lines as the manifests, and so does their JSON without
//! Secret data.
#![no_main]

use coolify_k8s_core::kubectl::{Handle, Kubectl, Stored};
use coolify_k8s_core::Manifests;
use coolify_k8s_fuzz::{check_commands, check_yaml_is_json, lifecycle_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let k = Kubectl::new(Default::default()).expect("the default target is valid");
    if let Ok(stored) = Stored::from_json(text) {
        // Whatever reads as stored text (a handle included) gives one-line commands.
        for line in lifecycle_lines(&k, &stored, "web") {
            coolify_k8s_fuzz::check_line(&line);
        }
    }
    let Ok(m) = Manifests::from_json(text) else {
        return;
    };
    check_yaml_is_json(&m);
    if let Ok(h) = m.handle() {
        let back = Handle::from_json(&h.to_json()).expect("a handle reads back");
        assert_eq!(back, h);
        let service = m
            .objects()
            .iter()
            .find_map(|o| o["metadata"]["name"].as_str())
            .unwrap_or("web");
        let want = lifecycle_lines(&k, &m, service);
        assert_eq!(lifecycle_lines(&k, &back, service), want);
        let without = Stored::from_json(&m.to_json_without_secret_data())
            .expect("JSON without Secret data reads back");
        assert_eq!(lifecycle_lines(&k, &without, service), want);
    }
    let service = m
        .objects()
        .iter()
        .find_map(|o| o["metadata"]["name"].as_str())
        .unwrap_or("web")
        .to_string();
    check_commands(&k, &m, &service);
});
