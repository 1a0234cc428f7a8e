//! The status parsers: the output of the `status` line read back against a fixed
//! translation, and the same text read as the pods listing and as the destination-wide
//! status poll. Input: text. Properties: no panic; deterministic; every pod and container
//! word is one of Coolify's; poll results sorted by (namespace, instance), each instance
//! once, its restart count the highest of its counted containers.
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
    let _unit = coolify_k8s_fuzz::watch(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let k = Kubectl::new(Default::default()).expect("the default target is valid");
    let a = k.parse_status(manifests(), text);
    let b = k.parse_status(manifests(), text);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let pods = k.parse_pods(text);
    assert_eq!(format!("{pods:?}"), format!("{:?}", k.parse_pods(text)));
    let poll = k.parse_status_poll(text);
    assert_eq!(
        format!("{poll:?}"),
        format!("{:?}", k.parse_status_poll(text))
    );
    if let Ok(pods) = pods {
        for c in pods.iter().flat_map(|p| &p.containers) {
            assert!(CONTAINER_WORDS.contains(&c.status.as_str()), "{}", c.status);
        }
    }
    if let Ok(poll) = poll {
        let keys: Vec<(&str, &str)> = poll
            .iter()
            .map(|s| (s.namespace.as_str(), s.instance.as_str()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        for s in &poll {
            let word = s.status.strip_suffix(":excluded").unwrap_or(&s.status);
            assert!(RESOURCE_WORDS.contains(&word), "{}", s.status);
            assert!(s.restart_count >= 0);
        }
    }
});

/// The words a container can get (pods.rs).
const CONTAINER_WORDS: &[&str] = &[
    "running:healthy",
    "running:unhealthy",
    "running:unknown",
    "restarting:unhealthy",
    "restarting:unknown",
    "created:unknown",
    "exited",
];

/// The words a resource can get (poll.rs), before an `:excluded` suffix.
const RESOURCE_WORDS: &[&str] = &[
    "running:healthy",
    "running:unhealthy",
    "running:unknown",
    "restarting:unhealthy",
    "degraded:unhealthy",
    "paused:unknown",
    "starting:unknown",
    "exited",
];
