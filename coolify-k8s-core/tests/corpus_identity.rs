//! Identity and the shared namespace over every Coolify template in `../shared/corpus`
//! (issue 11, items 2 and 3): each template deployed twice into one shared namespace
//! (`namespace_strategy: shared`, two resource uuids, as two one-click Services of one
//! template on one Coolify destination) shares no object name with its other copy, and every
//! in-file neighbour host still resolves to its own copy. Skips with a message when
//! `../shared` is absent.

mod convert_support;

use convert_support::{corpus, headless_services, named_hosts, options, templates, translate_with};
use coolify_k8s_core::options::NamespaceStrategy;
use coolify_k8s_core::{Manifests, Options};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Two Coolify uuids (cuid2-shaped, as Coolify generates them).
const COPIES: [&str; 2] = ["x8k2m4q1r7t9v3w5y6z0a1b2", "q4w8e2r6t1y5u9i3o7p0a2s4"];

fn shared(uuid: &str) -> Options {
    Options {
        name: Some(uuid.to_string()),
        namespace_strategy: NamespaceStrategy::Shared,
        ..options()
    }
}

/// `(namespace, kind, name)` of every object.
fn identities(m: &Manifests) -> BTreeSet<(String, String, String)> {
    m.objects()
        .iter()
        .map(|o| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&o["metadata"]["namespace"]),
                s(&o["kind"]),
                s(&o["metadata"]["name"]),
            )
        })
        .collect()
}

/// Values, commands and arguments of every container of every pod template.
fn container_texts(m: &Manifests) -> Vec<String> {
    let mut out = Vec::new();
    for o in m.objects() {
        let spec = &o["spec"]["template"]["spec"];
        for c in ["containers", "initContainers"]
            .iter()
            .flat_map(|k| spec[k].as_array().into_iter().flatten())
        {
            for e in c["env"].as_array().into_iter().flatten() {
                out.extend(e["value"].as_str().map(str::to_string));
            }
            for k in ["command", "args"] {
                out.extend(
                    c[k].as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// The names of the Compose services a template deploys (those without `profiles`: no
/// profile is active), as its files write them.
fn service_names(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let doc: Value = serde_saphyr::from_str(&text).unwrap_or(Value::Null);
    doc["services"]
        .as_object()
        .map(|s| {
            s.iter()
                .filter(|(_, svc)| svc.get("profiles").is_none())
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn two_copies_of_every_template_share_no_object_and_reach_their_own_neighbours() {
    let Some(corpus) = corpus() else { return };
    let mut failures = Vec::new();
    let (mut pairs, mut own_references) = (0, 0);
    for path in templates(&corpus) {
        let (Ok(a), Ok(b)) = (
            translate_with(&path, shared(COPIES[0])),
            translate_with(&path, shared(COPIES[1])),
        ) else {
            // Templates that do not translate are corpus_convert's concern.
            continue;
        };
        pairs += 1;
        let file = path.display();
        let common: Vec<_> = identities(&a)
            .intersection(&identities(&b))
            .cloned()
            .collect();
        if !common.is_empty() {
            failures.push(format!("{file}: objects in common: {common:?}"));
        }
        for (copy, m) in COPIES.iter().zip([&a, &b]) {
            let other = if *copy == COPIES[0] { &b } else { &a };
            let own = headless_services(m);
            let theirs = headless_services(other);
            let services = service_names(&path);
            for o in m.objects() {
                if o["kind"] == "Namespace" {
                    failures.push(format!("{file}: a shared namespace is not the resource's"));
                }
                if o["metadata"]["labels"]["app.kubernetes.io/instance"] != *copy {
                    failures.push(format!(
                        "{file}: {}/{} is not labelled with its copy's identity",
                        o["kind"], o["metadata"]["name"]
                    ));
                }
                if o["metadata"]["namespace"].is_string() && o["metadata"]["namespace"] != "coolify"
                {
                    failures.push(format!("{file}: not in the shared namespace"));
                }
            }
            for host in container_texts(m).iter().flat_map(|t| named_hosts(t)) {
                if own.contains_key(&host) {
                    own_references += 1;
                } else if theirs.contains_key(&host) {
                    failures.push(format!("{file}: {copy} dials the other copy's {host}"));
                } else if services.contains(&host) {
                    failures.push(format!("{file}: {copy} dials {host:?}, not rewritten"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!(
        "{pairs} templates deployed twice into one namespace; {own_references} neighbour \
         references resolve to the copy's own Services"
    );
    assert!(pairs > 200, "only {pairs} templates translated");
    assert!(
        own_references > 200,
        "only {own_references} references checked"
    );
}

/// The project's own fixture (`testdata/e2e/identity.yaml`, also deployed by
/// `e2e_identity`): the exact names of a copy in a shared namespace, and of the same input
/// under one namespace per resource.
#[test]
fn the_identity_fixture_in_both_strategies() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/e2e/identity.yaml");
    let yaml = std::fs::read_to_string(&path).expect("fixture");
    let env = BTreeMap::from([("WHO".to_string(), "x".to_string())]);
    let translate = |options: Options| {
        coolify_k8s_core::Translator::new(options)
            .compose(&yaml, &env)
            .expect("translates")
    };
    let names = |m: &Manifests| -> Vec<String> {
        m.objects()
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap_or_default(),
                    o["metadata"]["name"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    let api_url = |m: &Manifests| -> String {
        m.objects()
            .iter()
            .filter(|o| o["kind"] == "Deployment")
            .flat_map(|o| {
                o["spec"]["template"]["spec"]["containers"][0]["env"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .find(|e| e["name"] == "API_URL")
            .and_then(|e| e["value"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let shared = translate(shared(COPIES[0]));
    let u = COPIES[0];
    assert_eq!(
        names(&shared),
        [
            format!("Secret/{u}-secrets"),
            format!("Deployment/api-{u}"),
            format!("Deployment/client-{u}"),
            format!("Service/api-{u}"),
            format!("Service/client-{u}"),
        ]
    );
    assert_eq!(api_url(&shared), format!("http://api-{u}:8081/"));
    // One namespace per resource: the Compose names, in the resource's own namespace.
    let own = translate(Options {
        name: Some(u.to_string()),
        ..options()
    });
    assert_eq!(
        names(&own),
        [
            format!("Namespace/{u}"),
            format!("Secret/{u}-secrets"),
            "Deployment/api".to_string(),
            "Deployment/client".to_string(),
            "Service/api".to_string(),
            "Service/client".to_string(),
        ]
    );
    assert_eq!(api_url(&own), "http://api:8081/");
}
