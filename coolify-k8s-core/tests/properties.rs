//! Properties that hold for the translation of every Coolify template:
//! - no secret value outside Secrets;
//! - every name valid for its kind;
//! - the output is deterministic;
//! - every selector matches its pod template's labels;
//! - every Service port targets a container port that exists;
//! - every object carries the standard labels.

mod convert_support;

use base64::Engine as _;
use convert_support::{corpus, stem, templates, translate};
use coolify_k8s_core::plan::names;
use serde_json::Value;
use std::collections::BTreeSet;

fn kind(o: &Value) -> &str {
    o["kind"].as_str().unwrap_or("")
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

fn pod_spec(o: &Value) -> Option<&Value> {
    match kind(o) {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => Some(&o["spec"]["template"]["spec"]),
        _ => None,
    }
}

fn each_translation(
    mut f: impl FnMut(&str, &[Value], &coolify_k8s_core::Manifests) -> Vec<String>,
) {
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    for p in templates(&corpus) {
        let Ok(m) = translate(&p) else { continue };
        for e in f(&stem(&p), m.objects(), &m) {
            problems.push(format!("{}: {e}", stem(&p)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every string in a JSON tree.
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out)
        }),
        _ => {}
    }
}

#[test]
fn no_secret_value_outside_secrets() {
    each_translation(|_, objects, m| {
        let mut secrets: BTreeSet<String> = BTreeSet::new();
        for o in objects.iter().filter(|o| kind(o) == "Secret") {
            // The resource Secret is Coolify's `.env`: it also holds values that are not
            // secret (URLs, the template's defaults); its secret keys are the magic ones.
            let dotenv = name(o).ends_with("-secrets");
            let secret_key = |k: &str| {
                !dotenv
                    || coolify_k8s_core::compose::MagicVariable::parse(k)
                        .is_some_and(|m| m.is_secret())
            };
            for v in o["data"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| secret_key(k))
                .map(|(_, v)| v)
            {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(v.as_str().unwrap_or(""))
                    .unwrap_or_default();
                let text = String::from_utf8_lossy(&decoded).to_string();
                // A file body that embeds secrets is a secret as a whole; short values
                // (a port, "true") would match by accident.
                if text.len() >= 12 {
                    secrets.insert(text);
                }
            }
        }
        let mut out = Vec::new();
        for o in objects.iter().filter(|o| kind(o) != "Secret") {
            let mut all = Vec::new();
            strings(o, &mut all);
            for s in all {
                if let Some(secret) = secrets
                    .iter()
                    .find(|x| !x.contains('\n') && s.contains(x.as_str()))
                {
                    out.push(format!(
                        "{} {} holds a secret value ({} chars)",
                        kind(o),
                        name(o),
                        secret.len()
                    ));
                }
            }
        }
        for w in m.warnings() {
            if secrets
                .iter()
                .any(|s| !s.contains('\n') && w.contains(s.as_str()))
            {
                out.push("the report holds a secret value".to_string());
            }
        }
        out
    });
}

#[test]
fn every_name_is_valid() {
    each_translation(|_, objects, _| {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for o in objects {
            let (k, n) = (kind(o), name(o));
            let ok = match k {
                "Service" | "Namespace" => names::is_rfc1035_label(n),
                "StatefulSet" => names::is_rfc1035_label(n) && n.len() <= names::STATEFULSET_MAX,
                _ => names::is_dns_subdomain(n),
            };
            if !ok {
                out.push(format!("{k} name {n:?} is invalid"));
            }
            if !seen.insert((
                k.to_string(),
                n.to_string(),
                o["apiVersion"].clone().to_string(),
            )) {
                out.push(format!("two {k} objects named {n:?}"));
            }
            for (lk, lv) in o["metadata"]["labels"].as_object().into_iter().flatten() {
                if !names::is_qualified_name(lk)
                    || !names::is_label_value(lv.as_str().unwrap_or("!"))
                {
                    out.push(format!("{k} {n}: invalid label {lk}={lv}"));
                }
            }
            for l in [
                "app.kubernetes.io/name",
                "app.kubernetes.io/instance",
                "app.kubernetes.io/managed-by",
            ] {
                if !o["metadata"]["labels"][l].is_string() {
                    out.push(format!("{k} {n}: no {l} label"));
                }
            }
            if let Some(spec) = pod_spec(o) {
                for c in spec["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(spec["initContainers"].as_array().into_iter().flatten())
                {
                    let cn = c["name"].as_str().unwrap_or("");
                    if !names::is_dns_label(cn) {
                        out.push(format!("{k} {n}: container name {cn:?}"));
                    }
                    for p in c["ports"].as_array().into_iter().flatten() {
                        let pn = p["name"].as_str().unwrap_or("");
                        if !names::is_port_name(pn) {
                            out.push(format!("{k} {n}: port name {pn:?}"));
                        }
                    }
                }
                for v in spec["volumes"].as_array().into_iter().flatten() {
                    if !names::is_dns_label(v["name"].as_str().unwrap_or("")) {
                        out.push(format!("{k} {n}: volume name {}", v["name"]));
                    }
                }
            }
            if k == "Service" {
                for p in o["spec"]["ports"].as_array().into_iter().flatten() {
                    if !names::is_port_name(p["name"].as_str().unwrap_or("")) {
                        out.push(format!("Service {n}: port name {}", p["name"]));
                    }
                }
            }
        }
        out
    });
}

#[test]
fn output_is_deterministic() {
    let Some(corpus) = corpus() else { return };
    for p in templates(&corpus) {
        let (Ok(a), Ok(b)) = (translate(&p), translate(&p)) else {
            continue;
        };
        assert_eq!(a.to_yaml(), b.to_yaml(), "{}", stem(&p));
        assert_eq!(a.warnings(), b.warnings(), "{}", stem(&p));
    }
}

fn matches(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

#[test]
fn selectors_match_pod_templates() {
    each_translation(|_, objects, _| {
        let mut out = Vec::new();
        for o in objects {
            if matches!(kind(o), "Deployment" | "StatefulSet" | "DaemonSet")
                && !matches(
                    &o["spec"]["selector"]["matchLabels"],
                    &o["spec"]["template"]["metadata"]["labels"],
                )
            {
                out.push(format!(
                    "{} {}: selector does not match its template",
                    kind(o),
                    name(o)
                ));
            }
        }
        for s in objects.iter().filter(|o| kind(o) == "Service") {
            let sel = &s["spec"]["selector"];
            let targets: Vec<&Value> = objects
                .iter()
                .filter(|o| {
                    pod_spec(o).is_some()
                        && matches(sel, &o["spec"]["template"]["metadata"]["labels"])
                })
                .collect();
            if targets.is_empty() {
                out.push(format!("Service {}: selects no workload", name(s)));
            }
            for port in s["spec"]["ports"].as_array().into_iter().flatten() {
                let target = &port["targetPort"];
                let found = targets.iter().any(|w| {
                    pod_spec(w).is_some_and(|spec| {
                        spec["containers"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|c| {
                                c["ports"].as_array().into_iter().flatten().any(|cp| {
                                    (cp["containerPort"] == *target || cp["name"] == *target)
                                        && cp["protocol"] == port["protocol"]
                                })
                            })
                    })
                });
                if !found {
                    out.push(format!(
                        "Service {}: port {} targets no container port",
                        name(s),
                        port["port"]
                    ));
                }
            }
        }
        out
    });
}

#[test]
fn every_object_is_in_the_namespace() {
    each_translation(|_, objects, _| {
        let ns = objects
            .first()
            .map(|o| name(o).to_string())
            .unwrap_or_default();
        let mut out = Vec::new();
        if objects.first().map(kind) != Some("Namespace") {
            out.push("the first object is not the Namespace".to_string());
        }
        for o in objects.iter().skip(1) {
            if o["metadata"]["namespace"].as_str() != Some(ns.as_str()) {
                out.push(format!("{} {} is not in {ns}", kind(o), name(o)));
            }
        }
        out
    });
}
