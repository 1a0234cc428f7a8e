//! The whole translation with arbitrary options. Input: a 32-byte header from which the
//! options are chosen (structure-aware, with `arbitrary`: a presence bit per option, then
//! the present ones' values), then a multi-file Compose text as for `compose_load`
//! (`@override…` files merged over the first). Properties: every one of
//! `check_translation` (deterministic,
//! valid names, secrets only in Secrets, YAML = JSON, one-line command lines).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use coolify_k8s_core::compose::MemoryFiles;
use coolify_k8s_core::{Options, Translator};
use coolify_k8s_fuzz::{caller_variables, check_translation, compose_sources, split_files};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

const HEADER: usize = 32;

/// Strings options take: valid ones, edge cases and hostile ones.
const WORDS: &[&str] = &[
    "",
    "a",
    "acme-prod",
    "Acme Prod",
    "-x",
    "x-",
    "9lives",
    "web",
    "websecure",
    "http,https",
    "coolify/coolify",
    "ns/",
    "/name",
    "10Gi",
    "0",
    "-1Gi",
    "1e3",
    "fast",
    "seed-1",
    "https://apps.example.com",
    "http://x",
    "example.com",
    "dev",
    "a\"b",
    "$(id)",
    "`id`",
    "'q'",
    "é",
    "a\u{0}b",
    "line\nbreak",
    "x.y/z",
    "SERVICE_PASSWORD_DB",
    "DB_PASSWORD",
    "traefik",
    "gateway",
    "none",
    "ingress",
];

fn word(u: &mut Unstructured) -> arbitrary::Result<String> {
    Ok(u.choose(WORDS)?.to_string())
}

/// A value for one option, from the header's value bytes.
type Pick = fn(&mut Unstructured) -> arbitrary::Result<Value>;

fn one_of(u: &mut Unstructured, values: &[&str]) -> arbitrary::Result<Value> {
    Ok(json!(u.choose(values)?))
}

/// Every option of the PHP array / CLI (so unknown values test `from_value` too), in the
/// order of their presence bits.
const OPTIONS: &[(&str, Pick)] = &[
    ("router", |u| {
        one_of(u, &["ingress", "traefik", "gateway", "none"])
    }),
    ("namespace", |u| Ok(json!(word(u)?))),
    ("name", |u| Ok(json!(word(u)?))),
    ("ingress_class", |u| Ok(json!(word(u)?))),
    ("cluster_issuer", |u| Ok(json!(word(u)?))),
    ("entrypoints", |u| Ok(json!(word(u)?))),
    ("gateway", |u| Ok(json!(word(u)?))),
    ("listeners", |u| Ok(json!([word(u)?, word(u)?]))),
    ("storage_class", |u| Ok(json!(word(u)?))),
    ("storage_size", |u| Ok(json!(word(u)?))),
    ("bind_mounts", |u| one_of(u, &["pvc", "hostpath", "error"])),
    ("published_ports", |u| {
        one_of(u, &["clusterip", "nodeport", "loadbalancer"])
    }),
    ("network_policies", |u| Ok(json!(bool::arbitrary(u)?))),
    ("images", |u| Ok(json!({ word(u)?: word(u)? }))),
    ("seed", |u| Ok(json!(word(u)?))),
    ("labels", |u| Ok(json!({ word(u)?: word(u)? }))),
    ("annotations", |u| Ok(json!({ word(u)?: word(u)? }))),
    ("secret_variables", |u| Ok(json!([word(u)?, word(u)?]))),
    ("profiles", |u| Ok(json!([word(u)?]))),
    ("ingress_controller", |u| {
        one_of(u, &["none", "traefik", "nginx"])
    }),
    ("base_domain", |u| Ok(json!(word(u)?))),
    ("autoscale", |u| {
        Ok(json!({"min": u8::arbitrary(u)?, "max": u8::arbitrary(u)?,
                  "cpu": u8::arbitrary(u)?, "memory": u8::arbitrary(u)?}))
    }),
    ("deployment_id", |u| Ok(json!(word(u)?))),
    ("pull_latest_images", |u| Ok(json!(bool::arbitrary(u)?))),
    ("shared_volumes", |u| one_of(u, &["affinity", "rwx"])),
    ("volume_sizes", |u| Ok(json!({ word(u)?: word(u)? }))),
    ("route_ports", |u| {
        Ok(json!({ word(u)?: u16::arbitrary(u)? }))
    }),
    ("required_port", |u| Ok(json!(u16::arbitrary(u)?))),
    ("liveness_probes", |u| Ok(json!(bool::arbitrary(u)?))),
    ("cluster_dns", |u| Ok(json!(word(u)?))),
    ("image_pull_secrets", |u| Ok(json!([word(u)?]))),
    ("registry", |u| Ok(json!(word(u)?))),
    ("namespace_strategy", |u| one_of(u, &["resource", "shared"])),
];

/// The header's first bytes hold one presence bit per entry of [`OPTIONS`] (a zero
/// header: the default options); the rest feed the present ones' values, so a 32-byte
/// header can set any of them.
const PRESENCE_BYTES: usize = OPTIONS.len().div_ceil(8);

fn options(header: &[u8]) -> Value {
    let (presence, values) = header.split_at(header.len().min(PRESENCE_BYTES));
    let present = |i: usize| presence.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 == 1);
    let mut u = Unstructured::new(values);
    let mut o = Map::new();
    for (i, (key, pick)) in OPTIONS.iter().enumerate() {
        if present(i) {
            if let Ok(v) = pick(&mut u) {
                o.insert((*key).to_string(), v);
            }
        }
    }
    Value::Object(o)
}

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let (header, rest) = data.split_at(data.len().min(HEADER));
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let value = options(header);
    let Ok(options) = Options::from_value(value.clone()) else {
        return;
    };
    let (main, files) = split_files(text);
    let env = caller_variables(&files);
    let sources = compose_sources(main, &files);
    let resolver = MemoryFiles(files.into_iter().collect());
    let t = Translator::new(options);
    let a = t.compose_files(&sources, &env, &resolver);
    let b = t.compose_files(&sources, &env, &resolver);
    match (a, b) {
        (Ok(a), Ok(b)) => check_translation(&a, &b, &format!("{text}\n{value}")),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});
