//! The `Kubectl` target options (PHP `new Kubectl([...])`, CLI flags) against a fixed
//! translation. Input: JSON options. Properties: every command line is one line.
#![no_main]

use coolify_k8s_core::kubectl::{Kubectl, Target};
use coolify_k8s_core::{Options, Translator};
use coolify_k8s_fuzz::{check_commands, json_input};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const COMPOSE: &str = "services:
  web:
    image: nginx:1.27
    ports: ['8080:80']
    volumes: [data:/data]
    environment:
      SERVICE_FQDN_WEB_80: ''
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${SERVICE_PASSWORD_DB}
  migrate:
    image: alpine
    restart: 'no'
volumes:
  data: {}
";

fn manifests() -> &'static coolify_k8s_core::Manifests {
    static M: OnceLock<coolify_k8s_core::Manifests> = OnceLock::new();
    M.get_or_init(|| {
        let options = Options {
            seed: Some("fuzz".into()),
            ..Options::default()
        };
        Translator::new(options)
            .compose(COMPOSE, &BTreeMap::new())
            .expect("the fixed project translates")
    })
}

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let Some((_, value)) = json_input(data) else {
        return;
    };
    let Ok(target) = Target::from_json(&value) else {
        return;
    };
    let Ok(k) = Kubectl::new(target) else { return };
    for service in ["web", "db", "migrate", "nope"] {
        check_commands(&k, manifests(), service);
    }
});
