//! Coolify label parsing: Traefik rules and labels, Caddy labels, FQDN lists, encoded
//! custom labels and preview domains. Input: `key=value` lines (a service's labels); the
//! first line's value is also parsed as a Traefik rule, an FQDN list and a preview
//! template. Properties: no panic; deterministic routes.
#![no_main]

use coolify_k8s_core::coolify::application::{decode_labels, preview_fqdns};
use coolify_k8s_core::proxy::fqdn::{self, FqdnSettings};
use coolify_k8s_core::proxy::{labels, traefik_rule};
use coolify_k8s_core::{InputPath, Report};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let map: BTreeMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect();
    let path = InputPath::root().key("labels");
    let mut r1 = Report::default();
    let a = labels::routes("web", &map, &path, &mut r1);
    let mut r2 = Report::default();
    let b = labels::routes("web", &map, &path, &mut r2);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(r1, r2);

    let first = text.lines().next().unwrap_or("");
    let value = first.split_once('=').map_or(first, |(_, v)| v);
    let _ = traefik_rule::parse(value);
    let _ = traefik_rule::parse(text);
    let _ = fqdn::routes("web", value, &FqdnSettings::default(), &path);
    let _ = fqdn::routes("web", text, &FqdnSettings::default(), &path);
    let _ = decode_labels(text);
    let _ = preview_fqdns(value, text, u64::from(data.len() as u32));
});
