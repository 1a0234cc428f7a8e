//! e2e: every visible corpus template, translated for the `ingress` and `traefik` routers, is
//! accepted by a real API server's `kubectl apply --dry-run=server --server-side`, for every
//! kind that server serves (Traefik CRDs installed first). Kinds the local 1.20 server does
//! not serve (`autoscaling/v2`, `batch/v1` CronJob, `policy/v1`, Gateway API) are counted and
//! left to the schema checks (`scripts/validate-corpus.sh`).
//!
//! Needs the local API server: `scripts/test.sh e2e` (see `e2e_support`).

mod convert_support;
mod e2e_support;

use coolify_k8s_core::options::Router;
use e2e_support::Cluster;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The namespace every dry run targets (created for real; dry runs create nothing in it).
const NAMESPACE: &str = "e2e-dry-run";

fn api_version_kind(o: &Value) -> (String, String) {
    let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    (s("apiVersion"), s("kind"))
}

#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn every_corpus_template_passes_server_dry_run() {
    let cluster = Cluster::from_env();
    let Some(corpus) = convert_support::corpus() else {
        return;
    };
    cluster.install_traefik_crds();
    cluster.fresh_namespace(NAMESPACE);

    let templates = convert_support::templates(&corpus);
    assert!(
        !templates.is_empty(),
        "no templates in {}",
        corpus.display()
    );
    let mut failures = Vec::new();
    let mut applied = 0usize;
    let mut not_served: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut served_cache: Option<BTreeSet<(String, String)>> = None;
    // Jobs' `podFailurePolicy` (batch/v1 since 1.26; the translator's waits rely on it) is
    // unknown to the local 1.20 server: removed before its dry run, counted, and left to the
    // 1.33 / 1.37 schema checks.
    let pod_failure_policy_served = cluster
        .kubectl_stdin(&["explain", "job.spec.podFailurePolicy"], None)
        .ok;
    let mut newer_fields = 0usize;
    let mut asked: BTreeSet<String> = BTreeSet::new();

    for router in [Router::Ingress, Router::Traefik] {
        for path in &templates {
            let name = convert_support::stem(path);
            let mut options = convert_support::options();
            options.router = router;
            options.namespace = Some(NAMESPACE.to_string());
            let manifests = match convert_support::translate_with(path, options) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{name} ({router:?}): translation failed: {e}"));
                    continue;
                }
            };
            // Discovery once per new API version seen.
            let versions: BTreeSet<String> = manifests
                .objects()
                .iter()
                .map(|o| api_version_kind(o).0)
                .collect();
            if !versions.is_subset(&asked) || served_cache.is_none() {
                asked.extend(versions);
                served_cache = Some(cluster.served_kinds(&asked));
            }
            let served = served_cache.as_ref().expect("discovered above");
            let mut items = Vec::new();
            for o in manifests.objects() {
                let key = api_version_kind(o);
                if served.contains(&key) {
                    let mut o = o.clone();
                    if !pod_failure_policy_served {
                        if let Some(spec) = o.get_mut("spec").and_then(Value::as_object_mut) {
                            newer_fields += usize::from(spec.remove("podFailurePolicy").is_some());
                        }
                    }
                    items.push(o);
                } else {
                    *not_served.entry(key).or_default() += 1;
                }
            }
            let list = json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string();
            let r = cluster.kubectl_stdin(
                &[
                    "apply",
                    "--dry-run=server",
                    "--server-side",
                    "--field-manager=coolify",
                    "-n",
                    NAMESPACE,
                    "-f",
                    "-",
                ],
                Some(&list),
            );
            if r.ok {
                applied += items.len();
            } else {
                failures.push(format!("{name} ({router:?}): {}", r.stderr.trim()));
            }
        }
    }
    println!(
        "dry-run accepted {applied} objects from {} templates x 2 routers",
        templates.len()
    );
    if newer_fields > 0 {
        println!("Job spec.podFailurePolicy removed (not known to the local server; schema checks only): {newer_fields}");
    }
    for ((api, kind), n) in &not_served {
        println!("not served by the local server (schema checks only): {api} {kind}: {n}");
    }
    cluster.delete_namespace(NAMESPACE);
    assert!(
        failures.is_empty(),
        "{} of {} template translations were refused by the API server:\n{}",
        failures.len(),
        templates.len() * 2,
        failures.join("\n")
    );
}

/// A database kind's attributes, shaped like its Coolify model
/// (`tests/testdata/databases/<kind>.json`).
fn database_fixture(kind: coolify_k8s_core::coolify::database::DatabaseKind) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/testdata/databases/{kind}.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The server's `apply --dry-run=server --server-side` of `objects` in `namespace`; its
/// error output when it refuses them.
fn dry_run(cluster: &Cluster, namespace: &str, objects: &[Value]) -> Result<(), String> {
    let list = json!({"apiVersion": "v1", "kind": "List", "items": objects}).to_string();
    let r = cluster.kubectl_stdin(
        &[
            "apply",
            "--dry-run=server",
            "--server-side",
            "--field-manager=coolify",
            "-n",
            namespace,
            "-f",
            "-",
        ],
        Some(&list),
    );
    if r.ok {
        Ok(())
    } else {
        Err(r.stderr.trim().to_string())
    }
}

/// Every standalone database kind (`tests/testdata/databases/`, attributes shaped like
/// Coolify's models), with its public port as a NodePort Service, is accepted by the API
/// server's server-side dry run, without and with TLS (`enable_ssl`).
#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn every_database_kind_passes_server_dry_run() {
    use coolify_k8s_core::coolify::database::kind::ALL;
    use coolify_k8s_core::options::{Options, PublishedPorts};
    const DB_NAMESPACE: &str = "e2e-dry-run-databases";
    let cluster = Cluster::from_env();
    cluster.fresh_namespace(DB_NAMESPACE);
    let mut failures = Vec::new();
    for kind in ALL {
        let attrs = database_fixture(kind);
        let options = Options {
            namespace: Some(DB_NAMESPACE.to_string()),
            published_ports: PublishedPorts::Nodeport,
            ..Options::default()
        };
        let translator = coolify_k8s_core::Translator::new(options);
        let m = translator
            .database(kind, &attrs, &BTreeMap::new())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        if let Err(e) = dry_run(&cluster, DB_NAMESPACE, m.objects()) {
            failures.push(format!("{kind}: {e}"));
        }
        let tls = convert_support::with_tls(kind, attrs);
        let m = translator
            .database(kind, &tls, &BTreeMap::new())
            .unwrap_or_else(|e| panic!("{kind} with TLS: {e}"));
        if let Err(e) = dry_run(&cluster, DB_NAMESPACE, m.objects()) {
            failures.push(format!("{kind} with TLS: {e}"));
        }
    }
    cluster.delete_namespace(DB_NAMESPACE);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the registry rules emit: every database kind with its claim sized by `volume_sizes`,
/// and the build-only projects of `tests/testdata/build-only/` under the `registry` prefix,
/// each with `image_pull_secrets` and the `kubernetes.io/dockerconfigjson` Secret of
/// `Manifests::with_pull_secret`, are accepted by the API server's server-side dry run.
#[test]
#[ignore = "needs the local API server: scripts/test.sh e2e"]
fn registry_output_passes_server_dry_run() {
    use coolify_k8s_core::coolify::database::kind::ALL;
    use coolify_k8s_core::registry::RegistryCredentials;
    use coolify_k8s_core::{Manifests, Options, Translator};
    const REG_NAMESPACE: &str = "e2e-dry-run-registry";
    let cluster = Cluster::from_env();
    cluster.fresh_namespace(REG_NAMESPACE);
    let creds = RegistryCredentials {
        server: "registry.example.com:5000".into(),
        username: "ci".into(),
        password: "pull-S3cret".into(),
    };
    let base = Options {
        namespace: Some(REG_NAMESPACE.to_string()),
        image_pull_secrets: vec!["team-pull".into()],
        registry: Some("registry.example.com:5000/team".into()),
        seed: Some("registry".into()),
        ..Options::default()
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let mut outputs: Vec<(String, Manifests)> = Vec::new();
    for kind in ALL {
        let attrs = database_fixture(kind);
        let sizes = attrs["persistent_storages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["name"].as_str())
            .map(|n| (n.to_string(), "3Gi".to_string()))
            .collect();
        let options = Options {
            volume_sizes: sizes,
            ..base.clone()
        };
        let m = Translator::new(options)
            .database(kind, &attrs, &BTreeMap::new())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(
            m.objects()
                .iter()
                .filter(|o| o["kind"] == "PersistentVolumeClaim")
                .all(|o| o["spec"]["resources"]["requests"]["storage"] == "3Gi"),
            "{kind}"
        );
        outputs.push((kind.to_string(), m));
    }
    for file in [
        "react-express-mongodb",
        "nginx-golang-postgres",
        "flask-redis",
    ] {
        let p = root.join(format!("build-only/{file}.yaml"));
        let files = [coolify_k8s_core::compose::SourceFile {
            name: p.to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&p).unwrap(),
        }];
        let m = Translator::new(base.clone())
            .compose_files(&files, &BTreeMap::new(), &convert_support::DirFiles)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        outputs.push((file.to_string(), m));
    }
    let mut failures = Vec::new();
    for (name, m) in outputs {
        let m = m.with_pull_secret("regcred", &creds).unwrap();
        if let Err(e) = dry_run(&cluster, REG_NAMESPACE, m.objects()) {
            failures.push(format!("{name}: {e}"));
        }
    }
    cluster.delete_namespace(REG_NAMESPACE);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
