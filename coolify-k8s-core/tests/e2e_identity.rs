//! e2e (issue 11, items 2 and 3): resources keyed by Coolify's identity never touch each
//! other's objects on a real API server, with the project's own `kubectl` lines:
//! - two Applications with one name (two uuids) and a preview beside production: stopping
//!   production and deleting the preview leave every other resource's objects as they were
//!   (same uid, generation, labels, spec and data);
//! - two copies of one template in one shared namespace (`namespace_strategy: shared`):
//!   each copy's pods reach their own neighbour by the template's name, the other copy by
//!   Coolify's container name `<service>-<uuid>`, and pruning one copy leaves the other
//!   whole.
//!
//! Needs the local cluster: `scripts/test.sh e2e` (see `e2e_support`).

mod e2e_support;

use coolify_k8s_core::kubectl::DeleteOptions;
use coolify_k8s_core::options::NamespaceStrategy;
use coolify_k8s_core::{Manifests, Options, Translator};
use e2e_support::{project_root, wait_until, Cluster};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Everything a resource may own here.
const KINDS: &str = "deployments,statefulsets,jobs,services,configmaps,secrets,ingresses,\
                     serviceaccounts,roles,rolebindings";

/// `kind/name` → what another resource's action must not change: uid, generation, labels,
/// annotations, spec and data (status and resourceVersion move with controllers).
fn snapshot(cluster: &Cluster, ns: &str, instance: &str) -> BTreeMap<String, Value> {
    let selector = format!("app.kubernetes.io/instance={instance}");
    cluster
        .items(KINDS, ns, Some(&selector))
        .into_iter()
        .map(|o| {
            let key = format!(
                "{}/{}",
                o["kind"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("")
            );
            let kept = json!({
                "uid": o["metadata"]["uid"],
                "generation": o["metadata"]["generation"],
                "labels": o["metadata"]["labels"],
                "annotations": o["metadata"]["annotations"],
                "spec": o["spec"],
                "data": o["data"],
            });
            (key, kept)
        })
        .collect()
}

fn assert_untouched(
    cluster: &Cluster,
    ns: &str,
    instance: &str,
    before: &BTreeMap<String, Value>,
    after_what: &str,
) {
    assert!(!before.is_empty(), "{instance} has no objects in {ns}");
    let now = snapshot(cluster, ns, instance);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        now.keys().collect::<Vec<_>>(),
        "{after_what} changed the object set of {instance}"
    );
    for (k, v) in before {
        assert_eq!(Some(v), now.get(k), "{after_what} changed {instance}'s {k}");
    }
}

/// A Coolify Application as `$application->toArray()` gives it (app/Models/Application.php).
fn application(uuid: &str, pr: u64) -> Value {
    json!({
        "id": 1, "uuid": uuid, "name": "blog", "image": "busybox:1.37",
        "ports_exposes": "8080", "fqdn": format!("https://{uuid}.example.com"),
        "pull_request_id": pr,
        "environment_variables": [
            {"key": "MODE", "value": "production", "is_preview": false, "is_runtime": true},
            {"key": "MODE", "value": "preview", "is_preview": true, "is_runtime": true}
        ],
        "settings": {"is_consistent_container_name_enabled": true}
    })
}

fn translate_application(uuid: &str, pr: u64) -> Manifests {
    let options = Options {
        seed: Some("e2e".into()),
        ..Options::default()
    };
    Translator::new(options)
        .application(&application(uuid, pr))
        .unwrap_or_else(|e| panic!("translating {uuid} failed: {e}"))
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn same_named_applications_and_a_preview_never_touch_each_other() {
    let cluster = Cluster::from_env();
    let k = cluster.builders();
    let (a, b) = ("e2eidblogaaaa", "e2eidblogbbbb");
    for ns in [a, b] {
        cluster.delete_namespace(ns);
    }
    let prod = translate_application(a, 0);
    let other = translate_application(b, 0);
    let preview = translate_application(a, 1);
    for m in [&prod, &other, &preview] {
        cluster.must_apply(m);
    }
    // Two "blog"s in two namespaces (their uuids); the preview beside production.
    assert!(cluster.kubectl(&["get", "deployment", a, "-n", a]).ok);
    assert!(cluster.kubectl(&["get", "deployment", b, "-n", b]).ok);
    assert!(
        cluster
            .kubectl(&["get", "deployment", &format!("{a}-pr-1"), "-n", a])
            .ok
    );
    let snap_prod = snapshot(&cluster, a, a);
    let snap_preview = snapshot(&cluster, a, &format!("{a}-pr-1"));
    let snap_other = snapshot(&cluster, b, b);

    // Redeploying production (its prune) leaves the preview and the other blog alone.
    cluster.must_apply(&prod);
    assert_untouched(
        &cluster,
        a,
        &format!("{a}-pr-1"),
        &snap_preview,
        "production's apply",
    );
    assert_untouched(&cluster, b, b, &snap_other, "production's apply");

    // Stopping production scales production only.
    cluster.must_run("stop", &k.stop(&prod).expect("stop lines"));
    let d = cluster.get_json(&["deployment", a, "-n", a]);
    assert_eq!(d["spec"]["replicas"], 0, "production not stopped");
    assert_untouched(
        &cluster,
        a,
        &format!("{a}-pr-1"),
        &snap_preview,
        "production's stop",
    );
    assert_untouched(&cluster, b, b, &snap_other, "production's stop");
    cluster.must_run("start", &k.start(&prod).expect("start lines"));

    // Deleting the preview deletes only it.
    cluster.must_run(
        "delete preview",
        &k.delete(&preview, DeleteOptions::default())
            .expect("delete lines"),
    );
    wait_until(
        Duration::from_secs(60),
        "the preview's objects gone",
        || snapshot(&cluster, a, &format!("{a}-pr-1")).is_empty(),
    );
    let prod_now = snapshot(&cluster, a, a);
    assert_eq!(
        snap_prod.keys().collect::<Vec<_>>(),
        prod_now.keys().collect::<Vec<_>>(),
        "deleting the preview changed production's objects"
    );
    for (key, v) in &snap_prod {
        assert_eq!(
            v["uid"], prod_now[key]["uid"],
            "deleting the preview replaced production's {key}"
        );
    }
    assert_untouched(&cluster, b, b, &snap_other, "the preview's delete");
    for ns in [a, b] {
        cluster.delete_namespace(ns);
    }
}

const SHARED: &str = "e2e-identity-shared";

fn translate_copy(uuid: &str, yaml: &str) -> Manifests {
    let options = Options {
        name: Some(uuid.into()),
        namespace: Some(SHARED.into()),
        namespace_strategy: NamespaceStrategy::Shared,
        seed: Some("e2e".into()),
        ..Options::default()
    };
    let env = BTreeMap::from([("WHO".to_string(), uuid.to_string())]);
    Translator::new(options)
        .compose(yaml, &env)
        .unwrap_or_else(|e| panic!("translating copy {uuid} failed: {e}"))
}

#[test]
#[ignore = "needs the local cluster: scripts/test.sh e2e"]
fn two_copies_of_a_template_in_one_namespace_reach_their_own_neighbours() {
    let cluster = Cluster::from_env();
    let k = cluster.builders();
    let path = project_root().join("coolify-k8s-core/tests/testdata/e2e/identity.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (c, d) = ("e2eidcopycccc", "e2eidcopydddd");
    cluster.delete_namespace(SHARED);
    let copies = [(c, translate_copy(c, &yaml)), (d, translate_copy(d, &yaml))];
    for (_, m) in &copies {
        cluster.must_apply(m);
    }
    for (_, m) in &copies {
        cluster.must_run(
            "rollout status",
            &k.rollout_status(m, 90).expect("rollout lines"),
        );
    }
    let fetch = |copy: &str, url: &str| {
        cluster.exec(
            SHARED,
            &format!("deployment/client-{copy}"),
            &format!("client-{copy}"),
            &format!("timeout 5 wget -qO- {url}"),
        )
    };
    for (copy, _) in &copies {
        // The template's own name, rewritten in the file value, reaches this copy's api.
        let r = fetch(copy, "$API_URL");
        assert!(
            r.ok && r.stdout.trim() == *copy,
            "{copy}'s client did not reach its own api: {:?} {}",
            r.stdout,
            r.stderr
        );
    }
    // Coolify's container name of the other copy's api resolves across resources.
    let r = fetch(d, &format!("http://api-{c}:8081/"));
    assert!(
        r.ok && r.stdout.trim() == c,
        "api-{c} not reachable from copy {d}: {:?} {}",
        r.stdout,
        r.stderr
    );

    // Prune: copy c re-applied without its client; copy d keeps everything.
    let snap_d = snapshot(&cluster, SHARED, d);
    let mut doc: Value = serde_saphyr::from_str(&yaml).expect("fixture parses");
    if let Some(s) = doc["services"].as_object_mut() {
        s.remove("client");
    }
    let reduced = translate_copy(c, &serde_json::to_string(&doc).expect("JSON is YAML"));
    cluster.must_apply(&reduced);
    assert!(
        !cluster
            .kubectl(&["get", "deployment", &format!("client-{c}"), "-n", SHARED])
            .ok,
        "client-{c} was not pruned"
    );
    assert_untouched(&cluster, SHARED, d, &snap_d, "pruning the other copy");
    let r = fetch(d, "$API_URL");
    assert!(r.ok && r.stdout.trim() == d, "{:?} {}", r.stdout, r.stderr);

    // Deleting copy c leaves copy d whole, and the shared namespace stays.
    cluster.must_run(
        "delete",
        &k.delete(&reduced, DeleteOptions::default())
            .expect("delete lines"),
    );
    wait_until(Duration::from_secs(60), "copy c gone", || {
        snapshot(&cluster, SHARED, c).is_empty()
    });
    assert_untouched(&cluster, SHARED, d, &snap_d, "deleting the other copy");
    assert!(cluster.kubectl(&["get", "namespace", SHARED]).ok);
    cluster.delete_namespace(SHARED);
}
