//! Issue 10 over every Coolify template of `../shared/corpus` (skipped with a message when
//! it is absent): routes, names and values as Coolify makes them.
//!
//! - a template with a `# port:` header and a port-less `SERVICE_URL_<ID>` /
//!   `SERVICE_FQDN_<ID>` routes that service to the header's port;
//! - no two route objects claim one host and path;
//! - stored `https://` `SERVICE_URL_*` values keep TLS whatever the scheme-less
//!   `SERVICE_FQDN_*` stored beside them says;
//! - named volumes whose sources slug alike (`Str::slug`) are one claim;
//! - every generated magic value has the format of Coolify's `generateEnvValue`.

mod convert_support;

use base64::Engine as _;
use convert_support::{caller_values, corpus, stem, templates, DirFiles, SEED};
use coolify_k8s_core::compose::{self, LoadOptions, MagicKind, MagicVariable, Project, SourceFile};
use coolify_k8s_core::plan::names::{coolify_slug, volume_claim_name};
use coolify_k8s_core::proxy::service_urls::template_port;
use coolify_k8s_core::{Manifests, Options, Translator};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

struct Template {
    name: String,
    text: String,
    project: Project,
}

fn load_all() -> Vec<Template> {
    let Some(corpus) = corpus() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in templates(&corpus) {
        let text = std::fs::read_to_string(&p).unwrap();
        let files = [SourceFile {
            name: p.to_string_lossy().into_owned(),
            text: text.clone(),
        }];
        let opts = LoadOptions {
            variables: caller_values(&text),
            ..Default::default()
        };
        let loaded =
            compose::load(&files, &opts, &DirFiles).unwrap_or_else(|e| panic!("{}: {e}", stem(&p)));
        out.push(Template {
            name: p.to_string_lossy().into_owned(),
            text,
            project: loaded.project,
        });
    }
    out
}

fn translate(t: &Template, extra: &BTreeMap<String, String>) -> Manifests {
    let mut env = caller_values(&t.text);
    env.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut options = Options {
        seed: Some(SEED.to_string()),
        ..Options::default()
    };
    for (name, svc) in &t.project.services {
        if svc.image.is_none() {
            options
                .images
                .insert(name.clone(), format!("registry.example/{name}:latest"));
        }
    }
    let files = [SourceFile {
        name: t.name.clone(),
        text: t.text.clone(),
    }];
    Translator::new(options)
        .compose_files(&files, &env, &DirFiles)
        .unwrap_or_else(|e| panic!("{}: {e}", short(&t.name)))
}

fn short(name: &str) -> String {
    stem(Path::new(name))
}

/// (host, path, backend service, port) of every Ingress rule.
fn ingress_rules(m: &Manifests) -> Vec<(String, String, String, u64, bool)> {
    let mut out = Vec::new();
    for ing in m.objects().iter().filter(|o| o["kind"] == "Ingress") {
        let tls_hosts: BTreeSet<&str> = ing["spec"]["tls"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["hosts"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        for rule in ing["spec"]["rules"].as_array().into_iter().flatten() {
            let host = rule["host"].as_str().unwrap_or("").to_string();
            for p in rule["http"]["paths"].as_array().into_iter().flatten() {
                out.push((
                    host.clone(),
                    p["path"].as_str().unwrap_or("").to_string(),
                    p["backend"]["service"]["name"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    p["backend"]["service"]["port"]["number"]
                        .as_u64()
                        .unwrap_or(0),
                    tls_hosts.contains(host.as_str()),
                ));
            }
        }
    }
    out
}

/// The Service name of a Compose service (the workload's `app.kubernetes.io/name`).
fn k8s_name(m: &Manifests, service: &str) -> Option<String> {
    let wanted = coolify_k8s_core::plan::names::dns_label(service, 63);
    m.objects()
        .iter()
        .any(|o| o["kind"] == "Service" && o["metadata"]["name"] == wanted.as_str())
        .then_some(wanted)
}

#[test]
fn port_header_routes_portless_urls() {
    let all = load_all();
    let mut checked = 0;
    let mut failures = Vec::new();
    for t in &all {
        let Some(port) = template_port(&t.text) else {
            continue;
        };
        let m = translate(t, &BTreeMap::new());
        let rules = ingress_rules(&m);
        for (name, svc) in &t.project.services {
            let ids: BTreeSet<&str> = svc.urls.iter().map(|u| u.id.as_str()).collect();
            for id in ids {
                if svc.urls.iter().any(|u| u.id == id && u.port.is_some()) {
                    continue;
                }
                let Some(k8s) = k8s_name(&m, name) else {
                    continue;
                };
                checked += 1;
                if !rules.iter().any(|r| r.2 == k8s && r.3 == u64::from(port)) {
                    failures.push(format!(
                        "{}: {name} (SERVICE_URL_{id}) has no route to port {port}: {rules:?}",
                        short(&t.name)
                    ));
                }
            }
        }
    }
    if all.is_empty() {
        return;
    }
    assert!(
        checked >= 10,
        "only {checked} port-less URLs under a # port: header"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_two_routes_claim_one_host_and_path() {
    let mut failures = Vec::new();
    for t in &load_all() {
        let m = translate(t, &BTreeMap::new());
        let mut seen = BTreeMap::new();
        for r in ingress_rules(&m) {
            if let Some(other) = seen.insert((r.0.clone(), r.1.clone()), r.2.clone()) {
                failures.push(format!(
                    "{}: {}{} claimed by {other} and {}",
                    short(&t.name),
                    r.0,
                    r.1,
                    r.2
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn stored_https_urls_keep_tls_whatever_the_fqdn_says() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for t in &load_all() {
        // What Coolify stores for every id: the URL with https, the FQDN without a scheme.
        let ids: BTreeSet<&str> = t
            .project
            .services
            .values()
            .flat_map(|s| s.urls.iter().map(|u| u.id.as_str()))
            .collect();
        if ids.is_empty() {
            continue;
        }
        let mut stored = BTreeMap::new();
        for id in &ids {
            let host = format!(
                "{}.stored.example.com",
                id.to_ascii_lowercase().replace('_', "-")
            );
            stored.insert(format!("SERVICE_URL_{id}"), format!("https://{host}"));
            stored.insert(format!("SERVICE_FQDN_{id}"), host);
        }
        let m = translate(t, &stored);
        for r in ingress_rules(&m) {
            if r.0.ends_with(".stored.example.com") {
                checked += 1;
                if !r.4 {
                    failures.push(format!("{}: {} has no TLS", short(&t.name), r.0));
                }
            }
        }
    }
    if checked == 0 {
        return; // no corpus
    }
    assert!(checked >= 100, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn volumes_whose_names_slug_alike_are_one_claim() {
    let mut failures = Vec::new();
    for t in &load_all() {
        let m = translate(t, &BTreeMap::new());
        let claims: BTreeSet<&str> = m
            .objects()
            .iter()
            .filter(|o| o["kind"] == "PersistentVolumeClaim")
            .filter_map(|o| o["metadata"]["name"].as_str())
            .collect();
        let mut by_slug: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for svc in t.project.services.values() {
            for v in &svc.volumes {
                if v.kind == compose::MountType::Volume {
                    if let Some(s) = &v.source {
                        if !t.project.volumes.get(s).is_some_and(|d| d.external) {
                            by_slug
                                .entry(coolify_slug(s))
                                .or_default()
                                .insert(s.clone());
                        }
                    }
                }
            }
        }
        for (slug, sources) in by_slug {
            let claim = volume_claim_name(sources.iter().next().unwrap());
            if !claims.contains(claim.as_str()) {
                failures.push(format!(
                    "{}: {sources:?} (slug {slug:?}) has no claim {claim:?}",
                    short(&t.name)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The length and alphabet `generateEnvValue` (`bootstrap/helpers/shared.php`) gives a kind.
fn format_ok(kind: MagicKind, v: &str) -> bool {
    let alnum = |n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_alphanumeric());
    let hex = |n: usize| {
        v.len() == n
            && v.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let b64 = |n: usize| {
        base64::engine::general_purpose::STANDARD
            .decode(v)
            .is_ok_and(|d| d.len() == n)
    };
    match kind {
        MagicKind::Password => alnum(32),
        MagicKind::Password64 => alnum(64),
        MagicKind::PasswordWithSymbols => v.chars().count() == 32,
        MagicKind::PasswordWithSymbols64 => v.chars().count() == 64,
        MagicKind::User => alnum(16),
        MagicKind::LowercaseUser => alnum(16) && !v.bytes().any(|b| b.is_ascii_uppercase()),
        MagicKind::Base64 | MagicKind::Base64_32 => alnum(32),
        MagicKind::Base64_64 => alnum(64),
        MagicKind::Base64_128 => alnum(128),
        MagicKind::RealBase64 | MagicKind::RealBase64_32 => b64(32),
        MagicKind::RealBase64_64 => b64(64),
        MagicKind::RealBase64_128 => b64(128),
        MagicKind::Hex32 => hex(32),
        MagicKind::Hex64 => hex(64),
        MagicKind::Hex128 => hex(128),
        MagicKind::SupabaseAnon | MagicKind::SupabaseService => v.split('.').count() == 3,
        MagicKind::Url | MagicKind::Fqdn => true,
    }
}

#[test]
fn generated_values_have_coolify_formats() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for t in &load_all() {
        let m = translate(t, &BTreeMap::new());
        for s in m.objects().iter().filter(|o| o["kind"] == "Secret") {
            for (k, v) in s["data"].as_object().into_iter().flatten() {
                let Some(var) = MagicVariable::parse(k) else {
                    continue;
                };
                let Some(value) = v
                    .as_str()
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .and_then(|b| String::from_utf8(b).ok())
                else {
                    continue;
                };
                checked += 1;
                if !format_ok(var.kind, &value) {
                    failures.push(format!("{}: {k} = {value:?}", short(&t.name)));
                }
            }
        }
    }
    if checked == 0 {
        return;
    }
    assert!(checked >= 200, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
