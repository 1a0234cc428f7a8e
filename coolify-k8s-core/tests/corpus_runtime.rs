//! Workload runtime parity over every Coolify template in `../shared/corpus` (issue 9,
//! rules 1, 2, 4, 10): ports a neighbour names are reachable, no liveness probe from a
//! health check, a changed secret changes the pod template, `hostname:` resolves, no
//! `127.0.0.11` in a pod. Skips with a message when `../shared` is absent.

mod convert_support;

use convert_support::{
    corpus, headless_services, named_hosts, options, templates, translate, translate_with, DirFiles,
};
use coolify_k8s_core::compose::{self, LoadOptions, SourceFile};
use coolify_k8s_core::Manifests;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const POD_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "Job"];

fn pods(m: &Manifests) -> impl Iterator<Item = &Value> {
    m.objects()
        .iter()
        .filter(|o| POD_KINDS.iter().any(|k| o["kind"] == *k))
}

/// The corpus's templates, translated; `None` (with a message) when it is absent.
fn translated() -> Option<Vec<(PathBuf, Manifests)>> {
    let corpus = corpus()?;
    let paths = templates(&corpus);
    if convert_support::loader_pending(&paths[0]) {
        return None;
    }
    Some(
        paths
            .into_iter()
            .filter_map(|p| translate(&p).ok().map(|m| (p, m)))
            .collect(),
    )
}

/// The `app.kubernetes.io/name` of every pod template.
fn pod_names(m: &Manifests) -> Vec<String> {
    pods(m)
        .filter_map(|o| {
            o["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// Rule 1: every Service named after a Compose service is headless and selects pods, so
/// every port a neighbour names (`app:5679` in an environment value or argument) is
/// reachable, declared or not.
#[test]
fn ports_a_neighbour_names_are_reachable() {
    let Some(all) = translated() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (p, m) in &all {
        let headless = headless_services(m);
        let pods = pod_names(m);
        for s in m.objects().iter().filter(|o| o["kind"] == "Service") {
            let name = s["metadata"]["name"].as_str().unwrap_or_default();
            let public = s["spec"]["type"].is_string();
            if !public && !headless.contains_key(name) {
                failures.push(format!("{}: Service {name} is not headless", p.display()));
            }
        }
        for (alias, target) in &headless {
            if !pods.contains(target) {
                failures.push(format!("{}: Service {alias} selects no pod", p.display()));
            }
        }
        for o in pods_of(m) {
            let own = o["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
                .as_str()
                .unwrap_or_default();
            for c in o["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let mut texts: Vec<&str> = c["env"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["value"].as_str())
                    .collect();
                for k in ["command", "args"] {
                    texts.extend(
                        c[k].as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str),
                    );
                }
                for host in texts.iter().flat_map(|t| named_hosts(t)) {
                    // Only names of this project's services and aliases matter here.
                    let Some(target) = headless.get(&host) else {
                        continue;
                    };
                    checked += 1;
                    if target != own && !pods.contains(target) {
                        failures.push(format!("{}: {host} selects no pod", p.display()));
                    }
                }
            }
        }
    }
    println!("{checked} neighbour references to services resolve to headless Services");
    assert!(checked > 100, "only {checked} references checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn pods_of(m: &Manifests) -> Vec<&Value> {
    pods(m).collect()
}

/// Rule 2: no health check becomes a liveness probe (Docker never kills for it).
#[test]
fn no_liveness_probe_from_a_health_check() {
    let Some(all) = translated() else { return };
    let mut readiness = 0;
    for (p, m) in &all {
        for o in pods(m) {
            for c in o["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                assert!(
                    c.get("livenessProbe").is_none(),
                    "{}: {} has a liveness probe",
                    p.display(),
                    o["metadata"]["name"]
                );
                readiness += usize::from(c.get("readinessProbe").is_some());
            }
        }
    }
    assert!(readiness > 100, "{readiness} readiness probes");
}

/// Rule 4: with other secret values (another seed), every pod that reads the resource
/// Secret gets another pod template, so it rolls; every Job gets another name.
#[test]
fn a_changed_secret_changes_the_pod_template() {
    let Some(corpus) = corpus() else { return };
    let paths = templates(&corpus);
    if convert_support::loader_pending(&paths[0]) {
        return;
    }
    let mut rolled = 0;
    for p in &paths {
        let (Ok(a), Ok(b)) = (
            translate(p),
            translate_with(
                p,
                coolify_k8s_core::Options {
                    seed: Some("another seed".into()),
                    ..options()
                },
            ),
        ) else {
            continue;
        };
        for (wa, wb) in pods(&a).zip(pods(&b)) {
            let reads_secret = wa["spec"]["template"]["spec"]["containers"]
                .to_string()
                .contains("secretKeyRef");
            let ta =
                &wa["spec"]["template"]["metadata"]["annotations"]["coolify.io/config-checksum"];
            let tb =
                &wb["spec"]["template"]["metadata"]["annotations"]["coolify.io/config-checksum"];
            assert!(
                ta.is_string(),
                "{}: no checksum on {}",
                p.display(),
                wa["metadata"]["name"]
            );
            if reads_secret && a.objects().iter().any(|o| o["kind"] == "Secret") {
                let name = wa["metadata"]["name"].as_str().unwrap_or_default();
                // Only when a value it reads differs (caller values stay the same).
                let values_differ = secret_values_read(&a, wa) != secret_values_read(&b, wb);
                if values_differ {
                    assert_ne!(ta, tb, "{}: {name} does not roll", p.display());
                    if wa["kind"] == "Job" {
                        assert_ne!(wa["metadata"]["name"], wb["metadata"]["name"]);
                    }
                    rolled += 1;
                }
            }
        }
    }
    assert!(rolled > 100, "only {rolled} workloads checked");
}

/// The values of the resource Secret's keys a workload's containers read.
fn secret_values_read(m: &Manifests, w: &Value) -> Vec<String> {
    let secret: BTreeMap<String, String> = m
        .objects()
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .flat_map(|o| {
            let name = o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            ["data", "stringData"].into_iter().flat_map(move |k| {
                let name = name.clone();
                o[k].as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(key, v)| (format!("{name}/{key}"), v.to_string()))
            })
        })
        .collect();
    let mut out = Vec::new();
    for c in w["spec"]["template"]["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for e in c["env"].as_array().into_iter().flatten() {
            let r = &e["valueFrom"]["secretKeyRef"];
            if let (Some(n), Some(k)) = (r["name"].as_str(), r["key"].as_str()) {
                out.push(secret.get(&format!("{n}/{k}")).cloned().unwrap_or_default());
            }
        }
    }
    out
}

/// Rule 1: a service's `hostname:` (a DNS label) resolves to its pods.
#[test]
fn hostname_resolves() {
    let Some(all) = translated() else { return };
    let mut checked = 0;
    for (p, m) in &all {
        let Some(project) = load(p) else { continue };
        let headless = headless_services(m);
        for (name, svc) in &project.services {
            let Some(h) = &svc.hostname else { continue };
            if h.contains('.') || svc.network_mode.is_some() {
                continue; // reported: a Service name is one DNS label
            }
            let h = h.to_ascii_lowercase().replace('_', "-");
            checked += 1;
            let own = name.to_ascii_lowercase().replace('_', "-");
            assert!(
                headless.contains_key(&h) || h == own,
                "{}: hostname {h} of {name} resolves to nothing",
                p.display()
            );
        }
    }
    println!("{checked} hostnames resolve");
    assert!(checked > 0);
}

fn load(p: &Path) -> Option<compose::Project> {
    let text = std::fs::read_to_string(p).ok()?;
    let files = [SourceFile {
        name: p.to_string_lossy().into_owned(),
        text: text.clone(),
    }];
    let load_options = LoadOptions {
        variables: convert_support::caller_values(&text),
        ..Default::default()
    };
    compose::load(&files, &load_options, &DirFiles)
        .ok()
        .map(|l| l.project)
}

/// Rule 10: no pod (nor any object it reads) points at Docker's embedded DNS.
#[test]
fn no_docker_dns_in_a_pod() {
    let Some(all) = translated() else { return };
    for (p, m) in &all {
        let yaml = m.to_yaml();
        let hit = yaml.match_indices("127.0.0.11").any(|(i, _)| {
            !yaml[i + "127.0.0.11".len()..].starts_with(|c: char| c.is_ascii_digit())
        });
        assert!(!hit, "{}: 127.0.0.11 left in the output", p.display());
    }
}
