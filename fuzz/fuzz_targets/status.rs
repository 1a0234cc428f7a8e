//! The status parser: the output of the `status` line (tab-separated columns) read back
//! against a fixed translation. Input: text. Properties: no panic; deterministic.
#![no_main]

use coolify_k8s_core::kubectl::Kubectl;
use coolify_k8s_core::{Options, Translator};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const COMPOSE: &str = "services:
  web:
    image: nginx:1.27
  db:
    image: postgres:16
    volumes: [data:/var/lib/postgresql/data]
  migrate:
    image: alpine
    restart: 'no'
  agent:
    image: alpine
    deploy:
      mode: global
volumes:
  data: {}
";

fn manifests() -> &'static coolify_k8s_core::Manifests {
    static M: OnceLock<coolify_k8s_core::Manifests> = OnceLock::new();
    M.get_or_init(|| {
        Translator::new(Options::default())
            .compose(COMPOSE, &BTreeMap::new())
            .expect("the fixed project translates")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let k = Kubectl::new(Default::default()).expect("the default target is valid");
    let a = k.parse_status(manifests(), text);
    let b = k.parse_status(manifests(), text);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
});
