//! The whole translation with arbitrary options. Input: a 32-byte header from which the
//! options are chosen (structure-aware, with `arbitrary`), then a multi-file Compose text
//! as for `compose_load`. Properties: every one of `check_translation` (deterministic,
//! valid names, secrets only in Secrets, YAML = JSON, one-line command lines).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use coolify_k8s_core::compose::{MemoryFiles, SourceFile};
use coolify_k8s_core::{Options, Translator};
use coolify_k8s_fuzz::{check_translation, split_files};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

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

/// Options as the PHP array or CLI give them (so unknown values test `from_value` too).
fn options(u: &mut Unstructured) -> arbitrary::Result<Value> {
    let mut o = Map::new();
    let maybe = |o: &mut Map<String, Value>, key: &str, u: &mut Unstructured, v: Value| {
        if bool::arbitrary(u).unwrap_or(false) {
            o.insert(key.to_string(), v);
        }
    };
    let routers = ["ingress", "traefik", "gateway", "none"];
    let r = json!(routers[u.choose_index(routers.len())?]);
    maybe(&mut o, "router", u, r);
    let w = json!(word(u)?);
    maybe(&mut o, "namespace", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "name", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "ingress_class", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "cluster_issuer", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "entrypoints", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "gateway", u, w);
    let w = json!([word(u)?, word(u)?]);
    maybe(&mut o, "listeners", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "storage_class", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "storage_size", u, w);
    let b = ["pvc", "hostpath", "error"];
    let w = json!(b[u.choose_index(b.len())?]);
    maybe(&mut o, "bind_mounts", u, w);
    let p = ["clusterip", "nodeport", "loadbalancer"];
    let w = json!(p[u.choose_index(p.len())?]);
    maybe(&mut o, "published_ports", u, w);
    let w = json!(bool::arbitrary(u)?);
    maybe(&mut o, "network_policies", u, w);
    let w = json!({ word(u)?: word(u)? });
    maybe(&mut o, "images", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "seed", u, w);
    let w = json!({ word(u)?: word(u)? });
    maybe(&mut o, "labels", u, w);
    let w = json!({ word(u)?: word(u)? });
    maybe(&mut o, "annotations", u, w);
    let w = json!([word(u)?, word(u)?]);
    maybe(&mut o, "secret_variables", u, w);
    let w = json!([word(u)?]);
    maybe(&mut o, "profiles", u, w);
    let c = ["none", "traefik"];
    let w = json!(c[u.choose_index(c.len())?]);
    maybe(&mut o, "ingress_controller", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "base_domain", u, w);
    let w = json!({"min": u8::arbitrary(u)?, "max": u8::arbitrary(u)?,
                   "cpu": u8::arbitrary(u)?, "memory": u8::arbitrary(u)?});
    maybe(&mut o, "autoscale", u, w);
    let w = json!(word(u)?);
    maybe(&mut o, "deployment_id", u, w);
    Ok(Value::Object(o))
}

fuzz_target!(|data: &[u8]| {
    let (header, rest) = data.split_at(data.len().min(HEADER));
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut u = Unstructured::new(header);
    let Ok(value) = options(&mut u) else { return };
    let Ok(options) = Options::from_value(value.clone()) else {
        return;
    };
    let (main, files) = split_files(text);
    let mut env = BTreeMap::new();
    for (name, body) in &files {
        if name == "@env" {
            for line in body.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    env.insert(k.to_string(), v.to_string());
                }
            }
        }
    }
    let resolver = MemoryFiles(files.into_iter().collect());
    let sources = [SourceFile {
        name: "compose.yaml".to_string(),
        text: main,
    }];
    let t = Translator::new(options);
    let a = t.compose_files(&sources, &env, &resolver);
    let b = t.compose_files(&sources, &env, &resolver);
    match (a, b) {
        (Ok(a), Ok(b)) => check_translation(&a, &b, &format!("{text}\n{value}")),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});
